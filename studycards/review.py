"""A review session: the day's queue, answering, burying, undo and re-drill.

Every answer is its own transaction, committed before the next card is
shown, so quitting at any moment keeps everything already answered. What the
session remembers in memory is only what undo and the summary need; pending
re-drills are derived from the review log, so they survive quitting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, case, func
from sqlmodel import Session, col, select

from studycards import db, scheduler
from studycards.models import Card, Deck, Note, ReviewLog
from studycards.notes import LEECH_TAG
from studycards.render import prompt_and_answer
from studycards.settings import Settings

REVIEW, DRILL, CRAM = "review", "drill", "cram"

DRILL_PASS = 4  # re-drill until the card gets 4 or 5 (SM-2 step 7)
_STATE_FIELDS = ("repetitions", "easiness", "interval", "due", "lapses", "suspended", "buried_until", "last_review")


@dataclass(frozen=True)
class ShownCard:
    card_id: int
    deck: str
    prompt: str
    answer: str
    position: int  # 1-based place in the day's queue (0 for a re-drill)
    total: int
    drill: bool = False
    drills_left: int = 0


@dataclass(frozen=True)
class Summary:
    answered: int  # counted (or cram) answers this session
    correct: int  # of those, grade >= 3
    drills: int
    buried: int
    due_tomorrow: int
    nothing_due: bool


@dataclass
class _Undo:
    card_id: int
    note_id: int
    state: dict[str, object]
    tags: str
    log_id: int | None  # None for a bury
    from_queue: bool
    kind: str
    grade: int | None


def _visible(today: int):  # type: ignore[no-untyped-def]
    return col(Card.suspended).is_(False) & (col(Card.buried_until).is_(None) | (col(Card.buried_until) <= today))


def _in_decks(query, deck_ids: list[int] | None):  # type: ignore[no-untyped-def]
    return query if deck_ids is None else query.where(col(Note.deck_id).in_(deck_ids))


def counted_today(session: Session, today: int) -> tuple[int, int]:
    """(counted answers, new cards introduced) on study day ``today``."""
    row = session.exec(
        select(func.count(), func.coalesce(func.sum(case((col(ReviewLog.before_due).is_(None), 1), else_=0)), 0)).where(
            ReviewLog.study_day == today, ReviewLog.kind == REVIEW
        )
    ).one()
    return row[0], row[1]


def _answered_today(session: Session, today: int) -> tuple[set[int], set[int]]:
    """Cards with a counted answer today, and their notes (siblings wait a day)."""
    rows = session.exec(
        select(Card.id, Card.note_id)
        .join(ReviewLog, col(ReviewLog.card_id) == Card.id)
        .where(ReviewLog.study_day == today, ReviewLog.kind == REVIEW)
    )
    cards, notes = set(), set()
    for card_id, note_id in rows:
        cards.add(card_id)
        notes.add(note_id)
    return cards, notes


def build_queue(
    session: Session,
    today: int,
    settings: Settings,
    deck_ids: list[int] | None,
    new_limit: int | None = None,
    limit: int | None = None,
) -> list[int]:
    """Due cards, most overdue first, then new cards in deck order.

    Daily limits count every session of the study day; ``new_limit`` and
    ``limit`` replace them for one session. One card per note per day.
    """
    done, new_done = counted_today(session, today)
    cap = limit if limit is not None else max(0, settings.reviews_per_day - done)
    new_cap = new_limit if new_limit is not None else max(0, settings.new_per_day - new_done)
    _, busy_notes = _answered_today(session, today)
    queue: list[int] = []

    def take(rows, room: int) -> None:  # type: ignore[no-untyped-def]
        taken = 0
        for card_id, note_id in rows:
            if taken >= room or len(queue) >= cap:
                return
            if note_id in busy_notes:
                continue
            busy_notes.add(note_id)
            queue.append(card_id)
            taken += 1

    base = select(Card.id, Card.note_id).join(Note, col(Card.note_id) == Note.id).where(_visible(today))
    due = _in_decks(base, deck_ids).where(col(Card.due).is_not(None), col(Card.due) <= today)
    take(session.exec(due.order_by(Card.due, Card.id)), cap)
    if len(queue) < cap and new_cap > 0:
        new = _in_decks(base, deck_ids).where(col(Card.due).is_(None)).join(Deck, col(Note.deck_id) == Deck.id)
        take(session.exec(new.order_by(Deck.name, Note.position, Note.id, Card.kind, Card.ord)), new_cap)
    return queue


def build_cram_queue(session: Session, today: int, deck_ids: list[int] | None, limit: int) -> list[int]:
    """Studied cards that are not due yet, soonest first."""
    query = _in_decks(
        select(Card.id).join(Note, col(Card.note_id) == Note.id).where(_visible(today), col(Card.due) > today),
        deck_ids,
    )
    return list(session.exec(query.order_by(Card.due, Card.id).limit(limit)))


def pending_redrills(session: Session, today: int, deck_ids: list[int] | None) -> list[int]:
    """Cards whose counted grade today was below 4 and that have not since
    been drilled to a 4 or 5; longest-waiting first."""
    last: dict[int, tuple[int, int]] = {}
    counted: set[int] = set()
    logs = session.exec(
        select(ReviewLog.id, ReviewLog.card_id, ReviewLog.grade, ReviewLog.kind)
        .where(ReviewLog.study_day == today, col(ReviewLog.kind).in_([REVIEW, DRILL]))
        .order_by(ReviewLog.id)
    )
    for log_id, card_id, grade, kind in logs:
        last[card_id] = (log_id, grade)
        if kind == REVIEW:
            counted.add(card_id)
    failing = [c for c in counted if last[c][1] < DRILL_PASS]
    if not failing:
        return []
    query = _in_decks(
        select(Card.id).join(Note, col(Card.note_id) == Note.id).where(col(Card.id).in_(failing), _visible(today)),
        deck_ids,
    )
    return sorted(session.exec(query), key=lambda c: last[c][0])


def due_on(session: Session, day: int, deck_ids: list[int] | None) -> int:
    query = _in_decks(
        select(func.count())
        .select_from(Card)
        .join(Note, col(Card.note_id) == Note.id)
        .where(_visible(day), col(Card.due).is_not(None), col(Card.due) <= day),
        deck_ids,
    )
    return session.exec(query).one()


@dataclass
class ReviewSession:
    engine: Engine
    today: int
    settings: Settings
    deck_ids: list[int] | None = None
    new_limit: int | None = None
    limit: int | None = None
    cram: bool = False
    queue: list[int] = field(default_factory=list)
    index: int = 0
    _undo: list[_Undo] = field(default_factory=list)

    def __post_init__(self) -> None:
        with db.reading(self.engine) as session:
            if self.cram:
                cap = self.limit if self.limit is not None else self.settings.reviews_per_day
                self.queue = build_cram_queue(session, self.today, self.deck_ids, cap)
            else:
                self.queue = build_queue(session, self.today, self.settings, self.deck_ids, self.new_limit, self.limit)

    def next(self) -> ShownCard | None:
        """The next card to show, or None when the session is done."""
        with db.reading(self.engine) as session:
            while self.index < len(self.queue):
                card_id = self.queue[self.index]
                shown = self._load(session, card_id, position=self.index + 1)
                if shown is not None:
                    return shown
                self.index += 1  # suspended, buried or answered elsewhere since the queue was built
            if self.cram:
                return None
            pending = pending_redrills(session, self.today, self.deck_ids)
            if pending:
                return self._load(session, pending[0], position=0, drills_left=len(pending))
        return None

    def _load(self, session: Session, card_id: int, position: int, drills_left: int = 0) -> ShownCard | None:
        row = session.exec(
            select(Card, Note, Deck.name)
            .join(Note, col(Card.note_id) == Note.id)
            .join(Deck, col(Note.deck_id) == Deck.id)
            .where(Card.id == card_id)
        ).first()
        if row is None:
            return None
        card, note, deck_name = row
        drill = drills_left > 0
        if not drill:
            hidden = card.suspended or (card.buried_until is not None and card.buried_until > self.today)
            if hidden or (not self.cram and self._counted(session, card_id)):
                return None
        prompt, answer = prompt_and_answer(card.kind, card.ord, note.front, note.back)
        return ShownCard(card_id, deck_name, prompt, answer, position, len(self.queue), drill, drills_left)

    def _counted(self, session: Session, card_id: int) -> bool:
        return (
            session.exec(
                select(ReviewLog.id).where(
                    ReviewLog.card_id == card_id, ReviewLog.study_day == self.today, ReviewLog.kind == REVIEW
                )
            ).first()
            is not None
        )

    def answer(self, shown: ShownCard, grade: int, answer_ms: int, now_epoch: int) -> str:
        """Record ``grade`` for ``shown`` in one committed transaction; returns the log kind."""
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in scheduler.GRADES:
            raise scheduler.InvalidGrade(grade)
        with db.writing(self.engine) as session:
            card = session.get(Card, shown.card_id)
            if card is None:  # deleted by another process meanwhile: nothing to record
                if not shown.drill:
                    self.index += 1
                return "gone"
            note = session.get(Note, card.note_id)
            before = {f: getattr(card, f) for f in _STATE_FIELDS}
            tags_before = note.tags
            if self.cram:
                kind = CRAM
            elif shown.drill or self._counted(session, card.id):
                kind = DRILL  # only the first answer of a study day schedules
            else:
                kind = REVIEW
                self._schedule(card, note, grade, now_epoch)
            log = ReviewLog(
                card_id=card.id,
                time=now_epoch,
                study_day=self.today,
                grade=grade,
                kind=kind,
                before_repetitions=before["repetitions"],
                before_easiness=before["easiness"],
                before_interval=before["interval"],
                before_due=before["due"],
                after_repetitions=card.repetitions,
                after_easiness=card.easiness,
                after_interval=card.interval,
                after_due=card.due,
                answer_ms=max(0, answer_ms),
            )
            session.add(log)
            session.flush()
            undo = _Undo(card.id, note.id, before, tags_before, log.id, not shown.drill, kind, grade)
        self._undo.append(undo)
        if not shown.drill:
            self.index += 1
        return kind

    def _schedule(self, card: Card, note: Note, grade: int, now_epoch: int) -> None:
        state = scheduler.CardState(card.repetitions, card.easiness, card.interval, card.due, card.lapses)
        config = scheduler.SchedulerConfig(self.settings.max_interval, self.settings.leech_threshold)
        outcome = scheduler.answer(state, grade, self.today, config)
        new = outcome.state
        card.repetitions, card.easiness, card.interval = new.repetitions, new.easiness, new.interval
        card.due, card.lapses, card.last_review = new.due, new.lapses, now_epoch
        if outcome.leech:
            tags = note.tags.split()
            if LEECH_TAG not in tags:
                note.tags = " ".join([*tags, LEECH_TAG])
            if self.settings.leech_action == "suspend":
                card.suspended = True

    def bury(self, shown: ShownCard) -> None:
        """Hide the card until the next study day."""
        with db.writing(self.engine) as session:
            card = session.get(Card, shown.card_id)
            note = session.get(Note, card.note_id)
            undo = _Undo(card.id, note.id, {f: getattr(card, f) for f in _STATE_FIELDS}, note.tags, None, not shown.drill, "bury", None)
            card.buried_until = self.today + 1
        self._undo.append(undo)
        if not shown.drill:
            self.index += 1

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> bool:
        """Undo the last answer or bury of this session; False if there is none."""
        if not self._undo:
            return False
        action = self._undo[-1]
        with db.writing(self.engine) as session:
            card = session.get(Card, action.card_id)
            note = session.get(Note, action.note_id)
            for name, value in action.state.items():
                setattr(card, name, value)
            note.tags = action.tags
            if action.log_id is not None:
                log = session.get(ReviewLog, action.log_id)
                if log is not None:
                    session.delete(log)
        self._undo.pop()
        if action.from_queue:
            self.index -= 1
        return True

    def summary(self) -> Summary:
        answers = [a for a in self._undo if a.kind in (REVIEW, CRAM) or (a.kind == DRILL and a.from_queue)]
        drills = sum(1 for a in self._undo if a.kind == DRILL and not a.from_queue)
        with db.reading(self.engine) as session:
            tomorrow = due_on(session, self.today + 1, self.deck_ids)
        return Summary(
            answered=len(answers),
            correct=sum(1 for a in answers if a.grade is not None and a.grade >= 3),
            drills=drills,
            buried=sum(1 for a in self._undo if a.kind == "bury"),
            due_tomorrow=tomorrow,
            nothing_due=not self.queue,
        )
