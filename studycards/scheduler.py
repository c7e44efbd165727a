"""SM-2 exactly as our README states it, in integer arithmetic.

Pure on purpose: (state, grade, study day, config) in, new state out. No
database, no clock, no I/O, and nothing imported from the rest of the package,
so the rules can be tested as tables and swapped without touching storage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

INITIAL_EASINESS = 250  # EF 2.50, in hundredths
MIN_EASINESS = 130  # EF floor 1.30
DEFAULT_MAX_INTERVAL = 36500
DEFAULT_LEECH_THRESHOLD = 8
GRADES = range(0, 6)
PASS_GRADE = 3  # grades from here up are correct answers (counted as retained in statistics)
REDRILL_BELOW = 4  # a card graded below this is re-drilled the same day until it gets a 4 or 5 (SM-2 step 7)
LEECH_TAG = "leech"  # the note tag a leech gets


@dataclass(frozen=True)
class CardState:
    """What SM-2 needs to know about a card. ``due`` is None for a new card."""

    repetitions: int = 0
    easiness: int = INITIAL_EASINESS
    interval: int = 0
    due: int | None = None
    lapses: int = 0


@dataclass(frozen=True)
class SchedulerConfig:
    max_interval: int = DEFAULT_MAX_INTERVAL
    leech_threshold: int = DEFAULT_LEECH_THRESHOLD


@dataclass(frozen=True)
class Outcome:
    """The new state plus the two events the caller must act on."""

    state: CardState
    lapsed: bool
    leech: bool


class InvalidGrade(ValueError):
    def __init__(self, grade: object) -> None:
        super().__init__(f"grade must be a whole number from 0 to 5, not {grade!r}")


def easiness_delta(grade: int) -> int:
    """EF' - EF in hundredths: 100 * (0.1 - (5-q)(0.08 + (5-q)0.02)).

    Gives +10, 0, -14, -32, -54, -80 for q = 5..0; exact in integers.
    """
    miss = 5 - grade
    return 10 - miss * (8 + 2 * miss)


def next_interval(repetitions: int, previous_interval: int, easiness: int) -> int:
    """I(1)=1, I(2)=6, I(n)=ceil(I(n-1) * EF) with EF in hundredths.

    ``repetitions`` is n after this answer; ``easiness`` is EF before it.
    Ceiling division on integers: no float ever touches an interval.
    """
    if repetitions == 1:
        return 1
    if repetitions == 2:
        return 6
    return -(-previous_interval * easiness // 100)


def answer(
    state: CardState, grade: int, today: int, config: SchedulerConfig = SchedulerConfig()
) -> Outcome:
    """Schedule one counted answer given on study day ``today``.

    Overdue days are not credited (classic SM-2): the interval grows from the
    previous interval, and the new due day counts from today.
    """
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in GRADES:
        raise InvalidGrade(grade)
    easiness = max(MIN_EASINESS, state.easiness + easiness_delta(grade))
    if grade >= PASS_GRADE:
        repetitions = state.repetitions + 1
        interval = next_interval(repetitions, state.interval, state.easiness)
        lapsed = False
    else:
        repetitions = 0
        interval = 1
        lapsed = state.repetitions > 0
    interval = max(1, min(interval, config.max_interval))
    lapses = state.lapses + 1 if lapsed else state.lapses
    new_state = replace(
        state,
        repetitions=repetitions,
        easiness=easiness,
        interval=interval,
        due=today + interval,
        lapses=lapses,
    )
    leech = lapsed and lapses >= config.leech_threshold
    return Outcome(state=new_state, lapsed=lapsed, leech=leech)
