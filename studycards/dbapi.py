"""Portable SQL text over a plain DB-API connection: the path that must start at once.

Importing SQLAlchemy takes about 0.4 s on a 2-core machine, as long as
Anki's whole due-queue process. Today's overview, the deck list and a review
session need only a handful of fixed statements, so those are written in the
SQL that SQLite and PostgreSQL share (:named parameters, booleans bound as
parameters, quoted keyword columns, RETURNING) and run here on the standard
library's sqlite3 with the same settings as the SQLAlchemy engine. Everything
else goes through SQLAlchemy. ``Conn`` is the whole interface: ``SAConn``
runs the same text through SQLAlchemy's ``text()``, which is how it reaches
any other database, and the tests run the review session on both.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from studycards.errors import DatabaseError

BUSY_TIMEOUT_MS = 10_000
# WAL lets readers and one writer work at once; FULL makes every commit
# durable (an fsync of the WAL, about 0.2 ms here), not just crash-safe.
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA cache_size = -65536",
)
# The schema this release writes; migrations.py checks it ends with these.
MIGRATIONS = ("m001_initial", "m002_review_log_stats_indexes", "m003_card_queue_index")

_KNOWN_ERRORS = (
    ("locked", "the database is busy in another process; try again"),
    ("disk is full", "the disk is full; nothing was changed"),
    ("readonly", "the database is read-only (check the permissions of the file and its folder); nothing was changed"),
    ("read-only", "the database is read-only (check the permissions of the file and its folder); nothing was changed"),
    ("not a database", "this file is not a studycards database (or it is corrupt)"),
    ("malformed", "the database file is corrupt; restore a backup (see `studycards backup`)"),
    ("unable to open", "cannot open the database file (check the path and permissions)"),
    ("disk i/o error", "the disk reported an I/O error; nothing was changed"),
)


def database_error(path: Path, err: Exception) -> DatabaseError:
    """Turn a driver error into one line the user can act on."""
    detail = (str(getattr(err, "orig", err)) or type(err).__name__).splitlines()[0]
    lowered = detail.lower()
    for needle, message in _KNOWN_ERRORS:
        if needle in lowered:
            return DatabaseError(f"{path}: {message}")
    return DatabaseError(f"{path}: {detail}")


def connect(path: Path) -> sqlite3.Connection:
    """A SQLite connection with our settings, in autocommit mode: transactions
    are begun explicitly (BEGIN IMMEDIATE for writes, so writers queue)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn


def in_list(name: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """``(:name_0, :name_1, ...)`` and its parameters, for ``x IN ...``."""
    keys = [f"{name}_{i}" for i in range(len(values))]
    return "(" + ", ".join(f":{k}" for k in keys) + ")", dict(zip(keys, values))


class Conn:
    """Run SQL text with named parameters; every error becomes a DatabaseError."""

    def __init__(self, raw: sqlite3.Connection, path: Path) -> None:
        self.raw = raw
        self.path = path

    def _run(self, sql: str, params: dict[str, Any]) -> Any:
        try:
            return self.raw.execute(sql, params)
        except sqlite3.Error as err:
            raise database_error(self.path, err) from err

    def all(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        cursor = self._run(sql, params)
        try:
            return cursor.fetchall()
        except sqlite3.Error as err:
            raise database_error(self.path, err) from err

    def rows(self, sql: str, **params: Any) -> Iterator[tuple[Any, ...]]:
        """Rows one at a time, for a caller that may stop early."""
        cursor = self._run(sql, params)
        try:
            yield from cursor
        except sqlite3.Error as err:
            raise database_error(self.path, err) from err
        finally:
            cursor.close()

    def one(self, sql: str, **params: Any) -> tuple[Any, ...] | None:
        cursor = self._run(sql, params)
        try:
            return cursor.fetchone()
        except sqlite3.Error as err:
            raise database_error(self.path, err) from err
        finally:
            cursor.close()

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.one(sql, **params)
        return None if row is None else row[0]

    def execute(self, sql: str, **params: Any) -> None:
        self._run(sql, params).close()

    def execute_many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        """One statement for many rows (bulk inserts), in the caller's transaction."""
        try:
            self.raw.executemany(sql, rows)
        except sqlite3.Error as err:
            raise database_error(self.path, err) from err

    @contextmanager
    def reading(self) -> Iterator[Conn]:
        """One consistent snapshot for several reads."""
        self._run("BEGIN", {})
        try:
            yield self
        finally:
            self._run("ROLLBACK", {})

    @contextmanager
    def writing(self) -> Iterator[Conn]:
        """One transaction: committed (durably) on success, else rolled back."""
        self._run("BEGIN IMMEDIATE", {})
        try:
            yield self
        except BaseException:
            if self.raw.in_transaction:
                self.raw.execute("ROLLBACK")
            raise
        self._run("COMMIT", {})

    def close(self) -> None:
        self.raw.close()


class SAConn(Conn):
    """The same interface over a SQLAlchemy engine: the SQL text is unchanged."""

    def __init__(self, engine: Any, path: Path) -> None:
        from sqlalchemy import text

        self.engine = engine
        self.path = path
        self._text = text
        self._conn: Any = None

    def _run(self, sql: str, params: dict[str, Any]) -> Any:
        from sqlalchemy import exc

        try:
            if self._conn is None:  # outside reading()/writing(): autocommit one statement
                with self.engine.begin() as conn:
                    result = conn.execute(self._text(sql), params)
                    return _Buffered(result.fetchall() if result.returns_rows else [])
            result = self._conn.execute(self._text(sql), params)
            return _Buffered(result.fetchall() if result.returns_rows else [])
        except exc.SQLAlchemyError as err:
            raise database_error(self.path, err) from err

    def execute_many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        from sqlalchemy import exc

        try:
            self._conn.execute(self._text(sql), list(rows))
        except exc.SQLAlchemyError as err:
            raise database_error(self.path, err) from err

    @contextmanager
    def reading(self) -> Iterator[Conn]:
        with self.engine.connect() as conn:
            self._conn = conn
            try:
                yield self
            finally:
                self._conn = None

    @contextmanager
    def writing(self) -> Iterator[Conn]:
        with self.engine.execution_options(studycards_write=True).begin() as conn:
            self._conn = conn
            try:
                yield self
            finally:
                self._conn = None

    def close(self) -> None:
        self.engine.dispose()


class _Buffered(list):  # type: ignore[type-arg]
    """Rows already fetched, with the cursor methods Conn uses."""

    def fetchall(self) -> list[Any]:
        return list(self)

    def fetchone(self) -> Any:
        return self[0] if self else None

    def close(self) -> None:
        pass


def open_current(path: Path) -> Conn | None:
    """A connection if ``path`` is an existing database with this release's
    schema; None when it must go through the full open (create, migrate)."""
    if not path.is_file():
        return None
    try:
        raw = connect(path)
    except sqlite3.Error:
        return None
    try:
        applied = [row[0] for row in raw.execute("SELECT name FROM schema_migration ORDER BY name")]
    except sqlite3.Error:
        raw.close()
        return None
    if applied != sorted(MIGRATIONS):
        raw.close()
        return None
    return Conn(raw, path)


ENV_VAR = "STUDYCARDS_DB"


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("studycards", appauthor=False) / "studycards.db"


def resolve_path(option: str | None) -> Path:
    """``--db``, else $STUDYCARDS_DB, else the platform's user data folder."""
    import os

    value = option or os.environ.get(ENV_VAR)
    return Path(value).expanduser() if value else default_path()
