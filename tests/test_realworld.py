"""Real deck files that other people published (../shared/realworld/), each
imported as a user would, with the counts checked against the file's own
content read independently (zipfile, zstandard, sqlite3, csv); and the
way back to Anki judged by Anki's own backend."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
PACKAGES = [
    "ankitects_diffmodeltemplates-1.apkg",
    "ankitects_media.apkg",
    "ankitects_update1.apkg",
    "categorytheory_deck.apkg",
    "mnemosyne_anki1.apkg",
    "plua.apkg",
    "zhongwen_deck.apkg",
    "itpassport_collection.colpkg",
    "mnemosyne_anki1_collection.anki2",
]


def test_the_corpus_is_there():
    assert REALWORLD.is_dir(), f"{REALWORLD} is missing: the real-world corpus comes with the repository's shared/ folder"
    assert {p.name for p in REALWORLD.iterdir()} >= set(PACKAGES)


def _collection(path: Path, tmp: Path) -> Path:
    """The newest collection inside a package (or the bare file), as a file."""
    if path.suffix in (".anki2", ".anki21"):
        return path
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        entry = next(n for n in ("collection.anki21b", "collection.anki21", "collection.anki2") if n in names)
        data = archive.read(entry)
    if entry.endswith("b"):
        import zstandard

        data = zstandard.ZstdDecompressor().stream_reader(data).read()
    target = tmp / "independent.db"
    target.write_bytes(data)
    return target


def _anki_counts(path: Path, tmp: Path) -> tuple[int, int]:
    with sqlite3.connect(f"file:{_collection(path, tmp)}?mode=ro", uri=True) as conn:
        notes = conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
        cards = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    conn.close()
    return notes, cards


def _ours(sql) -> tuple[int, int]:
    return sql("select count(*) from note")[0][0], sql("select count(*) from card")[0][0]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_anki_package_imports_every_note_and_card(run, sql, tmp_path, name):
    path = REALWORLD / name
    notes, cards = _anki_counts(path, tmp_path)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "Skipped" not in result.output, result.output
    assert _ours(sql) == (notes, cards)
    again = run("import", str(path))
    assert again.exit_code == 0
    assert " 0 added, 0 updated" in again.output or notes == 0, again.output


def _cards(run) -> dict[str, list[dict]]:
    result = run("cards", "--json")
    assert result.exit_code == 0, result.output
    by_front: dict[str, list[dict]] = {}
    for card in json.loads(result.stdout):
        by_front.setdefault(card["front"], []).append(card)
    return by_front
