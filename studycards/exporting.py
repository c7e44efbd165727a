"""``studycards export``: read decks (and optionally progress) into plain
data, render them in the chosen format, and write them without ever
clobbering an existing file unless asked to."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from studycards.deckfile import DeckSpec, NoteSpec
from studycards.errors import InvalidValue
from studycards.records import CardKind, CardProgress
from studycards.store import Store

FORMATS = ("toml", "csv", "json", "apkg")


def all_deck_ids(store: Store) -> list[int]:
    return [deck_id for deck_id, _ in store.decks.all()]


def collect(store: Store, deck_ids: list[int], with_progress: bool) -> list[DeckSpec]:
    """The decks' notes (and, with progress, each card's state and history)
    as plain data, from one consistent snapshot."""
    with store.reading():
        decks = store.decks.with_ids(deck_ids)
        notes = store.notes.in_decks(deck_ids)
        progress = _progress(store, [n.id for n in notes]) if with_progress else {}
    by_deck: dict[int, list[NoteSpec]] = {}
    for n in notes:
        spec = NoteSpec(
            guid=n.guid,
            note_type=n.note_type,
            front=n.front,
            back=n.back,
            reverse=bool(n.reverse),
            tags=tuple(n.tags.split()),
            source=n.source,
            progress=tuple(progress.get(n.id, ())),
        )
        by_deck.setdefault(n.deck_id, []).append(spec)
    return [DeckSpec(name=decks[i][0], description=decks[i][1], notes=tuple(by_deck.get(i, ()))) for i in deck_ids]


def _progress(store: Store, note_ids: list[int]) -> dict[int, list[CardProgress]]:
    cards = store.cards.states_of_notes(note_ids)
    history = store.reviews.of_cards([card_id for _, card_id, _, _, _ in cards])
    by_note: dict[int, list[CardProgress]] = {}
    for note_id, card_id, kind, ordinal, state in cards:
        by_note.setdefault(note_id, []).append(CardProgress(CardKind(kind), ordinal, state, tuple(history.get(card_id, ()))))
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


def format_for(path: str | None, fmt: str | None, several: bool = False) -> str:
    """The format asked for, else the output file's extension, else TOML
    for one deck and JSON for several (a folder of TOML files is asked for
    by name)."""
    if fmt:
        return fmt
    if path and Path(path).is_dir():
        return "toml"
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    known = {"toml": "toml", "csv": "csv", "txt": "csv", "tsv": "csv", "json": "json", "apkg": "apkg"}
    return known.get(suffix, "json" if several and not path else "toml")


def file_name(deck: str) -> str:
    """A file name for a deck: levels joined by "__", anything that is not
    a letter, digit, space, dot, dash or underscore replaced."""
    safe = "".join(c if c.isalnum() or c in " ._-" else "_" for c in deck.replace("::", "__")).strip(" .")
    return (safe or "deck")[:150] + ".toml"


def write_folder(folder: Path, decks: list[DeckSpec], force: bool) -> list[Path]:
    """One TOML deck file per deck in ``folder`` (created if missing); checks
    every name first, so nothing is written if any file would be clobbered."""
    from studycards.exporters import toml_file

    targets = [folder / file_name(deck.name) for deck in decks]
    if len(set(targets)) != len(targets):
        raise InvalidValue("two decks would get the same file name; export them one at a time")
    clobbered = [t for t in targets if t.exists()]
    if clobbered and not force:
        raise InvalidValue(f"{clobbered[0]} already exists; use --force to overwrite it")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InvalidValue(f"{folder}: cannot create the folder ({err.strerror})")
    for target, deck in zip(targets, decks):
        write_file(target, toml_file.dump(deck).encode(), True)
    return targets


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
