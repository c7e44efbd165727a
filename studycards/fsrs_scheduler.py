"""FSRS, the second scheduler: pure, as SM-2 is (state, grade, study day,
config in; new state out), over the Rust ``fsrs`` crate that Anki uses
(``fsrs-rs-python``, the ``studycards[fsrs]`` extra, imported on first use).

How it sits in our 0-5, whole-day world:

- Grades map to FSRS ratings: 0-2 Again, 3 Hard, 4 Good, 5 Easy.
- Only a day's first (counted) answer schedules a card; a card answered
  below 4 is re-drilled the same day, as under SM-2, and re-drills leave
  the FSRS memory state alone. That is our day-based stand-in for FSRS
  learning steps: the card comes back today, and FSRS sees one review
  a day, as its optimizer expects.
- The days elapsed since the last counted answer are ``today - (due -
  interval)``: a card is due ``interval`` days after the day it was
  scheduled, whichever scheduler scheduled it.
- SM-2's own fields (repetitions, easiness, lapses) still follow SM-2's
  rules under FSRS, so switching back to SM-2 goes on from a consistent
  state; only the interval and due day are FSRS's.
- Fuzz is off by default, so schedules are reproducible; when on, it is
  seeded by the card and the day (the same answer gives the same day).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Sequence

from studycards import scheduler
from studycards.errors import StudycardsError

DEFAULT_RETENTION = 0.90
SM2_RETENTION = 0.90  # what an SM-2 interval is taken to mean when no history says more (srs-benchmark's convention)


class FsrsMissing(StudycardsError):
    def __init__(self) -> None:
        super().__init__("FSRS needs its library: pip install 'studycards[fsrs]'")


@dataclass(frozen=True)
class Memory:
    """FSRS's memory state of a card: stability in days (the interval at
    which recall falls to 90%) and difficulty from 1 to 10."""

    stability: float
    difficulty: float


@dataclass(frozen=True)
class FsrsConfig:
    parameters: tuple[float, ...] = ()  # empty: the library's defaults
    desired_retention: float = DEFAULT_RETENTION
    max_interval: int = scheduler.DEFAULT_MAX_INTERVAL
    leech_threshold: int = scheduler.DEFAULT_LEECH_THRESHOLD
    fuzz: bool = False


@dataclass(frozen=True)
class Outcome:
    state: scheduler.CardState
    memory: Memory
    lapsed: bool
    leech: bool


def rating(grade: int) -> int:
    """Our grade as an FSRS rating: 1 Again, 2 Hard, 3 Good, 4 Easy."""
    if isinstance(grade, bool) or not isinstance(grade, int) or grade not in scheduler.GRADES:
        raise scheduler.InvalidGrade(grade)
    return 1 if grade < scheduler.PASS_GRADE else grade - 1


def library() -> Any:
    try:
        import fsrs_rs_python
    except ImportError:
        raise FsrsMissing() from None
    return fsrs_rs_python


@lru_cache(maxsize=8)
def _model(parameters: tuple[float, ...]) -> Any:
    lib = library()
    return lib.FSRS(list(parameters) if parameters else list(lib.DEFAULT_PARAMETERS))


def default_parameters() -> tuple[float, ...]:
    return tuple(library().DEFAULT_PARAMETERS)


def elapsed_days(state: scheduler.CardState, today: int) -> int:
    """Days since the card's last counted answer (0 for a new card)."""
    if state.due is None:
        return 0
    return max(0, today - (state.due - state.interval))


def _next(memory: Memory | None, state: scheduler.CardState, today: int, config: FsrsConfig) -> Any:
    lib = library()
    start = None if memory is None else lib.MemoryState(memory.stability, memory.difficulty)
    return _model(config.parameters).next_states(start, config.desired_retention, elapsed_days(state, today))


def _interval(days: float, config: FsrsConfig, seed: int) -> int:
    interval = max(1, min(round(days), config.max_interval))
    if config.fuzz and interval >= 3:
        import random

        spread = max(1, round(interval * (0.15 if interval < 7 else 0.10 if interval < 20 else 0.05)))
        interval = random.Random(seed).randint(interval - spread, interval + spread)
    return max(1, min(interval, config.max_interval))


_CHOSEN = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def answer(
    state: scheduler.CardState, memory: Memory | None, grade: int, today: int, config: FsrsConfig = FsrsConfig(), seed: int = 0
) -> Outcome:
    """Schedule one counted answer given on study day ``today``. ``memory``
    is None for a card FSRS has not seen (a new card, or one switched from
    SM-2 whose memory was not computed: it starts from its SM-2 state)."""
    sm2 = scheduler.answer(state, grade, today, scheduler.SchedulerConfig(config.max_interval, config.leech_threshold))
    if memory is None and state.due is not None:
        memory = from_sm2(state, config)
    chosen = getattr(_next(memory, state, today, config), _CHOSEN[rating(grade)])
    interval = _interval(chosen.interval, config, seed)
    new = replace(sm2.state, interval=interval, due=today + interval)
    return Outcome(new, Memory(chosen.memory.stability, chosen.memory.difficulty), sm2.lapsed, sm2.leech)


def preview(state: scheduler.CardState, memory: Memory | None, today: int, config: FsrsConfig = FsrsConfig(), seed: int = 0) -> dict[int, int]:
    """Each grade's next interval in days, as ``answer`` would give it."""
    if memory is None and state.due is not None:
        memory = from_sm2(state, config)
    states = _next(memory, state, today, config)
    return {grade: _interval(getattr(states, _CHOSEN[rating(grade)]).interval, config, seed) for grade in scheduler.GRADES}


def from_sm2(state: scheduler.CardState, config: FsrsConfig = FsrsConfig()) -> Memory:
    """A memory state for a card with no usable history, from its SM-2
    easiness and interval (taking the interval as where recall is 90%)."""
    found = _model(config.parameters).memory_state_from_sm2(state.easiness / 100, float(max(1, state.interval)), SM2_RETENTION)
    return Memory(found.stability, found.difficulty)


def from_history(answers: Sequence[tuple[int, int]], start: scheduler.CardState | None, config: FsrsConfig = FsrsConfig()) -> Memory | None:
    """A card's memory state replayed from its counted answers, as (study
    day, grade) in order. ``start`` is the card's SM-2 state before the
    first of them when the card was already studied then (its history is
    partial, as after an import): the replay starts from that state. None
    when there is nothing to replay."""
    if not answers:
        return None
    lib = library()
    reviews, previous = [], None
    for day, grade in answers:
        reviews.append([rating(grade), 0 if previous is None else max(0, day - previous)])
        previous = day
    initial = None
    if start is not None and start.due is not None:
        seeded = from_sm2(start, config)
        initial = lib.MemoryState(seeded.stability, seeded.difficulty)
        reviews[0][1] = max(0, answers[0][0] - (start.due - start.interval))
    item = lib.FSRSItem([lib.FSRSReview(r, delta) for r, delta in reviews])
    found = _model(config.parameters).memory_state(item, initial)
    return Memory(found.stability, found.difficulty)


def interval_for(memory: Memory, config: FsrsConfig = FsrsConfig()) -> float:
    """Days until recall falls to the desired retention."""
    return _model(config.parameters).next_interval(memory.stability, config.desired_retention, 3)


def retrievability(memory: Memory, elapsed: int, config: FsrsConfig = FsrsConfig()) -> float:
    """The predicted chance of recall ``elapsed`` days after the last review."""
    parameters = config.parameters or default_parameters()
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * elapsed / memory.stability) ** decay
