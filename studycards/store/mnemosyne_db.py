"""Reading a Mnemosyne 2 database (``default.db``, another program's SQLite
file), read-only: the rows the Mnemosyne importer interprets, and nothing
else.

The file is untrusted: it is opened read-only, with ``trusted_schema`` off
so no SQL function in its schema runs, and every driver error becomes one
``MnemosyneDbError`` for the importer to report against the file. Values
come back as SQLite holds them (any type in any column): the importer
checks each one.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

# Mnemosyne's log event for a repetition (libmnemosyne/log_entry.py,
# EventTypes.REPETITION): the row holds the card's state after the answer.
REPETITION_EVENT = 9

# The tables every Mnemosyne 2 database has ("Mnemosyne SQL 1.0" schema);
# an Anki collection has ``cards`` but none of the others.
MNEMOSYNE_TABLES = frozenset({"facts", "data_for_fact", "cards", "tags", "tags_for_card", "log", "global_variables"})

CARD_COLUMNS = (
    "_id", "id", "card_type_id", "_fact_id", "fact_view_id", "question", "grade", "next_rep", "last_rep",
    "easiness", "acq_reps", "ret_reps", "lapses", "acq_reps_since_lapse", "ret_reps_since_lapse",
    "extra_data", "active",
)
REPETITION_COLUMNS = (
    "object_id", "timestamp", "grade", "easiness", "acq_reps", "ret_reps", "lapses",
    "acq_reps_since_lapse", "ret_reps_since_lapse", "thinking_time", "next_rep",
)


class MnemosyneDbError(Exception):
    """The file is not a readable SQLite database; the message says why."""


class MnemosyneDb:
    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def _rows(self, sql: str, *params: Any) -> Iterator[Any]:
        try:
            yield from self.raw.execute(sql, params)
        except sqlite3.Error as err:
            raise MnemosyneDbError(str(err)) from err

    def tables(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def version(self) -> Any:
        """``global_variables`` 'version' ("Mnemosyne SQL 1.0"), or None."""
        for row in self._rows("SELECT value FROM global_variables WHERE key = 'version'"):
            return row[0]
        return None

    def facts(self) -> Iterator[tuple[Any, Any]]:
        """(_id, id) per fact, by _id."""
        for row in self._rows("SELECT _id, id FROM facts ORDER BY _id"):
            yield row[0], row[1]

    def fact_data(self) -> Iterator[tuple[Any, Any, Any]]:
        """(_fact_id, key, value) per field."""
        for row in self._rows("SELECT _fact_id, key, value FROM data_for_fact ORDER BY _fact_id, rowid"):
            yield row[0], row[1], row[2]

    def cards(self) -> Iterator[tuple[Any, ...]]:
        """One tuple of ``CARD_COLUMNS`` per card, by fact and _id."""
        columns = ", ".join(CARD_COLUMNS)
        yield from self._rows(f"SELECT {columns} FROM cards ORDER BY _fact_id, _id")

    def card_tags(self) -> Iterator[tuple[Any, Any]]:
        """(card _id, tag name) per tag of a card."""
        yield from self._rows(
            "SELECT tags_for_card._card_id, tags.name FROM tags_for_card JOIN tags ON tags._id = tags_for_card._tag_id"
            " ORDER BY tags_for_card._card_id, tags.name"
        )

    def card_type_names(self) -> dict[Any, Any]:
        """Names of the card types the database defines itself (clones and
        user-made types; the built-in ones are not stored), by id."""
        if "card_types" not in self.tables():
            return {}
        return {row[0]: row[1] for row in self._rows("SELECT id, name FROM card_types")}

    def repetitions(self) -> Iterator[tuple[Any, ...]]:
        """One tuple of ``REPETITION_COLUMNS`` per logged repetition, oldest first."""
        columns = ", ".join(REPETITION_COLUMNS)
        yield from self._rows(f"SELECT {columns} FROM log WHERE event_type = ? ORDER BY timestamp, _id", REPETITION_EVENT)


@contextmanager
def open_mnemosyne_db(path: Path) -> Iterator[MnemosyneDb]:
    try:
        raw = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise MnemosyneDbError(str(err)) from err
    try:
        try:
            raw.execute("PRAGMA trusted_schema = OFF")
            raw.execute("PRAGMA query_only = ON")
        except sqlite3.Error as err:
            raise MnemosyneDbError(str(err)) from err
        yield MnemosyneDb(raw)
    finally:
        raw.close()
