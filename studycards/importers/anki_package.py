"""Anki packages (.apkg, .colpkg), read with zipfile (the collection's
rows through store/anki_collection.py).

A package holds a collection as ``collection.anki21b`` (schema 18, zstd
compressed, written by current Anki), ``collection.anki21`` or
``collection.anki2`` (legacy schema 11). Current Anki also writes a dummy
``collection.anki2`` that only says "Please update to the latest Anki
version", so the newest collection present is always the one read.

The package is untrusted: nothing is extracted by its own names, every entry
is read through a byte limit (zip and zstd bombs stop there), and the
collection is opened read-only. Anki's own scheduling and review history are
not imported: its intervals come from a different algorithm, so every card
starts new here (the notes, decks, tags and GUIDs are kept).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

from studycards.deckfile import DeckSpec, NoteSpec
from studycards.errors import InvalidFile
from studycards.importers import MAX_FIELD_CHARS, ImportBatch, html_text
from studycards.records import NoteKind
from studycards.render import cloze_ordinals
from studycards.store.anki_collection import AnkiCollection, ForeignFileError, open_anki_collection

MAX_COLLECTION_BYTES = 2 * 1024**3  # uncompressed; anything larger is refused
_ORDER = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CHUNK = 1 << 20


def parse_package(path: Path, deck_override: str | None = None) -> ImportBatch:
    label = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise InvalidFile(label, None, f"not an Anki package: {err}")
    with archive, tempfile.TemporaryDirectory(prefix="studycards-") as tmp:
        names = set(archive.namelist())
        entry = next((n for n in _ORDER if n in names), None)
        if entry is None:
            raise InvalidFile(label, None, "not an Anki package: no collection.anki21b, collection.anki21 or collection.anki2 inside")
        target = Path(tmp) / "collection.db"
        _extract(archive, entry, target, label)
        media = sum(1 for n in names if n.isdigit())
        batch = _read_collection(target, f"{label}: {entry}", deck_override)
        batch.format = f"Anki package ({entry})"
        if media:
            batch.media_skipped = media  # the files themselves; references to them were counted too
        return batch


def _extract(archive: zipfile.ZipFile, entry: str, target: Path, label: str) -> None:
    """Copy one entry to ``target`` (zstd-decompressing anki21b), never past the limit."""
    where = f"{label}: {entry}"
    try:
        with archive.open(entry) as source, open(target, "wb") as out:
            if entry.endswith("anki21b"):
                import zstandard

                reader = zstandard.ZstdDecompressor().stream_reader(source)
                _copy_limited(reader, out, where)
            else:
                _copy_limited(source, out, where)
    except InvalidFile:
        raise
    except Exception as err:  # zipfile, zlib and zstd report corruption in many ways
        raise InvalidFile(where, None, f"cannot be read: {err}")


def _copy_limited(source, out, where: str) -> None:  # type: ignore[no-untyped-def]
    total = 0
    while True:
        chunk = source.read(_CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if total > MAX_COLLECTION_BYTES:
            raise InvalidFile(where, None, f"unpacks to more than {MAX_COLLECTION_BYTES // 1024**2} MiB; refusing it")
        out.write(chunk)


def _read_collection(db_path: Path, where: str, deck_override: str | None) -> ImportBatch:
    try:
        with open_anki_collection(db_path) as col:
            tables = col.tables()
            if not {"notes", "cards", "col"} <= tables:
                raise InvalidFile(where, None, "not a valid Anki collection (missing notes, cards or col table)")
            if "notetypes" in tables:
                kinds, names, decks = _schema18(col)
            else:
                kinds, names, decks = _schema11(col, where)
            return _notes(col, kinds, names, decks, where, deck_override)
    except ForeignFileError as err:
        raise InvalidFile(where, None, f"not a valid Anki collection ({err})")


def _varint_field(blob: bytes, wanted: int) -> int:
    """Value of varint field ``wanted`` in a protobuf message (0 if absent)."""
    i, n = 0, len(blob)

    def varint() -> int:
        nonlocal i
        value = shift = 0
        while i < n:
            byte = blob[i]
            i += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        raise ValueError("truncated varint")

    try:
        while i < n:
            key = varint()
            number, wire = key >> 3, key & 7
            if wire == 0:
                value = varint()
                if number == wanted:
                    return value
            elif wire == 2:
                i += varint()
            elif wire == 1:
                i += 8
            elif wire == 5:
                i += 4
            else:
                return 0
    except ValueError:
        return 0
    return 0


def _schema18(col: AnkiCollection):  # type: ignore[no-untyped-def]
    kinds, names = {}, {}
    for ntid, name, config in col.note_types():
        kinds[ntid] = "cloze" if _varint_field(config, 1) == 1 else "normal"
        names[ntid] = name
    decks = {did: name.replace("\x1f", "::") for did, name in col.decks()}
    return kinds, names, decks


def _schema11(col: AnkiCollection, where: str):  # type: ignore[no-untyped-def]
    row = col.legacy_models_and_decks()
    try:
        models = json.loads(row[0]) if row else {}
        deck_rows = json.loads(row[1]) if row else {}
        kinds = {int(k): "cloze" if v.get("type") == 1 else "normal" for k, v in models.items()}
        names = {int(k): str(v.get("name", "")) for k, v in models.items()}
        decks = {int(k): str(v.get("name", "")) for k, v in deck_rows.items()}
    except (ValueError, TypeError, AttributeError) as err:
        raise InvalidFile(where, None, f"not a valid Anki collection (unreadable note types or decks: {err})")
    return kinds, names, decks


def _notes(col: AnkiCollection, kinds, names, decks, where: str, deck_override: str | None) -> ImportBatch:  # type: ignore[no-untyped-def]
    first_card: dict[int, tuple[int, int]] = {}  # note id -> (lowest ord, deck id)
    reversed_notes: set[int] = set()
    for nid, did, odid, ordinal in col.cards():
        deck_id = odid or did  # a card in a filtered deck belongs to its original deck
        if nid not in first_card:
            first_card[nid] = (ordinal, deck_id)
        if ordinal >= 1:
            reversed_notes.add(nid)
    batch = ImportBatch(format="", decks=[])
    by_deck: dict[str, list[NoteSpec]] = {}
    seen: set[str] = set()
    for nid, guid, mid, tags, flds in col.notes():
        fields = flds.split("\x1f")
        if any(len(f) > MAX_FIELD_CHARS for f in fields):
            raise InvalidFile(where, None, f"note {guid!r}: a field is longer than {MAX_FIELD_CHARS} characters")
        notetype = names.get(mid, "")
        if "Please update to the latest Anki version" in fields[0] and len(first_card) <= 1:
            continue  # the placeholder note of a dummy collection
        if nid not in first_card:
            batch.skipped.append(f"note {guid}: has no cards")
            continue
        if "image occlusion" in notetype.lower():
            batch.skipped.append(f"note {guid}: image occlusion notes are not supported")
            continue
        if guid in seen:
            batch.skipped.append(f"note {guid}: duplicate guid")
            continue
        texts = []
        for value in fields[:2]:
            text, media = html_text.to_text(value)
            texts.append(text)
            batch.media_skipped += media
        front, back = texts[0], texts[1] if len(texts) > 1 else ""
        cloze = kinds.get(mid) == "cloze"
        if not front:
            batch.skipped.append(f"note {guid}: the front is empty after removing HTML and media")
            continue
        if cloze and not cloze_ordinals(front):
            batch.skipped.append(f"note {guid}: cloze note without a deletion")
            continue
        if not cloze and not back:
            batch.skipped.append(f"note {guid}: the back is empty after removing HTML and media")
            continue
        seen.add(guid)
        deck = deck_override or decks.get(first_card[nid][1]) or "Imported"
        by_deck.setdefault(deck, []).append(
            NoteSpec(
                guid=guid,
                note_type=NoteKind.CLOZE if cloze else NoteKind.BASIC,
                front=front,
                back=back,
                reverse=(not cloze) and nid in reversed_notes,
                tags=tuple(dict.fromkeys(tags.split())),
                source=f"anki: {notetype}" if notetype else "anki",
                derived_source=True,
            )
        )
    batch.decks = [DeckSpec(name=name, description=None, notes=tuple(notes)) for name, notes in by_deck.items()]
    return batch


