"""Editing one note in place (``studycards edit``).

The note is shown as a ``[[notes]]`` table of the deck-file syntax, read
back with the deck-file parser, and written over the stored note: its id,
guid, deck, position and creation time stay, and so does every card's
progress. The cards follow the same rules as an import (``notes.apply_deck``):
a card the note now makes is added, a card it no longer makes is removed if
it was never studied and suspended otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from json.encoder import encode_basestring

from studycards.deckfile import NoteSpec, _Lines, parse_one_note
from studycards.errors import InvalidFile, NotFound
from studycards.notes import _card_plan, command_line_fields
from studycards.records import NoteKind, NoteRow
from studycards.render import card_specs
from studycards.scheduler import LEECH_TAG
from studycards.store import Store

EDIT_PATH = "note.toml"  # the name errors give the edited text


@dataclass(frozen=True)
class Editable:
    """A note as it is before the edit, with what the header tells."""

    note: NoteRow
    deck: str
    cards: int


@dataclass(frozen=True)
class Edited:
    note_id: int
    changed: bool
    cards: int  # the cards the note makes now
    added: int = 0
    removed: int = 0
    suspended: int = 0


def load(store: Store, note_id: int) -> Editable:
    with store.reading():
        note = store.notes.get(note_id)
        if note is None:
            raise NotFound(f"unknown note id {note_id}")
        deck, _description = store.decks.with_ids([note.deck_id])[note.deck_id]
        cards = len(store.cards.of_notes([note_id]).get(note_id, {}))
    return Editable(note, deck, cards)


def _one_line(value: str) -> str:
    """A TOML basic string on one line (a JSON string with DEL escaped too)."""
    return encode_basestring(value).replace("\x7f", "\\u007f")


def _toml_string(value: str) -> str:
    """A TOML basic string; text with line breaks as a multi-line one, its
    closing quotes on a line of their own (sides are stored stripped, so the
    line break before them is not part of the value)."""
    if "\n" not in value:
        return _one_line(value)
    out = []
    for i, char in enumerate(value):
        if char == "\\":
            out.append("\\\\")
        elif char == '"' and value[i + 1 : i + 2] == '"':
            out.append('\\"')  # never three quotes in a row
        elif char in "\n\t":
            out.append(char)
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"""\n' + "".join(out) + '\n"""'


def render(editable: Editable) -> str:
    """The note as deck-file text, with a comment header."""
    note = editable.note
    cards = f"{editable.cards} card{'s' if editable.cards != 1 else ''}"
    lines = [
        f"# studycards: note {note.id} in deck {_one_line(editable.deck)} ({cards}).",
        "# Save and close to update the note in place: its cards keep their progress.",
        "# front/back (reverse = true adds a card asking back -> front), or cloze with an optional back.",
        "# Keep the id as it is. To abort, save an empty file or exit without saving.",
        "",
        "[[notes]]",
        f"id = {_toml_string(note.guid)}",
    ]
    if note.note_type == NoteKind.CLOZE:
        lines += [f"cloze = {_toml_string(note.front)}", f"back = {_toml_string(note.back)}"]
    else:
        lines += [f"front = {_toml_string(note.front)}", f"back = {_toml_string(note.back)}", f"reverse = {'true' if note.reverse else 'false'}"]
    lines.append(f"tags = [{', '.join(_toml_string(t) for t in dict.fromkeys(note.tags.split()))}]")
    lines.append(f"source = {_toml_string(note.source)}")
    return "\n".join(lines) + "\n"


def parse(editable: Editable, text: str) -> NoteSpec | None:
    """The edited text as a note, checked like a deck file (errors name
    ``note.toml`` and the line); None when nothing but comments is left,
    which aborts the edit."""
    spec = parse_one_note(text, EDIT_PATH)
    if spec is None:
        return None
    if spec.guid != editable.note.guid:
        line = _Lines(text).key(spec.line, "id")
        raise InvalidFile(EDIT_PATH, line, f"note {spec.guid!r}: the id cannot be changed (it is how the note is matched): keep id = {_toml_string(editable.note.guid)}")
    return spec


def from_options(
    editable: Editable,
    *,
    front: str | None,
    back: str | None,
    cloze: str | None,
    reverse: bool | None,
    tags: tuple[str, ...] | None,
) -> NoteSpec:
    """The note with the sides given on the command line replaced, checked
    like ``studycards add``. ``tags`` (when given) replace the note's tags,
    but a leech stays a leech. When the note changes kind (--cloze on a
    front/back note, --front on a cloze note), its old back is not carried
    over: give --back."""
    note = editable.note
    was_cloze = note.note_type == NoteKind.CLOZE
    to_cloze = cloze is not None or (was_cloze and front is None)
    kind_changes = to_cloze != was_cloze
    new_back = back if back is not None else ("" if kind_changes else note.back)
    if to_cloze:
        new_reverse = bool(reverse)
        note_type, new_front, new_back = command_line_fields(
            front=front, back=new_back, cloze=cloze if cloze is not None else note.front, reverse=new_reverse, tags=list(tags or ())
        )
    else:
        new_reverse = reverse if reverse is not None else (False if kind_changes else bool(note.reverse))
        note_type, new_front, new_back = command_line_fields(
            front=front if front is not None else note.front, back=new_back, cloze=None, reverse=new_reverse, tags=list(tags or ())
        )
    if tags is None:
        new_tags = tuple(dict.fromkeys(note.tags.split()))
    else:
        new_tags = tuple(dict.fromkeys(t.strip() for t in tags))
        if LEECH_TAG in note.tags.split() and LEECH_TAG not in new_tags:
            new_tags += (LEECH_TAG,)
    return NoteSpec(guid=note.guid, note_type=note_type, front=new_front, back=new_back, reverse=new_reverse, tags=new_tags, source=note.source)


def apply(store: Store, note_id: int, spec: NoteSpec, now_epoch: int) -> Edited:
    """Write ``spec`` over the note in one transaction; nothing is written
    when it says what the note already says."""
    with store.transaction():
        note = store.notes.get(note_id)
        if note is None:
            raise NotFound(f"unknown note id {note_id}")
        if spec.guid is not None and spec.guid != note.guid:
            raise InvalidFile(EDIT_PATH, spec.line, f"the id cannot be changed: keep id = {_toml_string(note.guid)}")
        reverse = spec.reverse and spec.note_type != NoteKind.CLOZE
        edited = replace(
            note,
            note_type=spec.note_type,
            reverse=reverse,
            front=spec.front,
            back=spec.back,
            tags=" ".join(spec.tags),
            source=spec.source,
        )
        wanted = {(c.kind, c.ord) for c in card_specs(spec.note_type, reverse, spec.front)}
        if _same(note, edited):
            return Edited(note_id, changed=False, cards=len(wanted))
        store.notes.update_one(replace(edited, modified=now_epoch))
        add, delete, suspend = _card_plan(wanted, store.cards.of_notes([note_id]).get(note_id, {}))
        store.cards.insert_many([(note_id, note.deck_id, kind, ordinal) for kind, ordinal in add])
        store.cards.delete_many(delete)
        store.cards.suspend_many(suspend)
    return Edited(note_id, changed=True, cards=len(wanted), added=len(add), removed=len(delete), suspended=len(suspend))


def _same(old: NoteRow, new: NoteRow) -> bool:
    return (
        old.note_type == new.note_type
        and bool(old.reverse) == bool(new.reverse)
        and old.front == new.front
        and old.back == new.back
        and tuple(dict.fromkeys(old.tags.split())) == tuple(new.tags.split())
        and old.source == new.source
    )
