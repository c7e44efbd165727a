"""Aggregate queries behind ``studycards stats``: plain numbers and grouped
rows out, every figure computed in SQL over covering indexes, so a
collection with a million reviews stays fast. The shaping is in stats.py."""

from __future__ import annotations

from typing import Any

from studycards.records import LogKind
from studycards.scheduler import INITIAL_EASINESS, LEECH_TAG, PASS_GRADE
from studycards.store.conn import Conn, in_list
from studycards.store.predicates import FACE, COUNTED, NEW, STUDIED, in_decks

Buckets = list[tuple[int, int | None]]


def _count_if(condition: str) -> str:
    return f"COUNT(CASE WHEN {condition} THEN 1 END)"  # NULLs are not counted: cheaper than SUM(CASE ... ELSE 0)


def _logs(deck_ids: list[int] | None) -> tuple[str, str, dict[str, object]]:
    """FROM clause, extra condition and parameters for review-log
    aggregates, joined to cards only when filtering by deck."""
    if deck_ids is None:
        return "review_log", "", {}
    decks, values = in_decks(deck_ids)
    return "review_log JOIN card ON card.id = review_log.card_id", decks, values


def _ints(row: Any) -> list[int]:
    return [int(v) for v in row]


class Statistics:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.kinds = {"review": LogKind.REVIEW.value, "drill": LogKind.DRILL.value, "passed": PASS_GRADE}

    def day(self, day: int, deck_ids: list[int] | None) -> list[int]:
        """cards, answers, answer ms, new, re-drills, counted, correct on ``day``."""
        source, decks, values = _logs(deck_ids)
        return _ints(self.conn.one(
            "SELECT COUNT(DISTINCT review_log.card_id), COUNT(review_log.id), COALESCE(SUM(review_log.answer_ms), 0),"
            f" {_count_if(f'{COUNTED} AND review_log.before_due IS NULL')},"
            f" {_count_if('review_log.kind = :drill')},"
            f" {_count_if(COUNTED)},"
            f" {_count_if(f'{COUNTED} AND review_log.grade >= :passed')}"
            f" FROM {source} WHERE review_log.study_day = :day{decks}",
            day=day,
            **self.kinds,
            **values,
        ))

    def memory(self, deck_ids: list[int]) -> list[tuple[float, float, int, int]]:
        """(stability, difficulty, due day, interval) of studied cards with an
        FSRS memory state in these decks."""
        fragment, values = in_list("deck", deck_ids)
        rows = self.conn.all(
            f"SELECT stability, difficulty, due, interval FROM card WHERE deck_id IN {fragment}"
            " AND stability IS NOT NULL AND difficulty IS NOT NULL AND due IS NOT NULL",
            **values,
        )
        return [(float(r[0]), float(r[1]), int(r[2]), int(r[3])) for r in rows]

    def collection(self, deck_ids: list[int] | None, mature: int) -> list[int]:
        """total, new, learning, young, mature, suspended, leeches."""
        decks, values = in_decks(deck_ids)
        studied = f"card.suspended = :no AND {STUDIED}"
        row = _ints(self.conn.one(
            "SELECT COUNT(card.id),"
            f" {_count_if(f'card.suspended = :no AND {NEW}')},"
            f" {_count_if(studied + ' AND card.repetitions < 2')},"
            f" {_count_if(studied + ' AND card.repetitions >= 2 AND card.interval < :mature')},"
            f" {_count_if(studied + ' AND card.repetitions >= 2 AND card.interval >= :mature')},"
            f" {_count_if('card.suspended = :yes')}"
            f" FROM card WHERE card.id IS NOT NULL{decks}",
            no=False,
            yes=True,
            mature=mature,
            **values,
        ))
        leeches = self.conn.scalar(
            "SELECT COUNT(card.id) FROM card JOIN note ON note.id = card.note_id"
            # LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
            f" WHERE LOWER(' ' || note.tags || ' ') LIKE :leech{decks}",
            leech=f"% {LEECH_TAG.lower()} %",
            **values,
        )
        return row + [int(leeches)]

    def retention(self, today: int, windows: tuple[int, ...], deck_ids: list[int] | None, mature: int) -> list[int]:
        """Per window: young passed, young total, mature passed, mature total;
        each window read over its own range of the (kind, study_day, ...) index."""
        source, decks, values = _logs(deck_ids)
        columns = ", ".join(
            _count_if(condition)
            for condition in (
                "review_log.before_interval < :mature AND review_log.grade >= :passed",
                "review_log.before_interval < :mature",
                "review_log.before_interval >= :mature AND review_log.grade >= :passed",
                "review_log.before_interval >= :mature",
            )
        )
        out: list[int] = []
        for window in windows:
            out += _ints(self.conn.one(
                f"SELECT {columns} FROM {source}"
                f" WHERE {COUNTED} AND review_log.before_due IS NOT NULL"
                f" AND review_log.study_day > :start AND review_log.study_day <= :today{decks}",
                mature=mature,
                start=today - window,
                today=today,
                **self.kinds,
                **values,
            ))
        return out

    def answers_per_day(self, today: int, deck_ids: list[int] | None) -> dict[int, int]:
        source, decks, values = _logs(deck_ids)
        rows = self.conn.all(
            f"SELECT review_log.study_day, COUNT(review_log.id) FROM {source}"
            f" WHERE review_log.study_day <= :today{decks} GROUP BY review_log.study_day",
            today=today,
            **values,
        )
        return {int(row[0]): int(row[1]) for row in rows}

    def due_per_day(self, today: int, end: int, deck_ids: list[int] | None) -> dict[int, int]:
        """Cards due per day before ``end``; overdue ones count for today."""
        decks, values = in_decks(deck_ids)
        rows = self.conn.all(
            "SELECT CASE WHEN card.due < :today THEN :today ELSE card.due END, COUNT(card.id) FROM card"
            f" WHERE card.suspended = :no AND {STUDIED} AND card.due < :end{decks} GROUP BY 1",
            today=today,
            end=end,
            no=False,
            **values,
        )
        return {int(row[0]): int(row[1]) for row in rows}

    def card_buckets(self, intervals: Buckets, easiness: Buckets, deck_ids: list[int] | None) -> list[int]:
        """Studied, unsuspended cards per interval bucket, then per easiness
        bucket, in one pass (a plain scan beats an index lookup per card)."""
        decks, values = in_decks(deck_ids)

        def bucketed(column: str, buckets: Buckets) -> list[str]:
            return [
                _count_if(f"card.suspended = :no AND {column} >= {low}" + (f" AND {column} <= {high}" if high is not None else ""))
                for low, high in buckets
            ]

        columns = bucketed("card.interval", intervals) + bucketed("card.easiness", easiness)
        return _ints(self.conn.one(f"SELECT {', '.join(columns)} FROM card WHERE {STUDIED}{decks}", no=False, **values))

    def grades(self, start: int, today: int, deck_ids: list[int] | None) -> list[int]:
        """Counted answers per grade 0-5 in (start, today]: conditional counts
        in one pass over the index, rather than GROUP BY (a sort)."""
        source, decks, values = _logs(deck_ids)
        return _ints(self.conn.one(
            f"SELECT {', '.join(_count_if(f'review_log.grade = {g}') for g in range(6))} FROM {source}"
            f" WHERE review_log.study_day > :start AND review_log.study_day <= :today AND {COUNTED}{decks}",
            start=start,
            today=today,
            **self.kinds,
            **values,
        ))

    def answers_per_utc_hour(self, start: int, today: int, deck_ids: list[int] | None) -> list[tuple[int, int]]:
        """(absolute UTC hour, answers) in (start, today]: integer division in SQL."""
        source, decks, values = _logs(deck_ids)
        rows = self.conn.all(
            f'SELECT review_log."time" / 3600, COUNT(review_log.id) FROM {source}'
            f" WHERE review_log.study_day > :start AND review_log.study_day <= :today{decks} GROUP BY 1",
            start=start,
            today=today,
            **values,
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    def hardest(self, limit: int, deck_ids: list[int] | None) -> list[Any]:
        """id, lapses, easiness, suspended, kind, ord, front, back, deck name
        of the studied cards with most lapses, then lowest easiness."""
        decks, values = in_decks(deck_ids)
        return self.conn.all(
            f"SELECT card.id, card.lapses, card.easiness, card.suspended, {FACE}, deck.name"
            " FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id"
            f" WHERE {STUDIED} AND (card.lapses > 0 OR card.easiness < :initial){decks}"
            " ORDER BY card.lapses DESC, card.easiness, card.id LIMIT :limit",
            initial=INITIAL_EASINESS,
            limit=limit,
            **values,
        )
