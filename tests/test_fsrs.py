"""FSRS beside SM-2: intervals against the reference implementation (py-fsrs),
switching a deck with and without rescheduling, and undo, re-drill and cram
under FSRS exactly as under SM-2."""

from __future__ import annotations

import builtins
from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest
from freezegun import freeze_time
from helpers import answers

from studycards import fsrs_scheduler, scheduler
from studycards.clock import date_to_day

START = date(2026, 3, 2)
# Far from the defaults (faster forgetting, stronger growth): a test that a
# deck's own parameters are the ones used.
CUSTOM = (
    0.5, 1.8, 3.1, 12.0, 7.0, 0.6, 2.5, 0.02, 1.5, 0.2, 0.9, 1.7, 0.08, 0.3, 1.9, 0.5, 2.2, 0.6, 0.1, 0.08, 0.25,
)


def reference_intervals(grades: list[int], parameters: tuple[float, ...] | None, retention: float = 0.9) -> list[int]:
    """py-fsrs with no learning steps and no fuzz, each review on its due day."""
    kwargs = {} if parameters is None else {"parameters": parameters}
    ref = fsrs.Scheduler(desired_retention=retention, learning_steps=(), relearning_steps=(), maximum_interval=36500, enable_fuzzing=False, **kwargs)
    card, now, out = fsrs.Card(), datetime(2026, 3, 2, 12, tzinfo=timezone.utc), []
    for grade in grades:
        card, _ = ref.review_card(card, fsrs.Rating(fsrs_scheduler.rating(grade)), review_datetime=now)
        days = (card.due - now).days
        out.append(days)
        now += timedelta(days=days)
    return out


def our_intervals(grades: list[int], parameters: tuple[float, ...] = (), retention: float = 0.9) -> list[int]:
    config = fsrs_scheduler.FsrsConfig(parameters=parameters, desired_retention=retention)
    state, memory, day, out = scheduler.CardState(), None, 0, []
    for grade in grades:
        outcome = fsrs_scheduler.answer(state, memory, grade, day, config)
        state, memory = outcome.state, outcome.memory
        out.append(state.interval)
        day = state.due
    return out


@pytest.mark.parametrize(
    "grades",
    [[4, 4, 4, 4, 4, 4], [5, 5, 5], [4, 1, 4, 4, 3, 4], [3, 3, 3, 3], [2, 0, 5, 4, 1, 1, 4], [4, 4, 5, 2, 4, 3, 4, 4]],
)
@pytest.mark.parametrize("parameters", [None, CUSTOM], ids=["default", "custom"])
def test_intervals_for_whole_grade_sequences_match_the_reference_package(grades, parameters):
    assert our_intervals(grades, parameters or ()) == reference_intervals(grades, parameters)


def test_desired_retention_is_the_one_used():
    grades = [4, 4, 4, 4]
    assert our_intervals(grades, retention=0.8) == reference_intervals(grades, None, retention=0.8)
    assert our_intervals(grades, retention=0.8)[-1] > our_intervals(grades, retention=0.95)[-1]


def test_sm2_fields_follow_sm2_under_fsrs_so_switching_back_is_consistent():
    grades = [4, 5, 2, 4, 3]
    state, memory, day = scheduler.CardState(), None, 0
    sm2 = scheduler.CardState()
    for grade in grades:
        outcome = fsrs_scheduler.answer(state, memory, grade, day)
        expected = scheduler.answer(sm2, grade, day).state
        assert (outcome.state.repetitions, outcome.state.easiness, outcome.state.lapses) == (expected.repetitions, expected.easiness, expected.lapses)
        state, memory, sm2 = outcome.state, outcome.memory, expected
        day = state.due


def test_fuzz_is_off_by_default_and_reproducible_when_on():
    state, memory = scheduler.CardState(), None
    for grade in (4, 4, 4):
        outcome = fsrs_scheduler.answer(state, memory, grade, 0 if state.due is None else state.due)
        state, memory = outcome.state, outcome.memory
    plain = fsrs_scheduler.preview(state, memory, state.due)
    fuzzed = fsrs_scheduler.FsrsConfig(fuzz=True)
    seeds = [fsrs_scheduler.preview(state, memory, state.due, fuzzed, seed=s)[4] for s in range(40)]
    assert seeds == [fsrs_scheduler.preview(state, memory, state.due, fuzzed, seed=s)[4] for s in range(40)]
    assert len(set(seeds)) > 1 and min(seeds) < plain[4] < max(seeds)


