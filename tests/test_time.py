"""Days and clocks: midnight, the day-start hour, daylight saving both ways,
a change of timezone, and a clock that jumps back. No card is lost or shown
twice, and daily limits stay per study day."""

from __future__ import annotations

from freezegun import freeze_time
from helpers import answers, prompts, set_tz


def shown(run, moment: str, *extra: str, grades=(5, 5, 5, 5, 5)) -> list[str]:
    with freeze_time(moment):
        return prompts(run("review", *extra, input=answers(*grades)).output)


def test_a_session_across_midnight_stays_in_one_study_day(run, add_notes):
    run("config", "new-per-day", "2")
    add_notes("T", 4)
    assert shown(run, "2026-03-02 23:50", grades=(5,)) == ["Q1", "Q2"]  # input ends after one answer
    assert shown(run, "2026-03-03 00:20") == ["Q2"]  # same study day (starts at 4 am): one new card left
    assert shown(run, "2026-03-03 04:10", "--new", "0") == ["Q1", "Q2"]  # the next study day: both due


def test_daylight_saving_ending_neither_loses_nor_repeats_a_day(run, add_notes, sql, monkeypatch):
    """New York falls back at 2 am on 2026-11-01: 1:30 happens twice."""
    set_tz(monkeypatch, "America/New_York")
    run("config", "new-per-day", "2")
    add_notes("T", 4)
    assert shown(run, "2026-11-01 05:30", grades=(5,)) == ["Q1", "Q2"]  # 01:30 EDT
    assert shown(run, "2026-11-01 06:30") == ["Q2"]  # 01:30 EST: still October 31st's study day
    assert sql("select distinct study_day from review_log") == [(20757,)]  # 2026-10-31
    assert shown(run, "2026-11-01 15:00", "--new", "0") == ["Q1", "Q2"]  # due on Nov 1st, shown once each
    assert shown(run, "2026-11-01 16:00", "--new", "0") == []


def test_daylight_saving_starting_keeps_due_cards_on_their_day(run, add_notes, monkeypatch):
    set_tz(monkeypatch, "America/New_York")
    add_notes("T", 1)
    assert shown(run, "2026-03-07 15:00") == ["Q1"]  # Sat 10:00 EST, due Sunday 03-08
    assert shown(run, "2026-03-08 07:30") == []  # 03:30 EDT on Sunday is still Saturday's study day
    assert shown(run, "2026-03-08 08:05") == ["Q1"]  # 04:05 EDT: Sunday's study day has begun
    assert shown(run, "2026-03-08 20:00") == []


def test_moving_timezones_backwards_in_the_calendar_repeats_nothing(run, add_notes, sql, monkeypatch):
    set_tz(monkeypatch, "Asia/Tokyo")
    add_notes("T", 2)
    assert shown(run, "2026-03-03 00:00", "--new", "1") == ["Q1"]  # 09:00 on March 3rd in Tokyo
    set_tz(monkeypatch, "America/New_York")
    # Flying east to west: it is 20:00 on March 2nd in New York now.
    assert shown(run, "2026-03-03 01:00", "--new", "1") == ["Q2"]  # Q1 is not shown again
    assert shown(run, "2026-03-04 15:00", "--new", "0") == ["Q2", "Q1"]  # each once: Q2 due 03-03, Q1 due 03-04
    assert sql("select count(*) from review_log where kind = 'review'") == [(4,)]


def test_a_clock_that_jumps_back_shows_no_card_twice(run, add_notes, cards_json):
    add_notes("T", 1)
    assert shown(run, "2026-03-10 10:00") == ["Q1"]  # due 03-11
    assert shown(run, "2026-03-05 10:00") == []  # the clock went back five days: nothing is due
    assert cards_json()[0]["due"] == "2026-03-11"
    assert shown(run, "2026-03-11 10:00") == ["Q1"]
    assert shown(run, "2026-03-11 11:00") == []
