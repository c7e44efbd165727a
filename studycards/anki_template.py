"""Anki's card template language, rendered the way Anki renders it.

Notes imported from Anki decks come with their note type's templates
(``{{Front}}``, ``{{#Hint}}…{{/Hint}}``, ``{{cloze:Text}}``, filters); rendering
those templates, rather than guessing a front and a back, makes a card show
what Anki shows. Follows Anki's rslib (template.rs, template_filters.rs,
cloze.rs), adapted for a terminal where noted. Standard library only.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache


class TemplateError(ValueError):
    """A card template that is not valid Anki template syntax."""


# Template syntax tree
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Comment:
    """An HTML comment: Anki copies it through without looking inside."""

    text: str


@dataclass(frozen=True)
class _Replacement:
    key: str
    filters: tuple[str, ...]  # in the order they apply: nearest the name first


@dataclass(frozen=True)
class _Section:
    key: str
    negated: bool
    children: tuple[_Node, ...]


_Node = _Text | _Comment | _Replacement | _Section


@dataclass(frozen=True)
class _Open:
    key: str
    negated: bool


@dataclass(frozen=True)
class _Close:
    key: str


_Token = _Text | _Comment | _Replacement | _Open | _Close

# Lexing
# ----------------------------------------------------------------------------

_ALT_DIRECTIVE = "{{=<% %>=}}"  # legacy: the rest of the template uses <% %>
_COMMENT_START, _COMMENT_END = "<!--", "-->"


def _delimiters(template: str) -> tuple[str, str, str]:
    """(open, close, body): Anki's one delimiter change, at the very start."""
    stripped = template.lstrip()
    if not stripped.startswith(_ALT_DIRECTIVE):
        return "{{", "}}", template
    while stripped.startswith(_ALT_DIRECTIVE):
        stripped = stripped[len(_ALT_DIRECTIVE) :]
    return "<%", "%>", stripped


def _tokens(template: str) -> Iterator[_Token]:
    start, end, body = _delimiters(template)
    pos, comment = 0, _next_comment(body, 0)
    while pos < len(body):
        if comment is not None and comment[0] < pos:
            comment = _next_comment(body, pos)  # the last one was inside a tag
        tag_at = body.find(start, pos)
        if comment is not None and (tag_at < 0 or comment[0] < tag_at):
            if comment[0] > pos:
                yield _Text(body[pos : comment[0]])
            yield _Comment(body[comment[0] : comment[1]])
            pos, comment = comment[1], _next_comment(body, comment[1])
            continue
        if tag_at < 0:
            yield _Text(body[pos:])
            return
        if tag_at > pos:
            yield _Text(body[pos:tag_at])
        tag_end = body.find(end, tag_at + len(start))
        if tag_end < 0:
            raise TemplateError(f"{start} without a closing {end}: {_excerpt(body[tag_at:])}")
        yield _classify(body[tag_at + len(start) : tag_end], start, end)
        pos = tag_end + len(end)


def _next_comment(body: str, pos: int) -> tuple[int, int] | None:
    """(start, end) of the first complete ``<!--…-->`` at or after ``pos``."""
    at = body.find(_COMMENT_START, pos)
    close = body.find(_COMMENT_END, at + len(_COMMENT_START)) if at >= 0 else -1
    return (at, close + len(_COMMENT_END)) if close >= 0 else None


