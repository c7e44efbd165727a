"""The studycards deck file: TOML, human-editable, with line-numbered errors.

The built-in decks use this format and ``studycards import`` reads it::

    [deck]
    name = "Roles and duties"
    description = "What ML engineers and data scientists do"
    retired = ["roles-000"]       # optional: ids of notes a release removes

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

Retired notes. A built-in deck that drops a note (merged into another, or
asked better by a new one) lists the note's id in ``retired``: the release
that ships the file deletes that note, with its cards and their review
history, from every collection that has it (``builtin.sync``); no other
note is touched. The ids are unique and none may be a note's id in the
same file. Only the built-in decks' releases act on the list:
``studycards import`` reads it and leaves the collection's notes alone.

Note types. A deck file may also define note types of its own (as Anki
packages bring them) in ``[[note_types]]`` tables: a ``name`` unique in the
file, its ``fields`` (a list of names), and its card ``templates`` (each with
a ``name``, a ``question`` and an ``answer`` in Anki's template language,
given inline or as ``[[note_types.templates]]`` tables); optionally ``cloze``
(default false), ``html`` (default true: the fields are HTML), ``css`` and
``anki_id`` (the id it had in Anki). A note names its note type with
``note_type = "NAME"`` instead of front/back/cloze/reverse, and gives its
fields, each exactly as written (HTML stays HTML), in a ``[notes.fields]``
table after its other keys; a field left out is empty::

    [[note_types]]
    name = "Zhongwen"
    fields = ["Traditional", "Simplified", "Meaning"]
    templates = [
      { name = "Card 1", question = "{{Traditional}}", answer = "{{FrontSide}}<hr id=answer>{{Meaning}}" },
    ]

    [[notes]]
    id = "zh-001"
    note_type = "Zhongwen"
    tags = ["hsk1"]

    [notes.fields]
    Traditional = "向量"
    Meaning = "vector"

Its cards are the note type's: one per template whose question shows a
non-empty field (one per deletion number for a cloze note type). ``studycards
export`` writes typed notes this way, so a deck from Anki goes out to TOML and
back in unchanged.

The whole file is validated before anything is written, and every problem is
reported as ``path:line: message``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Callable, NamedTuple
from pathlib import Path

from studycards.errors import InvalidDeckFile
from studycards.records import CardProgress, NoteKind, NoteTypeSpec, TemplateSpec
from studycards.render import MAX_CLOZE, cloze_ordinals, too_high_cloze

MAX_FIELD_CHARS = 100_000
MAX_ID_CHARS = 200
_NOTE_KEYS = {"id", "front", "back", "cloze", "reverse", "tags", "source", "note_type", "fields"}
_NOTE_TYPE_KEYS = {"name", "fields", "templates", "cloze", "html", "css", "anki_id"}
_TEMPLATE_KEYS = ("name", "question", "answer")
_DECK_KEYS = {"name", "description", "retired"}
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")

# What ``_Lines`` reads of a line: a table header ([deck], [[notes]],
# [notes.fields], ...) and the key a line sets (bare or quoted).
_HEADER = re.compile(r"^[ \t]*(\[\[?)([^\]\n]*)\]", re.MULTILINE)
_KEY_PART = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([A-Za-z0-9_-]+)")
_LINE_KEY = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")
# Tokens that change what the rest of a line is, outside a string and inside each kind of string.
_OUT_TOKEN = re.compile(r"\"\"\"|'''|\"|'|#")
_BASIC_REST = re.compile(r"(?:[^\"\\]|\\.)*\"")
_ML_BASIC_TOKEN = re.compile(r"\\.|\"{3,5}")
_ML_LITERAL_END = re.compile(r"'{3,5}")


def _scan(line: str, state: str | None) -> str | None:
    """The multi-line string (its delimiter) still open at the end of
    ``line``, starting in ``state``; a valid TOML line is assumed."""
    pos = 0
    while True:
        if state is None:
            found = _OUT_TOKEN.search(line, pos)
            if found is None or found.group() == "#":
                return None
            token, pos = found.group(), found.end()
            if token == '"':
                rest = _BASIC_REST.match(line, pos)
                if rest is None:
                    return None
                pos = rest.end()
            elif token == "'":
                end = line.find("'", pos)
                if end < 0:
                    return None
                pos = end + 1
            else:
                state = token
        elif state == '"""':
            found = _ML_BASIC_TOKEN.search(line, pos)
            while found is not None and found.group()[0] == "\\":
                found = _ML_BASIC_TOKEN.search(line, found.end())
            if found is None:
                return state
            state, pos = None, found.end()
        else:
            found = _ML_LITERAL_END.search(line, pos)
            if found is None:
                return state
            state, pos = None, found.end()


