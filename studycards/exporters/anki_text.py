"""Write decks as Anki's text format, so Anki imports them and, thanks to the
GUID column, updates the same notes when the file is imported again.

Fields are quoted as Anki's own text exporter quotes them (its Rust ``csv``
writer, built with ``#`` as the comment character): a field is put in double
quotes, with its quotes doubled, when it holds the separator, a double quote,
a line break (``\\n`` or ``\\r``) or a ``#`` anywhere. Anki's importer reads
a line whose first field starts with an unquoted ``#`` as a comment, so an
unquoted ``#`` would lose the note. We also quote a field with leading or
trailing whitespace (Anki does not, and reads such fields as they are), so
that no reader that trims unquoted fields can change it."""

from __future__ import annotations

import io

from studycards.deckfile import DeckSpec
from studycards.records import NoteKind

SEPARATOR = ","
HEADER = "#separator:comma\n#html:false\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
_SPECIAL = frozenset(f'{SEPARATOR}"\n\r#')


def notetype(note) -> str:  # type: ignore[no-untyped-def]
    """Anki's stock note type names, which Anki maps to its own note types."""
    if note.note_type == NoteKind.TYPED and note.note_type_spec is not None:
        return note.note_type_spec.name
    if note.note_type == NoteKind.CLOZE:
        return "Cloze"
    return "Basic (and reversed card)" if note.reverse else "Basic"


def field(value: str) -> str:
    """One field, quoted when Anki's importer could misread it otherwise."""
    if not _SPECIAL.isdisjoint(value) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


# With notes of Anki's own note types, whose fields are HTML, the file is
# HTML (our own notes' text escaped) and each row's fields come after its
# tags, however many the note type has.
TYPED_HEADER = "#separator:comma\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:4\n"


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")


def dump(decks: list[DeckSpec]) -> str:
    if any(n.note_type == NoteKind.TYPED for d in decks for n in d.notes):
        return _dump_typed(decks)
    out = io.StringIO(newline="")
    out.write(HEADER)
    for deck in decks:
        for note in deck.notes:
            row = (note.guid or "", notetype(note), deck.name, note.front, note.back, " ".join(note.tags))
            out.write(SEPARATOR.join(map(field, row)) + "\n")
    return out.getvalue()


def _dump_typed(decks: list[DeckSpec]) -> str:
    out = io.StringIO(newline="")
    out.write(TYPED_HEADER)
    for deck in decks:
        for note in deck.notes:
            if note.note_type == NoteKind.TYPED and note.note_type_spec is not None:
                nt = note.note_type_spec
                fields = list(note.fields) if nt.html else [_html(f) for f in note.fields]
                # Anki reads a number in the notetype column as a note type id: the one the note came from
                row = (note.guid or "", str(nt.anki_id) if nt.anki_id is not None else nt.name, deck.name, " ".join(note.tags), *fields)
            else:
                row = (note.guid or "", notetype(note), deck.name, " ".join(note.tags), _html(note.front), _html(note.back))
            out.write(SEPARATOR.join(map(field, row)) + "\n")
    return out.getvalue()
