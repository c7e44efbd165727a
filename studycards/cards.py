"""Cards outside a review session: listing, searching and suspending."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studycards import clock, search
from studycards.errors import InvalidValue, NotFound
from studycards.render import prompt_and_answer
from studycards.store import Condition, Store


@dataclass(frozen=True)
class CardRow:
    id: int
    note: int  # the note's id, which edit and delete take
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
    with store.reading():
        listing = store.cards.listing(deck_ids, today, due_only)
    return _card_rows(listing)


def find_cards(store: Store, query: str, today: int, day_start_hour: int, limit: int | None = None) -> list[int]:
    """Ids of the cards matching the search ``query`` (see studycards.search
    for the language), in the order ``studycards cards`` lists them, at most
    ``limit`` of them. ``today`` is the study day; ``day_start_hour`` the
    setting that says when a study day begins (for ``added:``). A malformed
    query raises InvalidValue naming the bad part."""
    node = search.parse(query)
    _check_limit(limit)
    with store.reading():
        return store.cards.search(_condition(store, node, today, day_start_hour), today, limit)


def list_matching(
    store: Store,
    query: str,
    today: int,
    day_start_hour: int,
    limit: int | None = None,
    *,
    deck_ids: list[int] | None = None,
    due_only: bool = False,
) -> list[CardRow]:
    """``list_cards`` for the cards matching ``query``, as ``find_cards``
    finds them (and, if given, in ``deck_ids`` and due today)."""
    node = search.parse(query)
    _check_limit(limit)
    with store.reading():
        listing = store.cards.listing(deck_ids, today, due_only, _condition(store, node, today, day_start_hour), limit)
    return _card_rows(listing)


def _condition(store: Store, node: search.Node, today: int, day_start_hour: int) -> Condition:
    return store.search.condition(node, today, lambda day: clock.day_start_epoch(day, day_start_hour))


def _check_limit(limit: int | None) -> None:
    if limit is not None and not 0 <= limit <= search.INT64_MAX:
        raise InvalidValue(f"the limit must be a whole number from 0 to {search.INT64_MAX}, not {limit}")


def _card_rows(listing: list[Any]) -> list[CardRow]:
    rows = []
    for card_id, deck, kind, ordinal, front, back, tags, reps, easiness, interval, due, lapses, suspended, note_id in listing:
        prompt, answer = prompt_and_answer(kind, ordinal, front, back)
        rows.append(
            CardRow(
                id=card_id,
                note=note_id,
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


def notes_of(store: Store, card_ids: list[int]) -> list[int]:
    """The notes of the cards, each once, in the cards' order."""
    with store.reading():
        return store.cards.notes_of(card_ids)


def retag(store: Store, note_ids: list[int], add: list[str], remove: list[str]) -> int:
    """Add and remove tags on notes (one word each, matched regardless of
    case for removal); returns how many notes changed."""
    for tag in add + remove:
        if not tag.strip() or any(c.isspace() for c in tag.strip()):
            raise InvalidValue(f"tag {tag!r} must be one word without spaces")
    gone = {t.strip().casefold() for t in remove}
    changed = 0
    with store.transaction():
        for note_id, tags in store.notes.tags_of(note_ids).items():
            words = [w for w in tags.split() if w.casefold() not in gone]
            words += [t.strip() for t in add if t.strip().casefold() not in {w.casefold() for w in words}]
            new = " ".join(dict.fromkeys(words))
            if new != tags:
                store.notes.set_tags(note_id, new)
                changed += 1
    return changed
