"""Real `studycards` processes: killed at random moments, or run side by side."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from helpers import spawn

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


def consistent(db_path: Path) -> None:
    """No half-written answer: every card's state is its last counted answer's after-state."""
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "select c.id, c.repetitions, c.easiness, c.interval, c.due, l.after_repetitions, l.after_easiness,"
            " l.after_interval, l.after_due from card c join review_log l on l.id ="
            " (select max(id) from review_log where card_id = c.id and kind = 'review')"
        ).fetchall()
        for card_id, *state in rows:
            assert tuple(state[:4]) == tuple(state[4:]), card_id
        unlogged = conn.execute(
            "select count(*) from card c where c.due is not null and not exists (select 1 from review_log l where l.card_id = c.id)"
        ).fetchone()[0]
        assert unlogged == 0


SIGNALS = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP]


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_review_killed_at_random_moments_keeps_every_acknowledged_answer(add_notes, db_path, sig):
    add_notes("Test", 40)
    rng = random.Random(int(sig))
    for round_ in range(4):
        with sqlite3.connect(db_path) as conn:
            before = conn.execute("select count(*) from review_log").fetchone()[0]
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
        with sqlite3.connect(db_path) as conn:
            saved = conn.execute("select count(*) from review_log").fetchone()[0] - before
        assert acknowledged <= saved <= sent, (round_, acknowledged, saved, sent)
        assert "Traceback" not in err
        if sig != signal.SIGKILL:
            assert proc.returncode == 128 + sig, err  # SIGINT 130, SIGTERM 143, SIGHUP 129
        consistent(db_path)


def test_an_import_killed_midway_leaves_the_database_exactly_as_before(run, db_path, tmp_path):
    run("add", "Existing", "--front", "q", "--back", "a")
    spawn(db_path, "decks").communicate(timeout=60)  # a real process loads the built-in decks first
    big = tmp_path / "big.csv"
    big.write_text("#separator:comma\n" + "".join(f"question {i},answer {i} {'x' * 200}\n" for i in range(60_000)), encoding="utf-8")
    with sqlite3.connect(db_path) as conn:
        conn.execute("pragma wal_checkpoint(TRUNCATE)")
        dump_before = "\n".join(conn.iterdump())
    wal = Path(f"{db_path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    proc = spawn(db_path, "import", str(big))
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > 2_000_000:  # the import's transaction is under way
                break
        assert proc.poll() is None, "the import finished before it could be interrupted"
        proc.kill()
        proc.wait(timeout=30)
    finally:
        proc.kill()
    after = "\n".join(sqlite3.connect(db_path).iterdump())
    import difflib
    assert after == dump_before, "\n".join(list(difflib.unified_diff(dump_before.splitlines(), after.splitlines(), lineterm=""))[:20])
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
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from review_log").fetchone()[0] == answered
        per_card = conn.execute("select card_id, count(*) from review_log where kind = 'review' group by card_id").fetchall()
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


def test_processes_creating_one_new_collection_together_all_succeed(tmp_path, monkeypatch):
    """Migrations and the built-in decks load once, whoever comes first."""
    fresh = tmp_path / "new" / "studycards.db"
    procs = [spawn(fresh, "decks", "--json") for _ in range(4)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1  # every process saw the same, complete collection
    with sqlite3.connect(fresh) as conn:
        names = [row[0] for row in conn.execute("select name from schema_migration")]
        assert len(names) == len(set(names)) >= 4
        assert conn.execute("select count(*) from note").fetchone()[0] == conn.execute("select count(distinct guid) from note").fetchone()[0] > 0
