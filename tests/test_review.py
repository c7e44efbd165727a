"""Daily review sessions driven through the CLI with piped input."""

from __future__ import annotations

import random

import pytest
from freezegun import freeze_time
from helpers import answers, prompts, reference_sm2, set_tz

DAY1 = "2026-03-02 10:00:00"
DAY2 = "2026-03-03 10:00:00"


def by_front(cards):
    return {c["front"]: c for c in cards}


@freeze_time(DAY1)
def test_first_answer_of_a_new_card_schedules_it_for_tomorrow(run, add_notes, cards_json):
    add_notes("Test", 1)
    result = run("review", input=answers(4))
    assert result.exit_code == 0
    card = cards_json()[0]
    assert (card["repetitions"], card["interval"], card["easiness"], card["due"]) == (1, 1, 2.5, "2026-03-03")
    assert "1 card answered, 100% with grade 3 or better" in result.output
    assert "Due tomorrow: 1." in result.output


def test_cards_come_back_on_the_sm2_schedule(run, add_notes, cards_json):
    add_notes("Test", 1)
    schedule = [("2026-03-02", 5), ("2026-03-03", 5), ("2026-03-09", 2), ("2026-03-10", 4), ("2026-03-11", 4)]
    for day, grade in schedule:
        with freeze_time(f"{day} 12:00"):
            drill = [4] if grade < 4 else []
            assert prompts(run("review", input=answers(grade, *drill)).output)[:1] == ["Q1"], day
    card = cards_json()[0]
    assert (card["interval"], card["easiness"], card["lapses"], card["due"]) == (6, 2.38, 1, "2026-03-17")
    with freeze_time("2026-03-16 12:00"):
        assert prompts(run("review", input=answers(4)).output) == []


def test_due_cards_come_most_overdue_first_then_new_cards_in_deck_order(run, add_notes):
    add_notes("Test", 2)
    with freeze_time(DAY1):
        run("review", input=answers(4))  # Q1 due 03-03
    with freeze_time(DAY2):
        run("review", "--new", "0", input=answers(4))  # Q1 -> due 03-09
        run("review", "--new", "1", input=answers(3, 5))  # Q2 (new) -> due 03-04
    run("add", "Test", "--front", "Q3", "--back", "A3")
    with freeze_time("2026-03-12 10:00"):
        shown = prompts(run("review", input=answers(4, 4, 4)).output)
    assert shown == ["Q2", "Q1", "Q3"]  # Q2 overdue since 03-04, Q1 since 03-09, then new


def test_new_card_limit_counts_every_session_of_the_day(run, add_notes):
    run("config", "new-per-day", "3")
    add_notes("Test", 5)
    with freeze_time(DAY1):
        first = run("review", input=answers(5, 5))
        assert prompts(first.output) == ["Q1", "Q2", "Q3"]  # input ran out after two answers
        second = run("review", input=answers(5, 5, 5))
        assert prompts(second.output) == ["Q3"]
        assert "Nothing to review right now." in run("review", input="").output
    with freeze_time(DAY2):
        assert prompts(run("review", "--new", "0", input=answers(5, 5, 5)).output) == ["Q1", "Q2", "Q3"]


def test_session_options_override_the_daily_limits(run, add_notes):
    add_notes("Test", 6)
    with freeze_time(DAY1):
        assert prompts(run("review", "--new", "2", input=answers(5, 5, 5)).output) == ["Q1", "Q2"]
        assert prompts(run("review", "--limit", "1", input=answers(5, 5)).output) == ["Q3"]


def test_daily_review_limit_caps_the_queue(run, add_notes):
    run("config", "reviews-per-day", "2")
    add_notes("Test", 4)
    with freeze_time(DAY1):
        out = run("review", input=answers(5, 5, 5, 5)).output
    assert prompts(out) == ["Q1", "Q2"]
    assert "1/2" in out and "2/2" in out


def test_reversed_sibling_waits_until_the_next_day(run):
    run("add", "Words", "--front", "chat", "--back", "cat", "--reverse")
    with freeze_time(DAY1):
        assert prompts(run("review", input=answers(5, 5)).output) == ["chat"]
    with freeze_time(DAY2):
        assert prompts(run("review", input=answers(5, 5)).output) == ["chat"]  # the due card wins today
    with freeze_time("2026-03-04 10:00"):
        assert prompts(run("review", input=answers(5, 5)).output) == ["cat"]  # basic is due 03-08


def test_siblings_are_never_shown_on_the_same_study_day(run, sql):
    run("add", "Words", "--front", "chat", "--back", "cat", "--reverse")
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        with freeze_time(f"{day} 10:00"):
            run("review", input=answers(5, 5, 5, 5))
    per_day = sql("select study_day, count(*) from review_log where kind='review' group by study_day")
    assert per_day and all(count == 1 for _, count in per_day)
    assert sql("select count(distinct card_id) from review_log") == [(2,)]


