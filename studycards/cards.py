"""Cards outside a review session: listing and suspending."""

from __future__ import annotations

from dataclasses import dataclass

from studycards import clock
from studycards.errors import NotFound
from studycards.render import prompt_and_answer
from studycards.store import Store


@dataclass(frozen=True)
class CardRow:
    id: int
    deck: str
    front: str
    back: str
    tags: list[str]
    repetitions: int
    easiness: float
    interval: int
    due: str | None
    lapses: int
    suspended: bool


def list_cards(store: Store, deck_ids: list[int] | None, today: int, due_only: bool) -> list[CardRow]:
    rows = []
    with store.reading():
        listing = store.cards.listing(deck_ids, today, due_only)
    for card_id, deck, kind, ordinal, front, back, tags, reps, easiness, interval, due, lapses, suspended in listing:
        prompt, answer = prompt_and_answer(kind, ordinal, front, back)
        rows.append(
            CardRow(
                id=card_id,
                deck=deck,
                front=prompt,
                back=answer,
                tags=tags.split(),
                repetitions=reps,
                easiness=easiness / 100,
                interval=interval,
                due=None if due is None else clock.day_to_date(due).isoformat(),
                lapses=lapses,
                suspended=bool(suspended),
            )
        )
    return rows


def set_suspended(store: Store, card_ids: list[int], suspended: bool) -> int:
    """Suspend or unsuspend all of ``card_ids``, or none if any id is unknown."""
    with store.transaction():
        changed, missing = store.cards.set_suspended(card_ids, suspended)
        if missing:
            raise NotFound(f"unknown card id {missing[0]}")  # rolls the transaction back
    return changed


def known_cards(store: Store, card_ids: list[int]) -> list[int]:
    """``card_ids`` without repeats, in the order given; NotFound names the
    first id that is not a card."""
    wanted = list(dict.fromkeys(card_ids))
    with store.reading():
        found = store.cards.existing(wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(f"unknown card id {missing[0]}")
    return wanted


def reset_cards(store: Store, card_ids: list[int]) -> int:
    """Return cards to new (repetitions, easiness, interval, due, lapses,
    burial and last review as a new card's; suspension stays). Their review
    history is kept. All of ``card_ids`` or none, if any id is unknown."""
    with store.transaction():
        reset, missing = store.cards.reset(list(dict.fromkeys(card_ids)))
        if missing:
            raise NotFound(f"unknown card id {missing[0]}")  # rolls the transaction back
    return reset
