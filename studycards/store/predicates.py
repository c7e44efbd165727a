"""Conditions that several queries share, each written once.

Each is a SQL fragment over the ``card`` or ``review_log`` table; the
parameters it needs come from ``params(today)`` (booleans and kinds are
bound, so the text stays valid where booleans are real booleans).
"""

from __future__ import annotations

from studycards.records import LogKind
from studycards.store.conn import in_list

# Not suspended, and not buried today.
VISIBLE = "card.suspended = :no AND (card.buried_until IS NULL OR card.buried_until <= :today)"
# Studied and due on or before the day.
DUE_BY = "card.due IS NOT NULL AND card.due <= :today"  # (STUDIED, and due)
# Never answered.
NEW = "card.due IS NULL"
# Answered at least once (the opposite of NEW).
STUDIED = "card.due IS NOT NULL"
# The first answer of a card on a study day: the one that schedules and counts.
COUNTED = "review_log.kind = :review"
# The same, as the literal condition of the partial unique index that lets
# only one counted answer per card and day in (an ON CONFLICT target must
# repeat it as text, not as a parameter).
COUNTED_ONCE = f"kind = '{LogKind.REVIEW.value}'"

# What showing a card needs, as (kind, ord, front, back): a typed card's
# question and answer were rendered when its note was written, so it is
# shown as they are (kind 'template'); other cards from their note's sides.
FACE = (
    "CASE WHEN card.question IS NULL THEN card.kind ELSE 'template' END, card.ord,"
    " COALESCE(card.question, note.front), COALESCE(card.answer, note.back)"
)


def params(today: int) -> dict[str, object]:
    return {"no": False, "yes": True, "today": today, "review": LogKind.REVIEW.value, "drill": LogKind.DRILL.value}


def in_decks(deck_ids: list[int] | None, column: str = "card.deck_id") -> tuple[str, dict[str, object]]:
    """`` AND column IN (...)`` for the given decks (empty for all decks)."""
    if deck_ids is None:
        return "", {}
    fragment, values = in_list("deck", deck_ids)
    return f" AND {column} IN {fragment}", values
