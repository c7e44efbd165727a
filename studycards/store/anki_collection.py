"""Reading an Anki collection file (another program's SQLite database),
read-only: the rows the Anki importer interprets, and nothing else.

The file is untrusted: it is opened read-only, with ``trusted_schema`` off
so no SQL function in its schema runs, and every driver error becomes one
``ForeignFileError`` for the importer to report against the package.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


class ForeignFileError(Exception):
    """The file is not a readable Anki collection; the message says why."""


class AnkiCollection:
    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def _rows(self, sql: str) -> Iterator[Any]:
        try:
            yield from self.raw.execute(sql)
        except sqlite3.Error as err:
            raise ForeignFileError(str(err)) from err

    def tables(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def note_types(self) -> list[tuple[int, str, bytes]]:
        """Schema 18: (id, name, config protobuf) per note type."""
        return [(row[0], str(row[1]), bytes(row[2] or b"")) for row in self._rows("SELECT id, name, config FROM notetypes")]

    def fields(self) -> list[tuple[int, int, str]]:
        """Schema 18: (note type id, ord, name) of every field."""
        return [(row[0], row[1], str(row[2])) for row in self._rows("SELECT ntid, ord, name FROM fields ORDER BY ntid, ord")]

    def templates(self) -> list[tuple[int, int, str, bytes]]:
        """Schema 18: (note type id, ord, name, config protobuf) of every card template."""
        return [(row[0], row[1], str(row[2]), bytes(row[3] or b"")) for row in self._rows("SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord")]

    def decks(self) -> list[tuple[int, str]]:
        """Schema 18: (id, name with \\x1f between levels)."""
        return [(row[0], str(row[1])) for row in self._rows("SELECT id, name FROM decks")]

    def legacy_models_and_decks(self) -> tuple[str, str] | None:
        """Schema 11: the JSON of note types and of decks in ``col``."""
        for row in self._rows("SELECT models, decks FROM col"):
            return str(row[0]), str(row[1])
        return None

    def cards(self) -> Iterator[tuple[int, int, int, int]]:
        """(note id, deck id, original deck id, ord), by note and ord."""
        for row in self._rows("SELECT nid, did, odid, ord FROM cards ORDER BY nid, ord"):
            yield row[0], row[1], row[2], row[3]

    def notes(self) -> Iterator[tuple[int, str, int, str, str]]:
        """(id, guid, note type id, tags, fields joined by \\x1f), by id."""
        for row in self._rows("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"):
            yield row[0], str(row[1]), row[2], str(row[3]), str(row[4])


@contextmanager
def open_anki_collection(path: Path) -> Iterator[AnkiCollection]:
    try:
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        raw.execute("PRAGMA trusted_schema = OFF")
    except sqlite3.Error as err:
        raise ForeignFileError(str(err)) from err
    try:
        yield AnkiCollection(raw)
    finally:
        raw.close()


def sqlite_tables(path: Path) -> set[str]:
    """The table names of another program's SQLite file (read-only), to
    tell which program made it; raises ForeignFileError if it cannot be read."""
    with open_anki_collection(path) as col:
        return col.tables()
