"""Anki's text format: "Notes in Plain Text" exports and hand-made CSV/TSV.

Header lines at the top (``#separator:``, ``#html:``, ``#tags:``,
``#columns:``, ``#deck:``, ``#notetype:`` and the ``#... column:`` lines that
name 1-based columns for guid, notetype, deck and tags) are read as Anki
reads them. Without ``#separator:`` the separator is guessed from the first
records: the first of tab, comma, semicolon, pipe, colon that splits them
into a consistent number of columns (at least two), so a colon inside a
field never beats a comma- or tab-separated layout. ``--separator``
overrides both the header and the guess. Without ``#columns:`` the columns
are front, back, then tags.

Junk is refused, not imported (``README.md`` or ``/etc/passwd`` split on a
guessed separator). The file fails as a whole, with one line saying why and
what to pass, when:

- the separator was guessed and more than 2% of the records
  (``GUESSED_MISMATCH_SHARE``; none in a file of fewer than 50 records) have
  a different number of columns from the most common one: a guessed
  separator must make a consistent table;
- the separator was guessed, there is no ``#columns:`` header, and the
  records have columns that would be dropped unread (more than front, back
  and tags, e.g. the 7 colon-separated fields of ``/etc/passwd``);
- the separator was guessed and a record's quoting is malformed;
- more than half of the records (``MAX_SKIPPED_SHARE``) would be skipped,
  whatever the separator: empty fronts or backs, duplicates, the records
  above.

With ``partial=True`` (``--partial``) the first two and the last do not
fail the file: records whose column count differs from the table's, and
records whose columns would be dropped, are skipped with a reason like any
other, and the valid ones are imported. Within the 2% tolerance the odd
records of a guessed table are skipped and reported the same way.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field

from studycards.deckfile import DeckSpec, NoteSpec
from collections import Counter

from studycards.errors import InvalidFile, InvalidValue
from studycards.importers import MAX_FIELD_CHARS, ImportBatch, html_text
from studycards.records import NoteKind
from studycards.render import cloze_ordinals

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "colon": ":", "space": " "}
_GUESS_ORDER = ["tab", "comma", "semicolon", "pipe", "colon"]
GUESSED_MISMATCH_SHARE = 0.02  # of a guessed table's records may have another column count
MAX_SKIPPED_SHARE = 0.5  # of the records may be skipped before the file is refused
_ADVICE = "pass --separator or --format"
_PARTIAL = ", or --partial to import the valid lines"
_FRONT_LABELS = {"front", "text", "question", "q"}
_BACK_LABELS = {"back", "back extra", "extra", "answer", "a"}


def separator_name(value: str) -> str:
    """The separator's name for ``--separator``: a name (tab, comma, ...),
    the character itself, or a typed ``\\t``."""
    name = value.strip().lower()
    if name in SEPARATORS:
        return name
    if value == "\\t":
        return "tab"
    for key, char in SEPARATORS.items():
        if value == char:
            return key
    raise InvalidValue(f"--separator: unknown separator {value!r} (use {', '.join(SEPARATORS)}, or the character itself)")


@dataclass
class _Meta:
    separator: str | None = None
    html: bool | None = None
    tags: list[str] = field(default_factory=list)
    columns: str | None = None
    deck: str | None = None
    notetype: str | None = None
    guid_col: int = 0
    notetype_col: int = 0
    deck_col: int = 0
    tags_col: int = 0


def _header(lines: list[str], path: str) -> tuple[_Meta, int]:
    """Parse the header lines; returns the metadata and how many lines they take."""
    meta = _Meta()
    count = 0
    for number, line in enumerate(lines, 1):
        text = line.rstrip("\r\n")
        if number == 1 and text.startswith("tags:"):
            meta.tags = text[5:].split()
        elif text.startswith("#"):
            key, sep, value = text[1:].partition(":")
            if sep:
                _header_value(meta, key.strip().lower(), value, path, number)
        else:
            break
        count = number
    return meta, count


def _header_value(meta: _Meta, key: str, value: str, path: str, line: int) -> None:
    def column() -> int:
        try:
            number = int(value.strip())
        except ValueError:
            raise InvalidFile(path, line, f"#{key}: must be a column number, not {value.strip()!r}")
        if number < 1:
            raise InvalidFile(path, line, f"#{key}: column numbers start at 1")
        return number

    if key == "separator":
        name = value.strip().lower()
        if name in SEPARATORS:
            meta.separator = name
        elif value in SEPARATORS.values():
            meta.separator = next(k for k, v in SEPARATORS.items() if v == value)
        else:
            raise InvalidFile(path, line, f"#separator: unknown separator {value!r} (use {', '.join(SEPARATORS)})")
    elif key == "html":
        if value.strip().lower() not in ("true", "false"):
            raise InvalidFile(path, line, f"#html: must be true or false, not {value.strip()!r}")
        meta.html = value.strip().lower() == "true"
    elif key == "tags":
        meta.tags = value.split()
    elif key == "columns":
        meta.columns = value
    elif key == "deck":
        meta.deck = value.strip()
    elif key == "notetype":
        meta.notetype = value.strip()
    elif key == "guid column":
        meta.guid_col = column()
    elif key == "notetype column":
        meta.notetype_col = column()
    elif key == "deck column":
        meta.deck_col = column()
    elif key == "tags column":
        meta.tags_col = column()


def _records(body: str, delimiter: str, path: str, first_line: int) -> list[tuple[int, list[str]]]:
    """(line number, fields) for each record; quoting errors name the line."""
    csv.field_size_limit(MAX_FIELD_CHARS * 4 + 1)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    out = []
    start = first_line
    try:
        for row in reader:
            if "".join(row).strip():  # not a blank record
                out.append((start, row))
            start = first_line + reader.line_num
    except csv.Error as err:
        raise InvalidFile(path, first_line + reader.line_num - 1 if reader.line_num else start, f"malformed quoting ({err})")
    return out


_CLOZE = re.compile(r"\{\{c\d+::.*?\}\}", re.S)


def _guess(body: str) -> str:
    """The first separator that splits the first records into one consistent
    number (two or more) of columns; else the one whose most common number
    of columns (two or more) covers the largest share of them; else the
    first one present at all. Cloze deletions are left out of the guess:
    their colons are not a separator."""
    sample = _CLOZE.sub("c", body) if "{{c" in body else body
    best, best_share = None, 0.0
    for name in _GUESS_ORDER:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=SEPARATORS[name], strict=True)
        try:
            widths = Counter(len(row) for row in itertools.islice(reader, 100) if any(c.strip() for c in row))
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        if len(widths) == 1:
            return name
        share = count / sum(widths.values())
        if share > best_share:
            best, best_share = name, share
    if best is not None:
        return best
    return next((name for name in _GUESS_ORDER if SEPARATORS[name] in sample[:8192]), "tab")


def parse_text(
    text: str, path: str, deck_override: str | None = None, separator: str | None = None, partial: bool = False
) -> ImportBatch:
    """Read an Anki text file; ``separator`` (a name from SEPARATORS)
    overrides the header and the guess; ``partial`` imports the valid
    records of a file that would otherwise be refused (see the module's
    docstring for the rules)."""
    if "\x00" in text:
        raise InvalidFile(path, text[: text.index("\x00")].count("\n") + 1, "contains NUL bytes: not a text file")
    lines = text.splitlines(keepends=True)
    meta, header_lines = _header(lines, path)
    body = "".join(lines[header_lines:])
    guessed = separator is None and meta.separator is None
    name = separator or meta.separator or _guess(body)
    delimiter = SEPARATORS[name]
    try:
        records = _records(body, delimiter, path, header_lines + 1)
    except InvalidFile as err:
        if not guessed:
            raise
        raise InvalidFile(path, err.line, f"does not look like a table of notes: the separator was guessed ({name}) and this line has {err.message}; {_ADVICE}")
    if meta.html is None:
        meta.html = any(html_text.looks_like_html(cell) for _, row in records[:50] for cell in row)

    meta_cols = {c for c in (meta.guid_col, meta.notetype_col, meta.deck_col, meta.tags_col) if c}
    labels: list[str] = []
    if meta.columns is not None:
        labels = next(csv.reader([meta.columns], delimiter=delimiter), [])
        labels = [label.strip().lower() for label in labels]
        if not meta.tags_col and "tags" in labels:
            meta.tags_col = labels.index("tags") + 1
            meta_cols.add(meta.tags_col)

    odd_rows = _guessed_table(records, name, meta_cols, labels, meta.tags_col, path, partial) if guessed else {}

    batch = ImportBatch(format=f"Anki text ({name}-separated{', guessed' if guessed else ''})", decks=[])
    by_deck: dict[str, list[NoteSpec]] = {}
    seen_guids: dict[str, int] = {}
    seen_fronts: dict[tuple[str, str], int] = {}
    default_deck = deck_override or meta.deck or "Imported"
    layouts: dict[int, tuple[list[int], int]] = {}  # by row width: the same for almost every row
    for line, row in records:
        if max(map(len, row)) > MAX_FIELD_CHARS:
            raise InvalidFile(path, line, f"a field is longer than {MAX_FIELD_CHARS} characters")
        if len(row) in odd_rows:
            batch.skipped.append(f"line {line}: {odd_rows[len(row)]}")
            continue
        layout = layouts.get(len(row))
        if layout is None:
            layout = layouts[len(row)] = _field_columns(len(row), meta_cols, labels, meta.tags_col)
        columns, tags_col = layout
        note, media = _note(row, columns, tags_col, meta, line, default_deck, deck_override)
        batch.media_skipped += media
        if isinstance(note, str):
            batch.skipped.append(f"line {line}: {note}")
            continue
        deck, spec = note
        if spec.guid is not None:
            if spec.guid in seen_guids:
                batch.skipped.append(f"line {line}: same guid as line {seen_guids[spec.guid]}")
                continue
            seen_guids[spec.guid] = line
        else:
            key = (deck, spec.front)
            if key in seen_fronts:
                batch.skipped.append(f"line {line}: same deck and front as line {seen_fronts[key]}")
                continue
            seen_fronts[key] = line
        by_deck.setdefault(deck, []).append(spec)
    if not partial and len(batch.skipped) > MAX_SKIPPED_SHARE * len(records):
        first = batch.skipped[0]
        raise InvalidFile(
            path,
            None,
            f"does not look like a table of notes: {len(batch.skipped)} of {len(records)} lines would be skipped ({first}, ...); {_ADVICE}{_PARTIAL}",
        )
    batch.decks = [DeckSpec(name=deck, description=None, notes=tuple(notes)) for deck, notes in by_deck.items()]
    return batch


def _guessed_table(
    records: list[tuple[int, list[str]]], name: str, meta_cols: set[int], labels: list[str], tags_col: int, path: str, partial: bool
) -> dict[int, str]:
    """Check that a guessed separator made a table of notes; refuse the file
    if not (unless ``partial``). Returns the skip reason for each column
    count whose records cannot be read as notes."""
    widths = Counter(len(row) for _, row in records)
    if not widths:
        return {}
    common, count = widths.most_common(1)[0]
    total = len(records)
    odd = total - count
    refuse = f"does not look like a table of notes: the separator was guessed ({name}) and"
    if odd > GUESSED_MISMATCH_SHARE * total and not partial:
        raise InvalidFile(
            path, None, f"{refuse} {odd} of {total} lines have a different number of columns from the most common ({common}); {_ADVICE}{_PARTIAL}"
        )
    plural = "s" if common != 1 else ""
    reasons = {
        width: f"{width} column{'s' if width != 1 else ''}, where most lines have {common} (the separator, {name}, was guessed)"
        for width in widths
        if width != common
    }
    if not labels:
        columns, tags = _field_columns(common, meta_cols, labels, tags_col)
        read = set(columns[:2]) | meta_cols | ({tags} if tags else set())
        unread = common - len(read & set(range(1, common + 1)))
        if unread:
            if not partial:
                raise InvalidFile(
                    path,
                    None,
                    f"{refuse} its lines have {common} columns, but without a #columns: header only front, back and tags are read"
                    f" ({unread} column{'s' if unread != 1 else ''} would be dropped); {_ADVICE}{_PARTIAL}",
                )
            reasons[common] = f"{common} column{plural}, of which {unread} would be dropped (no #columns: header; the separator, {name}, was guessed)"
    return reasons


def _field_columns(width: int, meta_cols: set[int], labels: list[str], tags_col: int) -> tuple[list[int], int]:
    """1-based columns holding note fields (front first, back second), and the tags column."""
    plain = [c for c in range(1, width + 1) if c not in meta_cols]
    if labels:
        named = {labels[c - 1]: c for c in plain if c - 1 < len(labels)}
        front = next((named[label] for label in named if label in _FRONT_LABELS), None)
        back = next((named[label] for label in named if label in _BACK_LABELS), None)
        if front is not None:
            rest = [c for c in plain if c not in (front, back)]
            return [front] + ([back] if back else []) + rest, tags_col
    if not tags_col and not labels and len(plain) >= 3:
        return plain[:2], plain[2]  # no #columns: front, back, then tags
    return plain, tags_col


def _note(row, columns, tags_col, meta: _Meta, line: int, default_deck: str, deck_override: str | None):  # type: ignore[no-untyped-def]
    width = len(row)

    def cell(number: int) -> str:
        return row[number - 1] if 0 < number <= width else ""

    fields = [row[c - 1] if c <= width else "" for c in columns]
    if not fields:
        return "no field columns", 0
    convert = html_text.to_text if meta.html else html_text.strip_media
    front, media = convert(fields[0])
    back = ""
    if len(fields) > 1:
        back, found = convert(fields[1])
        media += found
    notetype = (cell(meta.notetype_col) if meta.notetype_col else meta.notetype or "").strip()
    tags = meta.tags + cell(tags_col).split() if tags_col else meta.tags
    deck = deck_override or (cell(meta.deck_col).strip() if meta.deck_col else "") or default_deck
    guid = (cell(meta.guid_col).strip() if meta.guid_col else "") or None
    if notetype:
        is_cloze, source = "cloze" in notetype.lower(), f"anki: {notetype}"
    else:
        is_cloze, source = bool(cloze_ordinals(front)), "anki text"
    if not front:
        return "the front is empty" + (" (only media)" if media else ""), media
    unique_tags = tuple(dict.fromkeys(tags))
    if is_cloze:
        if not cloze_ordinals(front):
            return "cloze note without a {{c1::...}} deletion", media
        spec = NoteSpec(guid, NoteKind.CLOZE, front, back, False, unique_tags, source, line, derived_source=True)
    else:
        if not back:
            return "the back is empty", media
        reverse = "revers" in notetype.lower() and "optional" not in notetype.lower()
        spec = NoteSpec(guid, NoteKind.BASIC, front, back, reverse, unique_tags, source, line, derived_source=True)
    return (deck, spec), media
