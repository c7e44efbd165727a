"""Anki's text format: "Notes in Plain Text" exports and hand-made CSV/TSV.

Header lines at the top (``#separator:``, ``#html:``, ``#tags:``,
``#columns:``, ``#deck:``, ``#notetype:`` and the ``#... column:`` lines that
name 1-based columns for guid, notetype, deck and tags) are read as Anki
reads them. Without ``#separator:`` the separator is guessed from the first
records: the first of tab, comma, semicolon, pipe, colon that splits them
into a consistent number of columns (at least two), so a colon inside a
field never beats a comma- or tab-separated layout. ``--separator``
overrides both the header and the guess.

Every record is a note, as in Anki: a front that repeats an earlier one
makes another note (eight senses of one word are eight notes), and every
column is kept. The field columns are the columns that no header names as
guid, notetype, deck or tags. Without ``#columns:``, ``--columns`` or
``--header``, and without a ``#tags column:``, exactly three field columns
are front, back and tags (studycards' long-standing reading of a hand-made
file); otherwise every field column is a field. Two fields make a plain
front/back (or cloze) note, as always. More than two make a note of a note
type of its own (``NoteKind.TYPED``): its fields are named by ``#columns:``,
``--header`` or ``--columns``, else "Field 1", "Field 2", ...; it is named by
the notetype column or ``#notetype:`` when the file has one, else "Text (N
fields)" ("Cloze (N fields)" when the front has cloze deletions); its card
shows the first field and answers with every later non-empty field on a
line of its own. The note keeps the raw fields (HTML as in the file) and,
for matching, search and listings, the first field's text as its front and
the other fields' text, one a line, as its back. A record is skipped when
its front is empty after conversion to text (an image-only front is not
empty once media are rendered in place) and, for a two-field note, when its
back is empty. Fields that are not HTML keep their whitespace exactly when
the file says ``#html:false`` (Anki's exports, our own); in a file that does
not say (a hand-made "front, back" CSV) the spaces around a field's text
are dropped, and nothing inside it.

``columns`` (``--columns front,back,-,tags``) names each column of the file
in order, replacing ``#columns:`` and the ``#... column:`` headers: see
``_column_roles``. ``header`` (``--header``) takes the first record after the
header lines for the names of the columns, read like a ``#columns:`` line
(a column named "tags" holds tags; front and back by Anki's names).

Junk is refused, not imported (``README.md`` or ``/etc/passwd`` split on a
guessed separator). The file fails as a whole, with one line saying why and
what to pass, when:

- the separator was guessed and more than 2% of the records
  (``GUESSED_MISMATCH_SHARE``; none in a file of fewer than 50 records) have
  a different number of columns from the most common one: a guessed
  separator must make a consistent table;
- the separator was guessed, there is no ``#columns:`` header (nor
  ``--columns`` or ``--header``), and the records have more than front, back
  and tags columns (e.g. the 7 colon-separated fields of ``/etc/passwd``):
  a guessed table that wide is not taken for notes;
- the separator was guessed and a record's quoting is malformed;
- more than half of the records (``MAX_SKIPPED_SHARE``) would be skipped,
  whatever the separator: empty fronts or backs, repeated guids, the
  records above.

With ``partial=True`` (``--partial``) the first two and the last do not
fail the file: records whose column count differs from the table's, and
records whose columns would be dropped, are skipped with a reason like any
other, and the valid ones are imported. Within the 2% tolerance the odd
records of a guessed table are skipped and reported the same way.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from studycards.deckfile import DeckSpec, NoteSpec
from studycards.errors import InvalidFile, InvalidValue
from studycards.importers import MAX_FIELD_CHARS, ImportBatch, html_text
from studycards.records import NoteKind, NoteTypeSpec, TemplateSpec
from studycards.render import cloze_ordinals

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "colon": ":", "space": " "}
_GUESS_ORDER = ["tab", "comma", "semicolon", "pipe", "colon"]
GUESSED_MISMATCH_SHARE = 0.02  # of a guessed table's records may have another column count
MAX_SKIPPED_SHARE = 0.5  # of the records may be skipped before the file is refused
_ADVICE = "pass --separator or --format"
_PARTIAL = ", or --partial to import the valid lines"
_FRONT_LABELS = {"front", "text", "question", "q"}
_BACK_LABELS = {"back", "back extra", "extra", "answer", "a"}
_ROLES = ("front", "back", "tags", "deck", "guid", "notetype")
_NOT_ROLES = {"ignore", "skip", "none", "_"}  # meant "-"
_BAD_NAME = re.compile(r'[:{}"]|^[#^/]')  # what Anki's template language cannot take in a field name


class _Layout(NamedTuple):
    """Where a record's note fields are: 1-based columns (front first, back
    second, then the rest), the tags column (0: none), and the field names
    of a note type of its own (only when there are more than two fields)."""

    fields: list[int]
    tags: int
    names: tuple[str, ...] = ()


class _Roles(NamedTuple):
    """``--columns``: the field layout and the other columns (0: none)."""

    layout: _Layout
    guid: int
    notetype: int
    deck: int


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
    # How a field becomes text: set once per file by parse_text.
    convert: Callable[[str], tuple[str, int]] = html_text.strip_media
    # A note with only a front is kept (as Anki keeps it) in a file that says
    # what it is; in a guessed table an empty back is a sign of junk.
    empty_back_ok: bool = False


def _trimmed(text: str) -> tuple[str, int]:
    """A plain field of a file that does not say ``#html:``: as
    ``strip_media``, without the spaces around it ("front, back")."""
    text, media = html_text.strip_media(text)
    return text.strip(), media


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
    text: str,
    path: str,
    deck_override: str | None = None,
    separator: str | None = None,
    partial: bool = False,
    *,
    columns: str | None = None,
    header: bool = False,
) -> ImportBatch:
    """Read an Anki text file; ``separator`` (a name from SEPARATORS)
    overrides the header and the guess; ``partial`` imports the valid
    records of a file that would otherwise be refused; ``columns``
    (``--columns``) names every column (``_column_roles``); ``header``
    (``--header``) reads the first record as the columns' names. See the
    module's docstring for the rules."""
    roles = _column_roles(columns) if columns is not None else None  # a bad --columns fails before the file is read
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
    header_row = records.pop(0)[1] if header and records else None
    html_said = meta.html is not None
    if not html_said:
        meta.html = any(html_text.looks_like_html(cell) for _, row in records[:50] for cell in row)
    meta.convert = html_text.to_text if meta.html else html_text.strip_media if html_said else _trimmed

    fixed: _Layout | None = None
    labels: list[str] = []
    if roles is not None:
        fixed = roles.layout
        meta.guid_col, meta.notetype_col, meta.deck_col, meta.tags_col = roles.guid, roles.notetype, roles.deck, fixed.tags
    elif header_row is not None:
        labels = [label.strip() for label in header_row]
    elif meta.columns is not None:
        labels = [label.strip() for label in next(csv.reader([meta.columns], delimiter=delimiter), [])]
    meta_cols = {c for c in (meta.guid_col, meta.notetype_col, meta.deck_col, meta.tags_col) if c}
    lowered = [label.lower() for label in labels]
    if not meta.tags_col and "tags" in lowered:
        meta.tags_col = lowered.index("tags") + 1
        meta_cols.add(meta.tags_col)

    named = bool(labels) or fixed is not None
    meta.empty_back_ok = not guessed or (name == "tab" and _mostly_two_or_more(records))
    odd_rows = _guessed_table(records, name, meta_cols, named, meta.tags_col, path, partial) if guessed else {}

    batch = ImportBatch(format=f"Anki text ({name}-separated{', guessed' if guessed else ''})", decks=[])
    by_deck: dict[str, list[NoteSpec]] = {}
    seen_guids: dict[str, int] = {}
    note_types: dict[tuple[str, tuple[str, ...]], NoteTypeSpec] = {}
    default_deck = deck_override or meta.deck or "Imported"
    layouts: dict[int, _Layout] = {}  # by row width: the same for almost every row
    for line, row in records:
        if max(map(len, row)) > MAX_FIELD_CHARS:
            raise InvalidFile(path, line, f"a field is longer than {MAX_FIELD_CHARS} characters")
        if len(row) in odd_rows:
            batch.skipped.append(f"line {line}: {odd_rows[len(row)]}")
            continue
        layout = layouts.get(len(row))
        if layout is None:
            layout = layouts[len(row)] = fixed or _field_columns(len(row), meta_cols, labels, meta.tags_col)
        if layout.names:
            note, media = _typed_note(row, layout, meta, line, default_deck, deck_override, note_types)
        else:
            note, media = _note(row, layout.fields, layout.tags, meta, line, default_deck, deck_override)
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


