"""Opening the collection: a quick check that it is current, else the full open.

Every command starts here. When the schema is this release's and the built-in
decks are unchanged (the everyday case) the check is two small reads on a
plain sqlite3 connection and SQLAlchemy is never imported; otherwise the
full open (collection.open_collection) creates, migrates and syncs first.
"""

from __future__ import annotations

from pathlib import Path

from studycards import builtin, dbapi
from studycards.errors import DatabaseError


def open_conn(path: Path, now_epoch: int) -> dbapi.Conn:
    conn = dbapi.open_current(path)
    if conn is not None:
        try:
            if not builtin.needs_sync(conn):
                return conn
        except DatabaseError:
            pass  # the full open below reports it properly
        conn.close()
    from studycards.collection import open_collection

    open_collection(path, now_epoch).dispose()
    conn = dbapi.open_current(path)
    if conn is None:
        raise DatabaseError(f"{path}: the database could not be opened after upgrading it")
    return conn
