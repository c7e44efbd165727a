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
from dataclasses import replace

from studycards.deckfile import DeckSpec, _Lines, parse_note
from studycards.errors import InvalidFile
from studycards.importers import ImportBatch

CARD_INTS = ("ord", "repetitions", "easiness_hundredths", "interval", "lapses")
CARD_OPTIONAL_INTS = ("due", "buried_until", "last_review")
REVIEW_INTS = (
    "time", "study_day", "grade", "before_repetitions", "before_easiness", "before_interval",
    "after_repetitions", "after_easiness", "after_interval", "answer_ms",
)
REVIEW_OPTIONAL_INTS = ("before_due", "after_due")
KINDS = {"basic", "reversed", "cloze"}
REVIEW_KINDS = {"review", "drill", "cram"}


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53


def _check_card(card: object, where: str, path: str) -> dict:
    if not isinstance(card, dict):
        raise InvalidFile(path, None, f"{where}: each card must be an object")
    if card.get("kind") not in KINDS:
        raise InvalidFile(path, None, f"{where}: card 'kind' must be one of basic, reversed, cloze")
    for key in CARD_INTS:
        if not _int(card.get(key)):
            raise InvalidFile(path, None, f"{where}: card {key!r} must be a whole number")
    for key in CARD_OPTIONAL_INTS:
        if card.get(key) is not None and not _int(card.get(key)):
            raise InvalidFile(path, None, f"{where}: card {key!r} must be a whole number or null")
    if not isinstance(card.get("suspended"), bool):
        raise InvalidFile(path, None, f"{where}: card 'suspended' must be true or false")
    if not 130 <= card["easiness_hundredths"] <= 10_000:
        raise InvalidFile(path, None, f"{where}: card easiness_hundredths {card['easiness_hundredths']} is impossible")
    reviews = card.get("reviews", [])
    if not isinstance(reviews, list):
        raise InvalidFile(path, None, f"{where}: card 'reviews' must be a list")
    for review in reviews:
        if not isinstance(review, dict) or review.get("kind") not in REVIEW_KINDS:
            raise InvalidFile(path, None, f"{where}: each review needs a 'kind' of review, drill or cram")
        for key in REVIEW_INTS:
            if not _int(review.get(key)):
                raise InvalidFile(path, None, f"{where}: review {key!r} must be a whole number")
        for key in REVIEW_OPTIONAL_INTS:
            if review.get(key) is not None and not _int(review.get(key)):
                raise InvalidFile(path, None, f"{where}: review {key!r} must be a whole number or null")
        if not 0 <= review["grade"] <= 5:
            raise InvalidFile(path, None, f"{where}: review grade {review['grade']} is not 0-5")
    return card


def parse_json(text: str, path: str, deck_override: str | None = None) -> ImportBatch:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidFile(path, err.lineno, f"not valid JSON: {err.msg}")
    if not isinstance(data, dict) or data.get("format") != "studycards":
        raise InvalidFile(path, None, "not a studycards JSON export (expected \"format\": \"studycards\")")
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
            cards = raw.get("cards", [])
            if not isinstance(cards, list):
                raise InvalidFile(path, None, f"note {note.guid!r}: 'cards' must be a list")
            progress = tuple(_check_card(c, f"note {note.guid!r}", path) for c in cards)
            notes.append(replace(note, progress=progress))
        out.append(DeckSpec(name=deck_override or deck["name"].strip(), description=description.strip(), notes=tuple(notes)))
    if deck_override:
        merged = tuple(n for d in out for n in d.notes)
        out = [DeckSpec(name=deck_override, description=None, notes=merged)]
    return ImportBatch(format="studycards JSON", decks=out)
