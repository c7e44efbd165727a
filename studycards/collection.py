"""Opening the collection and the read/write services over decks and cards
that are not part of a review session: deck summaries, card listings,
suspending, and today's overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, case, func
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col, select

from studycards import builtin, clock, db, migrations
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
        with db.reading(engine) as session:
            stale = builtin.needs_sync(session)
        if stale:
            with db.writing(engine) as session:
                builtin.sync(session, now_epoch)
    except sa_exc.SQLAlchemyError as err:
        raise db.database_error(path, err) from err
    return engine


def resolve_decks(session: Session, names: tuple[str, ...] | list[str]) -> list[int] | None:
    """Deck ids for ``names``; None means all decks. Unknown names are an error."""
    if not names:
        return None
    found = {d.name: d.id for d in session.exec(select(Deck).where(col(Deck.name).in_(list(names))))}
    missing = [n for n in names if n not in found]
    if missing:
        known = ", ".join(session.exec(select(Deck.name).order_by(Deck.name))) or "none yet"
        raise NotFound(f"unknown deck {missing[0]!r} (decks: {known})")
    return [found[n] for n in names]


def _visible(today: int):  # type: ignore[no-untyped-def]
    """Not suspended and not buried today."""
    return (col(Card.suspended).is_(False)) & (
        col(Card.buried_until).is_(None) | (col(Card.buried_until) <= today)
    )


@dataclass(frozen=True)
class DeckSummary:
    name: str
    description: str
    total: int
    new: int
    due: int
    suspended: int


def deck_summaries(session: Session, today: int) -> list[DeckSummary]:
    is_new = col(Card.due).is_(None) & col(Card.suspended).is_(False)
    is_due = col(Card.due).is_not(None) & (col(Card.due) <= today) & _visible(today)
    count = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    query = (
        select(
            Deck.name,
            Deck.description,
            func.count(col(Card.id)),
            count(is_new),
            count(is_due),
            count(col(Card.suspended).is_(True)),
        )
        .select_from(Deck)
        .outerjoin(Note, col(Note.deck_id) == Deck.id)
        .outerjoin(Card, col(Card.note_id) == Note.id)
        .group_by(Deck.id, Deck.name, Deck.description)
        .order_by(Deck.name)
    )
    return [DeckSummary(*row) for row in session.exec(query)]


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


def current_streak(session: Session, today: int) -> int:
    """Consecutive study days with at least one answer, ending today (or
    yesterday, so a streak is not shown as broken before today's session)."""
    from studycards.stats import streaks

    days = session.exec(select(ReviewLog.study_day).where(ReviewLog.study_day <= today).distinct())
    return streaks(list(days), today)[0]


def deck_names_of(session: Session, card_ids: list[int]) -> list[str]:
    """The deck name of each card in ``card_ids`` (one entry per card)."""
    query = (
        select(Deck.name)
        .select_from(Card)
        .join(Note, col(Card.note_id) == Note.id)
        .join(Deck, col(Note.deck_id) == Deck.id)
        .where(col(Card.id).in_(card_ids))
    )
    return list(session.exec(query))


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
