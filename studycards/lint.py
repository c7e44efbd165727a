"""``studycards lint``: check cards against Piotr Woźniak's "Twenty rules of
formulating knowledge" (SuperMemo, 1999), in a linter's conventions.

Each finding is one line, ``path:line: rule: message`` (``path: rule:
message`` for a deck from the collection, which has no lines; the message
always names the note's id). The rules, each with the principle it comes
from (Woźniak's rule numbers):

``near-duplicate`` (rule 11, combat interference)
    Two notes whose prompts are at least 90% alike and whose answers are at
    least 75% alike (rapidfuzz's ``ratio``, on lower-cased text without
    punctuation), prompts at least 95% alike whatever the answers (the same
    question twice, or two questions a word apart with different answers,
    "most" and "least": easily confused), or one note the exact reverse of
    another. The finding is on the later note and names the
    earlier one. Candidates come from an index of the prompts' words (rarest
    first: two prompts 90% alike share at least half their words), so ten
    thousand notes take a second, not the 50 million comparisons of every
    pair; words in more than 5% of the prompts (and over 200) are not
    indexed, so two notes made of nothing but such words are compared only
    when their prompts are identical. A cloze note's prompt is its text with
    the deletions filled in, its answer the deleted parts. (Deliberate
    redundancy, rule 17, is a different wording of the same fact: it is not
    90% alike.)

``answer-in-prompt`` (rule 12, optimize wording; rule 11 across cards)
    A card's answer written out in its own prompt (it tests reading, not
    recall), or in the prompt of another note's card (a giveaway: seen
    first, that card tells this one's answer). Words are compared, not
    characters: lower case, ``'s`` dropped, a plural ``s`` dropped, a
    leading article and anything in parentheses left out of the answer.
    Only meaningful answers count: one with a word of three letters or more
    that is not a stop word, or a number of two digits or more (``16.16``,
    ``$25``, ``40%``); yes/no answers, stop words and one- or two-letter
    answers (``R``, ``C``) do not. Across cards the two prompts must also
    share a word of their own (not a stop word, not in the answer, in at
    most 5% of the prompts): the other card is about the same thing. An
    answer found in more than 5% of the run's prompts (and over 20) is a
    subject of the deck, not a giveaway. A cloze deletion shown in its own
    card is ``predictable-cloze``'s.

``two-way`` (rule 11 and rule 12: an answer recognised by keyword)
    The same short answer (at most five words, compared as for
    answer-in-prompt) on three cards or more in one run, like "The data
    scientist." on 13 cards: the learner learns that questions of this
    shape are answered "the data scientist", not the fact; and yes/no (or
    true/false) answers, right half the time by guessing. Cloze deletions
    are left to ``predictable-cloze`` and ``enumeration``.

``enumeration`` (rule 9, avoid sets; rule 10, avoid enumerations)
    An answer (or a cloze's text) that lists four items or more: four lines
    or more, three numbered steps or more (``1. ... 2. ...``), four
    semicolon-separated parts or more, or a comma list ``a, b, c and d`` of
    four items or more (at least two commas, the parts mostly six words or
    shorter, a final ``and``/``or`` joining the last item unless every part
    has at most three words, so that prose with commas is no list) — text
    in parentheses left out. Also a cloze card that blanks four items or more at once. A cloze
    over a list shows every other item on each card, so the card is
    answered from the list's shape.

``too-long`` (rule 4, minimum information principle)
    A card whose prompt is over 200 characters or whose answer is over 250
    characters, as shown (a cloze's answer is its text with the deletion
    revealed in [brackets], then its extra).

``predictable-cloze`` (rule 5, cloze deletion is easy and effective — when
the deletion is the fact)
    A deletion that blanks only stop words (``{{c1::and}}``), only
    punctuation, a single lower-case letter (upper-case ones are names: R,
    C), or text still shown elsewhere on the card (in the sentence, in
    another deletion or in the hint): the blank is filled from the rest of
    the card, not from memory. Numbers are facts and never predictable.

``empty-side`` (rule 4: a card asks one thing and answers it)
    An empty or whitespace-only front or back, cloze text or deletion
    (``{{c1::}}``), a typed note whose card has an empty answer, or a typed
    note that makes no card at all.

``cloze-without-deletion`` (rule 5)
    A cloze note with no ``{{c1::...}}`` deletion (so it makes no card), a
    typed note of a cloze note type without one, or a basic note written
    with deletions (its braces show as typed).

``invalid-disable`` and ``unexplained-disable`` (this project's own rule:
no disabled rule unless a comment says why)
    A ``# lint:`` comment that names an unknown rule, is outside any note's
    table, or is not ``disable=`` / ``disable-file=``; and (only when asked
    for: it is not in DEFAULT_RULES) a disable without a reason.

Disabling. In a deck file, a comment line ``# lint: disable=two-way,
too-long -- the reason`` inside a note's table (between its ``[[notes]]``
header and the next ``[[notes]]`` or top-level table, its sub-tables
included) turns those rules off for that note; ``# lint: disable-file=rule
-- reason`` anywhere turns a rule off for the whole file. A rule about a
pair (near-duplicate) is off when either note disables it. The two
``*-disable`` rules are never disabled by a comment.

Cross-note rules (near-duplicate, answer-in-prompt across cards, two-way)
work across everything linted in one call, so several deck files (or decks
of the collection) linted together are checked against each other.

The API: ``lint_text`` (one deck file's text), ``lint_many`` (several),
``lint_decks`` (DeckSpecs, such as ``exporting.collect`` builds from the
collection); for a mix of files and decks, ``load_file`` (or
``load_text``) and ``load_decks``, then ``lint_sources``. ``enabled`` None
runs DEFAULT_RULES (every rule but unexplained-disable). ``format_finding`` and ``to_json`` write the findings.
rapidfuzz is imported only when near-duplicate runs.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from studycards.deckfile import DeckSpec, NoteSpec, _Lines, parse_text
from studycards.errors import InvalidDeckFile, InvalidValue, StudycardsError
from studycards.records import CardKind, NoteKind
from studycards.render import card_specs, cloze_answers, cloze_ordinals, prompt_and_answer, too_high_cloze
from studycards.text import sanitize

# Thresholds (documented in the module docstring and the README).
PROMPT_LIMIT = 200  # characters, as shown
ANSWER_LIMIT = 250
LIST_ITEMS = 4  # an answer or cloze listing this many items is an enumeration
TWO_WAY_CARDS = 3  # the same short answer on this many cards is a two-way answer
TWO_WAY_WORDS = 5  # ... when it has at most this many words
NEAR_PROMPT = 90  # near-duplicate: prompts this alike (rapidfuzz ratio, 0-100)
NEAR_ANSWER = 75  # ... and answers this alike
SAME_PROMPT = 95  # or prompts this alike, whatever the answers
COMMON_SHARE = 0.05  # a word in more than this share of the prompts is common

RULES: dict[str, str] = {
    "near-duplicate": "two notes asking and answering nearly the same (rule 11: combat interference)",
    "answer-in-prompt": "a card's answer written in its own prompt or in another card's (rule 12: optimize wording; rule 11)",
    "two-way": "the same short answer on many cards, or a yes/no answer: recognised, not recalled (rules 11 and 12)",
    "enumeration": f"an answer or cloze listing {LIST_ITEMS} items or more (rule 9: avoid sets; rule 10: avoid enumerations)",
    "too-long": f"a prompt over {PROMPT_LIMIT} or an answer over {ANSWER_LIMIT} characters (rule 4: minimum information principle)",
    "predictable-cloze": "a deletion of a stop word, a letter or text shown elsewhere on the card (rule 5: cloze deletion)",
    "empty-side": "an empty front, back, cloze text or deletion, or a note making no card (rule 4)",
    "cloze-without-deletion": "cloze text without a {{c1::...}} deletion, or deletions in a basic note (rule 5)",
    "invalid-disable": "a '# lint:' comment naming an unknown rule, outside a note's table, or malformed",
    "unexplained-disable": "a '# lint: disable' comment without ' -- reason' (no disabled rule unless justified)",
}
_META = frozenset({"invalid-disable", "unexplained-disable"})
DEFAULT_RULES: frozenset[str] = frozenset(RULES) - {"unexplained-disable"}
DECK_LABEL = "deck {deck}"  # lint_decks: each finding's path, {deck} being the deck's name


@dataclass(frozen=True)
class Finding:
    path: str  # file path or "deck NAME"
    line: int | None
    rule: str
    message: str  # one line, names the note id
    note: str  # the note's id (guid); "" for a file-level comment


def format_finding(f: Finding) -> str:
    """``path:line: rule: message``, or ``path: rule: message`` without a line."""
    where = f"{f.path}:{f.line}" if f.line is not None else f.path
    return f"{where}: {f.rule}: {f.message}"


def to_json(findings: list[Finding]) -> str:
    """A JSON list of ``{"path", "line", "rule", "message", "note"}`` objects
    (line null for a deck of the collection), in the findings' order."""
    records = [{"path": f.path, "line": f.line, "rule": f.rule, "message": f.message, "note": f.note} for f in findings]
    return json.dumps(records, indent=2, ensure_ascii=False)


