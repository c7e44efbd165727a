"""Destructive operations that can be taken back: the rows an operation
removes are saved, whole, in ``undo_entry`` in the same transaction that
removes them, and ``restore`` puts them back with the same ids, so cards
come back with their progress and review history.
"""

from __future__ import annotations

import json
from typing import Any

from studycards.errors import DatabaseError
from studycards.store.conn import Conn, in_list

KEEP = 20  # undo entries kept; older ones are dropped
_ORDER = ("deck", "note", "card", "review_log")  # parents first: the order to insert, reversed to delete
_CHUNK = 500


class Undo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def _rows(self, table: str, column: str, ids: list[int]) -> dict[str, Any]:
        columns: list[str] = []
        rows: list[list[Any]] = []
        for start in range(0, len(ids), _CHUNK):
            fragment, values = in_list("id", ids[start : start + _CHUNK])
            columns, found = self.conn.described(f'SELECT * FROM {table} WHERE "{column}" IN {fragment} ORDER BY id', **values)
            rows += found
        return {"columns": columns, "rows": rows}

    def gather(self, deck_ids: list[int], note_ids: list[int]) -> dict[str, Any]:
        """Everything that goes with removing the decks (their notes, cards
        and history) and the notes (their cards and history)."""
        notes = self._rows("note", "deck_id", deck_ids) if deck_ids else {"columns": [], "rows": []}
        more = self._rows("note", "id", [n for n in note_ids if n not in {row[0] for row in notes["rows"]}])
        notes = {"columns": notes["columns"] or more["columns"], "rows": notes["rows"] + more["rows"]}
        all_notes = [row[0] for row in notes["rows"]]
        cards = self._rows("card", "note_id", all_notes)
        logs = self._rows("review_log", "card_id", [row[0] for row in cards["rows"]])
        return {"deck": self._rows("deck", "id", deck_ids), "note": notes, "card": cards, "review_log": logs}

    def remove(self, payload: dict[str, Any]) -> None:
        for table in reversed(_ORDER):
            ids = [row[0] for row in payload[table]["rows"]]
            self.conn.execute_many(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])

    def record(self, description: str, payload: dict[str, Any], now_epoch: int) -> None:
        self.conn.execute(
            "INSERT INTO undo_entry (created, description, payload) VALUES (:created, :description, :payload)",
            created=now_epoch,
            description=description,
            payload=json.dumps(payload, ensure_ascii=False),
        )
        self.conn.execute(
            "DELETE FROM undo_entry WHERE id NOT IN (SELECT id FROM undo_entry ORDER BY id DESC LIMIT :keep)", keep=KEEP
        )

    def last(self) -> tuple[int, str, dict[str, Any]] | None:
        row = self.conn.one("SELECT id, description, payload FROM undo_entry ORDER BY id DESC LIMIT 1")
        return None if row is None else (row[0], row[1], json.loads(row[2]))

    def restore(self, entry_id: int, payload: dict[str, Any]) -> None:
        """Put the rows back with their ids and drop the entry."""
        for table in _ORDER:
            part = payload[table]
            if not part["rows"]:
                continue
            current, _ = self.conn.described(f"SELECT * FROM {table} LIMIT 0")
            if part["columns"] != current:
                raise DatabaseError(f"{self.conn.where}: the saved {table} rows are from an older schema; they cannot be restored")
            quoted = ", ".join(f'"{c}"' for c in current)
            self.conn.execute_many(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in current)})", part["rows"])
        self.conn.execute("DELETE FROM undo_entry WHERE id = :id", id=entry_id)
