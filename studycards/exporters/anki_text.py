"""Write decks as Anki's text format, so Anki imports them and, thanks to the
GUID column, updates the same notes when the file is imported again."""

from __future__ import annotations

import csv
import io

from studycards.deckfile import DeckSpec
from studycards.records import NoteKind

HEADER = "#separator:comma\n#html:false\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"


def notetype(note) -> str:  # type: ignore[no-untyped-def]
    """Anki's stock note type names, which Anki maps to its own note types."""
    if note.note_type == NoteKind.CLOZE:
        return "Cloze"
    return "Basic (and reversed card)" if note.reverse else "Basic"


def dump(decks: list[DeckSpec]) -> str:
    out = io.StringIO(newline="")
    out.write(HEADER)
    writer = csv.writer(out, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    for deck in decks:
        for note in deck.notes:
            writer.writerow([note.guid, notetype(note), deck.name, note.front, note.back, " ".join(note.tags)])
    return out.getvalue()
