"""``optimize`` and ``simulate``: FSRS fitted to the review log of some decks
(or all), judged against SM-2 on the same held-out answers, and the
workload each desired retention would bring. The maths is fsrs_fit's; this
module reads the log, keeps the fitted parameters and picks the ones in
force for a deck."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from studycards import settings as settings_mod

if TYPE_CHECKING:
    from studycards.fsrs_fit import Fit, SimRow
    from studycards.settings import Settings
    from studycards.store import Store

# srs-benchmark (open-spaced-repetition, about 10,000 Anki collections):
# mean log loss of FSRS-6 fitted to each collection, and of SM-2.
BENCHMARK_LOG_LOSS = {"fsrs_fitted": 0.32, "sm2": 0.55}


def answers(store: Store, deck_ids: list[int] | None) -> list:
    """The review log of these decks as fsrs_fit answers, in order."""
    from studycards.fsrs_fit import Answer

    return [Answer(card_id, day, grade, counted, interval) for card_id, day, grade, counted, interval in store.reviews.for_fitting(deck_ids)]


def optimize(store: Store, deck_ids: list[int] | None, progress: Callable[[int, int], None] | None = None, keep: bool = True) -> Fit:
    """Fit FSRS to the history of ``deck_ids`` (None: every deck) and, with
    ``keep``, store the parameters for those decks (or for all)."""
    from studycards import fsrs_fit

    with store.reading():
        log = answers(store, deck_ids)
    found = fsrs_fit.fit(log, progress)
    if keep:
        settings_mod.store_fsrs_parameters(store, deck_ids, found.parameters)
    return found


def parameters_for(store: Store, deck_ids: list[int] | None) -> tuple[tuple[float, ...], str]:
    """The parameters in force for these decks, and where they come from:
    the first deck's own (or its nearest parent's), else those fitted for
    all decks, else the library's defaults."""
    from studycards.fsrs_scheduler import default_parameters
    from studycards.scheduling import inherited

    everywhere, own = settings_mod.fsrs_parameters(store)
    if deck_ids:
        chosen = inherited(dict(own), store.decks.all(), None).get(deck_ids[0])
        if chosen:
            return chosen, "fitted to these decks"  # type: ignore[return-value]
    if everywhere:
        return everywhere, "fitted to all decks"
    return default_parameters(), "FSRS's defaults (`studycards optimize` fits yours)"


@dataclass(frozen=True)
class Workload:
    parameters_from: str
    rows: list[SimRow]
    optimal_retention: float
    days: int
    new_per_day: int


def workload(store: Store, settings: Settings, deck_ids: list[int] | None, retentions: list[float], days: int) -> Workload:
    from studycards import fsrs_fit

    with store.reading():
        parameters, source = parameters_for(store, deck_ids)
    new_per_day = settings.new_per_day
    rows = fsrs_fit.simulate(parameters, retentions, days=days, new_per_day=max(1, new_per_day), max_interval=settings.max_interval)
    best = fsrs_fit.optimal_retention(parameters, days=days, new_per_day=max(1, new_per_day), max_interval=settings.max_interval)
    return Workload(source, rows, best, days, new_per_day)