# --- Sources: a deck and the disables that apply to its notes ---------------


@dataclass
class Source:
    """One deck to lint: what findings name it, its notes, and the rules
    its comments disable (per note index, and for the whole file)."""

    path: str
    deck: DeckSpec
    note_disables: dict[int, set[str]] = field(default_factory=dict)
    file_disables: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)  # found while loading: comments, notes that failed to parse


_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*lint[ \t]*:(.*)$", re.IGNORECASE)
_DISABLE = re.compile(r"^\s*(disable|disable-file)\s*=\s*(.*)$")


def load_file(path: Path) -> Source:
    """A deck file, read as ``deckfile.parse_file`` reads it, ready for ``lint_sources``."""
    from studycards.deckfile import read_file

    return load_text(read_file(path), str(path))


def load_text(text: str, path: str) -> Source:
    """A deck file's text, ready for ``lint_sources``. A note with an empty
    side or a cloze without deletion (which ``parse_text`` refuses) becomes
    a finding; any other problem raises InvalidDeckFile as import would."""
    text = text.removeprefix("\ufeff")
    lines = _Lines(text)
    broken: list[Finding] = []
    try:
        deck = parse_text(text, path)
    except InvalidDeckFile as err:
        deck = _parse_without_broken_notes(text, path, lines, broken, err)
    source = Source(path, deck)
    by_header = _read_directives(path, lines, deck, source)
    index_of_line = {note.line: i for i, note in enumerate(deck.notes) if note.line is not None}
    for header, rules in by_header.items():
        if header in index_of_line:
            source.note_disables[index_of_line[header]] = rules
    for finding in broken:
        if finding.rule not in source.file_disables | by_header.get(finding.line, set()):
            source.findings.append(finding)
    return source