def test_suspended_and_buried_cards_are_skipped(run, add_notes, cards_json):
    add_notes("Test", 3)
    ids = {c["front"]: c["id"] for c in cards_json()}
    run("suspend", str(ids["Q1"]))
    with freeze_time(DAY1):
        out = run("review", input="\ns\n" + answers(4)).output
        assert prompts(out) == ["Q2", "Q3"]
        assert "Buried until tomorrow." in out
        assert prompts(run("review", input=answers(4)).output) == []
    with freeze_time(DAY2):
        assert prompts(run("review", input=answers(4, 4)).output) == ["Q3", "Q2"]  # due first, then new


def test_undo_restores_the_card_and_removes_its_log_row(run, add_notes, cards_json, sql):
    add_notes("Test", 2)
    with freeze_time(DAY1):
        out = run("review", input=answers(2, "u", 5, 5)).output
    assert prompts(out) == ["Q1", "Q2", "Q1", "Q2"]  # undo at Q2's prompt brings Q1 back
    assert "Undone" in out
    cards = by_front(cards_json())
    assert (cards["Q1"]["easiness"], cards["Q1"]["repetitions"]) == (2.6, 1)
    assert sql("select grade from review_log order by id") == [(5,), (5,)]


def test_undo_is_repeatable_back_to_the_start_of_the_session(run, add_notes, cards_json, sql):
    add_notes("Test", 2)
    with freeze_time(DAY1):
        out = run("review", input=answers(5, 3, "u", "u", "u", "q")).output
    assert "Nothing to undo in this session." in out
    assert sql("select count(*) from review_log") == [(0,)]
    assert all(c["due"] is None and c["easiness"] == 2.5 for c in cards_json())


def test_leech_action_suspend_suspends_the_card(run, cards_json):
    run("config", "leech-threshold", "1")
    run("config", "leech-action", "suspend")
    run("add", "Test", "--front", "Q", "--back", "A")
    with freeze_time(DAY1):
        run("review", input=answers(5))
    with freeze_time(DAY2):
        out = run("review", input=answers(0, 4)).output
    card = cards_json()[0]
    assert card["suspended"] and card["tags"] == ["leech"] and card["lapses"] == 1
    assert "· re-drill" not in out  # a suspended leech is not drilled


def test_leech_is_tagged_and_optionally_suspended(run, cards_json):
    run("config", "leech-threshold", "2")
    run("add", "Test", "--front", "Q", "--back", "A")
    days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    for day, grade in zip(days, [5, 0, 5, 0]):
        with freeze_time(f"{day} 10:00"):
            run("review", input=answers(grade, 4, 4))
    card = cards_json()[0]
    assert card["lapses"] == 2 and card["tags"] == ["leech"] and not card["suspended"]


def test_undo_within_a_session_removes_a_new_leech_tag(run, cards_json):
    run("config", "leech-threshold", "1")
    run("config", "leech-action", "suspend")
    run("add", "Test", "--front", "Q", "--back", "A")
    with freeze_time(DAY1):
        run("review", input=answers(5))
    with freeze_time(DAY2):
        out = run("review", input="\n0\nu\n").output  # undo offered after the last card
    assert "Undone" in out
    card = cards_json()[0]
    assert (card["suspended"], card["tags"], card["lapses"], card["due"]) == (False, [], 0, "2026-03-03")


def test_failed_cards_are_redrilled_until_graded_4_or_5_without_rescheduling(run, add_notes, cards_json, sql):
    add_notes("Test", 2)
    with freeze_time(DAY1):
        out = run("review", input=answers(3, 5, 2, 3, 4)).output
    assert prompts(out) == ["Q1", "Q2", "Q1", "Q1", "Q1"]
    assert "· re-drill" in out
    assert "2 cards answered, 100% with grade 3 or better, 3 re-drills" in out
    card = by_front(cards_json())["Q1"]
    assert (card["repetitions"], card["easiness"], card["due"]) == (1, 2.36, "2026-03-03")
    assert sql("select kind, grade from review_log where card_id=? order by id", card["id"]) == [
        ("review", 3), ("drill", 2), ("drill", 3), ("drill", 4)
    ]


def test_pending_redrills_survive_quitting_but_not_the_day(run, add_notes):
    add_notes("Test", 1)
    with freeze_time(DAY1):
        run("review", input=answers(1, "q"))
        out = run("review", input=answers(5)).output
        assert prompts(out) == ["Q1"] and "· re-drill" in out
        assert prompts(run("review", input=answers(5)).output) == []
    with freeze_time("2026-03-04 10:00"):
        run("review", input=answers(1))  # fail again; then quit at the re-drill by end of input
    with freeze_time("2026-03-05 10:00"):
        out = run("review", input=answers(4)).output
    assert "· re-drill" not in out  # a new day: it is an ordinary due card again


