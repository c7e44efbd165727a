"""Search trees (``studycards.search``) as SQL conditions.

A ``Condition`` is a WHERE fragment over
``card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id``
and its parameters (every term binds its own, ``sq0``, ``sq1``, ...; the
shared predicates' ``:no``, ``:yes``, ``:today`` come with them). Values
are always bound, never written into the text, so any query text is safe.
Every term is true or false, never NULL, so ``-term`` is exactly the cards
``term`` leaves out.

How text is matched, regardless of case:

- Words and phrases: ``LOWER(field) LIKE LOWER(:pattern) ESCAPE '\\'``.
  SQLite's LOWER folds only ASCII letters, so a pattern with other letters
  is also tried all in lower case, all in upper case, capitalised, and with
  each word capitalised (Python's ``lower``, ``upper``, ``capitalize``,
  ``title``): ``ärger`` finds "Ärger" and "ÄRGER" but not "äRGER"
  (PostgreSQL's LOWER folds every letter and finds all of them).
- Decks: against ``deck.folded``, the name case-folded by Python when it
  was stored, with the pattern case-folded the same way: exact for every
  language.
- Tags: an ASCII pattern with ``*`` only at its ends is one LIKE over the
  space-separated tags; a pattern with a ``*`` inside (which one LIKE could
  match across two tags) or with letters outside ASCII is first resolved
  against the collection's distinct tags in Python (case-folded, the
  wildcard never crossing a tag), then matched as those exact tags.
- ``%`` and ``_`` are plain characters everywhere; only ``*`` is a wildcard.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

from studycards import search as ast
from studycards.scheduler import LEECH_TAG
from studycards.store.conn import Conn
from studycards.store.predicates import DUE_BY, NEW, STUDIED, VISIBLE, params

INT64_MIN, INT64_MAX = ast.INT64_MIN, ast.INT64_MAX
FROM = "card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id"
TRUE, FALSE = "1 = 1", "1 = 0"
_ESCAPE = " ESCAPE '\\'"
_COLUMNS = {"ivl": 'card."interval"', "lapses": "card.lapses", "ease": "card.easiness", "due": "card.due"}
_SQL_OPERATORS = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "=", "!=": "<>"}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Condition(NamedTuple):
    sql: str
    params: dict[str, object]


EVERYTHING = Condition(TRUE, {})


def _parts(glob: str) -> list[str | None]:
    """The glob as characters, with None for each wildcard."""
    out: list[str | None] = []
    chars = iter(glob)
    for c in chars:
        if c == "\\":
            out.append(next(chars, "\\"))
        else:
            out.append(None if c == ast.WILDCARD else c)
    return out


def _like(glob: str) -> str:
    """The glob as a LIKE pattern with ``\\`` as the escape character."""
    return "".join("%" if c is None else "\\" + c if c in "%_\\" else c for c in _parts(glob))


def _escape_like(text: str) -> str:
    return "".join("\\" + c if c in "%_\\" else c for c in text)


def _regex(glob: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c is None else re.escape(c) for c in _parts(glob)), re.DOTALL)


def _case_variants(glob: str) -> list[str]:
    """Spellings of the pattern that SQLite's ASCII-only LOWER cannot tell
    apart from each other: only letters outside ASCII make more than one."""
    if glob.isascii():
        return [glob]
    spellings = (glob, glob.lower(), glob.upper(), glob.capitalize(), glob.title())
    return list(dict.fromkeys(s.translate(_ASCII_LOWER) for s in spellings))


def _int64(value: int) -> int:
    """Day arithmetic on user numbers, kept in 64 bits (no stored day is
    anywhere near the ends, so clamping changes no comparison)."""
    return max(INT64_MIN, min(INT64_MAX, value))


def _join(parts: list[str], op: str) -> str:
    """``(a) op (b) op ...`` as a balanced tree, so a long query stays far
    below the database's limit on expression depth."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return f"({_join(parts[:middle], op)} {op} {_join(parts[middle:], op)})"