def _parse_without_broken_notes(
    text: str, path: str, lines: _Lines, findings: list[Finding], err: InvalidDeckFile
) -> DeckSpec:
    """Parse again with the notes that only lint's own rules fault (empty
    sides, clozes without deletions) blanked out, line numbers kept; such a
    note is a finding (on its header line). Anything else wrong raises the
    original error."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise err from None
    raw_notes = data.get("notes")
    if not isinstance(raw_notes, list) or len(lines.notes) != len(raw_notes):
        raise err
    starts = {number for number, _array, header in lines.headers if len(header) == 1}
    blank: set[int] = set()
    for index, raw in enumerate(raw_notes):
        problems = _raw_problems(raw) if isinstance(raw, dict) else []
        if not problems:
            continue
        line = lines.notes[index]
        guid = raw["id"].strip() if isinstance(raw.get("id"), str) and raw["id"].strip() else f"note {index + 1}"
        for rule, what in problems:
            findings.append(Finding(path, line, rule, f"note {guid}: {what}", guid))
        end = min((n for n in starts if n > line), default=len(lines.lines) + 1)
        blank.update(range(line, end))
    if not blank:
        raise err
    patched = "\n".join("" if number + 1 in blank else row for number, row in enumerate(lines.lines))
    return parse_text(patched, path)  # a problem in another note: that one is the error


def _raw_problems(raw: dict[str, object]) -> list[tuple[str, str]]:
    """What lint reports about a note that ``parse_text`` refuses outright."""
    if "note_type" in raw:
        return []
    out = []
    if "cloze" in raw:
        cloze = raw["cloze"]
        if isinstance(cloze, str):
            if not cloze.strip():
                out.append(("empty-side", "the cloze text is empty"))
            elif not cloze_ordinals(cloze) and too_high_cloze(cloze) is None:
                out.append(("cloze-without-deletion", f"cloze text {_quote(cloze)} has no deletion such as {{{{c1::answer}}}}, so it makes no card"))
        return out
    for key in ("front", "back"):
        value = raw.get(key, "")
        if isinstance(value, str) and not value.strip():
            out.append(("empty-side", f"the {key} is {'missing' if key not in raw else 'empty'}"))
    return out


def _read_directives(path: str, lines: _Lines, deck: DeckSpec, source: Source) -> dict[int, set[str]]:
    """Read the ``# lint:`` comments: the file's disables go to ``source``,
    its meta findings to ``source.findings``; returns each note's disables
    by the line of its [[notes]] header."""
    guid_of_line = {note.line: note.guid or "" for note in deck.notes if note.line is not None}
    note_headers = set(lines.notes)
    by_header: dict[int, set[str]] = {}
    for number, row in enumerate(lines.lines):
        if number in lines.inside or "lint" not in row.lower():
            continue
        found = _DIRECTIVE.match(row)
        if found is None:
            continue
        line = number + 1
        owner = None  # the header line of the note whose table holds the comment
        for start, array, header in reversed(lines.headers):
            if start >= line:
                continue
            if header == ("notes",) and array:
                owner = start
                break
            if len(header) == 1:
                break  # [deck], [[note_types]] or another top-level table
        guid = guid_of_line.get(owner, "") if owner is not None else ""
        label = f"note {guid}: " if guid else ""

        def meta(rule: str, message: str) -> None:
            source.findings.append(Finding(path, line, rule, label + message, guid))

        directive = _DISABLE.match(found.group(1))
        if directive is None:
            meta("invalid-disable", f"'# lint:' comment {_quote(found.group(1).strip())} is not 'disable=RULE,... -- reason' or 'disable-file=RULE,... -- reason'")
            continue
        kind, rest = directive.groups()
        names_part, dashes, reason = rest.partition("--")
        names = [n.strip() for n in names_part.split(",") if n.strip()]
        good = []
        for name in names:
            if name in _META:
                meta("invalid-disable", f"'{name}' cannot be disabled by a comment")
            elif name not in RULES:
                meta("invalid-disable", f"unknown rule '{name}' in '# lint: {kind}=' (the rules: {', '.join(r for r in RULES if r not in _META)})")
            else:
                good.append(name)
        if not names:
            meta("invalid-disable", f"'# lint: {kind}=' names no rule")
        if kind == "disable":
            if owner is None or owner not in note_headers:
                meta("invalid-disable", "'# lint: disable=' outside any note's table disables nothing (put it inside a [[notes]] table, or use disable-file=)")
                continue
            by_header.setdefault(owner, set()).update(good)
        else:
            source.file_disables.update(good)
        if good and not reason.strip():
            what = f"'# lint: {kind}={','.join(good)}'"
            meta("unexplained-disable", f"{what} gives no reason: add ' -- why the rule does not apply'" if not dashes else f"{what} has an empty reason after '--'")
    return by_header


def load_decks(decks: list[DeckSpec], label: str = DECK_LABEL) -> list[Source]:
    """Decks (from ``exporting.collect``) ready for ``lint_sources``; each
    finding's path is ``label`` with ``{deck}`` replaced by the deck's name."""
    return [Source(label.replace("{deck}", deck.name), deck) for deck in decks]


# --- Public entry points -----------------------------------------------------


def lint_text(text: str, path: str, enabled: set[str] | None = None) -> list[Finding]:
    """The findings for one deck file's text (its comments read for disables)."""
    return lint_sources([load_text(text, path)], enabled)


