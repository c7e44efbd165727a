"""Write decks as an Anki package with genanki (a well-kept library that
writes the collection format current Anki imports). Note GUIDs are kept and
model and deck ids are stable, so importing the package again into Anki
updates the notes instead of duplicating them. A note that came from Anki
goes back with its own note type (id, name, fields, templates, CSS) and its
fields as they were, so Anki updates the original; a deck named ``Default``
is Anki's default deck (id 1), not a second deck beside it."""

from __future__ import annotations

import hashlib
import html
from typing import BinaryIO

from studycards.deckfile import DeckSpec
from studycards.records import CardKind, NoteKind, NoteTypeSpec


def _stable_id(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") | (1 << 30)


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _deck_id(name: str) -> int:
    return 1 if name == "Default" else _stable_id("studycards deck " + name)


def _model(nt: NoteTypeSpec, genanki):  # type: ignore[no-untyped-def]
    return genanki.Model(
        model_id=nt.anki_id if nt.anki_id is not None else _stable_id("studycards note type " + nt.name + "\x1f" + "\x1f".join(nt.fields)),
        name=nt.name,
        fields=[{"name": name} for name in nt.fields],
        templates=[{"name": t.name, "qfmt": t.question, "afmt": t.answer} for t in nt.templates],
        css=nt.css,
        model_type=genanki.Model.CLOZE if nt.cloze else genanki.Model.FRONT_BACK,
    )


def write(decks: list[DeckSpec], out: BinaryIO, media_files: list[str] | None = None) -> None:
    import genanki

    models = {CardKind.BASIC: genanki.BASIC_MODEL, CardKind.REVERSED: genanki.BASIC_AND_REVERSED_CARD_MODEL, CardKind.CLOZE: genanki.CLOZE_MODEL}
    typed_models: dict[NoteTypeSpec, object] = {}
    packaged = []
    for deck in decks:
        anki_deck = genanki.Deck(_deck_id(deck.name), deck.name, description=deck.description or "")
        for note in deck.notes:
            if note.note_type == NoteKind.TYPED and note.note_type_spec is not None:
                nt = note.note_type_spec
                if nt not in typed_models:
                    typed_models[nt] = _model(nt, genanki)
                fields = list(note.fields) if nt.html else [_html(f) for f in note.fields]
                anki_deck.add_note(genanki.Note(model=typed_models[nt], fields=fields, guid=note.guid, tags=list(note.tags)))
                continue
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
    genanki.Package(packaged, media_files=media_files or []).write_to_file(out)
