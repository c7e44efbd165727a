"""Writing notes and the cards they make: the one path for built-in decks,
imports and ``studycards add``.

Re-applying the same deck changes nothing; an edited note is updated in place
(matched by its stable id) and its cards keep their scheduling state. A card
the edited note no longer makes is removed if it was never studied, and
suspended otherwise, so no review history is ever dropped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

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


def _sync_cards(session: Session, note: Note, existing: list[Card]) -> tuple[int, int, int]:
    """Make the note's cards match what its content generates."""
    wanted = {(s.kind, s.ord) for s in card_specs(note.note_type, note.reverse, note.front)}
    have = {(c.kind, c.ord): c for c in existing}
    added = removed = suspended = 0
    for kind, ordinal in sorted(wanted - set(have)):
        session.add(Card(note_id=note.id, kind=kind, ord=ordinal))
        added += 1
    for key in set(have) - wanted:
        card = have[key]
        if card.due is None:
            session.delete(card)
            removed += 1
        elif not card.suspended:
            card.suspended = True
            suspended += 1
    return added, removed, suspended


def apply_deck(session: Session, spec: DeckSpec, now_epoch: int) -> DeckReport:
    """Insert or update every note of ``spec`` in its deck (inside the caller's
    transaction). Notes match by guid, or, without one, by deck and front."""
    deck = get_or_create_deck(session, spec.name, spec.description)
    report = DeckReport(deck=spec.name)
    existing = _existing_by_guid(session, [n.guid for n in spec.notes if n.guid is not None])
    by_front: dict[str, Note] = {}
    if any(n.guid is None for n in spec.notes):
        by_front = {n.front: n for n in session.exec(select(Note).where(Note.deck_id == deck.id))}
    cards = _cards_of(session, [n.id for n in existing.values()] + [n.id for n in by_front.values()])
    fresh: list[tuple[NoteSpec, dict[str, object]]] = []  # new notes, written in bulk below

    for position, spec_note in enumerate(spec.notes):
        values = _note_values(spec_note, deck.id, position)
        note = existing.get(spec_note.guid) if spec_note.guid is not None else by_front.get(spec_note.front)
        if note is None and not spec_note.progress:
            fresh.append((spec_note, {"guid": spec_note.guid or uuid.uuid4().hex, "modified": now_epoch, **values}))
            report.added += 1
            continue
        if note is None:
            note = Note(guid=spec_note.guid or uuid.uuid4().hex, modified=now_epoch, **values)
            session.add(note)
            session.flush()
            report.added += 1
        else:
            if LEECH_TAG in note.tags.split() and LEECH_TAG not in values["tags"].split():
                values["tags"] = " ".join([*values["tags"].split(), LEECH_TAG])  # a leech stays a leech
            changed = any(getattr(note, k) != v for k, v in values.items() if k != "position")
            for k, v in values.items():
                setattr(note, k, v)
            if changed:
                note.modified = now_epoch
                report.updated += 1
            else:
                report.unchanged += 1
        added, removed, suspended = _sync_cards(session, note, cards.get(note.id, []))
        report.cards_added += added
        report.cards_removed += removed
        report.cards_suspended += suspended
        if spec_note.progress:
            session.flush()
            report.cards_restored += _restore_progress(session, note, spec_note.progress)
    session.flush()
    report.cards_added += _insert_new(session, fresh)
    return report


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
    from studycards.dbapi import in_list

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


def _existing_by_guid(session: Session, guids: list[str]) -> dict[str, Note]:
    found: dict[str, Note] = {}
    for start in range(0, len(guids), _CHUNK):
        chunk = guids[start : start + _CHUNK]
        found.update({n.guid: n for n in session.exec(select(Note).where(col(Note.guid).in_(chunk)))})
    return found


def _cards_of(session: Session, note_ids: list[int]) -> dict[int, list[Card]]:
    cards: dict[int, list[Card]] = {}
    for start in range(0, len(note_ids), _CHUNK):
        chunk = note_ids[start : start + _CHUNK]
        for card in session.exec(select(Card).where(col(Card.note_id).in_(chunk))):
            cards.setdefault(card.note_id, []).append(card)
    return cards


def _restore_progress(session: Session, note: Note, progress: tuple) -> int:
    """Give never-studied cards the state and history carried by an export.

    Cards already studied here keep their own progress: an import never
    overwrites history."""
    restored = 0
    cards = {(c.kind, c.ord): c for c in session.exec(select(Card).where(Card.note_id == note.id))}
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