def _column_roles(spec: str) -> _Roles:
    """Read ``--columns``: a comma-separated item for each column of the
    file, in order: ``front``, ``back``, ``tags``, ``deck``, ``guid``,
    ``notetype``, ``-`` (ignore the column) or any other name, which makes
    the column a field of that name. Roles are matched case-insensitively.

    Without ``front``, the first named field is the front; without
    ``back``, the next named field is the back. Two fields make a plain
    front/back note; more make a note type of its own whose fields are
    Front, Back (as named) and the named fields, in column order. Columns
    after the last item are ignored, like ``-``; items past the end of a
    record read as empty. ``--columns`` replaces the file's ``#columns:``
    and ``#guid/notetype/deck/tags column:`` headers.

    Raises InvalidValue, naming the bad item, for an empty item, a role or
    field name given twice, a name that looks like a misspelt role
    (``tag``, ``ignore``), a field name Anki's templates cannot hold (with
    ``:``, ``{``, ``}`` or ``"``, or starting with ``#``, ``^`` or ``/``),
    and a list with no front."""
    where: dict[str, int] = {}
    names: dict[str, int] = {}
    named: list[tuple[int, str]] = []
    for number, item in enumerate(spec.split(","), 1):
        name = item.strip()
        role = name.lower()
        if not name:
            raise InvalidValue(f"--columns: item {number} is empty (use - to ignore a column)")
        if role == "-":
            continue
        if role in _ROLES:
            if role in where:
                raise InvalidValue(f"--columns: {role!r} is given twice (items {where[role]} and {number})")
            where[role] = number
            continue
        if role in _NOT_ROLES:
            raise InvalidValue(f"--columns: unknown role {name!r} (use - to ignore a column)")
        close = difflib.get_close_matches(role, _ROLES, n=1, cutoff=0.75)
        if close:
            raise InvalidValue(f"--columns: unknown role {name!r} (did you mean {close[0]!r}? other names are field names)")
        if _BAD_NAME.search(name):
            raise InvalidValue(f"--columns: {name!r} cannot be a field name (no : {{ }} or \", and not starting with # ^ or /)")
        if role in names:
            raise InvalidValue(f"--columns: field {name!r} is given twice (items {names[role]} and {number})")
        names[role] = number
        named.append((number, name))
    fields: list[int] = []
    labels: list[str] = []
    for role in ("front", "back"):
        if role in where:
            fields.append(where[role])
            labels.append(role.capitalize())
        elif named:
            number, name = named.pop(0)
            fields.append(number)
            labels.append(name)
        elif role == "front":
            raise InvalidValue("--columns: no front column (name a column front, or name the note's fields)")
    for number, name in named:
        fields.append(number)
        labels.append(name)
    layout = _Layout(fields, where.get("tags", 0), tuple(labels) if len(fields) > 2 else ())
    return _Roles(layout, where.get("guid", 0), where.get("notetype", 0), where.get("deck", 0))


