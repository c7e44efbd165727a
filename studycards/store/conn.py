"""The one connection interface: SQL text with ``:named`` parameters, rows
that read by index or by name, transactions that nest, and every driver
error turned into our own ``DatabaseError``.

The SQL written against it is the subset SQLite and PostgreSQL share
(booleans bound as parameters, keyword columns quoted, ``RETURNING``,
``ON CONFLICT``); what differs between databases (how a write transaction
begins, integrity checks, backups) is a method here, not a branch in the
callers. This is the standard library's sqlite3 backend; ``server.py`` is
PostgreSQL's, with the same interface.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

from studycards.errors import DatabaseError

T = TypeVar("T")

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


def database_error(where: object, err: BaseException) -> DatabaseError:
    """Turn a driver error into one line the user can act on."""
    detail = (str(getattr(err, "orig", err)) or type(err).__name__).splitlines()[0]
    lowered = detail.lower()
    for needle, message in _KNOWN_ERRORS:
        if needle in lowered:
            return DatabaseError(f"{where}: {message}")
    return DatabaseError(f"{where}: {detail}")


def connect_sqlite(path: Path, named_rows: bool = True) -> sqlite3.Connection:
    """A SQLite connection with our settings, in autocommit mode: transactions
    are begun explicitly (BEGIN IMMEDIATE for writes, so writers queue)."""
    raw = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        for pragma in PRAGMAS:
            raw.execute(pragma)
    except BaseException:
        raw.close()
        raise
    if named_rows:
        raw.row_factory = sqlite3.Row
    return raw


def in_list(name: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """``(:name_0, :name_1, ...)`` and its parameters, for ``x IN ...``."""
    keys = [f"{name}_{i}" for i in range(len(values))]
    return "(" + ", ".join(f":{k}" for k in keys) + ")", dict(zip(keys, values))


@dataclass(frozen=True)
class Read(Generic[T]):
    """One read, not yet run: its SQL, its parameters and what makes its
    rows into a value. Several go out together through ``fetch`` (one
    round trip on a server)."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    parse: Callable[[list[Any]], T] = list  # type: ignore[assignment]


def by_first(rows: list[Any]) -> dict[Any, Any]:
    """Rows of (key, value) as a dict: a ``Read``'s parse."""
    return {row[0]: row[1] for row in rows}


class Later:
    """The first column of the first row of a statement sent later (on a
    server, with the next statement or the COMMIT): read ``value`` once the
    transaction has ended."""

    _UNSENT = object()

    def __init__(self, value: Any = _UNSENT) -> None:
        self._value = value

    def resolve(self, value: Any) -> None:
        self._value = value

    @property
    def value(self) -> Any:
        if self._value is Later._UNSENT:
            raise DatabaseError("internal error: a statement's result was read before it was sent")
        return self._value


