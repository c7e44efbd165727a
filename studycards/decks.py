"""Decks as a user sees them first: names to ids, the deck list, today's overview.

Today's overview reads what is due or new from one covering index (cards
carry their deck) plus one query for the streak, so its cost follows the
day's work, not the size of the collection or the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from studycards import decktree
from studycards.errors import NotFound
from studycards.review import redrills_among, rooms_left
from studycards.settings import Settings
from studycards.store import Store


def resolve_decks(store: Store, names: tuple[str, ...] | list[str]) -> list[int] | None:
    """Ids of the named decks and all their sub-decks, in tree order; None
    means all decks. Names match regardless of case; an unknown name is an
    error that lists the decks."""
    if not names:
        return None
    everything = store.decks.all()
    found = store.decks.ids_by_name(list(names))
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(name for _, name in everything) or "none yet"
        raise NotFound(f"unknown deck {missing[0]!r} (decks: {known})")
    tops = {name: deck_id for deck_id, name in everything if deck_id in found.values()}
    return [deck_id for deck_id, name in everything if any(decktree.within(name, top) for top in tops)]


@dataclass(frozen=True)
class DeckSummary:
    """A deck's own card counts (``decks --json``) and, for the tree view,
    the counts of the deck with all its sub-decks."""

    name: str
    description: str
    total: int
    new: int
    due: int
    suspended: int
    depth: int = 0
    rolled: tuple[int, int, int, int] = (0, 0, 0, 0)  # total, new, due, suspended with sub-decks


def _rolled_up(names: list[str], own: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Each deck's figures summed with those of its sub-decks (``names`` in tree order)."""
    out = []
    for i, name in enumerate(names):
        sums = list(own[i])
        for j in range(i + 1, len(names)):
            if not decktree.within(names[j], name):
                break  # tree order: a deck's sub-decks follow it directly
            sums = [a + b for a, b in zip(sums, own[j])]
        out.append(tuple(sums))
    return out


def deck_summaries(store: Store, today: int) -> list[DeckSummary]:
    """Every deck with its card counts (the `decks` command), in tree order."""
    with store.reading():
        rows = store.decks.summaries(today)
    rolled = _rolled_up([row[0] for row in rows], [tuple(row[2:]) for row in rows])
    return [DeckSummary(*row, decktree.depth(row[0]), sums) for row, sums in zip(rows, rolled)]  # type: ignore[arg-type]


@dataclass(frozen=True)
class DeckToday:
    """A deck's work today, with its sub-decks."""

    name: str
    due: int
    new: int  # new cards this deck and its sub-decks can still give today
    redrill: int
    depth: int = 0


@dataclass(frozen=True)
class Today:
    decks: list[DeckToday]
    due: int
    new: int
    redrill: int
    new_room: int  # new cards left today across all decks
    streak: int


def today_overview(store: Store, today: int, settings: Settings) -> Today:
    with store.reading():  # one snapshot, one round trip on a server
        names, due, new, counted, done, limits, answers, streak = store.fetch(
            store.decks.all_read(),
            store.cards.due_by_deck_read(today),
            store.cards.new_by_deck_read(today),
            store.reviews.counted_today_read(today),
            store.reviews.new_by_deck_read(today),
            store.decks.new_limits_read(),
            store.reviews.today_with_cards_read(today, None),
            store.reviews.streak_read(today),
        )
    room, rooms = rooms_left(settings, counted[1], done, limits)
    redrills = redrills_among(answers)
    redrill: dict[int, int] = {}
    for _, deck_id in redrills:
        redrill[deck_id] = redrill.get(deck_id, 0) + 1
    own = [(due.get(i, 0), min(new.get(i, 0), rooms.get(i, 0)), redrill.get(i, 0)) for i, _ in names]
    rolled = _rolled_up([name for _, name in names], own)
    decks = [DeckToday(name, d, min(n, room), r, decktree.depth(name)) for (_, name), (d, n, r) in zip(names, rolled)]
    return Today(
        decks=decks,
        due=sum(d for d, _, _ in own),
        new=min(room, sum(n for _, n, _ in own)),
        redrill=len(redrills),
        new_room=room,
        streak=streak,
    )