def test_end_of_input_keeps_every_answer_given(run, add_notes, sql):
    add_notes("Test", 5)
    with freeze_time(DAY1):
        result = run("review", input=answers(4, 5) + "\n")
    assert result.exit_code == 0
    assert "Traceback" not in result.output
    assert sql("select count(*) from review_log") == [(2,)]
    assert "2 cards answered" in result.output


def test_invalid_key_reprompts_with_a_message(run, add_notes, sql):
    add_notes("Test", 1)
    with freeze_time(DAY1):
        out = run("review", input="\n9\nhello\n\n4\n").output
    assert out.count("does nothing here. Type a grade 0-5") == 3
    assert "'9' does nothing here" in out and "'hello' does nothing here" in out
    assert sql("select grade from review_log") == [(4,)]


def test_help_key_shows_the_grade_meanings(run, add_notes):
    add_notes("Test", 1)
    with freeze_time(DAY1):
        out = run("review", input="\n?\n4\n").output
    assert "complete blackout" in out and "bury this card" in out


def test_cram_reviews_cards_ahead_of_schedule_without_changing_them(run, add_notes, cards_json, sql):
    add_notes("Test", 2)
    with freeze_time(DAY1):
        run("review", input=answers(5, 5))
        before = cards_json()
        out = run("review", "--cram", input=answers(0, 1)).output
    assert prompts(out) == ["Q1", "Q2"]
    assert cards_json() == before
    assert sql("select kind, count(*) from review_log group by kind order by kind") == [("cram", 2), ("review", 2)]


def test_review_only_the_named_decks(run):
    run("add", "French", "--front", "chat", "--back", "cat")
    run("add", "German", "--front", "Katze", "--back", "cat")
    with freeze_time(DAY1):
        assert prompts(run("review", "German", input=answers(5)).output) == ["Katze"]


def test_unknown_deck_is_a_one_line_error(run):
    run("add", "French", "--front", "chat", "--back", "cat")
    result = run("review", "Nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: unknown deck 'Nope' (decks: French)"


def test_answers_before_the_day_start_hour_count_for_the_previous_day(run, add_notes, sql):
    add_notes("Test", 1)
    with freeze_time("2026-03-03 02:30"):  # 2:30 am with the default 4 am start
        run("review", input=answers(4))
    assert sql("select study_day from review_log") == [(20514,)]  # 2026-03-02
    with freeze_time("2026-03-03 03:59"):
        assert prompts(run("review", input=answers(4)).output) == []
    with freeze_time("2026-03-03 04:00"):
        assert prompts(run("review", input=answers(4)).output) == ["Q1"]


def test_configured_day_start_hour_moves_the_day_boundary(run, add_notes, sql):
    run("config", "day-start-hour", "0")
    add_notes("Test", 1)
    with freeze_time("2026-03-03 02:30"):  # with a midnight start this is already March 3rd
        run("review", input=answers(4))
    assert sql("select study_day from review_log") == [(20515,)]


def test_study_day_follows_the_local_timezone(run, add_notes, sql, monkeypatch):
    set_tz(monkeypatch, "America/New_York")
    add_notes("Test", 1)
    with freeze_time("2026-03-03 06:00"):  # 01:00 in New York: still March 2nd's study day
        run("review", input=answers(4))
    assert sql("select study_day from review_log") == [(20514,)]


@pytest.mark.slow
def test_long_random_sessions_over_simulated_days_follow_sm2(run, add_notes, sql):
    """Review every day for 120 days with random grades; each card's log must
    match the independent reference, and each card must be shown exactly on
    the day it falls due."""
    add_notes("Test", 6)
    rng = random.Random(7)
    for offset in range(120):
        day = 20514 + offset
        grades = [rng.choice([0, 1, 2, 3, 4, 4, 5, 5]) for _ in range(200)]
        with freeze_time("2026-03-02 12:00") as frozen:
            import datetime as dt

            frozen.move_to(dt.datetime(2026, 3, 2, 12) + dt.timedelta(days=offset))
            result = run("review", input=answers(*grades))
        assert result.exit_code == 0
    rows = sql("select card_id, study_day, grade, after_repetitions, after_easiness, after_interval, after_due "
               "from review_log where kind='review' order by id")
    cards = {}
    for card_id, *rest in rows:
        cards.setdefault(card_id, []).append(rest)
    assert len(cards) == 6
    for card_id, history in cards.items():
        expected = reference_sm2([g for _, g, *_ in history], 36500)
        first_day = history[0][0]
        for (day, grade, reps, ef, interval, due), (n, ref_ef, ref_interval, ref_due, _) in zip(history, expected):
            assert (reps, ef, interval, due - first_day) == (n, ref_ef, ref_interval, ref_due), card_id
        shown_days = [h[0] for h in history]
        assert shown_days[1:] == [h[5] for h in history[:-1]]  # shown exactly when due
