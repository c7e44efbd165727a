"""Copying a whole collection, row for row, between two databases at this
release's schema: a server backup into a SQLite file, and ``studycards
copy`` between any two locations. The source is read in one snapshot and
the target written in one transaction, so a copy is all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

# Parents before children, so every reference points at a row already there.
TABLES = ("deck", "note_type", "note", "card", "review_log", "setting", "undo_entry", "media_file")
_KEYS = {"setting": "key", "media_file": "name"}
_PAGE = 20_000


def _booleans(table: str) -> set[str]:
    """Columns SQLite keeps as 0/1 and PostgreSQL as booleans (from the models)."""
    from sqlalchemy import Boolean

    from studycards.store import models

    columns = models.SQLModel.metadata.tables[table].columns
    return {c.name for c in columns if isinstance(c.type, Boolean)}


def row_counts(conn: Any) -> dict[str, int]:
    """Rows per table, to compare a copy with its source."""
    return {table: int(conn.scalar(f"SELECT COUNT(*) FROM {table}")) for table in TABLES}


def copy_rows(source: Any, target: Any, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Every row of every table from ``source`` into ``target`` (both Conns,
    the target empty); rows copied per table. Run inside the source's
    snapshot and the target's transaction."""
    copied: dict[str, int] = {}
    for table in TABLES:
        key = _KEYS.get(table, "id")
        names, _ = source.described(f"SELECT * FROM {table} WHERE 1 = 0")
        flags = [i for i, name in enumerate(names) if name in _booleans(table)]
        quoted = ", ".join(f'"{n}"' for n in names)
        insert = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in names)})"
        count, after = 0, None
        while True:
            where = "" if after is None else f' WHERE "{key}" > :after'
            _, rows = source.described(f'SELECT {quoted} FROM {table}{where} ORDER BY "{key}" LIMIT {_PAGE}', **({} if after is None else {"after": after}))
            if not rows:
                break
            for row in rows:
                for i in flags:
                    row[i] = bool(row[i])
            target.execute_many(insert, [tuple(row) for row in rows])
            count += len(rows)
            after = rows[-1][names.index(key)]
            if progress is not None:
                progress(len(rows))
            if len(rows) < _PAGE:
                break
        copied[table] = count
    target.ids_inserted([t for t in TABLES if t not in _KEYS])
    return copied


def clear(conn: Any) -> None:
    """Delete every row of every table, children first (for a copy that
    replaces what a target held; in the caller's transaction)."""
    for table in reversed(TABLES):
        conn.execute(f"DELETE FROM {table}")


def total_rows(conn: Any) -> int:
    return int(conn.scalar("SELECT " + " + ".join(f"(SELECT COUNT(*) FROM {table})" for table in TABLES)))


def to_sqlite_file(source: Any, target: Path, now_epoch: int) -> None:
    """A new SQLite collection at ``target`` holding a snapshot of ``source``."""
    from studycards.store import migrations
    from studycards.store.conn import Conn, connect_sqlite

    migrations.migrate(target, now_epoch, backup=False)
    dest = Conn(connect_sqlite(target), target)
    try:
        with source.reading(), dest.transaction():
            copy_rows(source, dest)
    finally:
        dest.close()
