"""Plain helpers shared by the test modules (fixtures live in conftest.py).

Test modules import these with ``from helpers import ...``: pytest puts the
tests folder on sys.path (rootdir conftest, default "prepend" import mode).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

from studycards import builtin

# The real built-in deck folder, read before any test replaces it.
REAL_DECK_DIR = builtin.deck_dir


def collection_sql(location, statement: str, *params) -> list[tuple]:
    """Read (or change) the collection at ``location`` directly, on SQLite (a
    ``Path``) or on a server (a ``ServerLocation``): SQL with ``?``
    parameters, one autocommitted statement; its rows. The ``sql`` fixture
    does the same for the test's own collection."""
    from studycards.store.location import ServerLocation

    if isinstance(location, ServerLocation):
        import psycopg

        with psycopg.connect(location.url, autocommit=True) as conn:
            cursor = conn.execute(_psycopg_placeholders(statement), params)
            return cursor.fetchall() if cursor.description else []
    import sqlite3

    conn = sqlite3.connect(location)
    try:
        with conn:
            return conn.execute(statement, params).fetchall()
    finally:
        conn.close()


def _psycopg_placeholders(statement: str) -> str:
    """``?`` as ``%s`` and ``%`` as ``%%``, leaving quoted strings' ``?`` alone."""
    import re

    parts = re.split(r"('(?:[^']|'')*')", statement)
    return "".join(part.replace("%", "%%") if i % 2 else part.replace("%", "%%").replace("?", "%s") for i, part in enumerate(parts))


def sqlalchemy_url(location) -> str:
    """The SQLAlchemy URL of the collection at ``location`` (a SQLite file or
    a ``ServerLocation``), for its inspector."""
    from studycards.store.location import ServerLocation

    if isinstance(location, ServerLocation):
        return location.sqlalchemy_url
    return f"sqlite:///{location}"


def foreign_key_violations(location) -> list[tuple]:
    """Every row whose foreign key names no row, on either backend (what
    SQLite's ``PRAGMA foreign_key_check`` finds): (table, primary key,
    column, value) for each foreign key the database declares."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(sqlalchemy_url(location))
    try:
        live = inspect(engine)
        found: list[tuple] = []
        with engine.connect() as conn:
            for table in sorted(live.get_table_names()):
                [key] = live.get_pk_constraint(table)["constrained_columns"]
                for fk in live.get_foreign_keys(table):
                    [column], [referred], other = fk["constrained_columns"], fk["referred_columns"], fk["referred_table"]
                    rows = conn.execute(
                        text(
                            f"SELECT t.{key}, t.{column} FROM {table} AS t WHERE t.{column} IS NOT NULL"
                            f" AND NOT EXISTS (SELECT 1 FROM {other} AS r WHERE r.{referred} = t.{column}) ORDER BY t.{key}"
                        )
                    )
                    found += [(table, pk, column, value) for pk, value in rows]
        return found
    finally:
        engine.dispose()


def index_names(location) -> set[str]:
    """The names of every index the collection's tables have, on either backend."""
    from sqlalchemy import create_engine, inspect

    engine = create_engine(sqlalchemy_url(location))
    try:
        live = inspect(engine)
        return {index["name"] for table in live.get_table_names() for index in live.get_indexes(table)}
    finally:
        engine.dispose()


