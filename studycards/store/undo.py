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
        """Put the rows back and drop the entry. Rows keep their ids where
        those are still free; a row whose id was reused since (SQLite hands
        out the highest id again) gets a new one, and the rows pointing at it
        follow. A deck whose name was taken again meanwhile is refused."""
        remap: dict[str, dict[int, int]] = {table: {} for table in _ORDER}
        for table in _ORDER:
            part = payload[table]
            if not part["rows"]:
                continue
            current, _ = self.conn.described(f"SELECT * FROM {table} LIMIT 0")
            if part["columns"] != current:
                raise DatabaseError(f"{self.conn.where}: the saved {table} rows are from an older schema; they cannot be restored")
            if table == "deck":
                self._check_deck_names(current, part["rows"])
            if table == "note":
                self._check_guids(current, part["rows"])
            rows = [self._follow(table, dict(zip(current, row)), remap) for row in part["rows"]]
            taken = self._taken(table, [row["id"] for row in rows])
            quoted = ", ".join(f'"{c}"' for c in current)
            keep = [tuple(row[c] for c in current) for row in rows if row["id"] not in taken]
            self.conn.execute_many(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' for _ in current)})", keep)
            others = [c for c in current if c != "id"]
            for row in rows:
                if row["id"] in taken:
                    new_id = self.conn.scalar(
                        f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in others)})"
                        f" VALUES ({', '.join(':' + c for c in others)}) RETURNING id",
                        **{c: row[c] for c in others},
                    )
                    remap[table][row["id"]] = int(new_id)
        self.conn.execute("DELETE FROM undo_entry WHERE id = :id", id=entry_id)

    @staticmethod
    def _follow(table: str, row: dict[str, Any], remap: dict[str, dict[int, int]]) -> dict[str, Any]:
        """Point a row at its parents' new ids where they had to change."""
        for column, parent in _PARENTS.get(table, ()):
            if row.get(column) in remap[parent]:
                row[column] = remap[parent][row[column]]
        return row

    def _taken(self, table: str, ids: list[int]) -> set[int]:
        taken: set[int] = set()
        for start in range(0, len(ids), _CHUNK):
            fragment, values = in_list("id", ids[start : start + _CHUNK])
            taken.update(row[0] for row in self.conn.all(f"SELECT id FROM {table} WHERE id IN {fragment}", **values))
        return taken

    def _check_guids(self, columns: list[str], rows: list[list[Any]]) -> None:
        guids = [row[columns.index("guid")] for row in rows]
        for start in range(0, len(guids), _CHUNK):
            fragment, values = in_list("g", guids[start : start + _CHUNK])
            clash = self.conn.one(f"SELECT id FROM note WHERE guid IN {fragment}", **values)
            if clash is not None:
                raise UndoConflict(f"note {clash[0]} is one of the deleted notes, added again since (by an import or builtin --restore); delete it, then run undo")

    def _check_deck_names(self, columns: list[str], rows: list[list[Any]]) -> None:
        folded = [row[columns.index("folded")] for row in rows]
        fragment, values = in_list("f", folded)
        clash = self.conn.one(f"SELECT name FROM deck WHERE folded IN {fragment}", **values) if folded else None
        if clash is not None:
            raise UndoConflict(f"a deck named {clash[0]!r} exists again; rename or delete it, then run undo")


class UndoConflict(DatabaseError):
    """What is to be restored clashes with what exists now."""


# Columns that point at another saved table's rows.
_PARENTS = {
    "note": (("deck_id", "deck"),),
    "card": (("note_id", "note"), ("deck_id", "deck")),
    "review_log": (("card_id", "card"),),
}
