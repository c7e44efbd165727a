"""The decks that ship with studycards, kept in step with the installed release.

In a wheel they are package data (studycards/decks/); in a source checkout
they are the repository's top-level decks/ folder. A hash of the files is
stored in the database, so when a new release changes a deck its notes are
updated in place by stable id (cards keep their scheduling) and an unchanged
release costs one small read per command.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from studycards import settings

if TYPE_CHECKING:
    from studycards import notes
    from studycards.store import Store

_HASH_KEY = "_builtin_decks_hash"


def deck_dir() -> Path | None:
    here = Path(__file__).resolve().parent
    for candidate in (here / "decks", here.parent / "decks"):
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return None


def deck_files() -> list[Path]:
    folder = deck_dir()
    return sorted(folder.glob("*.toml")) if folder else []


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sync(store: Store, now_epoch: int) -> list[notes.DeckReport] | None:
    """Load or update the built-in decks if they changed, in one
    transaction; None if there was nothing to do."""
    from studycards import deckfile, notes

    files = deck_files()
    digest = _digest(files)
    specs = [deckfile.parse_file(path) for path in files]  # validate all first
    with store.transaction():
        if settings.get_internal(store, _HASH_KEY) == digest:
            return None  # another process loaded them meanwhile
        reports = [notes.apply_deck(store, spec, now_epoch) for spec in specs]
        settings.set_internal(store, _HASH_KEY, digest)
    return reports


def needs_sync(store: Store) -> bool:
    return settings.get_internal(store, _HASH_KEY) != _digest(deck_files())