class Conn:
    """Run SQL text with named parameters; every error becomes a DatabaseError.

    ``transaction()`` nests: the outermost one is a real write transaction,
    inner ones are savepoints, so services compose (an import applies many
    decks inside one transaction; a failed inner step rolls back alone)."""

    def __init__(self, raw: sqlite3.Connection, where: Path) -> None:
        self.raw = raw
        self.where = where
        self._depth = 0
        self._reading = False
        self.writes_begun = 0  # write transactions begun on this connection

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as err:
            raise database_error(self.where, err) from err

    def all(self, sql: str, **params: Any) -> list[Any]:
        with self._guard():
            return self.raw.execute(sql, params).fetchall()

    def rows(self, sql: str, **params: Any) -> Iterator[Any]:
        """Rows one at a time, for a caller that may stop early."""
        with self._guard():
            cursor = self.raw.execute(sql, params)
            try:
                yield from cursor
            finally:
                cursor.close()

    def one(self, sql: str, **params: Any) -> Any | None:
        with self._guard():
            cursor = self.raw.execute(sql, params)
            try:
                return cursor.fetchone()
            finally:
                cursor.close()

    def described(self, sql: str, **params: Any) -> tuple[list[str], list[list[Any]]]:
        """Column names and rows, for copying rows whole (undo)."""
        with self._guard():
            cursor = self.raw.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return names, [list(row) for row in cursor]

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.one(sql, **params)
        return None if row is None else row[0]

    def execute(self, sql: str, **params: Any) -> int:
        """Run one statement; returns the number of rows it changed."""
        with self._guard():
            cursor = self.raw.execute(sql, params)
            count = cursor.rowcount
            cursor.close()
            return count

    def execute_later(self, sql: str, **params: Any) -> None:
        """A write whose row count is not needed (on a server it goes out with
        the next statement; here it runs at once)."""
        self.execute(sql, **params)

    def scalar_later(self, sql: str, **params: Any) -> Later:
        """A write whose one returned value (``RETURNING id``) is needed only
        after the transaction (on a server it goes out with the COMMIT; here
        it runs at once)."""
        return Later(self.scalar(sql, **params))

    def execute_many(self, sql: str, rows: Sequence[Any]) -> None:
        """One statement for many rows (bulk writes), in the caller's transaction."""
        with self._guard():
            self.raw.executemany(sql, rows)

    def batch(self, queries: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Any]]:
        """Several independent reads (one round trip on a server); their rows."""
        return [self.all(sql, **params) for sql, params in queries]

    def streams(self, queries: Sequence[tuple[str, dict[str, Any]]]) -> list[Iterator[Any]]:
        """Several reads whose rows may be needed only in part: each read
        lazily here (on a server, all in one round trip)."""
        return [self.rows(sql, **params) for sql, params in queries]

    def fetch(self, *reads: Read[Any]) -> list[Any]:
        """Several independent reads (one round trip on a server); their values."""
        return [read.parse(rows) for read, rows in zip(reads, self.batch([(r.sql, r.params) for r in reads]))]

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0 or self._reading

    @contextmanager
    def reading(self) -> Iterator[Conn]:
        """One consistent snapshot for several reads (inside a transaction,
        that transaction's view)."""
        if self.in_transaction:
            yield self
            return
        with self._guard():
            self.raw.execute("BEGIN")
        self._reading = True
        try:
            yield self
        finally:
            self._reading = False
            with self._guard():
                self.raw.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[Conn]:
        """A write transaction, committed durably on success and rolled back on
        any exception; nested calls are savepoints inside the outer one."""
        if self._reading:
            raise DatabaseError(f"{self.where}: cannot write inside a read-only snapshot")
        depth = self._depth
        savepoint = f"sp_{depth}"
        with self._guard():
            self.raw.execute(self._begin_write() if depth == 0 else f"SAVEPOINT {savepoint}")
        self.writes_begun += depth == 0
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth = depth
            try:
                if depth == 0:
                    if self.raw.in_transaction:
                        self.raw.execute("ROLLBACK")
                else:
                    self.raw.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.raw.execute(f"RELEASE SAVEPOINT {savepoint}")
            except sqlite3.Error:
                pass  # the original error is the one to report
            raise
        self._depth = depth
        try:
            with self._guard():
                self.raw.execute("COMMIT" if depth == 0 else f"RELEASE SAVEPOINT {savepoint}")
        except DatabaseError:
            if depth == 0 and self.raw.in_transaction:  # a failed COMMIT (a full disk) leaves it open
                self.raw.execute("ROLLBACK")
            raise

    def _begin_write(self) -> str:
        # Take the write lock at once, so two writers queue on the busy
        # timeout instead of one failing half-way through.
        return "BEGIN IMMEDIATE"

    def integrity_problems(self, full: bool = False) -> list[str] | None:
        """The database's own integrity check; empty when the file is sound.
        The quick check reads every page once (linear); the full one also
        checks every index against its table, which takes minutes on a
        million cards."""
        rows = [r[0] for r in self.all("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def ids_inserted(self, tables: Sequence[str]) -> None:
        """After rows were inserted with their own ids: nothing to do here
        (SQLite's next id is always past the largest)."""

    def backup_to(self, target: Path, now_epoch: int) -> None:
        """A consistent copy through SQLite's online backup API (safe while
        other processes read and write)."""
        dest = sqlite3.connect(target)
        try:
            with self._guard():
                self.raw.backup(dest)
        finally:
            dest.close()

    def close(self) -> None:
        self.raw.close()
