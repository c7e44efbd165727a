"""The tables, as SQLModel models: the one definition of the schema
(columns, types, nullability, indexes).

Migrations (migrations.py) are the applied history that brings any older
database to exactly this; a test compares a migrated database with these
models in full. Nothing at run time imports this module except a
migration check: the daily commands speak SQL text through ``Conn``.

Times are UTC epoch seconds in 64-bit columns, study days are integers
(days since 1970-01-01, see clock.py), so aggregates are plain integer
arithmetic in SQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from studycards.store.predicates import COUNTED_ONCE

# Text that is sorted or compared: code-point order everywhere (SQLite's
# default; the "C" collation on PostgreSQL, whose database default may be a
# language's). Migration m007 gives the existing columns the same.
SORTED_TEXT = String().with_variant(String(collation="C"), "postgresql")

# Only the first answer of a card in a study day schedules it: held by the
# schema, so it holds for any number of processes and on any database.


class Deck(SQLModel, table=True):
    """A deck; ``::`` in the name makes a tree. ``folded`` is the name
    case-folded: names are unique regardless of case. ``new_per_day`` is the
    deck's own daily limit of new cards (None: the global setting)."""

    __tablename__ = "deck"
    __table_args__ = (Index("uq_deck_folded", "folded", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, sa_type=SORTED_TEXT)
    description: str = ""
    folded: str = Field(default="", sa_column=Column(SORTED_TEXT, nullable=False, server_default=""))
    new_per_day: int | None = None


class UndoEntry(SQLModel, table=True):
    """A destructive operation that ``studycards undo`` can reverse: the rows
    it removed or changed, as JSON written by the store."""

    __tablename__ = "undo_entry"

    id: int | None = Field(default=None, primary_key=True)
    created: int = Field(sa_column=Column(BigInteger, nullable=False))  # epoch seconds
    description: str
    payload: str


class NoteType(SQLModel, table=True):
    """A note type as its author made it (an Anki model): ``fields`` and
    ``templates`` are JSON lists (field names; {name, question, answer}).
    ``key`` is a hash of the whole definition, so importing the same note
    type again reuses its row."""

    __tablename__ = "note_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    cloze: bool
    fields: str
    templates: str
    css: str
    html: bool
    anki_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    key: str = Field(unique=True)


class MediaFile(SQLModel, table=True):
    """A media file referenced by notes, kept in the collection's media
    folder under its content hash."""

    __tablename__ = "media_file"

    name: str = Field(primary_key=True, sa_type=SORTED_TEXT)
    sha256: str
    size: int = Field(sa_column=Column(BigInteger, nullable=False))


class Note(SQLModel, table=True):
    """One fact. ``guid`` is the stable id kept across re-imports.

    ``note_type`` is "basic" (front/back, plus a reversed card when
    ``reverse``) or "cloze" (``front`` holds the cloze text, ``back`` extra).
    """

    __tablename__ = "note"
    __table_args__ = (Index("ix_note_deck_position", "deck_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    deck_id: int = Field(foreign_key="deck.id")
    guid: str = Field(unique=True, sa_type=SORTED_TEXT)
    note_type: str = "basic"
    reverse: bool = False
    front: str = ""
    back: str = ""
    tags: str = Field(default="", sa_type=SORTED_TEXT)  # space-separated, like Anki
    source: str = ""
    position: int = 0  # order of new cards within the deck
    modified: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))  # epoch seconds
    created: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))  # epoch seconds
    # A typed note ("typed"): its note type and every field, as a JSON list.
    note_type_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("note_type.id"), nullable=True))
    fields: str | None = None


class Card(SQLModel, table=True):
    """One thing to recall, with its SM-2 state. ``due`` is None while new.

    ``deck_id`` repeats the note's deck so the queue and the overview count
    cards by deck from one index, without reading notes."""

    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("note_id", "kind", "ord", name="uq_card_note_kind_ord"),
        Index("ix_card_queue", "suspended", "due", "buried_until", "deck_id", "note_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id")  # indexed by uq_card_note_kind_ord
    deck_id: int = Field(sa_column=Column(Integer, ForeignKey("deck.id"), nullable=False))
    kind: str = Field(default="basic", sa_type=SORTED_TEXT)  # basic | reversed | cloze
    ord: int = 0  # cloze deletion number; 0 otherwise
    repetitions: int = 0
    easiness: int = 250  # hundredths: 250 = EF 2.50
    interval: int = 0  # days
    due: int | None = None  # study day
    lapses: int = 0
    suspended: bool = False
    buried_until: int | None = None  # hidden while today < buried_until
    last_review: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))  # epoch seconds
    stability: float | None = None  # FSRS: days until recall falls to 90%; NULL until FSRS has seen the card
    difficulty: float | None = None  # FSRS: 1 (easy) to 10 (hard)
    # A typed note's card: its question and answer as terminal text,
    # rendered from the note type's template when the note is written.
    question: str | None = None
    answer: str | None = None


class ReviewLog(SQLModel, table=True):
    """One answer. ``kind`` is review (counted), drill or cram (not counted)."""

    __tablename__ = "review_log"
    __table_args__ = (
        Index("ix_review_log_day", "study_day", "kind"),
        Index("ix_review_log_card_day", "card_id", "study_day"),
        Index("ix_review_log_kind_day", "kind", "study_day", "before_due", "before_interval", "grade"),
        Index("ix_review_log_day_time", "study_day", "time"),
        Index(
            "uq_review_log_counted",
            "card_id",
            "study_day",
            unique=True,
            sqlite_where=text(COUNTED_ONCE),
            postgresql_where=text(COUNTED_ONCE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="card.id")
    time: int = Field(sa_column=Column("time", BigInteger, nullable=False))  # epoch seconds, UTC
    study_day: int
    grade: int
    kind: str = "review"
    before_repetitions: int
    before_easiness: int
    before_interval: int
    before_due: int | None = None
    after_repetitions: int
    after_easiness: int
    after_interval: int
    after_due: int | None = None
    answer_ms: int = 0


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True, sa_type=SORTED_TEXT)
    value: str
