"""Write decks as studycards JSON (see importers/json_file.py for the shape)."""

from __future__ import annotations

import json

from studycards.deckfile import DeckSpec
from studycards.records import NoteKind, NoteTypeSpec


def dump(decks: list[DeckSpec], with_progress: bool) -> str:
    out = []
    types: dict[NoteTypeSpec, int] = {}
    for deck in decks:
        notes = []
        for note in deck.notes:
            item: dict[str, object] = {"id": note.guid}
            if note.note_type == NoteKind.TYPED and note.note_type_spec is not None:
                item["note_type"] = types.setdefault(note.note_type_spec, len(types))
                item["fields"] = list(note.fields)
            elif note.note_type == NoteKind.CLOZE:
                item["cloze"] = note.front
                if note.back:
                    item["back"] = note.back
            else:
                item.update(front=note.front, back=note.back, reverse=note.reverse)
            item.update(tags=list(note.tags), source=note.source)
            if with_progress:
                item["cards"] = [card.to_json() for card in note.progress]
            notes.append(item)
        entry: dict[str, object] = {"name": deck.name, "description": deck.description or ""}
        if deck.new_per_day is not None:
            entry["new_per_day"] = deck.new_per_day
        entry["notes"] = notes
        out.append(entry)
    document: dict[str, object] = {"format": "studycards", "version": 1}
    if types:
        document["note_types"] = [
            {
                "name": nt.name,
                "fields": list(nt.fields),
                "templates": [{"name": t.name, "question": t.question, "answer": t.answer} for t in nt.templates],
                "cloze": nt.cloze,
                "css": nt.css,
                "html": nt.html,
                "anki_id": nt.anki_id,
            }
            for nt in types
        ]
    document["decks"] = out
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
