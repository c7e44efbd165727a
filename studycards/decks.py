"""Decks as a user sees them first: names to ids, the deck list, today's overview.

Today's overview reads what is due or new from one covering index (cards
carry their deck) plus one query for the streak, so its cost follows the
day's work, not the size of the collection or the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from studycards.errors import NotFound
from studycards.review import pending_redrills
from studycards.settings import Settings
from studycards.store import Store


def resolve_decks(store: Store, names: tuple[str, ...] | list[str]) -> list[int] | None:
    """Deck ids for ``names``; None means all decks. Unknown names are an error."""
    if not names:
        return None
    found = store.decks.ids_by_name(list(names))
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(name for _, name in store.decks.all()) or "none yet"
        raise NotFound(f"unknown deck {missing[0]!r} (decks: {known})")
    return [found[n] for n in names]


@dataclass(frozen=True)
class DeckSummary:
    name: str
    description: str
    total: int
    new: int
    due: int
    suspended: int


def deck_summaries(store: Store, today: int) -> list[DeckSummary]:
    """Every deck with its card counts (the `decks` command)."""
    with store.reading():
        return [DeckSummary(*row) for row in store.decks.summaries(today)]


@dataclass(frozen=True)
class DeckToday:
    name: str
    due: int
    new: int  # new cards this deck can still give today
    redrill: int


@dataclass(frozen=True)
class Today:
    decks: list[DeckToday]
    due: int
    new: int
    redrill: int
    new_room: int  # new cards left today across all decks
    streak: int


def today_overview(store: Store, today: int, settings: Settings) -> Today:
    with store.reading():
        names = store.decks.all()
        due = store.cards.due_by_deck(today)
        new = store.cards.new_by_deck(today)
        _, new_done = store.reviews.counted_today(today)
        redrills = pending_redrills(store, today, None)
        redrill: dict[int, int] = {}
        if redrills:
            for deck_id in store.cards.decks_of(redrills):
                redrill[deck_id] = redrill.get(deck_id, 0) + 1
        streak = store.reviews.streak(today)
    room = max(0, settings.new_per_day - new_done)
    decks = [DeckToday(name, due.get(i, 0), min(new.get(i, 0), room), redrill.get(i, 0)) for i, name in names]
    return Today(
        decks=decks,
        due=sum(d.due for d in decks),
        new=min(room, sum(new.values())),
        redrill=len(redrills),
        new_room=room,
        streak=streak,
    )