def _excerpt(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _classify(inside: str, start: str, end: str) -> _Token:
    """One ``{{…}}`` by its first character, as Anki's classify_handle."""
    name = inside.lstrip("{").strip()
    if len(name) >= 2 and name[0] in "#^":
        return _Open(name[1:].lstrip(), negated=name[0] == "^")
    if len(name) >= 2 and name[0] == "/":
        return _Close(name[1:].lstrip())
    if len(name) >= 2 and name[0] == name[-1] == "=":
        raise TemplateError(
            f"unsupported delimiter change {start}{name}{end}: Anki accepts only "
            f"{_ALT_DIRECTIVE}, at the very start of a template"
        )
    *filters, key = name.split(":")
    return _Replacement(key, tuple(reversed(filters)))


# Parsing
# ----------------------------------------------------------------------------


def _tag(opening: _Open) -> str:
    return "{{" + ("^" if opening.negated else "#") + opening.key + "}}"


_ROOT = _Open("", negated=False)


@lru_cache(maxsize=512)
def _parse(template: str) -> tuple[_Node, ...]:
    """The template's syntax tree (cached: one note type renders many cards)."""
    stack: list[tuple[_Open, list[_Node]]] = [(_ROOT, [])]
    for token in _tokens(template):
        if isinstance(token, _Open):
            stack.append((token, []))
        elif isinstance(token, _Close):
            _close_section(stack, token)
        else:
            stack[-1][1].append(token)
    if len(stack) > 1:
        raise TemplateError(f"unclosed section {_tag(stack[-1][0])}")
    return tuple(stack[0][1])


def _close_section(stack: list[tuple[_Open, list[_Node]]], closing: _Close) -> None:
    if len(stack) == 1:
        raise TemplateError(f"{{{{/{closing.key}}}}} closes a section that was never opened")
    opening, children = stack.pop()
    if opening.key != closing.key:
        raise TemplateError(f"{{{{/{closing.key}}}}} found where {{{{/{opening.key}}}}} was expected")
    stack[-1][1].append(_Section(opening.key, opening.negated, tuple(children)))


def _walk(nodes: tuple[_Node, ...]) -> Iterator[_Node]:
    """Every node in document order, sections before their children."""
    stack = [iter(nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        yield node
        if isinstance(node, _Section):
            stack.append(iter(node.children))


# HTML helpers
# ----------------------------------------------------------------------------

_HTML = re.compile(r"<!--.*?-->|<style.*?>.*?</style>|<script.*?>.*?</script>|<.*?>", re.S | re.I)
_EMPTY_FIELD = re.compile(r"(?:[ \t\n\v\f\r]|</?(?:br|div) ?/?>)*", re.I)
_MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[)\]])", re.S)


def _field_is_empty(text: str) -> bool:
    """Anki's test: only ASCII whitespace and bare <br>/<div> tags."""
    return _EMPTY_FIELD.fullmatch(text) is not None


def _strip_html(text: str) -> str:
    """Tags, comments, style and script removed; entities decoded."""
    text = _HTML.sub("", text)
    return html.unescape(text).replace("\xa0", " ") if "&" in text else text


def _strip_html_inside_mathjax(text: str) -> str:
    return _MATHJAX.sub(lambda m: m[1] + _HTML.sub("", m[2]) + m[3], text)


# Cloze deletions
# ----------------------------------------------------------------------------

_CLOZE_TOKEN = re.compile(r"\{\{c([0-9,]*)::|\}\}")
_MAX_CLOZE_DEPTH = 10  # as Anki: deeper openings are ignored
_MAX_ORDINAL = 65535  # Anki's u16


@dataclass(frozen=True)
class _Cloze:
    ordinals: frozenset[int]
    nodes: tuple[str | _Cloze, ...]
    hint: str | None

    def question_text(self) -> str:
        return self.hint if self.hint is not None else "..."

    def answer_text(self) -> str:
        return "".join(n if isinstance(n, str) else n.answer_text() for n in self.nodes)


class _OpenCloze:
    """A deletion being parsed (mutable, unlike what it becomes)."""

    def __init__(self, ordinals: frozenset[int]) -> None:
        self.ordinals = ordinals
        self.nodes: list[str | _Cloze] = []
        self.hint: str | None = None

    def add_text(self, text: str) -> None:
        head, colons, hint = text.partition("::")
        if colons:
            self.hint = hint  # as Anki: the last run with "::" gives the hint
        self.nodes.append(head)

    def closed(self) -> _Cloze:
        return _Cloze(self.ordinals, tuple(self.nodes), self.hint)


_CLOSE = "}}"


def _ordinals(digits: str) -> frozenset[int]:
    """The numbers in "1,2"; as Anki's u16 parse, empty or too large ones are skipped."""
    parts = (part.lstrip("0") or "0" for part in digits.split(",") if part)
    return frozenset(n for part in parts if len(part) <= 5 and (n := int(part)) <= _MAX_ORDINAL)


def _cloze_tokens(text: str) -> Iterator[str | frozenset[int] | None]:
    """Text runs (str), openings ``{{cN::`` (their numbers; N may be "1,2")
    and closings ``}}`` (None)."""
    run_start = 0
    for match in _CLOZE_TOKEN.finditer(text):
        ordinals = None if match[0] == _CLOSE else _ordinals(match[1])
        if ordinals is not None and not ordinals:
            continue  # "{{c::" or "{{c,::" stays part of the text run
        if match.start() > run_start:
            yield text[run_start : match.start()]
        run_start = match.end()
        yield ordinals
    if run_start < len(text):
        yield text[run_start:]


