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
"""

from __future__ import annotations

import json

from studycards.deckfile import DeckSpec, _Lines, parse_note
from studycards.errors import InvalidFile
from studycards.importers import ImportBatch
from studycards.records import CardProgress, LogKind, RecordError

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
    no_lines = _Lines("")
    out: list[DeckSpec] = []
    seen: set[str] = set()
    for d_index, deck in enumerate(decks, 1):
        if not isinstance(deck, dict) or not isinstance(deck.get("name"), str) or not deck["name"].strip():
            raise InvalidFile(path, None, f"deck {d_index}: needs a non-empty 'name'")
        description = deck.get("description", "")
        if not isinstance(description, str):
            raise InvalidFile(path, None, f"deck {deck['name']!r}: 'description' must be a string")
        raw_notes = deck.get("notes", [])
        if not isinstance(raw_notes, list):
            raise InvalidFile(path, None, f"deck {deck['name']!r}: 'notes' must be a list")
        notes = []
        for n_index, raw in enumerate(raw_notes):
            if not isinstance(raw, dict):
                raise InvalidFile(path, None, f"deck {deck['name']!r} note {n_index + 1}: must be an object")
            fields = {k: v for k, v in raw.items() if k != "cards"}
            note = parse_note(fields, n_index, None, no_lines, f"{path}: deck {deck['name']!r}")
            if note.guid in seen:
                raise InvalidFile(path, None, f"duplicate note id {note.guid!r}")
            seen.add(note.guid)
            progress = _progress(raw.get("cards", []), f"note {note.guid!r}", path)
            notes.append(note._replace(progress=progress))
        out.append(DeckSpec(name=deck_override or deck["name"].strip(), description=description.strip(), notes=tuple(notes)))
    if deck_override:
        merged = tuple(n for d in out for n in d.notes)
        out = [DeckSpec(name=deck_override, description=None, notes=merged)]
    return ImportBatch(format="studycards JSON", decks=out)
