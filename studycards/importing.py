"""``studycards import``: detect the format, read and validate the whole file
into plain data, then write it in one transaction (or, with a dry run, roll
it back and only report).

A file that is none of the formats is refused before it is parsed, with one
line saying what it appears to be: binary data (a SQLite database, an image,
an archive, an executable, or bytes that are not text at all: more than 5% C0
control characters, and at least 4, in the first 4 KiB), UTF-16 text, or an
XML or HTML document. A text file whose lines do not make a table of notes
is refused by the text importer (importers/anki_text.py says when), unless
``partial`` asks for its valid lines."""

from __future__ import annotations

import gc
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from studycards import deckfile, notes
from studycards.errors import InvalidFile, InvalidValue
from studycards.importers import ImportBatch
from studycards.store import Store

FORMATS = ("toml", "text", "csv", "tsv", "apkg", "colpkg", "json")
MAX_TEXT_BYTES = 512 * 1024**2


@dataclass
class ImportReport:
    format: str
    decks: list[notes.DeckReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    media_skipped: int = 0  # media references in the imported notes
    media_copied: int = 0  # media files kept in the collection's media folder


class _DryRun(Exception):
    pass


def detect(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("apkg", "colpkg") or head.startswith(b"PK\x03\x04"):
        return "apkg"
    if suffix == "toml":
        return "toml"
    if suffix == "json":
        return "json"
    if suffix in ("txt", "csv", "tsv"):
        return "text"  # a whole JSON document in it is still read as JSON (see read)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"{") and not start.startswith(b"{{"):  # "{{c1::" opens a cloze note
        return "json"
    if b"[deck]" in head:
        return "toml"
    return "text"


_NOT_OURS = "not a studycards import format (deck file, Anki text/CSV/TSV, .apkg/.colpkg package or studycards JSON)"
_MAGIC = [
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"OggS\x00", "an Ogg audio or video file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
]
_TEXT_CONTROLS = b"\t\n\r\f\v\x1b"
_CONTROLS = bytes(b for b in range(32) if b not in _TEXT_CONTROLS)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def binary_kind(head: bytes) -> str | None:
    """What the first bytes of a file say it is, if they are not text in
    any encoding we read: a known file type, UTF-16 text, or binary data
    (more than 5% C0 control characters, at least 4: a text file with one
    stray NUL is reported as such by the text importer instead)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32 text"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) >= 12 and head[:4] == b"RIFF":
        return {b"WAVE": "a WAV audio file", b"WEBP": "a WebP image", b"AVI ": "an AVI video"}.get(head[8:12], "a RIFF media file")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "an MP4/MOV/HEIC media file"
    if head.startswith(b"ID3") and len(head) >= 5 and head[3] in (2, 3, 4) and head[4] == 0:
        return "an MP3 audio file"
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(sample) >= 8 and max(even, odd) > 0.4 * len(sample) / 2 and min(even, odd) < 0.05 * len(sample) / 2:
        return "UTF-16 text"
    controls = sum(sample.count(bytes([b])) for b in _CONTROLS)
    if controls >= 4 and controls > 0.05 * len(sample):
        return "binary data"
    return None


def _markup(text: str) -> str | None:
    """'an XML document (<root>)' or 'an HTML page' for a file that is markup
    from its first character, else None (Anki text may hold HTML in its
    fields, but does not open with a declaration)."""
    start = text.lstrip("\ufeff \t\r\n")[:4096]
    lower = start.lower()
    if lower.startswith(("<!doctype html", "<html")):
        return "an HTML page"
    if not lower.startswith(("<?xml", "<!doctype")):
        return None
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!.*?>", "", start, flags=re.S)
    root = _XML_ROOT.search(body)
    if root is None:
        return "an XML document"
    if root.group(1).lower() == "mnemosyne":
        return "a Mnemosyne XML export"
    if root.group(1).lower() == "html":
        return "an HTML page"
    return f"an XML document (<{root.group(1)[:40]}>)"


def _looks_like_json(text: str) -> bool:
    """A file detected as text that is in fact a whole JSON document (a list
    or an object without a .json name): read it as JSON, whose messages say
    what is wrong with its shape."""
    if not text.lstrip("\ufeff \t\r\n").startswith(("[", "{")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InvalidFile(str(path), line, "not UTF-8 text (save the file as UTF-8 and try again)")


def _sqlite_file(path: Path, deck: str | None, day_start_hour: int = 4) -> ImportBatch:
    """A SQLite file: an Anki collection or a Mnemosyne 2 database is read;
    anything else is refused, saying what it is."""
    from studycards.store.anki_collection import ForeignFileError, sqlite_tables

    try:
        tables = sqlite_tables(path)
    except ForeignFileError as err:
        raise InvalidFile(str(path), None, f"a SQLite database that cannot be read ({err})")
    if {"notes", "cards", "col"} <= tables:
        from studycards.importers.anki_package import read_collection_file

        return read_collection_file(path, deck)
    from studycards.importers.mnemosyne import is_mnemosyne_db, parse_mnemosyne_db

    if is_mnemosyne_db(tables):
        return parse_mnemosyne_db(path, deck, day_start_hour)
    if "schema_migration" in tables and "card" in tables:
        raise InvalidFile(str(path), None, "a studycards database, not an import format; open it with --db, or export decks from it")
    shown = ", ".join(sorted(tables)[:6]) + (", ..." if len(tables) > 6 else "")
    raise InvalidFile(str(path), None, f"a SQLite database (tables: {shown or 'none'}) that is neither an Anki collection nor a Mnemosyne database, {_NOT_OURS}")


def read(
    path: Path,
    fmt: str | None,
    deck: str | None,
    separator: str | None = None,
    partial: bool = False,
    *,
    columns: str | None = None,
    header: bool = False,
    day_start_hour: int = 4,
) -> ImportBatch:
    """Parse ``path`` completely; raises InvalidFile before anything is written.
    ``separator`` (``--separator``: a name or the character) reads the file as
    text with that separator; ``partial`` imports the valid records of a text
    file that would otherwise be refused as not a table of notes."""
    if deck is not None and not deck.strip():
        raise InvalidValue("--deck is empty")
    if separator is not None:
        from studycards.importers.anki_text import separator_name

        separator = separator_name(separator)
        if fmt not in (None, "text", "csv", "tsv"):
            raise InvalidValue(f"--separator is for text files, not --format {fmt}")
        fmt = fmt or "text"
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise InvalidFile(str(path), None, f"cannot read the file ({err.strerror})")
    kind = {"csv": "text", "tsv": "text", "colpkg": "apkg"}.get(fmt or "", fmt) or detect(path, head)
    if kind == "apkg":
        from studycards.importers.anki_package import parse_package

        return parse_package(path, deck)
    what = binary_kind(head)
    if what is not None:
        if what.startswith("UTF-"):
            raise InvalidFile(str(path), None, f"{what}; save the file as UTF-8 and try again")
        if what == "a SQLite database":
            return _sqlite_file(path, deck, day_start_hour)
        raise InvalidFile(str(path), None, f"{what}, {_NOT_OURS}")
    if size > MAX_TEXT_BYTES:
        raise InvalidFile(str(path), None, f"larger than {MAX_TEXT_BYTES // 1024**2} MiB; refusing it")
    text = _text(path, path.read_bytes())
    if kind == "text" and fmt is None:
        markup = _markup(text)
        if markup == "a Mnemosyne XML export":
            from studycards.importers.mnemosyne import parse_mnemosyne_xml

            return parse_mnemosyne_xml(text, str(path), deck, day_start_hour)
        if markup is not None:
            raise InvalidFile(str(path), None, f"{markup}, {_NOT_OURS}")
        if _looks_like_json(text):
            kind = "json"
    if kind == "toml":
        spec = deckfile.parse_text(text, str(path))
        if deck:
            spec = replace(spec, name=deck.strip())
        return ImportBatch(format="studycards deck file", decks=[spec])
    if kind == "json":
        from studycards.importers.json_file import parse_json

        return parse_json(text, str(path), deck)
    from studycards.importers.anki_text import parse_text

    return parse_text(text, str(path), deck, separator, partial, columns=columns, header=header)


def import_file(
    store: Store,
    path: Path,
    now_epoch: int,
    dry_run: bool = False,
    fmt: str | None = None,
    deck: str | None = None,
    separator: str | None = None,
    partial: bool = False,
    *,
    columns: str | None = None,
    header: bool = False,
    day_start_hour: int = 4,
) -> ImportReport:
    """Read and validate the whole file, then write it in one transaction
    (a dry run rolls it back and only reports)."""
    with _no_cycle_collection():
        batch = read(path, fmt, deck, separator, partial, columns=columns, header=header, day_start_hour=day_start_hour)
        report = ImportReport(format=batch.format, skipped=batch.skipped, media_skipped=batch.media_skipped)
        files: list[tuple[str, str, int]] = []
        if batch.media_files and batch.media_source is not None and not dry_run:
            from studycards import media

            files = media.copy_from_package(store, batch.media_source, batch.media_files)  # content-addressed: harmless if the import fails
        report.media_copied = len(files)
        try:
            with store.transaction():
                try:
                    report.decks = [notes.apply_deck(store, spec, now_epoch) for spec in batch.decks]
                except InvalidValue as err:  # a deck name the file gives, say
                    raise InvalidFile(str(path), None, str(err)) from err
                store.media.record(files)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return report


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A large import makes a few hundred thousand small objects and no
    reference cycles; the cyclic collector would walk them again and again
    (about 0.5 s of a 100,000-note import). Reference counting still frees
    everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
