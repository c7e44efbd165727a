"""Study statistics as plain data: every figure comes from aggregate SQL over
the review log and the card table (Python only ever sees grouped rows), so a
collection with a million reviews stays fast (the SQL is in
store/statistics.py). Rendering is statsview.py's.

Definitions (also in the README):
- counted answers are review-log rows of kind ``review`` (the first answer
  of a card on a study day); re-drills are kind ``drill``; an answer is
  correct from ``scheduler.PASS_GRADE`` (3) up;
- retention uses counted answers of cards that were not new, split young /
  mature by the interval the card had before the answer (< 21 / >= 21 days);
- study days are the integers stored with each answer, so day-start hour,
  timezone and daylight-saving changes were settled when the answer was given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from typing import TYPE_CHECKING

from studycards import clock

if TYPE_CHECKING:
    from studycards.settings import Settings
    from studycards.store import Store

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
    fsrs: dict[str, object] | None = None  # FSRS figures of the decks on FSRS (None: no deck is)
    calibration: dict[str, object] | None = None  # with `stats --calibration`

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def day_figures(store: Store, day: int, deck_ids: list[int] | None) -> DayFigures:
    cards, answers, ms, new, drills, n_counted, correct = store.statistics.day(day, deck_ids)
    return DayFigures(
        cards=cards,
        answers=answers,
        seconds=round(ms / 1000, 1),
        seconds_per_card=round(ms / 1000 / cards, 1) if cards else None,
        new=new,
        redrills=drills,
        counted=n_counted,
        correct=correct,
        correct_share=_share(correct, n_counted),
    )


def collection_counts(store: Store, deck_ids: list[int] | None) -> dict[str, int]:
    total, new, learning, young, mature, suspended, leeches = store.statistics.collection(deck_ids, MATURE)
    return {"total": total, "new": new, "learning": learning, "young": young, "mature": mature, "suspended": suspended, "leeches": leeches}


def retention(store: Store, today: int, deck_ids: list[int] | None) -> dict[str, dict[str, dict[str, object]]]:
    values = store.statistics.retention(today, RETENTION_WINDOWS, deck_ids, MATURE)

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


def activity(store: Store, today: int, days: int, deck_ids: list[int] | None) -> dict[str, object]:
    per_day = store.statistics.answers_per_day(today, deck_ids)
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


def forecast(store: Store, today: int, deck_ids: list[int] | None) -> dict[str, object]:
    by_day = store.statistics.due_per_day(today, today + FORECAST_DAYS, deck_ids)
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


def distributions(store: Store, today: int, days: int, deck_ids: list[int] | None) -> tuple[list, list, list, list]:  # type: ignore[type-arg]
    row = store.statistics.card_buckets(INTERVAL_BUCKETS, EASE_BUCKETS, deck_ids)
    interval_counts, ease_counts = row[: len(INTERVAL_BUCKETS)], row[len(INTERVAL_BUCKETS) :]
    intervals = [{"bucket": _bucket_label(lo, hi), "count": n} for (lo, hi), n in zip(INTERVAL_BUCKETS, interval_counts)]
    ease = [{"bucket": _bucket_label(lo, hi, 100), "count": n} for (lo, hi), n in zip(EASE_BUCKETS, ease_counts)]

    grade_rows = dict(enumerate(store.statistics.grades(today - days, today, deck_ids)))
    total = sum(grade_rows.values())
    grades = [{"grade": g, "count": int(grade_rows.get(g, 0)), "share": _share(int(grade_rows.get(g, 0)), total)} for g in range(6)]

    # Hour of day: SQL groups by absolute UTC hour; each hour is then placed
    # in the local hour it was, so daylight-saving changes are honoured.
    hours = [0] * 24
    for absolute, count in store.statistics.answers_per_utc_hour(today - days, today, deck_ids):
        local = datetime.fromtimestamp(absolute * 3600, timezone.utc).astimezone()
        hours[local.hour] += count
    return intervals, ease, grades, [{"hour": h, "count": n} for h, n in enumerate(hours)]


def hardest(store: Store, deck_ids: list[int] | None) -> list[dict[str, object]]:
    from studycards.render import prompt_and_answer

    out = []
    for card_id, lapses, easiness, suspended, kind, ordinal, front, back, deck in store.statistics.hardest(HARDEST, deck_ids):
        prompt, _ = prompt_and_answer(kind, ordinal, front, back)
        out.append({"id": card_id, "deck": deck, "prompt": prompt, "lapses": lapses, "easiness": easiness / 100, "suspended": bool(suspended)})
    return out


STABILITY_BUCKETS = [(0, 1), (1, 7), (7, 30), (30, 90), (90, 365), (365, None)]  # days, low inclusive


def fsrs_figures(store: Store, today: int, deck_ids: list[int] | None, settings: Settings) -> dict[str, object] | None:
    """Under FSRS: the predicted recall of today's due cards and the average
    retrievability of every studied card (each from its deck's parameters),
    stability and difficulty distributions, and the true retention of the
    last 30 days beside the desired one. None when no deck in scope is on
    FSRS or its library is missing."""
    from studycards import fsrs_scheduler
    from studycards.scheduling import deck_schedulers

    configs = {d: c for d, c in deck_schedulers(store, settings).items() if c is not None and (deck_ids is None or d in deck_ids)}
    if not configs:
        return None
    try:
        fsrs_scheduler.library()
    except fsrs_scheduler.FsrsMissing:
        return None
    everywhere = {}
    for config in set(configs.values()):  # the decks' parameters differ only if optimized apart
        rows = store.statistics.memory([d for d, c in configs.items() if c == config])
        everywhere[config] = rows
    recall_all, recall_due, stabilities, difficulties = [], [], [], []
    for config, rows in everywhere.items():
        for stability, difficulty, due, interval in rows:
            elapsed = max(0, today - (due - interval))
            r = fsrs_scheduler.retrievability(fsrs_scheduler.Memory(stability, difficulty), elapsed, config)
            recall_all.append(r)
            if due <= today:
                recall_due.append(r)
            stabilities.append(stability)
            difficulties.append(difficulty)
    desired = float(settings.desired_retention)
    last_30 = retention(store, today, list(configs))["last_30_days"]["all"]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {
        "decks": len(configs),
        "cards_with_memory": len(stabilities),
        "desired_retention": desired,
        "predicted_recall_due_today": mean(recall_due),
        "due_today": len(recall_due),
        "average_retrievability": mean(recall_all),
        "true_retention_last_30_days": last_30["rate"],
        "counted_answers_last_30_days": last_30["total"],
        "stability_days": [
            {"bucket": f"{low}-{high}" if high else f"{low}+", "cards": sum(1 for x in stabilities if x >= low and (high is None or x < high))}
            for low, high in STABILITY_BUCKETS
        ],
        "difficulty": [{"bucket": f"{low}-{low + 1}", "cards": sum(1 for x in difficulties if low <= x < low + 1 or (low == 9 and x == 10))} for low in range(1, 10)],
    }


def calibration(store: Store, deck_ids: list[int] | None) -> dict[str, object]:
    """Predicted against actual recall over every review (a card's counted
    answer after its first) of these decks, in bins of predicted recall:
    SM-2 by srs-benchmark's convention (p = 0.9^(elapsed / interval)), and
    FSRS with the parameters in force for them (fitted, else the defaults)
    when its library is installed."""
    from studycards import fitting, fsrs_fit, fsrs_scheduler

    with store.reading():
        log = fitting.answers(store, deck_ids)
        try:
            fsrs_scheduler.library()
            parameters: tuple[float, ...] | None = fitting.parameters_for(store, deck_ids)[0]
        except fsrs_scheduler.FsrsMissing:
            parameters = None
    bins = fsrs_fit.calibration(log, parameters)
    return {model: [asdict(b) for b in found] for model, found in bins.items()}


def gather(store: Store, today: int, days: int, deck_ids: list[int] | None, settings: Settings | None = None) -> Stats:
    """Every figure, read from one consistent snapshot."""
    with store.reading():
        intervals, ease, grades, hours = distributions(store, today, days, deck_ids)
        return Stats(
            study_day=clock.day_to_date(today).isoformat(),
            days=days,
            today=day_figures(store, today, deck_ids),
            yesterday=day_figures(store, today - 1, deck_ids),
            collection=collection_counts(store, deck_ids),
            retention=retention(store, today, deck_ids),
            activity=activity(store, today, days, deck_ids),
            forecast=forecast(store, today, deck_ids),
            intervals=intervals,
            easiness=ease,
            grades=grades,
            hours=hours,
            hardest=hardest(store, deck_ids),
            fsrs=None if settings is None else fsrs_figures(store, today, deck_ids, settings),
        )
