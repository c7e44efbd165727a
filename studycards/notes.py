"""Writing notes and the cards they make: the one path for built-in decks,
imports and ``studycards add``.

Re-applying the same deck changes nothing; an edited note is updated in place
(matched by its stable id) and its cards keep their scheduling state. A card
the edited note no longer makes is removed if it was never studied, and
suspended otherwise, so no review history is ever dropped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from studycards.dbapi import Conn, in_list
from studycards.deckfile import DeckSpec, NoteSpec
from studycards.errors import InvalidValue
from studycards.models import Card, Deck, Note, ReviewLog
from studycards.render import NOTE_BASIC, NOTE_CLOZE, card_specs, cloze_ordinals
from studycards.scheduler import LEECH_TAG

_CHUNK = 500
_BULK = 5000


@dataclass
class DeckReport:
    deck: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cards_added: int = 0
    cards_removed: int = 0
    cards_suspended: int = 0
    cards_restored: int = 0


def get_or_create_deck(session: Session, name: str, description: str | None = None) -> Deck:
    deck = session.exec(select(Deck).where(Deck.name == name)).first()
    if deck is None:
        deck = Deck(name=name, description=description or "")
        session.add(deck)
        session.flush()
    elif description is not None and deck.description != description:
        deck.description = description
    return deck


def _tags(tags: tuple[str, ...] | list[str]) -> str:
    return " ".join(dict.fromkeys(tags))


def _card_plan(wanted: set[tuple[str, int]], have: dict[tuple[str, int], tuple[int, int | None, bool]]) -> tuple[list[tuple[str, int]], list[int], list[int]]:
    """What makes a note's cards match its content: (kind, ord) pairs to add,
    ids to delete (never studied) and ids to suspend (studied: history stays)."""
    add = sorted(wanted - set(have))
    delete, suspend = [], []
    for key in set(have) - wanted:
        card_id, due, suspended = have[key]
        if due is None:
            delete.append(card_id)
        elif not suspended:
            suspend.append(card_id)
    return add, delete, suspend


def _sync_cards(session: Session, note: Note, existing: list[Card]) -> tuple[int, int, int]:
    """Make the note's cards match what its content generates (one note, ORM)."""
    wanted = {(s.kind, s.ord) for s in card_specs(note.note_type, note.reverse, note.front)}
    have = {(c.kind, c.ord): c for c in existing}
    add, delete, suspend = _card_plan(wanted, {k: (c.id, c.due, c.suspended) for k, c in have.items()})  # type: ignore[misc]
    for kind, ordinal in add:
        session.add(Card(note_id=note.id, kind=kind, ord=ordinal))
    for card in have.values():
        if card.id in delete:
            session.delete(card)
        elif card.id in suspend:
            card.suspended = True
    return len(add), len(delete), len(suspend)


_STORED = ("id", "guid", "modified", "deck_id", "note_type", "reverse", "front", "back", "tags", "source", "position")
_COMPARED = ("deck_id", "note_type", "reverse", "front", "back", "tags", "source")  # position alone is not an edit


@dataclass
class _Writes:
    """Row changes collected while walking a deck, written with executemany."""

    notes: list[dict[str, object]] = field(default_factory=list)
    cards_added: list[dict[str, object]] = field(default_factory=list)
    cards_deleted: list[dict[str, object]] = field(default_factory=list)
    cards_suspended: list[dict[str, object]] = field(default_factory=list)

    def flush(self, conn: Conn) -> None:
        for sql, rows in (
            (f"UPDATE note SET {', '.join(f'{c} = :{c}' for c in _COMPARED)}, \"position\" = :position, modified = :modified"
             " WHERE id = :id", self.notes),
            (_INSERT_CARD, self.cards_added),
            ("DELETE FROM card WHERE id = :id", self.cards_deleted),
            ("UPDATE card SET suspended = :yes WHERE id = :id", self.cards_suspended),
        ):
            for start in range(0, len(rows), _BULK):
                conn.execute_many(sql, rows[start : start + _BULK])
            rows.clear()


