"""FSRS on a studycards review log: fit it, judge it fairly against SM-2,
and simulate the workload it would bring.

Pure: answers in, numbers out; no database, no CLI, no printing. The model
and optimizer are the Rust ``fsrs`` crate that Anki uses, through the
``fsrs-rs-python`` binding. It is imported inside the functions that need
it, so importing this module costs nothing to people who never use FSRS.

Our answers become FSRS data like this: grades 0-5 become ratings 1-4
(:func:`rating`); time is whole study days; only a card's first answer of a
study day (a "counted" answer) is a review. Same-day re-drills are left out,
as FSRS and srs-benchmark expect, so the memory states here never take a
same-day step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studycards.errors import InvalidValue, StudycardsError
from studycards.fsrs_scheduler import FsrsMissing, library, rating

if TYPE_CHECKING:
    import random
    from collections.abc import Callable, Iterable, Sequence
    from types import ModuleType

# fsrs-rs's evaluate_with_time_series_splits cuts the time-ordered items into
# SPLITS + 1 equal parts and, for each later part, trains on everything
# before it and predicts that part. fit() makes the same cut.
SPLITS = 5

# fsrs-rs compute_parameters (training.rs) returns its defaults unchanged for
# fewer than 8 training items and fits only the first-day stabilities w[0..3]
# for fewer than 64; all 21 weights are trained from 64 items up.
FULL_TRAINING_ITEMS = 64

MIN_COUNTED_ANSWERS = (SPLITS + 1) * FULL_TRAINING_ITEMS
"""Least number of reviews (counted answers after a card's first, which is
each card's start and predicts nothing) that fit() accepts: 384. The held-out
test trains first on the earliest sixth alone, and fsrs-rs trains a full model
only from 64 items, so with fewer the early folds would silently score
untrained weights; 64 also leaves every held-out part enough answers to score."""

MIN_CARDS = 20
"""Least number of cards with counted answers on two or more days that fit()
accepts. fsrs-rs's outlier filter (dataset.rs) groups cards by first rating
and drops each group's rarest first intervals until at least 20 cards are
gone, with every review of those cards: below 20 cards everything is dropped
and fsrs-rs returns its defaults as if it had fitted them (19 cards reviewed
40 times each still give the defaults; 20 with one first grade do not). It is
a floor: a first grade given to fewer than 20 cards adds nothing."""

class NotEnoughHistory(StudycardsError):
    """Too little review history to fit FSRS and test it on held-out answers."""

    def __init__(self, counted_answers: int, reviews: int, cards: int) -> None:
        self.counted_answers = counted_answers
        self.reviews = reviews
        self.cards = cards
        short = []
        if reviews < MIN_COUNTED_ANSWERS:
            short.append(f"{reviews} reviews (counted answers after a card's first) where fitting needs {MIN_COUNTED_ANSWERS}")
        if cards < MIN_CARDS:
            short.append(f"{cards} cards answered on two or more days where it needs {MIN_CARDS}")
        short[-1] += " (see `studycards optimize --help`)"
        super().__init__("not enough history to fit FSRS: " + "; ".join(short))


@dataclass(frozen=True)
class Answer:
    """One logged answer. ``counted`` marks a card's first answer of its study
    day; ``sm2_interval`` is the interval (days) SM-2 had scheduled for the
    card before this answer, 0 for a new card's first answer."""

    card_id: int
    day: int
    grade: int
    counted: bool
    sm2_interval: int


@dataclass(frozen=True)
class Score:
    """How well predicted recall matched what happened, on held-out reviews.
    ``log_loss``: mean binary cross-entropy (lower is better). ``rmse_bins``:
    fsrs-rs's RMSE over bins of (interval, review count, lapses)."""

    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class Fit:
    """The result of :func:`fit`. ``parameters`` are trained on all the
    history (to store and schedule with); the three scores are on the same
    held-out reviews. ``cards`` counts cards with answers on two or more days
    (those FSRS learns from); ``evaluated_answers`` the held-out reviews."""

    parameters: tuple[float, ...]
    default: Score
    fitted: Score
    sm2: Score
    counted_answers: int
    cards: int
    evaluated_answers: int


@dataclass(frozen=True)
class SimRow:
    """fsrs-rs's simulation at one desired retention. ``reviews_per_day``:
    mean reviews a day (first answers of new cards not included);
    ``retention``: the fraction of those reviews recalled; ``memorized``: the
    expected number of cards remembered on the last day (the sum of their
    recall probabilities); ``learned``: cards introduced by then."""

    desired_retention: float
    reviews_per_day: float
    retention: float
    memorized: float
    learned: int


def _lib() -> ModuleType:
    """fsrs_rs_python, imported on first use."""
    return library()


class _History:
    """Each card's counted answers as (day, rating, sm2_interval), and every
    review (a card's counted answer after its first) in time order as
    (card, index into the card's answers)."""

    def __init__(self, answers: Iterable[Answer]) -> None:
        self.cards: dict[int, list[tuple[int, int, int]]] = {}
        self.reviews: list[tuple[int, int]] = []
        self.counted_answers = 0
        for answer in answers:
            if not answer.counted:
                continue
            history = self.cards.setdefault(answer.card_id, [])
            if history and answer.day <= history[-1][0]:
                if answer.day < history[-1][0]:
                    raise InvalidValue(
                        f"answers must be in time order: card {answer.card_id} goes back to day {answer.day}"
                    )
                continue  # a second answer the same day is a re-drill to FSRS, whatever its flag says
            self.counted_answers += 1
            history.append((answer.day, rating(answer.grade), answer.sm2_interval))
            if len(history) > 1:
                self.reviews.append((answer.card_id, len(history) - 1))
        self.learned_cards = sum(1 for history in self.cards.values() if len(history) > 1)

    def fsrs_reviews(self, lib: ModuleType, card_id: int) -> list:
        """The card's counted answers as FSRSReviews: delta_t is days since the
        previous one, 0 for the first (as fsrs-rs requires)."""
        history = self.cards[card_id]
        days = [day for day, _, _ in history]
        return [
            lib.FSRSReview(grade_rating, day - days[i - 1] if i else 0)
            for i, (day, grade_rating, _) in enumerate(history)
        ]

    def items(self, lib: ModuleType) -> list:
        full = {card_id: self.fsrs_reviews(lib, card_id) for card_id in self.cards}
        return [lib.FSRSItem(full[card_id][: index + 1]) for card_id, index in self.reviews]

    def elapsed(self, review: tuple[int, int]) -> int:
        card_id, index = review
        history = self.cards[card_id]
        return history[index][0] - history[index - 1][0]

    def recalled(self, review: tuple[int, int]) -> bool:
        card_id, index = review
        return self.cards[card_id][index][1] > 1

    def bin(self, review: tuple[int, int]) -> tuple[int, int, int]:
        """fsrs-rs's FSRSItem::r_matrix_index as exponents: the same groups.
        Interval in powers of 3.62, review count (long-term reviews + 1, the
        current one included) in powers of 1.89, lapses before this review
        (Again after the first day) in powers of 1.73, none apart."""
        card_id, index = review
        history = self.cards[card_id]
        lapses = sum(1 for _, grade_rating, _ in history[1:index] if grade_rating == 1)
        return (
            math.floor(math.log(self.elapsed(review), 3.62)),
            math.floor(math.log(index + 1, 1.89)),
            math.floor(math.log(lapses, 1.73)) if lapses else -1,
        )


def items(answers: Iterable[Answer]) -> list:
    """FSRSItems from the counted answers, one per review: the card's history
    up to and including that review, delta_t in days. In the order the reviews
    were given, which is the time order compute_parameters and the time-series
    evaluation rely on. Same-day re-drills and uncounted answers are left out."""
    lib = _lib()
    return _History(answers).items(lib)


def _predict(
    lib: ModuleType, parameters: Sequence[float], history: _History, reviews: Sequence[tuple[int, int]]
) -> list[float]:
    """FSRS's recall probability for each review from the card's memory state
    after the answers before it, as fsrs-rs's predict_retrievability does:
    R = (1 + factor * t / S) ** -decay with decay = w[20]."""
    w = list(lib.check_and_fill_parameters(list(parameters)))
    model = lib.FSRS(w)
    card_ids = sorted({card_id for card_id, _ in reviews})
    states = model.historical_memory_state_batch(
        [lib.FSRSItem(history.fsrs_reviews(lib, card_id)) for card_id in card_ids]
    )
    stability = {card_id: [state.stability for state in card] for card_id, card in zip(card_ids, states)}
    decay = w[20]
    factor = 0.9 ** (-1 / decay) - 1
    return [
        (1 + factor * history.elapsed(review) / stability[review[0]][review[1] - 1]) ** -decay
        for review in reviews
    ]


def _sm2_predict(history: _History, reviews: Sequence[tuple[int, int]]) -> list[float]:
    """SM-2's recall probability, srs-benchmark's convention: 0.9 at the
    scheduled interval, p = 0.9 ** (elapsed / interval). An interval below 1
    (only possible in odd data) counts as 1; p is kept within 1e-6 of 0 and 1
    so a very overdue card cannot make the log loss infinite."""
    predictions = []
    for review in reviews:
        card_id, index = review
        interval = max(1, history.cards[card_id][index][2])
        p = 0.9 ** (history.elapsed(review) / interval)
        predictions.append(min(max(p, 1e-6), 1 - 1e-6))
    return predictions


def _score(history: _History, reviews: Sequence[tuple[int, int]], predictions: Sequence[float]) -> Score:
    """fsrs-rs's metrics with every review weighted 1, as in its time-series
    evaluation: log loss is the mean of -(y ln p + (1-y) ln(1-p)); RMSE(bins)
    is sqrt(sum over bins of n * (mean p - mean y)^2 / sum n)."""
    loss = 0.0
    bins: dict[tuple[int, int, int], list[float]] = {}
    for review, p in zip(reviews, predictions, strict=True):
        y = history.recalled(review)
        loss -= math.log(p) if y else math.log(1 - p)
        total = bins.setdefault(history.bin(review), [0.0, 0.0, 0])
        total[0] += p
        total[1] += y
        total[2] += 1
    squares = sum(n * (p / n - y / n) ** 2 for p, y, n in bins.values())
    return Score(log_loss=loss / len(reviews), rmse_bins=math.sqrt(squares / len(reviews)))


def sm2_score(answers: Iterable[Answer]) -> Score:
    """SM-2's score on every review in ``answers``, computed exactly as fit()
    computes it on the held-out reviews (fit needs more history than this)."""
    history = _History(answers)
    if not history.reviews:
        raise InvalidValue("no reviews to score: no card has counted answers on two days")
    return _score(history, history.reviews, _sm2_predict(history, history.reviews))


@dataclass(frozen=True)
class CalibrationBin:
    """Reviews whose predicted recall fell in [low, high): how many, the
    mean prediction and the share actually recalled."""

    low: float
    high: float
    reviews: int
    predicted: float
    actual: float


def calibration(answers: Iterable[Answer], parameters: Sequence[float] | None = None) -> dict[str, list[CalibrationBin]]:
    """Predicted against actual recall over every review in the log, in ten
    bins of predicted recall: for SM-2 (srs-benchmark's convention), and for
    FSRS with ``parameters`` (each card's memory replayed from its own
    earlier answers) when they are given. Bins with no review are left out.
    Not held out: this shows how a model's numbers read on your log, the
    fair comparison is fit()'s."""
    history = _History(answers)
    out = {"sm2": _bins(history, _sm2_predict(history, history.reviews))}
    if parameters is not None and history.reviews:
        out["fsrs"] = _bins(history, _predict(_lib(), parameters, history, history.reviews))
    return out


def _bins(history: _History, predictions: Sequence[float]) -> list[CalibrationBin]:
    totals = [[0.0, 0, 0] for _ in range(10)]
    for review, p in zip(history.reviews, predictions, strict=True):
        total = totals[min(9, int(p * 10))]
        total[0] += p
        total[1] += history.recalled(review)
        total[2] += 1
    return [
        CalibrationBin(i / 10, (i + 1) / 10, n, round(p_sum / n, 4), round(y / n, 4))
        for i, (p_sum, y, n) in enumerate(totals)
        if n
    ]


def _train(lib: ModuleType, items_: list, card_ids: list[int]) -> list[float]:
    # compute_parameters ignores the FSRS object's own parameters.
    return lib.FSRS(lib.DEFAULT_PARAMETERS).compute_parameters(items_, card_ids=card_ids)


def fit(answers: Iterable[Answer], progress: Callable[[int, int], None] | None = None) -> Fit:
    """Fit FSRS on the whole history and score it, FSRS's defaults and SM-2 on
    the same held-out reviews.

    The held-out test is fsrs-rs's evaluate_with_time_series_splits done here
    step by step, so that all three are scored on the same held-out
    reviews: the reviews in time order are cut into six equal parts (the last
    takes the remainder); for each of parts 2-6, FSRS is trained with
    compute_parameters on everything before it (with card ids, as Anki does)
    and predicts that part. FSRS's defaults and SM-2 predict the same five
    parts, and one metric function scores all three. The fitted score equals
    what evaluate_with_time_series_splits returns (the tests check it).

    ``progress(done, total)`` is called after each of the six trainings."""
    lib = _lib()
    history = _History(answers)
    reviews = history.reviews
    if len(reviews) < MIN_COUNTED_ANSWERS or history.learned_cards < MIN_CARDS:
        raise NotEnoughHistory(history.counted_answers, len(reviews), history.learned_cards)
    all_items = history.items(lib)
    card_ids = [card_id for card_id, _ in reviews]
    part = len(reviews) // (SPLITS + 1)
    held_out = reviews[part:]
    fitted: list[float] = []
    for split in range(SPLITS):
        start = (split + 1) * part
        end = len(reviews) if split == SPLITS - 1 else start + part
        weights = _train(lib, all_items[:start], card_ids[:start])
        fitted += _predict(lib, weights, history, reviews[start:end])
        if progress:
            progress(split + 1, SPLITS + 1)
    parameters = _train(lib, all_items, card_ids)
    if progress:
        progress(SPLITS + 1, SPLITS + 1)
    return Fit(
        parameters=tuple(parameters),
        default=_score(history, held_out, _predict(lib, lib.DEFAULT_PARAMETERS, history, held_out)),
        fitted=_score(history, held_out, fitted),
        sm2=_score(history, held_out, _sm2_predict(history, held_out)),
        counted_answers=history.counted_answers,
        cards=history.learned_cards,
        evaluated_answers=len(held_out),
    )


def _simulator_config(lib: ModuleType, days: int, new_per_day: int, max_interval: int) -> object:
    """fsrs-rs's simulator with our settings: ``new_per_day`` new cards every
    day for ``days`` days, no review limit, and no learning or relearning
    steps (our same-day re-drills are not FSRS steps: the fitted model ignores
    them). Rating frequencies and seconds per answer are fsrs-rs's defaults,
    averages over Anki users; studycards records no answer times."""
    for name, value in (("days", days), ("new_per_day", new_per_day), ("max_interval", max_interval)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidValue(f"{name} must be a whole number of at least 1, not {value!r}")
    default = lib.default_simulator_config()
    return lib.SimulatorConfig(
        deck_size=days * new_per_day,
        learn_span=days,
        max_cost_perday=math.inf,
        max_ivl=float(max_interval),
        first_rating_prob=default.first_rating_prob,
        review_rating_prob=default.review_rating_prob,
        learn_limit=new_per_day,
        review_limit=default.review_limit,
        new_cards_ignore_review_limit=True,
        learning_step_transitions=default.learning_step_transitions,
        relearning_step_transitions=default.relearning_step_transitions,
        state_rating_costs=default.state_rating_costs,
        learning_step_count=0,
        relearning_step_count=0,
    )


def simulate(
    parameters: Sequence[float],
    retentions: Sequence[float],
    days: int = 365,
    new_per_day: int = 20,
    max_interval: int = 36500,
    seed: int = 42,
) -> list[SimRow]:
    """The workload and memory that each desired retention would bring, from
    fsrs-rs's simulate (one Monte Carlo run per retention, all with the same
    seed so their differences are not noise)."""
    lib = _lib()
    config = _simulator_config(lib, days, new_per_day, max_interval)
    rows = []
    for desired in retentions:
        if not 0 < desired < 1:
            raise InvalidValue(f"desired retention must be between 0 and 1, not {desired!r}")
        result = lib.simulate(list(parameters), desired, config, seed)
        reviews = sum(result.review_cnt_per_day)
        rows.append(
            SimRow(
                desired_retention=desired,
                reviews_per_day=reviews / days,
                retention=sum(result.correct_cnt_per_day) / reviews if reviews else 0.0,
                memorized=result.memorized_cnt_per_day[-1],
                learned=sum(result.learn_cnt_per_day),
            )
        )
    return rows


def optimal_retention(
    parameters: Sequence[float], days: int = 365, new_per_day: int = 20, max_interval: int = 36500
) -> float:
    """fsrs-rs's optimal_retention for these settings: the desired retention
    in 0.70-0.95 with the least simulated time spent per card remembered at
    the end (its default target), found by Brent's method over averaged runs."""
    lib = _lib()
    return lib.optimal_retention(_simulator_config(lib, days, new_per_day, max_interval), list(parameters))


# The synthetic learner's habits: first answers of new cards and passed
# reviews as (rating, weight); the chance of skipping a study day, which
# spreads the elapsed times beyond the scheduled intervals.
_FIRST_RATINGS = ((1, 0.2), (2, 0.1), (3, 0.55), (4, 0.15))
_PASS_RATINGS = ((2, 0.1), (3, 0.8), (4, 0.1))
_SKIP_DAY = 0.1
_GRADE = {1: 1, 2: 3, 3: 4, 4: 5}  # a rating's grade in our 0-5 scale


def synthetic_log(
    parameters: Sequence[float], cards: int, days: int, seed: int, desired_retention: float = 0.9, scheduled_by: str = "fsrs"
) -> list[Answer]:
    """Answers of a learner whose memory follows FSRS with ``parameters``.

    ``cards`` new cards are introduced evenly over the first half of ``days``.
    Each study day (one in ten is skipped) the due cards are reviewed first:
    recall happens with FSRS's retrievability at the elapsed days; a failure
    is graded 1, a recall mostly 4 (Good), sometimes 3 or 5. The next
    interval is FSRS's at ``desired_retention``, rounded, at least a day, no
    fuzz. A grade below 4 is re-drilled once that day with a 4, logged as not
    counted. ``sm2_interval`` is the interval scheduled before the answer.
    With ``scheduled_by="sm2"`` the intervals are SM-2's instead (a learner
    on SM-2 whose memory follows FSRS: the history an SM-2 user brings to
    ``optimize``). Deterministic for a seed."""
    import random

    from studycards import scheduler

    lib = _lib()
    rng = random.Random(seed)
    w = list(lib.check_and_fill_parameters(list(parameters)))
    model = lib.FSRS(w)
    decay = w[20]
    factor = 0.9 ** (-1 / decay) - 1
    span = max(1, days // 2)
    introduced = 0  # cards 1..introduced are in cards_state; card n is introduced on day (n - 1) * span // cards
    cards_state: dict[int, tuple] = {}  # card id -> (memory state, last day, due day, interval)
    sm2: dict[int, scheduler.CardState] = {}
    log: list[Answer] = []

    def answer(card_id: int, day: int, chosen: int, interval_before: int, next_states: object) -> None:
        item = (next_states.again, next_states.hard, next_states.good, next_states.easy)[chosen - 1]
        grade = _GRADE[chosen]
        if scheduled_by == "sm2":
            sm2[card_id] = scheduler.answer(sm2.get(card_id, scheduler.CardState()), grade, day).state
            interval = sm2[card_id].interval
        else:
            interval = max(1, round(item.interval))
        cards_state[card_id] = (item.memory, day, day + interval, interval)
        log.append(Answer(card_id, day, grade, True, interval_before))
        if grade < 4:
            log.append(Answer(card_id, day, 4, False, interval))

    for day in range(days):
        if rng.random() < _SKIP_DAY:
            continue
        for card_id in sorted(c for c, (_, _, due, _) in cards_state.items() if due <= day):
            memory, last, _, interval = cards_state[card_id]
            elapsed = day - last
            recall = (1 + factor * elapsed / memory.stability) ** -decay
            chosen = _draw(rng, _PASS_RATINGS) if rng.random() < recall else 1
            answer(card_id, day, chosen, interval, model.next_states(memory, desired_retention, elapsed))
        while introduced < cards and introduced * span // cards <= day:
            introduced += 1
            answer(introduced, day, _draw(rng, _FIRST_RATINGS), 0, model.next_states(None, desired_retention, 0))
    return log


def _draw(rng: random.Random, choices: Sequence[tuple[int, float]]) -> int:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]
