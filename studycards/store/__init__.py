"""The store: the only place with SQL, and the only importer of sqlite3,
SQLAlchemy and SQLModel.

``open_store(path, now_epoch)`` gives a ``Store``: one connection, the
verbs of each table (``store.cards.due_queue``, ``store.reviews.append``,
``store.notes.insert_many``, ...), the statistics queries, and nesting
transactions. Services take a ``Store``, never a raw connection.

Opening is quick in the everyday case: one small read checks that the
schema is this release's (the migration registry's names, read without
importing SQLAlchemy). Only a new or older database goes through the
migrations, which use SQLAlchemy Core.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Callable

from studycards.errors import DatabaseError
from studycards.store import checks, migrations
from studycards.store.cards import Cards
from studycards.store.conn import Conn, Read, connect_sqlite, database_error
from studycards.store.decks import Decks
from studycards.store.location import Location, ServerLocation
from studycards.store.note_types import MediaFiles, NoteTypes
from studycards.store.notes import Notes
from studycards.store.reviews import Reviews
from studycards.store.search import Condition, Search
from studycards.store.settings import ALL as SETTINGS
from studycards.store.settings import SettingsTable
from studycards.store.statistics import Statistics
from studycards.store.undo import Undo


class Store:
    """One open collection."""

    def __init__(self, conn: Conn, settings_as_opened: dict[str, str] | None = None) -> None:
        self.conn = conn
        self.where = conn.where
        self.decks = Decks(conn)
        self.notes = Notes(conn)
        self.note_types = NoteTypes(conn)
        self.media = MediaFiles(conn)
        self.cards = Cards(conn)
        self.reviews = Reviews(conn)
        self.settings = SettingsTable(conn, settings_as_opened)
        self.statistics = Statistics(conn)
        self.undo = Undo(conn)
        self.search = Search(conn)

    def transaction(self) -> AbstractContextManager[Conn]:
        """A write transaction; nested calls are savepoints."""
        return self.conn.transaction()

    def reading(self) -> AbstractContextManager[Conn]:
        """One consistent snapshot for several reads."""
        return self.conn.reading()

    def fetch(self, *reads: Read[Any]) -> list[Any]:
        """Several independent reads (the repositories' ``*_read``), one
        round trip on a server; their values, in order."""
        return self.conn.fetch(*reads)

    @property
    def on_server(self) -> bool:
        return not isinstance(self.where, Path)

    def integrity_problems(self, full: bool = False) -> list[str] | None:
        """The file check's problems; None on a server, which has no file to check."""
        return self.conn.integrity_problems(full)

    def size_bytes(self) -> int:
        """The database's size on disk (with SQLite's write-ahead log)."""
        if self.on_server:
            return int(self.conn.scalar("SELECT pg_database_size(current_database())"))
        path = Path(self.where)
        return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())

    def consistency_problems(self) -> list[str]:
        with self.reading():
            return checks.consistency_problems(self.conn)

    def totals(self) -> dict[str, int]:
        with self.reading():
            return checks.totals(self.conn)

    def backup_to(self, target: Path, now_epoch: int) -> None:
        """A consistent copy of the whole collection at ``target``, written to a
        temporary file and renamed, so a half-written backup never has the
        target's name."""
        import os
        import tempfile

        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            self.conn.backup_to(Path(tmp), now_epoch)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def copy_into(self, target: Store, replace: bool, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Every row of this collection into ``target``, in one snapshot of
        this one and one transaction of the target, then verified: the
        target's row counts must equal this snapshot's, or nothing is kept.
        A target that holds anything is refused unless ``replace``; rows per
        table. ``progress(done, total)`` is told of each page of rows."""
        from studycards.store import copying

        with self.reading(), target.transaction():
            held = copying.total_rows(target.conn)
            if held and not replace:
                raise TargetNotEmpty(f"{target.where}: already holds a collection ({held} rows)")
            if held:
                copying.clear(target.conn)
            expected = copying.row_counts(self.conn)
            total, done = sum(expected.values()), 0

            def step(rows: int) -> None:
                nonlocal done
                done += rows
                if progress is not None:
                    progress(done, total)

            copying.copy_rows(self.conn, target.conn, step)
            found = copying.row_counts(target.conn)
            if found != expected:
                wrong = ", ".join(f"{t}: {found[t]} of {expected[t]}" for t in expected if found[t] != expected[t])
                raise DatabaseError(f"{target.where}: the copy does not match its source ({wrong}); nothing was kept")
        return expected

    def close(self) -> None:
        self.conn.close()


class TargetNotEmpty(DatabaseError):
    """A copy's target already holds rows."""


def _open_current(path: Path) -> Store | None:
    """The store if ``path`` is a database with this release's schema; None
    when it must be created or migrated first."""
    if not path.is_file():
        return None
    try:
        raw = connect_sqlite(path)
    except sqlite3.Error:
        return None
    try:
        applied = [row[0] for row in raw.execute(f"SELECT name FROM {migrations.BOOKKEEPING}")]
    except sqlite3.Error:
        raw.close()
        return None
    if sorted(applied) != sorted(migrations.names()):
        raw.close()
        return None
    return Store(Conn(raw, path))


def _open_current_server(location: ServerLocation) -> Store | None:
    from studycards.store.server import ServerConn, connect_server

    conn = ServerConn(connect_server(location), location)
    try:
        # The schema check and the settings in one round trip.
        applied, settings = conn.fetch(Read(f"SELECT name FROM {migrations.BOOKKEEPING}", parse=lambda rows: [r[0] for r in rows]), SETTINGS)
    except DatabaseError:
        applied, settings = [], None
    if sorted(applied) != sorted(migrations.names()):
        conn.close()
        return None
    return Store(conn, settings)  # type: ignore[arg-type]


def open_existing(location: Location) -> Store | None:
    """The collection if it exists at this release's schema, else None;
    never creates, migrates or fails (shell completion uses it)."""
    if isinstance(location, ServerLocation):
        try:
            return _open_current_server(location)
        except DatabaseError:
            return None
    return _open_current(location)


def open_store(path: Location, now_epoch: int) -> Store:
    """Open the collection at ``path``, creating or upgrading it first if needed."""
    if isinstance(path, ServerLocation):
        store = _open_current_server(path)
        if store is None:
            migrations.migrate(path, now_epoch)
            store = _open_current_server(path)
        if store is None:
            raise DatabaseError(f"{path}: the database could not be opened after upgrading it")
        return store
    store = _open_current(path)
    if store is not None:
        return store
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DatabaseError(f"{path.parent}: cannot create the database folder ({err.strerror})")
    migrations.migrate(path, now_epoch)
    store = _open_current(path)
    if store is None:
        raise DatabaseError(f"{path}: the database could not be opened after upgrading it")
    return store


__all__ = ["Condition", "Conn", "DatabaseError", "Store", "TargetNotEmpty", "database_error", "open_existing", "open_store"]
