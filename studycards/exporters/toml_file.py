"""Write a deck in the studycards deck file format (one deck per file)."""

from __future__ import annotations

from json.encoder import encode_basestring  # json.dumps for one string, without its per-call set-up

from studycards.deckfile import DeckSpec
from studycards.records import NoteKind


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string once DEL is escaped too.
    return encode_basestring(value).replace("\x7f", "\\u007f")


def dump(deck: DeckSpec) -> str:
    lines = ["[deck]", f"name = {_string(deck.name)}", f"description = {_string(deck.description or '')}"]
    for note in deck.notes:
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
