"""Write a deck in the studycards deck file format (one deck per file).

Notes of our own kinds are written as they always were; a typed note (an
Anki note type's) is written with its note type, once per file, in
``[[note_types]]`` tables before the notes, and its fields, exactly as
stored, in a ``[notes.fields]`` table (see deckfile.py)."""

from __future__ import annotations

import re
from json.encoder import encode_basestring  # json.dumps for one string, without its per-call set-up

from studycards.deckfile import DeckSpec, NoteSpec
from studycards.errors import InvalidValue
from studycards.records import NoteKind, NoteTypeSpec

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# In a multi-line basic string: every control character but tab and line
# feed is escaped (a carriage return too: TOML readers turn CRLF into LF).
_ML_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SHORT = {"\b": "\\b", "\f": "\\f", "\r": "\\r"}
_QUOTE_BEFORE_QUOTE = re.compile(r'"(?=")')


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string once DEL is escaped too.
    return encode_basestring(value).replace("\x7f", "\\u007f")


def toml_string(value: str) -> str:
    """A TOML basic string that reads back exactly as ``value``: text with
    line breaks as a multi-line string (its first line break, right after
    the opening quotes, is not part of the value), anything else on one
    line."""
    if "\n" not in value:
        return _string(value)
    out = value.replace("\\", "\\\\")
    out = _ML_CONTROL.sub(lambda m: _SHORT.get(m.group(), f"\\u{ord(m.group()):04x}"), out)
    out = _QUOTE_BEFORE_QUOTE.sub('\\\\"', out)  # never three quotes in a row
    if out.endswith('"'):
        out = out[:-1] + '\\"'  # nor one that runs into the closing quotes
    return '"""\n' + out + '"""'


def toml_key(name: str) -> str:
    """A key: bare when TOML allows it, else quoted."""
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _names(deck: DeckSpec) -> dict[NoteTypeSpec, str]:
    """The note types the deck's typed notes use, in first-use order, each
    with a name unique in the file (a second note type of the same name is
    called "NAME (2)")."""
    names: dict[NoteTypeSpec, str] = {}
    taken: set[str] = set()
    for note in deck.notes:
        nt = note.note_type_spec
        if note.note_type != NoteKind.TYPED or nt is None or nt in names:
            continue
        name, n = nt.name, 1
        while name in taken:
            n += 1
            name = f"{nt.name} ({n})"
        taken.add(name)
        names[nt] = name
    return names


def _note_type(nt: NoteTypeSpec, name: str) -> list[str]:
    if len(set(nt.fields)) != len(nt.fields):
        twice = next(f for i, f in enumerate(nt.fields) if f in nt.fields[:i])
        raise InvalidValue(f"note type {nt.name!r} has two fields named {twice!r}, which a TOML deck file cannot hold: use --format json or apkg")
    lines = [
        "",
        "[[note_types]]",
        f"name = {_string(name)}",
        f"fields = [{', '.join(_string(f) for f in nt.fields)}]",
        f"cloze = {'true' if nt.cloze else 'false'}",
        f"html = {'true' if nt.html else 'false'}",
    ]
    if nt.anki_id is not None:
        lines.append(f"anki_id = {nt.anki_id}")
    if nt.css:
        lines.append(f"css = {toml_string(nt.css)}")
    if not any("\n" in value for t in nt.templates for value in (t.name, t.question, t.answer)):
        lines.append("templates = [")  # one line each, as in the deck file's documentation
        lines += [f"  {{ name = {_string(t.name)}, question = {_string(t.question)}, answer = {_string(t.answer)} }}," for t in nt.templates]
        return lines + ["]"]
    for template in nt.templates:  # templates with line breaks: a table each, its strings multi-line
        lines += [
            "",
            "[[note_types.templates]]",
            f"name = {toml_string(template.name)}",
            f"question = {toml_string(template.question)}",
            f"answer = {toml_string(template.answer)}",
        ]
    return lines


def typed_fields(nt: NoteTypeSpec, fields: tuple[str, ...] | list[str]) -> list[str]:
    """A typed note's ``[notes.fields]`` table: every field, in order."""
    values = list(fields) + [""] * (len(nt.fields) - len(fields))
    return ["", "[notes.fields]", *(f"{toml_key(name)} = {toml_string(value)}" for name, value in zip(nt.fields, values))]


def _typed_note(note: NoteSpec, name: str) -> list[str]:
    assert note.note_type_spec is not None
    lines = ["", "[[notes]]", f"id = {_string(note.guid or '')}", f"note_type = {_string(name)}"]
    if note.tags:
        lines.append(f"tags = [{', '.join(_string(t) for t in note.tags)}]")
    if note.source:
        lines.append(f"source = {_string(note.source)}")
    return lines + typed_fields(note.note_type_spec, note.fields)


def dump(deck: DeckSpec) -> str:
    lines = ["[deck]", f"name = {_string(deck.name)}", f"description = {_string(deck.description or '')}"]
    names = _names(deck)
    for nt, name in names.items():
        lines += _note_type(nt, name)
    for note in deck.notes:
        if note.note_type == NoteKind.TYPED and note.note_type_spec is not None:
            lines += _typed_note(note, names[note.note_type_spec])
            continue
        lines += ["", "[[notes]]", f"id = {_string(note.guid or '')}"]
        if note.note_type == NoteKind.CLOZE:
            lines.append(f"cloze = {_string(note.front)}")
            if note.back:
                lines.append(f"back = {_string(note.back)}")
        else:
            lines += [f"front = {_string(note.front)}", f"back = {_string(note.back)}"]
            if note.reverse:
                lines.append("reverse = true")
        if note.tags:
            lines.append(f"tags = [{', '.join(_string(t) for t in note.tags)}]")
        if note.source:
            lines.append(f"source = {_string(note.source)}")
    return "\n".join(lines) + "\n"
