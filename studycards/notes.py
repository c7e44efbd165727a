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

import json
import os
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Any, Iterator

from studycards.decktree import check_name
from studycards.errors import InvalidValue
from studycards.records import CardProgress, NoteKind, NoteTypeSpec
from studycards.render import MAX_CLOZE, card_specs, cloze_ordinals, too_high_cloze
from studycards.scheduler import LEECH_TAG
from studycards.store import Store

if TYPE_CHECKING:
    from studycards.deckfile import DeckSpec, NoteSpec
    from studycards.notetypes import Face

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
    notes_retired: int = 0  # built-in decks: notes a release retired, with their cards
    cards_retired: int = 0


def new_guids() -> Iterator[str]:
    """Stable ids for new notes: a random 64-bit prefix per batch and a
    counter (32 hex digits, like a uuid4's hex, at a fraction of the cost of
    one uuid4 per note in a 100,000-note import)."""
    prefix = os.urandom(8).hex()
    return (f"{prefix}{n:016x}" for n in count())


def _tags(tags: tuple[str, ...] | list[str]) -> str:
    return " ".join(dict.fromkeys(tags))


# A note of our own kinds that gains its Anki note type keeps its cards (and
# their progress): its front card is the first template's, its reversed card
# the second's.
_TAKEN_OVER = {("basic", 0): ("template", 0), ("reversed", 0): ("template", 1)}


def _take_over(wanted: set[tuple[str, int]], have: dict[tuple[str, int], tuple[int, int | None, bool]]) -> list[tuple[str, int, int]]:
    """(kind, ord, card id) for cards that keep their progress under a new
    kind; ``have`` is updated to match."""
    moves = []
    for old, new in _TAKEN_OVER.items():
        if old in have and new in wanted and new not in have:
            have[new] = have.pop(old)
            moves.append((new[0], new[1], have[new][0]))
    return moves


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
    rekinded: list[tuple[str, int, int]] = field(default_factory=list)

    def write(self, store: Store) -> None:
        store.notes.update_many(self.notes)
        store.cards.set_kinds(self.rekinded)
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
    try:
        check_name(spec.name)
    except InvalidValue as err:
        raise InvalidValue(f"deck {spec.name!r} in the file: {err}") from err
    with store.transaction():
        return _apply(store, spec, now_epoch)


