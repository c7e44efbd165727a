"""The review screen's layout: wrapped card text, the header, the legends.

Pure functions, strings in and strings out: the terminal loop measures the
terminal, picks a ``Style`` (``Style.detect``) and prints what these return.
Widths are display columns (``wcwidth``): a CJK character or an emoji takes
two, a combining mark none.

Card text may carry highlight marks (``HL_OPEN`` ... ``HL_CLOSE``) around a
revealed cloze deletion or the question's ``[...]`` blank. They take no
width; ``render_marks`` turns them into bold colour on a terminal and
``[brackets]`` otherwise, ``unmark`` into brackets for plain outputs.

Typical use on the review screen::

    style = Style.detect(sys.stdout.isatty(), os.environ)
    columns = min(terminal_width, MEASURE)
    print(header(deck, "3/40", due, new, redrill, columns, style))
    for line in card_lines(text, columns, style):
        print(line)
    print(preview_line(intervals, columns, style))
    print(keys_line(columns, style, media=has_media))
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping



class _LazyWcwidth:
    """wcwidth, imported on the first text that is not plain ASCII (about
    17 ms: a review of ASCII cards never pays it)."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        import wcwidth

        globals()["_wcwidth"] = wcwidth
        return getattr(wcwidth, name)


_wcwidth = _LazyWcwidth()

# Around a highlighted span of card text. Private-use characters, which no
# card text has and no conversion touches.
from studycards.text import HL_CLOSE, HL_OPEN  # one definition: the marks cards carry  # noqa: E402

MEASURE = 100  # the widest a line of card text gets
MIN_COLUMNS = 10  # wrap never works narrower than this
TAB_SIZE = 4  # tabs in card text (code) become spaces to the next multiple of this

ELLIPSIS = "…"
_MARKS = HL_OPEN + HL_CLOSE

# Escape sequences take no columns (``width`` of a styled string is what the
# terminal shows): CSI, OSC/DCS/... strings, two-character escapes.
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_].*?(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]",
    re.DOTALL,
)
# Zero-width pieces kept whole when text is cut: escapes and marks.
_ATOMS = re.compile(_ESCAPE.pattern + "|[" + _MARKS + "]", re.DOTALL)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL, C1: no columns
_CONTROL_NOT_TAB_NL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# ---------------------------------------------------------------- style


_COLORS = {
    "black": 30, "red": 31, "green": 32, "yellow": 33,
    "blue": 34, "magenta": 35, "cyan": 36, "white": 37,
    "bright_black": 90, "bright_red": 91, "bright_green": 92, "bright_yellow": 93,
    "bright_blue": 94, "bright_magenta": 95, "bright_cyan": 96, "bright_white": 97,
}  # fmt: skip
HIGHLIGHT_COLOR = "cyan"  # a revealed cloze answer (bold too)
DUE_COLOR, NEW_COLOR, REDRILL_COLOR = "green", "bright_blue", "red"  # Anki's review / new / learning colours


@dataclass(frozen=True)
class Style:
    """How output is decorated. ``color=False``: no escape codes at all."""

    color: bool

    @classmethod
    def detect(cls, is_terminal: bool, environ: Mapping[str, str]) -> Style:
        """Colour only on a terminal, never when ``NO_COLOR`` is set (to
        anything but the empty string) or ``TERM`` is ``dumb``. Pure: the
        caller passes ``sys.stdout.isatty()`` and ``os.environ``."""
        return cls(bool(is_terminal) and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb")

    def bold(self, s: str) -> str:
        return f"\x1b[1m{s}\x1b[22m" if self.color and s else s

    def dim(self, s: str) -> str:
        return f"\x1b[2m{s}\x1b[22m" if self.color and s else s

    def fg(self, s: str, name: str) -> str:
        """``s`` in the foreground colour ``name`` (a key of ``_COLORS``,
        e.g. "red", "bright_blue"; an unknown name leaves ``s`` as it is)."""
        code = _COLORS.get(name)
        return f"\x1b[{code}m{s}\x1b[39m" if self.color and s and code else s

    def highlight(self, s: str) -> str:
        """A highlighted span (the marks' look on a terminal)."""
        return self.bold(self.fg(s, HIGHLIGHT_COLOR))


PLAIN = Style(color=False)


# ---------------------------------------------------------------- measuring


def width(text: str) -> int:
    """Display columns of one line: marks, escape sequences and control
    characters (newline and tab included) take none; never negative."""
    if text.isascii() and text.isprintable():
        return len(text)  # the common case
    if "\x1b" in text:
        text = _ESCAPE.sub("", text)
    if HL_OPEN in text or HL_CLOSE in text:
        text = text.replace(HL_OPEN, "").replace(HL_CLOSE, "")
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    w = _wcwidth.wcswidth(text)
    if w < 0:  # a character wcwidth calls unprintable: it takes no column
        w = sum(max(0, _wcwidth.wcwidth(c)) for c in text)
    return w




def _graphemes_fallback(text: str) -> Iterator[str]:
    """User-perceived characters for wcwidth versions without
    ``iter_graphemes``: a base character with its combining marks, variation
    selectors and emoji modifiers, ZWJ-joined emoji, regional-indicator pairs."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        regional = 0x1F1E6 <= ord(text[i]) <= 0x1F1FF
        if regional and j < n and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF:
            j += 1
        while j < n:
            c = text[j]
            o = ord(c)
            if c == "\u200d":
                j += 2 if j + 1 < n else 1
            elif (
                unicodedata.combining(c)
                or unicodedata.category(c) in ("Mn", "Me", "Mc")
                or 0xFE00 <= o <= 0xFE0F
                or 0x1F3FB <= o <= 0x1F3FF
                or 0xE0020 <= o <= 0xE007F
                or (o >= 0x20 and c not in _MARKS and _wcwidth.wcwidth(c) == 0 and c != "\u200b")
            ):
                j += 1
            else:
                break
        yield text[i:j]
        i = j


def _graphemes(text: str) -> Iterator[str]:
    if text.isascii():
        yield from text
    elif getattr(_wcwidth, "iter_graphemes", None) is not None:
        yield from _wcwidth.iter_graphemes(text)
    else:  # pragma: no cover - older wcwidth
        yield from _graphemes_fallback(text)


def _units(text: str) -> Iterator[str]:
    """``text`` as the pieces it may be cut between: escape sequences and
    marks one by one, the rest as grapheme clusters."""
    pos = 0
    if "\x1b" in text or HL_OPEN in text or HL_CLOSE in text:
        for m in _ATOMS.finditer(text):
            if m.start() > pos:
                yield from _graphemes(text[pos : m.start()])
            yield m.group()
            pos = m.end()
    if pos < len(text):
        yield from _graphemes(text[pos:])


def fit(text: str, columns: int) -> str:
    """One line shortened to at most ``columns`` columns, ending in '…' when
    it was cut (never in the middle of a character). Marks cut open are
    closed again; a styled line that is cut ends with a reset."""
    if width(text) <= columns:
        return text
    if columns <= 0:
        return ""
    room = columns - 1  # for the ellipsis
    kept: list[str] = []
    used = 0
    for unit in _units(text):
        w = 0 if unit[0] in _MARKS or unit[0] == "\x1b" else width(unit)
        if used + w > room:
            break
        kept.append(unit)
        used += w
    while kept and kept[-1] == " ":
        kept.pop()
    out = "".join(kept) + ELLIPSIS
    if _mark_open_at_end(out):
        out += HL_CLOSE
    if "\x1b" in out:
        out += "\x1b[0m"
    return out


def _mark_open_at_end(text: str) -> bool:
    return text.rfind(HL_OPEN) > text.rfind(HL_CLOSE)


# ---------------------------------------------------------------- wrapping

# Kinsoku: CJK punctuation that must not start a line, and that must not end one.
_NO_LINE_START = set("、。，．・：；？！゛゜ヽヾゝゞ々ー）］｝〕〉》」』】〙〗〟｠»’”‰℃ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ")
_NO_LINE_END = set("（［｛〔〈《「『【〘〖〝｟«‘“")
_BULLET = re.compile(r"(?:[-*+•‣◦▪–]|\d{1,3}[.)]|[a-zA-Z][.)]) +(?=[^ ])")
_OPEN_THEN_SPACES = re.compile(f"({HL_OPEN}+)( +)")
_SPACES_THEN_CLOSE = re.compile(f"( +)({HL_CLOSE}+)")
_WORD = re.compile(r"( *)([^ ]+)")


def _clusters(word: str) -> list[tuple[str, int]]:
    """A word's grapheme clusters with their widths; an opening mark goes
    with the cluster after it, a closing mark with the one before."""
    out: list[tuple[str, int]] = []
    pending = ""
    for unit in _units(word):
        if unit == HL_OPEN:
            pending += unit
        elif unit == HL_CLOSE:
            if pending or not out:
                pending += unit
            else:
                text, w = out[-1]
                out[-1] = (text + unit, w)
        else:
            out.append((pending + unit, width(unit)))
            pending = ""
    if pending:
        if out:
            text, w = out[-1]
            out[-1] = (text + pending, w)
        else:
            out.append((pending, 0))
    return out


def _pieces(word: str) -> list[tuple[str, str, int]]:
    """A space-free word as (separator, piece, width) triples: one piece,
    unless it holds wide (CJK) characters, which may break between any two
    of them (not before closing punctuation, not after opening)."""
    if word.isascii() or max(word) < "\u1100":
        return [("", word, width(word))]
    clusters = _clusters(word)
    pieces: list[tuple[str, str, int]] = []
    text, w = clusters[0]
    for (prev, prev_w), (cur, cur_w) in zip(clusters, clusters[1:]):
        if (
            prev_w == 2
            and cur_w == 2
            and prev.strip(_MARKS)[-1:] not in _NO_LINE_END
            and cur.strip(_MARKS)[:1] not in _NO_LINE_START
        ):
            pieces.append(("", text, w))
            text, w = cur, cur_w
        else:
            text += cur
            w += cur_w
    pieces.append(("", text, w))
    return pieces


def _wrap_line(line: str, columns: int) -> list[str]:
    """One input line (no newline, tabs expanded) as wrapped lines; marks
    are left as they are (``wrap`` closes and reopens them)."""
    stripped = line.lstrip(" ")
    if not stripped:
        return [""]
    indent = min(len(line) - len(stripped), columns // 2)
    hang = indent
    bullet = _BULLET.match(stripped)
    if bullet and indent + width(bullet.group()) <= columns // 2:
        hang = indent + width(bullet.group())
    if width(stripped) + indent <= columns:
        return [" " * indent + stripped]  # the common case: it fits
    units: list[tuple[str, str, int]] = []
    for m in _WORD.finditer(stripped):
        pieces = _pieces(m.group(2))
        units.append((m.group(1), pieces[0][1], pieces[0][2]))
        units.extend(pieces[1:])
    out: list[str] = []
    cur: list[str] = [" " * indent]
    cur_w, has = indent, False

    def new_line() -> None:
        nonlocal cur, cur_w, has
        out.append("".join(cur))
        cur, cur_w, has = [" " * hang], hang, False

    for sep, piece, w in units:
        if has and cur_w + len(sep) + w <= columns:
            cur += (sep, piece)
            cur_w += len(sep) + w
            continue
        if has:
            new_line()
        if cur_w + w <= columns:
            cur.append(piece)
            cur_w += w
            has = True
            continue
        for cluster, cw in _clusters(piece):  # longer than a whole line: split by columns
            if has and cur_w + cw > columns:
                new_line()
            cur.append(cluster)
            cur_w += cw
            has = True
    out.append("".join(cur))
    if any(width(line) > columns for line in out):
        out = _exact(out, columns, hang)
    return out


def _exact(lines: list[str], columns: int, hang: int) -> list[str]:
    """Lines re-cut by measuring each whole line: for the rare sequence
    whose width is not the sum of its clusters' (a joiner or variation
    selector split from its emoji by a mark)."""
    out: list[str] = []
    for line in lines:
        if width(line) <= columns:
            out.append(line)
            continue
        cur = ""
        for unit in _units(line):
            if cur.strip(" " + _MARKS) and width(cur + unit) > columns:
                out.append(cur.rstrip(" "))
                cur = " " * hang
                if unit == " ":
                    continue
            cur += unit
        out.append(cur.rstrip(" "))
    return out


def _close_and_reopen(lines: list[str]) -> list[str]:
    """Each line's part of a highlighted span marked on that line: a span
    still open at the end of a line is closed there and reopened before the
    next line's first character. Redundant marks are dropped."""
    out: list[str] = []
    state = False  # inside a span
    for line in lines:
        if not state and HL_OPEN not in line and HL_CLOSE not in line:
            out.append(line)
            continue
        chars: list[str] = []
        shown = False  # an HL_OPEN for the current span is on this line
        for ch in line:
            if ch == HL_OPEN:
                if not state:
                    state = shown = True
                    chars.append(ch)
            elif ch == HL_CLOSE:
                if state:
                    if shown:
                        chars.append(ch)
                    state = shown = False
            else:
                if state and not shown and ch != " ":
                    chars.append(HL_OPEN)
                    shown = True
                chars.append(ch)
        while chars and chars[-1] == " ":
            chars.pop()
        if shown and chars and chars[-1] == HL_OPEN:
            chars.pop()  # the span's text starts on the next line
            shown = False
            while chars and chars[-1] == " ":
                chars.pop()
        if shown:
            chars.append(HL_CLOSE)
        out.append("".join(chars))
    return out


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` display columns (``columns`` is clamped
    to MIN_COLUMNS..MEASURE). Wraps at spaces (runs of spaces inside a line
    are kept, those at a break dropped); keeps existing line breaks and blank
    lines; keeps a line's leading indentation (tabs become spaces) and indents
    its continuation lines the same (under the text after a list bullet),
    as long as that leaves half the line; a word longer than a line is split
    by columns, between grapheme clusters; CJK text may break between any two
    wide characters (not before closing punctuation). A word that fits on a
    line is never split.

    Marks take no width and stay with their text; a span wrapped over lines
    is closed at the end of each line and reopened on the next, so each
    line's part is marked. Without colour use ``card_lines`` (or
    ``wrap(unmark(text), ...)``) so the brackets are measured too."""
    columns = max(MIN_COLUMNS, min(columns, MEASURE))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isprintable():
        text = _CONTROL_NOT_TAB_NL.sub("", text)
    lines: list[str] = []
    for line in text.split("\n"):
        if "\t" in line:
            line = line.expandtabs(TAB_SIZE)
        if HL_OPEN in line or HL_CLOSE in line:
            # marks stay with the text, not with the spaces next to it
            line = _OPEN_THEN_SPACES.sub(r"\2\1", line)
            line = _SPACES_THEN_CLOSE.sub(r"\2\1", line)
        lines.extend(_wrap_line(line.rstrip(" "), columns))
    if HL_OPEN in text or HL_CLOSE in text:
        lines = _close_and_reopen(lines)
    return lines


# ---------------------------------------------------------------- marks


def _spans(text: str) -> Iterator[tuple[bool, str]]:
    """``text`` as (highlighted, part) pairs; an unclosed span ends with the
    text, a stray close mark is dropped."""
    pos, n = 0, len(text)
    while pos < n:
        start = text.find(HL_OPEN, pos)
        if start < 0:
            yield False, text[pos:].replace(HL_CLOSE, "")
            return
        if start > pos:
            yield False, text[pos:start].replace(HL_CLOSE, "")
        end = text.find(HL_CLOSE, start + 1)
        if end < 0:
            end = n
        yield True, text[start + 1 : end].replace(HL_OPEN, "")
        pos = end + 1


def _bracket(part: str) -> str:
    return part if part.startswith("[") and part.endswith("]") and len(part) > 1 else f"[{part}]"


def render_marks(line: str, style: Style) -> str:
    """A (wrapped) line with its highlighted spans in bold colour
    (``style.color``) or between ``[`` ``]``; a span whose text already starts
    with '[' and ends with ']' (the question's ``[...]`` or ``[hint]`` blank)
    gets no extra brackets."""
    if HL_OPEN not in line and HL_CLOSE not in line:
        return line
    out = []
    for marked, part in _spans(line):
        if not marked:
            out.append(part)
        elif style.color:
            out.append(style.highlight(part))
        else:
            out.append(_bracket(part))
    return "".join(out)


def unmark(text: str) -> str:
    """Highlighted spans as ``[text]`` (the ``render_marks`` bracket rule),
    for plain outputs: listings, JSON, piped review."""
    if HL_OPEN not in text and HL_CLOSE not in text:
        return text
    return "".join(_bracket(part) if marked else part for marked, part in _spans(text))


def card_lines(text: str, columns: int, style: Style) -> list[str]:
    """Card text ready to print: wrapped to ``columns`` (clamped as in
    ``wrap``) with its marks rendered. Without colour the brackets are put in
    before wrapping, so they are measured (and a span wrapped over two lines
    reads ``[New`` / ``York]``)."""
    if style.color:
        return [render_marks(line, style) for line in wrap(text, columns)]
    return wrap(unmark(text), columns)


# ---------------------------------------------------------------- screen lines

# A line is built from pieces (text, styler) so its width is measured on the
# plain text and the styles are applied only at the end.
_Piece = tuple[str, Callable[[str], str]]


def _plain(s: str) -> str:
    return s


def _pieces_width(pieces: list[_Piece]) -> int:
    return sum(width(text) for text, _ in pieces)


def _join(pieces: list[_Piece]) -> str:
    return "".join(styler(text) for text, styler in pieces if text)


def _first_fitting(forms: list[list[_Piece]], columns: int) -> str:
    """The first form that fits ``columns``; else the last one cut to fit."""
    for pieces in forms:
        if _pieces_width(pieces) <= columns:
            return _join(pieces)
    return fit(_join(forms[-1]), columns)


def _separated(items: list[list[_Piece]], sep: _Piece) -> list[_Piece]:
    out: list[_Piece] = []
    for i, item in enumerate(items):
        if i:
            out.append(sep)
        out.extend(item)
    return out


def _shorten_deck(deck: str, room: int) -> str:
    """A deck name in ``room`` columns: a nested name ("A::B::C") first loses
    its leading parents ("…::B::C"), then the rest is cut with '…'."""
    if width(deck) <= room:
        return deck
    parts = deck.split("::")
    for i in range(1, len(parts)):
        candidate = ELLIPSIS + "::" + "::".join(parts[i:])
        if width(candidate) <= room:
            return candidate
    return fit(parts[-1] if len(parts) > 1 else deck, room)


_RULE = "─"


def header(deck: str, position: str, due: int, new: int, redrill: int, columns: int, style: Style) -> str:
    """One line: ``── DECK · POSITION ──`` on the left, the three counts on
    the right, a rule between, filling ``min(columns, MEASURE)`` columns:

    ``── Spanish · 3/40 ─────────────── 12 due · 5 new · 1 re-drill``

    Narrower, the deck name is shortened first (nested names lose their
    parents: ``…::Verbs``), then the counts lose their words
    (``12 · 5 · 1``, in Anki's order and colours), then the rules go, then
    the deck name; never wider than ``columns``."""
    columns = min(columns, MEASURE)
    if columns <= 0:
        return ""
    dim = style.dim

    def count(n: int, color: str) -> Callable[[str], str]:
        return dim if n == 0 else (lambda s: style.fg(s, color))

    numbers = [(due, DUE_COLOR, "due"), (new, NEW_COLOR, "new"), (redrill, REDRILL_COLOR, "re-drill")]
    worded = _separated([[(str(n), count(n, c)), (" " + word, _plain)] for n, c, word in numbers], (" · ", dim))
    short = _separated([[(str(n), count(n, c))] for n, c, _ in numbers], (" · ", dim))
    pos: list[_Piece] = [(" · ", dim), (position, _plain)] if position else []

    def framed(counts: list[_Piece], min_deck: int) -> str | None:
        fixed = 3 + _pieces_width(pos) + 3 + 1 + _pieces_width(counts)  # "── ", " ──", " "
        room = columns - fixed
        if room < min(min_deck, width(deck)):
            return None
        name = _shorten_deck(deck, room)
        fill = columns - fixed - width(name)
        pieces = [(_RULE * 2 + " ", dim), (name, style.bold), *pos, (" " + _RULE * (2 + fill), dim), (" ", _plain)]
        return _join(pieces + counts)

    for counts, min_deck in ((worded, 12), (short, 6)):
        line = framed(counts, min_deck)
        if line is not None:
            return line
    # no room for the rules: "deck · pos 12 · 5 · 1", then "pos 12 · 5 · 1"
    fixed = _pieces_width(pos) + 1 + _pieces_width(short)
    if columns - fixed >= min(3, width(deck)):
        name = _shorten_deck(deck, columns - fixed)
        return _join([(name, style.bold), *pos, (" ", _plain), *short])
    tail: list[_Piece] = [(position, _plain), (" ", _plain), *short] if position else short
    return _first_fitting([tail, short], columns)


# What each grade means, in the words of the README's legend, shortened.
GRADE_WORDS = {0: "wrong", 1: "wrong", 2: "wrong", 3: "hard", 4: "hesitated", 5: "perfect"}
_FAIL_BELOW = 3  # grades 0-2 are wrong answers


def _grade_groups(intervals: dict[int, str], fails_only: bool) -> list[tuple[int, int, str]]:
    """Consecutive grades doing the same thing, as (first, last, interval):
    among the wrong grades only, or (``fails_only=False``) any."""
    groups: list[tuple[int, int, str]] = []
    for grade in sorted(intervals):
        text = intervals[grade]
        if groups:
            first, last, prev = groups[-1]
            same_kind = not fails_only or (first < _FAIL_BELOW and grade < _FAIL_BELOW)
            if last == grade - 1 and prev == text and same_kind:
                groups[-1] = (first, grade, text)
                continue
        groups.append((grade, grade, text))
    return groups


def preview_line(intervals: dict[int, str], columns: int, style: Style) -> str:
    """The grades and what each would do, the first form that fits:

    ``0-2 wrong 1d · 3 hard 4d · 4 hesitated 6d · 5 perfect 8d``   (words)
    ``0-2 1d · 3 4d · 4 6d · 5 8d``                                (numbers)
    ``0-5 1d`` / ``0-2:1d 3:4d 4:6d 5:8d``   (any equal neighbours grouped; compact)

    Wrong grades (0-2) doing the same are grouped as ``0-2``; the grade
    numbers are bold, the words dim. Never wider than ``columns``."""
    if not intervals or columns <= 0:
        return ""

    def label(first: int, last: int) -> str:
        return str(first) if first == last else f"{first}-{last}"

    def word(first: int, last: int) -> str:
        if first == last:
            return "blackout" if first == 0 else GRADE_WORDS.get(first, "")
        return GRADE_WORDS.get(first, "") if GRADE_WORDS.get(first) == GRADE_WORDS.get(last) else ""

    by_fails = _grade_groups(intervals, fails_only=True)
    by_all = _grade_groups(intervals, fails_only=False)
    sep = (" · ", style.dim)
    forms = [
        _separated(
            [
                [(label(f, l), style.bold)]
                + ([(" " + word(f, l), style.dim)] if word(f, l) else [])
                + ([(" " + t, _plain)] if t else [])
                for f, l, t in by_fails
            ],
            sep,
        ),
        _separated([[(label(f, l), style.bold), (" " + t, _plain)] for f, l, t in by_fails], sep),
        _separated([[(label(f, l), style.bold), (" " + t, _plain)] for f, l, t in by_all], sep),
        _separated([[(label(f, l), style.bold), (":" + t, _plain)] for f, l, t in by_all], (" ", _plain)),
    ]
    return _first_fitting(forms, columns)


def keys_line(columns: int, style: Style, media: bool = False) -> str:
    """The other keys, the first form that fits:

    ``u undo · s bury · o media · q quit · ? help``
    ``u undo  s bury  o media  q quit  ? help``
    ``u s o q ?``

    (``o media`` only with ``media``); keys bold, words dim."""
    if columns <= 0:
        return ""
    keys = [("u", "undo"), ("s", "bury")] + ([("o", "media")] if media else []) + [("q", "quit"), ("?", "help")]
    worded = [[(k, style.bold), (" " + w, style.dim)] for k, w in keys]
    forms = [
        _separated(worded, (" · ", style.dim)),
        _separated(worded, ("  ", _plain)),
        _separated([[(k, style.bold)] for k, _ in keys], (" ", _plain)),
    ]
    return _first_fitting(forms, columns)


def echo_line(grade: int, due_text: str, style: Style) -> str:
    """What was just done: ``4 · next in 15 days`` (``due_text`` as the caller
    words it). The grade is red when wrong, yellow for 3 (re-drilled), green
    from 4."""
    color = "red" if grade < _FAIL_BELOW else "yellow" if grade == _FAIL_BELOW else "green"
    text = style.bold(style.fg(str(grade), color))
    return f"{text}{style.dim(' · ')}{due_text}" if due_text else text
