"""A review session: the day's queue, answering, burying, undo and re-drill.

Every answer is its own transaction, committed before the next card is
shown, so quitting at any moment keeps everything already answered. What the
session remembers in memory is only what undo and the summary need; pending
re-drills are derived from the review log, so they survive quitting.

Two sessions may run at once (two terminals, two machines): the schema lets
only one counted answer per card and study day in (a second becomes a
re-drill), and the daily new-card limit is checked again inside the
transaction that introduces a new card.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from studycards import scheduler
from studycards.records import CardState, LogKind, ReviewEntry
from studycards.records import CardKind
from studycards.render import cloze_answers, prompt_and_answer
from studycards.scheduler import LEECH_TAG, PASS_GRADE, REDRILL_BELOW
from studycards.settings import Settings
from studycards.errors import DatabaseError
from studycards.store import Store
from studycards.store.server import ConnectionLost
from studycards.store.cards import AnswerContext

# What ``ReviewSession.answer`` reports besides a log kind.
GONE = "gone"  # the card was deleted meanwhile: nothing recorded
OVER_CAP = "over-cap"  # today's new cards were used up meanwhile: the card stays new


@dataclass(frozen=True)
class ShownCard:
    """A card to show. ``answer`` keeps a cloze's revealed part between the
    highlight marks (text.HL_OPEN, HL_CLOSE); ``expected`` is what a typed
    answer is compared with (one entry per deletion of a cloze), and
    ``typed`` says whether this card asks for one."""

    card_id: int
    deck: str
    prompt: str
    answer: str
    position: int  # 1-based place in the day's queue (0 for a re-drill)
    total: int
    drill: bool = False
    drills_left: int = 0
    cloze: bool = False
    typed: bool = False
    expected: tuple[str, ...] = ()
    ignore_accents: bool = False  # Anki's {{type:nc:Field}}
    state: CardState | None = None  # before this answer, for the preview
    deck_id: int = 0


@dataclass(frozen=True)
class Answered:
    """What an answer did, for the screen to say: the log kind (or GONE,
    OVER_CAP), the new due day and interval, and a leech if it became one."""

    grade: int
    kind: str
    due: int | None = None
    interval: int = 0
    leech: bool = False
    suspended: bool = False


@dataclass(frozen=True)
class Summary:
    answered: int  # counted (or cram) answers this session
    correct: int  # of those, grade >= PASS_GRADE
    drills: int
    buried: int
    due_tomorrow: int | None  # None when the database could not be asked
    nothing_due: bool


@dataclass(frozen=True)
class _Undo:
    card_id: int
    note_id: int
    state: CardState
    tags: str
    log_id: int | None  # None for a bury
    from_queue: bool
    queue_index: int  # where the session stood in its queue before the action
    kind: str  # a LogKind, or "bury"
    grade: int | None


def new_card_rooms(store: Store, today: int, settings: Settings) -> tuple[int, dict[int, int]]:
    """How many new cards today can still bring: in all (``new-per-day``)
    and per deck (the deck's own limit, else ``new-per-day``), each less the
    new cards already introduced today."""
    counted, done, limits = store.fetch(store.reviews.counted_today_read(today), store.reviews.new_by_deck_read(today), store.decks.new_limits_read())
    return rooms_left(settings, counted[1], done, limits)


def rooms_left(settings: Settings, new_done: int, done: dict[int, int], limits: dict[int, int | None]) -> tuple[int, dict[int, int]]:
    """``new_card_rooms`` from what it reads: the new cards introduced today
    (in all, and per deck) and each deck's own limit."""
    rooms = {deck_id: max(0, (settings.new_per_day if limit is None else limit) - done.get(deck_id, 0)) for deck_id, limit in limits.items()}
    return max(0, settings.new_per_day - new_done), rooms


def build_queue(
    store: Store,
    today: int,
    settings: Settings,
    deck_ids: list[int] | None,
    new_limit: int | None = None,
    limit: int | None = None,
) -> list[int]:
    """Due cards, most overdue first, then new cards taken in turn from each
    deck (one from each, round and round), each deck in its own order.

    Daily limits count every session of the study day: ``reviews-per-day``
    caps everything, ``new-per-day`` the new cards in all, and each deck's
    own new-card limit its new cards. ``new_limit`` and ``limit`` replace
    them for one session. One card per note per day. Rows are read only
    until the session is full, so the work follows the size of the session,
    not of the collection.
    """
    (done, new_done), busy_notes = store.fetch(store.reviews.counted_today_read(today), store.reviews.notes_answered_read(today))
    cap = limit if limit is not None else max(0, settings.reviews_per_day - done)
    queue: list[int] = []

    def free(rows: Iterator[tuple[int, int, bool]]) -> int | None:
        """The next card whose note has no card in today's work yet."""
        for card_id, note_id, sibling_buried in rows:
            if note_id in busy_notes:
                continue
            busy_notes.add(note_id)
            if not sibling_buried:  # a buried sibling was seen today
                return card_id
        return None

    due = store.cards.due_queue(today, deck_ids)
    while len(queue) < cap and (card_id := free(due)) is not None:
        queue.append(card_id)
    if len(queue) >= cap:
        return queue
    # The decks and their new-card rooms, in one round trip on a server.
    reads = [] if deck_ids is not None else [store.decks.all_read()]
    if new_limit is None:
        reads += [store.reviews.new_by_deck_read(today), store.decks.new_limits_read()]
    found = store.fetch(*reads)
    order = deck_ids if deck_ids is not None else [deck_id for deck_id, _ in found.pop(0)]
    if new_limit is not None:
        new_cap, rooms = new_limit, dict.fromkeys(order, new_limit)
    else:
        new_cap, rooms = rooms_left(settings, new_done, *found)
    with_room = [deck_id for deck_id in order if rooms.get(deck_id, 0) > 0]
    streams = dict(zip(with_room, store.cards.new_queues(today, with_room)))
    taken = 0
    while streams and taken < new_cap and len(queue) < cap:
        for deck_id in list(streams):
            card_id = free(streams[deck_id]) if taken < new_cap and len(queue) < cap else None
            if card_id is None:
                del streams[deck_id]
                continue
            queue.append(card_id)
            taken += 1
            rooms[deck_id] -= 1
            if rooms[deck_id] <= 0:
                del streams[deck_id]
    return queue


def pending_redrills(store: Store, today: int, deck_ids: list[int] | None) -> list[int]:
    """Cards whose counted grade today was below REDRILL_BELOW and that have
    not since been drilled to a passing grade; longest-waiting first. One
    statement."""
    return [card_id for card_id, _ in redrills_among(store.reviews.today_with_cards(today, deck_ids))]


def redrills_among(answers: list[tuple[int, int, int, str, bool, int]]) -> list[tuple[int, int]]:
    """``pending_redrills`` from today's answers (``today_with_cards``), each
    with its deck: (card id, deck id)."""
    last: dict[int, tuple[int, int]] = {}
    counted: set[int] = set()
    showable: set[int] = set()
    deck_of: dict[int, int] = {}
    for log_id, card_id, grade, kind, visible, deck_id in answers:
        deck_of[card_id] = deck_id
        last[card_id] = (log_id, grade)
        if kind == LogKind.REVIEW:
            counted.add(card_id)
        if visible:
            showable.add(card_id)
    failing = [c for c in counted if last[c][1] < REDRILL_BELOW and c in showable]
    return [(c, deck_of[c]) for c in sorted(failing, key=lambda c: last[c][0])]


@dataclass
class ReviewSession:
    store: Store
    today: int
    settings: Settings
    deck_ids: list[int] | None = None
    new_limit: int | None = None
    limit: int | None = None
    cram: bool = False
    type_answers: bool | None = None  # None: the setting (global, or the card's deck's own)
    queue: list[int] = field(default_factory=list)
    index: int = 0
    last: Answered | None = None  # what the last answer did
    _undo: list[_Undo] = field(default_factory=list)
    _first_new: int = 0  # queue positions from here on are new cards
    _redrills: int = 0  # re-drills pending when the last card was shown
    _typed_decks: dict[int, bool] = field(default_factory=dict)
    _schedulers: dict[int, Any] = field(default_factory=dict)  # deck id -> its scheduler (scheduling.Sm2 or Fsrs)

    def __post_init__(self) -> None:
        from studycards.scheduling import inherited, strategies
        from studycards.settings import typed_decks

        self._build()
        with self.store.reading():
            decks = self.store.decks.all()
            self._schedulers = strategies(self.store, self.settings, decks)
            if self.type_answers is None:
                self._typed_decks = inherited(dict(typed_decks(self.store)), decks, self.settings.type_answers == "on")  # type: ignore[assignment]

    def _build(self) -> None:
        with self.store.reading():
            if self.cram:
                cap = self.limit if self.limit is not None else self.settings.reviews_per_day
                self.queue = self.store.cards.cram_queue(self.today, self.deck_ids, cap)
                self._first_new = len(self.queue)
            else:
                self.queue = build_queue(self.store, self.today, self.settings, self.deck_ids, self.new_limit, self.limit)
                due = self.store.cards.dues(self.queue)
                self._first_new = next((i for i, card_id in enumerate(self.queue) if due.get(card_id) is None), len(self.queue))
        self.index = 0

    def new_day(self, today: int, rebuild: bool = True) -> bool:
        """Move the session to study day ``today`` if it has begun (the day
        start passed while reviewing), so the next answer counts for it, and
        build the queue again for it (``rebuild`` False: the caller does, with
        ``rebuild()``, after recording the answer in hand). True if it moved."""
        if today <= self.today:
            return False
        self.today = today
        if rebuild:
            self.rebuild()
        return True

    def rebuild(self) -> None:
        """The queue again, for the session's study day."""
        self._build()

    def remaining(self) -> tuple[int, int, int]:
        """(due, new, re-drill) cards left, Anki's three numbers."""
        due = max(0, self._first_new - self.index)
        new = len(self.queue) - max(self.index, self._first_new)
        return due, new, self._redrills

    def preview(self, shown: ShownCard) -> dict[int, int | None]:
        """Each grade's next interval in days, without writing anything; None
        where an answer does not reschedule (a re-drill, cram)."""
        if shown.drill or self.cram or shown.state is None:
            return dict.fromkeys(scheduler.GRADES)
        return self._scheduler(shown.deck_id).preview(shown.state, self.today, shown.card_id)

    def next(self) -> ShownCard | None:
        """The next card to show, or None when the session is done. Not one
        snapshot: each card is read whole in one statement (one round trip
        on a server), and answering checks everything again anyway."""
        while self.index < len(self.queue):
            card_id = self.queue[self.index]
            shown = self._load(card_id, position=self.index + 1)
            if shown is not None:
                return shown
            self.index += 1  # suspended, buried or answered elsewhere since the queue was built
        if self.cram:
            return None
        pending = pending_redrills(self.store, self.today, self.deck_ids)
        self._redrills = len(pending)
        if pending:
            return self._load(pending[0], position=0, drills_left=len(pending))
        return None

    def _load(self, card_id: int, position: int, drills_left: int = 0) -> ShownCard | None:
        drill = drills_left > 0
        found = self.store.cards.to_show(card_id, self.today, visible=not drill)
        if found is None:
            return None
        row, state, deck_id, counted = found
        if not drill and not self.cram and counted:
            return None
        kind, ordinal, front, back, deck_name = row
        prompt, answer = prompt_and_answer(kind, ordinal, front, back, marked=True)
        expected, typed_card, is_cloze, nc = self._expected(card_id, kind, ordinal, front, back, answer)
        typed = typed_card or (self.type_answers if self.type_answers is not None else self._typed_decks.get(deck_id, False))
        return ShownCard(
            card_id, deck_name, prompt, answer, position, len(self.queue), drill, drills_left,
            cloze=is_cloze, typed=bool(typed), expected=expected, state=state, ignore_accents=nc, deck_id=deck_id,
        )

    def _expected(self, card_id: int, kind: str, ordinal: int, front: str, back: str, answer: str) -> tuple[tuple[str, ...], bool, bool, bool]:
        """What a typed answer is compared with, whether the card itself asks
        for one (an Anki ``{{type:Field}}`` card), whether it is a cloze, and
        whether accents are ignored (``{{type:nc:Field}}``)."""
        from studycards.text import unmark

        if kind == CardKind.CLOZE:
            return tuple(cloze_answers(front, ordinal)), False, True, False
        if kind == CardKind.REVERSED:
            return (front,), False, False, False
        if kind == CardKind.BASIC:
            return (back,), False, False, False
        # a typed note's card: its note type says what to type, if anything
        note_ids = self.store.cards.notes_of([card_id])
        typed = self.store.notes.fields_of(note_ids)
        if not typed:
            return (unmark(answer),), False, False, False
        nt_id, fields = typed[note_ids[0]]
        nt = self.store.note_types.with_ids([nt_id])[nt_id]
        template = nt.templates[0 if nt.cloze else min(ordinal, len(nt.templates) - 1)] if nt.templates else None
        from studycards import anki_template
        from studycards.importers.html_text import to_text

        question = template.question if template is not None else ""
        wanted = anki_template.typed_field(question) if template is not None else None
        nc = "type:nc:" in question.replace(" ", "")
        values = dict(zip(nt.fields, fields))
        if nt.cloze:
            source = values.get(wanted or "", "") or next((v for v in fields if "{{c" in v), "")
            return tuple(to_text(a)[0] for a in cloze_answers(source, ordinal)), wanted is not None, True, nc
        if wanted is not None and wanted in values:
            return (to_text(values[wanted])[0],), True, False, nc
        return (unmark(answer),), False, False, False

    def answer(self, shown: ShownCard, grade: int, answer_ms: int, now_epoch: int) -> str:
        """Record ``grade`` for ``shown`` in one committed transaction; returns
        the log kind, or GONE / OVER_CAP when nothing was recorded (``last``
        says what the answer did). The time counted is capped at
        ``max-answer-seconds``: a card left open over lunch is not a slow
        answer."""
        if isinstance(grade, bool) or not isinstance(grade, int) or grade not in scheduler.GRADES:
            raise scheduler.InvalidGrade(grade)
        answer_ms = min(answer_ms, self.settings.max_answer_seconds * 1000)
        try:
            kind = self._answer(shown, grade, answer_ms, now_epoch)
        except ConnectionLost:
            # The line dropped inside the answer's transaction, so it was
            # rolled back: answer again on a new connection. (Had the COMMIT
            # arrived just before the line dropped, the schema lets only one
            # counted answer in: this one is logged as a re-drill.)
            kind = self._answer(shown, grade, answer_ms, now_epoch)
        if kind in (GONE, OVER_CAP):
            self.last = Answered(grade, kind)
        return kind

    def _answer(self, shown: ShownCard, grade: int, answer_ms: int, now_epoch: int) -> str:
        # Two statements, so two round trips on a server: read what the
        # answer needs (with BEGIN and the write lock), then log it and
        # update the card and note with the COMMIT.
        with self.store.transaction():
            found = self.store.cards.answer_context(shown.card_id, self.today)
            if found is None:  # deleted by another process meanwhile: nothing to record
                self._advance(shown)
                return GONE
            before, note_id, tags_before = found.state, found.note_id, found.tags
            kind = LogKind.CRAM if self.cram else LogKind.DRILL if shown.drill else LogKind.REVIEW
            if kind is LogKind.REVIEW and found.counted:  # answered in another session today: only the first answer schedules
                kind = LogKind.DRILL
            if kind is LogKind.REVIEW and before.due is None and self._new_cards_used_up(found):
                self._advance(shown)
                return OVER_CAP
            after, tags = before, tags_before
            leech = False
            if kind is LogKind.REVIEW:
                after, tags = self._schedule(before, tags_before, grade, now_epoch, shown.card_id, found.deck_id)
                leech = LEECH_TAG in tags.split() and LEECH_TAG not in tags_before.split()
            logged = self.store.reviews.append(shown.card_id, _entry(before, after, grade, kind, self.today, now_epoch, answer_ms))
            if after != before:
                self.store.cards.save_state(shown.card_id, after)
            if tags != tags_before:
                self.store.notes.set_tags(note_id, tags)
        undo = _Undo(shown.card_id, note_id, before, tags_before, int(logged.value), not shown.drill, self.index, kind, grade)
        self._undo.append(undo)
        self._advance(shown)
        self.last = Answered(grade, kind, after.due, after.interval, leech, leech and after.suspended)
        return kind

    def _advance(self, shown: ShownCard) -> None:
        if not shown.drill:
            self.index += 1

    def _new_cards_used_up(self, found: AnswerContext) -> bool:
        """Checked again when a new card is answered, inside the write
        transaction: two sessions started together cannot both introduce the
        day's last new card (in all, or of the card's deck). A session-only
        ``--new`` limit is the session's."""
        if self.new_limit is not None:
            return False
        deck_limit = self.settings.new_per_day if found.deck_new_limit is None else found.deck_new_limit
        return found.new_today >= self.settings.new_per_day or found.deck_new_today >= deck_limit

    def _schedule(self, before: CardState, tags: str, grade: int, now_epoch: int, card_id: int, deck_id: int) -> tuple[CardState, str]:
        """Apply the deck's scheduler (SM-2 or FSRS) and the leech policy:
        the new state and the note's tags."""
        outcome = self._scheduler(deck_id).answer(before, grade, self.today, card_id)
        after = replace(outcome.state, last_review=now_epoch)
        if outcome.leech:
            words = tags.split()
            if LEECH_TAG not in words:
                tags = " ".join([*words, LEECH_TAG])
            if self.settings.leech_action == "suspend":
                after = replace(after, suspended=True)
        return after, tags

    def _scheduler(self, deck_id: int) -> Any:
        """The deck's scheduler; for a deck made since the session began
        (a card moved there meanwhile), read again."""
        if deck_id not in self._schedulers:
            from studycards.scheduling import strategies

            self._schedulers = strategies(self.store, self.settings)
        return self._schedulers[deck_id]

    def bury(self, shown: ShownCard) -> None:
        """Hide the card until the next study day."""
        with self.store.transaction():
            found = self.store.cards.state(shown.card_id)
            if found is None:
                return
            state, note_id, tags = found
            self.store.cards.bury(shown.card_id, self.today + 1)
            undo = _Undo(shown.card_id, note_id, state, tags, None, not shown.drill, self.index, "bury", None)
        self._undo.append(undo)
        self._advance(shown)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> bool:
        """Undo the last answer or bury of this session; False if there is none."""
        if not self._undo:
            return False
        action = self._undo[-1]
        with self.store.transaction():
            self.store.cards.save_state(action.card_id, action.state)
            self.store.notes.set_tags(action.note_id, action.tags)
            if action.log_id is not None:
                self.store.reviews.delete(action.log_id)
        self._undo.pop()
        if action.from_queue:
            self.index = action.queue_index  # back to that card, past any skipped since
        return True

    def summary(self) -> Summary:
        answers = [a for a in self._undo if a.kind in (LogKind.REVIEW, LogKind.CRAM) or (a.kind == LogKind.DRILL and a.from_queue)]
        drills = sum(1 for a in self._undo if a.kind == LogKind.DRILL and not a.from_queue)
        try:
            with self.store.reading():
                tomorrow: int | None = self.store.cards.count_due(self.today + 1, self.deck_ids)
        except DatabaseError:  # the database went away: the session's own figures still stand
            tomorrow = None
        return Summary(
            answered=len(answers),
            correct=sum(1 for a in answers if a.grade is not None and a.grade >= PASS_GRADE),
            drills=drills,
            buried=sum(1 for a in self._undo if a.kind == "bury"),
            due_tomorrow=tomorrow,
            nothing_due=not self.queue,
        )


def _entry(before: CardState, after: CardState, grade: int, kind: LogKind, today: int, now_epoch: int, answer_ms: int) -> ReviewEntry:
    return ReviewEntry(
        time=now_epoch,
        study_day=today,
        grade=grade,
        kind=kind,
        before_repetitions=before.repetitions,
        before_easiness=before.easiness,
        before_interval=before.interval,
        before_due=before.due,
        after_repetitions=after.repetitions,
        after_easiness=after.easiness,
        after_interval=after.interval,
        after_due=after.due,
        answer_ms=max(0, answer_ms),
    )