def _mostly_two_or_more(records: list[tuple[int, list[str]]]) -> bool:
    """Whether the most common row has two columns or more: tabs that make a table."""
    widths = Counter(len(row) for _, row in records)
    return bool(widths) and widths.most_common(1)[0][0] >= 2


def _guessed_table(
    records: list[tuple[int, list[str]]], name: str, meta_cols: set[int], named: bool, tags_col: int, path: str, partial: bool
) -> dict[int, str]:
    """Check that a guessed separator made a table of notes; refuse the file
    if not (unless ``partial``). Returns the skip reason for each column
    count whose records cannot be read as notes. ``named``: the columns
    are named (``#columns:``, ``--columns``, ``--header``)."""
    widths = Counter(len(row) for _, row in records)
    if not widths:
        return {}
    common, count = widths.most_common(1)[0]
    total = len(records)
    if name == "tab" and not named and common >= 2:
        # A tab is no accident in prose: as Anki does, a row of tab-separated
        # text with front only, front and back, or front, back and tags is a
        # note, whatever the most common width.
        fits = {w for w in widths if w <= max(common, 3)}
        count = sum(widths[w] for w in fits)
        widths = Counter({w: n for w, n in widths.items() if w not in fits} | {common: count})
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
    if not named:
        plain = sum(1 for c in range(1, common + 1) if c not in meta_cols)
        unread = max(0, plain - (2 if tags_col else 3))  # beyond front, back and tags
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


