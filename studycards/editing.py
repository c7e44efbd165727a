"""Editing one note in place (``studycards edit``).

The note is shown as a ``[[notes]]`` table of the deck-file syntax, read
back with the deck-file parser, and written over the stored note: its id,
guid, deck, position and creation time stay, and so does every card's
progress. The cards follow the same rules as an import (``notes.apply_deck``):
a card the note now makes is added, a card it no longer makes is removed if
it was never studied and suspended otherwise.

A typed note (with a note type of its own, from Anki) is shown with its
``note_type`` (a reference only: the note type is not edited here) and every
field in a ``[notes.fields]`` table; its cards are rendered again from the
note type's templates, through the same helpers an import uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from json.encoder import encode_basestring

from studycards.deckfile import NoteSpec, _Lines, _loads, parse_one_note
from studycards.errors import InvalidFile, InvalidValue, NotFound
from studycards.notes import _as_html, _card_plan, _take_over, _TypedNotes, command_line_fields
from studycards.records import NoteKind, NoteRow, NoteTypeSpec
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
    # A typed note's note type and every field (padded to its field count).
    note_type: NoteTypeSpec | None = None
    fields: tuple[str, ...] = ()


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
        typed = store.notes.fields_of([note_id]) if note.note_type == NoteKind.TYPED else {}
        if note_id not in typed:
            return Editable(note, deck, cards)
        nt_id, fields = typed[note_id]
        nt = store.note_types.with_ids([nt_id])[nt_id]
    padded = (list(fields) + [""] * len(nt.fields))[: max(len(nt.fields), len(fields))]
    return Editable(note, deck, cards, nt, tuple(padded))


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
    if editable.note_type is not None:
        return _render_typed(editable, cards)
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


def _comment_list(intro: str, names: list[str], width: int = 78) -> list[str]:
    """``# intro a, b, c.`` wrapped into comment lines."""
    lines, line = [], f"# {intro}"
    for i, name in enumerate(names):
        item = name + ("," if i < len(names) - 1 else ".")
        if len(line) + 1 + len(item) > width and line.strip("# "):
            lines.append(line)
            line = "#  "
        line += " " + item
    return lines + [line]


def _render_typed(editable: Editable, cards: str) -> str:
    from studycards.exporters.toml_file import typed_fields

    note, nt = editable.note, editable.note_type
    assert nt is not None
    kind = "HTML, as Anki keeps them" if nt.html else "plain text, kept exactly"
    lines = [
        f"# studycards: note {note.id} in deck {_one_line(editable.deck)} ({cards}).",
        "# Save and close to update the note in place: its cards keep their progress.",
        f"# Its note type {_one_line(nt.name)} makes its cards from the note type's templates;",
        "# the note type itself is not edited here: keep note_type as it is.",
        *_comment_list(f"Fields ({kind}; one left out is empty):", [_one_line(f) for f in nt.fields]),
        "# Keep the id as it is. To abort, save an empty file or exit without saving.",
        "",
        "[[notes]]",
        f"id = {_toml_string(note.guid)}",
        f"note_type = {_one_line(nt.name)}  # read-only: the note's note type",
        f"tags = [{', '.join(_toml_string(t) for t in dict.fromkeys(note.tags.split()))}]",
        f"source = {_toml_string(note.source)}",
        *typed_fields(nt, editable.fields),
    ]
    return "\n".join(lines) + "\n"


def _check_note_type(editable: Editable, text: str) -> None:
    """Refuse an edit that gives the note another note type, or takes its
    note type away, or gives a front/back or cloze note one."""
    data = _loads(text, EDIT_PATH)
    raw_notes = data.get("notes")
    if not isinstance(raw_notes, list) or len(raw_notes) != 1 or not isinstance(raw_notes[0], dict) or set(data) - {"notes"}:
        return  # the parser says what is wrong
    raw = raw_notes[0]
    lines = _Lines(text)
    line = lines.note(0) if len(lines.notes) == 1 else None
    label = f"note {raw.get('id')!r}" if isinstance(raw.get("id"), str) else "the note"
    nt = editable.note_type
    if nt is None:
        if "note_type" in raw or "fields" in raw:
            key = "note_type" if "note_type" in raw else "fields"
            raise InvalidFile(EDIT_PATH, lines.key(line, key), f"{label}: a front/back or cloze note cannot be given a note type here (use front/back or cloze)")
        return
    keep = f"keep note_type = {_one_line(nt.name)}"
    if "note_type" not in raw:
        raise InvalidFile(EDIT_PATH, line, f"{label}: the note's note type cannot be taken away here: {keep} and edit its [notes.fields]")
    if raw["note_type"] != nt.name:
        raise InvalidFile(EDIT_PATH, lines.key(line, "note_type"), f"{label}: the note type cannot be changed here: {keep}")


def parse(editable: Editable, text: str) -> NoteSpec | None:
    """The edited text as a note, checked like a deck file (errors name
    ``note.toml`` and the line); None when nothing but comments is left,
    which aborts the edit. A typed note is read with its stored note type,
    which the edit cannot change."""
    _check_note_type(editable, text)
    nt = editable.note_type
    spec = parse_one_note(text, EDIT_PATH, {nt.name: nt} if nt is not None else None)
    if spec is None:
        return None
    if spec.guid != editable.note.guid:
        line = _Lines(text).key(spec.line, "id")
        raise InvalidFile(EDIT_PATH, line, f"note {spec.guid!r}: the id cannot be changed (it is how the note is matched): keep id = {_toml_string(editable.note.guid)}")
    if nt is not None and not _faces(editable, spec):
        line = _Lines(text).sub_tables(spec.line, ("notes", "fields"))
        raise InvalidFile(EDIT_PATH, line[0] if line else spec.line, f"note {spec.guid!r}: {_NO_CARDS}")
    return spec


