"""Where the database lives, how it is opened, and how transactions begin.

The location is ``--db`` over ``STUDYCARDS_DB`` over the platform's user data
folder. SQLite runs in WAL mode with a busy timeout, and a write transaction
starts with BEGIN IMMEDIATE so two processes queue for the write lock instead
of failing half-way with "database is locked". The connection settings
themselves live in dbapi.py, shared with the quick path; SQLite specifics stay
in these two modules.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from studycards import dbapi
from studycards.dbapi import database_error  # noqa: F401  (one error mapping for both paths)
from studycards.errors import DatabaseError

_WRITE = "studycards_write"


resolve_path = dbapi.resolve_path


def _sqlite_engine(path: Path) -> Engine:
    # The same connection settings as the quick path (dbapi.connect); we emit BEGIN ourselves, below.
    engine = create_engine(f"sqlite:///{path}", creator=lambda: dbapi.connect(path))

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(_WRITE)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_engine(path: Path) -> Engine:
    """An engine on ``path``, creating its folder; the file is made on first write."""
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DatabaseError(f"{path.parent}: cannot create the database folder ({err.strerror})")
    return _sqlite_engine(path)


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads; nothing it does is committed."""
    with Session(engine) as session:
        yield session


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session whose work is one transaction: committed on success, else rolled back."""
    with Session(engine.execution_options(**{_WRITE: True})) as session:
        with session.begin():
            yield session


def bulk(session: Session) -> dbapi.Conn:
    """The session's own connection, inside its transaction, as a ``Conn``:
    bulk inserts then skip SQLAlchemy's per-row parameter processing (about
    half the time of a 100,000-note import)."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    return dbapi.Conn(raw, Path(connection.engine.url.database or ""))  # type: ignore[arg-type]


def backup(engine: Engine, target: Path) -> None:
    """A consistent copy of the live database via SQLite's online backup API,
    written to a temporary file and renamed, so a half-written backup never
    has the target's name. Safe while other processes read and write."""
    import os
    import sqlite3
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(tmp)
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            dest.close()
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        raw.close()


def integrity_problems(engine: Engine) -> list[str]:
    """SQLite's own integrity check; an empty list means the file is sound."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows
