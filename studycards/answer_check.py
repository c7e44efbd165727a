"""Typed answers: compare what was typed with the expected answer, character
by character as Anki does, and suggest a grade.

Pure functions, standard library only, no I/O.

Normalisation (what "equal under the options" means). Both strings are cut
into *chunks*: a character with the marks that follow it (Unicode category
M), emoji modifiers, and anything joined by a zero-width joiner, never
splitting a sequence that Unicode normalisation would compose (so chunk-wise
NFC is the NFC of the whole string). Each chunk is normalised on its own:

1. NFC.
2. ``ignore_space`` (default on): whitespace at either end of the answer is
   not compared and is not part of ``segments``; inside, a run of whitespace
   (any Unicode whitespace: tabs, newlines, no-break and ideographic spaces)
   counts as one space. Off: whitespace is compared as it is.
3. ``ignore_punctuation`` (default off): every punctuation character
   (Unicode category P: ``. , ; : ! ? ¿ ¡ ' " - – ( ) « »`` ...) is left out,
   wherever it is, except between two digits (``3.14``, ``1,000``, ``10:30``
   keep theirs, so ``3.14`` is not ``314``). Whitespace next to left-out
   punctuation at an end of the answer is surrounding whitespace too.
   Symbols (``$ + = %`` ...) always count.
4. ``ignore_case`` (default on): ``str.casefold`` (so ``ß`` == ``ss``,
   ``Σ``/``ς`` == ``σ``); scripts without case (CJK) are unaffected.
5. ``ignore_accents`` (default off; Anki's ``{{type:nc:Field}}``): NFD, every
   mark (category M) dropped, and the letters with strokes that have no
   decomposition mapped as Anki does (ø o, ł l, đ d, ħ h, ŧ t, ı i). This
   makes é == e, but also (as in Anki) が == か and drops Indic vowel signs.

``ratio`` is difflib's ``SequenceMatcher`` ratio (2·matches / total length)
on the normalised strings, after taking off their common beginning and end;
it is 1.0 exactly when the answers are equal under the options (two empty
answers included). If what is left to align is longer than ``ALIGN_LIMIT``
characters on either side, it is not aligned (it counts as entirely
different, so the ratio is a lower bound) and ``Comparison.limited`` says
so; ``exact`` is always decided on the whole strings.

Segments are over the original characters, whole chunks at a time: a chunk
is "same" only if all of its normalised characters matched. Characters the
options leave out (punctuation, extra spaces, lone marks) go with the
character before them (at the very start, with the one after). Every
"same" segment's ``text`` is what was *typed*; when the expected answer's
characters there differ (in case, accents, spacing, punctuation the options
ignore), they are in ``expected_text``. So, exactly, with ``body`` the
string itself, or ``str.strip()`` of it under ``ignore_space``:

    "".join(s.text for s in segments if s.kind != "missing") == body(typed)
    "".join(s.expected_text if s.expected_text is not None else s.text
            for s in segments if s.kind != "extra") == body(expected)

In a run of differences the typed characters ("extra") come before the
expected ones ("missing"), and neighbouring segments never have the same
kind (``compare_many``'s separators aside).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import unescape

__all__ = [
    "ALIGN_LIMIT",
    "RULES",
    "SEPARATOR",
    "Comparison",
    "Options",
    "Segment",
    "Thresholds",
    "compare",
    "compare_many",
    "describe_rules",
    "expected_from_html",
    "suggest",
]

ALIGN_LIMIT = 1000  # normalised characters per side that SequenceMatcher aligns (≈0.1 s at worst)
SEPARATOR = " · "  # between the answers of compare_many


@dataclass(frozen=True)
class Options:
    ignore_case: bool = True
    ignore_accents: bool = False  # Anki's {{type:nc:Field}}: compare without marks (é == e)
    ignore_space: bool = True  # surrounding whitespace, and runs of inner whitespace count as one space
    ignore_punctuation: bool = False  # all punctuation, anywhere, except between two digits


@dataclass(frozen=True)
class Thresholds:
    quick_seconds: float = 8.0  # exact and at most this long: 5
    typo_ratio: float = 0.8  # similarity at or above this (but not exact): a small typo -> 3
    close_ratio: float = 0.5  # at or above: wrong but close -> 2; below: 1 (0 for an empty answer)


@dataclass(frozen=True)
class Segment:
    kind: str  # "same" | "missing" (in the expected answer, not typed) | "extra" (typed, not expected)
    text: str  # original characters: typed ones for "same" and "extra", expected ones for "missing"
    # For "same": the expected answer's original characters when they are not
    # ``text`` (a difference the options ignore), else None.
    expected_text: str | None = None


@dataclass(frozen=True)
class Comparison:
    exact: bool  # equal under the options
    ratio: float  # similarity 0..1 under the options
    segments: tuple[Segment, ...]  # over the original characters, in order, for display
    expected: str
    typed: str
    blank: bool = False  # nothing typed: the typed answer (every one, for compare_many) is empty or whitespace
    limited: bool = False  # too long to align in full (see ALIGN_LIMIT): ratio is a lower bound


# --- chunks and normalisation ------------------------------------------------

_ZWJ = "\u200d"
_STROKES = str.maketrans("ØøĐđĦħŁłŦŧı", "OoDdHhLlTti")


def _joins_previous(ch: str, previous: str) -> bool:
    """Whether ``ch`` stays in the chunk before it, whatever normalisation does."""
    if previous.endswith(_ZWJ) or ch == _ZWJ:
        return True
    code = ord(ch)
    if 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:  # emoji modifiers, tag characters
        return True
    if unicodedata.category(ch)[0] == "M" or unicodedata.combining(ch):
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    if unicodedata.combining(decomposed[0]):
        return True  # starts with a mark once decomposed: could reorder into the previous chunk
    # a starter that composes with what comes before (Hangul jamo, some Indic vowels)
    nfc = unicodedata.normalize
    return nfc("NFC", previous + ch) != nfc("NFC", previous) + nfc("NFC", ch)


def _chunks(text: str) -> list[str]:
    if text.isascii():
        return list(text)
    chunks: list[str] = []
    for ch in text:
        if chunks and ch >= "\x80" and _joins_previous(ch, chunks[-1]):
            chunks[-1] += ch
        else:
            chunks.append(ch)
    return chunks


def _is_punctuation(chunk: str) -> bool:
    return unicodedata.category(chunk[0])[0] == "P"


def _is_digit(chunk: str) -> bool:
    return chunk[0].isdecimal()


def _fold(nfc: str, options: Options) -> str:
    text = nfc
    if options.ignore_case:
        text = text.casefold()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
    if options.ignore_accents and not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c)[0] != "M")
        text = unicodedata.normalize("NFC", text.translate(_STROKES))
    return text


@dataclass
class _Side:
    body: str  # the compared part of the original
    units: list[str]  # original text of each unit (concatenated: body, if there are any units)
    norm: str  # normalised text
    starts: list[int]  # where each unit starts in norm
    unit_at: list[int]  # for each position 0..len(norm): the unit starting at or containing it (len(units) at the end)
    bound: list[bool]  # for each position 0..len(norm): a unit starts there (or it is the end)


def _side(text: str, options: Options) -> _Side:
    body = text.strip() if options.ignore_space else text
    chunks = _chunks(body)
    nfcs = [c if c.isascii() else unicodedata.normalize("NFC", c) for c in chunks]
    norms: list[str] = []
    spaces: list[bool] = []
    for index, nfc in enumerate(nfcs):
        space = options.ignore_space and nfc.isspace()
        spaces.append(space)
        if space:
            norms.append(" ")
        elif (
            options.ignore_punctuation
            and _is_punctuation(nfc)
            and not (0 < index < len(nfcs) - 1 and _is_digit(nfcs[index - 1]) and _is_digit(nfcs[index + 1]))
        ):
            norms.append("")
        else:
            norms.append(_fold(nfc, options))
    if options.ignore_space:
        # Runs of whitespace (with left-out characters between) count as one
        # space; whitespace before the first or after the last character that
        # counts is surrounding whitespace.
        counted = [i for i, n in enumerate(norms) if n and not spaces[i]]
        first, last = (counted[0], counted[-1]) if counted else (len(norms), -1)
        previous_space = False
        for i, n in enumerate(norms):
            if spaces[i]:
                if i < first or i > last or previous_space:
                    norms[i] = ""
                previous_space = True
            elif n:
                previous_space = False
    units: list[str] = []
    unit_norms: list[str] = []
    leading = ""
    for chunk, n in zip(chunks, norms):
        if n:
            units.append(leading + chunk)
            unit_norms.append(n)
            leading = ""
        elif units:
            units[-1] += chunk
        else:
            leading += chunk
    starts: list[int] = []
    unit_at: list[int] = []
    bound: list[bool] = []
    pos = 0
    for number, n in enumerate(unit_norms):
        starts.append(pos)
        unit_at.extend([number] * len(n))
        bound.append(True)
        bound.extend([False] * (len(n) - 1))
        pos += len(n)
    unit_at.append(len(units))
    bound.append(True)
    return _Side(body, units, "".join(unit_norms), starts, unit_at, bound)


# --- alignment ---------------------------------------------------------------


def _matching_blocks(a: str, b: str) -> tuple[list[tuple[int, int, int]], bool]:
    """Matching blocks (i, j, size) of the normalised strings, in order, and
    whether the middle was too long to align."""
    la, lb = len(a), len(b)
    shortest = min(la, lb)
    prefix = 0
    while prefix < shortest and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and a[la - 1 - suffix] == b[lb - 1 - suffix]:
        suffix += 1
    blocks: list[tuple[int, int, int]] = []
    if prefix:
        blocks.append((0, 0, prefix))
    mid_a, mid_b = a[prefix : la - suffix], b[prefix : lb - suffix]
    limited = False
    if mid_a and mid_b:
        if len(mid_a) > ALIGN_LIMIT or len(mid_b) > ALIGN_LIMIT:
            limited = True
        else:
            matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
            blocks.extend((prefix + i, prefix + j, n) for i, j, n in matcher.get_matching_blocks() if n)
    if suffix:
        blocks.append((la - suffix, lb - suffix, suffix))
    merged: list[tuple[int, int, int]] = []
    for i, j, n in blocks:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return merged, limited


class _Segments:
    def __init__(self) -> None:
        self.out: list[Segment] = []

    def add(self, kind: str, text: str, expected_text: str | None = None) -> None:
        if kind == "same":
            if expected_text is None:
                expected_text = text
            if not text and not expected_text:
                return
        elif not text:
            return
        last = self.out[-1] if self.out else None
        if last is not None and last.kind == kind:
            if kind == "same":
                expected_text = (last.expected_text if last.expected_text is not None else last.text) + expected_text
            text = last.text + text
            self.out.pop()
        if kind == "same":
            self.out.append(Segment("same", text, None if expected_text == text else expected_text))
        else:
            self.out.append(Segment(kind, text))


def _segments(typed: _Side, expected: _Side, blocks: list[tuple[int, int, int]]) -> tuple[Segment, ...]:
    out = _Segments()
    if not typed.units or not expected.units:
        if not typed.units and not expected.units:
            out.add("same", typed.body, expected.body)  # both nothing but left-out characters: equal
        else:
            out.add("extra", typed.body)
            out.add("missing", expected.body)
        return tuple(out.out)
    ta, eb = 0, 0  # next typed and expected units not yet shown

    def group(a0: int, a1: int, b0: int, b1: int) -> None:
        nonlocal ta, eb
        u0, u1 = typed.unit_at[a0], typed.unit_at[a1]
        v0, v1 = expected.unit_at[b0], expected.unit_at[b1]
        out.add("extra", "".join(typed.units[ta:u0]))
        out.add("missing", "".join(expected.units[eb:v0]))
        out.add("same", "".join(typed.units[u0:u1]), "".join(expected.units[v0:v1]))
        ta, eb = u1, v1

    for i, j, n in blocks:
        previous = None
        for k in range(n + 1):
            if typed.bound[i + k] and expected.bound[j + k]:
                if previous is not None:
                    group(i + previous, i + k, j + previous, j + k)
                previous = k
    out.add("extra", "".join(typed.units[ta:]))
    out.add("missing", "".join(expected.units[eb:]))
    return tuple(out.out)


def _compare(typed: str, expected: str, options: Options) -> tuple[Comparison, int, int]:
    """The comparison, its matched normalised characters and their total length."""
    a, b = _side(typed, options), _side(expected, options)
    same = a.norm == b.norm
    exact = same
    nfc_typed, nfc_expected = unicodedata.normalize("NFC", typed), unicodedata.normalize("NFC", expected)
    if not same and (nfc_typed != typed or nfc_expected != expected):
        # units cut before composing can differ from the composed text's (a
        # joiner before a decomposed letter): equality is decided on the
        # composed strings, as the module's description says
        exact = _side(nfc_typed, options).norm == _side(nfc_expected, options).norm
    if same:
        blocks, limited = ([(0, 0, len(a.norm))] if a.norm else []), False
    else:
        blocks, limited = _matching_blocks(a.norm, b.norm)
    matched = sum(n for _, _, n in blocks)
    total = len(a.norm) + len(b.norm)
    ratio = 1.0 if exact else 2.0 * matched / total
    comparison = Comparison(
        exact=exact,
        ratio=ratio,
        segments=_segments(a, b, blocks),
        expected=expected,
        typed=typed,
        blank=not typed.strip(),
        limited=limited,
    )
    return comparison, matched, total


def compare(typed: str, expected: str, options: Options = Options()) -> Comparison:
    """Compare a typed answer with the expected one (see the module's
    description for the normalisation and the segments)."""
    return _compare(typed, expected, options)[0]


def compare_many(typed: list[str], expected: list[str], options: Options = Options()) -> Comparison:
    """Cloze cards with several deletions of the same number take one answer per deletion: compare pairwise and combine
    (exact only if all exact; ratio by total length; segments joined with a Segment('same', ' · ') separator).

    If the lists differ in length the shorter is padded with empty answers.
    ``typed`` and ``expected`` of the result are the answers joined with
    ``SEPARATOR``; ``blank`` only if every typed answer is blank."""
    count = max(len(typed), len(expected))
    typed = list(typed) + [""] * (count - len(typed))
    expected = list(expected) + [""] * (count - len(expected))
    parts = [_compare(t, e, options) for t, e in zip(typed, expected)]
    segments: list[Segment] = []
    for number, (part, _, _) in enumerate(parts):
        if number:
            segments.append(Segment("same", SEPARATOR))
        segments.extend(part.segments)
    matched = sum(m for _, m, _ in parts)
    total = sum(t for _, _, t in parts)
    exact = all(part.exact for part, _, _ in parts)
    return Comparison(
        exact=exact,
        ratio=1.0 if exact else 2.0 * matched / total,  # not exact: some part is non-empty
        segments=tuple(segments),
        expected=SEPARATOR.join(expected),
        typed=SEPARATOR.join(typed),
        blank=all(part.blank for part, _, _ in parts),
        limited=any(part.limited for part, _, _ in parts),
    )


# --- the suggested grade -----------------------------------------------------


def suggest(comparison: Comparison, seconds: float, thresholds: Thresholds = Thresholds()) -> int:
    """exact and quick -> 5; exact but slow -> 4; a small typo (ratio >= typo_ratio) -> 3; wrong but close
    (>= close_ratio) -> 2; wrong -> 1; nothing typed -> 0.

    Quick is ``seconds <= quick_seconds`` (a NaN time is slow). An exact
    answer wins over a blank one (an empty expected answer, typed empty)."""
    if comparison.exact:
        return 5 if seconds <= thresholds.quick_seconds else 4
    if comparison.blank:
        return 0
    if comparison.ratio >= thresholds.typo_ratio:
        return 3
    if comparison.ratio >= thresholds.close_ratio:
        return 2
    return 1


def _number(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else str(value)


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%" if math.isfinite(value) else str(value)


def describe_rules(thresholds: Thresholds = Thresholds()) -> str:
    """RULES for the given thresholds (they are user settings)."""
    return (
        "Suggested grade for a typed answer (Enter accepts it; a grade 0-5 overrides it):\n"
        f"  5  right, in {_number(thresholds.quick_seconds)} seconds or less\n"
        f"  4  right, but slower\n"
        f"  3  a small typo: at least {_percent(thresholds.typo_ratio)} alike\n"
        f"  2  wrong, but close: at least {_percent(thresholds.close_ratio)} alike\n"
        "  1  wrong\n"
        "  0  nothing typed\n"
        "Right means equal apart from case and extra spaces (and accents or\n"
        "punctuation where the card or settings say so). Alike is the share of\n"
        "characters that line up between your answer and the expected one."
    )


RULES = describe_rules()


# --- the expected answer from an Anki field ----------------------------------

_SCRIPT = re.compile(r"<(script|style)\b[^<>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_BREAKING = re.compile(
    r"</?(?:br|p|div|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|tfoot|caption|h[1-6]|hr|pre|blockquote|"
    r"section|article|aside|header|footer|nav|main|figure|figcaption|address|details|summary)\b[^<>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_SOUND = re.compile(r"\[sound:[^\[\]]*\]")


def expected_from_html(text: str) -> str:
    """An Anki field's answer as plain text for comparison, as Anki's typed
    answers read it: scripts, styles, comments and tags go (line-breaking
    tags such as ``<br>``, ``<div>``, ``<li>`` leave a space; images and
    other media leave nothing), ``[sound:...]`` references go, entities are
    decoded, and whitespace (no-break spaces included) collapses to single
    spaces with none at the ends. Maths stays as written."""
    if "<" in text:
        text = _SCRIPT.sub("", text)
        text = _COMMENT.sub("", text)
        text = _BREAKING.sub(" ", text)
        text = _TAG.sub("", text)
    if "[sound:" in text:
        text = _SOUND.sub(" ", text)
    if "&" in text:
        text = unescape(text)
    return " ".join(text.split())
