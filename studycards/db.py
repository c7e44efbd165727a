"""Where the database lives, how it is opened, and how transactions begin.

The location is ``--db`` over ``STUDYCARDS_DB`` over the platform's user data
folder. SQLite runs in WAL mode with a busy timeout, and a write transaction
starts with BEGIN IMMEDIATE so two processes queue for the write lock instead
of failing half-way with "database is locked". All SQLite-specific settings
stay in this module.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from studycards.errors import DatabaseError

ENV_VAR = "STUDYCARDS_DB"
BUSY_TIMEOUT_MS = 10_000
_WRITE = "studycards_write"


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("studycards", appauthor=False) / "studycards.db"


def resolve_path(option: str | None) -> Path:
    value = option or os.environ.get(ENV_VAR)
    return Path(value).expanduser() if value else default_path()


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

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