def _parse_clozes(text: str) -> list[str | _Cloze]:
    """Anki's parse_text_with_clozes: deletions nest; one never closed is dropped."""
    output: list[str | _Cloze] = []
    opened: list[_OpenCloze] = []
    for token in _cloze_tokens(text):
        if isinstance(token, frozenset):
            if len(opened) < _MAX_CLOZE_DEPTH:
                opened.append(_OpenCloze(token))
        elif isinstance(token, str) and opened:
            opened[-1].add_text(token)
        elif isinstance(token, str):
            output.append(token)
        elif opened:
            cloze = opened.pop().closed()
            (opened[-1].nodes if opened else output).append(cloze)
        else:
            output.append(_CLOSE)
    return output


def _all_clozes(nodes: Sequence[str | _Cloze]) -> Iterator[_Cloze]:
    """Every deletion, outer before inner, in text order."""
    for node in nodes:
        if isinstance(node, _Cloze):
            yield node
            yield from _all_clozes(node.nodes)


def _reveal(nodes: Sequence[str | _Cloze], ordinal: int, answer: bool) -> str:
    return "".join(n if isinstance(n, str) else _reveal_one(n, ordinal, answer) for n in nodes)


def _reveal_one(cloze: _Cloze, ordinal: int, answer: bool) -> str:
    if ordinal not in cloze.ordinals:
        return _reveal(cloze.nodes, ordinal, answer)  # shown as text; inner ones may be blanked
    if answer:  # marked for the review screen to highlight (text.HL_OPEN, HL_CLOSE); plain outputs bracket it
        return f'<span class="cloze">\ue010{cloze.answer_text()}\ue011</span>'
    return f'<span class="cloze">[{cloze.question_text()}]</span>'


def _cloze_filter(text: str, ordinal: int | None, answer: bool) -> str:
    nodes = _parse_clozes(text)
    if ordinal is None:
        revealed = "".join(n if isinstance(n, str) else n.answer_text() for n in nodes)
    elif any(ordinal in c.ordinals for c in _all_clozes(nodes)):
        revealed = _reveal(nodes, ordinal, answer)
    else:
        return ""  # Anki's empty card: no deletion with this number
    return _strip_html_inside_mathjax(revealed)


def _deletion_texts(text: str, ordinal: int | None, answer: bool) -> list[str]:
    """The deletions numbered ``ordinal`` (all, if None): their answers, or on
    the question side their hints."""
    return [
        c.answer_text() if answer or ordinal is None else c.question_text()
        for c in _all_clozes(_parse_clozes(text))
        if ordinal is None or ordinal in c.ordinals
    ]


def _cloze_for_typing(text: str, ordinal: int | None) -> str:
    if ordinal is None:
        return ""
    texts = _deletion_texts(text, ordinal, answer=True)
    return texts[0] if len(set(texts)) == 1 else ", ".join(texts)


# Filters
# ----------------------------------------------------------------------------

_FURIGANA = re.compile(r" ?([^ >]+?)\[(.+?)\]")


@dataclass(frozen=True)
class _Context:
    fields: Mapping[str, str]
    cloze_ord: int | None
    answer: bool
    front_side: str

    def value(self, key: str) -> str | None:
        if key in self.fields:
            return self.fields[key]
        if self.cloze_ord is not None and key == f"c{self.cloze_ord}":
            return "1"  # Anki adds the card's number, so {{#c2}} works on card 2
        return None


def _ruby(text: str, show: str) -> str:
    """``base[reading]`` as furigana ``base(reading)`` (a terminal has no
    ruby), or the reading alone (kana), or the base alone (kanji)."""

    def replace(m: re.Match[str]) -> str:
        base, reading = m[1], m[2]
        if reading.startswith("sound:"):
            return m[0]
        if show == "kana":
            return reading
        return base if show == "kanji" else f"{base}({reading})"

    return _FURIGANA.sub(replace, text.replace("&nbsp;", " "))


def _hint(text: str) -> str:
    # Anki shows a "click to reveal" link; a terminal cannot click, so inline.
    return f'<div class="hint">Hint: {text}</div>' if text.strip() else ""


