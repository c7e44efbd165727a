"""A review session: the day's queue, answering, burying, undo and re-drill.

Every answer is its own transaction, committed before the next card is
shown, so quitting at any moment keeps everything already answered. What the
session remembers in memory is only what undo and the summary need; pending
re-drills are derived from the review log, so they survive quitting.

This is the quick path (see dbapi.py): portable SQL text on a ``Conn``, so
the first card is on screen without importing SQLAlchemy.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field

from studycards import scheduler
from studycards.dbapi import Conn, in_list
from studycards.render import prompt_and_answer
from studycards.scheduler import LEECH_TAG
from studycards.settings import Settings

REVIEW, DRILL, CRAM = "review", "drill", "cram"

DRILL_PASS = 4  # re-drill until the card gets 4 or 5 (SM-2 step 7)
_STATE_FIELDS = ("repetitions", "easiness", "interval", "due", "lapses", "suspended", "buried_until", "last_review")
_STATE_COLUMNS = ", ".join(f'card."{f}"' for f in _STATE_FIELDS)
_SET_STATE = ", ".join(f'"{f}" = :{f}' for f in _STATE_FIELDS)

# Not suspended, and not buried today. Booleans are bound (:no = False) so the
# text stays valid where they are real booleans (PostgreSQL).
VISIBLE = "card.suspended = :no AND (card.buried_until IS NULL OR card.buried_until <= :today)"


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


def in_decks(deck_ids: list[int] | None) -> tuple[str, dict[str, object]]:
    """A condition on ``note.deck_id`` (empty for all decks) and its parameters."""
    if deck_ids is None:
        return "", {}
    fragment, params = in_list("deck", deck_ids)
    return f" AND note.deck_id IN {fragment}", params


def counted_today(conn: Conn, today: int) -> tuple[int, int]:
    """(counted answers, new cards introduced) on study day ``today``."""
    row = conn.one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN before_due IS NULL THEN 1 ELSE 0 END), 0)"
        " FROM review_log WHERE study_day = :today AND kind = :review",
        today=today,
        review=REVIEW,
    )
    return row[0], row[1]  # type: ignore[index]


def _notes_answered_today(conn: Conn, today: int) -> set[int]:
    """Notes with a counted answer today: their other cards wait a day."""
    rows = conn.all(
        "SELECT DISTINCT card.note_id FROM review_log JOIN card ON card.id = review_log.card_id"
        " WHERE review_log.study_day = :today AND review_log.kind = :review",
        today=today,
        review=REVIEW,
    )
    return {r[0] for r in rows}


def build_queue(
    conn: Conn,
    today: int,
    settings: Settings,
    deck_ids: list[int] | None,
    new_limit: int | None = None,
    limit: int | None = None,
) -> list[int]:
    """Due cards, most overdue first, then new cards in deck order.

    Daily limits count every session of the study day; ``new_limit`` and
    ``limit`` replace them for one session. One card per note per day. Rows
    are read only until the session is full, so the work follows the size of
    the session, not of the collection.
    """
    done, new_done = counted_today(conn, today)
    cap = limit if limit is not None else max(0, settings.reviews_per_day - done)
    new_cap = new_limit if new_limit is not None else max(0, settings.new_per_day - new_done)
    busy_notes = _notes_answered_today(conn, today)
    queue: list[int] = []

    def take(sql: str, params: dict[str, object], room: int) -> None:
        taken = 0
        with closing(conn.rows(sql, **params)) as rows:
            for card_id, note_id in rows:
                if taken >= room or len(queue) >= cap:
                    return
                if note_id in busy_notes:
                    continue
                busy_notes.add(note_id)
                queue.append(card_id)
                taken += 1

    decks, params = in_decks(deck_ids)
    params.update(no=False, today=today)
    join = " JOIN note ON note.id = card.note_id" if deck_ids is not None else ""
    take(
        f"SELECT card.id, card.note_id FROM card{join}"
        f" WHERE {VISIBLE} AND card.due IS NOT NULL AND card.due <= :today{decks} ORDER BY card.due, card.id",
        params,
        cap,
    )
    if len(queue) < cap and new_cap > 0:
        take(
            "SELECT card.id, card.note_id FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = note.deck_id"
            f" WHERE {VISIBLE} AND card.due IS NULL{decks}"
            ' ORDER BY deck.name, note."position", note.id, card.kind, card.ord',
            params,
            new_cap,
        )
    return queue


def build_cram_queue(conn: Conn, today: int, deck_ids: list[int] | None, limit: int) -> list[int]:
    """Studied cards that are not due yet, soonest first."""
    decks, params = in_decks(deck_ids)
    rows = conn.all(
        "SELECT card.id FROM card JOIN note ON note.id = card.note_id"
        f" WHERE {VISIBLE} AND card.due > :today{decks} ORDER BY card.due, card.id LIMIT :limit",
        no=False,
        today=today,
        limit=limit,
        **params,
    )
    return [r[0] for r in rows]


def pending_redrills(conn: Conn, today: int, deck_ids: list[int] | None) -> list[int]:
    """Cards whose counted grade today was below 4 and that have not since
    been drilled to a 4 or 5; longest-waiting first."""
    last: dict[int, tuple[int, int]] = {}
    counted: set[int] = set()
    logs = conn.all(
        "SELECT id, card_id, grade, kind FROM review_log WHERE study_day = :today AND kind IN (:review, :drill) ORDER BY id",
        today=today,
        review=REVIEW,
        drill=DRILL,
    )
    for log_id, card_id, grade, kind in logs:
        last[card_id] = (log_id, grade)
        if kind == REVIEW:
            counted.add(card_id)
    failing = [c for c in counted if last[c][1] < DRILL_PASS]
    if not failing:
        return []
    cards, params = in_list("card", failing)
    decks, deck_params = in_decks(deck_ids)
    rows = conn.all(
        f"SELECT card.id FROM card JOIN note ON note.id = card.note_id WHERE card.id IN {cards} AND {VISIBLE}{decks}",
        no=False,
        today=today,
        **params,
        **deck_params,
    )
    return sorted((r[0] for r in rows), key=lambda c: last[c][0])


def due_on(conn: Conn, day: int, deck_ids: list[int] | None) -> int:
    decks, params = in_decks(deck_ids)
    join = " JOIN note ON note.id = card.note_id" if deck_ids is not None else ""
    return conn.scalar(  # type: ignore[no-any-return]
        f"SELECT COUNT(*) FROM card{join} WHERE {VISIBLE} AND card.due IS NOT NULL AND card.due <= :today{decks}",
        no=False,
        today=day,
        **params,
    )


@dataclass
class ReviewSession:
    conn: Conn
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
        with self.conn.reading() as conn:
            if self.cram:
                cap = self.limit if self.limit is not None else self.settings.reviews_per_day
                self.queue = build_cram_queue(conn, self.today, self.deck_ids, cap)
            else:
                self.queue = build_queue(conn, self.today, self.settings, self.deck_ids, self.new_limit, self.limit)

    def next(self) -> ShownCard | None:
        """The next card to show, or None when the session is done."""
        with self.conn.reading() as conn:
            while self.index < len(self.queue):
                card_id = self.queue[self.index]
                shown = self._load(conn, card_id, position=self.index + 1)
                if shown is not None:
                    return shown
                self.index += 1  # suspended, buried or answered elsewhere since the queue was built
            if self.cram:
                return None
            pending = pending_redrills(conn, self.today, self.deck_ids)
            if pending:
                return self._load(conn, pending[0], position=0, drills_left=len(pending))
        return None

    def _load(self, conn: Conn, card_id: int, position: int, drills_left: int = 0) -> ShownCard | None:
        row = conn.one(
            "SELECT card.kind, card.ord, card.suspended, card.buried_until, note.front, note.back, deck.name"
            " FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = note.deck_id WHERE card.id = :id",
            id=card_id,
        )
        if row is None:
            return None
        kind, ordinal, suspended, buried_until, front, back, deck_name = row
        drill = drills_left > 0
        if not drill:
            hidden = bool(suspended) or (buried_until is not None and buried_until > self.today)
            if hidden or (not self.cram and self._counted(conn, card_id)):
                return None
        prompt, answer = prompt_and_answer(kind, ordinal, front, back)
        return ShownCard(card_id, deck_name, prompt, answer, position, len(self.queue), drill, drills_left)

    def _counted(self, conn: Conn, card_id: int) -> bool:
        return (
            conn.one(
                "SELECT id FROM review_log WHERE card_id = :card AND study_day = :today AND kind = :review",
                card=card_id,
                today=self.today,
                review=REVIEW,
            )
            is not None
        )

    def _state(self, conn: Conn, card_id: int) -> tuple[dict[str, object], int, str] | None:
        """The card's state, its note id and the note's tags; None if it is gone."""
        row = conn.one(
            f"SELECT {_STATE_COLUMNS}, card.note_id, note.tags FROM card JOIN note ON note.id = card.note_id WHERE card.id = :id",
            id=card_id,
        )
        if row is None:
            return None
        state = dict(zip(_STATE_FIELDS, row))
        state["suspended"] = bool(state["suspended"])
        return state, row[-2], row[-1]

    def _write_state(self, conn: Conn, card_id: int, state: dict[str, object]) -> None:
        conn.execute(f"UPDATE card SET {_SET_STATE} WHERE id = :id", id=card_id, **state)

    def answer(self, shown: ShownCard, grade: int, answer_ms: int, now_epoch: int) -> str:
        """Record ``grade`` for ``shown`` in one committed transaction; returns the log kind."""
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in scheduler.GRADES:
            raise scheduler.InvalidGrade(grade)
        with self.conn.writing() as conn:
            found = self._state(conn, shown.card_id)
            if found is None:  # deleted by another process meanwhile: nothing to record
                if not shown.drill:
                    self.index += 1
                return "gone"
            before, note_id, tags_before = found
            after, tags = dict(before), tags_before
            if self.cram:
                kind = CRAM
            elif shown.drill or self._counted(conn, shown.card_id):
                kind = DRILL  # only the first answer of a study day schedules
            else:
                kind = REVIEW
                tags = self._schedule(after, tags_before, grade, now_epoch)
                self._write_state(conn, shown.card_id, after)
                if tags != tags_before:
                    conn.execute("UPDATE note SET tags = :tags WHERE id = :id", tags=tags, id=note_id)
            log_id = conn.scalar(
                "INSERT INTO review_log (card_id, \"time\", study_day, grade, kind, before_repetitions, before_easiness,"
                " before_interval, before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms)"
                " VALUES (:card, :time, :day, :grade, :kind, :b_reps, :b_ease, :b_ivl, :b_due, :a_reps, :a_ease, :a_ivl, :a_due, :ms)"
                " RETURNING id",
                card=shown.card_id,
                time=now_epoch,
                day=self.today,
                grade=grade,
                kind=kind,
                b_reps=before["repetitions"],
                b_ease=before["easiness"],
                b_ivl=before["interval"],
                b_due=before["due"],
                a_reps=after["repetitions"],
                a_ease=after["easiness"],
                a_ivl=after["interval"],
                a_due=after["due"],
                ms=max(0, answer_ms),
            )
            undo = _Undo(shown.card_id, note_id, before, tags_before, log_id, not shown.drill, kind, grade)
        self._undo.append(undo)
        if not shown.drill:
            self.index += 1
        return kind

    def _schedule(self, card: dict[str, object], tags: str, grade: int, now_epoch: int) -> str:
        """Apply SM-2 to ``card`` (a state dict, changed in place); returns the note's tags."""
        state = scheduler.CardState(card["repetitions"], card["easiness"], card["interval"], card["due"], card["lapses"])  # type: ignore[arg-type]
        config = scheduler.SchedulerConfig(self.settings.max_interval, self.settings.leech_threshold)
        outcome = scheduler.answer(state, grade, self.today, config)
        new = outcome.state
        card.update(repetitions=new.repetitions, easiness=new.easiness, interval=new.interval)
        card.update(due=new.due, lapses=new.lapses, last_review=now_epoch)
        if outcome.leech:
            words = tags.split()
            if LEECH_TAG not in words:
                tags = " ".join([*words, LEECH_TAG])
            if self.settings.leech_action == "suspend":
                card["suspended"] = True
        return tags

    def bury(self, shown: ShownCard) -> None:
        """Hide the card until the next study day."""
        with self.conn.writing() as conn:
            found = self._state(conn, shown.card_id)
            if found is None:
                return
            state, note_id, tags = found
            conn.execute("UPDATE card SET buried_until = :until WHERE id = :id", until=self.today + 1, id=shown.card_id)
            undo = _Undo(shown.card_id, note_id, state, tags, None, not shown.drill, "bury", None)
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
        with self.conn.writing() as conn:
            self._write_state(conn, action.card_id, action.state)
            conn.execute("UPDATE note SET tags = :tags WHERE id = :id", tags=action.tags, id=action.note_id)
            if action.log_id is not None:
                conn.execute("DELETE FROM review_log WHERE id = :id", id=action.log_id)
        self._undo.pop()
        if action.from_queue:
            self.index -= 1
        return True

    def summary(self) -> Summary:
        answers = [a for a in self._undo if a.kind in (REVIEW, CRAM) or (a.kind == DRILL and a.from_queue)]
        drills = sum(1 for a in self._undo if a.kind == DRILL and not a.from_queue)
        with self.conn.reading() as conn:
            tomorrow = due_on(conn, self.today + 1, self.deck_ids)
        return Summary(
            answered=len(answers),
            correct=sum(1 for a in answers if a.grade is not None and a.grade >= 3),
            drills=drills,
            buried=sum(1 for a in self._undo if a.kind == "bury"),
            due_tomorrow=tomorrow,
            nothing_due=not self.queue,
        )