def _field_columns(width: int, meta_cols: set[int], labels: list[str], tags_col: int) -> _Layout:
    """The layout of a record ``width`` columns wide: every column that is
    not guid, notetype, deck or tags is a field; with ``labels``
    (``#columns:`` or ``--header``) front and back are found by Anki's
    names, and without them three field columns (and no tags column) are
    front, back and tags."""
    plain = [c for c in range(1, width + 1) if c not in meta_cols]
    fields, tags = plain, tags_col
    if labels:
        named = {labels[c - 1].lower(): c for c in plain if c - 1 < len(labels)}
        front = next((named[label] for label in named if label in _FRONT_LABELS), None)
        back = next((named[label] for label in named if label in _BACK_LABELS), None)
        if front is not None:
            fields = [front] + ([back] if back else []) + [c for c in plain if c not in (front, back)]
    elif not tags_col and len(plain) == 3:
        fields, tags = plain[:2], plain[2]  # no #columns: front, back, then tags
    if len(fields) <= 2:
        return _Layout(fields, tags)
    return _Layout(fields, tags, _field_names([labels[c - 1] if c - 1 < len(labels) else "" for c in fields]))


def _field_names(labels: list[str]) -> tuple[str, ...]:
    """Field names from the file's labels, made fit for Anki's templates
    (no ``: { } "``, no leading ``# ^ /``) and unique; "Field N" for none."""
    names: list[str] = []
    seen: set[str] = set()
    for number, label in enumerate(labels, 1):
        name = re.sub(r'[:{}"]', "", label).lstrip("#^/ \t").strip() or f"Field {number}"
        base, extra = name, 1
        while name.lower() in seen:
            extra += 1
            name = f"{base} {extra}"
        seen.add(name.lower())
        names.append(name)
    return tuple(names)


def _note_type(name: str, names: tuple[str, ...], cloze: bool, html: bool) -> NoteTypeSpec:
    """A note type for a record of more than two fields: the first field
    asks; the answer shows every later non-empty field on a line of its own
    (Anki sections, so an empty field leaves no blank line). A name saying
    "reversed" adds the reverse card (for "optional reversed", only when the
    third field, Anki's "Add Reverse", is not empty)."""

    def lines(shown: tuple[str, ...]) -> str:
        return "".join(f"{{{{#{n}}}}}{{{{{n}}}}}<br>{{{{/{n}}}}}" for n in shown)

    first, second = names[0], names[1]
    if cloze:
        template = TemplateSpec("Cloze", f"{{{{cloze:{first}}}}}", f"{{{{cloze:{first}}}}}<br>{lines(names[1:])}")
        return NoteTypeSpec(name=name, fields=names, templates=(template,), cloze=True, html=html)
    lower = name.lower()
    reverse = "revers" in lower
    optional = reverse and "optional" in lower
    shown = names[1:2] + names[3:] if optional else names[1:]
    templates = [TemplateSpec("Card 1", f"{{{{{first}}}}}", f"{{{{FrontSide}}}}<hr id=answer>{lines(shown)}")]
    if reverse:
        question = f"{{{{#{names[2]}}}}}{{{{{second}}}}}{{{{/{names[2]}}}}}" if optional else f"{{{{{second}}}}}"
        templates.append(TemplateSpec("Card 2", question, f"{{{{FrontSide}}}}<hr id=answer>{{{{{first}}}}}"))
    return NoteTypeSpec(name=name, fields=names, templates=tuple(templates), html=html)


