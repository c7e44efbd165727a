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
from studycards.records import NoteKind, NoteTypeSpec, TemplateSpec
from studycards.store.anki_collection import AnkiCollection, ForeignFileError, open_anki_collection

MAX_COLLECTION_BYTES = 2 * 1024**3  # uncompressed; anything larger is refused
_ORDER = ("collection.anki21b", "collection.anki21", "collection.anki2")
_CHUNK = 1 << 20
MAX_MEDIA_INDEX_BYTES = 16 * 1024**2


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
        batch = _read_collection(target, f"{label}: {entry}", deck_override)
        batch.format = f"Anki package ({entry})"
        batch.media_source = path
        batch.media_files = _media_entries(archive, names, label)
        return batch


def _media_entries(archive: zipfile.ZipFile, names: set[str], label: str) -> list[tuple[str, str, bool]]:
    """(entry, file name, zstd-compressed) of the package's media files. The
    ``media`` entry maps numbered entries to names: JSON in legacy packages,
    a zstd-compressed protobuf list (name is field 1 of each entry) in
    current ones, whose files are zstd-compressed too."""
    if "media" not in names:
        return []
    raw = archive.open("media").read(MAX_MEDIA_INDEX_BYTES + 1)
    if len(raw) > MAX_MEDIA_INDEX_BYTES:
        raise InvalidFile(f"{label}: media", None, "the media index is too large; refusing it")
    out: list[tuple[str, str, bool]] = []
    stripped = raw.lstrip()
    if stripped.startswith(b"{"):
        try:
            mapping = json.loads(raw)
        except ValueError as err:
            raise InvalidFile(f"{label}: media", None, f"unreadable media index ({err})")
        for entry, name in mapping.items():
            if str(entry) in names and isinstance(name, str):
                out.append((str(entry), name, False))
        return out
    try:
        import zstandard

        data = zstandard.ZstdDecompressor().stream_reader(raw).read(MAX_MEDIA_INDEX_BYTES + 1)
    except Exception as err:
        raise InvalidFile(f"{label}: media", None, f"unreadable media index ({err})")
    for index, item in enumerate(_proto_fields(data).get(1, [])):
        if isinstance(item, bytes) and str(index) in names:
            out.append((str(index), _proto_text(_proto_fields(item), 1), True))
    return out


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


def read_collection_file(path: Path, deck_override: str | None) -> ImportBatch:
    """A bare collection file (``collection.anki2``/``.anki21``), read like a package without media."""
    batch = _read_collection(path, str(path), deck_override)
    batch.format = f"Anki collection ({path.suffix.lstrip('.') or 'anki2'})"
    return batch


def _read_collection(db_path: Path, where: str, deck_override: str | None) -> ImportBatch:
    try:
        with open_anki_collection(db_path) as col:
            tables = col.tables()
            if not {"notes", "cards", "col"} <= tables:
                raise InvalidFile(where, None, "not a valid Anki collection (missing notes, cards or col table)")
            if "notetypes" in tables:
                types, decks = _schema18(col)
            else:
                types, decks = _schema11(col, where)
            return _notes(col, types, decks, where, deck_override)
    except ForeignFileError as err:
        raise InvalidFile(where, None, f"not a valid Anki collection ({err})")


def _proto_fields(blob: bytes) -> dict[int, list[int | bytes]]:
    """Every field of a protobuf message: number -> values (ints, or bytes
    for length-delimited fields). Malformed input gives what was read."""
    out: dict[int, list[int | bytes]] = {}
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
                out.setdefault(number, []).append(varint())
            elif wire == 2:
                size = varint()
                out.setdefault(number, []).append(blob[i : i + size])
                i += size
            elif wire == 1:
                i += 8
            elif wire == 5:
                i += 4
            else:
                break
    except ValueError:
        pass
    return out


def _proto_text(fields: dict[int, list[int | bytes]], number: int) -> str:
    values = fields.get(number) or [b""]
    value = values[0]
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _schema18(col: AnkiCollection):  # type: ignore[no-untyped-def]
    """Note types from the notetypes, fields and templates tables (their
    configs are protobuf: kind 1 and css 3; a template's qfmt 1 and afmt 2)."""
    field_names: dict[int, list[str]] = {}
    for ntid, _, name in col.fields():
        field_names.setdefault(ntid, []).append(name)
    templates: dict[int, list[TemplateSpec]] = {}
    for ntid, _, name, config in col.templates():
        parts = _proto_fields(config)
        templates.setdefault(ntid, []).append(TemplateSpec(name, _proto_text(parts, 1), _proto_text(parts, 2)))
    types = {}
    for ntid, name, config in col.note_types():
        parts = _proto_fields(config)
        types[ntid] = NoteTypeSpec(
            name=name,
            fields=tuple(field_names.get(ntid, ())),
            templates=tuple(templates.get(ntid, ())),
            cloze=(parts.get(1) or [0])[0] == 1,
            css=_proto_text(parts, 3),
            anki_id=ntid,
        )
    decks = {did: name.replace("\x1f", "::") for did, name in col.decks()}
    return types, decks


