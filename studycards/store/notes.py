"""The ``note`` table: lookups by stable id, bulk writes, tags."""

from __future__ import annotations

import json
from typing import Any

from studycards.records import NoteRow
from studycards.store.conn import Conn, in_list

COLUMNS = NoteRow.FIELDS  # rows below are tuples in this order
_SELECT = "SELECT " + ", ".join(f'"{c}"' for c in COLUMNS) + " FROM note"
_WRITTEN = COLUMNS[1:]  # everything but the id
_INSERT = f"INSERT INTO note ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in _WRITTEN)}) VALUES ({', '.join('?' for _ in _WRITTEN)})"
_KEPT = ("guid", "created")  # never change once written
_UPDATE = f"UPDATE note SET {', '.join(f'{chr(34)}{c}{chr(34)} = ?' for c in _WRITTEN if c not in _KEPT)} WHERE id = ?"
_CHUNK = 500


class Notes:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def by_guid(self, guids: list[str]) -> dict[str, tuple[Any, ...]]:
        """Stored notes whose guid is in ``guids``, as tuples in COLUMNS order."""
        found: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(guids), _CHUNK):
            fragment, values = in_list("guid", guids[start : start + _CHUNK])
            for row in self.conn.all(f"{_SELECT} WHERE guid IN {fragment}", **values):
                found[row[2]] = tuple(row)
        return found

    def get(self, note_id: int) -> NoteRow | None:
        """One note by id; None if there is none."""
        row = self.conn.one(f"{_SELECT} WHERE id = :id", id=note_id)
        return None if row is None else NoteRow(*row)

    def in_deck(self, deck_id: int) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.conn.all(f"{_SELECT} WHERE deck_id = :deck", deck=deck_id)]

    def in_decks(self, deck_ids: list[int]) -> list[NoteRow]:
        """Notes of the decks in new-card order, for export."""
        fragment, values = in_list("deck", deck_ids)
        rows = self.conn.all(f'{_SELECT} WHERE deck_id IN {fragment} ORDER BY "position", id', **values)
        return [NoteRow(*row) for row in rows]

    def insert_many(self, rows: list[tuple[Any, ...]]) -> int:
        """Insert notes given as tuples in COLUMNS order without the id.
        Returns the highest note id before them: the new notes are exactly
        those above it (SQLite rowids and sequences only grow, and writers
        hold the write lock)."""
        before = int(self.conn.scalar("SELECT COALESCE(MAX(id), 0) FROM note"))
        self.conn.execute_many(_INSERT, rows)
        return before

    def ids_above(self, before: int) -> dict[str, int]:
        """Ids by guid of the notes inserted after ``before`` (see insert_many)."""
        return {row[0]: row[1] for row in self.conn.all("SELECT guid, id FROM note WHERE id > :before", before=before)}

    def update_many(self, rows: list[tuple[Any, ...]]) -> None:
        """Rewrite notes given as tuples in COLUMNS order (the id first; the
        guid and the creation time are never changed)."""
        self.conn.execute_many(_UPDATE, [(row[1], *row[3:11], row[0]) for row in rows])

    def existing(self, note_ids: list[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(note_ids), _CHUNK):
            fragment, values = in_list("id", note_ids[start : start + _CHUNK])
            found.update(row[0] for row in self.conn.all(f"SELECT id FROM note WHERE id IN {fragment}", **values))
        return found

    def update_one(self, note: NoteRow) -> None:
        """Rewrite one note in place (its guid and creation time are kept)."""
        self.update_many([tuple(getattr(note, f) for f in COLUMNS)])

    def next_position(self, deck_id: int) -> int:
        last = self.conn.scalar('SELECT MAX("position") FROM note WHERE deck_id = :deck', deck=deck_id)
        return 0 if last is None else int(last) + 1

    def tags_of(self, note_ids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        for start in range(0, len(note_ids), _CHUNK):
            fragment, values = in_list("id", note_ids[start : start + _CHUNK])
            out.update((row[0], row[1]) for row in self.conn.all(f"SELECT id, tags FROM note WHERE id IN {fragment}", **values))
        return out

    def set_fields_many(self, rows: list[tuple[int, int | None, str | None]]) -> None:
        """(note id, note type id, fields as a JSON list): a typed note's
        note type and every field (None, None for our own kinds)."""
        self.conn.execute_many("UPDATE note SET note_type_id = ?, fields = ? WHERE id = ?", [(nt, f, n) for n, nt, f in rows])

    def fields_of(self, note_ids: list[int]) -> dict[int, tuple[int, list[str]]]:
        """Each typed note's (note type id, fields); notes of our own kinds are left out."""
        out: dict[int, tuple[int, list[str]]] = {}
        for start in range(0, len(note_ids), _CHUNK):
            fragment, values = in_list("id", note_ids[start : start + _CHUNK])
            for row in self.conn.all(f"SELECT id, note_type_id, fields FROM note WHERE id IN {fragment} AND note_type_id IS NOT NULL", **values):
                out[row[0]] = (row[1], json.loads(row[2]))
        return out

    def set_tags(self, note_id: int, tags: str) -> None:
        """Sent with the commit on a server (no round trip of its own)."""
        self.conn.execute_later("UPDATE note SET tags = :tags WHERE id = :id", tags=tags, id=note_id)
