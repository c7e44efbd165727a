"""The records that cross layers: a card's stored state, a review-log entry
and a note row, each with its field list written once and one JSON codec.

The store builds its column lists and row mappers from these field lists;
the JSON export writes, and the JSON import reads, through the codecs here.
Kinds are ``StrEnum``s, so they stay plain strings in SQL and JSON.
Standard library only: every command imports this.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, ClassVar

from studycards.scheduler import INITIAL_EASINESS, MIN_EASINESS

MAX_EASINESS = 10_000  # hundredths; no real history comes near it
_MAX_JSON_INT = 2**53  # what every JSON reader can hold exactly


class CardKind(StrEnum):
    BASIC = "basic"
    REVERSED = "reversed"
    CLOZE = "cloze"  # ord: the deletion number (c1 -> 1)
    TEMPLATE = "template"  # a card of a note type's template; ord: the template's index


class NoteKind(StrEnum):
    BASIC = "basic"
    CLOZE = "cloze"
    TYPED = "typed"  # fields and cards from a note type of its own (an Anki note type)


class LogKind(StrEnum):
    """What an answer was: the first of its study day (``review``, counted
    and scheduled), a re-drill after a failure, or a cram answer."""

    REVIEW = "review"
    DRILL = "drill"
    CRAM = "cram"


class RecordError(ValueError):
    """A JSON object that is not a valid record; the message names the key."""


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < _MAX_JSON_INT


def _check_ints(obj: dict[str, Any], what: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    for key in required:
        if not _whole(obj.get(key)):
            raise RecordError(f"{what} {key!r} must be a whole number")
    for key in optional:
        if obj.get(key) is not None and not _whole(obj.get(key)):
            raise RecordError(f"{what} {key!r} must be a whole number or null")


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state as stored (the scheduler's state plus what
    the queue needs). ``due`` is None while the card is new."""

    repetitions: int = 0
    easiness: int = INITIAL_EASINESS
    interval: int = 0
    due: int | None = None
    lapses: int = 0
    suspended: bool = False
    buried_until: int | None = None
    last_review: int | None = None
    stability: float | None = None  # FSRS's memory state (None until FSRS has seen the card)
    difficulty: float | None = None

    FIELDS: ClassVar[tuple[str, ...]]

    @classmethod
    def from_row(cls, row: Any) -> CardState:
        reps, ease, interval, due, lapses, suspended, buried, last, stability, difficulty = row
        return cls(reps, ease, interval, due, lapses, bool(suspended), buried, last, stability, difficulty)


CardState.FIELDS = tuple(f.name for f in fields(CardState))
NEW_CARD = CardState()


@dataclass(frozen=True)
class CardProgress:
    """One card's state and history in a JSON export (``--with-progress``)."""

    kind: CardKind
    ord: int
    state: CardState
    reviews: tuple[ReviewEntry, ...] = ()

    def to_json(self) -> dict[str, object]:
        s = self.state
        return {
            "kind": str(self.kind),
            "ord": self.ord,
            "repetitions": s.repetitions,
            "easiness_hundredths": s.easiness,
            "interval": s.interval,
            "due": s.due,
            "lapses": s.lapses,
            "suspended": s.suspended,
            "buried_until": s.buried_until,
            "last_review": s.last_review,
            **({} if s.stability is None else {"stability": s.stability, "difficulty": s.difficulty}),
            "reviews": [r.to_json() for r in self.reviews],
        }

    @classmethod
    def from_json(cls, obj: object) -> CardProgress:
        if not isinstance(obj, dict):
            raise RecordError("each card must be an object")
        if obj.get("kind") not in set(CardKind):
            raise RecordError(f"card 'kind' must be one of {', '.join(CardKind)}")
        _check_ints(obj, "card", ("ord", "repetitions", "easiness_hundredths", "interval", "lapses"), ("due", "buried_until", "last_review"))
        if not isinstance(obj.get("suspended"), bool):
            raise RecordError("card 'suspended' must be true or false")
        if not MIN_EASINESS <= obj["easiness_hundredths"] <= MAX_EASINESS:
            raise RecordError(f"card easiness_hundredths {obj['easiness_hundredths']} is impossible")
        reviews = obj.get("reviews", [])
        if not isinstance(reviews, list):
            raise RecordError("card 'reviews' must be a list")
        memory = (obj.get("stability"), obj.get("difficulty"))
        if memory != (None, None):
            stability, difficulty = memory
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in memory) or not (0 < stability <= 1e6 and 1 <= difficulty <= 10):
                raise RecordError("card 'stability' and 'difficulty' must be numbers (stability over 0, difficulty from 1 to 10), given together")
            memory = (float(stability), float(difficulty))
        state = CardState(
            obj["repetitions"], obj["easiness_hundredths"], obj["interval"], obj["due"] if "due" in obj else None,
            obj["lapses"], obj["suspended"], obj.get("buried_until"), obj.get("last_review"), *memory,
        )
        return cls(CardKind(obj["kind"]), obj["ord"], state, tuple(ReviewEntry.from_json(r) for r in reviews))

    @property
    def carries_anything(self) -> bool:
        return self.state.due is not None or bool(self.reviews) or self.state.suspended


