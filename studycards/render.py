"""Card kinds and how each turns a note into a prompt and an answer.

Cloze text uses Anki's syntax: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``.
Several deletions with different numbers make several cards; deletions
sharing a number are blanked together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studycards.records import CardKind, NoteKind
from studycards.text import HL_CLOSE, HL_OPEN, unmark


_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


@dataclass(frozen=True)
class CardSpec:
    """Which cards a note makes: (kind, ordinal) pairs."""

    kind: CardKind
    ord: int


MAX_CLOZE = 9999  # the highest deletion number: a card number, not a bignum


def cloze_ordinals(text: str) -> list[int]:
    """The distinct deletion numbers in ``text``, ascending (c0, and numbers
    above MAX_CLOZE, which ``too_high_cloze`` reports, are ignored)."""
    if "{{c" not in text:
        return []  # the common case in a large import: no regex needed
    return sorted({n for m in _CLOZE.finditer(text) if 0 < (n := int(m.group(1))) <= MAX_CLOZE})


def too_high_cloze(text: str) -> int | None:
    """The first deletion number above MAX_CLOZE in ``text``, if any."""
    return next((n for m in _CLOZE.finditer(text) if (n := int(m.group(1))) > MAX_CLOZE), None)


_BASIC = (CardSpec(CardKind.BASIC, 0),)
_BASIC_AND_REVERSED = (CardSpec(CardKind.BASIC, 0), CardSpec(CardKind.REVERSED, 0))


def card_specs(note_type: str, reverse: bool, text: str) -> tuple[CardSpec, ...]:
    if note_type == NoteKind.CLOZE:
        return tuple(CardSpec(CardKind.CLOZE, n) for n in cloze_ordinals(text))
    return _BASIC_AND_REVERSED if reverse else _BASIC


def _cloze(text: str, ordinal: int, reveal: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        number, answer, hint = int(match.group(1)), match.group(2), match.group(3)
        if number != ordinal:
            return answer
        if reveal:
            return f"{HL_OPEN}{answer}{HL_CLOSE}"
        return f"[{hint}]" if hint else "[...]"

    return _CLOZE.sub(replace, text)


def cloze_answers(text: str, ordinal: int) -> list[str]:
    """The deleted texts of deletion number ``ordinal``, in order: what a
    typed answer to the card is compared with."""
    return [m.group(2) for m in _CLOZE.finditer(text) if int(m.group(1)) == ordinal]


def prompt_and_answer(kind: str, ordinal: int, front: str, back: str, marked: bool = False) -> tuple[str, str]:
    """What the card asks and what it answers, as plain text; with
    ``marked`` a cloze answer's revealed part stays between the highlight
    marks (text.HL_OPEN, HL_CLOSE), else it is shown in [brackets]."""
    if kind == CardKind.REVERSED:
        prompt, answer = back, front
    elif kind == CardKind.CLOZE:
        answer = _cloze(front, ordinal, reveal=True)
        if back.strip():
            answer = f"{answer}\n\n{back}"
        prompt = _cloze(front, ordinal, reveal=False)
    else:
        prompt, answer = front, back
    return (prompt, answer) if marked else (unmark(prompt), unmark(answer))
