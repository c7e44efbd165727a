"""The ``deck`` table."""

from __future__ import annotations

from studycards import decktree
from studycards.store.conn import Conn, Read, by_first, in_list
from studycards.store.predicates import DUE_BY, NEW, VISIBLE, params


class Decks:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def ids_by_name(self, names: list[str]) -> dict[str, int]:
        """Deck ids by the names given, matched regardless of case."""
        fragment, values = in_list("name", [n.casefold() for n in names])
        found = {row[0]: row[1] for row in self.conn.all(f"SELECT folded, id FROM deck WHERE folded IN {fragment}", **values)}
        return {name: found[name.casefold()] for name in names if name.casefold() in found}

    def all(self) -> list[tuple[int, str]]:
        """(id, name) of every deck, in tree order (parents first, then
        their sub-decks, by name regardless of case)."""
        return self.conn.fetch(self.all_read())[0]

    @staticmethod
    def all_read() -> Read[list[tuple[int, str]]]:
        return Read("SELECT id, name FROM deck", parse=lambda rows: sorted(((r[0], r[1]) for r in rows), key=lambda row: decktree.sort_key(row[1])))

    def new_limits(self) -> dict[int, int | None]:
        """Each deck's own daily new-card limit (None: the global setting)."""
        return self.conn.fetch(self.new_limits_read())[0]

    @staticmethod
    def new_limits_read() -> Read[dict[int, int | None]]:
        return Read("SELECT id, new_per_day FROM deck", parse=by_first)

    def set_new_limit(self, deck_id: int, limit: int | None) -> None:
        self.conn.execute("UPDATE deck SET new_per_day = :limit WHERE id = :id", limit=limit, id=deck_id)

    def with_ids(self, deck_ids: list[int]) -> dict[int, tuple[str, str]]:
        fragment, values = in_list("deck", deck_ids)
        rows = self.conn.all(f"SELECT id, name, description FROM deck WHERE id IN {fragment}", **values)
        return {row[0]: (row[1], row[2]) for row in rows}

    def get_or_create(self, name: str, description: str | None = None) -> int:
        """The deck's id (matched regardless of case), creating it and any
        missing parent deck; a given description replaces the stored one."""
        row = self.conn.one("SELECT id, description FROM deck WHERE folded = :folded", folded=name.casefold())
        if row is None:
            parents = decktree.ancestors(name)
            if parents:  # the parent first, and its spelling for the path
                parent = self.get_or_create(parents[-1])
                name = self.with_ids([parent])[parent][0] + decktree.SEPARATOR + decktree.leaf(name)
            return int(self.conn.scalar(
                "INSERT INTO deck (name, folded, description) VALUES (:name, :folded, :description) RETURNING id",
                name=name,
                folded=name.casefold(),
                description=description or "",
            ))
        if description is not None and row[1] != description:
            self.conn.execute("UPDATE deck SET description = :description WHERE id = :id", description=description, id=row[0])
        return int(row[0])

    def rename_many(self, renames: list[tuple[int, str]]) -> None:
        """(deck id, new name) pairs, written in one statement each."""
        self.conn.execute_many("UPDATE deck SET name = ?, folded = ? WHERE id = ?", [(name, name.casefold(), i) for i, name in renames])

    def summaries(self, today: int) -> list[tuple[str, str, int, int, int, int]]:
        """(name, description, total, new, due today, suspended) of each
        deck's own cards, in tree order."""
        counts = {
            row[0]: tuple(row[1:])
            for row in self.conn.all(
                "SELECT card.deck_id, COUNT(*),"
                f" COUNT(CASE WHEN {NEW} AND card.suspended = :no THEN 1 END),"
                f" COUNT(CASE WHEN {DUE_BY} AND {VISIBLE} THEN 1 END),"
                " COUNT(CASE WHEN card.suspended = :yes THEN 1 END)"
                " FROM card GROUP BY card.deck_id",
                **params(today),
            )
        }
        rows = self.conn.all("SELECT id, name, description FROM deck")
        rows = sorted(rows, key=lambda row: decktree.sort_key(row[1]))
        return [(name, description, *counts.get(deck_id, (0, 0, 0, 0))) for deck_id, name, description in rows]  # type: ignore[misc]