_NO_CARDS = "the note would make no cards: every card's question would be empty (fill in a field its questions show)"


def _faces(editable: Editable, spec: NoteSpec) -> list:  # type: ignore[type-arg]
    from studycards.notetypes import faces

    assert spec.note_type_spec is not None
    return faces(spec.note_type_spec, spec.fields, spec.tags, editable.deck)


def _new_field(nt: NoteTypeSpec, stored: str, value: str) -> str:
    """A field given on the command line (text): the stored field when it
    says the same, else the text (as HTML when the note type's fields are)."""
    from studycards.importers.html_text import to_text

    value = value.strip()
    if nt.html:
        return stored if to_text(stored)[0].strip() == value else _as_html(value)
    return stored if stored.strip() == value else value


def _typed_from_options(
    editable: Editable, *, front: str | None, back: str | None, cloze: str | None, reverse: bool | None, tags: tuple[str, ...] | None
) -> NoteSpec:
    from studycards.notetypes import sides

    note, nt = editable.note, editable.note_type
    assert nt is not None
    what = f"note {note.id} has the note type {nt.name!r}, whose templates make its cards"
    if cloze is not None:
        raise InvalidValue(f"--cloze is for front/back and cloze notes: {what} (edit its fields with `studycards edit {note.id}`)")
    if reverse:
        raise InvalidValue(f"--reverse is for front/back notes: {what}")
    fields = list(editable.fields)
    for option, value, index in (("--front", front, 0), ("--back", back, 1)):
        if value is None:
            continue
        if not value.strip():
            raise InvalidValue(f"{option} is missing or empty")
        if index >= len(nt.fields):
            raise InvalidValue(f"{option} sets field {index + 1}, but the note type {nt.name!r} has {len(nt.fields)} field{'s' if len(nt.fields) != 1 else ''}")
        fields[index] = _new_field(nt, fields[index], value)
    if tags is None:
        new_tags = tuple(dict.fromkeys(note.tags.split()))
    else:
        for tag in tags:
            if not tag.strip() or any(c.isspace() for c in tag.strip()):
                raise InvalidValue(f"tag {tag!r} must be one word without spaces")
        new_tags = tuple(dict.fromkeys(t.strip() for t in tags))
        if LEECH_TAG in note.tags.split() and LEECH_TAG not in new_tags:
            new_tags += (LEECH_TAG,)
    new_front, new_back = sides(nt, fields)
    spec = NoteSpec(
        guid=note.guid, note_type=NoteKind.TYPED, front=new_front, back=new_back, tags=new_tags, source=note.source,
        note_type_spec=nt, fields=tuple(fields),
    )
    if not _faces(editable, spec):
        raise InvalidValue(f"note {note.id}: {_NO_CARDS}")
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
    over: give --back.

    On a typed note --front and --back set its first and second field (as
    text), --tag its tags; --cloze and --reverse do not apply."""
    if editable.note_type is not None:
        return _typed_from_options(editable, front=front, back=back, cloze=cloze, reverse=reverse, tags=tags)
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
        if note.note_type == NoteKind.TYPED or spec.note_type == NoteKind.TYPED:
            return _apply_typed(store, note, spec, now_epoch)
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


def _apply_typed(store: Store, note: NoteRow, spec: NoteSpec, now_epoch: int) -> Edited:
    """Write a typed note's fields, tags and source over it (inside the
    caller's transaction), its cards rendered again from its note type as
    an import renders them (``notes._TypedNotes``)."""
    if note.note_type != NoteKind.TYPED or spec.note_type != NoteKind.TYPED or spec.note_type_spec is None:
        raise InvalidValue(f"note {note.id}: an edit cannot give a note a note type or take its note type away")
    deck = store.decks.with_ids([note.deck_id])[note.deck_id][0]
    typed = _TypedNotes(store, deck)
    typed.load([note.id])
    stored = typed.stored.get(note.id)
    if stored is not None and typed.stored_types[stored[0]] != spec.note_type_spec:
        raise InvalidValue(f"note {note.id}: the note type cannot be changed here")
    found = typed.plan(note.id, spec) or []
    wanted = {(f.kind.value, f.ord) for f in found}
    edited = replace(note, reverse=False, front=spec.front, back=spec.back, tags=" ".join(spec.tags), source=spec.source)
    if _same(note, edited) and not typed.fields_changed(note.id):
        return Edited(note.id, changed=False, cards=len(wanted))
    store.notes.update_one(replace(edited, modified=now_epoch))
    have = store.cards.of_notes([note.id]).get(note.id, {})
    store.cards.set_kinds(_take_over(wanted, have))
    add, delete, suspend = _card_plan(wanted, have)
    store.cards.insert_many([(note.id, note.deck_id, kind, ordinal) for kind, ordinal in add])
    store.cards.delete_many(delete)
    store.cards.suspend_many(suspend)
    typed.write()  # the fields, and every card's question and answer (new cards' too)
    return Edited(note.id, changed=True, cards=len(wanted), added=len(add), removed=len(delete), suspended=len(suspend))


def _same(old: NoteRow, new: NoteRow) -> bool:
    return (
        old.note_type == new.note_type
        and bool(old.reverse) == bool(new.reverse)
        and old.front == new.front
        and old.back == new.back
        and tuple(dict.fromkeys(old.tags.split())) == tuple(new.tags.split())
        and old.source == new.source
    )