def _schema11(col: AnkiCollection, where: str):  # type: ignore[no-untyped-def]
    row = col.legacy_models_and_decks()
    try:
        models = json.loads(row[0]) if row else {}
        deck_rows = json.loads(row[1]) if row else {}
        types = {}
        for key, model in models.items():
            fields = sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))
            tmpls = sorted(model.get("tmpls", []), key=lambda t: t.get("ord", 0))
            types[int(key)] = NoteTypeSpec(
                name=str(model.get("name", "")),
                fields=tuple(str(f.get("name", "")) for f in fields),
                templates=tuple(TemplateSpec(str(t.get("name", "")), str(t.get("qfmt", "")), str(t.get("afmt", ""))) for t in tmpls),
                cloze=model.get("type") == 1,
                css=str(model.get("css", "")),
                anki_id=int(key),
            )
        decks = {int(k): str(v.get("name", "")) for k, v in deck_rows.items()}
    except (ValueError, TypeError, AttributeError) as err:
        raise InvalidFile(where, None, f"not a valid Anki collection (unreadable note types or decks: {err})")
    return types, decks


def _notes(col: AnkiCollection, types, decks, where: str, deck_override: str | None) -> ImportBatch:  # type: ignore[no-untyped-def]
    from studycards.anki_template import TemplateError
    from studycards.notetypes import faces, sides

    first_deck: dict[int, int] = {}  # note id -> deck of its first card
    for nid, did, odid, _ in col.cards():
        first_deck.setdefault(nid, odid or did)  # a card in a filtered deck belongs to its original deck
    batch = ImportBatch(format="", decks=[])
    by_deck: dict[str, list[NoteSpec]] = {}
    seen: set[str] = set()
    for nid, guid, mid, tags, flds in col.notes():
        values = flds.split("\x1f")
        if any(len(f) > MAX_FIELD_CHARS for f in values):
            raise InvalidFile(where, None, f"note {guid!r}: a field is longer than {MAX_FIELD_CHARS} characters")
        nt = types.get(mid)
        name = _name_of(values)
        if "Please update to the latest Anki version" in values[0] and len(first_deck) <= 1:
            continue  # the placeholder note of a dummy collection
        if nt is None:
            batch.skipped.append(f"note {name}: its note type is missing from the collection")
            continue
        if nid not in first_deck:
            batch.skipped.append(f"note {name}: has no cards")
            continue
        if "image occlusion" in nt.name.lower():
            batch.skipped.append(f"note {name}: image occlusion notes are not supported")
            continue
        if guid in seen:
            batch.skipped.append(f"note {name}: duplicate guid")
            continue
        values = (values + [""] * len(nt.fields))[: max(len(nt.fields), 1)]
        deck = deck_override or decks.get(first_deck[nid]) or "Imported"
        tag_list = tuple(dict.fromkeys(tags.split()))
        ours = _OUR_KINDS.get(nt.anki_id or 0)
        if ours is not None and len(values) == 2 and nt.fields == ours[2]:
            own = _own_note(guid, ours, values, tag_list, nt.name)
            if own is not None:
                seen.add(guid)
                by_deck.setdefault(deck, []).append(own)
                continue
        try:
            made = faces(nt, values, tag_list, deck)
        except TemplateError as err:
            batch.skipped.append(f"note {name}: the note type {nt.name!r} has a template Anki would not show ({err})")
            continue
        if not made:
            batch.skipped.append(f"note {name}: every card it would make has an empty question")
            continue
        batch.media_skipped += sum(html_text.to_text(v)[1] for v in values if "<" in v or "[sound:" in v)
        seen.add(guid)
        front, back = sides(nt, values)
        by_deck.setdefault(deck, []).append(
            NoteSpec(
                guid=guid,
                note_type=NoteKind.TYPED,
                front=front,
                back=back,
                tags=tag_list,
                source=f"anki: {nt.name}" if nt.name else "anki",
                derived_source=True,
                note_type_spec=nt,
                fields=tuple(values),
            )
        )
    batch.decks = [DeckSpec(name=name, description=None, notes=tuple(notes)) for name, notes in by_deck.items()]
    return batch


# The note types our own notes go to Anki with (genanki's stock models): such
# a note comes back as the note of our own kind it was.
_OUR_KINDS = {
    1559383000: (NoteKind.BASIC, False, ("Front", "Back")),
    1485830179: (NoteKind.BASIC, True, ("Front", "Back")),
    1550428389: (NoteKind.CLOZE, False, ("Text", "Back Extra")),
}


def _own_note(guid: str, ours, values: list[str], tags: tuple[str, ...], name: str) -> NoteSpec | None:  # type: ignore[no-untyped-def]
    from studycards.render import cloze_ordinals

    kind, reverse, _ = ours
    front, back = (html_text.to_text(v)[0] for v in values)
    if not front or (kind == NoteKind.CLOZE and not cloze_ordinals(front)) or (kind == NoteKind.BASIC and not back):
        return None  # not what we write: read it as the typed note it is
    return NoteSpec(guid=guid, note_type=kind, front=front, back=back, reverse=reverse, tags=tags, source=f"anki: {name}", derived_source=True)


def _name_of(values: list[str]) -> str:
    """A skipped note named by its first field's text, which its author can find."""
    text = html_text.to_text(values[0])[0] if values else ""
    text = " ".join(text.split())
    return repr(text[:60] + ("…" if len(text) > 60 else "")) if text else "(empty first field)"
