"""Study statistics as plain data: every figure comes from aggregate SQL over
the review log and the card table (Python only ever sees grouped rows), so a
collection with a million reviews stays fast. Rendering lives in the CLI.

Definitions (also in the README):
- counted answers are review-log rows of kind ``review`` (the first answer
  of a card on a study day); re-drills are kind ``drill``;
- retention uses counted answers of cards that were not new, split young /
  mature by the interval the card had before the answer (< 21 / >= 21 days);
- study days are the integers stored with each answer, so day-start hour,
  timezone and daylight-saving changes were settled when the answer was given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from studycards import clock
from studycards.dbapi import Conn, in_list

MATURE = 21
INTERVAL_BUCKETS = [(1, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, 90), (91, 180), (181, 365), (366, None)]
EASE_BUCKETS = [(130, 149), (150, 169), (170, 189), (190, 209), (210, 229), (230, 249), (250, 269), (270, None)]
RETENTION_WINDOWS = (7, 30, 365)
FORECAST_DAYS = 30
HARDEST = 10


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class DayFigures:
    cards: int = 0  # distinct cards answered
    answers: int = 0  # every answer, re-drills and cram included
    seconds: float = 0.0  # answering time
    seconds_per_card: float | None = None
    new: int = 0  # cards answered for the first time
    redrills: int = 0
    counted: int = 0  # counted (first-of-day) answers
    correct: int = 0  # counted answers with grade >= 3
    correct_share: float | None = None


@dataclass
class Stats:
    study_day: str
    days: int
    today: DayFigures
    yesterday: DayFigures
    collection: dict[str, int]
    retention: dict[str, dict[str, dict[str, object]]]
    activity: dict[str, object]
    forecast: dict[str, object]
    intervals: list[dict[str, object]]
    easiness: list[dict[str, object]]
    grades: list[dict[str, object]]
    hours: list[dict[str, int]]
    hardest: list[dict[str, object]]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _logs(deck_ids: list[int] | None) -> tuple[str, str, dict[str, object]]:
    """FROM clause, extra condition and parameters for review-log aggregates,
    joined to notes only when filtering by deck."""
    if deck_ids is None:
        return "review_log", "", {}
    fragment, params = in_list("deck", deck_ids)
    joined = "review_log JOIN card ON card.id = review_log.card_id JOIN note ON note.id = card.note_id"
    return joined, f" AND note.deck_id IN {fragment}", params


def _cards(deck_ids: list[int] | None) -> tuple[str, str, dict[str, object]]:
    if deck_ids is None:
        return "card", "", {}
    fragment, params = in_list("deck", deck_ids)
    return "card JOIN note ON note.id = card.note_id", f" AND note.deck_id IN {fragment}", params


def _count_if(condition: str) -> str:
    return f"COUNT(CASE WHEN {condition} THEN 1 END)"  # NULLs are not counted: cheaper than SUM(CASE ... ELSE 0)


def day_figures(conn: Conn, day: int, deck_ids: list[int] | None) -> DayFigures:
    source, decks, params = _logs(deck_ids)
    row = conn.one(
        "SELECT COUNT(DISTINCT review_log.card_id), COUNT(review_log.id), COALESCE(SUM(review_log.answer_ms), 0),"
        f" {_count_if('review_log.kind = :review AND review_log.before_due IS NULL')},"
        f" {_count_if('review_log.kind = :drill')},"
        f" {_count_if('review_log.kind = :review')},"
        f" {_count_if('review_log.kind = :review AND review_log.grade >= 3')}"
        f" FROM {source} WHERE review_log.study_day = :day{decks}",
        day=day,
        review="review",
        drill="drill",
        **params,
    )
    cards, answers, ms, new, drills, n_counted, correct = (int(v) for v in row)  # type: ignore[union-attr]
    seconds = round(ms / 1000, 1)
    return DayFigures(
        cards=cards,
        answers=answers,
        seconds=seconds,
        seconds_per_card=round(ms / 1000 / cards, 1) if cards else None,
        new=new,
        redrills=drills,
        counted=n_counted,
        correct=correct,
        correct_share=_share(correct, n_counted),
    )


def collection_counts(conn: Conn, today: int, deck_ids: list[int] | None) -> dict[str, int]:
    source, decks, params = _cards(deck_ids)
    studied = "card.suspended = :no AND card.due IS NOT NULL"
    row = conn.one(
        "SELECT COUNT(card.id),"
        f" {_count_if('card.suspended = :no AND card.due IS NULL')},"
        f" {_count_if(studied + ' AND card.repetitions < 2')},"
        f" {_count_if(studied + ' AND card.repetitions >= 2 AND card.interval < :mature')},"
        f" {_count_if(studied + ' AND card.repetitions >= 2 AND card.interval >= :mature')},"
        f" {_count_if('card.suspended = :yes')}"
        f" FROM {source} WHERE card.id IS NOT NULL{decks}",
        no=False,
        yes=True,
        mature=MATURE,
        **params,
    )
    total, new, learning, young, mature, suspended = (int(v) for v in row)  # type: ignore[union-attr]
    leeches = conn.scalar(
        "SELECT COUNT(card.id) FROM card JOIN note ON note.id = card.note_id"
        f" WHERE (' ' || note.tags || ' ') LIKE :leech{decks}",
        leech="% leech %",
        **params,
    )
    return {"total": total, "new": new, "learning": learning, "young": young, "mature": mature, "suspended": suspended, "leeches": int(leeches)}


def retention(conn: Conn, today: int, deck_ids: list[int] | None) -> dict[str, dict[str, dict[str, object]]]:
    """Four conditional counts per window, each window read over its own
    range of the (kind, study_day, ...) index."""
    source, decks, params = _logs(deck_ids)
    columns = ", ".join(
        _count_if(condition)
        for condition in (
            "review_log.before_interval < :mature AND review_log.grade >= 3",
            "review_log.before_interval < :mature",
            "review_log.before_interval >= :mature AND review_log.grade >= 3",
            "review_log.before_interval >= :mature",
        )
    )
    values: list[int] = []
    for window in RETENTION_WINDOWS:
        row = conn.one(
            f"SELECT {columns} FROM {source}"
            " WHERE review_log.kind = :review AND review_log.before_due IS NOT NULL"
            f" AND review_log.study_day > :start AND review_log.study_day <= :today{decks}",
            review="review",
            mature=MATURE,
            start=today - window,
            today=today,
            **params,
        )
        values += [int(v) for v in row]  # type: ignore[union-attr]

    def figures(p: int, n: int) -> dict[str, object]:
        return {"passed": p, "failed": n - p, "total": n, "rate": _share(p, n)}

    out: dict[str, dict[str, dict[str, object]]] = {}
    for i, window in enumerate(RETENTION_WINDOWS):
        young_pass, young_all, mature_pass, mature_all = values[4 * i : 4 * i + 4]
        out[f"last_{window}_days"] = {
            "young": figures(young_pass, young_all),
            "mature": figures(mature_pass, mature_all),
            "all": figures(young_pass + mature_pass, young_all + mature_all),
        }
    return out


def streaks(study_days: list[int], today: int) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days. The current streak
    ends today, or yesterday when today has no answers yet."""
    days = sorted(set(study_days))
    longest = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day == previous + 1 else 1
        longest = max(longest, run)
        previous = day
    present = set(days)
    end = today if today in present else today - 1
    current = 0
    while end - current in present:
        current += 1
    return current, longest


