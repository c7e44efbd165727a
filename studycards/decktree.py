"""Deck names and the deck tree: ``::`` separates levels, as in Anki.

"Languages::Spanish::Verbs" is a deck inside "Languages::Spanish" inside
"Languages". Names are unique and matched regardless of case (compared
case-folded); the spelling given first is kept. Reviewing, listing,
exporting or taking statistics of a deck includes its sub-decks.
Standard library only.
"""

from __future__ import annotations

from studycards.errors import InvalidValue

SEPARATOR = "::"
MAX_NAME_CHARS = 500


def check_name(name: str) -> str:
    """The deck name with spaces around each level trimmed; an empty level
    (``::``, ``a::``, ``::a``, ``a::::b``) or an empty name is refused."""
    levels = [level.strip() for level in name.split(SEPARATOR)]
    if not name.strip():
        raise InvalidValue("a deck name cannot be empty")
    if any(not level for level in levels):
        raise InvalidValue(f"deck name {name!r} has an empty level (write names like \"Languages::Spanish\")")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidValue(f"a deck name is at most {MAX_NAME_CHARS} characters")
    return SEPARATOR.join(levels)


def levels(name: str) -> list[str]:
    return name.split(SEPARATOR)


def ancestors(name: str) -> list[str]:
    """The names of the decks above ``name``, top first."""
    parts = levels(name)
    return [SEPARATOR.join(parts[:i]) for i in range(1, len(parts))]


def within(name: str, top: str) -> bool:
    """Whether deck ``name`` is ``top`` or one of its sub-decks (any case)."""
    name, top = name.casefold(), top.casefold()
    return name == top or name.startswith(top + SEPARATOR)


def sort_key(name: str) -> list[str]:
    """Parents before their children, siblings by name regardless of case."""
    return [level.casefold() for level in levels(name)]


def depth(name: str) -> int:
    return len(levels(name)) - 1


def leaf(name: str) -> str:
    return levels(name)[-1]
