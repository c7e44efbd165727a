"""Decks as a user sees them first: names to ids, the deck list, today's overview.

The quick path (see dbapi.py): portable SQL text on a ``Conn``. Today's
overview reads only what is due or new plus one indexed probe per streak day,
so its cost follows the day's work, not the size of the collection.
"""

from __future__ import annotations

from dataclasses import dataclass

from studycards.dbapi import Conn, in_list
from studycards.errors import NotFound
from studycards.review import VISIBLE, counted_today, pending_redrills
from studycards.settings import Settings


def resolve_decks(conn: Conn, names: tuple[str, ...] | list[str]) -> list[int] | None:
    """Deck ids for ``names``; None means all decks. Unknown names are an error."""
    if not names:
        return None
    fragment, params = in_list("name", list(names))
    found = dict(conn.all(f"SELECT name, id FROM deck WHERE name IN {fragment}", **params))
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(r[0] for r in conn.all("SELECT name FROM deck ORDER BY name")) or "none yet"
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


def deck_summaries(conn: Conn, today: int) -> list[DeckSummary]:
    """Every deck with its card counts (the `decks` command)."""
    rows = conn.all(
        "SELECT deck.name, deck.description, COUNT(card.id),"
        " COALESCE(SUM(CASE WHEN card.due IS NULL AND card.suspended = :no THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN card.due IS NOT NULL AND card.due <= :today AND card.suspended = :no"
        " AND (card.buried_until IS NULL OR card.buried_until <= :today) THEN 1 ELSE 0 END), 0),"
        " COALESCE(SUM(CASE WHEN card.suspended = :yes THEN 1 ELSE 0 END), 0)"
        " FROM deck LEFT JOIN note ON note.deck_id = deck.id LEFT JOIN card ON card.note_id = note.id"
        " GROUP BY deck.id, deck.name, deck.description ORDER BY deck.name",
        no=False,
        yes=True,
        today=today,
    )
    return [DeckSummary(*row) for row in rows]


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


def today_overview(conn: Conn, today: int, settings: Settings) -> Today:
    with conn.reading():
        names = conn.all("SELECT id, name FROM deck ORDER BY name")
        due = dict(
            conn.all(
                "SELECT note.deck_id, COUNT(*) FROM card JOIN note ON note.id = card.note_id"
                f" WHERE {VISIBLE} AND card.due IS NOT NULL AND card.due <= :today GROUP BY note.deck_id",
                no=False,
                today=today,
            )
        )
        new = dict(
            conn.all(
                "SELECT note.deck_id, COUNT(*) FROM card JOIN note ON note.id = card.note_id"
                " WHERE card.due IS NULL AND card.suspended = :no GROUP BY note.deck_id",
                no=False,
            )
        )
        _, new_done = counted_today(conn, today)
        redrills = pending_redrills(conn, today, None)
        redrill: dict[int, int] = {}
        if redrills:
            cards, params = in_list("card", redrills)
            for (deck_id,) in conn.all(f"SELECT note.deck_id FROM card JOIN note ON note.id = card.note_id WHERE card.id IN {cards}", **params):
                redrill[deck_id] = redrill.get(deck_id, 0) + 1
        streak = current_streak(conn, today)
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


def current_streak(conn: Conn, today: int) -> int:
    """Consecutive study days with at least one answer, ending today (or
    yesterday, so a streak is not shown as broken before today's session).
    One indexed probe per day of the streak."""

    def studied(day: int) -> bool:
        return conn.one("SELECT id FROM review_log WHERE study_day = :day", day=day) is not None

    end = today if studied(today) else today - 1
    streak = 0
    while studied(end - streak):
        streak += 1
    return streak
