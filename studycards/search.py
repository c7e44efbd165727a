"""The search language for cards: a subset of Anki's search syntax, parsed
into a small tree of frozen records. Pure: standard library only, no
database; ``studycards.store.search`` turns the tree into SQL.

Grammar (keywords and keys regardless of case)::

    query   := or_expr?                       an empty query matches every card
    or_expr := and_expr ("or" and_expr)*
    and_expr:= unary (("and")? unary)*         terms side by side: AND (binds tighter than or)
    unary   := "-"* primary                    "-" negates a term or a group
    primary := "(" or_expr ")" | term

A term is a run of characters up to white space or a parenthesis; double
quotes group white space and parentheses into it (``"a phrase"``,
``deck:"My deck"`` and ``"deck:My deck"`` alike). A backslash makes the
next character plain when it is one of ``\\ " * ( ) - :`` (``\\*`` a star
that is no wildcard, ``\\:`` a colon that starts no key); before anything
else a backslash is itself.

Terms:

- ``word``, ``"a phrase"``: the text appears in the note's front or back,
  regardless of case; ``*`` matches any run of characters.
- ``deck:NAME``: cards in the deck NAME or any deck below it (deck names
  form a tree with ``::``), regardless of case; ``*`` is a wildcard.
- ``tag:NAME``: the note has the tag NAME (the whole tag, regardless of
  case; ``*`` is a wildcard within one tag).
- ``is:new`` never studied; ``is:due`` studied, due today or earlier, not
  suspended or buried; ``is:review`` studied; ``is:suspended``;
  ``is:buried`` buried until a later day; ``is:leech`` the note is tagged
  leech.
- ``prop:ivl``, ``prop:due``, ``prop:lapses``, ``prop:ease`` with one of
  ``< <= > >= = !=`` and a number: the interval in days; the due day
  relative to today (``prop:due<=0`` due today or overdue; new cards have
  no due day and never match; suspended and buried cards do, it is about
  the date); lapses; easiness (``prop:ease<2.0``, at most two decimals:
  easiness is kept in hundredths). New cards have interval 0 and easiness
  2.50, and match those.
- ``added:N``: notes created in the last N study days (1 is today; 0 is
  taken as 1, as Anki does).
- ``rated:N``: cards answered in the last N study days (1 is today; 0 is
  taken as 1).

Any other ``key:value`` with a key made of letters is an error (Anki would
search a field of that name): write ``key\\:value`` to search for the text.

Limits: at most 1,000 characters, parentheses nested at most 50 deep,
numbers within 64 bits, and no control characters other than white space.
Unlike Anki, ``_`` is a plain character, not a one-character wildcard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple, Union

from studycards.errors import InvalidValue

MAX_QUERY_LENGTH = 1000
MAX_NESTING = 50  # parentheses inside parentheses
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

IS_STATES = ("new", "due", "review", "suspended", "buried", "leech")
PROPERTIES = ("ivl", "due", "lapses", "ease")
OPERATORS = ("<=", ">=", "!=", "<", ">", "=")  # longest first, for matching
KEYS = ("deck", "tag", "is", "prop", "added", "rated")
ESCAPABLE = '\\"*()-:'

# Patterns (Text, Deck, Tag) are globs: "*" matches any run of characters,
# "\*" is a plain star and "\\" a plain backslash; every other character is
# itself.
WILDCARD = "*"


@dataclass(frozen=True)
class Text:
    """A word or phrase found in the note's front or back (a glob)."""

    pattern: str


@dataclass(frozen=True)
class Deck:
    """Cards in a deck matching the glob, or in any deck below it."""

    pattern: str


@dataclass(frozen=True)
class Tag:
    """Notes with a tag matching the glob (the whole tag)."""

    pattern: str


@dataclass(frozen=True)
class Is:
    state: str  # one of IS_STATES


@dataclass(frozen=True)
class Prop:
    """``prop:ease`` values are in hundredths (2.5 -> 250), like the column."""

    name: str  # one of PROPERTIES
    op: str  # one of OPERATORS
    value: int


@dataclass(frozen=True)
class Added:
    days: int  # >= 1


@dataclass(frozen=True)
class Rated:
    days: int  # >= 1


@dataclass(frozen=True)
class Not:
    term: Node


@dataclass(frozen=True)
class And:
    """All of the terms; ``And(())`` matches everything."""

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Node, ...]


Node = Union[Text, Deck, Tag, Is, Prop, Added, Rated, Not, And, Or]
EVERYTHING = And(())