def apply_deck(session: Session, spec: DeckSpec, now_epoch: int) -> DeckReport:
    """Insert or update every note of ``spec`` in its deck (inside the caller's
    transaction). Notes match by guid, or, without one, by deck and front.

    Existing notes and cards are read and compared as plain rows, and only
    what changed is written, in bulk: re-importing a large unchanged file
    reads it and writes nothing."""
    from studycards.db import bulk

    deck = get_or_create_deck(session, spec.name, spec.description)
    session.flush()
    conn = bulk(session)
    report = DeckReport(deck=spec.name)
    existing = _rows_by(conn, "guid", [n.guid for n in spec.notes if n.guid is not None])
    by_front: dict[str, dict[str, object]] = {}
    if any(n.guid is None for n in spec.notes):
        rows = conn.all(f"SELECT {', '.join(_STORED)} FROM note WHERE deck_id = :deck", deck=deck.id)
        by_front = {row[6]: dict(zip(_STORED, row)) for row in rows}
    cards = _card_rows(conn, [n["id"] for n in existing.values()] + [n["id"] for n in by_front.values()])  # type: ignore[misc]
    fresh: list[tuple[NoteSpec, dict[str, object]]] = []  # new notes, written in bulk below
    writes = _Writes()

    for position, spec_note in enumerate(spec.notes):
        values = _note_values(spec_note, deck.id, position)
        row = existing.get(spec_note.guid) if spec_note.guid is not None else by_front.get(spec_note.front)
        if row is None and not spec_note.progress:
            fresh.append((spec_note, {"guid": spec_note.guid or uuid.uuid4().hex, "modified": now_epoch, **values}))
            report.added += 1
            continue
        if row is None:  # a new note that carries progress: one at a time, through the ORM
            writes.flush(conn)
            note = Note(guid=spec_note.guid or uuid.uuid4().hex, modified=now_epoch, **values)
            session.add(note)
            session.flush()
            report.added += 1
            report.cards_added += _sync_cards(session, note, [])[0]
            session.flush()
            report.cards_restored += _restore_progress(session, note.id, spec_note.progress)  # type: ignore[arg-type]
            continue
        if LEECH_TAG in str(row["tags"]).split() and LEECH_TAG not in str(values["tags"]).split():
            values["tags"] = " ".join([*str(values["tags"]).split(), LEECH_TAG])  # a leech stays a leech
        changed = any(row[k] != values[k] for k in _COMPARED)
        if changed or row["position"] != position:
            writes.notes.append({**values, "id": row["id"], "modified": now_epoch if changed else row["modified"]})
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
        wanted = {(c.kind, c.ord) for c in card_specs(str(values["note_type"]), bool(values["reverse"]), str(values["front"]))}
        add, delete, suspend = _card_plan(wanted, cards.get(row["id"], {}))  # type: ignore[arg-type]
        writes.cards_added += [{"note_id": row["id"], "kind": kind, "ord": ordinal, "no": False} for kind, ordinal in add]
        writes.cards_deleted += [{"id": card_id} for card_id in delete]
        writes.cards_suspended += [{"id": card_id, "yes": True} for card_id in suspend]
        report.cards_added += len(add)
        report.cards_removed += len(delete)
        report.cards_suspended += len(suspend)
        if spec_note.progress:
            writes.flush(conn)
            report.cards_restored += _restore_progress(session, row["id"], spec_note.progress)  # type: ignore[arg-type]
    writes.flush(conn)
    report.cards_added += _insert_new(session, fresh)
    return report


def _rows_by(conn: Conn, column: str, keys: list[str]) -> dict[str, dict[str, object]]:
    """Stored notes whose ``column`` is in ``keys``, as plain rows."""
    found: dict[str, dict[str, object]] = {}
    for start in range(0, len(keys), _CHUNK):
        fragment, params = in_list("key", keys[start : start + _CHUNK])
        for row in conn.all(f"SELECT {', '.join(_STORED)} FROM note WHERE {column} IN {fragment}", **params):
            note = dict(zip(_STORED, row))
            found[note[column]] = note  # type: ignore[index]
    return found


def _card_rows(conn: Conn, note_ids: list[int]) -> dict[int, dict[tuple[str, int], tuple[int, int | None, bool]]]:
    """Each note's cards: (kind, ord) -> (id, due, suspended)."""
    cards: dict[int, dict[tuple[str, int], tuple[int, int | None, bool]]] = {}
    for start in range(0, len(note_ids), _CHUNK):
        fragment, params = in_list("note", note_ids[start : start + _CHUNK])
        for note_id, kind, ordinal, card_id, due, suspended in conn.all(
            f"SELECT note_id, kind, ord, id, due, suspended FROM card WHERE note_id IN {fragment}", **params
        ):
            cards.setdefault(note_id, {})[(kind, ordinal)] = (card_id, due, bool(suspended))
    return cards


_NOTE_COLUMNS = ("deck_id", "guid", "note_type", "reverse", "front", "back", "tags", "source", "position", "modified")
_INSERT_NOTE = f"INSERT INTO note ({', '.join(_NOTE_COLUMNS)}) VALUES ({', '.join(':' + c for c in _NOTE_COLUMNS)})"
_INSERT_CARD = (
    'INSERT INTO card (note_id, kind, ord, repetitions, easiness, "interval", due, lapses, suspended, buried_until, last_review)'
    " VALUES (:note_id, :kind, :ord, 0, 250, 0, NULL, 0, :no, NULL, NULL)"
)


