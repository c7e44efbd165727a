"""Several machines, one collection: two review processes answering the
same cards at the same instant (on either backend), and, on a PostgreSQL
server, round trips, a dropped connection and a server that went away."""

from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager

import pytest
from helpers import spawn
from tcp_proxy import Proxy

from studycards.review import ReviewSession
from studycards.settings import Settings
from studycards.store import open_store
from studycards.store.location import ServerLocation

NOON = 1_764_590_400  # an epoch second; only the study day derived from it matters here


def next_header(proc: subprocess.Popen) -> str | None:
    """The next card header the process prints, or None when its session ended."""
    for _ in range(500):
        line = proc.stdout.readline()
        if not line or line.startswith(("Session over", "Nothing to review", "End of session")):
            return None
        if line.startswith("── "):
            return line
    raise AssertionError("no card header within 500 lines")


def answer(proc: subprocess.Popen, grade: int) -> None:
    proc.stdin.write(f"\n{grade}\n")
    proc.stdin.flush()


def finish(procs: list[subprocess.Popen]) -> list[tuple[str, str]]:
    outputs = []
    for proc in procs:
        try:
            proc.stdin.close()
        except OSError:
            pass
        outputs.append((proc.stdout.read(), proc.stderr.read()))
        proc.wait(timeout=60)
    return outputs


@contextmanager
def sessions(*procs: subprocess.Popen):
    """Review processes that are killed however the test ends."""
    try:
        yield list(procs)
    finally:
        for proc in procs:
            proc.kill()


def finish_cleanly(procs: list[subprocess.Popen]) -> None:
    for proc, (_, err) in zip(procs, finish(procs)):
        assert proc.returncode == 0 and "Traceback" not in err, err


@pytest.mark.slow
@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_two_machines_answering_the_same_card_at_the_same_instant_count_it_once(run, add_notes, db_path, sql, scheduler):
    """Both sessions show the same card; the grade reaches both at once.
    Only one answer per card schedules it, the other is a re-drill, and
    every card's state is its counted answer's: under either scheduler."""
    add_notes("Same", 8)
    assert run("config", "scheduler", scheduler).exit_code == 0
    with sessions(*(spawn(db_path, "review", "Same", "--new", "8") for _ in range(2))) as procs:
        sent = 0
        while True:
            headers = [next_header(p) for p in procs]
            if not all(headers):
                break
            assert headers[0].split("·")[0] == headers[1].split("·")[0]  # the same card on both
            answer(procs[0], 4)
            answer(procs[1], 5)
            sent += 2
        finish_cleanly(procs)
    assert sent == 16
    counted = sql("select card_id, count(*) from review_log where kind = 'review' group by card_id")
    assert len(counted) == 8 and all(n == 1 for _, n in counted)
    assert sql("select count(*) from review_log")[0][0] == 16  # nothing lost: the second answer of each card is a re-drill
    assert sql("select count(*) from review_log where kind = 'drill'")[0][0] == 8
    mismatched = sql(
        "select c.id from card c join review_log l on l.card_id = c.id and l.kind = 'review'"
        " where c.repetitions <> l.after_repetitions or c.easiness <> l.after_easiness"
        " or c.interval <> l.after_interval or c.due <> l.after_due"
    )
    assert mismatched == []
    if scheduler == "fsrs":  # each card's memory is its counted answer's (4 or 5 on a new card), not the re-drill's
        from studycards import fsrs_scheduler, scheduler as sm2

        rows = sql("select c.stability, l.grade from card c join review_log l on l.card_id = c.id and l.kind = 'review'")
        assert len(rows) == 8
        for stability, grade in rows:
            assert stability == pytest.approx(fsrs_scheduler.answer(sm2.CardState(), None, grade, 0).memory.stability)


@pytest.mark.slow
def test_the_daily_new_card_cap_holds_across_two_machines_started_together(run, add_notes, sql):
    """new-per-day 3: one machine reviews all decks, the other one deck;
    both built their queues before either answered, yet only 3 new cards
    are introduced in all."""
    add_notes("One", 4)
    add_notes("Two", 4)
    assert run("config", "new-per-day", "3").exit_code == 0
    location = os.environ["STUDYCARDS_DB"]
    with sessions(spawn(location, "review"), spawn(location, "review", "Two")) as procs:
        live = {i: next_header(p) for i, p in enumerate(procs)}
        assert all(live.values())  # both sessions hold a queue of new cards
        while live:
            for i in sorted(live):
                answer(procs[i], 4)
                if next_header(procs[i]) is None:
                    del live[i]
        finish_cleanly(procs)
    assert sql("select count(*) from review_log where kind = 'review' and before_due is null")[0][0] == 3
    assert sql("select count(*) from card where due is not null")[0][0] == 3


# --- on a server only ------------------------------------------------------


