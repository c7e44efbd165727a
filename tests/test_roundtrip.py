"""A lossless way back: our own exports, imported again into the same
collection, change nothing, and our CSV export reaches Anki whole (a field
starting with ``#`` is not a comment to Anki's importer)."""

from __future__ import annotations

import html
import re

import pytest
from helpers import collection_sql

from studycards.exporters import anki_text

DECK = "Round trip"

# (options for `studycards add`, front or cloze text, back) as stored: `add` strips the sides.
NOTES = [
    (["--front", "Capital of France?", "--back", "Paris"], "Capital of France?", "Paris"),
    (["--front", "perro", "--back", "dog", "--reverse", "--tag", "animals", "--tag", "es"], "perro", "dog"),
    (["--cloze", "El {{c1::gato}} come {{c2::pan::food}}", "--back", "extra, with a comma"], "El {{c1::gato}} come {{c2::pan::food}}", "extra, with a comma"),
    (["--front", "#hashtag at the start", "--back", "# also here", "--tag", "c#"], "#hashtag at the start", "# also here"),
    (["--front", "one, two, three", "--back", "a,b"], "one, two, three", "a,b"),
    (["--front", 'say "hi"', "--back", '"quoted" back'], 'say "hi"', '"quoted" back'),
    (["--front", "line one\nline two", "--back", "back one\nback two"], "line one\nline two", "back one\nback two"),
    (["--front", "   leading spaces", "--back", "  trailing too  "], "leading spaces", "trailing too"),
    (["--front", "semi;colon|pipe: colon", "--back", "x # y"], "semi;colon|pipe: colon", "x # y"),
]


def add_notes(run) -> None:
    for options, _, _ in NOTES:
        result = run("add", DECK, *options)
        assert result.exit_code == 0, result.output


def note_rows(sql):
    return sql("select guid, deck_id, note_type, reverse, front, back, tags, source, position, modified, created from note order by id")


@pytest.mark.parametrize("fmt", ["json", "toml", "csv", "apkg"])
def test_reimporting_our_own_export_changes_nothing(run, sql, cards_json, tmp_path, fmt):
    add_notes(run)
    before, rows = cards_json(), note_rows(sql)
    assert [source for *_, source, _, _, _ in rows] == ["added"] * len(NOTES)
    out = tmp_path / f"export.{fmt}"
    assert run("export", DECK, "--format", fmt, "-o", str(out)).exit_code == 0
    result = run("import", str(out))
    assert result.exit_code == 0, result.output
    assert f"{DECK}: 0 added, 0 updated, {len(NOTES)} unchanged" in result.output
    assert cards_json() == before
    assert note_rows(sql) == rows  # sources ("added") and modification times kept
    again = run("import", str(out))  # and still nothing the second time
    assert f"{DECK}: 0 added, 0 updated, {len(NOTES)} unchanged" in again.output


@pytest.mark.parametrize("fmt", ["csv", "apkg"])
def test_a_real_edit_in_an_anki_export_still_updates_and_keeps_the_source(run, sql, tmp_path, fmt):
    add_notes(run)
    csv_path = tmp_path / "export.csv"
    assert run("export", DECK, "--format", "csv", "-o", str(csv_path)).exit_code == 0
    text = csv_path.read_text(encoding="utf-8")
    assert ",Paris," in text
    csv_path.write_text(text.replace(",Paris,", ",Paris (edited),"), encoding="utf-8")
    path = csv_path
    if fmt == "apkg":  # the same edit, carried by a package
        fresh = tmp_path / "other.db"
        assert run("--db", str(fresh), "import", str(csv_path)).exit_code == 0
        path = tmp_path / "export.apkg"
        assert run("--db", str(fresh), "export", DECK, "-o", str(path)).exit_code == 0
    result = run("import", str(path))
    assert f"{DECK}: 0 added, 1 updated, {len(NOTES) - 1} unchanged" in result.output
    assert sql("select back, source from note where front = ?", "Capital of France?") == [("Paris (edited)", "added")]


def test_a_source_written_in_our_json_is_a_real_edit(run, sql, tmp_path):
    add_notes(run)
    out = tmp_path / "export.json"
    assert run("export", DECK, "-o", str(out)).exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace('"source": "added"', '"source": "my textbook"', 1), encoding="utf-8")
    result = run("import", str(out))
    assert f"{DECK}: 0 added, 1 updated, {len(NOTES) - 1} unchanged" in result.output
    assert sorted(source for (source,) in sql("select source from note")) == ["added"] * (len(NOTES) - 1) + ["my textbook"]


def test_a_new_note_from_an_anki_export_is_sourced_by_its_format(run, sql, tmp_path):
    add_notes(run)
    out = tmp_path / "export.csv"
    assert run("export", DECK, "--format", "csv", "-o", str(out)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(out)).exit_code == 0
    sources = {source for (source,) in collection_sql(fresh, "select source from note")}
    assert sources == {"anki: Basic", "anki: Basic (and reversed card)", "anki: Cloze"}


@pytest.mark.parametrize(
    "value, written",
    [
        ("plain", "plain"),
        ("#start", '"#start"'),
        ("x#y", '"x#y"'),  # Anki quotes a '#' anywhere
        ("a,b", '"a,b"'),
        ('q"uote', '"q""uote"'),
        ("new\nline", '"new\nline"'),
        ("carriage\rreturn", '"carriage\rreturn"'),
        (" lead", '" lead"'),
        ("trail\t", '"trail\t"'),
        ("semi;colon|pipe:colon", "semi;colon|pipe:colon"),
        ("", ""),
    ],
)
def test_csv_fields_are_quoted_where_anki_could_misread_them(value, written):
    assert anki_text.field(value) == written


def _anki_text(field: str) -> str:
    """An Anki field (HTML) as the plain text we stored."""
    return html.unescape(re.sub(r"<br\s*/?>", "\n", field))


def test_csv_export_imports_into_a_fresh_anki_collection_with_every_note(run, tmp_path):
    anki_collection = pytest.importorskip("anki.collection", reason="Anki's Python backend (the anki package) is not installed")
    add_notes(run)
    out = tmp_path / "export.csv"
    assert run("export", DECK, "--format", "csv", "-o", str(out)).exit_code == 0
    assert '"#hashtag at the start"' in out.read_text(encoding="utf-8")

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        metadata = col.get_csv_metadata(str(out), None)
        col.import_csv(anki_collection.ImportCsvRequest(path=str(out), metadata=metadata))
        assert col.note_count() == len(NOTES)
        got = {}
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            decks = {col.decks.name(card.did) for card in note.cards()}
            got[_anki_text(note.fields[0])] = (
                _anki_text(note.fields[1]),
                note.note_type()["name"],
                sorted(note.tags),
                decks,
                len(note.cards()),
            )
    finally:
        col.close()
    expected = {
        front: (
            back,
            "Cloze" if "--cloze" in options else "Basic (and reversed card)" if "--reverse" in options else "Basic",
            sorted(options[i + 1] for i, option in enumerate(options) if option == "--tag"),
            {DECK},
            2 if "--reverse" in options or "{{c2::" in front else 1,
        )
        for options, front, back in NOTES
    }
    assert got == expected
