"""Opening the collection in full (create, migrate, sync the built-in
decks) and the SQLAlchemy services over cards outside a review session:
card listings, suspending, consistency checks and totals. The deck list and
today's overview are in decks.py, on the quick path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col, select

from studycards import builtin, clock, db, dbapi, migrations
from studycards.errors import NotFound
from studycards.models import Card, Deck, Note, ReviewLog
from studycards.render import prompt_and_answer


def open_collection(path: Path, now_epoch: int) -> Engine:
    """Open (creating if needed) and upgrade the database, and bring the
    built-in decks up to date. Every command that touches data starts here."""
    engine = db.open_engine(path)
    try:
        with engine.connect() as conn:
            with conn.begin():
                todo, existing = migrations.pending(conn), bool(migrations.applied(conn))
            if todo and existing:
                # A copy of the database as it was, before anything changes it.
                copy = path.with_name(f"{path.name}.before-{todo[0]}.bak")
                if not copy.exists():
                    db.backup(engine, copy)
            if todo:  # the common case, nothing to do, costs one read
                migrations.migrate(conn, now_epoch)
        if builtin.needs_sync(dbapi.SAConn(engine, path)):
            with db.writing(engine) as session:
                builtin.sync(session, now_epoch)
    except sa_exc.SQLAlchemyError as err:
        raise db.database_error(path, err) from err
    return engine


def _visible(today: int):  # type: ignore[no-untyped-def]
    """Not suspended and not buried today."""
    return (col(Card.suspended).is_(False)) & (
        col(Card.buried_until).is_(None) | (col(Card.buried_until) <= today)
    )


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


def list_cards(session: Session, deck_ids: list[int] | None, today: int, due_only: bool) -> list[CardRow]:
    query = (
        select(Card, Note, Deck.name)
        .join(Note, col(Card.note_id) == Note.id)
        .join(Deck, col(Note.deck_id) == Deck.id)
        .order_by(Deck.name, Note.position, Note.id, Card.kind, Card.ord)
    )
    if deck_ids is not None:
        query = query.where(col(Note.deck_id).in_(deck_ids))
    if due_only:
        query = query.where(col(Card.due).is_not(None), col(Card.due) <= today, _visible(today))
    rows = []
    for card, note, deck_name in session.exec(query):
        front, back = prompt_and_answer(card.kind, card.ord, note.front, note.back)
        rows.append(
            CardRow(
                id=card.id,
                deck=deck_name,
                front=front,
                back=back,
                tags=note.tags.split(),
                repetitions=card.repetitions,
                easiness=card.easiness / 100,
                interval=card.interval,
                due=None if card.due is None else clock.day_to_date(card.due).isoformat(),
                lapses=card.lapses,
                suspended=card.suspended,
            )
        )
    return rows


def set_suspended(session: Session, card_ids: list[int], suspended: bool) -> int:
    """Suspend or unsuspend all of ``card_ids``, or none if any id is unknown."""
    cards = list(session.exec(select(Card).where(col(Card.id).in_(card_ids))))
    missing = sorted(set(card_ids) - {c.id for c in cards})
    if missing:
        raise NotFound(f"unknown card id {missing[0]}")
    changed = 0
    for card in cards:
        if card.suspended != suspended:
            card.suspended = suspended
            changed += 1
    return changed


def all_deck_ids(session: Session) -> list[int]:
    return list(session.exec(select(Deck.id).order_by(Deck.name)))


def consistency_problems(session: Session) -> list[str]:
    """Rows that the application would never write: orphans and impossible
    states. Each problem is one line naming the rows at fault."""
    problems: list[str] = []

    def report(label: str, query) -> None:  # type: ignore[no-untyped-def]
        ids = list(session.exec(query.limit(11)))
        if ids:
            shown = ", ".join(str(i) for i in ids[:10]) + (", ..." if len(ids) > 10 else "")
            problems.append(f"{label}: {shown}")

    report("cards whose note is missing (card ids)",
           select(Card.id).outerjoin(Note, col(Note.id) == Card.note_id).where(col(Note.id).is_(None)))
    report("notes whose deck is missing (note ids)",
           select(Note.id).outerjoin(Deck, col(Deck.id) == Note.deck_id).where(col(Deck.id).is_(None)))
    report("notes without any card (note ids)",
           select(Note.id).outerjoin(Card, col(Card.note_id) == Note.id).where(col(Card.id).is_(None)))
    report("review-log rows whose card is missing (log ids)",
           select(ReviewLog.id).outerjoin(Card, col(Card.id) == ReviewLog.card_id).where(col(Card.id).is_(None)))
    report("cards with an impossible scheduling state (card ids)",
           select(Card.id).where(
               (col(Card.easiness) < 130) | (col(Card.interval) < 0) | (col(Card.repetitions) < 0) | (col(Card.lapses) < 0)
               | (col(Card.due).is_(None) & ((col(Card.repetitions) > 0) | (col(Card.lapses) > 0)))
               | (col(Card.due).is_not(None) & (col(Card.interval) < 1))
               | col(Card.kind).not_in(["basic", "reversed", "cloze"])
           ))
    report("review-log rows with an impossible grade or kind (log ids)",
           select(ReviewLog.id).where(
               (col(ReviewLog.grade) < 0) | (col(ReviewLog.grade) > 5) | col(ReviewLog.kind).not_in(["review", "drill", "cram"])
           ))
    return problems


def totals(session: Session) -> dict[str, int]:
    return {
        "decks": session.exec(select(func.count()).select_from(Deck)).one(),
        "notes": session.exec(select(func.count()).select_from(Note)).one(),
        "cards": session.exec(select(func.count()).select_from(Card)).one(),
        "reviews": session.exec(select(func.count()).select_from(ReviewLog)).one(),
    }
