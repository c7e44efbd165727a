"""The quick path's SQL is plain text, not SQLite-bound: the same review
session and overview run over stdlib sqlite3 (dbapi.Conn) and through
SQLAlchemy (dbapi.SAConn) and leave identical databases."""

from __future__ import annotations

import shutil
import sqlite3
import sys

import pytest
from freezegun import freeze_time

from studycards import dbapi, decks, opening
from studycards.review import ReviewSession
from studycards.settings import Settings

DAY = 20514  # 2026-03-02


def _session_on(conn: dbapi.Conn) -> tuple[list[object], object, object]:
    settings = Settings(new_per_day=8, leech_threshold=1, leech_action="suspend")
    run = ReviewSession(conn, DAY, settings, None)
    shown = []
    grades = iter([0, 1, 4, 0, 3, 2, 5, 4, 4, 5, 4, 5, 4, 5, 4, 5])
    while (card := run.next()) is not None:
        shown.append((card.card_id, card.prompt, card.drill))
        if len(shown) == 3:
            run.bury(card)
            continue
        run.answer(card, next(grades), 1200, 1_772_452_800 + len(shown))
        if len(shown) == 5:
            assert run.undo()
    return shown, run.summary(), decks.today_overview(conn, DAY, settings)


def _dump(path):
    with sqlite3.connect(path) as conn:
        return [conn.execute(f"select * from {t} order by 1").fetchall() for t in ("card", "note", "review_log")]


def test_review_and_overview_are_the_same_through_sqlalchemy(db_path, add_notes, run):
    with freeze_time("2026-03-02 12:00"):
        add_notes("Alpha", 6)
        add_notes("Beta", 4, "--reverse")
        assert run("decks").exit_code == 0
    conn = sqlite3.connect(db_path)  # two studied cards due today: failing one makes a leech
    with conn:
        conn.execute("update card set repetitions = 3, interval = 6, due = ?, easiness = 200 where id in (2, 7)", (DAY,))
    conn.close()  # the last connection checkpoints the WAL, so the copy below has everything
    other = db_path.with_name("through-sqlalchemy.db")
    shutil.copy(db_path, other)

    quick = opening.open_conn(db_path, 0)
    assert isinstance(quick, dbapi.Conn) and not isinstance(quick, dbapi.SAConn)
    try:
        plain = _session_on(quick)
    finally:
        quick.close()

    from studycards import db

    engine = db.open_engine(other)
    through = _session_on(dbapi.SAConn(engine, other))
    engine.dispose()

    assert plain == through
    shown, summary, overview = plain
    assert len(shown) > 8 and any(drill for _, _, drill in shown)  # buried, undone and re-drilled cards included
    assert summary.buried == 1 and summary.drills >= 1 and overview.streak == 1 and overview.new_room == 1
    assert _dump(db_path) == _dump(other)
    assert any(row for row in _dump(db_path)[1] if "leech" in row[7])  # a leech was tagged (and suspended)


@pytest.mark.slow
def test_the_overview_first_card_and_stats_do_not_import_sqlalchemy(db_path, add_notes):
    import subprocess

    add_notes("Alpha", 3)
    # The first real run loads the shipped decks (a write, through SQLAlchemy); later ones are quick.
    subprocess.run([sys.executable, "-m", "studycards", "decks"], capture_output=True, check=True, timeout=60)
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['studycards', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('studycards', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    for args, stdin in (([], ""), (["review"], "\nq\n"), (["decks"], ""), (["stats"], "")):
        done = subprocess.run([sys.executable, "-c", probe, *args], input=stdin, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "HEAVY []" in done.stderr, (args, done.stderr)
