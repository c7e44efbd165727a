"""The studycards deck file: TOML, human-editable, with line-numbered errors.

The built-in decks use this format and ``studycards import`` reads it::

    [deck]
    name = "Roles and duties"
    description = "What ML engineers and data scientists do"

    [[notes]]
    id = "roles-001"              # stable id: keep it when you edit the note
    front = "Question"
    back = "Answer"
    reverse = true                # optional: also ask back -> front
    tags = ["role", "duties"]     # optional
    source = "where it comes from"  # optional

    [[notes]]
    id = "roles-002"
    cloze = "A {{c1::data scientist}} asks which {{c2::algorithm::what?}} is best"
    back = "optional extra shown with the answer"

The whole file is validated before anything is written, and every problem is
reported as ``path:line: message``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path

from studycards.errors import InvalidDeckFile
from studycards.records import CardProgress, NoteKind, NoteTypeSpec
from studycards.render import MAX_CLOZE, cloze_ordinals, too_high_cloze

MAX_FIELD_CHARS = 100_000
MAX_ID_CHARS = 200
_NOTE_KEYS = {"id", "front", "back", "cloze", "reverse", "tags", "source"}
_DECK_KEYS = {"name", "description"}
_NOTES_HEADER = re.compile(r"^\s*\[\[\s*notes\s*\]\]")
_DECK_HEADER = re.compile(r"^\s*\[\s*deck\s*\]")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


class NoteSpec(NamedTuple):
    """One note to write. ``guid`` None means: match by deck and front;
    ``tags`` are unique, in order.

    A NamedTuple rather than a frozen dataclass: just as immutable, and
    built at C speed, which a 100,000-note import notices (70 ms)."""

    guid: str | None
    note_type: str
    front: str
    back: str
    reverse: bool = False
    tags: tuple[str, ...] = ()
    source: str = ""
    line: int | None = None
    progress: tuple[CardProgress, ...] = ()  # from a JSON export with progress
    # True when ``source`` only names the file's format ("anki text",
    # "anki: Basic"), which carries no source of its own: a note that
    # already exists keeps its stored source.
    derived_source: bool = False
    # A note with a note type of its own (NoteKind.TYPED): every field as
    # the author wrote it (HTML for Anki), in the note type's field order.
    # ``front`` and ``back`` then hold the first field and the rest as text,
    # for matching, search and listings.
    note_type_spec: NoteTypeSpec | None = None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeckSpec:
    """A deck to write; ``description`` None leaves an existing one alone."""

    name: str
    description: str | None
    notes: tuple[NoteSpec, ...]
    new_per_day: int | None = None  # the deck's own daily new-card limit, where a file carries one


class _Lines:
    """Line numbers for the [deck] table and each [[notes]] entry."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.deck = next((i + 1 for i, l in enumerate(self.lines) if _DECK_HEADER.match(l)), None)
        self.notes = [i + 1 for i, l in enumerate(self.lines) if _NOTES_HEADER.match(l)]

    def note(self, index: int) -> int | None:
        return self.notes[index] if index < len(self.notes) else None

    def key(self, start: int | None, key: str) -> int | None:
        """The line where ``key =`` is set in the table starting at ``start``."""
        if start is None:
            return None
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, len(self.lines)):
            line = self.lines[number]
            if re.match(r"^\s*\[", line):
                break
            if pattern.match(line):
                return number + 1
        return start


def _loads(text: str, path: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        found = _TOML_LINE.search(message)
        line = int(found.group(1)) if found else None
        raise InvalidDeckFile(path, line, f"not valid TOML: {_TOML_LINE.sub('', message)}")


def parse_text(text: str, path: str) -> DeckSpec:
    data = _loads(text, path)
    lines = _Lines(text)

    deck = data.get("deck")
    if not isinstance(deck, dict):
        raise InvalidDeckFile(path, 1, "missing the [deck] table with the deck's name")
    for key in deck:
        if key not in _DECK_KEYS:
            raise InvalidDeckFile(path, lines.key(lines.deck, key), f"unknown key {key!r} in [deck]")
    name = deck.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidDeckFile(path, lines.key(lines.deck, "name"), "[deck] 'name' must be a non-empty string")
    description = deck.get("description", "")
    if not isinstance(description, str):
        raise InvalidDeckFile(path, lines.key(lines.deck, "description"), "[deck] 'description' must be a string")
    unknown = set(data) - {"deck", "notes"}
    if unknown:
        raise InvalidDeckFile(path, None, f"unknown top-level key {sorted(unknown)[0]!r}")

    raw_notes = data.get("notes", [])
    if not isinstance(raw_notes, list):
        raise InvalidDeckFile(path, None, "'notes' must be a list of [[notes]] tables")
    if len(lines.notes) != len(raw_notes):
        lines.notes = []  # notes written inline: no reliable line per note
    notes = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_notes):
        line = lines.note(index)
        note = parse_note(raw, index, line, lines, path)
        if note.guid in seen:
            raise InvalidDeckFile(path, lines.key(line, "id"), f"duplicate id {note.guid!r} (first used on line {seen[note.guid]})")
        seen[note.guid] = line
        notes.append(note)
    return DeckSpec(name=name.strip(), description=description.strip(), notes=tuple(notes))