def activity(conn: Conn, today: int, days: int, deck_ids: list[int] | None) -> dict[str, object]:
    source, decks, params = _logs(deck_ids)
    per_day = dict(
        conn.all(
            f"SELECT review_log.study_day, COUNT(review_log.id) FROM {source}"
            f" WHERE review_log.study_day <= :today{decks} GROUP BY review_log.study_day",
            today=today,
            **params,
        )
    )
    current, longest = streaks(list(per_day), today)
    window = [today - offset for offset in range(days - 1, -1, -1)]
    counts = [int(per_day.get(day, 0)) for day in window]
    studied = [c for c in counts if c]
    return {
        "days": [{"date": clock.day_to_date(d).isoformat(), "reviews": c} for d, c in zip(window, counts)],
        "total": sum(counts),
        "days_studied": len(studied),
        "average_per_study_day": round(sum(studied) / len(studied), 1) if studied else 0.0,
        "average_per_day": round(sum(counts) / days, 1) if days else 0.0,
        "current_streak": current,
        "longest_streak": longest,
    }


def forecast(conn: Conn, today: int, deck_ids: list[int] | None) -> dict[str, object]:
    source, decks, params = _cards(deck_ids)
    rows = conn.all(
        f"SELECT CASE WHEN card.due < :today THEN :today ELSE card.due END, COUNT(card.id) FROM {source}"
        f" WHERE card.suspended = :no AND card.due IS NOT NULL AND card.due < :end{decks} GROUP BY 1",
        today=today,
        end=today + FORECAST_DAYS,
        no=False,
        **params,
    )
    by_day = {int(day): int(count) for day, count in rows}
    series = [by_day.get(today + i, 0) for i in range(FORECAST_DAYS)]
    return {
        "days": [{"date": clock.day_to_date(today + i).isoformat(), "due": n} for i, n in enumerate(series)],
        "today": series[0],
        "tomorrow": series[1],
        "next_7_days": sum(series[:7]),
        "next_30_days": sum(series),
    }


def _bucket_label(low: int, high: int | None, scale: int = 1) -> str:
    if scale == 100:
        return f"{low / 100:.2f}+" if high is None else f"{low / 100:.2f}-{high / 100:.2f}"
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}-{high}"