def _key_name(token: str) -> str:
    if token[0] == '"':
        try:
            return next(iter(tomllib.loads(f"{token} = 0")))
        except (tomllib.TOMLDecodeError, StopIteration):
            return token
    return token[1:-1] if token[0] == "'" else token


def _header_path(inside: str) -> tuple[str, ...]:
    return tuple(_key_name(m.group()) for m in _KEY_PART.finditer(inside))


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
    # Stable ids of notes a release of a built-in deck removes (see the
    # module docstring): unique, and none of them a note of this deck.
    retired: tuple[str, ...] = ()


class _Lines:
    """Line numbers for the [deck] table, each [[notes]] and [[note_types]]
    entry, their sub-tables ([notes.fields], [[note_types.templates]]) and
    the keys set in them. Lines inside multi-line strings (a field's HTML,
    a template) are never taken for headers or keys."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.inside: set[int] = set()  # indexes of lines that start inside a multi-line string
        if '"""' in text or "'''" in text:
            state: str | None = None
            for i, line in enumerate(self.lines):
                if state is not None:
                    self.inside.add(i)
                    if state not in line:
                        continue
                elif '"""' not in line and "'''" not in line:
                    continue
                state = _scan(line, state)
        self.headers: list[tuple[int, bool, tuple[str, ...]]] = []  # (line, is an array entry, path)
        number, at = 1, 0
        paths: dict[str, tuple[str, ...]] = {}
        for found in _HEADER.finditer(text):
            number += text.count("\n", at, found.start())
            at = found.start()
            if number - 1 not in self.inside:
                inside = found.group(2)
                path = paths.get(inside)
                if path is None:
                    path = paths[inside] = _header_path(inside)
                self.headers.append((number, found.group(1) == "[[", path))
        self.deck = next((n for n, array, path in self.headers if path == ("deck",) and not array), None)
        self.notes = [n for n, array, path in self.headers if path == ("notes",) and array]
        self.note_types = [n for n, array, path in self.headers if path == ("note_types",) and array]

    def note(self, index: int) -> int | None:
        return self.notes[index] if index < len(self.notes) else None

    def note_type(self, index: int) -> int | None:
        return self.note_types[index] if index < len(self.note_types) else None

    def sub_tables(self, start: int | None, path: tuple[str, ...]) -> list[int]:
        """The lines of the ``path`` tables that belong to the entry whose
        header is on line ``start`` (up to the next entry or top-level table)."""
        if start is None:
            return []
        out = []
        for number, _array, header in self.headers:
            if number <= start:
                continue
            if len(header) == 1:
                break
            if header == path:
                out.append(number)
        return out

    def key(self, start: int | None, key: str) -> int | None:
        """The line where ``key =`` is set in the table starting at ``start``."""
        if start is None:
            return None
        for number in range(start, len(self.lines)):
            if number in self.inside:
                continue
            line = self.lines[number]
            if re.match(r"^\s*\[", line):
                break
            found = _LINE_KEY.match(line)
            if found is not None and _key_name(found.group(1)) == key:
                return number + 1
        return start

    def fields_table(self, start: int | None) -> int | None:
        """The line of the note's [notes.fields] table, else of its ``fields`` key."""
        table = self.sub_tables(start, ("notes", "fields"))
        return table[0] if table else self.key(start, "fields")

    def field(self, start: int | None, name: str) -> int | None:
        """The line where the note starting at ``start`` sets field ``name``:
        in its [notes.fields] table, else its ``fields`` key."""
        table = self.sub_tables(start, ("notes", "fields"))
        if table:
            return self.key(table[0], name)
        return self.key(start, "fields")


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
    unknown = set(data) - {"deck", "notes", "note_types"}
    if unknown:
        raise InvalidDeckFile(path, None, f"unknown top-level key {sorted(unknown)[0]!r}")
    note_types = parse_note_types(data.get("note_types", []), lines, path)

    raw_notes = data.get("notes", [])
    if not isinstance(raw_notes, list):
        raise InvalidDeckFile(path, None, "'notes' must be a list of [[notes]] tables")
    if len(lines.notes) != len(raw_notes):
        lines.notes = []  # notes written inline: no reliable line per note
    notes = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_notes):
        line = lines.note(index)
        note = parse_note(raw, index, line, lines, path, note_types)
        if note.guid in seen:
            raise InvalidDeckFile(path, lines.key(line, "id"), f"duplicate id {note.guid!r} (first used on line {seen[note.guid]})")
        seen[note.guid] = line
        notes.append(note)
    retired = _retired(deck.get("retired", []), seen, lines, path)
    return DeckSpec(name=name.strip(), description=description.strip(), notes=tuple(notes), retired=retired)


