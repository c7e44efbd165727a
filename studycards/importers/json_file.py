"""Our JSON export, read back: decks and notes, and with ``--with-progress``
each card's scheduling state and review history.

Shape (version 1)::

    {"format": "studycards", "version": 1, "decks": [
      {"name": "...", "description": "...", "notes": [
        {"id": "...", "front": "...", "back": "...", "reverse": false,
         "tags": ["..."], "source": "...",
         "cards": [{"kind": "basic", "ord": 0, "repetitions": 2,
                    "easiness_hundredths": 250, "interval": 6, "due": 20520,
                    "lapses": 0, "suspended": false, "buried_until": null,
                    "last_review": 1772445600,
                    "reviews": [{"time": ..., "study_day": ..., "grade": 4, ...}]}]}]}]}

Study days are integers (days since 1970-01-01), times are UTC epoch seconds,
so a round trip is exact. ``cards`` is present only in progress exports.
Notes with a note type of their own (from Anki) are ``{"id": ..., "note_type":
N, "fields": [...], "tags": [...], "source": ...}``, N indexing a top-level
``"note_types"`` list of ``{"name", "fields", "templates": [{"name",
"question", "answer"}], "cloze", "css", "html", "anki_id"}``.
"""

from __future__ import annotations

import json

from studycards.deckfile import DeckSpec, NoteSpec, _Lines, parse_note
from studycards.errors import InvalidFile
from studycards.importers import MAX_FIELD_CHARS, ImportBatch
from studycards.records import CardProgress, LogKind, NoteKind, NoteTypeSpec, RecordError, TemplateSpec

_EXPECTED = 'where an object with "format": "studycards", "version": 1 and "decks" is expected'


def _shape(data: object) -> str:
    """A few words on what a JSON document is, for the wrong-shape message."""
    if isinstance(data, dict):
        if "format" in data:
            return f'a JSON object with "format": {json.dumps(data["format"])[:40]}'
        keys = ", ".join(json.dumps(k)[:30] for k in list(data)[:5]) + (", ..." if len(data) > 5 else "")
        return f"a JSON object with keys {keys}" if data else "an empty JSON object"
    if isinstance(data, list):
        if not data:
            return "an empty JSON list"
        kinds = sorted({_KINDS.get(type(item), "value") for item in data})
        plural = "s" if len(data) != 1 else ""
        if len(kinds) == 1:
            return f"a JSON list of {len(data)} {kinds[0]}{plural}"
        return f"a JSON list of {len(data)} item{plural} ({', '.join(kinds)})"
    return f"a JSON {_KINDS.get(type(data), 'value')}"


