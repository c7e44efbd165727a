"""A typed note's cards: which cards its note type makes and what each one
shows, rendered as Anki renders them (the note type's templates, then the
HTML turned into terminal text).

Cards are rendered once, when the note is written (import, edit), and
their question and answer are stored on the card, so showing a card costs
no more than showing one of our own.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from studycards import anki_template
from studycards.importers import html_text
from studycards.records import CardKind, NoteTypeSpec

# Stand-ins for plain-text field values while a template is turned into
# text (private-use characters, which no HTML conversion touches).
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class Face:
    """One card a typed note makes, as terminal text."""

    kind: CardKind
    ord: int
    question: str
    answer: str


def encode_fields(fields: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(fields), ensure_ascii=False)


def faces(nt: NoteTypeSpec, fields: tuple[str, ...] | list[str], tags: tuple[str, ...] | list[str], deck: str) -> list[Face]:
    """Every card the note makes (a template whose question uses a
    non-empty field; a cloze deletion number), in card order. A note type
    whose templates cannot be read makes one card of the first field and
    the rest, so no note is lost to a broken template."""
    try:
        return _faces(nt, fields, tags, deck)
    except anki_template.TemplateError:
        front, back = sides(nt, fields)
        return [Face(CardKind.TEMPLATE, 0, front, back)] if front.strip() else []


def _faces(nt: NoteTypeSpec, fields: tuple[str, ...] | list[str], tags: tuple[str, ...] | list[str], deck: str) -> list[Face]:
    values = dict(zip(nt.fields, fields))
    for name in nt.fields:
        values.setdefault(name, "")
    hidden = html_text.hidden_classes(nt.css) if nt.css else frozenset()
    special = {"Tags": " ".join(tags), "Deck": deck, "Subdeck": deck.split("::")[-1], "Type": nt.name, "CardFlag": ""}
    out: list[Face] = []
    if nt.cloze:
        template = nt.templates[0] if nt.templates else None
        if template is None:
            return out
        for number in anki_template.cloze_numbers(template.question, values):
            face = _face(nt, template.question, template.answer, values, special | {"Card": f"Cloze {number}"}, number, hidden)
            if face is not None:
                out.append(Face(CardKind.CLOZE, number, *face))
        return out
    for index, template in enumerate(nt.templates):
        used = anki_template.fields_on_question(template.question)
        if not any(_has_content(values.get(name, "")) for name in used):
            continue  # Anki makes no card whose question uses only empty fields
        face = _face(nt, template.question, template.answer, values, special | {"Card": template.name}, None, hidden)
        if face is not None:
            out.append(Face(CardKind.TEMPLATE, index, *face))
    return out


def _has_content(value: str) -> bool:
    return bool(value.strip()) and bool(html_text.to_text(value)[0].strip() or "<img" in value.lower() or "[sound:" in value)


def _face(nt, question_tpl, answer_tpl, values, special, cloze_ord, hidden):  # type: ignore[no-untyped-def]
    if nt.html:
        mapping = {**values, **special}
    else:  # plain text: render with stand-ins, put the exact text back after conversion
        mapping = {name: (f"{_OPEN}{i}{_CLOSE}" if value.strip() else "") for i, (name, value) in enumerate(values.items())}
        mapping |= {k: html.escape(v) for k, v in special.items()}
    question_html = anki_template.render(question_tpl, mapping, cloze_ord=cloze_ord, answer=False)
    question = html_text.to_text(question_html, hidden)[0]
    if not question.strip():
        return None
    answer_html = anki_template.render(answer_tpl, mapping, cloze_ord=cloze_ord, answer=True, front_side=question_html)
    after = _after_marker(answer_html)
    if after is None:  # no marker: leave the question out, it is on screen already
        after = anki_template.render(answer_tpl, mapping, cloze_ord=cloze_ord, answer=True, front_side="")
    answer = html_text.to_text(after, hidden)[0]
    if not nt.html:
        plain = list(values.values())
        question, answer = _put_back(question, plain), _put_back(answer, plain)
    return question, answer


def _after_marker(answer_html: str) -> str | None:
    """The answer side after the split Anki's stock types mark with
    ``<hr id=answer>`` (the review screen shows the question above the
    answer already), or None without one."""
    lowered = answer_html.lower()
    for marker in ("<hr id=answer>", '<hr id="answer">', "<hr id='answer'>", "<hr id=answer/>", '<hr id="answer"/>', '<hr id="answer" />'):
        at = lowered.find(marker)
        if at >= 0:
            return answer_html[at + len(marker):]
    return None


def _put_back(text: str, plain: list[str]) -> str:
    if _OPEN not in text:
        return text
    out, rest = [], text
    while _OPEN in rest:
        before, _, after = rest.partition(_OPEN)
        number, _, rest = after.partition(_CLOSE)
        out.append(before)
        out.append(html_text.strip_media(plain[int(number)])[0] if number.isdigit() and int(number) < len(plain) else "")
    out.append(rest)
    return "".join(out)


def sides(nt: NoteTypeSpec, fields: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """The note's first field and the rest as text: what matching, search
    and listings use as its front and back."""
    texts = []
    for value in fields:
        text = html_text.to_text(value)[0] if nt.html else html_text.strip_media(value)[0]
        texts.append(text)
    front = texts[0] if texts else ""
    back = "\n".join(t for t in texts[1:] if t)
    return front, back
