"""Importing Anki's and our own formats, and exporting, as a user runs them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import answers, collection_sql

from studycards.importers import anki_package
from studycards.text import unmark

FIXTURES = Path(__file__).parent / "fixtures"
PACKAGES = ["anki_current.apkg", "anki_legacy.apkg", "anki_current.colpkg", "anki_legacy.colpkg"]
ANKI_GUIDS = {"LV?2;il[^L", "f2~wACeVJ!", "vh>i%6a2?l", "N_A7}o.UzS", "Pspzn=m=7@", "K;h&tk=HMC", "zU}Gb>K:A|", "D;S!mpy/d;"}


def note_rows(sql):
    return sql(
        "select n.guid, d.name, n.note_type, n.reverse, n.front, n.back, n.tags from note n join deck d on d.id = n.deck_id order by n.guid"
    )


def imported(run, path, *options):
    result = run("import", str(path), *options)
    assert result.exit_code == 0, result.output
    return result.output


# --- Anki's own exports ---------------------------------------------------------


def card_faces(sql):
    """(guid, kind, ord) -> (question, answer) as a card shows them."""
    rows = sql(
        "select n.guid, c.kind, c.ord, coalesce(c.question, n.front), coalesce(c.answer, n.back) from card c join note n on n.id = c.note_id"
    )
    return {(guid, kind, ordinal): (unmark(q), unmark(a)) for guid, kind, ordinal, q, a in rows}


@pytest.mark.parametrize("name", PACKAGES)
def test_packages_exported_by_anki_import_with_their_note_types_decks_tags_and_guids(run, sql, name):
    out = imported(run, FIXTURES / name)
    assert "Anki Basics: 5 added" in out and "Anki Basics::Geography: 3 added" in out
    rows = {r[0]: r[1:] for r in note_rows(sql)}
    assert set(rows) == ANKI_GUIDS
    assert {r[1] for r in rows.values()} == {"typed"}  # every note keeps its Anki note type
    assert rows["LV?2;il[^L"][:1] + rows["LV?2;il[^L"][3:] == ("Anki Basics", "What is 2 + 2?", "4", "maths")
    types = dict(sql("select n.guid, t.name from note n join note_type t on t.id = n.note_type_id"))
    assert types["LV?2;il[^L"] == "Basic" and types["Pspzn=m=7@"] == "Basic (and reversed card)" and types["zU}Gb>K:A|"] == "Cloze"
    fields = json.loads(sql("select fields from note where guid = 'N_A7}o.UzS'")[0][0])
    assert fields[0].startswith("Picture:") and "cat.jpg" in fields[0] and "meow.mp3" in fields[1]  # the HTML as Anki has it
    faces = card_faces(sql)
    assert faces[("f2~wACeVJ!", "template", 0)] == ("Tom & Jerry are a cat and a ...?", "mouse\n(a small one)")
    assert faces[("Pspzn=m=7@", "template", 1)] == ("Paris", "Capital of France")  # the reversed card
    assert faces[("zU}Gb>K:A|", "cloze", 2)] == ("The mitochondria is the [role] of the cell", "The mitochondria is the [powerhouse] of the cell\nbiology")
    assert faces[("N_A7}o.UzS", "template", 0)] == ("Picture: [image: cat.jpg]", "a cat [sound: meow.mp3]")
    assert faces[("D;S!mpy/d;", "template", 0)] == ("Ünïcödé ✓ question", "答え")
    assert sql("select count(*) from card") == [(11,)]  # 5 basic + 2x2 reversed + 2 cloze


def test_a_text_file_exported_by_anki_imports_with_decks_tags_and_guids(run, sql):
    out = imported(run, FIXTURES / "anki_notes_all_columns.txt")
    assert "Anki Basics: 5 added" in out and "Anki Basics::Geography: 3 added" in out
    assert "Media: 2 references" in out
    rows = {r[0]: r[1:] for r in note_rows(sql)}
    assert set(rows) == ANKI_GUIDS
    assert rows["LV?2;il[^L"] == ("Anki Basics", "basic", 0, "What is 2 + 2?", "4", "maths")
    assert rows["f2~wACeVJ!"] == ("Anki Basics", "basic", 0, "Tom & Jerry are a cat and a ...?", "mouse\n(a small one)", "animals cartoons")
    assert rows["vh>i%6a2?l"][4] == "line one\nline two\nline three"
    assert rows["Pspzn=m=7@"] == ("Anki Basics::Geography", "basic", 1, "Capital of France", "Paris", "geo")
    assert rows["zU}Gb>K:A|"][1:5] == ("cloze", 0, "The {{c1::mitochondria}} is the {{c2::powerhouse::role}} of the cell", "biology")
    assert rows["N_A7}o.UzS"][3:5] == ("Picture: [image: cat.jpg]", "a cat [sound: meow.mp3]")  # media shown in place
    assert rows["D;S!mpy/d;"][3:5] == ("Ünïcödé ✓ question", "答え")
    assert sql("select count(*) from card") == [(11,)]  # 5 basic + 2x2 reversed + 2 cloze


def test_current_packages_never_import_the_dummy_legacy_collection(run, sql):
    with zipfile.ZipFile(FIXTURES / "anki_current.apkg") as package:
        assert {"collection.anki21b", "collection.anki2"} <= set(package.namelist())
    out = imported(run, FIXTURES / "anki_current.apkg")
    assert "collection.anki21b" in out
    assert sql("select count(*) from note where front like '%Please update%'") == [(0,)]


def test_genanki_package_imports(run, sql):
    out = imported(run, FIXTURES / "genanki_deck.apkg")
    assert "Genanki Deck: 3 added" in out
    # A note type of the deck's own is kept; genanki's stock note types are the ones our own notes go
    # to Anki with, so their notes come back as our own kinds.
    assert note_rows(sql) == [
        ("genanki-guid-1", "Genanki Deck", "typed", 0, "Capital of Italy", "Rome", "geo"),
        ("genanki-guid-2", "Genanki Deck", "typed", 0, "Largest planet", "Jupiter", ""),
        ("genanki-guid-3", "Genanki Deck", "cloze", 0, "{{c1::Oxygen}} has atomic number {{c2::8}}", "", ""),
    ]


def test_plain_anki_text_goes_to_the_named_deck_and_reimports_by_front(run, sql, tmp_path, cards_json):
    out = imported(run, FIXTURES / "anki_notes_plain.txt", "--deck", "From Anki")
    assert "From Anki: 8 added" in out and "tab-separated" in out
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, 5, 5))
    before = cards_json()
    assert "From Anki: 0 added, 0 updated, 8 unchanged" in imported(run, FIXTURES / "anki_notes_plain.txt", "--deck", "From Anki")
    assert cards_json() == before
    edited = tmp_path / "edited.txt"
    edited.write_text((FIXTURES / "anki_notes_plain.txt").read_text(encoding="utf-8").replace("\t4\t", "\tfour\t"), encoding="utf-8")
    assert "0 added, 1 updated, 7 unchanged" in imported(run, edited, "--deck", "From Anki")
    after = {c["front"]: c for c in cards_json()}
    assert after["What is 2 + 2?"]["back"] == "four"
    assert after["What is 2 + 2?"]["due"] == before[0]["due"] == "2026-03-03"


@pytest.mark.parametrize("name", PACKAGES + ["anki_notes_all_columns.txt", "genanki_deck.apkg"])
def test_reimporting_the_same_file_changes_nothing(run, cards_json, name):
    imported(run, FIXTURES / name)
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(4, 4))
    before = cards_json()
    out = imported(run, FIXTURES / name)
    assert " 0 added, 0 updated" in out and "updated, 0 unchanged" not in out
    assert cards_json() == before


def test_the_same_anki_notes_from_package_and_text_are_one_set_of_notes(run, sql, cards_json):
    imported(run, FIXTURES / "anki_current.apkg")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(4, 4, 4))
    before = cards_json()
    out = imported(run, FIXTURES / "anki_notes_all_columns.txt")
    assert "0 added, 0 updated, 5 unchanged" in out  # the text export of the same notes: nothing to change
    assert cards_json() == before
    assert sql("select count(*) from note where note_type = 'typed'") == [(8,)]  # their note types stay


def test_notes_from_a_text_file_take_their_note_type_from_a_package_and_keep_progress(run, sql, cards_json):
    imported(run, FIXTURES / "anki_notes_all_columns.txt")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4))
    studied = {c["id"]: (c["front"], c["due"]) for c in cards_json()}
    out = imported(run, FIXTURES / "anki_current.apkg")
    assert "0 added, 5 updated" in out  # the notes gain their note types
    assert sql("select count(*) from note") == [(8,)] and sql("select count(*) from card") == [(11,)]
    assert {c["id"]: (c["front"], c["due"]) for c in cards_json()} == studied  # the same cards, progress kept


# --- Hand-made text files ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, separator",
    [
        ("front,back\ntime: noon,12:00\nratio,3:4\n", "comma"),
        ("a\tb: c\nd\te: f\n", "tab"),
        ("one;uno\ntwo;dos\n", "semicolon"),
        ("one|uno\ntwo|dos\n", "pipe"),
        ("one:uno\ntwo:dos\n", "colon"),
    ],
)
def test_separator_is_guessed_safely_and_reported(run, sql, tmp_path, text, separator):
    path = tmp_path / "cards.csv"
    path.write_text(text, encoding="utf-8")
    out = imported(run, path)
    assert f"({separator}-separated, guessed)" in out
    assert sql("select count(*) from note") == [(text.count("\n"),)]
    if separator == "comma":
        assert ("time: noon", "12:00") in sql("select front, back from note")


def test_quoted_fields_bom_headers_and_columns(run, sql, tmp_path):
    path = tmp_path / "cards.txt"
    path.write_bytes(
        "\ufeff#separator:semicolon\n#html:false\n#tags:imported\n#deck:Hand made\n#columns:Tags;Back;Front\n"
        'greeting;"Hello; world";"Say ""hi""\nin English"\n'
        "x y;dos;two\n".encode("utf-8")
    )
    out = imported(run, path)
    assert "Hand made: 2 added" in out and "(semicolon-separated)" in out
    assert sql("select front, back, tags from note order by id") == [
        ('Say "hi"\nin English', "Hello; world", "imported greeting"),
        ("two", "dos", "imported x y"),
    ]


def test_without_columns_header_the_third_column_is_tags(run, sql, tmp_path):
    path = tmp_path / "cards.tsv"
    path.write_text("q1\ta1\tt1 t2\nq2\ta2\t\n", encoding="utf-8")
    imported(run, path)
    assert sql("select front, back, tags from note order by id") == [("q1", "a1", "t1 t2"), ("q2", "a2", "")]


def test_rows_that_cannot_be_notes_are_skipped_with_reasons(run, sql, tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text("#separator:comma\nq1,a1\n,no front\nq3,\nq1,again\n", encoding="utf-8")
    out = imported(run, path, "--partial")  # half skipped: refused without it (test_import_refusal.py)
    assert "Imported: 3 added" in out  # a repeated front is a note of its own, and a front alone a note, as in Anki
    assert "Skipped 1 note:" in out
    assert "line 3: the front is empty" in out
    assert sorted(sql("select front, back from note")) == [("q1", "a1"), ("q1", "again"), ("q3", "")]


# --- Bad input: one line, nothing written ------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b'#separator:comma\nq1,a1\nq2,"unclosed\n', ":3: malformed quoting"),
        (b'#separator:comma\nq1,a1\n"q2"x,a2\n', ":3: malformed quoting"),
        (b"#separator:nope\nq,a\n", ":1: #separator: unknown separator"),
        (b"#html:maybe\nq,a\n", ":1: #html: must be true or false"),
        (b"#guid column:zero\nq,a\n", ":1: #guid column: must be a column number"),
        (b"q1,a1\nq2,caf\xe9\n", ":2: not UTF-8 text"),
        (b"q1,a1\nq2\x00,a2\n", ":2: contains NUL bytes"),
        (b"q1," + b"x" * 100_001 + b"\n", ":1: a field is longer than 100000 characters"),
    ],
)
def test_malformed_text_files_are_rejected_with_the_line_and_nothing_written(run, tmp_path, cards_json, content, message):
    run("add", "Existing", "--front", "q", "--back", "a")
    before = cards_json()
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}{message}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert cards_json() == before


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_broken_packages_are_rejected_with_the_entry_at_fault(run, tmp_path, cards_json):
    run("add", "Existing", "--front", "q", "--back", "a")
    before = cards_json()
    cases = {
        tmp_path / "notzip.apkg": None,
        _zip(tmp_path / "empty.apkg", {"media": b"{}"}): "no collection.anki21b",
        _zip(tmp_path / "garbage.apkg", {"collection.anki21": b"\x00garbage" * 1000}): "collection.anki21: not a valid Anki collection",
        _zip(tmp_path / "badzstd.apkg", {"collection.anki21b": b"not zstd at all"}): "collection.anki21b: cannot be read",
    }
    (tmp_path / "notzip.apkg").write_bytes(b"hello, I am not a zip file")
    for path, fragment in cases.items():
        result = run("import", str(path))
        assert result.exit_code == 1, path
        assert result.stderr.startswith(f"Error: {path}"), result.stderr
        assert (fragment or "not an Anki package") in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert cards_json() == before


def test_zip_bombs_stop_at_the_size_limit(run, tmp_path, monkeypatch, cards_json):
    monkeypatch.setattr(anki_package, "MAX_COLLECTION_BYTES", 5 * 1024**2)
    bomb = _zip(tmp_path / "bomb.apkg", {"collection.anki21": b"\0" * (50 * 1024**2)})
    assert bomb.stat().st_size < 200_000
    result = run("import", str(bomb))
    assert result.exit_code == 1
    assert "unpacks to more than 5 MiB; refusing it" in result.stderr
    assert cards_json() == []


def test_path_tricks_in_a_package_write_nothing_outside(run, tmp_path, sql):
    real = zipfile.ZipFile(FIXTURES / "anki_legacy.apkg")
    entries = {name: real.read(name) for name in real.namelist()}
    entries["../../escaped.txt"] = b"owned"
    entries["/tmp/absolute-escape.txt"] = b"owned"
    (tmp_path / "inner").mkdir()
    tricky = _zip(tmp_path / "inner" / "tricky.apkg", entries)
    imported(run, tricky)
    assert not (tmp_path.parent / "escaped.txt").exists() and not Path("/tmp/absolute-escape.txt").exists()
    assert sql("select count(*) from note") == [(8,)]


def test_dry_run_reports_but_writes_nothing(run, cards_json):
    out = imported(run, FIXTURES / "anki_current.apkg", "--dry-run")
    assert out.startswith("Dry run, nothing written. Would import")
    assert "Anki Basics: 5 added" in out
    assert cards_json() == []


def test_format_option_overrides_detection(run, tmp_path, sql):
    path = tmp_path / "deck.data"
    path.write_text('[deck]\nname = "X"\n[[notes]]\nid = "a"\nfront = "q"\nback = "b"\n', encoding="utf-8")
    assert "studycards deck file" in imported(run, path, "--format", "toml")
    wrong = run("import", str(path), "--format", "json")
    assert wrong.exit_code == 1 and "not valid JSON" in wrong.stderr


# --- Export and round trips ------------------------------------------------------------


def make_collection(run):
    run("add", "Mixed", "--front", "perro", "--back", "dog", "--reverse", "--tag", "animals")
    run("add", "Mixed", "--front", 'quote "and" newline', "--back", "line1\nline2 \x7f")
    run("add", "Mixed", "--cloze", "El {{c1::perro}} come {{c2::pan::food}}", "--back", "extra")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, 2, 4, 5))
    with freeze_time("2026-03-03 10:00"):
        run("review", input=answers(4, 4, 4))


def note_dump(sql):
    return sql("select guid, note_type, reverse, front, back, tags, source from note order by guid")


@pytest.mark.parametrize("fmt", ["toml", "json", "csv", "apkg"])
def test_export_then_import_into_a_fresh_database_keeps_notes_ids_and_tags(run, sql, tmp_path, fmt):
    make_collection(run)
    expected = note_dump(sql)
    out = tmp_path / f"mixed.{fmt}"
    result = run("export", "Mixed", "-o", str(out))
    assert result.exit_code == 0 and "Exported 1 deck" in result.stderr
    fresh = tmp_path / "fresh.db"
    assert run("--db", str(fresh), "import", str(out)).exit_code == 0
    got = collection_sql(fresh, "select guid, note_type, reverse, front, back, tags, source from note order by guid")
    if fmt in ("csv", "apkg"):  # Anki formats carry no source
        expected = [row[:6] for row in expected]
        got = [row[:6] for row in got]
    assert got == expected
    again = run("--db", str(fresh), "import", str(out)).output
    assert "0 added, 0 updated, 3 unchanged" in again


def test_json_with_progress_moves_scheduling_and_history(run, sql, tmp_path, cards_json):
    make_collection(run)
    out = tmp_path / "all.json"
    assert run("export", "--with-progress", "-o", str(out)).exit_code == 0
    states = cards_json()
    logs = sorted(sql("select grade, kind, study_day, after_due, time from review_log"))
    fresh = tmp_path / "fresh.db"
    result = run("--db", str(fresh), "import", str(out))
    assert "progress restored for 3 cards" in result.output
    moved = json.loads(run("--db", str(fresh), "cards", "--json").stdout)
    strip = lambda cards: [{k: v for k, v in c.items() if k != "id"} for c in cards]  # noqa: E731
    assert strip(moved) == strip(states)
    assert sorted(collection_sql(fresh, "select grade, kind, study_day, after_due, time from review_log")) == logs


def test_csv_export_is_anki_compatible_text(run, tmp_path):
    make_collection(run)
    text = run("export", "Mixed", "--format", "csv").stdout
    lines = text.splitlines()
    assert lines[:6] == ["#separator:comma", "#html:false", "#guid column:1", "#notetype column:2", "#deck column:3", "#tags column:6"]
    assert ",Basic (and reversed card),Mixed,perro,dog,animals" in text
    assert ",Cloze,Mixed,El {{c1::perro}} come {{c2::pan::food}},extra," in text
    assert '"quote ""and"" newline","line1\nline2' in text


def test_export_refuses_to_overwrite_without_force(run, tmp_path):
    make_collection(run)
    out = tmp_path / "deck.toml"
    out.write_text("precious")
    result = run("export", "Mixed", "-o", str(out))
    assert (result.exit_code, result.stderr) == (1, f"Error: {out} already exists; use --force to overwrite it\n")
    assert out.read_text() == "precious"
    assert run("export", "Mixed", "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("[deck]")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "csv", "--with-progress"], "--with-progress needs --format json"),
        (["Nope"], "unknown deck 'Nope'"),
    ],
)
def test_export_errors_are_one_line(run, args, message):
    run("add", "A", "--front", "q", "--back", "a")
    run("add", "B", "--front", "q", "--back", "a")
    result = run("export", *args)
    assert result.exit_code == 1 and message in result.stderr and result.stderr.count("\n") == 1


def test_apkg_export_to_stdout_when_piped(run):
    run("add", "A", "--front", "q", "--back", "a")
    result = run("export", "A", "--format", "apkg")
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PK\x03\x04")


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"format": "studycards", "version": 1,\n "decks": [}', ":2: not valid JSON"),
        ('{"format": "other"}', ": not a studycards JSON export"),
        ('{"format": "studycards", "version": 9, "decks": []}', ": unsupported studycards JSON version 9"),
        ('{"format": "studycards", "version": 1, "decks": [{"name": "D", "notes": [{"id": "a", "front": "q"}]}]}',
         ": deck 'D': note 'a': 'back' is missing or empty"),
        ('{"format": "studycards", "version": 1, "decks": [{"name": "D", "notes": [{"id": "a", "front": "q", "back": "b",'
         ' "cards": [{"kind": "basic", "ord": 0, "repetitions": 1, "easiness_hundredths": 5, "interval": 1, "lapses": 0,'
         ' "suspended": false}]}]}]}', ": note 'a': card easiness_hundredths 5 is impossible"),
    ],
)
def test_malformed_json_is_rejected_and_nothing_written(run, tmp_path, cards_json, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}{message}"), result.stderr
    assert cards_json() == []


EDITED_V1 = """
[deck]
name = "Edits"

