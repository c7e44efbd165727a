"""The ``review_log`` table: appending answers (the schema lets only one
counted answer per card and study day in), what today holds, and history."""

from __future__ import annotations

from studycards.records import LogKind, ReviewEntry
from studycards.store.conn import Conn, Later, Read, by_first, in_list
from studycards.store.predicates import COUNTED, VISIBLE, in_decks, params

_COLUMNS = ", ".join(f'"{f}"' for f in ReviewEntry.FIELDS)
_INSERT = f"INSERT INTO review_log (card_id, {_COLUMNS}) VALUES (:card_id, {', '.join(':' + f for f in ReviewEntry.FIELDS)})"
_INSERT_MANY = f"INSERT INTO review_log (card_id, {_COLUMNS}) VALUES ({', '.join('?' for _ in range(len(ReviewEntry.FIELDS) + 1))})"


class Reviews:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def append(self, card_id: int, entry: ReviewEntry) -> Later:
        """Log one answer inside the caller's transaction; its id, readable
        once the transaction ends (on a server the insert goes out with the
        COMMIT). The caller has checked, behind the write lock, that a
        counted answer is the card's first that day; the unique index
        refuses a second one all the same (the transaction then fails)."""
        values = dict(zip(ReviewEntry.FIELDS, entry.row()), card_id=card_id, kind=str(entry.kind))
        return self.conn.scalar_later(f"{_INSERT} RETURNING id", **values)

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
        return self.conn.fetch(self.counted_today_read(today))[0]

    @staticmethod
    def counted_today_read(today: int) -> Read[tuple[int, int]]:
        return Read(
            "SELECT COUNT(*), COUNT(CASE WHEN before_due IS NULL THEN 1 END)"
            f" FROM review_log WHERE study_day = :today AND {COUNTED}",
            params(today),
            lambda rows: (int(rows[0][0]), int(rows[0][1])),
        )

    def new_by_deck(self, today: int) -> dict[int, int]:
        """New cards introduced on study day ``today``, per deck."""
        return self.conn.fetch(self.new_by_deck_read(today))[0]

    @staticmethod
    def new_by_deck_read(today: int) -> Read[dict[int, int]]:
        return Read(
            "SELECT card.deck_id, COUNT(*) FROM review_log JOIN card ON card.id = review_log.card_id"
            f" WHERE review_log.study_day = :today AND {COUNTED} AND review_log.before_due IS NULL GROUP BY card.deck_id",
            params(today),
            by_first,
        )

    def notes_answered(self, today: int) -> set[int]:
        """Notes with a counted answer today: their other cards wait a day."""
        return self.conn.fetch(self.notes_answered_read(today))[0]

    @staticmethod
    def notes_answered_read(today: int) -> Read[set[int]]:
        return Read(
            "SELECT DISTINCT card.note_id FROM review_log JOIN card ON card.id = review_log.card_id"
            f" WHERE review_log.study_day = :today AND {COUNTED}",
            params(today),
            lambda rows: {row[0] for row in rows},
        )

    def today(self, today: int) -> list[tuple[int, int, int, str]]:
        """(log id, card id, grade, kind) of today's counted and re-drill answers, in order."""
        rows = self.conn.all(
            "SELECT id, card_id, grade, kind FROM review_log WHERE study_day = :today AND kind IN (:review, :drill) ORDER BY id",
            **params(today),
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def today_with_cards(self, today: int, deck_ids: list[int] | None) -> list[tuple[int, int, int, str, bool, int]]:
        """Like ``today``, with whether each answer's card can be shown today
        in ``deck_ids`` (visible, in those decks) and its deck: what
        re-drills need, in one statement."""
        return self.conn.fetch(self.today_with_cards_read(today, deck_ids))[0]

    @staticmethod
    def today_with_cards_read(today: int, deck_ids: list[int] | None) -> Read[list[tuple[int, int, int, str, bool, int]]]:
        decks, values = in_decks(deck_ids)
        return Read(
            f"SELECT review_log.id, review_log.card_id, review_log.grade, review_log.kind, CASE WHEN {VISIBLE}{decks} THEN 1 ELSE 0 END,"
            " card.deck_id FROM review_log JOIN card ON card.id = review_log.card_id"
            " WHERE review_log.study_day = :today AND review_log.kind IN (:review, :drill) ORDER BY review_log.id",
            {**params(today), **values},
            lambda rows: [(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) for row in rows],
        )

    def for_fitting(self, deck_ids: list[int] | None) -> list[tuple[int, int, int, bool, int]]:
        """Every answer of cards in ``deck_ids`` (all decks: None) in order, as
        (card id, study day, grade, counted, the interval scheduled before
        it): what fitting and judging a scheduler on the history needs."""
        decks, values = in_decks(deck_ids)
        join = " JOIN card ON card.id = review_log.card_id" if deck_ids is not None else ""
        rows = self.conn.all(
            "SELECT review_log.card_id, review_log.study_day, review_log.grade, CASE WHEN review_log.kind = :review THEN 1 ELSE 0 END,"
            f" review_log.before_interval FROM review_log{join} WHERE review_log.kind IN (:review, :drill){decks} ORDER BY review_log.id",
            **params(0),
            **values,
        )
        return [(row[0], row[1], row[2], bool(row[3]), row[4]) for row in rows]

    def streak(self, today: int) -> int:
        """Consecutive study days with an answer, ending today (or yesterday,
        so a streak is not shown as broken before today's session)."""
        return self.conn.fetch(self.streak_read(today))[0]

    @staticmethod
    def streak_read(today: int) -> Read[int]:
        """One query, each step an indexed probe."""
        studied = "EXISTS (SELECT 1 FROM review_log WHERE study_day = {day})"
        return Read(
            "WITH RECURSIVE run(day) AS ("
            f" SELECT CASE WHEN {studied.format(day=':today')} THEN :today ELSE :yesterday END"
            f" WHERE {studied.format(day=':today')} OR {studied.format(day=':yesterday')}"
            f" UNION ALL SELECT run.day - 1 FROM run WHERE {studied.format(day='run.day - 1')})"
            " SELECT COUNT(*) FROM run",
            {"today": today, "yesterday": today - 1},
            lambda rows: int(rows[0][0]),
        )

    def of_cards(self, card_ids: list[int]) -> dict[int, list[ReviewEntry]]:
        out: dict[int, list[ReviewEntry]] = {}
        for start in range(0, len(card_ids), 500):
            fragment, ids = in_list("card", card_ids[start : start + 500])
            for row in self.conn.all(f"SELECT card_id, {_COLUMNS} FROM review_log WHERE card_id IN {fragment} ORDER BY id", **ids):
                out.setdefault(row[0], []).append(ReviewEntry.from_row(tuple(row)[1:]))
        return out