def _apply(store: Store, spec: DeckSpec, now_epoch: int) -> DeckReport:
    deck_id = store.decks.get_or_create(spec.name, spec.description)
    if spec.new_per_day is not None:
        store.decks.set_new_limit(deck_id, spec.new_per_day)
    report = DeckReport(deck=spec.name)
    existing = store.notes.by_guid([n.guid for n in spec.notes if n.guid is not None])
    matched: dict[int, tuple[Any, ...]] = {}  # position in the file -> stored note, for notes without a guid
    if any(n.guid is None for n in spec.notes):
        matched = _match_without_ids(spec.notes, store.notes.in_deck(deck_id))
    cards = store.cards.of_notes([row[_ID] for row in existing.values()] + [row[_ID] for row in matched.values()])
    fresh: list[tuple[NoteSpec, tuple[Any, ...]]] = []
    restore: list[tuple[int | str, tuple[CardProgress, ...]]] = []  # (note id, or guid of a new note)
    writes = _Writes()
    guids = new_guids()

    typed = _TypedNotes(store, spec.name)
    typed.load([row[_ID] for rows in (existing.values(), matched.values()) for row in rows if row[_TYPE] == NoteKind.TYPED])
    for position, note in enumerate(spec.notes):
        tags = " ".join(note.tags)  # NoteSpec tags are unique already
        row = existing.get(note.guid) if note.guid is not None else matched.get(position)
        if row is None:
            guid = note.guid or next(guids)
            fresh.append((note, (deck_id, guid, note.note_type, note.reverse, note.front, note.back, tags, note.source, position, now_epoch, now_epoch)))
            if note.progress:
                restore.append((guid, note.progress))
            report.added += 1
            continue
        note = typed.adopt(row[_ID], note)
        faces = typed.plan(row[_ID], note)
        if LEECH_TAG in row[_TAGS].split() and LEECH_TAG not in tags.split():
            tags = " ".join([*tags.split(), LEECH_TAG])  # a leech stays a leech
        source = row[_SOURCE] if note.derived_source else note.source  # a format's name is not an edit
        values = (row[_ID], deck_id, row[_GUID], note.note_type, note.reverse, note.front, note.back, tags, source, position)
        changed = any(row[i] != values[i] for i in _COMPARED) or typed.fields_changed(row[_ID])
        if changed or row[_POSITION] != position:
            writes.notes.append((*values, now_epoch if changed else row[_MODIFIED], row[_CREATED]))
        if row[_DECK] != deck_id:
            writes.moved.append((row[_ID], deck_id))
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
        if faces is None:
            wanted = {(c.kind, c.ord) for c in card_specs(note.note_type, note.reverse, note.front)}
        else:
            wanted = {(f.kind.value, f.ord) for f in faces}
            writes.rekinded += _take_over(wanted, cards.get(row[_ID], {}))
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
        if any(note.note_type in (NoteKind.CLOZE, NoteKind.TYPED) for note, _ in fresh):
            ids = store.notes.ids_above(before)  # cloze and typed cards need each note's text read
            new_cards = []
            for note, values in fresh:
                note_id = ids[values[1]]
                if note.note_type == NoteKind.TYPED:
                    new_cards += [(note_id, deck_id, f.kind.value, f.ord) for f in typed.plan(note_id, note) or ()]
                else:
                    new_cards += [(note_id, deck_id, c.kind, c.ord) for c in card_specs(note.note_type, note.reverse, note.front)]
            store.cards.insert_many(new_cards)
            report.cards_added += len(new_cards)
        else:
            ids = store.notes.ids_above(before) if restore else {}
            report.cards_added += store.cards.insert_for_notes_above(before)
        restore = [(ids[key] if isinstance(key, str) else key, progress) for key, progress in restore]
    typed.write()
    if restore:
        report.cards_restored += _restore_progress(store, restore)  # type: ignore[arg-type]
    return report


def _as_html(text: str) -> str:
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")


