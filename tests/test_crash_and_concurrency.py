"""Real `studycards` processes: killed at random moments, or run side by side."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from helpers import collection_sql, spawn

from studycards.store.copying import TABLES
from studycards.store.location import ServerLocation

pytestmark = pytest.mark.slow  # every test here runs real processes

def wait_for_card(proc: subprocess.Popen) -> str | None:
    """The next card header the process prints, or None when it finished."""
    for _ in range(500):
        line = proc.stdout.readline()
        if not line:
            return None
        if line.startswith("── "):
            return line
        if line.startswith(("End of session", "Session over", "Nothing to review")):
            return None
    raise AssertionError("no card header within 500 lines")


def consistent(location) -> None:
    """No half-written answer: every card's state is its last counted answer's after-state."""
    if not isinstance(location, ServerLocation):
        assert collection_sql(location, "pragma integrity_check") == [("ok",)]
    rows = collection_sql(
        location,
        "select c.id, c.repetitions, c.easiness, c.interval, c.due, l.after_repetitions, l.after_easiness,"
        " l.after_interval, l.after_due from card c join review_log l on l.id ="
        " (select max(id) from review_log where card_id = c.id and kind = 'review')",
    )
    for card_id, *state in rows:
        assert tuple(state[:4]) == tuple(state[4:]), card_id
    unlogged = collection_sql(
        location, "select count(*) from card c where c.due is not null and not exists (select 1 from review_log l where l.card_id = c.id)"
    )[0][0]
    assert unlogged == 0


def dump(location) -> list[tuple]:
    """Every row of every table, in key order: the whole collection, on either backend."""
    return [(table, *row) for table in TABLES for row in collection_sql(location, f"select * from {table} order by 1")]


def count(location, table: str) -> int:
    return collection_sql(location, f"select count(*) from {table}")[0][0]


SIGNALS = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP]


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_review_killed_at_random_moments_keeps_every_acknowledged_answer(add_notes, db_path, sig):
    add_notes("Test", 40)
    rng = random.Random(int(sig))
    for round_ in range(4):
        before = count(db_path, "review_log")
        proc = spawn(db_path, "review", "Test", "--new", "40")
        sent = acknowledged = 0
        try:
            assert wait_for_card(proc) is not None
            for _ in range(rng.randint(0, 5)):
                proc.stdin.write(f"\n{rng.choice([3, 4, 5])}\n")
                proc.stdin.flush()
                sent += 1
                assert wait_for_card(proc) is not None
                acknowledged += 1
            if rng.random() < 0.5:  # kill while the last answer may still be being written
                proc.stdin.write(f"\n{rng.choice([3, 4, 5])}\n")
                proc.stdin.flush()
                sent += 1
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
        saved = count(db_path, "review_log") - before
        assert acknowledged <= saved <= sent, (round_, acknowledged, saved, sent)
        assert "Traceback" not in err
        if sig != signal.SIGKILL:
            assert proc.returncode == 128 + sig, err  # SIGINT 130, SIGTERM 143, SIGHUP 129
        consistent(db_path)


def _writing(location) -> bool:
    """Whether another process's transaction has begun writing: on SQLite its
    pages are in the WAL, on a server its backend holds a transaction id."""
    if isinstance(location, ServerLocation):
        return bool(collection_sql(
            location,
            "select count(*) from pg_stat_activity where datname = current_database() and backend_xid is not null and pid <> pg_backend_pid()",
        )[0][0])
    wal = Path(f"{location}-wal")
    return wal.exists() and wal.stat().st_size > 2_000_000


def test_an_import_killed_midway_leaves_the_database_exactly_as_before(run, db_path, tmp_path):
    run("add", "Existing", "--front", "q", "--back", "a")
    spawn(db_path, "decks").communicate(timeout=60)  # a real process loads the built-in decks first
    big = tmp_path / "big.csv"
    big.write_text("#separator:comma\n" + "".join(f"question {i},answer {i} {'x' * 200}\n" for i in range(60_000)), encoding="utf-8")
    if not isinstance(db_path, ServerLocation):
        collection_sql(db_path, "pragma wal_checkpoint(TRUNCATE)")
        wal = Path(f"{db_path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    before = dump(db_path)
    assert count(db_path, "note") > 1
    proc = spawn(db_path, "import", str(big))
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if _writing(db_path):  # the import's transaction is under way
                break
        assert proc.poll() is None, "the import finished before it could be interrupted"
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    after = dump(db_path)
    import difflib
    assert after == before, "\n".join(list(difflib.unified_diff(list(map(repr, before)), list(map(repr, after)), lineterm=""))[:20])
    consistent(db_path)


def test_two_review_sessions_at_once_lose_nothing_and_count_each_card_once(add_notes, db_path, tmp_path):
    add_notes("Test", 12)
    rng = random.Random(5)
    procs = [spawn(db_path, "review", "Test", "--new", "12"), spawn(db_path, "review", "Test", "--new", "12")]
    live = {0: procs[0], 1: procs[1]}
    answered = 0
    try:
        headers = {i: wait_for_card(p) for i, p in live.items()}
        assert all(headers.values())
        # Another process reads stats and imports while both sessions wait at a prompt.
        extra = tmp_path / "extra.csv"
        extra.write_text("#separator:comma\nnew q,new a\n", encoding="utf-8")
        for args in (["stats", "--json"], ["import", str(extra)]):
            side = spawn(db_path, *args)
            out, err = side.communicate(timeout=60)
            assert side.returncode == 0, err
        while live:
            i = rng.choice(sorted(live))
            proc = live[i]
            proc.stdin.write(f"\n{rng.choice([2, 4, 5])}\n")
            proc.stdin.flush()
            answered += 1
            if wait_for_card(proc) is None:
                del live[i]
        outputs = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0 and "locked" not in err and "Traceback" not in err, err
    assert count(db_path, "review_log") == answered
    per_card = collection_sql(db_path, "select card_id, count(*) from review_log where kind = 'review' group by card_id")
    assert per_card and all(n == 1 for _, n in per_card)
    assert len(per_card) == 12
    consistent(db_path)


def test_backup_during_a_session_is_consistent(add_notes, db_path, tmp_path):
    add_notes("Test", 5)
    proc = spawn(db_path, "review", "Test")
    try:
        wait_for_card(proc)
        proc.stdin.write("\n4\n")
        proc.stdin.flush()
        wait_for_card(proc)  # the first answer is acknowledged
        target = tmp_path / "copy.db"
        side = spawn(db_path, "backup", str(target))
        out, err = side.communicate(timeout=60)
        assert side.returncode == 0, err
        assert f"to {target}" in out
        proc.stdin.close()
        proc.wait(timeout=60)
    finally:
        proc.kill()
    with sqlite3.connect(target) as conn:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        assert conn.execute("select grade from review_log").fetchall() == [(4,)]
    check = spawn(target, "check")
    out, err = check.communicate(timeout=60)
    assert check.returncode == 0 and out.startswith("No problems found"), err


@pytest.mark.fresh_db
def test_processes_creating_one_new_collection_together_all_succeed(db_path):
    """Migrations and the built-in decks load once, whoever comes first: on
    SQLite a new file, on a server an empty database."""
    procs = [spawn(db_path, "decks", "--json") for _ in range(4)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1  # every process saw the same, complete collection
    assert json.loads(outputs[0][0])  # the built-in decks are there
    names = [row[0] for row in collection_sql(db_path, "select name from schema_migration")]
    assert len(names) == len(set(names)) >= 4
    notes = collection_sql(db_path, "select count(*), count(distinct guid) from note")[0]
    assert notes[0] == notes[1] > 0