def day(n: int) -> str:
    return f"{START + timedelta(days=n)} 12:00"


def study_day(n: int) -> int:
    return date_to_day(START + timedelta(days=n))


def test_a_deck_switched_to_fsrs_reviews_on_fsrs_intervals_with_previews(run, add_notes, cards_json):
    add_notes("F", 1)
    result = run("config", "--deck", "F", "scheduler", "fsrs")
    assert result.exit_code == 0, result.output
    grades = [4, 4, 1, 4]
    expected = reference_intervals([4, 4, 1, 4], None)
    n, seen = 0, []
    for grade in grades:
        with freeze_time(day(n)):
            out = run("review", "F", input=answers(grade) + ("\n4\n" if grade < 4 else "")).output
        card = cards_json("F")[0]
        seen.append(card["interval"])
        n += card["interval"]
    assert seen == expected
    assert "next in" in out


def test_switching_computes_memory_from_history_and_moves_nothing_without_reschedule(run, add_notes, cards_json, sql):
    add_notes("S", 3)
    with freeze_time(day(0)):
        run("review", "S", input=answers(4, 5, 3))
    with freeze_time(day(1)):
        run("review", "S", input=answers(4, 4, 5))
    before = {c["id"]: c["due"] for c in cards_json("S")}
    with freeze_time(day(1)):
        result = run("config", "--deck", "S", "scheduler", "fsrs")
    assert result.exit_code == 0, result.output
    assert "3 studied cards got an FSRS memory state: 3 from their own answers, 0 from their SM-2 state" in result.output
    assert "Run the same command with --reschedule" in result.output
    assert {c["id"]: c["due"] for c in cards_json("S")} == before
    # The memory is the replay of each card's own counted answers (reference: py-fsrs reviewing them in turn).
    rows = sql("select id, stability from card where deck_id = (select id from deck where name = 'S') order by id")
    grades = sql("select card_id, grade from review_log where kind = 'review' order by id")
    for card_id, stability in rows:
        mine = [g for c, g in grades if c == card_id]
        ref = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
        card, now = fsrs.Card(), datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        for grade in mine:
            card, _ = ref.review_card(card, fsrs.Rating(fsrs_scheduler.rating(grade)), review_datetime=now)
            now += timedelta(days=1)
        assert stability == pytest.approx(card.stability, rel=1e-4)
    with freeze_time(day(1)):
        moved = run("config", "--deck", "S", "scheduler", "fsrs", "--reschedule")
    assert moved.exit_code == 0 and "Moved" in moved.output
    after = {c["id"]: (c["due"], c["interval"]) for c in cards_json("S")}
    assert any(after[i][0] != before[i] for i in before)


def test_a_card_without_usable_history_starts_from_its_sm2_state(run, tmp_path, cards_json, sql):
    deck = tmp_path / "progress.json"
    run("add", "P", "--front", "q", "--back", "a")
    sql("update card set repetitions = 3, easiness = 260, interval = 15, due = ? where deck_id = (select id from deck where name = 'P')", study_day(5))
    result = run("config", "--deck", "P", "scheduler", "fsrs")
    assert "0 from their own answers, 1 from their SM-2 state" in result.output, result.output
    (stability,), = sql("select stability from card where deck_id = (select id from deck where name = 'P')")
    assert stability == pytest.approx(fsrs_scheduler.from_sm2(scheduler.CardState(3, 260, 15, study_day(5))).stability)


def test_switching_back_to_sm2_goes_on_from_consistent_sm2_fields(run, add_notes, cards_json):
    add_notes("B", 1)
    run("config", "--deck", "B", "scheduler", "fsrs")
    with freeze_time(day(0)):
        run("review", "B", input=answers(5))
    fsrs_interval = cards_json("B")[0]["interval"]
    assert run("config", "--deck", "B", "scheduler", "sm2").exit_code == 0
    with freeze_time(day(fsrs_interval)):
        run("review", "B", input=answers(5))
    card = cards_json("B")[0]
    # SM-2 kept repetitions and easiness under FSRS: the second pass is I(2) = 6 days.
    assert (card["repetitions"], card["easiness"], card["interval"]) == (2, 2.7, 6)


