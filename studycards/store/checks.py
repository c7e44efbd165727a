"""Consistency checks and totals over the whole collection: rows the
application would never write (orphans, impossible states)."""

from __future__ import annotations

from studycards.records import CardKind, LogKind
from studycards.scheduler import GRADES, MIN_EASINESS
from studycards.store.conn import Conn, in_list

_SHOWN = 10


def consistency_problems(conn: Conn) -> list[str]:
    """Each problem is one line naming the rows at fault."""
    problems: list[str] = []
    kinds, kind_values = in_list("kind", list(CardKind))
    logs, log_values = in_list("log", list(LogKind))
    checks = (
        ("cards whose note is missing (card ids)",
         "SELECT card.id FROM card LEFT JOIN note ON note.id = card.note_id WHERE note.id IS NULL"),
        ("cards whose deck is missing or differs from their note's (card ids)",
         "SELECT card.id FROM card LEFT JOIN note ON note.id = card.note_id LEFT JOIN deck ON deck.id = card.deck_id"
         " WHERE deck.id IS NULL OR (note.id IS NOT NULL AND note.deck_id <> card.deck_id)"),
        ("notes whose deck is missing (note ids)",
         "SELECT note.id FROM note LEFT JOIN deck ON deck.id = note.deck_id WHERE deck.id IS NULL"),
        ("notes without any card (note ids)",
         "SELECT note.id FROM note LEFT JOIN card ON card.note_id = note.id WHERE card.id IS NULL"),
        ("review-log rows whose card is missing (log ids)",
         # Only when some card id in the log is missing: one pass over the
         # (card, day) index's distinct card ids, not a join per log row.
         "SELECT review_log.id FROM review_log WHERE EXISTS (SELECT 1 FROM"
         " (SELECT DISTINCT card_id FROM review_log) AS logged LEFT JOIN card ON card.id = logged.card_id"
         " WHERE card.id IS NULL) AND NOT EXISTS (SELECT 1 FROM card WHERE card.id = review_log.card_id)"),
        ("cards with an impossible scheduling state (card ids)",
         "SELECT id FROM card WHERE easiness < :min_ease OR \"interval\" < 0 OR repetitions < 0 OR lapses < 0"
         " OR (due IS NULL AND (repetitions > 0 OR lapses > 0)) OR (due IS NOT NULL AND \"interval\" < 1)"
         f" OR kind NOT IN {kinds}"),
        ("review-log rows with an impossible grade or kind (log ids)",
         f"SELECT id FROM review_log WHERE grade < :low OR grade > :high OR kind NOT IN {logs}"),
    )
    values = {"min_ease": MIN_EASINESS, "low": GRADES[0], "high": GRADES[-1], **kind_values, **log_values}
    for label, sql in checks:
        ids = sorted(row[0] for row in conn.all(f"{sql} LIMIT {_SHOWN + 1}", **values))  # examples, in any order
        if ids:
            shown = ", ".join(str(i) for i in ids[:_SHOWN]) + (", ..." if len(ids) > _SHOWN else "")
            problems.append(f"{label}: {shown}")
    return problems


def totals(conn: Conn) -> dict[str, int]:
    return {
        name: int(conn.scalar(f"SELECT COUNT(*) FROM {table}"))
        for name, table in (("decks", "deck"), ("notes", "note"), ("cards", "card"), ("reviews", "review_log"))
    }