def parse_note(raw: object, index: int, line: int | None, lines: "_Lines", path: str) -> NoteSpec:
    """Validate one note given as a mapping (from TOML or JSON)."""
    if not isinstance(raw, dict):
        raise InvalidDeckFile(path, line, f"note {index + 1} must be a table")

    def fail(key: str | None, message: str) -> InvalidDeckFile:
        where = lines.key(line, key) if key else line
        label = f"note {raw.get('id')!r}" if isinstance(raw.get("id"), str) else f"note {index + 1}"
        return InvalidDeckFile(path, where, f"{label}: {message}")

    for key in raw:
        if key not in _NOTE_KEYS:
            raise fail(key, f"unknown key {key!r} (expected one of {', '.join(sorted(_NOTE_KEYS))})")

    def text(key: str, required: bool) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            raise fail(key, f"{key!r} must be a string")
        if required and not value.strip():
            raise fail(key if key in raw else None, f"{key!r} is missing or empty")
        if len(value) > MAX_FIELD_CHARS:
            raise fail(key, f"{key!r} is longer than {MAX_FIELD_CHARS} characters")
        return value.strip()

    guid = text("id", required=True)
    if len(guid) > MAX_ID_CHARS or any(c.isspace() for c in guid):
        raise fail("id", f"id must be at most {MAX_ID_CHARS} characters with no spaces")
    if "cloze" in raw:
        if "front" in raw:
            raise fail("front", "a note has either 'cloze' or 'front'/'back', not both")
        if "reverse" in raw:
            raise fail("reverse", "a cloze note cannot be reversed")
        cloze = text("cloze", required=True)
        if too_high_cloze(cloze) is not None:
            raise fail("cloze", f"cloze number c{too_high_cloze(cloze)} is too high (at most c{MAX_CLOZE})")
        if not cloze_ordinals(cloze):
            raise fail("cloze", "'cloze' has no deletion such as {{c1::answer}}")
        note_type, front, back, reverse = NoteKind.CLOZE, cloze, text("back", required=False), False
    else:
        note_type, front, back = NoteKind.BASIC, text("front", required=True), text("back", required=True)
        reverse = raw.get("reverse", False)
        if not isinstance(reverse, bool):
            raise fail("reverse", "'reverse' must be true or false")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() and not any(c.isspace() for c in t.strip()) for t in tags):
        raise fail("tags", "'tags' must be a list of words without spaces")
    return NoteSpec(
        guid=guid,
        note_type=note_type,
        front=front,
        back=back,
        reverse=reverse,
        tags=tuple(dict.fromkeys(t.strip() for t in tags)),
        source=text("source", required=False),
        line=line,
    )


def parse_one_note(text: str, path: str) -> NoteSpec | None:
    """One note given as a lone ``[[notes]]`` table (``studycards edit``);
    None when the text holds nothing but blank lines and comments."""
    data = _loads(text, path)
    if not data:
        return None
    lines = _Lines(text)
    unknown = set(data) - {"notes"}
    if unknown:
        key = sorted(unknown)[0]
        where = lines.deck if key == "deck" else lines.key(0, key)
        raise InvalidDeckFile(path, where, f"unknown top-level key {key!r}: give one [[notes]] table and nothing else")
    raw_notes = data["notes"]
    if not isinstance(raw_notes, list):
        raise InvalidDeckFile(path, lines.key(0, "notes"), "'notes' must be one [[notes]] table")
    if len(raw_notes) != 1:
        raise InvalidDeckFile(path, lines.note(1), f"give exactly one [[notes]] table, not {len(raw_notes)}")
    if len(lines.notes) != 1:
        lines.notes = []  # written inline: no reliable line
    return parse_note(raw_notes[0], 0, lines.note(0), lines, path)


def parse_file(path: Path) -> DeckSpec:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InvalidDeckFile(str(path), None, f"cannot read the file ({err.strerror})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InvalidDeckFile(str(path), line, "not UTF-8 text")
    return parse_text(text, str(path))