def test_undo_redrill_and_cram_under_fsrs_work_as_under_sm2(run, add_notes, cards_json, sql):
    add_notes("U", 2)
    run("config", "--deck", "U", "scheduler", "fsrs")
    with freeze_time(day(0)):
        out = run("review", "U", input=answers(1, "u", 4, 1, 2, 4)).output
    assert "Undone" in out
    # Q1: 1 undone, then 4; Q2: 1, re-drilled with 2 then 4. The re-drills do not move the memory.
    kinds = sql("select grade, kind from review_log order by id")
    assert kinds == [(4, "review"), (1, "review"), (2, "drill"), (4, "drill")]
    memory = sql("select stability, difficulty, interval from card order by id")
    config = fsrs_scheduler.FsrsConfig()
    good = fsrs_scheduler.answer(scheduler.CardState(), None, 4, 0, config)
    again = fsrs_scheduler.answer(scheduler.CardState(), None, 1, 0, config)
    assert memory[0] == pytest.approx((good.memory.stability, good.memory.difficulty, good.state.interval))
    assert memory[1] == pytest.approx((again.memory.stability, again.memory.difficulty, again.state.interval))
    with freeze_time(day(0)):
        run("review", "U", "--cram", input=answers(0, 0))
    assert sql("select stability, difficulty, interval from card order by id") == memory


def test_a_parent_decks_scheduler_is_inherited_by_its_sub_decks(run):
    run("add", "Lang::Spanish", "--front", "q", "--back", "a")
    run("config", "--deck", "Lang", "scheduler", "fsrs")
    result = run("config", "--deck", "Lang::Spanish", "scheduler")
    assert "scheduler = fsrs" in result.output


def test_without_the_fsrs_library_the_switch_says_what_to_install_and_changes_nothing(run, add_notes, monkeypatch, sql):
    add_notes("M", 1)
    real_import = builtins.__import__

    def no_fsrs(name, *args, **kwargs):
        if name == "fsrs_rs_python":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fsrs)
    result = run("config", "scheduler", "fsrs")
    assert result.exit_code == 1
    assert "pip install 'studycards[fsrs]'" in result.output
    assert sql("select count(*) from setting where key like '%scheduler%'") == [(0,)]


def test_stats_under_fsrs_give_the_models_recall_and_distributions(run, add_notes):
    import json

    add_notes("St", 2)
    run("config", "--deck", "St", "scheduler", "fsrs")
    with freeze_time(day(0)):
        run("review", "St", input=answers(4, 5))
    with freeze_time(day(1)):
        data = json.loads(run("stats", "--json", "St").stdout)["fsrs"]
    # The reference's own retrievability one day after each first answer.
    ref = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    t0 = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    recall = []
    for grade in (4, 5):
        card, _ = ref.review_card(fsrs.Card(), fsrs.Rating(fsrs_scheduler.rating(grade)), review_datetime=t0)
        recall.append(ref.get_card_retrievability(card, current_datetime=t0 + timedelta(days=1)))
    assert data["cards_with_memory"] == 2 and data["desired_retention"] == 0.9
    assert data["average_retrievability"] == pytest.approx(sum(recall) / 2, abs=1e-3)
    assert data["due_today"] == 0 and data["predicted_recall_due_today"] is None  # the first due day is later
    assert sum(b["cards"] for b in data["stability_days"]) == 2 and sum(b["cards"] for b in data["difficulty"]) == 2
    with freeze_time(day(1)):
        shown = run("stats", "St").output
    assert "FSRS: 2 cards in 1 deck (desired retention 90%)" in shown
    assert json.loads(run("stats", "--json").stdout)["fsrs"]["decks"] == 1
    run("config", "--deck", "St", "scheduler", "sm2")
    assert json.loads(run("stats", "--json").stdout)["fsrs"] is None


