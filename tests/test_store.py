"""The store and the review session against a real temporary database,
driven directly (no terminal text): invariants held by the schema, the
shared predicates, and which modules the daily commands import."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import integrity_error

from studycards import decks
from studycards.errors import DatabaseError
from studycards.store.location import ServerLocation
from studycards.records import CardState, LogKind, ReviewEntry
from studycards.review import OVER_CAP, ReviewSession
from studycards.settings import Settings
from studycards.store import open_store

DAY = 20514  # 2026-03-02
NOON = DAY * 86400 + 43200


@pytest.fixture
def store(db_path: Path, add_notes):
    with freeze_time("2026-03-02 12:00"):
        add_notes("Alpha", 2)
        add_notes("Beta", 2)
    opened = open_store(db_path, NOON)
    yield opened
    opened.close()


def _entry(kind: LogKind, grade: int = 4) -> ReviewEntry:
    return ReviewEntry(NOON, DAY, grade, kind, 0, 250, 0, None, 1, 250, 1, DAY + 1, 1000)


def test_the_schema_lets_only_one_counted_answer_per_card_and_day(store, db_path, sql):
    with store.transaction():
        first = store.reviews.append(1, _entry(LogKind.REVIEW))
        drill = store.reviews.append(1, _entry(LogKind.DRILL))
    assert drill.value > first.value > 0
    with pytest.raises(DatabaseError, match="UNIQUE|unique|duplicate"):
        with store.transaction():  # a second counted answer: the whole transaction is refused
            store.reviews.append(1, _entry(LogKind.DRILL))
            store.reviews.append(1, _entry(LogKind.REVIEW))
    assert sql("select kind from review_log order by id") == [("review",), ("drill",)]
    with pytest.raises(integrity_error(db_path)):
        sql(
            "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
            " after_repetitions, after_easiness, after_interval, answer_ms) values (1, 0, ?, 4, 'review', 0, 250, 0, 1, 250, 1, 0)",
            DAY,
        )


def test_two_sessions_answering_one_card_schedule_it_once(store, db_path):
    other = open_store(db_path, NOON)
    try:
        first = ReviewSession(store, DAY, Settings(), None)
        second = ReviewSession(other, DAY, Settings(), None)
        a, b = first.next(), second.next()
        assert a.card_id == b.card_id  # both show the same new card
        assert first.answer(a, 5, 1000, NOON) == LogKind.REVIEW
        assert second.answer(b, 1, 1000, NOON + 1) == LogKind.DRILL  # the second answer does not reschedule
        state, _, _ = store.cards.state(a.card_id)
        assert (state.repetitions, state.interval, state.due) == (1, 1, DAY + 1)
        kinds = [r[3] for r in store.reviews.today(DAY)]
        assert kinds == ["review", "drill"]
    finally:
        other.close()


def test_the_new_card_limit_is_checked_again_when_a_new_card_is_answered(store, db_path):
    settings = Settings(new_per_day=1)
    other = open_store(db_path, NOON)
    try:
        alpha, beta = decks.resolve_decks(store, ["Alpha"]), decks.resolve_decks(store, ["Beta"])
        first = ReviewSession(store, DAY, settings, alpha)
        second = ReviewSession(other, DAY, settings, beta)  # started before the first answered anything
        a, b = first.next(), second.next()
        assert first.answer(a, 4, 1000, NOON) == LogKind.REVIEW
        assert second.answer(b, 4, 1000, NOON) == OVER_CAP
        state, _, _ = store.cards.state(b.card_id)
        assert state == CardState()  # still new, nothing logged
        assert store.reviews.counted_today(DAY) == (1, 1)
        assert second.next() is None
    finally:
        other.close()


def test_a_card_buried_in_a_session_is_not_counted_as_new_in_the_overview(run, add_notes):
    """The overview's new count and the queue share one definition of visible."""
    def new_in_overview() -> int:
        [row] = [line.split() for line in run().output.splitlines() if line.startswith("D ")]
        return int(row[2])

    with freeze_time("2026-03-02 12:00"):
        add_notes("D", 2)
        assert new_in_overview() == 2
        run("review", input="\ns\nq\n")  # bury the first card, quit
        assert new_in_overview() == 1
        assert "1/1" in run("review", input="\n4\n").output  # one card left, as the overview said
        assert new_in_overview() == 0


def test_the_overview_counts_a_streak_in_one_query(store):
    for day in range(DAY - 5, DAY + 1):
        with store.transaction():
            store.reviews.append(1, ReviewEntry(day * 86400, day, 4, LogKind.DRILL, 0, 250, 0, None, 0, 250, 0, None, 0))
    assert store.reviews.streak(DAY) == 6
    assert store.reviews.streak(DAY + 1) == 6  # today not studied yet: the streak runs to yesterday
    assert store.reviews.streak(DAY + 2) == 0
    assert store.reviews.streak(DAY - 3) == 3


def test_nested_transactions_roll_back_alone(store):
    with store.transaction():
        store.settings.put("new-per-day", "7")
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.settings.put("new-per-day", "9")
                raise RuntimeError
        assert store.settings.get("new-per-day") == "7"
    assert store.settings.get("new-per-day") == "7"


def test_answers_after_2038_are_stored(run, add_notes, cards_json, sql):
    add_notes("D", 1)
    with freeze_time("2040-06-01 12:00"):
        assert run("review", input="\n5\n").exit_code == 0
        assert cards_json()[0]["due"] == "2040-06-02"
    assert sql("select time from review_log") == [(int(datetime(2040, 6, 1, 12, tzinfo=timezone.utc).timestamp()),)]


COMMANDS = (
    ([], ""),
    (["review"], "\nq\n"),
    (["decks"], ""),
    (["stats"], ""),
    (["add", "Alpha", "--front", "f", "--back", "b"], ""),
    (["cards", "Alpha"], ""),
    (["config"], ""),
    (["config", "new-per-day", "21"], ""),
    (["suspend", "1"], ""),
    (["unsuspend", "1"], ""),
    (["export", "Alpha"], ""),
    (["check"], ""),
    (["import", "{tsv}"], ""),
    (["backup", "{backup}"], ""),
)


@pytest.mark.slow
def test_no_command_on_a_current_database_imports_sqlalchemy(db_path, add_notes, tmp_path):
    """SQLAlchemy (and SQLModel, pydantic) are only for migrating. (A
    server's backup is a new SQLite file, made by the migrations: that one
    command needs them there.)"""
    add_notes("Alpha", 3)
    tsv = tmp_path / "ten.tsv"
    tsv.write_text("".join(f"q{i}\ta{i}\n" for i in range(10)), encoding="utf-8")
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['studycards', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('studycards', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    for args, stdin in COMMANDS:
        args = [a.format(tsv=tsv, backup=tmp_path / "backup.db") for a in args]
        done = subprocess.run([sys.executable, "-c", probe, *args], input=stdin, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (args, done.stderr)
        new_file = args[:1] == ["backup"] and isinstance(db_path, ServerLocation)
        assert ("HEAVY []" in done.stderr) != new_file, (args, done.stderr)