@dataclass(frozen=True)
class ReviewEntry:
    """One answer in the review log: the grade and the card's SM-2 state
    before and after it."""

    time: int  # epoch seconds, UTC
    study_day: int
    grade: int
    kind: LogKind
    before_repetitions: int
    before_easiness: int
    before_interval: int
    before_due: int | None
    after_repetitions: int
    after_easiness: int
    after_interval: int
    after_due: int | None
    answer_ms: int

    FIELDS: ClassVar[tuple[str, ...]]
    _OPTIONAL: ClassVar[tuple[str, ...]] = ("before_due", "after_due")

    def to_json(self) -> dict[str, object]:
        return {name: (str(v) if name == "kind" else v) for name, v in zip(self.FIELDS, self.row())}

    def row(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    @classmethod
    def from_row(cls, row: Any) -> ReviewEntry:
        values = list(row)
        values[3] = LogKind(values[3])
        return cls(*values)

    @classmethod
    def from_json(cls, obj: object) -> ReviewEntry:
        if not isinstance(obj, dict) or obj.get("kind") not in set(LogKind):
            raise RecordError(f"each review needs a 'kind' of {', '.join(LogKind)}")
        required = tuple(f for f in cls.FIELDS if f not in cls._OPTIONAL and f != "kind")
        _check_ints(obj, "review", required, cls._OPTIONAL)
        if not 0 <= obj["grade"] <= 5:
            raise RecordError(f"review grade {obj['grade']} is not 0-5")
        return cls(**{name: (LogKind(obj[name]) if name == "kind" else obj.get(name)) for name in cls.FIELDS})


ReviewEntry.FIELDS = tuple(f.name for f in fields(ReviewEntry))


@dataclass(frozen=True)
class TemplateSpec:
    """One card template of a note type, in Anki's template language."""

    name: str
    question: str  # Anki's qfmt
    answer: str  # Anki's afmt


@dataclass(frozen=True)
class NoteTypeSpec:
    """A note type as its author made it (Anki's model): named fields and
    card templates. ``html`` False means the fields are plain text whose
    whitespace is kept exactly; ``anki_id`` is the id it had in Anki, kept so
    an export goes back to the same note type."""

    name: str
    fields: tuple[str, ...]
    templates: tuple[TemplateSpec, ...]
    cloze: bool = False
    css: str = ""
    html: bool = True
    anki_id: int | None = None


@dataclass(frozen=True)
class NoteRow:
    """A note as stored. ``tags`` are space-separated, as in Anki."""

    id: int
    deck_id: int
    guid: str
    note_type: NoteKind
    reverse: bool
    front: str
    back: str
    tags: str
    source: str
    position: int
    modified: int  # epoch seconds of the last change
    created: int  # epoch seconds

    FIELDS: ClassVar[tuple[str, ...]]


NoteRow.FIELDS = tuple(f.name for f in fields(NoteRow))
