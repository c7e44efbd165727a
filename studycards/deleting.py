"""Deleting decks and notes, renaming decks, and undoing a deletion.

A deletion saves every row it removes (decks, notes, cards, review history)
in the same transaction, so ``studycards undo`` puts them back exactly,
progress included. Deleting a built-in deck also keeps it deleted when a
new release updates the others (see builtin.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from studycards import builtin, decktree
from studycards.decks import resolve_decks
from studycards.errors import InvalidValue, NotFound
from studycards.store import Store


@dataclass(frozen=True)
class Removal:
    """What a deletion removes (or removed): counts for the user to confirm."""

    description: str
    decks: int
    notes: int
    cards: int
    reviews: int


def _counts(description: str, payload: dict) -> Removal:  # type: ignore[type-arg]
    return Removal(description, *(len(payload[t]["rows"]) for t in ("deck", "note", "card", "review_log")))


def _describe(store: Store, deck_ids: list[int], note_ids: list[int]) -> str:
    names = [name for deck_id, name in store.decks.all() if deck_id in set(deck_ids)]
    tops = [n for n in names if not any(decktree.within(n, other) and n != other for other in names)]
    parts = []
    if tops:
        subs = len(names) - len(tops)
        parts.append(", ".join(f"deck {n!r}" for n in tops) + (f" with {subs} sub-deck{'s' if subs != 1 else ''}" if subs else ""))
    if note_ids:
        parts.append(f"{len(note_ids)} note{'s' if len(note_ids) != 1 else ''} ({', '.join(str(i) for i in note_ids[:5])}{', ...' if len(note_ids) > 5 else ''})")
    return " and ".join(parts)


def plan(store: Store, deck_names: list[str], note_ids: list[int]) -> tuple[list[int], list[int], Removal]:
    """The decks (with sub-decks) and notes to delete, and what that removes;
    nothing is changed. Unknown names or ids are an error."""
    with store.reading():
        deck_ids = resolve_decks(store, deck_names) or [] if deck_names else []
        if note_ids:
            known = store.notes.existing(note_ids)
            missing = [i for i in note_ids if i not in known]
            if missing:
                raise NotFound(f"unknown note id {missing[0]}")
        if not deck_ids and not note_ids:
            raise InvalidValue("nothing to delete: name decks with --deck or give note ids")
        payload = store.undo.gather(deck_ids, note_ids)
        return deck_ids, note_ids, _counts(_describe(store, deck_ids, note_ids), payload)


def delete(store: Store, deck_ids: list[int], note_ids: list[int], now_epoch: int) -> Removal:
    """Delete in one transaction, saving everything removed for ``undo``."""
    with store.transaction():
        description = _describe(store, deck_ids, note_ids)
        payload = store.undo.gather(deck_ids, note_ids)
        removed_names = [name for deck_id, name in store.decks.all() if deck_id in set(deck_ids)]
        payload["builtin"] = builtin.forget_removed(store, removed_names)
        guid_column = payload["note"]["columns"].index("guid") if payload["note"]["rows"] else 0
        payload["builtin_notes"] = builtin.forget_notes(store, [row[guid_column] for row in payload["note"]["rows"]])
        store.undo.remove(payload)
        store.undo.record(description, payload, now_epoch)
    return _counts(description, payload)


def undo(store: Store) -> Removal:
    """Restore the last deletion, with its cards' progress and history."""
    with store.transaction():
        last = store.undo.last()
        if last is None:
            raise NotFound("nothing to undo")
        entry_id, description, payload = last
        store.undo.restore(entry_id, payload)
        builtin.put_back(store, payload.get("builtin"), payload.get("builtin_notes"))
    return _counts(description, payload)


def rename(store: Store, old: str, new: str) -> tuple[str, str, int]:
    """Rename deck ``old`` (moving it in the tree if the path changes) with
    its sub-decks; returns the old and new names and how many decks moved."""
    new = decktree.check_name(new)
    with store.transaction():
        everything = store.decks.all()
        found = store.decks.ids_by_name([old])
        if old not in found:
            known = ", ".join(name for _, name in everything) or "none yet"
            raise NotFound(f"unknown deck {old!r} (decks: {known})")
        top = next(name for deck_id, name in everything if deck_id == found[old])
        if decktree.within(new, top) and new.casefold() != top.casefold():
            raise InvalidValue(f"cannot move deck {top!r} inside itself ({new!r})")
        moving = [(deck_id, new + name[len(top):]) for deck_id, name in everything if decktree.within(name, top)]
        ids = {deck_id for deck_id, _ in moving}
        taken = {name.casefold(): name for deck_id, name in everything if deck_id not in ids}
        clash = next((name for _, name in moving if name.casefold() in taken), None)
        if clash is not None:
            raise InvalidValue(f"a deck named {taken[clash.casefold()]!r} already exists")
        parents = decktree.ancestors(new)
        if parents:
            parent_id = store.decks.get_or_create(parents[-1])  # with its own spelling for the path
            spelled = store.decks.with_ids([parent_id])[parent_id][0]
            moving = [(deck_id, spelled + decktree.SEPARATOR + name[len(parents[-1]) + len(decktree.SEPARATOR):]) for deck_id, name in moving]
        store.decks.rename_many(moving)
        builtin.renamed(store, [(name, dict(moving)[deck_id]) for deck_id, name in everything if deck_id in ids])
    return top, dict(moving)[found[old]], len(moving)
