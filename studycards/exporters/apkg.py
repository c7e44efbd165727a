"""Write decks as an Anki package with genanki (a well-kept library that
writes the collection format current Anki imports). Note GUIDs are ours and
model and deck ids are derived from stable names, so importing the package
again into Anki updates the notes instead of duplicating them."""

from __future__ import annotations

import hashlib
import html
from typing import BinaryIO

from studycards.deckfile import DeckSpec
from studycards.records import CardKind, NoteKind


def _stable_id(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") | (1 << 30)


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def write(decks: list[DeckSpec], out: BinaryIO) -> None:
    import genanki

    models = {CardKind.BASIC: genanki.BASIC_MODEL, CardKind.REVERSED: genanki.BASIC_AND_REVERSED_CARD_MODEL, CardKind.CLOZE: genanki.CLOZE_MODEL}
    packaged = []
    for deck in decks:
        anki_deck = genanki.Deck(_stable_id("studycards deck " + deck.name), deck.name, description=deck.description or "")
        for note in deck.notes:
            kind = CardKind.CLOZE if note.note_type == NoteKind.CLOZE else (CardKind.REVERSED if note.reverse else CardKind.BASIC)
            anki_deck.add_note(
                genanki.Note(
                    model=models[kind],
                    fields=[_html(note.front), _html(note.back)],
                    guid=note.guid,
                    tags=list(note.tags),
                )
            )
        packaged.append(anki_deck)
    genanki.Package(packaged).write_to_file(out)
