"""The decks that ship with studycards, kept in step with the installed release.

In a wheel they are package data (studycards/decks/); in a source checkout
they are the repository's top-level decks/ folder. A hash of the files is
stored in the database, so when a new release changes a deck its notes are
updated in place by stable id (cards keep their scheduling) and an unchanged
release costs one small read per command.

They are a starting kit, not a fixture: each can be deleted or renamed like
any deck. What became of each is kept under ``_builtin_decks`` (shipped name
-> current name, or null once deleted), so a release updating the others
neither brings a deleted deck back nor undoes a rename;
``studycards builtin --restore`` loads the deleted ones again.

A release may also retire notes: a deck file's ``retired`` list names the
ids of notes it no longer ships (merged into another note, or asked better
by a new one). Syncing deletes those notes, their cards and the cards'
review history, wherever they are in the collection, and touches no other
note: a note kept across releases keeps its id and so its progress.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from studycards import settings

if TYPE_CHECKING:
    from studycards import notes
    from studycards.store import Store

_HASH_KEY = "_builtin_decks_hash"
_NAMES_KEY = "_builtin_decks"
_DELETED_NOTES_KEY = "_builtin_deleted_notes"  # stable ids of built-in notes the user deleted


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


def _names(store: Store) -> dict[str, str | None]:
    raw = settings.get_internal(store, _NAMES_KEY)
    return json.loads(raw) if raw else {}


def _save_names(store: Store, names: dict[str, str | None]) -> None:
    settings.set_internal(store, _NAMES_KEY, json.dumps(names, ensure_ascii=False, sort_keys=True))


def sync(store: Store, now_epoch: int) -> list[notes.DeckReport] | None:
    """Load or update the built-in decks if they changed, in one
    transaction; None if there was nothing to do. A deleted built-in deck is
    left out; a renamed one is updated under its new name."""
    from dataclasses import replace

    from studycards import deckfile, notes

    files = deck_files()
    digest = _digest(files)
    specs = [deckfile.parse_file(path) for path in files]  # validate all first
    with store.transaction():
        if settings.get_internal(store, _HASH_KEY) == digest:
            return None  # another process loaded them meanwhile
        names = _names(store)
        deleted = _deleted_notes(store)
        shipped = {n.guid for spec in specs for n in spec.notes}
        reports = []
        for spec in specs:
            current = names.setdefault(spec.name, spec.name)
            gone = retire(store, [g for g in spec.retired if g not in shipped])  # a note moved to another deck file stays
            if current is not None:
                kept = tuple(n for n in spec.notes if n.guid not in deleted)
                report = notes.apply_deck(store, replace(spec, name=current, notes=kept), now_epoch)
                report.notes_retired, report.cards_retired = gone
                reports.append(report)
        _save_names(store, names)
        settings.set_internal(store, _HASH_KEY, digest)
    return reports


def retire(store: Store, guids: list[str]) -> tuple[int, int]:
    """Delete the notes with these stable ids, their cards and the cards'
    review history (a release's retired notes); returns how many notes and
    cards went. Ids the collection does not have are skipped."""
    found = store.notes.by_guid(guids) if guids else {}
    if not found:
        return 0, 0
    payload = store.undo.gather([], [row[0] for row in found.values()])
    store.undo.remove(payload)
    return len(payload["note"]["rows"]), len(payload["card"]["rows"])


def leave_out(store: Store) -> None:
    """A new collection that is not to start with the kit (one made by
    ``import``, such as a round trip of an export): every built-in deck is
    recorded as deleted, so no release brings them in; ``--restore`` does."""
    from studycards import deckfile

    files = deck_files()
    with store.transaction():
        if _names(store):
            return  # another process loaded them meanwhile
        _save_names(store, {deckfile.parse_file(path).name: None for path in files})
        settings.set_internal(store, _HASH_KEY, _digest(files))


def first_load(store: Store) -> bool:
    """Whether no built-in deck was ever loaded into this collection."""
    return not _names(store)


def needs_sync(store: Store) -> bool:
    return settings.get_internal(store, _HASH_KEY) != _digest(deck_files())


def forget_removed(store: Store, deleted: list[str]) -> dict[str, str | None]:
    """Mark built-in decks among ``deleted`` (current names) as deleted, so
    releases leave them out; returns the record as it was, for undo."""
    names = _names(store)
    gone = {name.casefold() for name in deleted}
    _save_names(store, {shipped: None if current and current.casefold() in gone else current for shipped, current in names.items()})
    return names


def put_back(store: Store, names: dict[str, str | None] | None, deleted_notes: list[str] | None = None) -> None:
    """Undo of a deletion: the records as they were before it."""
    if names is not None:
        _save_names(store, names)
    if deleted_notes is not None:
        _save_deleted_notes(store, set(deleted_notes))


def _deleted_notes(store: Store) -> set[str]:
    raw = settings.get_internal(store, _DELETED_NOTES_KEY)
    return set(json.loads(raw)) if raw else set()


def _save_deleted_notes(store: Store, guids: set[str]) -> None:
    settings.set_internal(store, _DELETED_NOTES_KEY, json.dumps(sorted(guids)))


def forget_notes(store: Store, guids: list[str]) -> list[str]:
    """Record deleted built-in notes (by their stable id) so releases do not
    bring them back; returns the record as it was, for undo."""
    before = _deleted_notes(store)
    shipped = _shipped_guids()
    gone = {g for g in guids if g in shipped}
    if gone:
        _save_deleted_notes(store, before | gone)
    return sorted(before)


def _shipped_guids() -> set[str]:
    from studycards import deckfile

    return {n.guid for path in deck_files() for n in deckfile.parse_file(path).notes if n.guid}


def renamed(store: Store, moves: list[tuple[str, str]]) -> None:
    """Follow renamed decks (old name -> new name)."""
    new = {old.casefold(): name for old, name in moves}
    names = _names(store)
    _save_names(store, {shipped: new.get(current.casefold(), current) if current else None for shipped, current in names.items()})


def status(store: Store) -> list[tuple[str, str | None]]:
    """(shipped name, current name or None if deleted) of each built-in deck."""
    names = _names(store)
    from studycards import deckfile

    return [(spec.name, names.get(spec.name, spec.name)) for spec in (deckfile.parse_file(p) for p in deck_files())]


def restore(store: Store, now_epoch: int) -> list[str]:
    """Load the deleted built-in decks and notes again (as new cards); returns
    the names of the decks that come back."""
    with store.transaction():
        names = _names(store)
        back = [shipped for shipped, current in names.items() if current is None]
        taken = {name.casefold() for _, name in store.decks.all()}
        clash = next((name for name in back if name.casefold() in taken), None)
        if clash is not None:
            from studycards.errors import InvalidValue

            raise InvalidValue(f"a deck named {clash!r} exists already: rename it first")
        _save_names(store, {shipped: shipped if current is None else current for shipped, current in names.items()})
        _save_deleted_notes(store, set())  # deleted built-in notes come back too
        settings.set_internal(store, _HASH_KEY, "")  # load again
        sync(store, now_epoch)
    return back