def _retired(raw: object, notes: dict[str | None, int | None], lines: _Lines, path: str) -> tuple[str, ...]:
    """The [deck] table's ``retired`` ids, checked: a list of ids (as a
    note's), each listed once and none of them a note of the file."""
    line = lines.key(lines.deck, "retired")
    if not isinstance(raw, list) or not all(isinstance(g, str) for g in raw):
        raise InvalidDeckFile(path, line, "[deck] 'retired' must be a list of note ids")
    out: list[str] = []
    for guid in raw:
        guid = guid.strip()
        if not guid or len(guid) > MAX_ID_CHARS or any(c.isspace() for c in guid):
            raise InvalidDeckFile(path, line, f"[deck] 'retired': {guid!r} is not a note id (at most {MAX_ID_CHARS} characters, no spaces)")
        if guid in out:
            raise InvalidDeckFile(path, line, f"[deck] 'retired' lists {guid!r} twice")
        if guid in notes:
            raise InvalidDeckFile(path, line, f"[deck] 'retired' lists {guid!r}, the id of the note on line {notes[guid]}")
        out.append(guid)
    return tuple(out)


def parse_note_types(raw: object, lines: _Lines, path: str) -> dict[str, NoteTypeSpec]:
    """The file's [[note_types]] by name, each checked (names, fields and
    templates are kept exactly as written)."""
    if not isinstance(raw, list):
        raise InvalidDeckFile(path, lines.key(0, "note_types"), "'note_types' must be a list of [[note_types]] tables")
    if len(lines.note_types) != len(raw):
        lines.note_types = []  # written inline: no reliable line per note type
    out: dict[str, NoteTypeSpec] = {}
    first: dict[str, int | None] = {}
    for index, item in enumerate(raw):
        line = lines.note_type(index)
        if not isinstance(item, dict):
            raise InvalidDeckFile(path, line, f"note type {index + 1} must be a table")
        label = f"note type {item['name']!r}" if isinstance(item.get("name"), str) and item["name"].strip() else f"note type {index + 1}"

        def fail(key: str | None, message: str, where: int | None = None) -> InvalidDeckFile:
            return InvalidDeckFile(path, where if where is not None else (lines.key(line, key) if key else line), f"{label}: {message}")

        for key in item:
            if key not in _NOTE_TYPE_KEYS:
                raise fail(key, f"unknown key {key!r} (expected one of {', '.join(sorted(_NOTE_TYPE_KEYS))})")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail("name" if "name" in item else None, "'name' must be a non-empty string")
        if name in out:
            raise fail("name", f"duplicate note type name {name!r} (first used on line {first[name]})")
        fields = item.get("fields")
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            raise fail("fields" if "fields" in item else None, "'fields' must be a non-empty list of field names")
        twice = next((f for i, f in enumerate(fields) if f in fields[:i]), None)
        if twice is not None:
            raise fail("fields", f"field {twice!r} is named twice")
        templates = item.get("templates")
        if not isinstance(templates, list) or not templates:
            raise fail("templates" if "templates" in item else None, "'templates' must be a non-empty list of {name, question, answer} tables")
        tables = lines.sub_tables(line, ("note_types", "templates"))  # none when the templates are inline
        specs = []
        for t_index, template in enumerate(templates):
            where = tables[t_index] if t_index < len(tables) else lines.key(line, "templates")

            def at(key: str) -> int | None:
                return lines.key(where, key) if t_index < len(tables) else where

            if not isinstance(template, dict):
                raise fail(None, f"template {t_index + 1} must be a table with 'name', 'question' and 'answer'", where)
            for key in template:
                if key not in _TEMPLATE_KEYS:
                    raise fail(None, f"template {t_index + 1}: unknown key {key!r} (expected one of answer, name, question)", at(key))
            for key in _TEMPLATE_KEYS:
                if not isinstance(template.get(key), str):
                    raise fail(None, f"template {t_index + 1}: {key!r} must be a string", at(key) if key in template else where)
            specs.append(TemplateSpec(template["name"], template["question"], template["answer"]))
        flags = {}
        for key, default in (("cloze", False), ("html", True)):
            value = item.get(key, default)
            if not isinstance(value, bool):
                raise fail(key, f"{key!r} must be true or false")
            flags[key] = value
        css = item.get("css", "")
        if not isinstance(css, str):
            raise fail("css", "'css' must be a string")
        anki_id = item.get("anki_id")
        if anki_id is not None and (not isinstance(anki_id, int) or isinstance(anki_id, bool)):
            raise fail("anki_id", "'anki_id' must be a whole number")
        out[name] = NoteTypeSpec(
            name=name, fields=tuple(fields), templates=tuple(specs), cloze=flags["cloze"], css=css, html=flags["html"], anki_id=anki_id
        )
        first[name] = line
    return out