def lint_many(texts: list[tuple[str, str]], enabled: set[str] | None = None) -> list[Finding]:
    """The findings for several deck files, given as (text, path) pairs,
    checked against each other."""
    return lint_sources([load_text(text, path) for text, path in texts], enabled)


def lint_decks(decks: list[DeckSpec], label: str, enabled: set[str] | None = None) -> list[Finding]:
    """The findings for decks of the collection (no lines: each names the
    note id). ``label`` names each deck in the findings, ``{deck}`` replaced
    by its name (DECK_LABEL, ``"deck {deck}"``, gives ``deck ML skills``)."""
    return lint_sources(load_decks(decks, label), enabled)


def check_rules(enabled: set[str] | frozenset[str] | None) -> frozenset[str]:
    """The rules to run: DEFAULT_RULES for None; InvalidValue names an unknown rule."""
    if enabled is None:
        return DEFAULT_RULES
    unknown = sorted(set(enabled) - set(RULES))
    if unknown:
        raise InvalidValue(f"unknown lint rule {unknown[0]!r} (the rules: {', '.join(RULES)})")
    return frozenset(enabled)


def lint_sources(sources: list[Source], enabled: set[str] | frozenset[str] | None = None) -> list[Finding]:
    """The findings for all the sources, checked together, sorted by path,
    line and rule."""
    rules = check_rules(enabled)
    notes: list[_Note] = []
    for source in sources:
        for index, spec in enumerate(source.deck.notes):
            disabled = source.file_disables | source.note_disables.get(index, set())
            notes.append(_Note(len(notes), source, spec, disabled))
    found: list[Finding] = [f for s in sources for f in s.findings if f.rule in rules]
    ctx = _Context(notes, rules)
    for note in notes:
        note.build()
    for needs, check in _CHECKS:
        if needs & rules:
            check(ctx)
    found.extend(ctx.findings)
    return sorted(found, key=lambda f: (f.path, f.line if f.line is not None else 0, f.rule, f.note, f.message))


# --- Notes and cards as shown ---------------------------------------------------

_WORD = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W_]+")
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_CLOZE_SYNTAX = re.compile(r"\{\{c\d+::")
_ARTICLES = frozenset({"the", "a", "an"})
_YES_NO = frozenset({"yes", "no", "true", "false"})
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between both
    but by can could did do does doing down during each either else etc few for from further had has have having he her
    here hers herself him himself his how i if in into is it its itself just me more most my myself neither nor no not of
    off on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up upon very via was we were what when
    where which while who whom whose why will with would yes you your yours yourself yourselves""".split()
)


def _stem(word: str) -> str:
    """A plural s dropped (not from a stop word, nor from -ss, -us, -is)."""
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "sui" and not word[-2].isdigit() and word not in STOP_WORDS:
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    """Words to compare: lower case, 's and a plural s dropped."""
    return [_stem(w) for w in _WORD.findall(_POSSESSIVE.sub("", text.casefold()))]


