"""SM-2 as the README states it: whole histories in, intervals and easiness out."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import FrozenInstanceError

import pytest
from helpers import reference_sm2

from studycards.scheduler import (
    CardState,
    InvalidGrade,
    SchedulerConfig,
    answer,
    easiness_delta,
)


def run_history(grades, config=SchedulerConfig(), start_day=0):
    """Answer each card on the day it falls due; return intervals, final state."""
    state, day, intervals = CardState(), start_day, []
    for grade in grades:
        outcome = answer(state, grade, day, config)
        state = outcome.state
        intervals.append(state.interval)
        day = state.due
    return intervals, state


@pytest.mark.parametrize(
    "grades, intervals, easiness",
    [
        ([4, 4, 4, 4, 4], [1, 6, 15, 38, 95], 250),
        ([5, 5, 5, 5, 5], [1, 6, 17, 48, 140], 300),
        ([5, 5, 2, 4, 4], [1, 6, 1, 1, 6], 238),
        ([3, 3, 3], [1, 6, 14], 208),  # ceil(6 * 2.22) = ceil(13.32)
        ([0], [1], 170),
        ([2, 3], [1, 1], 204),
    ],
)
def test_whole_histories(grades, intervals, easiness):
    got, state = run_history(grades)
    assert got == intervals
    assert state.easiness == easiness


@pytest.mark.parametrize("grade, delta", [(5, 10), (4, 0), (3, -14), (2, -32), (1, -54), (0, -80)])
def test_easiness_change_per_grade_in_hundredths(grade, delta):
    assert easiness_delta(grade) == delta
    assert answer(CardState(easiness=250), grade, 0).state.easiness == 250 + delta


def test_easiness_never_drops_below_1_30():
    _, state = run_history([0] * 10)
    assert state.easiness == 130
    assert answer(CardState(easiness=140), 3, 0).state.easiness == 130


def test_interval_uses_easiness_from_before_the_answer():
    # n=3 with I=6 and EF 2.50 answered 5: EF becomes 2.60 but I = ceil(6 * 2.50) = 15
    outcome = answer(CardState(repetitions=2, easiness=250, interval=6, due=10), 5, 10)
    assert (outcome.state.interval, outcome.state.easiness) == (15, 260)


def test_interval_is_capped_and_due_date_follows_the_cap():
    config = SchedulerConfig(max_interval=30)
    intervals, state = run_history([5] * 6, config)
    assert intervals == [1, 6, 17, 30, 30, 30]
    outcome = answer(CardState(repetitions=5, easiness=250, interval=36500, due=0), 5, 100)
    assert outcome.state.interval == 36500
    assert outcome.state.due == 100 + 36500


def test_overdue_days_are_not_credited():
    # Due on day 10, answered on day 40: the interval still grows from 6, and counts from day 40.
    outcome = answer(CardState(repetitions=2, easiness=250, interval=6, due=10), 4, 40)
    assert outcome.state.interval == 15
    assert outcome.state.due == 55


def test_failing_a_learned_card_is_a_lapse_but_failing_a_new_card_is_not():
    new = answer(CardState(), 1, 0)
    assert (new.lapsed, new.state.lapses, new.state.repetitions) == (False, 0, 0)
    learned = answer(CardState(repetitions=3, easiness=250, interval=15, due=5, lapses=2), 2, 5)
    assert (learned.lapsed, learned.state.lapses, learned.state.repetitions) == (True, 3, 0)
    assert learned.state.interval == 1 and learned.state.due == 6


def test_leech_is_flagged_when_lapses_reach_the_threshold():
    config = SchedulerConfig(leech_threshold=3)
    state = CardState(repetitions=1, interval=1, due=0, lapses=1)
    second = answer(state, 0, 0, config)
    assert not second.leech
    relearned = answer(second.state, 4, 1, config).state
    third = answer(relearned, 0, 2, config)
    assert third.leech and third.state.lapses == 3


@pytest.mark.parametrize("grade", [6, -1, "3", 3.0, True, None])
def test_invalid_grades_are_refused(grade):
    with pytest.raises(InvalidGrade):
        answer(CardState(), grade, 0)


def test_input_state_is_never_mutated():
    state = CardState()
    answer(state, 5, 0)
    assert state == CardState()
    with pytest.raises(FrozenInstanceError):
        state.easiness = 1  # type: ignore[misc]


@pytest.mark.parametrize("seed", range(20))
def test_long_random_histories_match_an_independent_reference(seed):
    rng = random.Random(seed)
    grades = [rng.choice([0, 1, 2, 3, 3, 4, 4, 4, 5, 5]) for _ in range(300)]
    config = SchedulerConfig(max_interval=rng.choice([36500, 365, 50]))
    expected = reference_sm2(grades, config.max_interval)
    state, day = CardState(), 0
    for grade, (n, ef, interval, due, lapses) in zip(grades, expected):
        state = answer(state, grade, day, config).state
        assert (state.repetitions, state.easiness, state.interval, state.due, state.lapses) == (n, ef, interval, due, lapses)
        day = state.due


@pytest.mark.slow
def test_scheduler_imports_nothing_but_the_standard_library():
    code = (
        "import sys; import studycards.scheduler; "
        "bad = [m for m in ('sqlmodel', 'sqlalchemy', 'click', 'pydantic', 'studycards.models', 'studycards.db') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
