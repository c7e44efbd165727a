"""Which scheduler each deck uses, and switching a deck (or all) between
SM-2 and FSRS without rescheduling anything silently.

A deck's scheduler is its own ``scheduler`` option, else its nearest
parent's, else the global setting; so are its FSRS parameters (fitted by
``optimize``). Switching to FSRS gives each studied card a memory state
replayed from its own counted answers (from its SM-2 state where the
history is partial or missing) and says how many due days FSRS would move;
only ``--reschedule`` moves them. Switching back needs nothing: SM-2's own
fields were kept up to date under FSRS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from studycards import decktree, scheduler, settings as settings_mod
from studycards.records import CardState

if TYPE_CHECKING:
    from studycards.fsrs_scheduler import FsrsConfig, Memory
    from studycards.settings import Settings
    from studycards.store import Store


@dataclass(frozen=True)
class Scheduled:
    """What a counted answer does to a stored card: its new state (memory
    included) and whether it became a leech."""

    state: CardState
    leech: bool


@dataclass(frozen=True)
class Sm2:
    """SM-2 as a deck's strategy. It does not follow FSRS's memory, so an
    answer under it leaves the memory unknown (a later switch replays it)."""

    config: scheduler.SchedulerConfig

    def answer(self, card: CardState, grade: int, today: int, card_id: int) -> Scheduled:
        outcome = scheduler.answer(_sm2_state(card), grade, today, self.config)
        return Scheduled(_with(card, outcome.state, None, None), outcome.leech)

    def preview(self, card: CardState, today: int, card_id: int) -> dict[int, int]:
        return {grade: scheduler.answer(_sm2_state(card), grade, today, self.config).state.interval for grade in scheduler.GRADES}


@dataclass(frozen=True)
class Fsrs:
    """FSRS as a deck's strategy, with the deck's parameters and settings."""

    config: FsrsConfig

    def answer(self, card: CardState, grade: int, today: int, card_id: int) -> Scheduled:
        from studycards import fsrs_scheduler

        outcome = fsrs_scheduler.answer(_sm2_state(card), _memory(card), grade, today, self.config, seed=_seed(card_id, today))
        return Scheduled(_with(card, outcome.state, outcome.memory.stability, outcome.memory.difficulty), outcome.leech)

    def preview(self, card: CardState, today: int, card_id: int) -> dict[int, int]:
        from studycards import fsrs_scheduler

        return fsrs_scheduler.preview(_sm2_state(card), _memory(card), today, self.config, seed=_seed(card_id, today))


def strategies(store: Store, settings: Settings, decks: list[tuple[int, str]] | None = None) -> dict[int, Sm2 | Fsrs]:
    """Each deck's scheduler, ready to answer and preview."""
    sm2 = Sm2(scheduler.SchedulerConfig(settings.max_interval, settings.leech_threshold))
    return {deck_id: sm2 if config is None else Fsrs(config) for deck_id, config in deck_schedulers(store, settings, decks).items()}


def _sm2_state(card: CardState) -> scheduler.CardState:
    return scheduler.CardState(card.repetitions, card.easiness, card.interval, card.due, card.lapses)


def _with(card: CardState, new: scheduler.CardState, stability: float | None, difficulty: float | None) -> CardState:
    return replace(
        card, repetitions=new.repetitions, easiness=new.easiness, interval=new.interval, due=new.due, lapses=new.lapses,
        stability=stability, difficulty=difficulty,
    )


def _memory(card: CardState) -> Memory | None:
    """The card's FSRS memory state, or None if FSRS has not seen it."""
    if card.stability is None or card.difficulty is None:
        return None
    from studycards.fsrs_scheduler import Memory

    return Memory(card.stability, card.difficulty)


def _seed(card_id: int, day: int) -> int:
    """The fuzz seed of one card on one day (the same answer, the same day)."""
    return card_id * 100_003 + day


def inherited(own: dict[int, object], decks: list[tuple[int, str]], default: object) -> dict[int, object]:
    """Each deck's value: its own, else its nearest parent's, else ``default``."""
    by_name = {name.casefold(): deck_id for deck_id, name in decks}
    out = {}
    for deck_id, name in decks:
        value = default
        levels = decktree.levels(name)
        for depth in range(len(levels), 0, -1):
            ancestor = by_name.get("::".join(levels[:depth]).casefold())
            if ancestor in own:
                value = own[ancestor]
                break
        out[deck_id] = value
    return out


def fsrs_config(settings: Settings, parameters: tuple[float, ...]) -> FsrsConfig:
    from studycards.fsrs_scheduler import FsrsConfig

    return FsrsConfig(
        parameters=parameters,
        desired_retention=float(settings.desired_retention),
        max_interval=settings.max_interval,
        leech_threshold=settings.leech_threshold,
        fuzz=settings.fsrs_fuzz == "on",
    )