def _type(text: str, ctx: _Context, variant: str) -> str:
    """The typed answer's box is the caller's (see typed_field); on the answer
    side this shows the expected answer."""
    if not ctx.answer:
        return ""
    expected = _cloze_for_typing(text, ctx.cloze_ord) if variant == "cloze" else text
    return _strip_html(expected)


def _apply_filter(name: str, text: str, ctx: _Context) -> str:
    if name == "text":
        return _strip_html(text)
    if name in ("furigana", "kana", "kanji"):
        return _ruby(text, name)
    if name == "hint":
        return _hint(text)
    if name == "cloze":
        return _cloze_filter(text, ctx.cloze_ord, ctx.answer)
    if name == "cloze-only":
        return ", ".join(_deletion_texts(text, ctx.cloze_ord, ctx.answer))
    if name in ("type", "type-cloze", "type-nc"):
        return _type(text, ctx, name.partition("-")[2])
    return text  # "", "tts …" (speech is not ours) and add-on filters pass through


def _effective_filters(filters: tuple[str, ...]) -> tuple[str, ...]:
    """As Anki: a chain ending in type: is only the type filter."""
    if not filters or filters[-1] != "type":
        return filters
    if filters in (("cloze", "type"), ("nc", "type")):
        return (f"type-{filters[0]}",)
    return ("type",)


# Rendering
# ----------------------------------------------------------------------------


def _replace(node: _Replacement, ctx: _Context) -> str:
    if node.key == "FrontSide":
        return ctx.front_side if ctx.answer else ""
    text = ctx.value(node.key)
    if text is None or not node.key:
        return ""  # an unknown field renders empty
    for name in _effective_filters(node.filters):
        text = _apply_filter(name, text, ctx)
    return text


def _shown(section: _Section, ctx: _Context) -> bool:
    value = ctx.value(section.key)
    return (value is None or _field_is_empty(value)) == section.negated


def _render_nodes(nodes: tuple[_Node, ...], ctx: _Context) -> str:
    out: list[str] = []
    stack = [iter(nodes)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, _Section):
            if _shown(node, ctx):
                stack.append(iter(node.children))
        elif isinstance(node, _Replacement):
            out.append(_replace(node, ctx))
        else:
            out.append(node.text)
    return "".join(out)


def render(
    template: str,
    fields: Mapping[str, str],
    *,
    cloze_ord: int | None = None,
    answer: bool = False,
    front_side: str = "",
) -> str:
    """Render one side of a card to HTML. ``fields`` maps field names to their HTML values and
    also holds the special names the caller supplies: "Tags", "Deck", "Subdeck", "Type", "Card",
    "CardFlag". ``cloze_ord`` is the deletion number of a cloze card (1 for c1); ``answer`` is True
    on the answer side; ``front_side`` is the rendered question, substituted for {{FrontSide}}.

    Raises TemplateError if the template is not valid template syntax."""
    return _render_nodes(_parse(template), _Context(fields, cloze_ord, answer, front_side))


# Questions about a template
# ----------------------------------------------------------------------------

_CLOZE_CONDITIONAL = re.compile(r"c[0-9]+")


def fields_on_question(template: str) -> set[str]:
    """Field names referenced by a question template: replacements with any
    filter, and sections ({{#c1}}-style card-number sections and {{FrontSide}}
    excluded). Special names such as "Tags" are included when used."""
    names = set()
    for node in _walk(_parse(template)):
        if isinstance(node, _Replacement) or (
            isinstance(node, _Section) and not _CLOZE_CONDITIONAL.fullmatch(node.key)
        ):
            names.add(node.key)
    return names - {"", "FrontSide"}


def cloze_numbers(template: str, fields: Mapping[str, str]) -> list[int]:
    """The deletion numbers a cloze note makes cards for: every cN (N>=1) found in the fields that the
    question template uses through a {{cloze:Field}} filter, ascending, distinct."""
    keys = {
        node.key
        for node in _walk(_parse(template))
        if isinstance(node, _Replacement) and "cloze" in node.filters
    }
    numbers: set[int] = set()
    for key in keys & set(fields):
        for cloze in _all_clozes(_parse_clozes(fields[key])):
            numbers |= cloze.ordinals
    return sorted(numbers - {0})


def typed_field(template: str) -> str | None:
    """The field name in the first {{type:Field}} / {{type:cloze:Field}} of a question
    template, else None."""
    for node in _walk(_parse(template)):
        if isinstance(node, _Replacement) and node.key and node.filters[-1:] == ("type",):
            return node.key
    return None
