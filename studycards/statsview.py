"""Statistics as terminal text that fits 80 columns.

Pure text: colour is applied through the ``paint(text, role)`` function the
CLI passes in (it returns the text unchanged when colour is off), so this
module never decides whether the terminal can show colour.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from studycards.stats import DayFigures, Stats
from studycards.text import sanitize

Paint = Callable[[str, str], str]
WIDTH = 80
LEVELS = "·░▒▓█"
BARS = " ▁▂▃▄▅▆▇█"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def _today(label: str, d: DayFigures) -> str:
    per = "—" if d.seconds_per_card is None else f"{d.seconds_per_card:.1f}"
    return f"  {label:<10}{d.cards:>6}{d.answers:>9}{_duration(d.seconds):>9}{per:>8}{d.new:>6}{d.redrills:>10}{_pct(d.correct_share):>10}"


def _bar(count: int, top: int, width: int) -> str:
    return "█" * (round(width * count / top) if top else 0)


def _heatmap(days: list[dict], paint: Paint) -> list[str]:  # type: ignore[type-arg]
    if not days:
        return []
    first = date.fromisoformat(days[0]["date"])
    offset = first.weekday()  # Monday = 0: weeks are columns, weekdays rows
    cells: list[list[str]] = [[] for _ in range(7)]
    top = max(d["reviews"] for d in days) or 1
    for row in range(offset):
        cells[row].append(" ")
    for i, d in enumerate(days):
        n = d["reviews"]
        level = 0 if n == 0 else min(4, 1 + (n * 4 - 1) // top)
        cells[(offset + i) % 7].append(paint(LEVELS[level], "heat" if level else "dim"))
    weeks = max(len(r) for r in cells)
    keep = WIDTH - 6
    names = ["Mon", "", "Wed", "", "Fri", "", "Sun"]
    lines = [f"  {names[r]:<4}" + "".join(cells[r][-keep:]) for r in range(7)]
    if weeks > keep:
        lines.append(f"  (the last {keep} weeks of {weeks} are shown)")
    lines.append("  Less " + " ".join(paint(c, "heat" if i else "dim") for i, c in enumerate(LEVELS)) + " More")
    return lines


def _columns_chart(values: list[int], height: int = 5) -> list[str]:
    top = max(values) if values else 0
    if not top:
        return ["  (nothing due)"]
    lines = []
    for level in range(height, 0, -1):
        row = ""
        for v in values:
            eighths = round(v * height * 8 / top) - (level - 1) * 8
            row += BARS[max(0, min(8, eighths))]
        label = str(top) if level == height else ""
        lines.append(f"  {label:>5} │{row}")
    lines.append("        └" + "─" * len(values))
    return lines


def render(stats: Stats, scope: str, paint: Paint) -> list[str]:
    out: list[str] = []
    head = lambda text: out.extend(["", paint(text, "head")])  # noqa: E731
    out.append(paint(f"Statistics · {sanitize(scope)} · study day {date.fromisoformat(stats.study_day):%a %d %b %Y}", "title"))

    head("Today")
    out.append(f"  {'':<10}{'cards':>6}{'answers':>9}{'time':>9}{'s/card':>8}{'new':>6}{'re-drills':>10}{'grade≥3':>10}")
    out.append(_today("today", stats.today))
    out.append(_today("yesterday", stats.yesterday))

    c = stats.collection
    head(f"Collection: {c['total']} cards")
    out.append(
        f"  new {c['new']} · learning {c['learning']} · young {c['young']} · mature {c['mature']}"
        f" · suspended {c['suspended']} · leeches {c['leeches']}"
    )

    head("Retention (counted answers of studied cards with grade ≥ 3)")
    out.append(f"  {'':<12}{'young':>18}{'mature':>18}{'all':>18}")
    for key, label in (("last_7_days", "7 days"), ("last_30_days", "30 days"), ("last_365_days", "365 days")):
        cells = []
        for part in ("young", "mature", "all"):
            f = stats.retention[key][part]
            cells.append("—" if not f["total"] else f"{_pct(f['rate'])} ({f['passed']}/{f['total']})")
        out.append(f"  {label:<12}" + "".join(f"{cell:>18}" for cell in cells))

    if stats.fsrs:
        f = stats.fsrs
        head(f"FSRS: {f['cards_with_memory']} cards in {f['decks']} deck{'s' if f['decks'] != 1 else ''} (desired retention {_pct(f['desired_retention'])})")
        due = "—" if f["predicted_recall_due_today"] is None else f"{_pct(f['predicted_recall_due_today'])} of {f['due_today']}"
        true = "—" if f["true_retention_last_30_days"] is None else f"{_pct(f['true_retention_last_30_days'])} of {f['counted_answers_last_30_days']}"
        mean = "—" if f["average_retrievability"] is None else _pct(f["average_retrievability"])
        out.append(f"  predicted recall of today's due cards {due} · average retrievability {mean} · true retention (30 days) {true}")
        out.append("  stability (days): " + " · ".join(f"{b['bucket']} {b['cards']}" for b in f["stability_days"]))  # type: ignore[union-attr]
        out.append("  difficulty: " + " · ".join(f"{b['bucket']} {b['cards']}" for b in f["difficulty"]))  # type: ignore[union-attr]

    if stats.calibration:
        head("Calibration: predicted against actual recall, every review in the log")
        for model, label in (("sm2", "SM-2"), ("fsrs", "FSRS")):
            bins = stats.calibration.get(model)
            if bins:
                cells = " · ".join(f"{_pct(b['low'])}-{_pct(b['high'])} {_pct(b['actual'])} of {b['reviews']}" for b in bins)  # type: ignore[union-attr]
                out.append(f"  {label}: {cells}")

    a = stats.activity
    head(f"Activity: last {stats.days} days")
    out.append(
        f"  {a['total']} answers on {a['days_studied']} day{'s' if a['days_studied'] != 1 else ''} · {a['average_per_study_day']} per study day"
        f" · streak {a['current_streak']} (longest {a['longest_streak']})"
    )
    out.extend(_heatmap(a["days"], paint))

    f = stats.forecast
    head("Forecast: cards due per day for 30 days (overdue counted today)")
    out.extend(_columns_chart([d["due"] for d in f["days"]]))
    out.append(f"  today {f['today']} · tomorrow {f['tomorrow']} · next 7 days {f['next_7_days']} · next 30 days {f['next_30_days']}")

    def bars(title: str, rows: list[tuple[str, int, str]]) -> None:
        head(title)
        top = max((n for _, n, _ in rows), default=0)
        for label, n, extra in rows:
            out.append(f"  {label:>10} {n:>7}{extra:>6} {paint(_bar(n, top, 50), 'bar')}".rstrip())

    bars("Intervals (days)", [(r["bucket"], r["count"], "") for r in stats.intervals])
    bars("Easiness", [(r["bucket"], r["count"], "") for r in stats.easiness])
    bars(f"Grades given (last {stats.days} days)", [(str(r["grade"]), r["count"], _pct(r["share"]) if r["count"] else "") for r in stats.grades])
    head(f"Answers by hour of day (last {stats.days} days)")
    out.extend(_columns_chart([h["count"] for h in stats.hours], height=3))
    out.append("         " + "".join(f"{h:<6}" for h in range(0, 24, 6)))

    head("Hardest cards")
    if not stats.hardest:
        out.append("  none yet")
    for h in stats.hardest:
        prompt = sanitize(h["prompt"]).replace("\n", " ")
        prompt = prompt if len(prompt) <= 52 else prompt[:51] + "…"
        out.append(f"  {h['id']:>6}  {h['lapses']:>2} lapses  {h['easiness']:.2f}  {prompt}")
    return [line.rstrip() for line in out]