[[notes]]
id = "cl"
cloze = "{{c1::Paris}} is on the {{c2::Seine}} and {{c3::Louvre}} is there"

[[notes]]
id = "rev"
front = "Rome"
back = "Italy"
reverse = true

[[notes]]
id = "mover"
front = "Oslo"
back = "Norway"
"""

EDITED_V2 = """
[deck]
name = "Edits"

[[notes]]
id = "rev"
front = "Rome"
back = "Italy"

[[notes]]
id = "cl"
cloze = "{{c1::Paris}} is on the {{c2::Seine}}"
"""

MOVED = """
[deck]
name = "Elsewhere"

[[notes]]
id = "mover"
front = "Oslo"
back = "Norway"
"""


def test_reimporting_edited_notes_keeps_studied_cards_and_history(run, sql, tmp_path, cards_json):
    path = tmp_path / "edits.toml"
    path.write_text(EDITED_V1)
    assert "Edits: 3 added" in run("import", str(path)).output
    c3, reversed_card = sql("select id from card where kind = 'cloze' and ord = 3")[0][0], sql("select id from card where kind = 'reversed'")[0][0]
    with freeze_time("2026-03-02 10:00"):  # study the reversed card only; c3 stays new
        run("suspend", *[str(i) for (i,) in sql("select id from card where id != ?", reversed_card)])
        assert "1 card answered" in run("review", input=answers(5)).output
        run("unsuspend", *[str(i) for (i,) in sql("select id from card where id != ?", reversed_card)])
    sql("update note set tags = 'leech' where guid = 'rev'")
    studied = sql("select repetitions, interval, due from card where id = ?", reversed_card)

    path.write_text(EDITED_V2)
    out = run("import", str(path)).output
    assert "Edits: 0 added, 2 updated, 0 unchanged" in out
    assert sql("select count(*) from card where id = ?", c3) == [(0,)]  # never studied: removed
    assert sql("select suspended, repetitions, interval, due from card where id = ?", reversed_card) == [(1, *studied[0])]
    assert sql("select count(*) from review_log where card_id = ?", reversed_card) == [(1,)]
    assert sql("select tags from note where guid = 'rev'") == [("leech",)]  # a leech stays a leech
    assert sql("select guid, \"position\" from note where guid in ('rev', 'cl') order by \"position\"") == [("rev", 0), ("cl", 1)]

    moved = tmp_path / "moved.toml"
    moved.write_text(MOVED)
    assert "Elsewhere: 0 added, 1 updated, 0 unchanged" in run("import", str(moved)).output
    assert sql("select deck.name from note join deck on deck.id = note.deck_id where guid = 'mover'") == [("Elsewhere",)]
    assert "0 added, 0 updated, 1 unchanged" in run("import", str(moved)).output
