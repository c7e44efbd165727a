"""The PostgreSQL backend of ``Conn``: the same SQL text, ``:named``
parameters, nesting transactions and our own ``DatabaseError``, over
psycopg 3 (the ``studycards[postgres]`` extra, imported only here).

What SQLite gives by itself is built here from the server's own tools:

- ``BEGIN IMMEDIATE`` (one writer at a time) is a transaction-level
  advisory lock taken first in every write transaction; it is released by
  COMMIT or ROLLBACK, so no lock outlives a transaction and none is held
  while the user thinks.
- One snapshot for several reads is ``REPEATABLE READ READ ONLY``.
- Round trips are what cost on a server, so statements whose results are
  not needed yet (BEGIN, the lock, a write whose row count nobody reads)
  wait and go out in one pipeline with the next statement that is needed:
  an answer is two round trips (begin + lock + read the card; log the
  answer + update the card + commit) and showing the next card one,
  whatever the distance to the server. A read-only snapshot ends with a
  ROLLBACK that goes out with the next statement (or not at all: closing
  the connection ends it too).
- A connection the server dropped (a restart, a network cut) is opened
  again when a transaction begins, and the transaction is sent again: it
  had not started, so nothing is done twice.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from studycards.errors import DatabaseError
from studycards.store.conn import Later, Read

if TYPE_CHECKING:
    import psycopg

    from studycards.store.location import ServerLocation

# pg_advisory_xact_lock keys: "STUDYCAR" as a 64-bit number (writers), and
# one more for opening a collection (migrations, the built-in decks).
WRITE_LOCK = 0x5354554459434152
OPEN_LOCK = WRITE_LOCK + 1
LOCK_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10

_BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
_BEGIN_WRITE = ("BEGIN", f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

_KNOWN_ERRORS = (
    ("password authentication failed", "the server refused the password (set it in ~/.pgpass or $PGPASSWORD, not in the URL)"),
    ("no password supplied", "the server wants a password: put it in ~/.pgpass or $PGPASSWORD"),
    ("does not exist", None),
    ("server closed the connection unexpectedly", "the connection to the server was lost; this change was not saved"),
    ("connection refused", "cannot reach the PostgreSQL server (is it running, and is the host and port right?)"),
    ("could not translate host name", "unknown host name"),
    ("timeout expired", "the PostgreSQL server did not answer in time"),
    ("lock timeout", "the database is busy in another session; try again"),
    ("canceling statement due to lock timeout", "the database is busy in another session; try again"),
    ("out of range", None),
    ("read-only transaction", "the database is read-only; nothing was changed"),
    ("permission denied", None),
)


class ConnectionLost(DatabaseError):
    """The server went away in the middle of a transaction: it was rolled
    back (or, rarely, committed just before the line dropped)."""


def _driver():  # type: ignore[no-untyped-def]
    try:
        import psycopg
    except ImportError:
        return None
    return psycopg


def server_error(where: object, err: BaseException) -> DatabaseError:
    """One line for a psycopg error, with no password in it: libpq's
    messages name the host and user, never the password, and the location
    prints redacted."""
    detail = (str(err) or type(err).__name__).strip().splitlines()[0]
    detail = re.sub(r"^connection to server at .*?failed: ", "", detail)
    detail = re.sub(r"^connection failed: ", "", detail)
    lowered = detail.lower()
    for needle, message in _KNOWN_ERRORS:
        if needle in lowered:
            return DatabaseError(f"{where}: {message or detail}")
    return DatabaseError(f"{where}: {detail}")


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """``:name`` and ``?`` placeholders in psycopg's spelling (``%(name)s``,
    ``%s``), with literal ``%`` doubled; quoted strings and ``::`` casts are
    left as they are."""
    out = []
    for i, part in enumerate(re.split(r"('(?:[^']|'')*')", sql)):
        part = part.replace("%", "%%")
        if i % 2 == 0:
            part = re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", part)
            part = part.replace("?", "%s")
        out.append(part)
    return "".join(out)


class Row(tuple):  # type: ignore[type-arg]
    """A result row that reads by index or by column name, like sqlite3.Row."""

    __slots__ = ()
    _names: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[no-untyped-def, override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor):  # type: ignore[no-untyped-def]
    description = cursor.description
    if description is None:
        return tuple
    names = {d.name: i for i, d in enumerate(description)}
    cls = type("Row", (Row,), {"__slots__": (), "_names": names})
    return lambda values: cls(values)


def connect_server(location: ServerLocation, for_sqlalchemy: bool = False) -> psycopg.Connection:  # type: ignore[type-arg]
    """An autocommit connection (transactions are begun explicitly) with a
    lock timeout like SQLite's busy timeout; for SQLAlchemy (migrations), a
    plain DB-API one that it drives itself."""
    psycopg = _driver()
    if psycopg is None:
        raise DatabaseError(f"{location}: PostgreSQL needs the psycopg driver: pip install 'studycards[postgres]'")
    try:
        raw = psycopg.connect(
            location.url,
            autocommit=not for_sqlalchemy,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="studycards",
            options=f"-c lock_timeout={LOCK_TIMEOUT_MS}",
            **({} if for_sqlalchemy else {"row_factory": _row_factory}),
        )
    except psycopg.Error as err:
        raise server_error(location, err) from None
    # psycopg logs a lost connection once more on its way out of a
    # pipeline; the error itself is ours to report, in one line.
    import logging

    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    logging.getLogger("psycopg").propagate = False
    # Every integer goes as a 64-bit one, as SQLite sees it: psycopg would
    # pick the smallest type that fits, and a recursive query then meets
    # smallint in one branch and integer in the other.
    from psycopg.types.numeric import Int8Dumper

    raw.adapters.register_dumper(int, Int8Dumper)
    return raw


class ServerConn:
    """``Conn`` on PostgreSQL (see the module docstring)."""

    def __init__(self, raw: psycopg.Connection, where: ServerLocation) -> None:  # type: ignore[type-arg]
        self.raw = raw
        self.where = where
        self._psycopg = _driver()
        self._depth = 0
        self._reading = False
        self._pending: list[tuple[str, Any]] = []
        self._later: dict[int, Later] = {}  # index in _pending -> where its result goes
        self._rollback_due = False  # a snapshot ended: ROLLBACK goes out first with the next statement
        self._sent = False  # has the open transaction sent anything yet?
        self.round_trips = 0
        self.writes_begun = 0  # write transactions begun on this connection

    # --- sending ----------------------------------------------------------

    def _send(self, sql: str, params: Any, many: bool = False) -> Any:
        """Send what is pending and then ``sql``, in one round trip; its cursor."""
        return self._send_all([(sql, params, many)])[0]

    def _send_all(self, statements: list[tuple[str, Any, bool]]) -> list[Any]:
        """Send what is pending and then ``statements`` in one round trip;
        their cursors. When a transaction begins on a connection the server
        dropped, connect again and send it again."""
        psycopg = self._psycopg
        fresh = not self.in_transaction or not self._sent
        try:
            return self._pipeline(statements)
        except psycopg.OperationalError as err:
            if not self.raw.closed and not self.raw.broken:
                self._pending, self._later = [], {}
                raise server_error(self.where, err) from None
            if not fresh:
                self._reset()
                raise ConnectionLost(f"{self.where}: the connection to the server was lost; this change was not saved") from None
            self._reconnect(err)
            try:
                return self._pipeline(statements)
            except psycopg.Error as again:
                self._reset()
                raise server_error(self.where, again) from None
        except psycopg.Error as err:
            self._pending, self._later = [], {}
            raise server_error(self.where, err) from None

    def _pipeline(self, statements: list[tuple[str, Any, bool]]) -> list[Any]:
        self.round_trips += 1
        # Whatever happens next, the server may now hold an open (perhaps
        # failed) transaction that the end of the block must roll back.
        self._sent = True
        cursors = []
        if self._rollback_due:
            self._rollback_due = False
            self._pending.insert(0, ("ROLLBACK", None))
            self._later = {i + 1: result for i, result in self._later.items()}
        if not self._pending and len(statements) == 1:
            sql, params, many = statements[0]
            cursor = self.raw.cursor()
            if many:
                cursor.executemany(translate(sql), params)
            else:
                cursor.execute(translate(sql), params or None)
            self._sent = True
            return [cursor]
        later, waiting = self._later, []
        with self.raw.pipeline():
            for i, (text, values) in enumerate(self._pending):
                if i in later:
                    cursor = self.raw.cursor()
                    cursor.execute(text, values)
                    waiting.append((later[i], cursor))
                else:
                    self.raw.execute(text, values)
            for sql, params, many in statements:
                cursor = self.raw.cursor()
                if many:
                    cursor.executemany(translate(sql), params)
                else:
                    cursor.execute(translate(sql), params or None)
                cursors.append(cursor)
        for result, cursor in waiting:
            row = cursor.fetchone()
            result.resolve(None if row is None else row[0])
        self._pending, self._later = [], {}
        self._sent = True
        return cursors

    def _reconnect(self, err: BaseException) -> None:
        try:
            self.raw.close()
        except Exception:
            pass
        self.raw = connect_server(self.where)  # its error says why the server cannot be reached
        if self._pending[:1] == [("ROLLBACK", None)]:  # the old connection's snapshot ended with it
            self._pending.pop(0)
            self._later = {i - 1: result for i, result in self._later.items()}

    def _reset(self) -> None:
        self._pending = []
        self._later = {}
        self._depth = 0
        self._reading = False
        self._sent = False

    # --- the Conn interface -------------------------------------------------

    def all(self, sql: str, **params: Any) -> list[Any]:
        return self._send(sql, params).fetchall()

    def rows(self, sql: str, **params: Any) -> Iterator[Any]:
        """Rows one at a time; on a server they come in one response anyway."""
        yield from self._send(sql, params).fetchall()

    def one(self, sql: str, **params: Any) -> Any | None:
        return self._send(sql, params).fetchone()

    def described(self, sql: str, **params: Any) -> tuple[list[str], list[list[Any]]]:
        cursor = self._send(sql, params)
        return [d.name for d in cursor.description], [list(row) for row in cursor.fetchall()]

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.one(sql, **params)
        return None if row is None else row[0]

    def execute(self, sql: str, **params: Any) -> int:
        return self._send(sql, params).rowcount

    def execute_later(self, sql: str, **params: Any) -> None:
        """A write whose row count is not needed: inside a transaction it
        goes out with the next statement (or the COMMIT), costing no round
        trip of its own."""
        if self.in_transaction:
            self._pending.append((translate(sql), params or None))
        else:
            self.execute(sql, **params)

    def scalar_later(self, sql: str, **params: Any) -> Later:
        """A write whose returned value is read after the transaction: inside
        one it goes out with the next statement (or the COMMIT)."""
        if not self.in_transaction:
            return Later(self.scalar(sql, **params))
        result = Later()
        self._later[len(self._pending)] = result
        self._pending.append((translate(sql), params or None))
        return result

    def execute_many(self, sql: str, rows: Sequence[Any]) -> None:
        if rows:
            self._send(sql, rows, many=True)

    def batch(self, queries: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Any]]:
        """Several independent reads in one round trip; their rows, in order."""
        if not queries:
            return []
        return [cursor.fetchall() for cursor in self._send_all([(sql, params, False) for sql, params in queries])]

    def streams(self, queries: Sequence[tuple[str, dict[str, Any]]]) -> list[Iterator[Any]]:
        """Several reads in one round trip; each one's rows."""
        return [iter(rows) for rows in self.batch(queries)]

    def fetch(self, *reads: Read[Any]) -> list[Any]:
        """Several independent reads in one round trip; their values."""
        return [read.parse(rows) for read, rows in zip(reads, self.batch([(r.sql, r.params) for r in reads]))]

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0 or self._reading

    @contextmanager
    def reading(self) -> Iterator[ServerConn]:
        """One snapshot for several reads: REPEATABLE READ, read only. Begun
        with the first read and ended without a round trip of its own when
        nothing was read."""
        if self.in_transaction:
            yield self
            return
        self._pending.append((_BEGIN_READ, None))
        self._reading, self._sent = True, False
        try:
            yield self
        finally:
            self._reading = False
            if self._sent and not (self.raw.closed or self.raw.broken):
                # Ends with the next statement's round trip, or with the connection.
                self._pending, self._later, self._sent = [], {}, False
                self._rollback_due = True
            else:
                self._end("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[ServerConn]:
        """A write transaction behind the write lock, committed on success
        and rolled back on any exception; nested calls are savepoints."""
        if self._reading:
            raise DatabaseError(f"{self.where}: cannot write inside a read-only snapshot")
        depth = self._depth
        savepoint = f"sp_{depth}"
        if depth == 0:
            self._pending.extend((sql, None) for sql in _BEGIN_WRITE)
            self.writes_begun += 1
            self._sent = False
        else:
            self._pending.append((f"SAVEPOINT {savepoint}", None))
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth = depth
            if depth == 0:
                self._end("ROLLBACK")
            else:
                try:
                    self._send(f"ROLLBACK TO SAVEPOINT {savepoint}", None)
                    self._send(f"RELEASE SAVEPOINT {savepoint}", None)
                except DatabaseError:
                    pass  # the original error is the one to report
            raise
        self._depth = depth
        if depth == 0:
            if not self._sent and self._pending == [(sql, None) for sql in _BEGIN_WRITE]:
                self._pending = []  # nothing was written: nothing to send
                return
            try:
                self._send("COMMIT", None)
            except ConnectionLost:
                raise
            except DatabaseError:
                self._end("ROLLBACK")
                raise
            finally:
                self._sent = False
        else:
            self._pending.append((f"RELEASE SAVEPOINT {savepoint}", None))

    def _end(self, statement: str) -> None:
        """End the open transaction; if it never sent anything, there is
        nothing to end on the server."""
        if not self._sent:
            self._pending, self._later = [], {}
            return
        self._pending, self._later = [], {}
        self._sent = False
        if self.raw.closed or self.raw.broken:
            return
        try:
            self.round_trips += 1
            self.raw.execute(statement)
        except self._psycopg.Error:
            pass  # the server ends a broken transaction with the connection

    def integrity_problems(self, full: bool = False) -> list[str] | None:
        """None: the server keeps its own files; there is no file to check."""
        return None

    def ids_inserted(self, tables: Sequence[str]) -> None:
        """After rows were inserted with their own ids, move each table's id
        sequence past the largest, so the next insert does not collide."""
        for table in tables:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )

    def backup_to(self, target: Any, now_epoch: int) -> None:
        """A consistent copy into a new SQLite file at ``target``."""
        from studycards.store import copying

        copying.to_sqlite_file(self, target, now_epoch)

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:
            pass
