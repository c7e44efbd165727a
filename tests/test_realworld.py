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
from contextlib import contextmanager
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


# --- the way back to Anki, judged by Anki's own backend --------------------------------

ANKI_PACKAGES = [p for p in PACKAGES if p != "itpassport_collection.colpkg" and not p.endswith(".anki2")]


def _anki():
    """Anki's backend, which the test extra installs (its wheels cover the usual machines)."""
    return pytest.importorskip("anki.collection", reason="Anki's Python backend (the anki package) has no wheel for this machine")


@contextmanager
def _fresh_anki(folder: Path):  # type: ignore[no-untyped-def]
    """A new, empty Anki collection (Anki's own backend) in ``folder``."""
    anki = _anki()
    folder.mkdir()
    col = anki.Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def _import_package(col, path: Path):  # type: ignore[no-untyped-def]
    anki = _anki()
    return col.import_anki_package(anki.ImportAnkiPackageRequest(package_path=str(path), options=anki.ImportAnkiPackageOptions())).log


def _our_export(run, path: Path, out: Path) -> Path:  # type: ignore[no-untyped-def]
    """``path`` imported into our collection and exported again as ``out``."""
    assert run("import", str(path)).exit_code == 0
    assert run("export", "-o", str(out)).exit_code == 0
    return out


def _original_notes(path: Path, tmp: Path) -> dict[str, tuple[int, list[str]]]:
    """guid -> (note type id, fields) read straight from the package's collection."""
    with sqlite3.connect(f"file:{_collection(path, tmp)}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT guid, mid, flds FROM notes").fetchall()
    conn.close()
    return {guid: (mid, flds.split("\x1f")) for guid, mid, flds in rows}


@pytest.mark.slow
@pytest.mark.parametrize("name", ANKI_PACKAGES)
def test_our_apkg_export_goes_into_a_fresh_anki_collection_as_the_original(run, tmp_path, name):
    path = REALWORLD / name
    original = _original_notes(path, tmp_path)
    out = _our_export(run, path, tmp_path / "ours.apkg")
    with _fresh_anki(tmp_path / "fresh") as col:
        _import_package(col, out)
        got = {}
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            got[note.guid] = (note.mid, list(note.fields))
        cards = col.card_count()
    assert got == original  # every note, under its own note type id, every field as it was
    assert cards == _anki_counts(path, tmp_path)[1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ANKI_PACKAGES)
def test_our_apkg_export_updates_the_originals_in_anki_instead_of_conflicting(run, tmp_path, name):
    path = REALWORLD / name
    out = _our_export(run, path, tmp_path / "ours.apkg")

    def shape(col):  # type: ignore[no-untyped-def]
        return (col.note_count(), col.card_count(), sorted(n.id for n in col.models.all_names_and_ids()), sorted(d.name for d in col.decks.all_names_and_ids()))

    with _fresh_anki(tmp_path / "anki") as col:
        _import_package(col, path)
        before = shape(col)
        log = _import_package(col, out)
        after = shape(col)
    assert not log.new and not log.conflicting and not log.missing_notetype
    assert len(log.updated) + len(log.duplicate) == before[0]
    assert after == before  # no second note type (by id; Anki may rename a clashing name), no "Default_" deck, no new notes


@pytest.mark.slow
@pytest.mark.parametrize("name", ["zhongwen_deck.apkg", "plua.apkg", "mnemosyne_anki1.apkg"])
def test_our_csv_export_of_anki_notes_is_read_by_anki_as_the_same_notes(run, tmp_path, name):
    anki = _anki()
    path = REALWORLD / name
    out = _our_export(run, path, tmp_path / "ours.csv")
    again = run("import", str(out))
    assert again.exit_code == 0 and " 0 added, 0 updated" in again.output and "updated, 0 unchanged" not in again.output
    with _fresh_anki(tmp_path / "anki") as col:
        _import_package(col, path)
        before = {n: list(col.get_note(n).fields) for n in col.find_notes("")}
        log = col.import_csv(anki.ImportCsvRequest(path=str(out), metadata=col.get_csv_metadata(str(out), None))).log
        after = {n: list(col.get_note(n).fields) for n in col.find_notes("")}
    assert not log.new and not log.conflicting and not log.missing_notetype
    assert after == before


