"""Write decks as studycards JSON (see importers/json_file.py for the shape)."""

from __future__ import annotations

import json

from studycards.deckfile import DeckSpec
from studycards.records import NoteKind


def dump(decks: list[DeckSpec], with_progress: bool) -> str:
    out = []
    for deck in decks:
        notes = []
        for note in deck.notes:
            item: dict[str, object] = {"id": note.guid}
            if note.note_type == NoteKind.CLOZE:
                item["cloze"] = note.front
                if note.back:
                    item["back"] = note.back
            else:
                item.update(front=note.front, back=note.back, reverse=note.reverse)
            item.update(tags=list(note.tags), source=note.source)
            if with_progress:
                item["cards"] = [card.to_json() for card in note.progress]
            notes.append(item)
        out.append({"name": deck.name, "description": deck.description or "", "notes": notes})
    return json.dumps({"format": "studycards", "version": 1, "decks": out}, ensure_ascii=False, indent=2) + "\n"