def parse_note(
    raw: object, index: int, line: int | None, lines: "_Lines", path: str, note_types: dict[str, NoteTypeSpec] | None = None
) -> NoteSpec:
    """Validate one note given as a mapping (from TOML or JSON); a note
    with a ``note_type`` names one of ``note_types``."""
    if not isinstance(raw, dict):
        raise InvalidDeckFile(path, line, f"note {index + 1} must be a table")

    def fail(key: str | None, message: str, at: int | None = None) -> InvalidDeckFile:
        where = at if at is not None else lines.key(line, key) if key else line
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
    nt: NoteTypeSpec | None = None
    fields: tuple[str, ...] = ()
    if "note_type" in raw:
        for key in ("front", "back", "cloze"):
            if key in raw:
                raise fail(key, f"a note with a 'note_type' has 'fields', not {key!r}")
        if "reverse" in raw:
            raise fail("reverse", "a note with a 'note_type' cannot be reversed: its note type's templates make its cards")
        nt, fields = _typed_fields(raw, line, lines, fail, note_types or {})
        from studycards.notetypes import sides  # templates and HTML: only for typed notes

        note_type, reverse = NoteKind.TYPED, False
        front, back = sides(nt, fields)
    elif "fields" in raw:
        raise fail(None, "'fields' belongs to a note with a 'note_type'", lines.fields_table(line))
    elif "cloze" in raw:
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
        note_type_spec=nt,
        fields=fields,
    )


def _typed_fields(
    raw: dict[str, object], line: int | None, lines: _Lines, fail: Callable[..., InvalidDeckFile], note_types: dict[str, NoteTypeSpec]
) -> tuple[NoteTypeSpec, tuple[str, ...]]:
    """A typed note's note type and its fields in the note type's order
    (a field left out is empty), each exactly as written."""
    name = raw["note_type"]
    if not isinstance(name, str):
        raise fail("note_type", "'note_type' must be the name of one of the file's [[note_types]]")
    nt = note_types.get(name)
    if nt is None:
        known = ", ".join(repr(n) for n in note_types)
        raise fail("note_type", f"unknown note type {name!r} ({'the file defines ' + known if known else 'the file defines no [[note_types]]'})")
    given = raw.get("fields")
    if not isinstance(given, dict):
        where = lines.fields_table(line) if "fields" in raw else None
        raise fail(None, "'fields' must be a table of the note's fields ([notes.fields] after its other keys)", where)
    for key, value in given.items():
        assert isinstance(key, str)
        if key not in nt.fields:
            raise fail(None, f"unknown field {key!r} for note type {name!r} (its fields: {', '.join(repr(f) for f in nt.fields)})", lines.field(line, key))
        if not isinstance(value, str):
            raise fail(None, f"field {key!r} must be a string", lines.field(line, key))
        if len(value) > MAX_FIELD_CHARS:
            raise fail(None, f"field {key!r} is longer than {MAX_FIELD_CHARS} characters", lines.field(line, key))
    return nt, tuple(str(given.get(f, "")) for f in nt.fields)


def parse_one_note(text: str, path: str, note_types: dict[str, NoteTypeSpec] | None = None) -> NoteSpec | None:
    """One note given as a lone ``[[notes]]`` table (``studycards edit``);
    None when the text holds nothing but blank lines and comments. A note
    with a ``note_type`` names one of ``note_types`` (the text defines none)."""
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
    return parse_note(raw_notes[0], 0, lines.note(0), lines, path, note_types)


def read_file(path: Path) -> str:
    """A deck file's text; a file that cannot be read, or is not UTF-8, is
    refused naming the file (and the line of the first bad byte)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InvalidDeckFile(str(path), None, f"cannot read the file ({err.strerror})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InvalidDeckFile(str(path), line, "not UTF-8 text")


def parse_file(path: Path) -> DeckSpec:
    return parse_text(read_file(path), str(path))