_KINDS = {dict: "object", list: "list", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


def _progress(cards: object, where: str, path: str) -> tuple[CardProgress, ...]:
    """Each card's state and history, through the one codec (records.py).
    Two counted answers of one card on one study day cannot both be true
    (only the first answer of a day schedules), so such a file is refused."""
    if not isinstance(cards, list):
        raise InvalidFile(path, None, f"{where}: 'cards' must be a list")
    out = []
    for card in cards:
        try:
            progress = CardProgress.from_json(card)
        except RecordError as err:
            raise InvalidFile(path, None, f"{where}: {err}")
        days = [r.study_day for r in progress.reviews if r.kind is LogKind.REVIEW]
        if len(days) != len(set(days)):
            raise InvalidFile(path, None, f"{where}: card {progress.kind} {progress.ord} has two counted answers on one study day")
        out.append(progress)
    return tuple(out)


def parse_json(text: str, path: str, deck_override: str | None = None) -> ImportBatch:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidFile(path, err.lineno, f"not valid JSON: {err.msg}")
    if not isinstance(data, dict) or data.get("format") != "studycards":
        raise InvalidFile(path, None, f"not a studycards JSON export: {_shape(data)}, {_EXPECTED}")
    if data.get("version") != 1:
        raise InvalidFile(path, None, f"unsupported studycards JSON version {data.get('version')!r}")
    decks = data.get("decks")
    if not isinstance(decks, list):
        raise InvalidFile(path, None, "'decks' must be a list")
    note_types = _note_types(data.get("note_types", []), path)
    no_lines = _Lines("")
    out: list[DeckSpec] = []
    seen: set[str] = set()
    for d_index, deck in enumerate(decks, 1):
        if not isinstance(deck, dict) or not isinstance(deck.get("name"), str) or not deck["name"].strip():
            raise InvalidFile(path, None, f"deck {d_index}: needs a non-empty 'name'")
        description = deck.get("description", "")
        if not isinstance(description, str):
            raise InvalidFile(path, None, f"deck {deck['name']!r}: 'description' must be a string")
        limit = deck.get("new_per_day")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 9999):
            raise InvalidFile(path, None, f"deck {deck['name']!r}: 'new_per_day' must be a whole number from 0 to 9999")
        raw_notes = deck.get("notes", [])
        if not isinstance(raw_notes, list):
            raise InvalidFile(path, None, f"deck {deck['name']!r}: 'notes' must be a list")
        notes = []
        for n_index, raw in enumerate(raw_notes):
            if not isinstance(raw, dict):
                raise InvalidFile(path, None, f"deck {deck['name']!r} note {n_index + 1}: must be an object")
            if "note_type" in raw:
                note = _typed_note(raw, note_types, path, f"deck {deck['name']!r} note {n_index + 1}")
            else:
                fields = {k: v for k, v in raw.items() if k != "cards"}
                note = parse_note(fields, n_index, None, no_lines, f"{path}: deck {deck['name']!r}")
            if note.guid in seen:
                raise InvalidFile(path, None, f"duplicate note id {note.guid!r}")
            seen.add(note.guid)
            progress = _progress(raw.get("cards", []), f"note {note.guid!r}", path)
            notes.append(note._replace(progress=progress))
        out.append(DeckSpec(name=deck_override or deck["name"].strip(), description=description.strip(), notes=tuple(notes), new_per_day=limit))
    if deck_override:
        merged = tuple(n for d in out for n in d.notes)
        out = [DeckSpec(name=deck_override, description=None, notes=merged)]
    return ImportBatch(format="studycards JSON", decks=out)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _note_types(raw: object, path: str) -> list[NoteTypeSpec]:
    if not isinstance(raw, list):
        raise InvalidFile(path, None, "'note_types' must be a list")
    out = []
    for index, item in enumerate(raw):
        where = f"note type {index}"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not _strings(item.get("fields")):
            raise InvalidFile(path, None, f"{where}: needs a 'name' and a list of 'fields' names")
        templates = item.get("templates")
        if not isinstance(templates, list) or not templates or not all(
            isinstance(t, dict) and all(isinstance(t.get(k), str) for k in ("name", "question", "answer")) for t in templates
        ):
            raise InvalidFile(path, None, f"{where}: 'templates' must be a list of {{name, question, answer}}")
        anki_id = item.get("anki_id")
        if anki_id is not None and (not isinstance(anki_id, int) or isinstance(anki_id, bool)):
            raise InvalidFile(path, None, f"{where}: 'anki_id' must be a whole number or null")
        out.append(
            NoteTypeSpec(
                name=item["name"],
                fields=tuple(item["fields"]),
                templates=tuple(TemplateSpec(t["name"], t["question"], t["answer"]) for t in templates),
                cloze=bool(item.get("cloze", False)),
                css=str(item.get("css", "")),
                html=bool(item.get("html", True)),
                anki_id=anki_id,
            )
        )
    return out


def _typed_note(raw: dict, note_types: list[NoteTypeSpec], path: str, where: str) -> NoteSpec:  # type: ignore[type-arg]
    from studycards.notetypes import sides

    index = raw.get("note_type")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(note_types):
        raise InvalidFile(path, None, f"{where}: 'note_type' must be the index of an entry in 'note_types'")
    nt = note_types[index]
    guid, fields, tags, source = raw.get("id"), raw.get("fields"), raw.get("tags", []), raw.get("source", "")
    if not isinstance(guid, str) or not guid.strip():
        raise InvalidFile(path, None, f"{where}: needs an 'id'")
    if not _strings(fields) or len(fields) != len(nt.fields):  # type: ignore[arg-type]
        raise InvalidFile(path, None, f"{where}: 'fields' must be a list of {len(nt.fields)} strings (the note type's fields)")
    if any(len(f) > MAX_FIELD_CHARS for f in fields):  # type: ignore[union-attr]
        raise InvalidFile(path, None, f"{where}: a field is longer than {MAX_FIELD_CHARS} characters")
    if not _strings(tags) or any(not t.strip() or any(c.isspace() for c in t) for t in tags) or not isinstance(source, str):  # type: ignore[union-attr]
        raise InvalidFile(path, None, f"{where}: 'tags' must be a list of words and 'source' a string")
    front, back = sides(nt, fields)  # type: ignore[arg-type]
    return NoteSpec(
        guid=guid,
        note_type=NoteKind.TYPED,
        front=front,
        back=back,
        tags=tuple(dict.fromkeys(tags)),  # type: ignore[arg-type]
        source=source,
        note_type_spec=nt,
        fields=tuple(fields),  # type: ignore[arg-type]
    )