class _TypedNotes:
    """The typed notes of one deck being written: their note types, fields
    and rendered cards, compared with what is stored and written in bulk."""

    def __init__(self, store: Store, deck: str) -> None:
        self.store = store
        self.deck = deck
        self.type_ids: dict[NoteTypeSpec, int] = {}
        self.stored: dict[int, tuple[int, list[str]]] = {}
        self.stored_types: dict[int, NoteTypeSpec] = {}
        self.wanted_fields: dict[int, tuple[int | None, str | None]] = {}
        self.wanted_faces: dict[int, list[Face]] = {}

    def load(self, note_ids: list[int]) -> None:
        self.stored = self.store.notes.fields_of(note_ids)
        self.stored_types = self.store.note_types.with_ids([nt for nt, _ in self.stored.values()])

    def adopt(self, note_id: int, note: NoteSpec) -> NoteSpec:
        """A note read from a text file (which names no note type of its own)
        for a stored note that has one, as Anki's text export of it would be:
        it keeps its note type, and its fields take the file's values; the
        same values as stored (as text) leave the note as it is."""
        have = self.stored.get(note_id)
        if have is None or not note.derived_source:
            return note
        nt = self.stored_types[have[0]]
        stored = have[1]
        if note.note_type == NoteKind.TYPED and note.note_type_spec is not None:
            if note.note_type_spec.anki_id is not None or note.note_type_spec == nt or len(note.fields) != len(nt.fields):
                return note
            incoming = list(note.fields)
            plain = not note.note_type_spec.html
        elif len(nt.fields) >= 2 and (note.note_type == NoteKind.BASIC and not nt.cloze or note.note_type == NoteKind.CLOZE and nt.cloze):
            incoming = [note.front, note.back]  # the first two fields; the others stay
            plain = True
        else:
            return note
        from studycards.importers.html_text import to_text
        from studycards.notetypes import sides

        if plain and nt.html:
            as_text = [to_text(f)[0] for f in stored[: len(incoming)]]
            if [v.strip() for v in incoming] == [t.strip() for t in as_text]:
                incoming = list(stored[: len(incoming)])  # the same note: its HTML stays as it was
            else:
                incoming = [_as_html(v) for v in incoming]
        incoming += list(stored[len(incoming):])
        front, back = sides(nt, incoming)
        return note._replace(note_type=NoteKind.TYPED, reverse=False, front=front, back=back, note_type_spec=nt, fields=tuple(incoming))

    def plan(self, note_id: int, note: NoteSpec) -> list[Face] | None:
        """The cards a note makes if it is typed (None for our own kinds), and
        remember its fields and card texts for ``write``."""
        if note.note_type != NoteKind.TYPED or note.note_type_spec is None:
            if note_id in self.stored:
                self.wanted_fields[note_id] = (None, None)  # no longer typed
            return None
        from studycards.notetypes import encode_fields, faces  # templates and HTML: only for typed notes

        nt = note.note_type_spec
        if nt not in self.type_ids:
            self.type_ids[nt] = self.store.note_types.get_or_create(nt)
        self.wanted_fields[note_id] = (self.type_ids[nt], encode_fields(note.fields))
        found = faces(nt, note.fields, note.tags, self.deck)
        self.wanted_faces[note_id] = found
        return found

    def fields_changed(self, note_id: int) -> bool:
        want = self.wanted_fields.get(note_id)
        have = self.stored.get(note_id)
        if want is None:
            return False
        if have is None:
            return want != (None, None)
        return want[0] != have[0] or want[1] is None or json.loads(want[1]) != have[1]

    def write(self) -> None:
        changed = [(n, nt, f) for n, (nt, f) in self.wanted_fields.items() if self.fields_changed(n) or n not in self.stored and nt is not None]
        self.store.notes.set_fields_many(changed)
        if not self.wanted_faces:
            return
        texts = self.store.cards.texts_of_notes(list(self.wanted_faces))
        updates = []
        for note_id, found in self.wanted_faces.items():
            for face in found:
                card = texts.get((note_id, face.kind.value, face.ord))
                if card is not None and (card[1], card[2]) != (face.question, face.answer):
                    updates.append((card[0], face.question, face.answer))
        self.store.cards.set_text_many(updates)


def _match_without_ids(wanted: tuple[NoteSpec, ...], stored: list[tuple[Any, ...]]) -> dict[int, tuple[Any, ...]]:
    """Which stored note of the deck each note without a guid is, by its
    position in the file. In file order, a note takes a stored note with the
    same front and back (so a file with repeated fronts, as Anki imports
    them, re-imports unchanged); a note left over takes the stored note with
    its front only when that front is unique among both what is left of the
    file and what is left stored (an edited back). Anything else is new."""
    by_sides: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in stored:
        by_sides.setdefault((row[_FRONT], row[_BACK]), []).append(row)
    for rows in by_sides.values():
        rows.reverse()  # pop() takes the oldest first
    matched: dict[int, tuple[Any, ...]] = {}
    used: set[int] = set()
    left: list[int] = []
    for position, note in enumerate(wanted):
        if note.guid is not None:
            continue
        rows = by_sides.get((note.front, note.back))
        if rows:
            row = rows.pop()
            matched[position] = row
            used.add(row[_ID])
        else:
            left.append(position)
    if not left:
        return matched
    fronts_left: dict[str, list[int]] = {}
    for position in left:
        fronts_left.setdefault(wanted[position].front, []).append(position)
    stored_left: dict[str, list[tuple[Any, ...]]] = {}
    for row in stored:
        if row[_ID] not in used:
            stored_left.setdefault(row[_FRONT], []).append(row)
    for front, positions in fronts_left.items():
        rows = stored_left.get(front, [])
        if len(positions) == 1 and len(rows) == 1:
            matched[positions[0]] = rows[0]
    return matched


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
