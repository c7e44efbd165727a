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

from sqlalchemy import case, func, literal
from sqlmodel import Session, col, select

from studycards import clock
from studycards.models import Card, Note, ReviewLog

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


def _logs(deck_ids: list[int] | None):  # type: ignore[no-untyped-def]
    """A FROM clause for review-log aggregates, joined to notes only when filtering."""
    if deck_ids is None:
        return lambda query: query
    return lambda query: (
        query.join(Card, col(Card.id) == ReviewLog.card_id)
        .join(Note, col(Note.id) == Card.note_id)
        .where(col(Note.deck_id).in_(deck_ids))
    )


def _cards(query, deck_ids: list[int] | None):  # type: ignore[no-untyped-def]
    if deck_ids is None:
        return query
    return query.join(Note, col(Note.id) == Card.note_id).where(col(Note.deck_id).in_(deck_ids))


def _count_if(condition):  # type: ignore[no-untyped-def]
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def day_figures(session: Session, day: int, deck_ids: list[int] | None) -> DayFigures:
    logs = _logs(deck_ids)
    counted = col(ReviewLog.kind) == "review"
    row = session.exec(
        logs(
            select(
                func.count(func.distinct(ReviewLog.card_id)),
                func.count(col(ReviewLog.id)),
                func.coalesce(func.sum(ReviewLog.answer_ms), 0),
                _count_if(counted & col(ReviewLog.before_due).is_(None)),
                _count_if(col(ReviewLog.kind) == "drill"),
                _count_if(counted),
                _count_if(counted & (col(ReviewLog.grade) >= 3)),
            ).select_from(ReviewLog)
        ).where(ReviewLog.study_day == day)
    ).one()
    cards, answers, ms, new, drills, n_counted, correct = (int(v) for v in row)
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


def collection_counts(session: Session, today: int, deck_ids: list[int] | None) -> dict[str, int]:
    active = col(Card.suspended).is_(False)
    studied = col(Card.due).is_not(None)
    row = session.exec(
        _cards(
            select(
                func.count(col(Card.id)),
                _count_if(active & ~studied),
                _count_if(active & studied & (col(Card.repetitions) < 2)),
                _count_if(active & studied & (col(Card.repetitions) >= 2) & (col(Card.interval) < MATURE)),
                _count_if(active & studied & (col(Card.repetitions) >= 2) & (col(Card.interval) >= MATURE)),
                _count_if(~active),
            ).select_from(Card),
            deck_ids,
        )
    ).one()
    total, new, learning, young, mature, suspended = (int(v) for v in row)
    leech_query = select(func.count(col(Card.id))).select_from(Card).join(Note, col(Note.id) == Card.note_id)
    leech_query = leech_query.where((literal(" ") + col(Note.tags) + literal(" ")).contains(" leech "))
    if deck_ids is not None:
        leech_query = leech_query.where(col(Note.deck_id).in_(deck_ids))
    leeches = int(session.exec(leech_query).one())
    return {"total": total, "new": new, "learning": learning, "young": young, "mature": mature, "suspended": suspended, "leeches": leeches}


def retention(session: Session, today: int, deck_ids: list[int] | None) -> dict[str, dict[str, dict[str, object]]]:
    """One pass over the longest window, with a conditional count per cell."""
    logs = _logs(deck_ids)
    mature = col(ReviewLog.before_interval) >= MATURE
    passed = col(ReviewLog.grade) >= 3
    columns = []
    for window in RETENTION_WINDOWS:
        inside = col(ReviewLog.study_day) > today - window
        columns += [
            _count_if(inside & ~mature & passed),
            _count_if(inside & ~mature),
            _count_if(inside & mature & passed),
            _count_if(inside & mature),
        ]
    row = session.exec(
        logs(select(*columns).select_from(ReviewLog)).where(
            ReviewLog.kind == "review",
            col(ReviewLog.before_due).is_not(None),
            ReviewLog.study_day > today - max(RETENTION_WINDOWS),
            ReviewLog.study_day <= today,
        )
    ).one()
    values = [int(v) for v in row]

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


