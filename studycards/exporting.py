"""``studycards export``: read decks (and optionally progress) into plain
data, render them in the chosen format, and write them without ever
clobbering an existing file unless asked to."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from sqlmodel import Session, col, select

from studycards.deckfile import DeckSpec, NoteSpec
from studycards.errors import InvalidValue
from studycards.models import Card, Deck, Note, ReviewLog
from studycards.notes import REVIEW_FIELDS

FORMATS = ("toml", "csv", "json", "apkg")


def collect(session: Session, deck_ids: list[int], with_progress: bool) -> list[DeckSpec]:
    decks = {d.id: d for d in session.exec(select(Deck).where(col(Deck.id).in_(deck_ids)))}
    notes: dict[int, list[Note]] = {}
    for note in session.exec(select(Note).where(col(Note.deck_id).in_(deck_ids)).order_by(Note.position, Note.id)):
        notes.setdefault(note.deck_id, []).append(note)
    progress: dict[int, list[dict]] = {}
    if with_progress:
        progress = _progress(session, [n.id for group in notes.values() for n in group])
    out = []
    for deck_id in deck_ids:
        deck = decks[deck_id]
        specs = tuple(
            NoteSpec(
                guid=n.guid,
                note_type=n.note_type,
                front=n.front,
                back=n.back,
                reverse=n.reverse,
                tags=tuple(n.tags.split()),
                source=n.source,
                progress=tuple(progress.get(n.id, ())),
            )
            for n in notes.get(deck_id, [])
        )
        out.append(DeckSpec(name=deck.name, description=deck.description, notes=specs))
    return out


def _progress(session: Session, note_ids: list[int]) -> dict[int, list[dict]]:
    cards: dict[int, dict] = {}
    by_note: dict[int, list[dict]] = {}
    for start in range(0, len(note_ids), 500):
        chunk = note_ids[start : start + 500]
        for card in session.exec(select(Card).where(col(Card.note_id).in_(chunk)).order_by(Card.kind, Card.ord)):
            entry = {
                "kind": card.kind,
                "ord": card.ord,
                "repetitions": card.repetitions,
                "easiness_hundredths": card.easiness,
                "interval": card.interval,
                "due": card.due,
                "lapses": card.lapses,
                "suspended": card.suspended,
                "buried_until": card.buried_until,
                "last_review": card.last_review,
                "reviews": [],
            }
            cards[card.id] = entry
            by_note.setdefault(card.note_id, []).append(entry)
    ids = list(cards)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for log in session.exec(select(ReviewLog).where(col(ReviewLog.card_id).in_(chunk)).order_by(ReviewLog.id)):
            cards[log.card_id]["reviews"].append({k: getattr(log, k) for k in REVIEW_FIELDS})
    return by_note


def render(decks: list[DeckSpec], fmt: str, with_progress: bool) -> bytes:
    if with_progress and fmt != "json":
        raise InvalidValue("--with-progress needs --format json (the only format that carries progress)")
    if fmt == "toml":
        from studycards.exporters import toml_file

        if len(decks) != 1:
            raise InvalidValue("a TOML deck file holds one deck: export one deck at a time, or use --format json")
        return toml_file.dump(decks[0]).encode()
    if fmt == "json":
        from studycards.exporters import json_file

        return json_file.dump(decks, with_progress).encode()
    if fmt == "csv":
        from studycards.exporters import anki_text

        return anki_text.dump(decks).encode()
    if fmt == "apkg":
        from studycards.exporters import apkg

        buffer = io.BytesIO()
        apkg.write(decks, buffer)
        return buffer.getvalue()
    raise InvalidValue(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")


def format_for(path: str | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    return {"toml": "toml", "csv": "csv", "txt": "csv", "tsv": "csv", "json": "json", "apkg": "apkg"}.get(suffix, "toml")


def write_file(path: Path, data: bytes, force: bool) -> None:
    """Write atomically: a temporary file in the same folder, then a rename."""
    if path.exists() and not force:
        raise InvalidValue(f"{path} already exists; use --force to overwrite it")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as err:
        raise InvalidValue(f"{path}: cannot write ({err.strerror})")