@pytest.mark.parametrize("fmt", ["json", "apkg", "csv"])
def test_reimporting_our_export_of_real_decks_changes_nothing(run, tmp_path, fmt):
    for name in ("zhongwen_deck.apkg", "plua.apkg", "categorytheory_deck.apkg", "mnemosyne_anki1.apkg"):
        assert run("import", str(REALWORLD / name)).exit_code == 0
    out = tmp_path / f"all.{fmt}"
    assert run("export", "-o", str(out)).exit_code == 0
    again = run("import", str(out))
    assert again.exit_code == 0, again.output
    assert " 0 updated" in again.output and "added, 0 updated, 0 unchanged" not in again.output
    assert all(" 0 added, 0 updated" in line for line in again.output.splitlines() if " added, " in line), again.output


# --- text files and Mnemosyne files ------------------------------------------------------

import csv  # noqa: E402


def _text_records(name: str) -> list[list[str]]:
    """The file's data rows, read with the csv module (its #separator, comment lines left out)."""
    text = (REALWORLD / name).read_text(encoding="utf-8-sig")
    separator = "\t"
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#separator:"):
            separator = {"tab": "\t", "comma": ",", "semicolon": ";"}.get(line.split(":", 1)[1].strip().lower(), "\t")
        elif not line.startswith("#"):
            lines.append(line)
    return [row for row in csv.reader(lines, delimiter=separator) if any(cell.strip() for cell in row)]


@pytest.mark.parametrize("name", ["strus_AllDecks.txt", "inwaves_AllDecks.txt", "mojekarticky_Abstraktni_umeni.txt", "ankitects_text-2fields.txt"])
def test_every_row_of_a_text_export_is_a_note_and_reimports_unchanged(run, sql, name):
    rows = _text_records(name)
    result = run("import", str(REALWORLD / name))
    assert result.exit_code == 0, result.output
    empty_fronts = [row for row in rows if not row[0].strip()]  # Anki skips these too: a card with no question
    assert ("Skipped" in result.output) == bool(empty_fronts), result.output
    assert sql("select count(*) from note")[0][0] == len(rows) - len(empty_fronts)
    again = run("import", str(REALWORLD / name))
    assert all(" 0 added, 0 updated" in line for line in again.output.splitlines() if " added, " in line), again.output


def test_every_column_of_a_wide_text_export_is_kept(run, sql):
    rows = _text_records("strus_AllDecks.txt")  # guid, notetype, deck, 10 fields, tags
    assert run("import", str(REALWORLD / "strus_AllDecks.txt")).exit_code == 0
    stored = {guid: json.loads(fields) for guid, fields in sql("select guid, fields from note")}
    assert len(stored) == len(rows)
    for row in rows:
        assert stored[row[0]] == row[3:13]  # every field, as the file has it


def test_the_mnemosyne_database_imports_with_its_progress(run, sql):
    path = REALWORLD / "ankitects_mnemo.db"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        studied = conn.execute("SELECT COUNT(*) FROM cards WHERE grade >= 0").fetchone()[0]
        cards = conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0]
    conn.close()
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "Skipped" not in result.output, result.output
    assert sql("select count(*) from card where due is not null")[0][0] == studied
    assert sql("select count(*) from card")[0][0] == cards  # the unseen one, a question with no answer, too
    assert run("check").exit_code == 0


def test_the_mnemosyne_xml_export_imports_every_item(run, sql):
    import xml.etree.ElementTree as ET

    path = REALWORLD / "mnemosyne_dups.xml"
    items = ET.parse(path).getroot().findall("item")
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert sql("select count(*) from card")[0][0] == len(items)  # each item is a card, as in Mnemosyne