def quote(text: str, limit: int = 80) -> str:
    """``text`` in single quotes for a one-line message: control characters
    (newlines included) escaped, shortened past ``limit`` characters."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return f"'{text}'"


# --- tokens ----------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "(", ")", "-", "term"
    chars: tuple[tuple[str, bool], ...]  # (character, escaped) for terms
    source: str  # as typed


def _tokens(query: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append(_Token(c, (), c))
            i += 1
        elif c == "-":
            if i + 1 == n or query[i + 1].isspace() or query[i + 1] == ")":
                raise InvalidValue(f"'-' must be followed by a term or a group in {quote(query)}")
            out.append(_Token("-", (), c))
            i += 1
        else:
            start, chars, quoted = i, [], False
            while i < n:
                c = query[i]
                if c == "\\":
                    if i + 1 < n and query[i + 1] in ESCAPABLE:
                        chars.append((query[i + 1], True))
                        i += 2
                    else:
                        chars.append(("\\", True))
                        i += 1
                    continue
                if c == '"':
                    quoted = not quoted
                elif not quoted and (c.isspace() or c in "()"):
                    break
                else:
                    chars.append((c, False))
                i += 1
            if quoted:
                raise InvalidValue(f"unclosed quote in {quote(query[start:])}")
            out.append(_Token("term", tuple(chars), query[start:i]))
    return out


# --- terms -----------------------------------------------------------------

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_DAYS = re.compile(r"[0-9]+")


def _glob(chars: tuple[tuple[str, bool], ...]) -> str:
    out = []
    for c, escaped in chars:
        if c == "\\" or (c == WILDCARD and escaped):
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


def _plain(chars: tuple[tuple[str, bool], ...]) -> str:
    return "".join(c for c, _ in chars)


def _int64(value: int, source: str) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise InvalidValue(f"number out of range in {quote(source)} (from {INT64_MIN} to {INT64_MAX})")
    return value


def _prop(value: str, source: str) -> Prop:
    name = re.match(r"[A-Za-z]*", value).group().lower()  # type: ignore[union-attr]
    if name not in PROPERTIES:
        raise InvalidValue(f"unknown search term {quote(source)} (prop: takes {', '.join(PROPERTIES)})")
    rest = value[len(name) :]
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None:
        raise InvalidValue(f"prop:{name} needs an operator (< <= > >= = !=) and a number: {quote(source)}")
    number = rest[len(op) :]
    if name != "ease":
        if not _INTEGER.fullmatch(number):
            kind = "a whole number" if _DECIMAL.fullmatch(number) and number.strip("+-.") else "a number"
            raise InvalidValue(f"prop:{name} needs {kind}: {quote(source)}")
        return Prop(name, op, _int64(int(number), source))
    match = _DECIMAL.fullmatch(number)
    if not match or not (match.group(2) or match.group(3)):
        raise InvalidValue(f"prop:ease needs a number: {quote(source)}")
    sign, whole, fraction = match.group(1), match.group(2) or "0", (match.group(3) or "").rstrip("0")
    if len(fraction) > 2:
        raise InvalidValue(f"prop:ease takes at most 2 decimals (easiness is kept in hundredths): {quote(source)}")
    hundredths = int(whole) * 100 + int(fraction.ljust(2, "0"))
    if hundredths > INT64_MAX:
        raise InvalidValue(f"number out of range in {quote(source)} (prop:ease is at most {INT64_MAX // 100})")
    return Prop(name, op, -hundredths if sign == "-" else hundredths)


def _days(key: str, value: str, source: str) -> int:
    if not _DAYS.fullmatch(value):
        raise InvalidValue(f"{key}: needs a whole number of days: {quote(source)}")
    return max(1, _int64(int(value), source))


def _term(token: _Token) -> Node:
    chars, source = token.chars, token.source
    colon = next((k for k, (c, escaped) in enumerate(chars) if c == ":" and not escaped), 0)
    if colon > 0 and not any(escaped for _, escaped in chars[:colon]) and _KEY.fullmatch(_plain(chars[:colon])):
        key = _plain(chars[:colon]).lower()
        value = chars[colon + 1 :]
        if key == "deck":
            if not value:
                raise InvalidValue(f"deck: needs a name: {quote(source)}")
            return Deck(_glob(value))
        if key == "tag":
            if not value:
                raise InvalidValue(f"tag: needs a name: {quote(source)}")
            if any(c.isspace() for c, _ in value):
                raise InvalidValue(f"tags have no spaces: {quote(source)}")
            return Tag(_glob(value))
        if key == "is":
            state = _plain(value).lower()
            if state not in IS_STATES:
                raise InvalidValue(f"unknown search term {quote(source)} (is: takes {', '.join(IS_STATES)})")
            return Is(state)
        if key == "prop":
            return _prop(_plain(value), source)
        if key == "added":
            return Added(_days(key, _plain(value), source))
        if key == "rated":
            return Rated(_days(key, _plain(value), source))
        raise InvalidValue(
            f"unknown search term {quote(source)} (keys: {', '.join(k + ':' for k in KEYS)};"
            f" to search for the text, write {quote(source.replace(':', chr(92) + ':', 1))})"
        )
    pattern = _glob(chars)
    if not pattern:
        raise InvalidValue(f"empty search term {quote(source)}")
    return Text(pattern)


# --- the parser ------------------------------------------------------------


def _keyword(token: _Token) -> str | None:
    if token.kind == "term" and token.source.lower() in ("or", "and"):
        return token.source.lower()
    return None


class _Parser:
    def __init__(self, query: str, tokens: list[_Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.at = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def fail(self, problem: str) -> InvalidValue:
        return InvalidValue(f"{problem} in {quote(self.query)}")

    def or_expr(self, depth: int) -> Node:
        terms = [self.and_expr(depth)]
        while (token := self.peek()) is not None and _keyword(token) == "or":
            self.at += 1
            terms.append(self.and_expr(depth))
        return _combine(Or, terms)

    def and_expr(self, depth: int) -> Node:
        terms: list[Node] = []
        while (token := self.peek()) is not None and token.kind != ")":
            word = _keyword(token)
            if word == "or":
                break
            if word == "and":
                if not terms:
                    raise self.fail("'and' needs a term on each side")
                self.at += 1
                token = self.peek()
                if token is None or token.kind == ")" or _keyword(token) is not None:
                    raise self.fail("'and' needs a term on each side")
            terms.append(self.unary(depth))
        if not terms:
            token = self.peek()
            if token is not None and token.kind == ")" and self.at > 0 and self.tokens[self.at - 1].kind == "(":
                raise self.fail("empty parentheses")
            if token is not None and token.kind == ")":
                raise self.fail("'or' needs a term on each side" if self.at > 0 and _keyword(self.tokens[self.at - 1]) == "or" else "unbalanced parenthesis")
            if self.at > 0 and self.tokens[self.at - 1].kind == "(":
                raise self.fail("unbalanced parenthesis")  # "(" and nothing after it
            raise self.fail("'or' needs a term on each side")
        return _combine(And, terms)

    def unary(self, depth: int) -> Node:
        negations = 0
        while (token := self.peek()) is not None and token.kind == "-":
            negations += 1
            self.at += 1
        token = self.peek()
        if negations and (token is None or token.kind == ")" or _keyword(token) is not None):
            raise self.fail("'-' must be followed by a term or a group")
        assert token is not None
        self.at += 1
        if token.kind == "(":
            if depth >= MAX_NESTING:
                raise self.fail(f"parentheses nested too deep (at most {MAX_NESTING})")
            node = self.or_expr(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise self.fail("unbalanced parenthesis")
            self.at += 1
        else:
            node = _term(token)
        return Not(node) if negations % 2 else node


def _combine(kind: type[And] | type[Or], terms: list[Node]) -> Node:
    """One term as itself; nested groups of the same kind flattened."""
    if len(terms) == 1:
        return terms[0]
    flat: list[Node] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    return kind(tuple(flat))


def parse(query: str) -> Node:
    """The query as a tree; raises InvalidValue naming the bad part."""
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidValue(f"the search query is too long ({len(query):,} characters; at most {MAX_QUERY_LENGTH:,})")
    control = next((c for c in query if (c < " " or "\x7f" <= c <= "\x9f") and not c.isspace()), None)
    if control is not None:  # a NUL would end a LIKE pattern early in SQLite; none of them is worth searching for
        raise InvalidValue(f"the search query contains a control character ({quote(control)[1:-1]}) in {quote(query)}")
    tokens = _tokens(query)
    if not tokens:
        return EVERYTHING
    parser = _Parser(query, tokens)
    node = parser.or_expr(0)
    if parser.peek() is not None:  # only a ")" stops the top level early
        raise parser.fail("unbalanced parenthesis")
    return node
