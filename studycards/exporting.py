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
from studycards.records import CardKind, CardProgress, NoteKind
from studycards.store import Store

FORMATS = ("toml", "csv", "json", "apkg")


def all_deck_ids(store: Store) -> list[int]:
    return [deck_id for deck_id, _ in store.decks.all()]


def collect(store: Store, deck_ids: list[int], with_progress: bool) -> list[DeckSpec]:
    """The decks' notes (and, with progress, each card's state and history)
    as plain data, from one consistent snapshot."""
    with store.reading():
        decks = store.decks.with_ids(deck_ids)
        limits = store.decks.new_limits()
        notes = store.notes.in_decks(deck_ids)
        progress = _progress(store, [n.id for n in notes]) if with_progress else {}
        typed = store.notes.fields_of([n.id for n in notes if n.note_type == NoteKind.TYPED])
        note_types = store.note_types.with_ids([nt for nt, _ in typed.values()])
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
        if n.id in typed:
            nt_id, fields = typed[n.id]
            spec = spec._replace(note_type_spec=note_types[nt_id], fields=tuple(fields))
        by_deck.setdefault(n.deck_id, []).append(spec)
    return [DeckSpec(name=decks[i][0], description=decks[i][1], notes=tuple(by_deck.get(i, ())), new_per_day=limits.get(i)) for i in deck_ids]


def _progress(store: Store, note_ids: list[int]) -> dict[int, list[CardProgress]]:
    cards = store.cards.states_of_notes(note_ids)
    history = store.reviews.of_cards([card_id for _, card_id, _, _, _ in cards])
    by_note: dict[int, list[CardProgress]] = {}
    for note_id, card_id, kind, ordinal, state in cards:
        by_note.setdefault(note_id, []).append(CardProgress(CardKind(kind), ordinal, state, tuple(history.get(card_id, ()))))
    return by_note


def media_of(store: Store, decks: list[DeckSpec]) -> list[tuple[str, Path]]:
    """(name, stored file) of the media that the decks' typed notes use and
    the collection keeps, for a package."""
    from studycards import media
    from studycards.importers.html_text import media_names

    names = sorted({name for d in decks for n in d.notes for f in n.fields for name in media_names(f)})
    stored = store.media.hashes(names)
    folder = media.folder(store)
    return [(name, folder / stored[name]) for name in names if name in stored and (folder / stored[name]).is_file()]


def render(decks: list[DeckSpec], fmt: str, with_progress: bool, media: list[tuple[str, Path]] | None = None) -> bytes:
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
        with tempfile.TemporaryDirectory(prefix="studycards-media-") as tmp:
            paths = []
            for name, stored in media or ():
                if "/" in name or "\\" in name or name in (".", ".."):
                    continue  # a package names its files flat
                target = Path(tmp) / name
                target.write_bytes(stored.read_bytes())
                paths.append(str(target))
            apkg.write(decks, buffer, paths)
        return buffer.getvalue()
    raise InvalidValue(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")


def format_for(path: str | None, fmt: str | None, several: bool = False) -> str:
    """The format asked for, else the output file's extension, else TOML
    for one deck and JSON for several; several decks go to a folder of TOML
    files when ``-o`` names a folder (one that exists, or a name with no
    extension), and to JSON for a file name with an extension we do not know
    (``all.bak``)."""
    if fmt:
        return fmt
    if path and Path(path).is_dir():
        return "toml"
    suffix = Path(path).suffix.lower().lstrip(".") if path else ""
    known = {"toml": "toml", "csv": "csv", "txt": "csv", "tsv": "csv", "json": "json", "apkg": "apkg"}
    if suffix in known:
        return known[suffix]
    if several:
        return "toml" if path and not suffix else "json"
    return "toml"


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