@pytest.fixture
def proxy(db_path):
    """A proxy in front of the test's server database, 5 ms each way: a
    whole pipeline reaches it before any answer comes back, so the round
    trips it counts are the ones the client waited for."""
    found = Proxy(*_host_port(db_path.url), delay_s=0.005)
    yield found
    found.stop()


def _host_port(url: str) -> tuple[str, int]:
    authority = url.partition("://")[2].partition("/")[0].rpartition("@")[2]
    host, _, port = authority.partition(":")
    return host or "localhost", int(port or 5432)


@pytest.mark.server_only
def test_an_answer_costs_two_round_trips_and_showing_the_next_card_one(add_notes, db_path, proxy):
    add_notes("Trips", 3)
    store = open_store(ServerLocation(proxy.url(db_path.url)), NOON)
    try:
        session = ReviewSession(store, 20_000, Settings())
        before = proxy.turns
        shown = session.next()
        assert shown is not None and proxy.turns - before == 1
        trips = []
        for grade in (4, 1, 5):  # a new card passed, failed (a re-drill follows), passed
            before = proxy.turns
            session.answer(shown, grade, 1000, NOON)
            trips.append(proxy.turns - before)
            before = proxy.turns
            shown = session.next()
            trips.append(proxy.turns - before)
        # Once the queue is done, finding the re-drills is one statement more.
        assert trips == [2, 1, 2, 1, 2, 2]
    finally:
        store.close()


@pytest.mark.server_only
@pytest.mark.slow
def test_a_dropped_connection_mid_review_reconnects_and_loses_no_answer(add_notes, db_path, proxy, sql):
    add_notes("Drop", 3)
    proc = spawn(ServerLocation(proxy.url(db_path.url)), "review", "Drop")
    try:
        assert next_header(proc)
        answer(proc, 4)
        assert next_header(proc)  # the first answer was committed
        proxy.cut()  # the server restarts, the line drops: the session waits for the user meanwhile
        answer(proc, 5)
        assert next_header(proc)
        proxy.cut()
        answer(proc, 4)
        (out, err), = finish([proc])
    finally:
        proc.kill()
    assert proc.returncode == 0 and "rror" not in err and "Traceback" not in err, err
    assert "3 cards answered" in out
    assert sql("select count(*) from review_log where kind = 'review'")[0][0] == 3


@pytest.mark.server_only
@pytest.mark.slow
def test_an_unreachable_server_ends_the_session_with_one_line_and_the_summary(add_notes, db_path, proxy, sql):
    add_notes("Gone", 3)
    url = proxy.url(db_path.url)
    password = url.partition("://")[2].partition("@")[0].partition(":")[2]
    proc = spawn(ServerLocation(url), "review", "Gone")
    try:
        assert next_header(proc)
        answer(proc, 4)
        assert next_header(proc)
        proxy.stop()  # the server is gone, and stays gone
        answer(proc, 5)
        (out, err), = finish([proc])
    finally:
        proc.kill()
    assert proc.returncode == 1, (out, err)
    err = err.partition("Loaded 4 built-in decks")[0] + "".join(err.partition("Loaded 4 built-in decks")[2].splitlines(True)[1:])
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: postgresql://") and "cannot reach the PostgreSQL server" in err
    assert not password or f":{password}@" not in out + err
    assert "Session over: 1 card answered" in out
    assert sql("select count(*) from review_log")[0][0] == 1


# --- moving a collection ---------------------------------------------------


@pytest.fixture
def other_location(db_path, tmp_path, server):
    """An empty place of the test's own backend for a copy."""
    if isinstance(db_path, ServerLocation):
        name = server.create("template0")
        yield ServerLocation(server.url(name))
        server.drop(name)
    else:
        yield tmp_path / "elsewhere" / "copy.db"


def _as_arg(where) -> str:
    return where.url if isinstance(where, ServerLocation) else str(where)


def test_copy_moves_a_whole_collection_there_and_back_with_progress_and_history(run, add_notes, other_location, tmp_path):
    add_notes("Moving", 4)
    assert run("add", "Moving::Sub", "--front", "Où?", "--back", "Là", "--tag", "accent").exit_code == 0
    assert run("review", "Moving", input="\n4\n\n1\n\n5\nq\n").exit_code == 0
    assert run("suspend", "4").exit_code == 0
    assert run("config", "new-per-day", "7").exit_code == 0
    views = [run(*args).stdout for args in (("cards", "--json"), ("stats", "--json"), ("decks", "--json"), ("config",))]
    result = run("copy", "--to", _as_arg(other_location))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Copied 2 decks, 5 notes, 5 cards and 3 reviews to ")
    assert "every table's row count matches" in result.stdout
    there = ("--db", _as_arg(other_location))
    assert [run(*there, *args).stdout for args in (("cards", "--json"), ("stats", "--json"), ("decks", "--json"), ("config",))] == views
    # The copy is a collection of its own: new notes get new ids there.
    assert run(*there, "add", "Moving", "--front", "after", "--back", "copy").exit_code == 0
    # Back again, into a SQLite file (a server's copy is one too).
    back = tmp_path / "back.db"
    result = run(*there, "copy", "--to", str(back))
    assert result.exit_code == 0, result.output
    assert "6 notes, 6 cards and 3 reviews" in result.stdout
    assert run("--db", str(back), "stats", "--json").stdout != views[1]  # the added note is there
    assert run("--db", str(back), "check").exit_code == 0


