"""The ``review_log`` table: appending answers (the schema lets only one
counted answer per card and study day in), what today holds, and history."""

from __future__ import annotations

from studycards.records import LogKind, ReviewEntry
from studycards.store.conn import Conn, in_list
from studycards.store.predicates import COUNTED, COUNTED_ONCE, VISIBLE, in_decks, params

_COLUMNS = ", ".join(f'"{f}"' for f in ReviewEntry.FIELDS)
_INSERT = f"INSERT INTO review_log (card_id, {_COLUMNS}) VALUES (:card_id, {', '.join(':' + f for f in ReviewEntry.FIELDS)})"
_INSERT_MANY = f"INSERT INTO review_log (card_id, {_COLUMNS}) VALUES ({', '.join('?' for _ in range(len(ReviewEntry.FIELDS) + 1))})"


class Reviews:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def append(self, card_id: int, entry: ReviewEntry) -> int | None:
        """Log one answer; returns its id, or None when ``entry`` is counted
        (``review``) and the card already has a counted answer that day."""
        values = dict(zip(ReviewEntry.FIELDS, entry.row()), card_id=card_id, kind=str(entry.kind))
        if entry.kind is not LogKind.REVIEW:
            return int(self.conn.scalar(f"{_INSERT} RETURNING id", **values))
        row = self.conn.one(f"{_INSERT} ON CONFLICT (card_id, study_day) WHERE {COUNTED_ONCE} DO NOTHING RETURNING id", **values)
        return None if row is None else int(row[0])

    def insert_many(self, rows: list[tuple[int, ReviewEntry]]) -> None:
        """History carried in by an import, as (card id, entry)."""
        self.conn.execute_many(_INSERT_MANY, [(card_id, *entry.row()) for card_id, entry in rows])

    def delete(self, log_id: int) -> None:
        self.conn.execute("DELETE FROM review_log WHERE id = :id", id=log_id)

    def counted(self, card_id: int, day: int) -> bool:
        return self.conn.one(
            f"SELECT id FROM review_log WHERE card_id = :card AND study_day = :today AND {COUNTED}", card=card_id, **params(day)
        ) is not None

    def counted_today(self, today: int) -> tuple[int, int]:
        """(counted answers, new cards introduced) on study day ``today``."""
        row = self.conn.one(
            "SELECT COUNT(*), COUNT(CASE WHEN before_due IS NULL THEN 1 END)"
            f" FROM review_log WHERE study_day = :today AND {COUNTED}",
            **params(today),
        )
        return int(row[0]), int(row[1])  # type: ignore[index]

    def new_by_deck(self, today: int) -> dict[int, int]:
        """New cards introduced on study day ``today``, per deck."""
        rows = self.conn.all(
            "SELECT card.deck_id, COUNT(*) FROM review_log JOIN card ON card.id = review_log.card_id"
            f" WHERE review_log.study_day = :today AND {COUNTED} AND review_log.before_due IS NULL GROUP BY card.deck_id",
            **params(today),
        )
        return {row[0]: row[1] for row in rows}

    def notes_answered(self, today: int) -> set[int]:
        """Notes with a counted answer today: their other cards wait a day."""
        rows = self.conn.all(
            "SELECT DISTINCT card.note_id FROM review_log JOIN card ON card.id = review_log.card_id"
            f" WHERE review_log.study_day = :today AND {COUNTED}",
            **params(today),
        )
        return {row[0] for row in rows}

    def today(self, today: int) -> list[tuple[int, int, int, str]]:
        """(log id, card id, grade, kind) of today's counted and re-drill answers, in order."""
        rows = self.conn.all(
            "SELECT id, card_id, grade, kind FROM review_log WHERE study_day = :today AND kind IN (:review, :drill) ORDER BY id",
            **params(today),
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def today_with_cards(self, today: int, deck_ids: list[int] | None) -> list[tuple[int, int, int, str, bool]]:
        """Like ``today``, with whether each answer's card can be shown today
        in ``deck_ids`` (visible, in those decks): what re-drills need, in
        one statement."""
        decks, values = in_decks(deck_ids)
        rows = self.conn.all(
            f"SELECT review_log.id, review_log.card_id, review_log.grade, review_log.kind, CASE WHEN {VISIBLE}{decks} THEN 1 ELSE 0 END"
            " FROM review_log JOIN card ON card.id = review_log.card_id"
            " WHERE review_log.study_day = :today AND review_log.kind IN (:review, :drill) ORDER BY review_log.id",
            **params(today),
            **values,
        )
        return [(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]

    def streak(self, today: int) -> int:
        """Consecutive study days with an answer, ending today (or yesterday,
        so a streak is not shown as broken before today's session): one
        query, each step an indexed probe."""
        studied = "EXISTS (SELECT 1 FROM review_log WHERE study_day = {day})"
        return int(self.conn.scalar(
            "WITH RECURSIVE run(day) AS ("
            f" SELECT CASE WHEN {studied.format(day=':today')} THEN :today ELSE :yesterday END"
            f" WHERE {studied.format(day=':today')} OR {studied.format(day=':yesterday')}"
            f" UNION ALL SELECT run.day - 1 FROM run WHERE {studied.format(day='run.day - 1')})"
            " SELECT COUNT(*) FROM run",
            today=today,
            yesterday=today - 1,
        ))

    def of_cards(self, card_ids: list[int]) -> dict[int, list[ReviewEntry]]:
        out: dict[int, list[ReviewEntry]] = {}
        for start in range(0, len(card_ids), 500):
            fragment, ids = in_list("card", card_ids[start : start + 500])
            for row in self.conn.all(f"SELECT card_id, {_COLUMNS} FROM review_log WHERE card_id IN {fragment} ORDER BY id", **ids):
                out.setdefault(row[0], []).append(ReviewEntry.from_row(tuple(row)[1:]))
        return out