def test_optimize_fits_your_history_compares_it_fairly_and_stores_the_parameters(run, sql, tmp_path):
    import json

    from helpers import write_history

    from studycards import fsrs_fit

    truth = list(fsrs_scheduler.default_parameters())
    truth[0:4] = [1.0, 3.0, 8.0, 30.0]  # first-day stabilities far from the defaults
    log = fsrs_fit.synthetic_log(truth, cards=600, days=240, seed=3)
    write_history(run, sql, tmp_path, "Fit", log)
    dry = run("optimize", "Fit", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert sql("select count(*) from setting where key like '%fsrs-parameters%' or key = '_fsrs.parameters'") == [(0,)]
    result = run("optimize", "Fit", "--json")
    data = json.loads(result.stdout)
    assert data["counted_answers"] == sum(1 for a in log if a.counted) and data["cards"] == 600
    scores = data["scores"]
    assert scores["fsrs_fitted"]["log_loss"] < scores["fsrs_default"]["log_loss"]
    assert data["stored"] and len(data["parameters"]) == 21
    # Read back from the collection, the history fits exactly as the log itself does
    # (recovering the true parameters is test_fsrs_fit's, on a larger log).
    direct = fsrs_fit.fit(log)
    assert data["parameters"] == pytest.approx([round(p, 4) for p in direct.parameters], abs=1e-4)
    assert scores["sm2"]["log_loss"] == pytest.approx(direct.sm2.log_loss, abs=1e-4)
    (stored,), = sql("select value from setting where key like '%.fsrs-parameters'")
    assert json.loads(stored) == pytest.approx(data["parameters"], abs=1e-4)
    shown = run("optimize", "Fit").output
    for row in ("SM-2", "FSRS, default parameters", "FSRS, fitted to you", "srs-benchmark"):
        assert row in shown
    # A deck on FSRS now schedules with them, and simulate says so.
    run("config", "--deck", "Fit", "scheduler", "fsrs")
    sim = json.loads(run("simulate", "0.8", "0.9", "--deck", "Fit", "--json").stdout)
    assert sim["parameters"] == "fitted to these decks"
    low, high = sim["rows"]
    assert low["reviews_per_day"] < high["reviews_per_day"] and low["retention"] < high["retention"]


def test_optimize_refuses_too_little_history_with_the_counts(run, add_notes):
    add_notes("Few", 3)
    with freeze_time(day(0)):
        run("review", "Few", input=answers(4, 4, 4))
    result = run("optimize", "Few")
    assert result.exit_code == 1
    assert "not enough history to fit FSRS: 0 reviews (counted answers after a card's first) where fitting needs 384" in result.output
    assert "0 cards answered on two or more days where it needs 20" in result.output


def test_stats_calibration_compares_predicted_and_actual_recall_for_both_schedulers(run, sql, tmp_path):
    import json

    from helpers import write_history

    from studycards import fsrs_fit

    log = fsrs_fit.synthetic_log(list(fsrs_scheduler.default_parameters()), cards=80, days=120, seed=5, scheduled_by="sm2")
    write_history(run, sql, tmp_path, "Cal", log)
    plain = json.loads(run("stats", "--json").stdout)
    assert plain["calibration"] is None  # only when asked: it reads the whole log
    data = json.loads(run("stats", "--json", "--calibration").stdout)["calibration"]
    # SM-2's bins, computed here from the log itself.
    last: dict[int, int] = {}
    expected: dict[int, list[int]] = {}
    for a in log:
        if not a.counted:
            continue
        if a.card_id in last:
            p = 0.9 ** ((a.day - last[a.card_id]) / max(1, a.sm2_interval))
            b = expected.setdefault(min(9, int(p * 10)), [0, 0])
            b[0] += 1
            b[1] += a.grade >= 3
        last[a.card_id] = a.day
    assert [(round(b["low"], 1), b["reviews"]) for b in data["sm2"]] == [(k / 10, n) for k, (n, _) in sorted(expected.items())]
    assert [b["actual"] for b in data["sm2"]] == [round(y / n, 4) for _, (n, y) in sorted(expected.items())]
    assert sum(b["reviews"] for b in data["fsrs"]) == sum(n for n, _ in expected.values())
    assert "Calibration: predicted against actual recall" in run("stats", "--calibration").output