def _note(row, columns, tags_col, meta: _Meta, line: int, default_deck: str, deck_override: str | None):  # type: ignore[no-untyped-def]
    """A front/back or cloze note from a record of one or two fields."""
    width = len(row)

    def cell(number: int) -> str:
        return row[number - 1] if 0 < number <= width else ""

    fields = [row[c - 1] if c <= width else "" for c in columns]
    if not fields:
        return "no field columns", 0
    convert = meta.convert
    front, media = convert(fields[0])
    back = ""
    if len(fields) > 1:
        back, found = convert(fields[1])
        media += found
    notetype = (cell(meta.notetype_col) if meta.notetype_col else meta.notetype or "").strip()
    tags = meta.tags + cell(tags_col).split() if tags_col else meta.tags
    deck = deck_override or (cell(meta.deck_col).strip() if meta.deck_col else "") or default_deck
    guid = (cell(meta.guid_col).strip() if meta.guid_col else "") or None
    if notetype and not notetype.isdigit():
        is_cloze, source = "cloze" in notetype.lower(), f"anki: {notetype}"
    elif notetype:  # a note type's id (as our export writes for notes from Anki): the text says if it is a cloze
        is_cloze, source = bool(cloze_ordinals(front)), "anki text"
    else:
        is_cloze, source = bool(cloze_ordinals(front)), "anki text"
    if not front or front.isspace():  # the text, not the field: media shown in place count
        return "the front is empty" + (" (only media)" if media else ""), media
    unique_tags = tuple(dict.fromkeys(tags))
    if is_cloze:
        if not cloze_ordinals(front):
            return "cloze note without a {{c1::...}} deletion", media
        spec = NoteSpec(guid, NoteKind.CLOZE, front, back, False, unique_tags, source, line, derived_source=True)
    else:
        if not back or back.isspace():
            if not meta.empty_back_ok:
                return "the back is empty", media
            back = ""
        reverse = "revers" in notetype.lower() and "optional" not in notetype.lower()
        spec = NoteSpec(guid, NoteKind.BASIC, front, back, reverse, unique_tags, source, line, derived_source=True)
    return (deck, spec), media


def _typed_note(row, layout: _Layout, meta: _Meta, line: int, default_deck: str, deck_override: str | None, note_types):  # type: ignore[no-untyped-def]
    """A note of a note type of its own from a record of more than two
    fields: every field raw, the first as text for its front, the others'
    text one a line for its back. ``note_types`` holds one NoteTypeSpec
    per name and field names, shared by the notes."""
    width = len(row)

    def cell(number: int) -> str:
        return row[number - 1] if 0 < number <= width else ""

    raw = tuple(row[c - 1] if c <= width else "" for c in layout.fields)
    convert = meta.convert
    texts = []
    media = front_media = 0
    for value in raw:
        text, found = convert(value) if value else ("", 0)
        texts.append(text)
        media += found
        front_media = front_media or found
    front = texts[0]
    if not front or front.isspace():  # the card would ask nothing
        return "the front is empty" + (" (only media)" if front_media else ""), media
    notetype = (cell(meta.notetype_col) if meta.notetype_col else meta.notetype or "").strip()
    if notetype:
        is_cloze, source, name = "cloze" in notetype.lower(), f"anki: {notetype}", notetype
    else:
        is_cloze, source = bool(cloze_ordinals(front)), "anki text"
        name = f"{'Cloze' if is_cloze else 'Text'} ({len(raw)} fields)"
    if is_cloze and not cloze_ordinals(front):
        return "cloze note without a {{c1::...}} deletion", media
    key = (name, layout.names)
    note_type = note_types.get(key)
    if note_type is None:
        note_type = note_types[key] = _note_type(name, layout.names, is_cloze, bool(meta.html))
    tags = meta.tags + cell(layout.tags).split() if layout.tags else meta.tags
    deck = deck_override or (cell(meta.deck_col).strip() if meta.deck_col else "") or default_deck
    guid = (cell(meta.guid_col).strip() if meta.guid_col else "") or None
    back = "\n".join(text for text in texts[1:] if text and not text.isspace())
    spec = NoteSpec(
        guid,
        NoteKind.TYPED,
        front,
        back,
        False,
        tuple(dict.fromkeys(tags)),
        source,
        line,
        derived_source=True,
        note_type_spec=note_type,
        fields=raw,
    )
    return (deck, spec), media
