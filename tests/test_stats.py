"""`studycards stats` on a known history: every figure against a hand count."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time
from helpers import answers, set_tz

T = 20522  # study day of 2026-03-10
NOW = "2026-03-10 12:00:00"


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp())


@pytest.fixture
def history(run, sql):
    """Five cards in two decks with hand-written states and review logs."""
    for i in range(1, 5):
        run("add", "D", "--front", f"Q{i}", "--back", f"A{i}")
    run("add", "E", "--front", "X", "--back", "Y")
    states = [  # id, reps, ease, interval, due, lapses, suspended
        (1, 5, 260, 30, T + 3, 0, 0),
        (2, 3, 230, 10, T, 2, 0),
        (3, 1, 250, 1, T - 2, 0, 0),
        (5, 2, 130, 6, T + 1, 0, 1),
    ]
    for cid, reps, ease, ivl, due, lapses, susp in states:
        sql(
            "update card set repetitions=?, easiness=?, interval=?, due=?, lapses=?, suspended=?, last_review=0 where id=?",
            reps, ease, ivl, due, lapses, bool(susp), cid,
        )
    sql("update note set tags='leech' where id=2")
    logs = [  # card, day, kind, grade, before_due, before_interval, time, ms
        (1, T, "review", 4, T, 30, "2026-03-10 10:00", 4000),
        (2, T, "review", 2, T, 10, "2026-03-10 10:05", 6000),
        (2, T, "drill", 4, T, 1, "2026-03-10 10:06", 2000),
        (3, T, "review", 5, None, 0, "2026-03-10 10:07", 3000),
        (2, T - 1, "review", 3, T - 1, 6, "2026-03-09 23:30", 5000),
        (1, T - 5, "review", 1, T - 5, 25, "2026-03-05 08:00", 1000),
        (1, T - 20, "review", 5, T - 20, 22, "2026-02-18 08:00", 1000),
        (1, T - 28, "cram", 5, T, 30, "2026-02-10 12:00", 1000),
        (1, T - 29, "cram", 5, T, 30, "2026-02-09 12:00", 1000),
        (1, T - 30, "cram", 5, T, 30, "2026-02-08 12:00", 1000),
        (2, T - 100, "review", 4, T - 100, 1, "2025-11-30 09:00", 1000),
        (1, T - 400, "review", 3, T - 400, 3, "2025-02-03 09:00", 1000),
    ]
    for card, day, kind, grade, before_due, before_ivl, time, ms in logs:
        sql(
            "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness,"
            " before_interval, before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms)"
            " values (?, ?, ?, ?, ?, 0, 250, ?, ?, 0, 250, 1, 0, ?)",
            card, epoch(time), day, grade, kind, before_ivl, before_due, ms,
        )


def stats_json(run, *args):
    with freeze_time(NOW):
        result = run("stats", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_today_and_yesterday(run, history):
    s = stats_json(run)
    assert s["study_day"] == "2026-03-10"
    assert s["today"] == {
        "cards": 3, "answers": 4, "seconds": 15.0, "seconds_per_card": 5.0, "new": 1,
        "redrills": 1, "counted": 3, "correct": 2, "correct_share": 0.6667,
    }
    assert s["yesterday"] == {
        "cards": 1, "answers": 1, "seconds": 5.0, "seconds_per_card": 5.0, "new": 0,
        "redrills": 0, "counted": 1, "correct": 1, "correct_share": 1.0,
    }


def test_collection_by_state(run, history):
    assert stats_json(run)["collection"] == {
        "total": 5, "new": 1, "learning": 1, "young": 1, "mature": 1, "suspended": 1, "leeches": 1,
    }
    assert stats_json(run, "E")["collection"] == {
        "total": 1, "new": 0, "learning": 0, "young": 0, "mature": 0, "suspended": 1, "leeches": 0,
    }


def test_retention_table_split_young_and_mature(run, history):
    r = stats_json(run)["retention"]
    f = lambda p, n, rate: {"passed": p, "failed": n - p, "total": n, "rate": rate}  # noqa: E731
    assert r["last_7_days"] == {"young": f(1, 2, 0.5), "mature": f(1, 2, 0.5), "all": f(2, 4, 0.5)}
    assert r["last_30_days"] == {"young": f(1, 2, 0.5), "mature": f(2, 3, 0.6667), "all": f(3, 5, 0.6)}
    assert r["last_365_days"] == {"young": f(2, 3, 0.6667), "mature": f(2, 3, 0.6667), "all": f(4, 6, 0.6667)}


def test_activity_streaks_and_averages(run, history):
    a = stats_json(run)["activity"]
    assert len(a["days"]) == 365 and a["days"][-1] == {"date": "2026-03-10", "reviews": 4}
    assert a["days"][-2] == {"date": "2026-03-09", "reviews": 1}
    assert (a["total"], a["days_studied"], a["average_per_study_day"], a["average_per_day"]) == (11, 8, 1.4, 0.0)
    assert (a["current_streak"], a["longest_streak"]) == (2, 3)
    assert stats_json(run, "--days", "7")["activity"]["total"] == 6


def test_forecast_counts_overdue_today(run, history):
    f = stats_json(run)["forecast"]
    assert len(f["days"]) == 30 and f["days"][0] == {"date": "2026-03-10", "due": 2}
    assert f["days"][3] == {"date": "2026-03-13", "due": 1}
    assert (f["today"], f["tomorrow"], f["next_7_days"], f["next_30_days"]) == (2, 0, 3, 3)


def test_distributions(run, history):
    s = stats_json(run)
    assert {r["bucket"]: r["count"] for r in s["intervals"] if r["count"]} == {"1": 1, "8-14": 1, "15-30": 1}
    assert {r["bucket"]: r["count"] for r in s["easiness"] if r["count"]} == {"2.30-2.49": 1, "2.50-2.69": 2}
    assert [(g["count"], g["share"]) for g in s["grades"]] == [
        (0, 0.0), (1, 0.1429), (1, 0.1429), (1, 0.1429), (2, 0.2857), (2, 0.2857)
    ]
    assert {h["hour"]: h["count"] for h in s["hours"] if h["count"]} == {8: 2, 9: 1, 10: 4, 12: 3, 23: 1}


def test_hardest_cards(run, history):
    hardest = stats_json(run)["hardest"]
    assert [(h["id"], h["lapses"], h["easiness"], h["prompt"]) for h in hardest] == [(2, 2, 2.3, "Q2"), (5, 0, 1.3, "X")]


def test_json_has_only_json(run, history):
    with freeze_time(NOW):
        result = run("stats", "--json")
    assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")
    assert "\x1b" not in result.stdout


def test_terminal_view_fits_80_columns_and_is_plain_when_piped(run, history):
    with freeze_time(NOW):
        out = run("stats").stdout
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    for fragment in ("Today", "Collection: 5 cards", "Retention", "Activity", "Forecast", "Intervals", "Easiness",
                     "Grades given", "hour of day", "Hardest cards", "streak 2 (longest 3)", "today 2 · tomorrow 0"):
        assert fragment in out
    assert "50% (1/2)" in out  # 7-day young retention


def test_terminal_view_uses_colour_only_on_a_terminal_without_no_color(run, history, monkeypatch):
    from click.testing import CliRunner

    from studycards import cli

    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: True)
    with freeze_time(NOW):
        coloured = CliRunner().invoke(cli.cli, ["stats"], color=True).stdout
        monkeypatch.setenv("NO_COLOR", "1")
        plain = CliRunner().invoke(cli.cli, ["stats"], color=True).stdout
    assert "\x1b[" in coloured and "\x1b[" not in plain
    strip = __import__("re").compile(r"\x1b\[[0-9;]*m")
    assert max(len(strip.sub("", line)) for line in coloured.splitlines()) <= 80
    assert strip.sub("", coloured) == plain


def test_study_days_follow_day_start_and_daylight_saving(run, monkeypatch):
    """New York springs forward at 2 am on 2026-03-08. Answers at 1:30 and
    3:30 that night belong to March 7th (day starts at 4 am); no day is lost."""
    set_tz(monkeypatch, "America/New_York")
    for i in range(1, 6):
        run("add", "D", "--front", f"Q{i}", "--back", f"A{i}")
    for moment in ("2026-03-07 15:00", "2026-03-08 06:30", "2026-03-08 07:30", "2026-03-08 14:00", "2026-03-09 14:00"):
        with freeze_time(moment):
            assert "1 card answered" in run("review", "--new", "1", "--limit", "1", input=answers(5)).output
    with freeze_time("2026-03-09 15:00"):
        s = json.loads(run("stats", "--json", "--days", "3").stdout)
    assert s["activity"]["days"] == [
        {"date": "2026-03-07", "reviews": 3},
        {"date": "2026-03-08", "reviews": 1},
        {"date": "2026-03-09", "reviews": 1},
    ]
    assert (s["activity"]["current_streak"], s["activity"]["longest_streak"]) == (3, 3)
    assert {h["hour"]: h["count"] for h in s["hours"] if h["count"]} == {1: 1, 3: 1, 10: 3}


def test_stats_on_an_empty_collection(run):
    with freeze_time(NOW):
        s = json.loads(run("stats", "--json").stdout)
        out = run("stats").stdout
    assert s["today"]["answers"] == 0 and s["retention"]["last_7_days"]["all"]["rate"] is None
    assert "none yet" in out and "(nothing due)" in out


def test_unknown_deck(run):
    result = run("stats", "Nope")
    assert result.exit_code == 1 and "unknown deck 'Nope'" in result.stderr