def distributions(conn: Conn, today: int, days: int, deck_ids: list[int] | None) -> tuple[list, list, list, list]:  # type: ignore[type-arg]
    cards, card_decks, card_params = _cards(deck_ids)

    def bucketed(column: str, buckets: list[tuple[int, int | None]]) -> list[str]:
        return [
            _count_if(f"card.suspended = :no AND {column} >= {low}" + (f" AND {column} <= {high}" if high is not None else ""))
            for low, high in buckets
        ]

    # Both distributions in one pass over the studied cards ("suspended" is
    # tested per row: a plain scan beats an index lookup per studied card).
    interval_columns = bucketed("card.interval", INTERVAL_BUCKETS)
    ease_columns = bucketed("card.easiness", EASE_BUCKETS)
    row = [
        int(v)
        for v in conn.one(  # type: ignore[union-attr]
            f"SELECT {', '.join(interval_columns + ease_columns)} FROM {cards}"
            f" WHERE card.due IS NOT NULL{card_decks}",
            no=False,
            **card_params,
        )
    ]
    interval_counts, ease_counts = row[: len(INTERVAL_BUCKETS)], row[len(INTERVAL_BUCKETS) :]
    intervals = [{"bucket": _bucket_label(lo, hi), "count": n} for (lo, hi), n in zip(INTERVAL_BUCKETS, interval_counts)]
    ease = [{"bucket": _bucket_label(lo, hi, 100), "count": n} for (lo, hi), n in zip(EASE_BUCKETS, ease_counts)]

    source, decks, params = _logs(deck_ids)
    window = {"start": today - days, "today": today, **params}
    in_window = "review_log.study_day > :start AND review_log.study_day <= :today"
    # Conditional sums in one pass over the index, rather than GROUP BY (a sort).
    counts = conn.one(
        f"SELECT {', '.join(_count_if(f'review_log.grade = {g}') for g in range(6))} FROM {source}"
        f" WHERE {in_window} AND review_log.kind = :review{decks}",
        review="review",
        **window,
    )
    grade_rows = {g: int(n) for g, n in enumerate(counts)}  # type: ignore[arg-type]
    total = sum(grade_rows.values())
    grades = [{"grade": g, "count": int(grade_rows.get(g, 0)), "share": _share(int(grade_rows.get(g, 0)), total)} for g in range(6)]

    # Hour of day: SQL groups by absolute UTC hour (integer division); each
    # hour is then placed in the local hour it was, so daylight-saving
    # changes are honoured.
    hours = [0] * 24
    rows = conn.all(
        f'SELECT review_log."time" / 3600, COUNT(review_log.id) FROM {source} WHERE {in_window}{decks} GROUP BY 1', **window
    )
    for absolute, count in rows:
        local = datetime.fromtimestamp(int(absolute) * 3600, timezone.utc).astimezone()
        hours[local.hour] += int(count)
    return intervals, ease, grades, [{"hour": h, "count": n} for h, n in enumerate(hours)]


def hardest(conn: Conn, deck_ids: list[int] | None) -> list[dict[str, object]]:
    from studycards.render import prompt_and_answer

    _, decks, params = _cards(deck_ids)
    rows = conn.all(
        "SELECT card.id, card.kind, card.ord, card.lapses, card.easiness, card.suspended, note.front, note.back, deck.name"
        " FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = note.deck_id"
        f" WHERE card.due IS NOT NULL AND (card.lapses > 0 OR card.easiness < 250){decks}"
        " ORDER BY card.lapses DESC, card.easiness, card.id LIMIT :limit",
        limit=HARDEST,
        **params,
    )
    out = []
    for card_id, kind, ordinal, lapses, easiness, suspended, front, back, deck in rows:
        prompt, _ = prompt_and_answer(kind, ordinal, front, back)
        out.append({"id": card_id, "deck": deck, "prompt": prompt, "lapses": lapses, "easiness": easiness / 100, "suspended": bool(suspended)})
    return out


def gather(conn: Conn, today: int, days: int, deck_ids: list[int] | None) -> Stats:
    """Every figure, read from one consistent snapshot."""
    with conn.reading():
        intervals, ease, grades, hours = distributions(conn, today, days, deck_ids)
        return Stats(
            study_day=clock.day_to_date(today).isoformat(),
            days=days,
            today=day_figures(conn, today, deck_ids),
            yesterday=day_figures(conn, today - 1, deck_ids),
            collection=collection_counts(conn, today, deck_ids),
            retention=retention(conn, today, deck_ids),
            activity=activity(conn, today, days, deck_ids),
            forecast=forecast(conn, today, deck_ids),
            intervals=intervals,
            easiness=ease,
            grades=grades,
            hours=hours,
            hardest=hardest(conn, deck_ids),
        )