def _content(tokens: list[str] | set[str]) -> set[str]:
    return {t for t in tokens if t not in STOP_WORDS and (len(t) >= 3 or t[0].isdigit())}


def _meaningful(tokens: list[str]) -> bool:
    """An answer worth looking for: a word of three letters or more that is
    not a stop word, or a number of two digits or more."""
    for t in tokens:
        if t[0].isdigit():
            if sum(c.isdigit() for c in t) >= 2:
                return True
        elif len(t) >= 3 and t not in STOP_WORDS:
            return True
    return False


def _answer_tokens(text: str) -> list[str]:
    """An answer's words for matching: parentheses and a leading article left out."""
    tokens = _tokens(_PARENS.sub(" ", text))
    while tokens and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    return tokens


def _contains(haystack: list[str], needle: list[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    return f" {' '.join(needle)} " in f" {' '.join(haystack)} "


def _norm(text: str) -> str:
    """Lower case, punctuation as single spaces: what fuzzy matching compares."""
    return " ".join(_WORD.findall(text.casefold()))


def _quote(text: str, width: int = 50) -> str:
    one = " / ".join(part.strip() for part in sanitize(text).splitlines() if part.strip())
    if len(one) > width:
        one = one[: width - 1].rstrip() + "…"
    return f"'{one}'"


@dataclass
class _Card:
    note: "_Note"
    label: str  # "" for a note's only card, else "card c2", "reversed card", ...
    ord: int
    prompt: str
    answer: str
    answers: list[str]  # what the card asks for: the back, the front, or each deletion
    cloze: bool
    deletions: list[tuple[str, str | None]] = field(default_factory=list)  # a cloze card's (deleted text, hint)

    def named(self, message: str) -> str:
        return f"{self.label}: {message}" if self.label else message


class _Note:
    def __init__(self, index: int, source: Source, spec: NoteSpec, disabled: set[str]) -> None:
        self.index = index
        self.source = source
        self.spec = spec
        self.guid = spec.guid or f"note {index + 1}"
        self.disabled = disabled
        self.cards: list[_Card] = []
        self.problems: list[tuple[str, str]] = []  # (rule, message) found while rendering
        self.prompt_text = ""  # for near-duplicate
        self.answer_text = ""
        self.cloze_text = ""  # a cloze's text with its deletions filled in, for enumeration

    @property
    def line(self) -> int | None:
        return self.spec.line

    def where(self, other: "_Note") -> str:
        """``note ID (line N)`` as seen from ``other``'s finding."""
        if self.source is other.source:
            place = f"line {self.line}" if self.line is not None else ""
        elif self.line is not None:
            place = f"{self.source.path}:{self.line}"
        else:
            place = self.source.path
        return f"note {self.guid} ({place})" if place else f"note {self.guid}"

    def build(self) -> None:
        spec = self.spec
        if spec.note_type == NoteKind.TYPED and spec.note_type_spec is not None:
            self._build_typed()
            return
        if spec.note_type == NoteKind.CLOZE:
            text = spec.front
            if not text.strip():
                self.problems.append(("empty-side", "the cloze text is empty"))
                return
            if not cloze_ordinals(text):
                self.problems.append(("cloze-without-deletion", f"cloze text {_quote(text)} has no deletion such as {{{{c1::answer}}}}, so it makes no card"))
                self.prompt_text = _norm(text)
                return
            empty = sorted({int(m.group(1)) for m in _CLOZE.finditer(text) if not m.group(2).strip()})
            if empty:
                self.problems.append(("empty-side", "deletion " + ", ".join(f"c{n}" for n in empty) + " is empty"))
            self.cloze_text = _CLOZE.sub(lambda m: m.group(2), text)
            self.prompt_text = _norm(self.cloze_text)
            self.answer_text = _norm(" ".join([m.group(2) for m in _CLOZE.finditer(text)] + [spec.back]))
            specs = card_specs(spec.note_type, False, text)
            for card in specs:
                prompt, answer = prompt_and_answer(card.kind, card.ord, text, spec.back)
                deleted = [(m.group(2), m.group(3)) for m in _CLOZE.finditer(text) if int(m.group(1)) == card.ord]
                label = f"card c{card.ord}" if len(specs) > 1 else ""
                self.cards.append(_Card(self, label, card.ord, prompt, answer, cloze_answers(text, card.ord), True, deleted))
            return
        front, back = spec.front, spec.back
        for side, value in (("front", front), ("back", back)):
            if not value.strip():
                self.problems.append(("empty-side", f"the {side} is empty"))
        if _CLOZE_SYNTAX.search(front) or _CLOZE_SYNTAX.search(back):
            self.problems.append(("cloze-without-deletion", "a basic note written with {{c1::...}} deletions: its braces show as typed (make it a cloze note)"))
        self.prompt_text, self.answer_text = _norm(front), _norm(back)
        if not front.strip() or not back.strip():
            return
        specs = card_specs(spec.note_type, spec.reverse, front)
        for card in specs:
            prompt, answer = prompt_and_answer(card.kind, card.ord, front, back)
            label = "reversed card" if card.kind == CardKind.REVERSED else ""
            self.cards.append(_Card(self, label, card.ord, prompt, answer, [answer], False))

    def _build_typed(self) -> None:
        from studycards.importers import html_text
        from studycards.notetypes import faces

        spec, nt = self.spec, self.spec.note_type_spec
        assert nt is not None
        made = faces(nt, spec.fields, spec.tags, self.source.deck.name)
        self.prompt_text, self.answer_text = _norm(spec.front), _norm(spec.back)
        if not made:
            if nt.cloze:
                self.problems.append(("cloze-without-deletion", f"a note of cloze note type {nt.name!r} with no deletion such as {{{{c1::answer}}}}, so it makes no card"))
            else:
                self.problems.append(("empty-side", f"makes no card: every field the questions of note type {nt.name!r} show is empty"))
            return

        def plain(value: str) -> str:
            return html_text.to_text(value)[0] if nt.html else value

        matches = [m for value in spec.fields for m in _CLOZE.finditer(value)] if nt.cloze else []
        if nt.cloze:
            self.cloze_text = "\n".join(_CLOZE.sub(lambda m: m.group(2), plain(v)) for v in spec.fields if _CLOZE.search(v))
            self.prompt_text = _norm(self.cloze_text)
            self.answer_text = _norm(" ".join(plain(m.group(2)) for m in matches))
        for face in made:
            label = f"card {face.ord + 1 if face.kind == CardKind.TEMPLATE else 'c' + str(face.ord)}" if len(made) > 1 else ""
            if not face.answer.strip():
                self.problems.append(("empty-side", (label + ": " if label else "") + "the answer is empty"))
                continue
            if nt.cloze:
                deleted = [(plain(m.group(2)), plain(m.group(3)) if m.group(3) else None) for m in matches if int(m.group(1)) == face.ord]
                self.cards.append(_Card(self, label, face.ord, face.question, face.answer, [d for d, _ in deleted], True, deleted))
            else:
                self.cards.append(_Card(self, label, face.ord, face.question, face.answer, [face.answer], False))


class _Context:
    def __init__(self, notes: list[_Note], rules: frozenset[str]) -> None:
        self.notes = notes
        self.rules = rules
        self.findings: list[Finding] = []

    def report(self, note: _Note, rule: str, message: str) -> None:
        """A finding on ``note``, unless the note (or its file) disables ``rule``."""
        if rule in note.disabled:
            return
        self.findings.append(Finding(note.source.path, note.line, rule, f"note {note.guid}: {message}", note.guid))

    @property
    def cards(self) -> list[_Card]:
        return [card for note in self.notes for card in note.cards]


# --- The rules ------------------------------------------------------------------


def _check_rendering(ctx: _Context) -> None:
    """empty-side and cloze-without-deletion: found while rendering each note."""
    for note in ctx.notes:
        for rule, message in note.problems:
            if rule in ctx.rules:
                ctx.report(note, rule, message)


def _check_too_long(ctx: _Context) -> None:
    for note in ctx.notes:
        parts = []
        longest_prompt = max(note.cards, key=lambda c: len(c.prompt.strip()), default=None)
        if longest_prompt is not None and len(longest_prompt.prompt.strip()) > PROMPT_LIMIT:
            parts.append(longest_prompt.named(f"prompt is {len(longest_prompt.prompt.strip())} characters (at most {PROMPT_LIMIT})"))
        longest_answer = max(note.cards, key=lambda c: len(c.answer.strip()), default=None)
        if longest_answer is not None and len(longest_answer.answer.strip()) > ANSWER_LIMIT:
            parts.append(longest_answer.named(f"answer is {len(longest_answer.answer.strip())} characters (at most {ANSWER_LIMIT})"))
        if parts:
            ctx.report(note, "too-long", "; ".join(parts) + ": split it into smaller cards")


_NUMBERED = re.compile(r"(?:^|[\s;:,])\d{1,2}[.)]\s")
_FINAL_CONJUNCTION = re.compile(r"\s(?:and|or)\s", re.IGNORECASE)
_LEADING_CONJUNCTION = re.compile(r"^\s*(?:and|or)\s+", re.IGNORECASE)


def list_items(text: str) -> int:
    """How many items ``text`` lists (1 when it is no list): its lines, its
    numbered steps, its semicolon parts (three or more), or a comma list
    ``a, b, c and d`` (two commas or more, the parts mostly six words or
    shorter, ending in ``and``/``or`` unless every part has at most three
    words: prose with commas is no list). Text in parentheses is left out."""
    text = _PARENS.sub(" ", text)
    best = 1
    rows = [row for row in text.splitlines() if row.strip()]
    if len(rows) >= 2:
        best = len(rows)
    best = max(best, len(_NUMBERED.findall(text)))
    for row in rows:
        parts = [p for p in row.split(";") if p.strip()]
        if len(parts) >= 3:
            best = max(best, len(parts))
        commas = [_LEADING_CONJUNCTION.sub("", p) for p in re.split(r"[,;]", row) if p.strip()]
        if len(commas) >= 3:
            words = sorted(len(p.split()) for p in commas)
            final = bool(_FINAL_CONJUNCTION.search(f" {commas[-1]} "))
            if words[len(words) // 2] <= 6 and (final or words[-1] <= 3):
                best = max(best, len(commas) + final)
    return best


def _check_enumeration(ctx: _Context) -> None:
    for note in ctx.notes:
        messages = []
        if note.cards and note.cards[0].cloze:
            items = list_items(note.cloze_text)
            if items >= LIST_ITEMS:
                messages.append(f"cloze over a list of {items} items: each card shows the others, and the set is learnt by its shape")
            for card in note.cards:
                blanked = sum(list_items(text) for text, _hint in card.deletions)
                if blanked >= LIST_ITEMS:
                    messages.append(card.named(f"blanks {blanked} items at once"))
        else:
            for card in note.cards:
                items = list_items(card.answer)
                if items >= LIST_ITEMS:
                    messages.append(card.named(f"answer lists {items} items"))
                    break
        if messages:
            ctx.report(note, "enumeration", "; ".join(messages) + " (avoid sets and enumerations: one card per item)")


def _check_predictable_cloze(ctx: _Context) -> None:
    for note in ctx.notes:
        problems = []
        for card in note.cards:
            if not card.cloze:
                continue
            prompt = _tokens(card.prompt)
            for text, _hint in card.deletions:
                stripped = text.strip()
                if not stripped:
                    continue  # empty-side's
                words = _tokens(stripped)
                what = f"c{card.ord} {_quote(stripped, 30)}"
                if not words:
                    problems.append(f"{what} blanks only punctuation")
                elif any(w[0].isdigit() for w in words):
                    continue  # a number is a fact
                elif all(w in STOP_WORDS for w in words):
                    problems.append(f"{what} blanks only the stop word{'s' if len(words) > 1 else ''} {', '.join(words)}")
                elif len(stripped) == 1 and stripped.isalpha() and stripped.islower():
                    problems.append(f"{what} blanks a single letter")
                elif _contains(prompt, words):
                    problems.append(f"{what} is still shown on the card")
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            ctx.report(note, "predictable-cloze", f"deletion {problems[0]}{more}: the blank is filled from the card, not from memory")


def _check_two_way(ctx: _Context) -> None:
    groups: dict[str, list[_Card]] = defaultdict(list)
    for note in ctx.notes:
        for card in note.cards:
            if card.cloze:
                continue
            tokens = _answer_tokens(card.answers[0])
            if not tokens:
                continue
            if tokens[0] in _YES_NO:
                ctx.report(note, "two-way", card.named(f"yes/no answer {_quote(card.answer, 40)}: right half the time by guessing; ask for the fact itself"))
                continue
            if len(tokens) <= TWO_WAY_WORDS:
                groups[" ".join(tokens)].append(card)
    for cards in groups.values():
        if len(cards) < TWO_WAY_CARDS:
            continue
        for card in cards:
            others = [c.note for c in cards if c is not card]
            named = ", ".join(o.guid for o in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            ctx.report(
                card.note, "two-way",
                card.named(f"answer {_quote(card.answer, 40)} is the answer of {len(cards)} cards (also {named}): recognised by keyword, not recalled"),
            )


def _check_answer_in_prompt(ctx: _Context) -> None:
    cards = ctx.cards
    prompts = [_tokens(c.prompt) for c in cards]
    index: dict[str, set[int]] = defaultdict(set)
    for i, tokens in enumerate(prompts):
        for t in tokens:
            index[t].add(i)
    total = len(cards)
    common = max(20, int(total * COMMON_SHARE))
    frequent = {t for t, where in index.items() if len(where) > common}
    own_content = [_content(t) - frequent for t in prompts]
    for i, card in enumerate(cards):
        note = card.note
        reported = False
        for answer in card.answers:
            words = _answer_tokens(answer)
            if not _meaningful(words):
                continue
            if not card.cloze and not reported and _contains(prompts[i], words):
                ctx.report(note, "answer-in-prompt", card.named(f"answer {_quote(answer, 40)} is written in its own prompt"))
                reported = True
            postings = [index.get(w, set()) for w in words]
            rarest = min(postings, key=len)
            if not rarest or len(rarest) > common:
                continue
            answer_words = set(words)
            for j in sorted(rarest):
                other = cards[j]
                if other.note is note or not _contains(prompts[j], words):
                    continue
                if not (own_content[i] & own_content[j]) - answer_words:
                    continue  # the other card is about something else
                ctx.report(note, "answer-in-prompt", card.named(f"answer {_quote(answer, 40)} is given away by the prompt of {other.note.where(note)}{' ' + other.label if other.label else ''}"))
                break
            else:
                continue
            break


def _check_near_duplicate(ctx: _Context) -> None:
    try:
        from rapidfuzz import fuzz, process
    except ImportError:
        raise StudycardsError("the near-duplicate rule needs rapidfuzz: pip install 'rapidfuzz>=3'") from None

    notes = [n for n in ctx.notes if n.prompt_text]
    if len(notes) < 2:
        return
    words = [sorted(set(n.prompt_text.split())) for n in notes]
    df = Counter(w for ws in words for w in ws)
    common = max(200, int(len(notes) * COMMON_SHARE))
    index: dict[str, list[int]] = defaultdict(list)
    exact: dict[str, list[int]] = defaultdict(list)
    reverse: dict[tuple[str, str], int] = {}
    best: dict[int, tuple[int, float, float, str]] = {}  # later note -> (earlier, prompt score, answer score, kind)
    matches: dict[int, int] = Counter()
    for j, note in enumerate(notes):
        ranked = sorted(words[j], key=lambda w: (df[w], w))
        prefix = [w for w in ranked[: len(ranked) - math.ceil(len(ranked) / 2) + 1] if df[w] <= common]
        candidates: set[int] = set(exact.get(note.prompt_text, ()))
        for w in prefix:
            candidates.update(index[w])
        for w in prefix:
            index[w].append(j)
        exact[note.prompt_text].append(j)
        found: list[tuple[int, float, float, str]] = []
        twin = reverse.get((note.answer_text, note.prompt_text))
        if twin is not None and note.answer_text and note.answer_text != note.prompt_text:
            found.append((twin, 100.0, 100.0, "reverse"))
        if note.answer_text:
            reverse.setdefault((note.prompt_text, note.answer_text), j)
        if candidates:
            ordered = sorted(candidates)
            length = len(note.prompt_text)
            ordered = [i for i in ordered if 0.8 * length <= len(notes[i].prompt_text) <= length / 0.8]
            for _choice, score, k in process.extract(
                note.prompt_text, [notes[i].prompt_text for i in ordered], scorer=fuzz.ratio, score_cutoff=NEAR_PROMPT, limit=None
            ):
                i = ordered[k]
                answer_score = fuzz.ratio(notes[i].answer_text, note.answer_text)
                if answer_score >= NEAR_ANSWER or score >= SAME_PROMPT:
                    found.append((i, score, answer_score, "alike"))
        for i, score, answer_score, kind in found:
            if "near-duplicate" in notes[i].disabled:
                continue  # a pair is off when either note disables it
            matches[j] += 1
            if j not in best or (score + answer_score) > (best[j][1] + best[j][2]):
                best[j] = (i, score, answer_score, kind)
    for j, (i, score, answer_score, kind) in sorted(best.items()):
        later, earlier = notes[j], notes[i]
        more = f" (and {matches[j] - 1} more)" if matches[j] > 1 else ""
        if kind == "reverse":
            message = f"the reverse of {earlier.where(later)}{more}: one note with reverse = true asks both ways"
        elif answer_score >= NEAR_ANSWER:
            message = f"like {earlier.where(later)}{more}: prompts {score:.0f}% alike, answers {answer_score:.0f}% alike"
        else:
            message = f"prompt {score:.0f}% like that of {earlier.where(later)}{more}, answer different: easily confused (make the difference stand out, or merge them)"
        ctx.report(later, "near-duplicate", message)


_CHECKS = (
    (frozenset({"empty-side", "cloze-without-deletion"}), _check_rendering),
    (frozenset({"near-duplicate"}), _check_near_duplicate),
    (frozenset({"answer-in-prompt"}), _check_answer_in_prompt),
    (frozenset({"two-way"}), _check_two_way),
    (frozenset({"enumeration"}), _check_enumeration),
    (frozenset({"too-long"}), _check_too_long),
    (frozenset({"predictable-cloze"}), _check_predictable_cloze),
)