def _insert_new(session: Session, fresh: list[tuple[NoteSpec, dict[str, object]]]) -> int:
    """Bulk-insert new notes and their cards: one executemany per chunk on the
    session's connection (portable SQL text, see dbapi.py) instead of one ORM
    object, or one SQLAlchemy parameter set, per row."""
    if not fresh:
        return 0
    from studycards.db import bulk

    conn = bulk(session)
    rows = [values for _, values in fresh]
    before = conn.scalar("SELECT COALESCE(MAX(id), 0) FROM note")
    for start in range(0, len(rows), _BULK):
        conn.execute_many(_INSERT_NOTE, rows[start : start + _BULK])
    # New ids come after the old maximum (SQLite rowids, PostgreSQL sequences):
    # one range read maps them back by guid; any guid not found there is looked up.
    ids: dict[str, int] = dict(conn.all("SELECT guid, id FROM note WHERE id > :before", before=before))
    missing = [row["guid"] for row in rows if row["guid"] not in ids]
    for start in range(0, len(missing), _CHUNK):
        fragment, params = in_list("guid", missing[start : start + _CHUNK])
        ids.update(conn.all(f"SELECT guid, id FROM note WHERE guid IN {fragment}", **params))
    card_rows = [
        {"note_id": ids[values["guid"]], "kind": c.kind, "ord": c.ord, "no": False}  # type: ignore[index]
        for spec_note, values in fresh
        for c in card_specs(spec_note.note_type, spec_note.reverse, spec_note.front)
    ]
    for start in range(0, len(card_rows), _BULK):
        conn.execute_many(_INSERT_CARD, card_rows[start : start + _BULK])
    return len(card_rows)


def _restore_progress(session: Session, note_id: int, progress: tuple) -> int:  # type: ignore[type-arg]
    """Give never-studied cards the state and history carried by an export.

    Cards already studied here keep their own progress: an import never
    overwrites history."""
    restored = 0
    cards = {(c.kind, c.ord): c for c in session.exec(select(Card).where(Card.note_id == note_id))}
    for entry in progress:
        card = cards.get((entry["kind"], entry["ord"]))
        if card is None or card.due is not None or card.last_review is not None:
            continue  # unknown here, or studied here already: local history wins
        if entry["due"] is None and not entry.get("reviews") and not entry["suspended"]:
            continue  # nothing to carry over
        card.repetitions, card.easiness = entry["repetitions"], entry["easiness_hundredths"]
        card.interval, card.due, card.lapses = entry["interval"], entry["due"], entry["lapses"]
        card.suspended, card.buried_until = entry["suspended"], entry["buried_until"]
        card.last_review = entry["last_review"]
        for review in entry.get("reviews", []):
            session.add(ReviewLog(card_id=card.id, **{k: review.get(k) for k in REVIEW_FIELDS}))
        restored += 1
    return restored


REVIEW_FIELDS = (
    "time", "study_day", "grade", "kind", "before_repetitions", "before_easiness", "before_interval", "before_due",
    "after_repetitions", "after_easiness", "after_interval", "after_due", "answer_ms",
)


def _note_values(spec: NoteSpec, deck_id: int | None, position: int) -> dict[str, object]:
    return {
        "deck_id": deck_id,
        "note_type": spec.note_type,
        "reverse": spec.reverse,
        "front": spec.front,
        "back": spec.back,
        "tags": _tags(spec.tags),
        "source": spec.source,
        "position": position,
    }


@dataclass(frozen=True)
class Added:
    note_id: int
    deck: str
    cards: int


def add_note(
    session: Session,
    deck_name: str,
    *,
    front: str | None,
    back: str | None,
    cloze: str | None,
    reverse: bool,
    tags: list[str],
    now_epoch: int,
) -> Added:
    """Add one note typed at the command line; a missing deck is created."""
    deck_name = deck_name.strip()
    if not deck_name:
        raise InvalidValue("the deck name is empty")
    for tag in tags:
        if not tag.strip() or any(c.isspace() for c in tag.strip()):
            raise InvalidValue(f"tag {tag!r} must be one word without spaces")
    if cloze is not None:
        if front is not None:
            raise InvalidValue("give either --cloze or --front/--back, not both")
        if reverse:
            raise InvalidValue("a cloze note cannot be reversed")
        if not cloze_ordinals(cloze):
            raise InvalidValue(f"no cloze deletion such as {{{{c1::answer}}}} in {cloze!r}")
        note_type, front, back = NOTE_CLOZE, cloze.strip(), (back or "").strip()
    else:
        if not front or not front.strip():
            raise InvalidValue("--front is missing or empty (or use --cloze)")
        if not back or not back.strip():
            raise InvalidValue("--back is missing or empty")
        note_type, front, back = NOTE_BASIC, front.strip(), back.strip()
    deck = get_or_create_deck(session, deck_name)
    last = session.exec(select(func.max(Note.position)).where(Note.deck_id == deck.id)).one()
    note = Note(
        deck_id=deck.id,
        guid=uuid.uuid4().hex,
        note_type=note_type,
        reverse=reverse,
        front=front,
        back=back,
        tags=_tags([t.strip() for t in tags]),
        source="added",
        position=0 if last is None else last + 1,
        modified=now_epoch,
    )
    session.add(note)
    session.flush()
    added, _, _ = _sync_cards(session, note, [])
    session.flush()
    return Added(note_id=note.id, deck=deck.name, cards=added)
