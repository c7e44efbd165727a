"""Mnemosyne: a Mnemosyne 2 database (``default.db``, SQLite, read through
store/mnemosyne_db.py) and a Mnemosyne 1.x XML export
(``<mnemosyne core_version="1">``), with each card's SM-2 progress.

Mnemosyne's facts become notes: front-to-back (card type 1) a front/back
note; front-to-back and back-to-front (2) a reversed note; vocabulary (3) a
reversed note whose front is the foreign word and whose back is the
pronunciation, meaning and notes, one a line; cloze deletion (5) a cloze
note, ``[answer]`` and ``[answer:hint]`` becoming ``{{cN::answer}}`` and
``{{cN::answer::hint}}``. Clones of these card types (``1::name``) count as
their parent. Other card types (map, sentence, plugins) are skipped, each
fact with its question and the reason. Fields are HTML: they become text
through html_text, Mnemosyne's line breaks kept and its LaTeX tags
(``<$>``, ``<$$>``, ``<latex>``) written as Anki writes them
(``[$]...[/$]``); media references are counted as skipped.

Progress, per card (Mnemosyne's SM-2 variant, libmnemosyne/schedulers/
SM2_mnemosyne.py, read into our state):

- grade -1 (and a 1.x item still unseen at grade 0 or 1): a new card;
- grade 2-5 (memorised: Mnemosyne's pass grades start at 2): repetitions =
  retention repetitions since the last lapse + 1, because Mnemosyne's first
  pass is an acquisition repetition and its first retention repetition is
  the one that schedules 6 days, which our SM-2 does at n = 2;
  due = the date ``next_rep`` stands for (Mnemosyne stores it as midnight
  UTC of the due date, so ``next_rep // 86400`` is the study day, whatever
  the timezone); interval = due - the study day of ``last_rep``, at least 1;
- grade 0-1 (seen, not memorised): repetitions 0, interval 1, due the day
  after the last repetition (our state after a failed answer; Mnemosyne
  shows such cards again at once, and a past due day does the same);
- easiness: Mnemosyne's EF as the decimal the file holds, times 100,
  rounded half to even, kept within 130-10000 hundredths;
- lapses as Mnemosyne counts them; last review = ``last_rep``;
- inactive (database ``active`` 0, 1.x category ``active="0"``): suspended.

History (database only): each repetition logged in ``log`` (event type 9,
which holds the card's state after the answer) becomes a review-log entry:
the state before it is the previous entry's state after (a new card's
before the first), the first answer of a study day is ``review`` and later
ones that day ``drill``, the thinking time is the answer time, and
Mnemosyne's grade 2 (its lowest pass) is logged as 3 (ours), other grades as
they are. A card's history is carried only when it is complete and agrees
with the card: its first logged repetition is the card's first, each adds
exactly one, and the last one's state is the card's state. Otherwise the
card keeps its state and no history. The XML export carries state only.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable
from xml.parsers import expat

from studycards.clock import date_to_day, day_start_epoch, study_day
from studycards.deckfile import MAX_ID_CHARS, DeckSpec, NoteSpec
from studycards.errors import InvalidFile
from studycards.importers import MAX_FIELD_CHARS, ImportBatch, html_text
from studycards.records import MAX_EASINESS, CardKind, CardProgress, CardState, LogKind, NoteKind, ReviewEntry
from studycards.render import MAX_CLOZE, cloze_ordinals
from studycards.scheduler import MIN_EASINESS
from studycards.store.mnemosyne_db import (
    CARD_COLUMNS,
    MNEMOSYNE_TABLES,
    REPETITION_COLUMNS,
    MnemosyneDbError,
    open_mnemosyne_db,
)

DEFAULT_DECK = "Mnemosyne"
DB_FORMAT = "Mnemosyne 2 database"
XML_FORMAT = "Mnemosyne XML export"

DAY = 86400
_MAX_EPOCH = 253402214400  # 9999-12-31: anything later is not a date
_MAX_COUNT = 10**9  # repetitions and lapses beyond this are not real
_MAX_EXTRA_DATA = 10_000  # characters of a card's extra_data we are willing to parse
_UNTAGGED = "__UNTAGGED__"  # Mnemosyne's tag for "no tag"
_BUILTIN_TYPES = {
    "1": "Front-to-back",
    "2": "Front-to-back and back-to-front",
    "3": "Vocabulary",
    "4": "Map",
    "5": "Cloze deletion",
    "6": "Sentence",
}
_SUPPORTED = {"1", "2", "3", "5"}
_MAP_REASON = "a Mnemosyne map card: it asks about map images, which a terminal cannot show"
_OUR_GRADE = {0: 0, 1: 1, 2: 3, 3: 3, 4: 4, 5: 5}  # Mnemosyne's 2 is a pass: our lowest pass is 3
_LATEX = re.compile(r"(?i)<(/?(?:\$\$|\$|latex))>")
_NEWLINE = re.compile(r"\r\n?|\n")
_MNEMOSYNE_CLOZE = re.compile(r"\[(.+?)\]", re.DOTALL)  # libmnemosyne/card_types/cloze.py
_SPACES = re.compile(r"\s+")


# --- sniffing ----------------------------------------------------------------


def is_mnemosyne_db(tables: set[str]) -> bool:
    """Whether a SQLite file with these tables is a Mnemosyne 2 database
    (an Anki collection has ``cards`` but not ``facts`` or ``data_for_fact``)."""
    return MNEMOSYNE_TABLES <= tables


def is_mnemosyne_db_file(path: Path) -> bool:
    """Whether ``path`` opens as a SQLite database with Mnemosyne 2's tables;
    False for anything unreadable (the importer then says why)."""
    try:
        with open_mnemosyne_db(path) as db:
            return is_mnemosyne_db(db.tables())
    except MnemosyneDbError:
        return False


# --- shared: text, numbers, progress ---------------------------------------------


class _Bad(Exception):
    """A value that is not what Mnemosyne writes; the message says which."""


def _field_text(raw: str) -> tuple[str, int]:
    """Readable text for a Mnemosyne field (HTML whose line breaks count)."""
    raw = _LATEX.sub(r"[\1]", raw)
    raw = _NEWLINE.sub("<br>", raw)
    return html_text.to_text(raw)


def _named(text: str) -> str:
    """A card named by its question, short enough for a one-line reason."""
    text = " ".join(text.split())
    if not text:
        return "a card with an empty question"
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _whole(value: Any, name: str, low: int = 0, high: int = _MAX_COUNT) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise _Bad(f"{name} {value!r} is not a whole number")
    if not low <= value <= high:
        raise _Bad(f"{name} {value} is out of range")
    return value


def _easiness(value: Any) -> int:
    """EF as a decimal (2.5, "2.500", 2.36) -> hundredths, half to even, clamped."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Bad(f"easiness {value!r} is not a number")
    try:
        exact = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise _Bad(f"easiness {value!r} is not a number") from None
    if not exact.is_finite():
        raise _Bad(f"easiness {value!r} is not a number")
    if abs(exact) > 10**6:
        raise _Bad(f"easiness {value!r} is out of range")
    hundredths = int((exact * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return min(MAX_EASINESS, max(MIN_EASINESS, hundredths))


def _day_of(epoch: int, day_start_hour: int) -> int:
    return study_day(datetime.fromtimestamp(epoch, timezone.utc), day_start_hour)


def _due_day(next_rep: int, day_start_hour: int) -> int:
    """Mnemosyne 2 stores a retention card's next_rep as midnight UTC of its
    due date (SM2_mnemosyne.midnight_UTC): that date is the study day. Any
    other timestamp is read as a moment, through our clock."""
    if next_rep % DAY == 0:
        return next_rep // DAY
    return _day_of(next_rep, day_start_hour)


def _scheduled(grade: int, easiness: int, ret_since_lapse: int, lapses: int, last_day: int, due: int) -> CardState:
    """Our state for a seen card (grade 0-5), before ``suspended`` and ``last_review``."""
    if grade >= 2:
        return CardState(ret_since_lapse + 1, easiness, max(1, due - last_day), due, lapses)
    return CardState(0, easiness, 1, last_day + 1, lapses)


@dataclass
class _Skips:
    """The skipped facts, and how many for each kind of reason (for the
    one-line refusal of a file where nothing can be imported)."""

    messages: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    first: str = ""

    def add(self, question: str | _Question, reason: str, kind: str | None = None) -> None:
        question = question if isinstance(question, str) else question.text
        self.messages.append(f"{_named(question)}: {reason}")
        self.kinds[kind or reason] += 1
        self.first = self.first or _named(question)

    def refusal(self, label: str, what: str) -> InvalidFile:
        parts = "; ".join(f"{n} {_singular(kind) if n == 1 else kind}" for kind, n in self.kinds.most_common())
        return InvalidFile(label, None, f"nothing to import: none of its {what} can be imported: {parts} (the first is {self.first})")


def _singular(kind: str) -> str:
    return re.sub(r"^(\w+ )?(card|fact)s\b", r"\1\2", kind)


def _tag(name: str) -> str:
    """A Mnemosyne tag or 1.x category as one of our tags: runs of spaces
    become '_' (as Anki's Mnemosyne importer does); '::' levels stay."""
    return _SPACES.sub("_", name.strip())


def _convert_cloze(raw: str) -> tuple[str, int] | None:
    """Mnemosyne's ``[answer]``/``[answer:hint]`` as ``{{cN::answer}}`` /
    ``{{cN::answer::hint}}``, numbered in order (as Mnemosyne numbers its
    cards); None when the text has none."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        answer, colon, hint = match.group(1).partition(":")
        return f"{{{{c{count}::{answer}::{hint}}}}}" if colon else f"{{{{c{count}::{answer}}}}}"

    converted = _MNEMOSYNE_CLOZE.sub(number, raw)
    return (converted, count) if count else None


@dataclass
class _Fact:
    """One Mnemosyne fact, ready to become a note: its card type, fields
    (raw HTML), tags, and each card's (view or cloze index, progress)."""

    card_type: str  # the base card type: "1", "2", "3", "5", ...
    type_name: str
    fields: dict[str, str]
    question: str | _Question  # names the fact in a skip reason
    guid: str | None = None
    tags: list[str] = field(default_factory=list)
    cards: list[tuple[CardKind, int, CardProgress | None]] = field(default_factory=list)
    line: int | None = None


class _Builder:
    """Turns facts into notes of one deck, collecting skips and media."""

    def __init__(self, deck: str, source_prefix: str, by_front: bool) -> None:
        self.deck = deck
        self.prefix = source_prefix
        self.by_front = by_front  # no usable ids: one note per question
        self.notes: list[NoteSpec] = []
        self.skips = _Skips()
        self.media = 0
        self.guids: set[str] = set()
        self.fronts: set[str] = set()

    def text(self, raw: str) -> str:
        text, media = _field_text(raw)
        self.media += media
        return text

    def add(self, fact: _Fact) -> None:
        if fact.card_type not in _SUPPORTED:
            if fact.card_type == "4":
                self.skips.add(fact.question, _MAP_REASON, "map cards (Mnemosyne card type 4: they ask about map images, which a terminal cannot show)")
            else:
                what = f"Mnemosyne card type {fact.type_name!r}"
                self.skips.add(fact.question, f"{what} is not supported", f"cards of {what} (not supported)")
            return
        fields = fact.fields
        if fact.card_type == "5":
            converted = _convert_cloze(fields.get("text", ""))
            if converted is None:
                self.skips.add(self.text(fields.get("text", "")), "a cloze card without a [deletion]", "cloze cards without a [deletion]")
                return
            front, count = self.text(converted[0]), converted[1]
            if count > MAX_CLOZE or cloze_ordinals(front) != list(range(1, count + 1)):
                self.skips.add(front, "its cloze deletions cannot be written as {{c1::...}} (they hold braces or colons)", "cloze cards that cannot be converted")
                return
            note_type, back, reverse = NoteKind.CLOZE, "", False
        else:
            front = self.text(fields.get("f", ""))
            if fact.card_type == "3":
                parts = [self.text(fields.get(key, "")) for key in ("p_1", "m_1", "n")]
                back = "\n".join(p for p in parts if p)
            else:
                back = self.text(fields.get("b", ""))
            note_type = NoteKind.BASIC
            reverse = fact.card_type in ("2", "3")
        if not front:
            self.skips.add(fact.question, "the question is empty once HTML and media are removed", "cards with an empty question")
            return
        if note_type == NoteKind.BASIC and not back:
            reverse = False  # a question alone is a card (as Anki keeps it); asked the other way it would be empty
        if fact.guid is not None:
            if fact.guid in self.guids:
                self.skips.add(front, f"a second fact with the id {fact.guid!r}", "facts repeating an earlier id")
                return
            self.guids.add(fact.guid)
        wanted = {(CardKind.CLOZE, n) for n in cloze_ordinals(front)} if note_type == NoteKind.CLOZE else (
            {(CardKind.BASIC, 0), (CardKind.REVERSED, 0)} if reverse else {(CardKind.BASIC, 0)}
        )
        progress: dict[tuple[CardKind, int], CardProgress] = {}
        for kind, ordinal, card in fact.cards:
            if card is not None and (kind, ordinal) in wanted and (kind, ordinal) not in progress:
                progress[(kind, ordinal)] = card
        self.notes.append(
            NoteSpec(
                guid=fact.guid,
                note_type=note_type,
                front=front,
                back=back,
                reverse=reverse,
                tags=tuple(dict.fromkeys(t for t in (_tag(name) for name in fact.tags) if t)),
                source=f"{self.prefix}: {fact.type_name}",
                line=fact.line,
                progress=tuple(progress[key] for key in sorted(progress)),
                derived_source=True,
            )
        )

    def batch(self, fmt: str, label: str, what: str) -> ImportBatch:
        if not self.notes:
            if self.skips.messages:
                raise self.skips.refusal(label, what)
            raise InvalidFile(label, None, f"nothing to import: {what}")
        return ImportBatch(
            format=fmt,
            decks=[DeckSpec(name=self.deck, description=None, notes=tuple(self.notes))],
            skipped=self.skips.messages,
            media_skipped=self.media,
        )


def _deck(deck_override: str | None) -> str:
    return deck_override.strip() if deck_override and deck_override.strip() else DEFAULT_DECK


def _checked_text(value: Any, what: str, label: str, line: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidFile(label, line, f"{what} is not text")
    if len(value) > MAX_FIELD_CHARS:
        raise InvalidFile(label, line, f"{what} is longer than {MAX_FIELD_CHARS} characters")
    return value


# --- Mnemosyne 2 database ----------------------------------------------------------


@dataclass
class _DbCard:
    row: dict[str, Any]
    grade: int
    state: CardState | None  # None: a new card


def parse_mnemosyne_db(path: Path, deck_override: str | None, day_start_hour: int) -> ImportBatch:
    """Read a Mnemosyne 2 database completely; raises InvalidFile naming the
    file and what is wrong with it."""
    label = str(path)
    try:
        with open_mnemosyne_db(path) as db:
            tables = db.tables()
            if not is_mnemosyne_db(tables):
                missing = ", ".join(sorted(MNEMOSYNE_TABLES - tables))
                raise InvalidFile(label, None, f"not a Mnemosyne 2 database (no {missing} table)")
            facts = list(db.facts())
            data = list(db.fact_data())
            cards = [dict(zip(CARD_COLUMNS, row)) for row in db.cards()]
            card_tags = list(db.card_tags())
            type_names = db.card_type_names()
            repetitions = list(db.repetitions())
    except MnemosyneDbError as err:
        raise InvalidFile(label, None, f"not a readable Mnemosyne 2 database ({err})")

    fields: dict[Any, dict[str, str]] = {}
    for fact_rowid, key, value in data:
        if not isinstance(key, str):
            raise InvalidFile(label, None, f"a field name of fact {fact_rowid!r} is not text")
        fields.setdefault(fact_rowid, {})[key] = _checked_text(value, f"field {key!r} of a fact", label)
    tags_of: dict[Any, list[str]] = {}
    for card_rowid, name in card_tags:
        if isinstance(name, str) and name.strip() and name != _UNTAGGED:
            tags_of.setdefault(card_rowid, []).append(name)
    history_of: dict[str, list[dict[str, Any]]] = {}
    for row in repetitions:
        entry = dict(zip(REPETITION_COLUMNS, row))
        if isinstance(entry["object_id"], str):
            history_of.setdefault(entry["object_id"], []).append(entry)
    cards_of: dict[Any, list[dict[str, Any]]] = {}
    for card in cards:
        cards_of.setdefault(card["_fact_id"], []).append(card)

    if not facts:
        raise InvalidFile(label, None, "nothing to import: the Mnemosyne database has no facts")
    builder = _Builder(_deck(deck_override), "mnemosyne", by_front=False)
    known = {rowid for rowid, _ in facts}
    for card in cards:
        if card["_fact_id"] not in known:
            question = _field_text(_checked_text(card["question"], "a card's question", label))[0]
            builder.skips.add(question, "its fact is missing from the database", "cards without a fact")
    for fact_rowid, fact_id in facts:
        fact_fields = fields.get(fact_rowid, {})
        own_cards = cards_of.get(fact_rowid, [])
        question = _Question(fact_fields, own_cards, label)
        if not own_cards:
            builder.skips.add(question.text, "the fact has no cards", "facts without cards")
            continue
        base, type_name = _card_type(own_cards[0]["card_type_id"], type_names)
        fact = _Fact(base, type_name, fact_fields, question, guid=_guid(fact_id))
        if base not in _SUPPORTED:
            builder.add(fact)  # skipped, with the reason
            continue
        cloze_cards = 0
        for card in own_cards:
            db_card = _db_card(card, question, label, day_start_hour)
            for name in tags_of.get(card["_id"], []):
                if name not in fact.tags:
                    fact.tags.append(name)
            if base == "5":
                cloze_cards += 1
                kind, ordinal = CardKind.CLOZE, _cloze_index(card["extra_data"], cloze_cards - 1) + 1
            else:
                view = str(card["fact_view_id"]).rsplit(".", 1)[-1]
                if view not in ("1", "2"):
                    continue  # not a view of these card types: nothing of ours to give its progress
                kind, ordinal = (CardKind.BASIC if view == "1" else CardKind.REVERSED), 0
            if db_card.state is None:
                progress = None
            else:
                reviews = _history(history_of.get(card["id"], []), db_card, day_start_hour) if db_card.grade >= 0 else ()
                progress = CardProgress(kind, ordinal, db_card.state, reviews)
            fact.cards.append((kind, ordinal, progress))
        builder.add(fact)
    return builder.batch(DB_FORMAT, label, f"{len(facts)} facts ({len(cards)} cards)")


def _guid(fact_id: Any) -> str | None:
    """Mnemosyne's fact id (random, 22 characters) as the note's id, so a
    second import of the same database updates rather than duplicates."""
    if isinstance(fact_id, str) and fact_id and len(fact_id) <= MAX_ID_CHARS and not any(c.isspace() for c in fact_id):
        return fact_id
    return None


class _Question:
    """The text a fact is named by in a skip reason or an error, worked out
    only when needed: its first card's question as Mnemosyne rendered it,
    else its main field."""

    def __init__(self, fields: dict[str, str], cards: list[dict[str, Any]], label: str) -> None:
        self.fields, self.cards, self.label = fields, cards, label
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._find()
        return self._text

    def _find(self) -> str:
        for card in self.cards[:1]:
            question = _field_text(_checked_text(card["question"], "a card's question", self.label))[0]
            if question:
                return question
        for key in ("f", "text", "loc", "m_1"):
            if self.fields.get(key):
                return _field_text(self.fields[key])[0]
        return next((_field_text(v)[0] for v in self.fields.values() if v), "")


def _card_type(type_id: Any, names: dict[Any, Any]) -> tuple[str, str]:
    """(base card type, name): a clone ``1::French`` behaves as type 1."""
    text = str(type_id)
    base = text.split("::", 1)[0]
    name = names.get(type_id) or _BUILTIN_TYPES.get(text) or text
    return base, str(name)


def _cloze_index(extra_data: Any, fallback: int) -> int:
    """The cloze's number (0-based) from a card's ``extra_data``, which
    Mnemosyne writes as a Python dict literal: ``{'cloze': 'x', 'index': 0}``.
    Read with ``ast.literal_eval`` (never evaluated); without it, the card's
    position among the fact's cards."""
    if isinstance(extra_data, str) and 0 < len(extra_data) <= _MAX_EXTRA_DATA:
        try:
            value = ast.literal_eval(extra_data)
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            return fallback
        index = value.get("index") if isinstance(value, dict) else None
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < MAX_CLOZE:
            return index
    return fallback


def _db_card(card: dict[str, Any], question: _Question, label: str, day_start_hour: int) -> _DbCard:
    try:
        grade = _whole(card["grade"], "grade", -1, 5)
        active = card["active"]
        suspended = active in (0, "0", False)
        if grade < 0:
            return _DbCard(card, grade, CardState(suspended=True) if suspended else None)
        easiness = _easiness(card["easiness"])
        ret_since_lapse = _whole(card["ret_reps_since_lapse"], "ret_reps_since_lapse")
        lapses = _whole(card["lapses"], "lapses")
        last_rep = _whole(card["last_rep"], "last_rep", 0, _MAX_EPOCH)
        next_rep = _whole(card["next_rep"], "next_rep", 0, _MAX_EPOCH)
    except _Bad as err:
        raise InvalidFile(label, None, f"card {_named(question.text)}: {err}")
    last_day = _day_of(last_rep, day_start_hour)
    state = _scheduled(grade, easiness, ret_since_lapse, lapses, last_day, _due_day(next_rep, day_start_hour))
    return _DbCard(card, grade, CardState(state.repetitions, state.easiness, state.interval, state.due, state.lapses, suspended, None, last_rep))


def _history(rows: list[dict[str, Any]], card: _DbCard, day_start_hour: int) -> tuple[ReviewEntry, ...]:
    """The card's logged repetitions as review-log entries, or () when the
    log does not hold its whole history exactly (see the module docstring)."""
    if not rows or card.state is None:
        return ()
    try:
        before = CardState()
        entries: list[ReviewEntry] = []
        counted: set[int] = set()
        for number, row in enumerate(rows, 1):
            grade = _whole(row["grade"], "grade", 0, 5)
            total = _whole(row["acq_reps"], "acq_reps") + _whole(row["ret_reps"], "ret_reps")
            if total != number:
                return ()  # a repetition is missing from the log (or the log starts late)
            time = _whole(row["timestamp"], "timestamp", 0, _MAX_EPOCH)
            day = _day_of(time, day_start_hour)
            next_rep = _whole(row["next_rep"], "next_rep", 0, _MAX_EPOCH)
            after = _scheduled(
                grade, _easiness(row["easiness"]), _whole(row["ret_reps_since_lapse"], "ret_reps_since_lapse"),
                _whole(row["lapses"], "lapses"), day, _due_day(next_rep, day_start_hour),
            )
            thinking = row["thinking_time"]
            answer_ms = _whole(thinking, "thinking_time", 0, 10**7) * 1000 if thinking is not None else 0
            kind = LogKind.DRILL if day in counted else LogKind.REVIEW
            counted.add(day)
            entries.append(ReviewEntry(
                time, day, _OUR_GRADE[grade], kind,
                before.repetitions, before.easiness, before.interval, before.due,
                after.repetitions, after.easiness, after.interval, after.due, answer_ms,
            ))
            before = after
    except _Bad:
        return ()
    state = card.state
    if (before.repetitions, before.easiness, before.interval, before.due, before.lapses) != (
        state.repetitions, state.easiness, state.interval, state.due, state.lapses
    ):
        return ()  # the log's last state is not the card's: carry the state alone
    return tuple(entries)


# --- Mnemosyne 1.x XML export -------------------------------------------------------


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def child(self, tag: str) -> _Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def text(self) -> str:
        return "".join(self.parts) + "".join(c.text() for c in self.children)


class _Refused(Exception):
    pass


def _parse_xml(text: str, label: str) -> _Element:
    """The document as a small tree, each element with its line. No DTD is
    accepted (a Mnemosyne export has none), so no entity is ever expanded."""
    parser = expat.ParserCreate(encoding="UTF-8")
    stack: list[_Element] = []
    roots: list[_Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = _Element(tag, attrs, parser.CurrentLineNumber)
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def data(chunk: str) -> None:
        if stack:
            stack[-1].parts.append(chunk)

    def refuse(*args: Any) -> None:
        raise _Refused("it declares a DOCTYPE or entities, which a Mnemosyne export never does")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as err:
        raise InvalidFile(label, err.lineno, f"not well-formed XML: {expat.ErrorString(err.code)}")
    except _Refused as err:
        raise InvalidFile(label, parser.CurrentLineNumber, f"not a Mnemosyne XML export: {err}")
    return roots[0]


@dataclass
class _Item:
    id: str
    question: str
    answer: str
    category: str
    line: int
    attrs: dict[str, str]


def parse_mnemosyne_xml(text: str, label: str, deck_override: str | None, day_start_hour: int) -> ImportBatch:
    """Read a Mnemosyne 1.x XML export completely; raises InvalidFile naming
    the file, the line where it can, and what is wrong."""
    root = _parse_xml(text, label)
    if root.tag != "mnemosyne":
        raise InvalidFile(label, root.line, f'not a Mnemosyne XML export: the root element is <{root.tag[:40]}>, not <mnemosyne core_version="1">')
    version = root.attrs.get("core_version")
    if version != "1":
        raise InvalidFile(label, root.line, f"Mnemosyne XML core_version {version!r} is not supported (only 1.x exports, core_version \"1\")")
    active: dict[str, bool] = {}
    for element in root.children:
        if element.tag == "category":
            name = element.child("name")
            active[name.text().strip() if name else ""] = element.attrs.get("active") != "0"
    items = _items(root, label)
    if not items:
        raise InvalidFile(label, root.line, "a Mnemosyne XML export with no <item> elements: there are no cards to import")
    day0 = _start_day(root, items, label)

    def progress(item: _Item) -> CardProgress | None:
        suspended = not active.get(item.category, True)
        state = _item_state(item, day0, day_start_hour, label)
        if state is None:
            return CardProgress(CardKind.BASIC, 0, CardState(suspended=True)) if suspended else None
        return CardProgress(CardKind.BASIC, 0, CardState(
            state.repetitions, state.easiness, state.interval, state.due, state.lapses, suspended, None, state.last_review,
        ))

    def card(kind: CardKind, item: _Item) -> tuple[CardKind, int, CardProgress | None]:
        found = progress(item)
        return kind, 0, None if found is None else CardProgress(kind, 0, found.state)

    builder = _Builder(_deck(deck_override), "mnemosyne 1.x", by_front=True)
    by_id = {item.id: item for item in items}
    facts = 0
    for item in items:
        tags = [] if item.category in ("", "<default>") else [item.category]
        for suffix in (".inv", ".tr.1"):
            if item.id.endswith(suffix):
                if item.id[: -len(suffix)] in by_id:
                    break  # made with its main item
                facts += 1
                builder.add(_Fact("1", "Front-to-back", {"f": item.question, "b": item.answer}, _question(item),
                                  tags=tags, cards=[card(CardKind.BASIC, item)], line=item.line))
                break
        else:
            facts += 1
            inverse, translation = by_id.get(item.id + ".inv"), by_id.get(item.id + ".tr.1")
            if inverse is not None and "answerbox: overlay" in item.question and "<img " in item.question:
                # A map card: "where is X?" over a map, and the place's image
                # asking for its name. Each side is its own question, so each
                # becomes a front-to-back note (the images show as [image: ...]).
                builder.add(_Fact("1", "Front-to-back", {"f": item.question, "b": item.answer}, _question(item),
                                  tags=tags, cards=[card(CardKind.BASIC, item)], line=item.line))
                builder.add(_Fact("1", "Front-to-back", {"f": inverse.question, "b": inverse.answer}, _question(inverse),
                                  tags=tags, cards=[card(CardKind.BASIC, inverse)], line=inverse.line))
            elif inverse is None and translation is None:
                builder.add(_Fact("1", "Front-to-back", {"f": item.question, "b": item.answer}, _question(item),
                                  tags=tags, cards=[card(CardKind.BASIC, item)], line=item.line))
            elif inverse is not None:
                builder.add(_Fact("2", "Front-to-back and back-to-front", {"f": item.question, "b": item.answer}, _question(item),
                                  tags=tags, cards=[card(CardKind.BASIC, item), card(CardKind.REVERSED, inverse)], line=item.line))
            else:
                assert translation is not None
                builder.add(_Fact("3", "Vocabulary", {"f": item.question, "m_1": item.answer}, _question(item),
                                  tags=tags, cards=[card(CardKind.BASIC, item), card(CardKind.REVERSED, translation)], line=item.line))
    return builder.batch(XML_FORMAT, label, f"{facts} facts ({len(items)} items)")


def _question(item: _Item) -> str:
    return _field_text(item.question)[0]


def _items(root: _Element, label: str) -> list[_Item]:
    """The items in order, with ids made unique as Mnemosyne makes them
    (a repeated id gets "dup" in front: dups.xml repeats 0, 0.inv, ...)."""
    items: list[_Item] = []
    seen: set[str] = set()
    for number, element in enumerate((e for e in root.children if e.tag == "item"), 1):
        question = element.child("Q")
        if question is None:
            raise InvalidFile(label, element.line, "an <item> without a <Q> question")
        answer, category = element.child("A"), element.child("cat")
        item_id = element.attrs.get("id") or f"(item {number})"
        while item_id in seen:
            item_id = "dup" + item_id
        seen.add(item_id)
        items.append(_Item(
            item_id,
            _checked_text(question.text(), "<Q>", label, question.line),
            _checked_text(answer.text() if answer else "", "<A>", label, answer.line if answer else element.line),
            category.text().strip() if category else "",
            element.line,
            element.attrs,
        ))
    return items


def _start_day(root: _Element, items: list[_Item], label: str) -> int | None:
    """Study day 0 of a 1.x collection: the local date of ``time_of_start``
    (1.x counts l_rp and n_rp in days from it; Mnemosyne 2's importer reads
    them the same way, in the local timezone)."""
    raw = root.attrs.get("time_of_start")
    if raw is None:
        return None
    try:
        start = _whole(int(float(raw)), "time_of_start", 0, _MAX_EPOCH)
    except (ValueError, OverflowError, _Bad):
        raise InvalidFile(label, root.line, f"time_of_start {raw[:40]!r} is not a time")
    return date_to_day(datetime.fromtimestamp(start).date())


def _item_state(item: _Item, day0: int | None, day_start_hour: int, label: str) -> CardState | None:
    """An item's progress as our state (with ``last_review`` set), or None
    for an unseen item: Mnemosyne's rule, u="1" (or, without u, at most one
    acquisition repetition and none in retention) and grade 0 or 1."""
    attrs = item.attrs

    def number(name: str, parse: Callable[[str], Any] = int, default: Any = 0) -> Any:
        raw = attrs.get(name)
        if raw is None or raw == "":
            return default
        try:
            return parse(raw.strip())
        except (ValueError, OverflowError):
            raise InvalidFile(label, item.line, f"item {_named(_question(item))}: {name}={raw[:40]!r} is not a number")

    try:
        grade = _whole(number("gr"), "gr", 0, 5)
        acq, ret = _whole(number("ac_rp"), "ac_rp"), _whole(number("rt_rp"), "rt_rp")
        unseen = attrs["u"] != "0" if "u" in attrs else (acq <= 1 and ret == 0 and grade == 0)
        if unseen and grade in (0, 1):
            return None
        easiness = _easiness(attrs.get("e") or "2.5")
        lapses = _whole(number("lps"), "lps")
        ret_since_lapse = _whole(number("rt_rp_l"), "rt_rp_l")
        last = _whole(int(number("l_rp", float)), "l_rp", 0, 10**7)
        due = _whole(int(number("n_rp", float)), "n_rp", 0, 10**7)
    except (ValueError, OverflowError):
        raise InvalidFile(label, item.line, f"item {_named(_question(item))}: l_rp or n_rp is not a number of days")
    except _Bad as err:
        raise InvalidFile(label, item.line, f"item {_named(_question(item))}: {err}")
    if day0 is None:
        raise InvalidFile(label, None, "the <mnemosyne> element has no time_of_start, so the review days of studied items are unknown")
    state = _scheduled(grade, easiness, ret_since_lapse, lapses, day0 + last, day0 + due)
    # 1.x keeps the day of the last repetition, not its time: the start of that study day.
    return CardState(state.repetitions, state.easiness, state.interval, state.due, state.lapses, False, None,
                     day_start_epoch(day0 + last, day_start_hour))