def collection_exists(location) -> bool:
    """Whether a collection was made at ``location``: the file, or the
    migration bookkeeping table in the server's database."""
    from studycards.store.location import ServerLocation

    if isinstance(location, ServerLocation):
        return collection_sql(location, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migration'") == [(1,)]
    return location.exists()


def integrity_error(location) -> type[Exception]:
    """The driver's exception for a broken constraint on the backend at ``location``."""
    from studycards.store.location import ServerLocation

    if isinstance(location, ServerLocation):
        import psycopg

        return psycopg.IntegrityError
    import sqlite3

    return sqlite3.IntegrityError


def next_ids_after_the_largest(location, *tables: str) -> None:
    """Make the next row of each table take the largest id in it plus one,
    as SQLite hands out ids (so a deleted last id is given out again). On a
    server the id sequences never go back by themselves; moving them is
    what a copy into the server does too. SQLite needs nothing."""
    from studycards.store.location import ServerLocation

    if not isinstance(location, ServerLocation):
        return
    for table in tables:
        collection_sql(location, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}")


def allow_orphans(location, table: str, column: str) -> None:
    """Let ``table.column`` name rows that do not exist, to plant the broken
    data ``check`` must find. On a server, drop that foreign key (the test
    role owns its database); a plain SQLite connection, like the ``sql``
    fixture's, does not enforce foreign keys at all."""
    from studycards.store.location import ServerLocation

    if not isinstance(location, ServerLocation):
        return
    names = collection_sql(
        location,
        "SELECT tc.constraint_name FROM information_schema.table_constraints AS tc"
        " JOIN information_schema.key_column_usage AS kcu"
        " ON kcu.constraint_name = tc.constraint_name AND kcu.constraint_schema = tc.constraint_schema"
        " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"
        " AND tc.table_name = ? AND kcu.column_name = ?",
        table,
        column,
    )
    assert names, f"no foreign key on {table}.{column}"
    for (name,) in names:
        collection_sql(location, f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def db_value(location) -> str:
    """What STUDYCARDS_DB says for ``location``: a path, or a server's whole
    URL (``str`` of a server location hides its password)."""
    return location.url if hasattr(location, "url") else str(location)


def spawn(location, *args: str) -> subprocess.Popen:
    """A real ``studycards`` process on the collection at ``location`` (a
    path or a server location, password included), its pipes as text."""
    env = dict(os.environ, STUDYCARDS_DB=db_value(location), TZ="UTC", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "studycards", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def answers(*grades: int | str) -> str:
    """Piped review input: one line to reveal, one line with the grade or command."""
    return "".join(f"\n{g}\n" for g in grades)


def prompts(output: str) -> list[str]:
    """The card prompts shown, in order (the line after each header)."""
    lines = output.splitlines()
    return [lines[i + 1] for i, line in enumerate(lines) if line.startswith("── ")]


def set_tz(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()


def write_deck(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def reference_sm2(grades, max_interval):
    """An independent reading of SM-2 with exact fractions (EF as 5/2 etc.)."""
    ef, n, interval, lapses, day, out = Fraction(5, 2), 0, 0, 0, 0, []
    for q in grades:
        new_ef = max(Fraction(13, 10), ef + Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)))
        if q >= 3:
            n += 1
            interval = 1 if n == 1 else 6 if n == 2 else math.ceil(interval * ef)
        else:
            lapses += 1 if n > 0 else 0
            n, interval = 0, 1
        interval = min(interval, max_interval)
        ef = new_ef
        day += interval
        out.append((n, int(ef * 100), interval, day, lapses))
    return out


def run_in_terminal(args: list[str], keys: bytes, env: dict[str, str], timeout: float = 30) -> tuple[int, str]:
    """Run ``studycards ARGS`` on a real pseudo-terminal, type ``keys`` once
    it asks something (its output ends in "] "), and return the exit status
    and everything it printed."""
    import os
    import pty
    import select
    import subprocess
    import sys

    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "studycards", *args], stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    out = b""
    sent = False
    while True:
        ready, _, _ = select.select([main], [], [], timeout)
        if not ready:
            proc.kill()
            raise AssertionError(f"no output within {timeout} s: {out.decode(errors='replace')!r}")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if not sent and out.rstrip(b"\r\n").endswith(b"]:") or (not sent and out.endswith(b"]: ")):
            os.write(main, keys)
            sent = True
    os.close(main)
    return proc.wait(timeout=timeout), out.decode(errors="replace").replace("\r\n", "\n")

def refused(run, cards_json, path: Path, *options: str) -> str:
    """Import ``path`` expecting a refusal: exit status 1, one line on
    standard error naming the file, and no change to the cards. Returns the
    message after ``Error: PATH: ``."""
    before = cards_json()
    result = run("import", str(path), *options)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output, result.stderr
    assert result.stderr.startswith(f"Error: {path}"), result.stderr
    assert cards_json() == before
    return result.stderr.strip().split(": ", 2)[-1]


def write_history(run, sql, tmp_path: Path, deck: str, log) -> None:
    """Cards in ``deck`` with ``log`` (fsrs_fit answers, their card ids from
    0 up) as their review history: one import, then the log rows in a few
    multi-row inserts, so it is quick on a server too."""
    cards = sorted({a.card_id for a in log})
    tsv = tmp_path / f"{deck}.tsv"
    tsv.write_text("".join(f"{deck} q{c}\t{deck} a{c}\n" for c in cards), encoding="utf-8")
    result = run("import", str(tsv), "--deck", deck)
    assert result.exit_code == 0, result.output
    ids = dict(sql("select note.front, card.id from card join note on note.id = card.note_id join deck on deck.id = card.deck_id where deck.name = ?", deck))
    real = {c: ids[f"{deck} q{c}"] for c in cards}
    rows = [
        f"({real[a.card_id]}, {a.day * 86400}, {a.day}, {a.grade}, '{'review' if a.counted else 'drill'}', 0, 250, {a.sm2_interval},"
        f" {'NULL' if a.sm2_interval == 0 and a.counted else a.day}, 1, 250, 1, {a.day + 1}, 1000)"
        for a in log
    ]
    for start in range(0, len(rows), 2000):
        sql(
            "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
            " before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms) values " + ", ".join(rows[start : start + 2000])
        )