def test_copy_refuses_a_target_that_holds_anything_unless_told_and_never_itself(run, add_notes, other_location, db_path):
    add_notes("Here", 2)
    assert run("copy", "--to", _as_arg(other_location)).exit_code == 0
    add_notes("Here", 3)
    result = run("copy", "--to", _as_arg(other_location))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "already holds a collection" in result.stderr and "--replace" in result.stderr
    there = ("--db", _as_arg(other_location))
    assert len(json.loads(run(*there, "cards", "--json").stdout)) == 2  # untouched
    assert run("copy", "--to", _as_arg(other_location), "--replace").exit_code == 0
    assert len(json.loads(run(*there, "cards", "--json").stdout)) == 5  # what the source holds now
    result = run("copy", "--to", _as_arg(db_path))
    assert result.exit_code == 2 and "the target is the collection itself" in result.stderr
    result = run("copy", "--to", "nowhere://x")
    assert result.exit_code == 2 and "unknown database URL scheme" in result.stderr


def test_a_transaction_whose_first_statement_fails_leaves_the_connection_usable(add_notes, db_path):
    """On a server the BEGIN goes out with the first statement: when that
    statement fails, the transaction is still rolled back on the server."""
    from studycards.errors import DatabaseError

    add_notes("Deck", 1)
    store = open_store(db_path, NOON)
    try:
        with pytest.raises(DatabaseError, match="unique|UNIQUE"):
            with store.transaction():
                store.conn.execute("INSERT INTO deck (id, name, description, folded) VALUES (1, 'again', '', 'again')")
        with store.transaction():
            store.conn.execute("UPDATE deck SET description = 'still works' WHERE id = 1")
        assert store.conn.scalar("SELECT description FROM deck WHERE id = 1") == "still works"
    finally:
        store.close()


def test_a_snapshot_ended_without_a_round_trip_never_hides_later_changes(add_notes, db_path, sql):
    """A read-only snapshot's ROLLBACK goes out with the next statement:
    whatever follows (an empty snapshot, a write, a plain read) runs outside
    it and sees what other sessions committed since."""
    add_notes("Deck", 1)
    store = open_store(db_path, NOON)
    try:
        with store.reading():
            assert store.decks.all() == [(1, "Deck")]
        with store.reading():
            pass  # nothing read: nothing sent, and the first snapshot must still end
        sql("UPDATE deck SET name = 'Renamed', folded = 'renamed' WHERE id = 1")  # another session
        assert store.decks.all() == [(1, "Renamed")]
        with store.reading():
            assert store.decks.all() == [(1, "Renamed")]
        with store.transaction():  # a write after a snapshot is not refused as read-only
            store.conn.execute("UPDATE deck SET description = 'written' WHERE id = 1")
        assert sql("select description from deck") == [("written",)]
    finally:
        store.close()


@pytest.mark.server_only
def test_the_overview_and_a_session_start_cost_the_same_round_trips_whatever_the_history(run, add_notes, db_path, proxy):
    """No per-day or per-card loop: opening is the connection and one round
    trip, the overview one more; a session's first card a few more, the same
    for 3 cards in one deck and 40 in four decks with a history."""
    from studycards import decks

    def counts() -> tuple[int, int, int]:
        """Round trips on the one connection the store opens (the proxy
        counts each connection apart: another one closing is not counted)."""
        store = open_store(ServerLocation(proxy.url(db_path.url)), NOON)
        line = proxy.connections[-1]
        try:
            opened = line["turns"]
            decks.today_overview(store, 20_000, Settings())
            overview = line["turns"] - opened
            session = ReviewSession(store, 20_000, Settings())
            assert session.next() is not None
            first_card = line["turns"] - opened - overview
        finally:
            store.close()
        return opened, overview, first_card

    add_notes("One", 3)
    small = counts()
    assert small[1] == 1
    for deck in ("Two", "Three", "Four"):
        add_notes(deck, 10)
    add_notes("One", 7)
    store = open_store(db_path, NOON)
    try:
        for day in range(19_990, 20_000):  # ten earlier study days of answers
            session = ReviewSession(store, day, Settings())
            for _ in range(3):
                shown = session.next()
                session.answer(shown, 4, 1000, NOON)
    finally:
        store.close()
    assert counts() == small
    assert small[0] <= 6 and small[2] <= 8, small  # connecting (4 on this server's password exchange) and the reads