class _Compiler:
    def __init__(self, conn: Conn, today: int, day_start: Callable[[int], int]) -> None:
        self.conn = conn
        self.today = today
        self.day_start = day_start
        self.values: dict[str, object] = {}
        self._tags: list[str] | None = None

    def bind(self, value: object) -> str:
        name = f"sq{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def sql(self, node: ast.Node) -> str:
        if isinstance(node, ast.And):
            return _join([self.sql(t) for t in node.terms], "AND") if node.terms else TRUE
        if isinstance(node, ast.Or):
            return _join([self.sql(t) for t in node.terms], "OR")
        if isinstance(node, ast.Not):
            return f"(NOT {self.sql(node.term)})"
        if isinstance(node, ast.Text):
            return self.text(node.pattern)
        if isinstance(node, ast.Deck):
            return self.deck(node.pattern)
        if isinstance(node, ast.Tag):
            return self.tag(node.pattern)
        if isinstance(node, ast.Is):
            return self.state(node.state)
        if isinstance(node, ast.Prop):
            return self.prop(node)
        if isinstance(node, ast.Added):
            first_day = max(self.today - (node.days - 1), -1)  # long ago: before any note
            return f"(note.created >= {self.bind(self.day_start(first_day))})"
        if isinstance(node, ast.Rated):
            since = self.bind(_int64(self.today - node.days))
            return f"(EXISTS (SELECT 1 FROM review_log WHERE review_log.card_id = card.id AND review_log.study_day > {since}))"
        raise TypeError(f"not a search term: {node!r}")

    def text(self, glob: str) -> str:
        parts = []
        for spelling in _case_variants(glob):
            pattern = self.bind(f"%{_like(spelling)}%")
            for field in ("note.front", "note.back"):
                parts.append(f"(LOWER({field}) LIKE LOWER({pattern}){_ESCAPE})")
        return _join(parts, "OR")

    def deck(self, glob: str) -> str:
        pattern = _like(glob.casefold())
        itself, below = self.bind(pattern), self.bind(pattern + "::%")
        return f"(deck.folded LIKE {itself}{_ESCAPE} OR deck.folded LIKE {below}{_ESCAPE})"

    def tag(self, glob: str) -> str:
        parts = _parts(glob)
        letters = [i for i, c in enumerate(parts) if c is not None]
        inner_wildcard = bool(letters) and None in parts[letters[0] : letters[-1]]
        if inner_wildcard or not glob.isascii():
            matching = self.tags_matching(glob)
            if not matching:
                return f"({FALSE})"
            return _join([f"((' ' || note.tags || ' ') LIKE {self.bind(f'% {_escape_like(t)} %')}{_ESCAPE})" for t in matching], "OR")
        body = _like(glob) if letters else "_%"  # only wildcards: any tag at all
        return f"(LOWER(' ' || note.tags || ' ') LIKE LOWER({self.bind(f'% {body} %')}){_ESCAPE})"

    def tags_matching(self, glob: str) -> list[str]:
        """The collection's tags (as stored) that the glob matches, regardless of case."""
        if self._tags is None:
            found: set[str] = set()
            for (tags,) in self.conn.all("SELECT DISTINCT note.tags FROM note WHERE note.tags <> :empty", empty=""):
                found.update(tags.split())
            self._tags = sorted(found)
        regex = _regex(glob.casefold())
        return [t for t in self._tags if regex.fullmatch(t.casefold())]

    def state(self, state: str) -> str:
        if state == "new":
            return f"({NEW})"
        if state == "due":
            return f"({VISIBLE} AND {DUE_BY})"
        if state == "review":
            return f"({STUDIED})"
        if state == "suspended":
            return "(card.suspended = :yes)"
        if state == "buried":
            return "(card.buried_until IS NOT NULL AND card.buried_until > :today)"
        if state == "leech":
            return self.tag(LEECH_TAG)
        raise ValueError(f"unknown state {state!r}")

    def prop(self, node: ast.Prop) -> str:
        op = _SQL_OPERATORS[node.op]
        column = _COLUMNS[node.name]
        if node.name == "due":
            return f"({STUDIED} AND {column} {op} {self.bind(_int64(self.today + node.value))})"
        return f"({column} {op} {self.bind(node.value)})"


class Search:
    """Search conditions, compiled against this collection (a tag pattern
    may need the collection's tags; call inside the snapshot that runs the
    query)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def condition(self, node: ast.Node, today: int, day_start: Callable[[int], int]) -> Condition:
        """``node`` as a condition for study day ``today``; ``day_start(day)``
        is the epoch second at which a study day begins (for ``added:``)."""
        compiler = _Compiler(self.conn, today, day_start)
        sql = compiler.sql(node)
        return Condition(sql, {**params(today), **compiler.values})
