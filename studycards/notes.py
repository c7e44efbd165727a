"""Writing notes and the cards they make: the one path for built-in decks,
imports and ``studycards add``.

Re-applying the same deck changes nothing (a source that only names the
imported file's format, as Anki text and packages give, does not replace the
stored source of a note that exists already); an edited note is updated in place
(matched by its stable id) and its cards keep their scheduling state. A card
the edited note no longer makes is removed if it was never studied, and
suspended otherwise, so no review history is ever dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any, Iterator

from studycards.decktree import check_name
from studycards.errors import InvalidValue
from studycards.records import CardProgress, NoteKind
from studycards.render import MAX_CLOZE, card_specs, cloze_ordinals, too_high_cloze
from studycards.scheduler import LEECH_TAG
from studycards.store import Store

if TYPE_CHECKING:
    from studycards.deckfile import DeckSpec, NoteSpec

# Positions in a stored note row (store.notes.COLUMNS order).
_ID, _DECK, _GUID, _TYPE, _REVERSE, _FRONT, _BACK, _TAGS, _SOURCE, _POSITION, _MODIFIED, _CREATED = range(12)
_COMPARED = (_DECK, _TYPE, _REVERSE, _FRONT, _BACK, _TAGS, _SOURCE)  # position alone is not an edit


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


def new_guids() -> Iterator[str]:
    """Stable ids for new notes: a random 64-bit prefix per batch and a
    counter (32 hex digits, like a uuid4's hex, at a fraction of the cost of
    one uuid4 per note in a 100,000-note import)."""
    prefix = os.urandom(8).hex()
    return (f"{prefix}{n:016x}" for n in count())


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


@dataclass
class _Writes:
    """Row changes collected while walking a deck, written in bulk."""

    notes: list[tuple[Any, ...]] = field(default_factory=list)
    moved: list[tuple[int, int]] = field(default_factory=list)
    cards_added: list[tuple[int, int, str, int]] = field(default_factory=list)
    cards_deleted: list[int] = field(default_factory=list)
    cards_suspended: list[int] = field(default_factory=list)

    def write(self, store: Store) -> None:
        store.notes.update_many(self.notes)
        store.cards.move_notes(self.moved)
        store.cards.insert_many(self.cards_added)
        store.cards.delete_many(self.cards_deleted)
        store.cards.suspend_many(self.cards_suspended)


def apply_deck(store: Store, spec: DeckSpec, now_epoch: int) -> DeckReport:
    """Insert or update every note of ``spec`` in its deck, in one
    transaction (a savepoint inside the caller's). Notes match by guid, or,
    without one, by deck and front.

    Existing notes and cards are read and compared as plain rows, and only
    what changed is written, in bulk: re-importing a large unchanged file
    reads it and writes nothing."""
    with store.transaction():
        return _apply(store, spec, now_epoch)


def _apply(store: Store, spec: DeckSpec, now_epoch: int) -> DeckReport:
    deck_id = store.decks.get_or_create(spec.name, spec.description)
    report = DeckReport(deck=spec.name)
    existing = store.notes.by_guid([n.guid for n in spec.notes if n.guid is not None])
    by_front: dict[str, tuple[Any, ...]] = {}
    if any(n.guid is None for n in spec.notes):
        by_front = {row[_FRONT]: row for row in store.notes.in_deck(deck_id)}
    cards = store.cards.of_notes([row[_ID] for row in existing.values()] + [row[_ID] for row in by_front.values()])
    fresh: list[tuple[NoteSpec, tuple[Any, ...]]] = []
    restore: list[tuple[int | str, tuple[CardProgress, ...]]] = []  # (note id, or guid of a new note)
    writes = _Writes()
    guids = new_guids()

    for position, note in enumerate(spec.notes):
        tags = " ".join(note.tags)  # NoteSpec tags are unique already
        row = existing.get(note.guid) if note.guid is not None else by_front.get(note.front)
        if row is None:
            guid = note.guid or next(guids)
            fresh.append((note, (deck_id, guid, note.note_type, note.reverse, note.front, note.back, tags, note.source, position, now_epoch, now_epoch)))
            if note.progress:
                restore.append((guid, note.progress))
            report.added += 1
            continue
        if LEECH_TAG in row[_TAGS].split() and LEECH_TAG not in tags.split():
            tags = " ".join([*tags.split(), LEECH_TAG])  # a leech stays a leech
        source = row[_SOURCE] if note.derived_source else note.source  # a format's name is not an edit
        values = (row[_ID], deck_id, row[_GUID], note.note_type, note.reverse, note.front, note.back, tags, source, position)
        changed = any(row[i] != values[i] for i in _COMPARED)
        if changed or row[_POSITION] != position:
            writes.notes.append((*values, now_epoch if changed else row[_MODIFIED], row[_CREATED]))
        if row[_DECK] != deck_id:
            writes.moved.append((row[_ID], deck_id))
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
        wanted = {(c.kind, c.ord) for c in card_specs(note.note_type, note.reverse, note.front)}
        add, delete, suspend = _card_plan(wanted, cards.get(row[_ID], {}))
        writes.cards_added += [(row[_ID], deck_id, kind, ordinal) for kind, ordinal in add]
        writes.cards_deleted += delete
        writes.cards_suspended += suspend
        report.cards_added += len(add)
        report.cards_removed += len(delete)
        report.cards_suspended += len(suspend)
        if note.progress:
            restore.append((row[_ID], note.progress))
    writes.write(store)
    if fresh:
        before = store.notes.insert_many([values for _, values in fresh])
        if any(note.note_type == NoteKind.CLOZE for note, _ in fresh):
            ids = store.notes.ids_above(before)  # cloze cards need each note's text parsed
            new_cards = [
                (ids[values[1]], deck_id, c.kind, c.ord)
                for note, values in fresh
                for c in card_specs(note.note_type, note.reverse, note.front)
            ]
            store.cards.insert_many(new_cards)
            report.cards_added += len(new_cards)
        else:
            ids = store.notes.ids_above(before) if restore else {}
            report.cards_added += store.cards.insert_for_notes_above(before)
        restore = [(ids[key] if isinstance(key, str) else key, progress) for key, progress in restore]
    if restore:
        report.cards_restored += _restore_progress(store, restore)  # type: ignore[arg-type]
    return report


def _restore_progress(store: Store, notes: list[tuple[int, tuple[CardProgress, ...]]]) -> int:
    """Give never-studied cards the state and history carried by an export.

    Cards already studied here keep their own progress: an import never
    overwrites history."""
    cards = {(note_id, kind, ordinal): (card_id, state) for note_id, card_id, kind, ordinal, state in store.cards.states_of_notes([n for n, _ in notes])}
    restored = 0
    history = []
    for note_id, progress in notes:
        for entry in progress:
            found = cards.get((note_id, entry.kind, entry.ord))
            if found is None:
                continue  # the note no longer makes this card
            card_id, state = found
            if state.due is not None or state.last_review is not None:
                continue  # studied here already: local history wins
            if not entry.carries_anything:
                continue  # nothing to carry over
            store.cards.save_state(card_id, entry.state)
            history += [(card_id, review) for review in entry.reviews]
            restored += 1
    store.reviews.insert_many(history)
    return restored


def command_line_fields(*, front: str | None, back: str | None, cloze: str | None, reverse: bool, tags: list[str]) -> tuple[NoteKind, str, str]:
    """Check a note's sides and tags as given with --front/--back/--cloze/--tag;
    returns (note type, front or cloze text, back), stripped."""
    for tag in tags:
        if not tag.strip() or any(c.isspace() for c in tag.strip()):
            raise InvalidValue(f"tag {tag!r} must be one word without spaces")
    if cloze is not None:
        if front is not None:
            raise InvalidValue("give either --cloze or --front/--back, not both")
        if reverse:
            raise InvalidValue("a cloze note cannot be reversed")
        if too_high_cloze(cloze) is not None:
            raise InvalidValue(f"cloze number c{too_high_cloze(cloze)} is too high (at most c{MAX_CLOZE})")
        if not cloze_ordinals(cloze):
            raise InvalidValue(f"no cloze deletion such as {{{{c1::answer}}}} in {cloze!r}")
        return NoteKind.CLOZE, cloze.strip(), (back or "").strip()
    if not front or not front.strip():
        raise InvalidValue("--front is missing or empty (or use --cloze)")
    if not back or not back.strip():
        raise InvalidValue("--back is missing or empty")
    return NoteKind.BASIC, front.strip(), back.strip()


@dataclass(frozen=True)
class Added:
    note_id: int
    deck: str
    card_ids: list[int]


def add_note(
    store: Store,
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
    deck_name = check_name(deck_name)
    note_type, front, back = command_line_fields(front=front, back=back, cloze=cloze, reverse=reverse, tags=tags)
    with store.transaction():
        deck_id = store.decks.get_or_create(deck_name)
        guid = next(new_guids())
        position = store.notes.next_position(deck_id)
        row = (deck_id, guid, str(note_type), reverse, front, back, _tags([t.strip() for t in tags]), "added", position, now_epoch, now_epoch)
        note_id = store.notes.ids_above(store.notes.insert_many([row]))[guid]
        specs = card_specs(note_type, reverse, front)
        store.cards.insert_many([(note_id, deck_id, c.kind, c.ord) for c in specs])
        stored_name = store.decks.with_ids([deck_id])[deck_id][0]  # the deck's own spelling
        card_ids = sorted(card_id for card_id, _, _ in store.cards.of_notes([note_id])[note_id].values())
    return Added(note_id=note_id, deck=stored_name, card_ids=card_ids)