def activity(session: Session, today: int, days: int, deck_ids: list[int] | None) -> dict[str, object]:
    logs = _logs(deck_ids)
    per_day = dict(
        session.exec(
            logs(select(ReviewLog.study_day, func.count(col(ReviewLog.id))).select_from(ReviewLog))
            .where(ReviewLog.study_day <= today)
            .group_by(ReviewLog.study_day)
        ).all()
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


def forecast(session: Session, today: int, deck_ids: list[int] | None) -> dict[str, object]:
    due_day = case((col(Card.due) < today, today), else_=col(Card.due))
    rows = session.exec(
        _cards(select(due_day, func.count(col(Card.id))).select_from(Card), deck_ids)
        .where(col(Card.suspended).is_(False), col(Card.due).is_not(None), col(Card.due) < today + FORECAST_DAYS)
        .group_by(due_day)
    ).all()
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


def distributions(session: Session, today: int, days: int, deck_ids: list[int] | None) -> tuple[list, list, list, list]:  # type: ignore[type-arg]
    studied = col(Card.due).is_not(None) & col(Card.suspended).is_(False)

    def bucketed(column, buckets):  # type: ignore[no-untyped-def]
        columns = [_count_if((column >= low) & (column <= high) if high is not None else column >= low) for low, high in buckets]
        return [int(v) for v in session.exec(_cards(select(*columns).select_from(Card), deck_ids).where(studied)).one()]

    interval_counts = bucketed(col(Card.interval), INTERVAL_BUCKETS)
    ease_counts = bucketed(col(Card.easiness), EASE_BUCKETS)
    intervals = [{"bucket": _bucket_label(lo, hi), "count": n} for (lo, hi), n in zip(INTERVAL_BUCKETS, interval_counts)]
    ease = [{"bucket": _bucket_label(lo, hi, 100), "count": n} for (lo, hi), n in zip(EASE_BUCKETS, ease_counts)]

    logs = _logs(deck_ids)
    in_window = (col(ReviewLog.study_day) > today - days) & (col(ReviewLog.study_day) <= today)
    grade_rows = dict(
        session.exec(
            logs(select(ReviewLog.grade, func.count(col(ReviewLog.id))).select_from(ReviewLog))
            .where(in_window, ReviewLog.kind == "review")
            .group_by(ReviewLog.grade)
        ).all()
    )
    total = sum(grade_rows.values())
    grades = [{"grade": g, "count": int(grade_rows.get(g, 0)), "share": _share(int(grade_rows.get(g, 0)), total)} for g in range(6)]

    # Hour of day: SQL groups by absolute UTC hour; each hour is then placed
    # in the local hour it was, so daylight-saving changes are honoured.
    hour = col(ReviewLog.time) // 3600
    hours = [0] * 24
    for absolute, count in session.exec(
        logs(select(hour, func.count(col(ReviewLog.id))).select_from(ReviewLog)).where(in_window).group_by(hour)
    ):
        local = datetime.fromtimestamp(int(absolute) * 3600, timezone.utc).astimezone()
        hours[local.hour] += int(count)
    return intervals, ease, grades, [{"hour": h, "count": n} for h, n in enumerate(hours)]


def hardest(session: Session, deck_ids: list[int] | None) -> list[dict[str, object]]:
    from studycards.models import Deck
    from studycards.render import prompt_and_answer

    query = (
        select(Card, Note, Deck.name)
        .join(Note, col(Note.id) == Card.note_id)
        .join(Deck, col(Deck.id) == Note.deck_id)
        .where(col(Card.due).is_not(None), (col(Card.lapses) > 0) | (col(Card.easiness) < 250))
        .order_by(col(Card.lapses).desc(), col(Card.easiness), col(Card.id))
        .limit(HARDEST)
    )
    if deck_ids is not None:
        query = query.where(col(Note.deck_id).in_(deck_ids))
    out = []
    for card, note, deck in session.exec(query):
        prompt, _ = prompt_and_answer(card.kind, card.ord, note.front, note.back)
        out.append({"id": card.id, "deck": deck, "prompt": prompt, "lapses": card.lapses, "easiness": card.easiness / 100, "suspended": card.suspended})
    return out


def gather(session: Session, today: int, days: int, deck_ids: list[int] | None) -> Stats:
    intervals, ease, grades, hours = distributions(session, today, days, deck_ids)
    return Stats(
        study_day=clock.day_to_date(today).isoformat(),
        days=days,
        today=day_figures(session, today, deck_ids),
        yesterday=day_figures(session, today - 1, deck_ids),
        collection=collection_counts(session, today, deck_ids),
        retention=retention(session, today, deck_ids),
        activity=activity(session, today, days, deck_ids),
        forecast=forecast(session, today, deck_ids),
        intervals=intervals,
        easiness=ease,
        grades=grades,
        hours=hours,
        hardest=hardest(session, deck_ids),
    )