def deck_schedulers(store: Store, settings: Settings, decks: list[tuple[int, str]] | None = None) -> dict[int, FsrsConfig | None]:
    """Each deck's FSRS config, or None for SM-2 (``decks``: every deck, if
    the caller has read them already)."""
    decks = store.decks.all() if decks is None else decks
    chosen = inherited(dict(settings_mod.own_values(store, "scheduler")), decks, settings.scheduler)
    if "fsrs" not in chosen.values():
        return dict.fromkeys(chosen)
    everywhere, own = settings_mod.fsrs_parameters(store)
    parameters = inherited(dict(own), decks, everywhere)
    return {deck_id: fsrs_config(settings, parameters[deck_id]) if value == "fsrs" else None for deck_id, value in chosen.items()}  # type: ignore[arg-type]


@dataclass(frozen=True)
class Switch:
    """What a switch did: the decks now on ``to``, the studied cards that
    got a memory state (from their history, or from SM-2 alone), and the
    cards whose due day FSRS would move (moved with ``reschedule``)."""

    to: str
    decks: int
    from_history: int
    from_sm2: int
    would_move: int
    moved: int


def switch(
    store: Store, settings: Settings, deck: str | None, to: str, reschedule: bool, progress: Callable[[int, int], None] | None = None
) -> Switch:
    """Set the scheduler for ``deck`` (None: the global setting) and, for
    cards that move to FSRS, compute their memory states, all in one
    transaction."""
    from studycards import fsrs_scheduler

    if to not in ("sm2", "fsrs"):
        settings_mod.parse("scheduler", to)  # the one message for a bad value
    if to == "fsrs":
        fsrs_scheduler.library()  # a clear message before anything is written
    with store.transaction():
        before = deck_schedulers(store, settings)
        if deck is None:
            settings_mod.store_value(store, "scheduler", to)
        else:
            settings_mod.deck_option(store, deck, "scheduler", to)
        after = deck_schedulers(store, settings_mod.load(store))
        moving = [d for d, config in after.items() if config is not None and before.get(d) is None]
        if reschedule:  # every FSRS deck in the scope, also those already on FSRS
            scope = _scope(store, deck)
            moving = [d for d, config in after.items() if config is not None and d in scope]
        changed = [d for d in after if (after[d] is None) != (before.get(d) is None)]
        counts = {"history": 0, "sm2": 0, "would_move": 0, "moved": 0}
        if moving:
            _to_fsrs(store, {d: after[d] for d in moving}, reschedule, counts, progress)  # type: ignore[misc]
    return Switch(to, len(changed), counts["history"], counts["sm2"], counts["would_move"], counts["moved"])


def _scope(store: Store, deck: str | None) -> set[int]:
    """The decks a switch is about: all, or one deck and its sub-decks."""
    return {deck_id for deck_id, name in store.decks.all() if deck is None or decktree.within(name, deck)}


def _to_fsrs(store: Store, configs: dict[int, FsrsConfig], reschedule: bool, counts: dict[str, int], progress: Callable[[int, int], None] | None) -> None:
    from studycards import fsrs_scheduler

    cards = list(store.cards.studied_with_history(list(configs)))
    for done, (card_id, deck_id, state, history) in enumerate(cards, 1):
        if progress is not None and (done % 2000 == 0 or done == len(cards)):
            progress(done, len(cards))
        config = configs[deck_id]
        sm2 = scheduler.CardState(state.repetitions, state.easiness, state.interval, state.due, state.lapses)
        answers = [(day, grade) for day, grade, _ in history]
        start = None
        if history and history[0][2] is not None:  # the first logged answer was not the card's first: partial history
            first = history[0][2]
            start = scheduler.CardState(first.repetitions, first.easiness, first.interval, first.due, first.lapses)
        memory = fsrs_scheduler.from_history(answers, start, config) if answers else None
        if memory is None:
            memory = fsrs_scheduler.from_sm2(sm2, config)
            counts["sm2"] += 1
        else:
            counts["history"] += 1
        last_day = state.due - state.interval  # type: ignore[operator]
        interval = max(1, min(round(fsrs_scheduler.interval_for(memory, config)), config.max_interval))
        new = replace(state, stability=memory.stability, difficulty=memory.difficulty)
        if last_day + interval != state.due:
            counts["would_move"] += 1
            if reschedule:
                new = replace(new, interval=interval, due=last_day + interval)
                counts["moved"] += 1
        store.cards.save_state(card_id, new)
