"""Files that are not tables of notes are refused, not imported as junk:
a guessed separator must give a consistent table, most lines must become
notes, and binary, XML and wrong-shape JSON files say what they are. Each
refusal is one line naming the file, exit status 1, and no change;
``--partial`` imports the valid lines and reports the rest."""

from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path

import pytest
from helpers import refused

from studycards.importers import anki_text

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
ADVICE = "pass --separator or --format, or --partial to import the valid lines"
PASSWD = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
    "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
)


@pytest.fixture(autouse=True)
def existing_card(run):
    """Something in the database, so "unchanged" means something."""
    assert run("add", "Existing", "--front", "q", "--back", "a").exit_code == 0


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def imported(run, path, *options) -> str:
    result = run("import", str(path), *options)
    assert result.exit_code == 0, result.output
    return result.output


# --- Text that is not a table of notes -------------------------------------------------


def test_the_repositorys_readme_is_refused(run, cards_json):
    message = refused(run, cards_json, REPO / "README.md")
    assert message.startswith("does not look like a table of notes: the separator was guessed (")
    assert "lines have a different number of columns from the most common" in message
    assert message.endswith(ADVICE)


def test_a_markdown_file_with_a_relative_name_is_named_as_given(run, cards_json, tmp_path, monkeypatch):
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    monkeypatch.chdir(tmp_path)
    result = run("import", "README.md")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: README.md: does not look like a table of notes: the separator was guessed (comma) and ")


def test_a_passwd_file_is_refused_for_its_dropped_columns(run, cards_json, tmp_path):
    message = refused(run, cards_json, write(tmp_path / "passwd", PASSWD))
    assert message == (
        "does not look like a table of notes: the separator was guessed (colon) and its lines have 7 columns, but without a "
        f"#columns: header only front, back and tags are read (4 columns would be dropped); {ADVICE}"
    )


@pytest.mark.skipif(not Path("/etc/passwd").is_file(), reason="no /etc/passwd here")
def test_the_real_etc_passwd_is_refused(run, cards_json):
    assert refused(run, cards_json, Path("/etc/passwd")).startswith("does not look like a table of notes: the separator was guessed")


def test_plain_prose_is_refused_because_most_lines_would_be_skipped(run, cards_json, tmp_path):
    path = write(tmp_path / "notes.txt", "Shopping\n\nmilk\neggs\nbread\n")
    assert refused(run, cards_json, path) == (
        f"does not look like a table of notes: 4 of 4 lines would be skipped (line 1: the back is empty, ...); {ADVICE}"
    )


def test_malformed_quoting_under_a_guessed_separator_says_the_separator_was_guessed(run, cards_json, tmp_path):
    path = write(tmp_path / "notes.txt", 'a,b\nc,"d\n')
    before = cards_json()
    result = run("import", str(path))
    assert result.exit_code == 1 and cards_json() == before
    assert result.stderr.startswith(f"Error: {path}:2: does not look like a table of notes: the separator was guessed (comma) and this line has malformed quoting")


def test_a_dry_run_is_refused_the_same_way(run, cards_json, tmp_path):
    message = refused(run, cards_json, write(tmp_path / "passwd", PASSWD), "--dry-run")
    assert message.startswith("does not look like a table of notes")


# --- The thresholds ---------------------------------------------------------------------


def table(rows: int, odd: int) -> str:
    """``rows`` comma-separated notes, the first ``odd`` of them with a third
    comma-separated column too many (4 where the others have 3)."""
    lines = [f"q{i},a{i},t{i}" + (",extra" if i < odd else "") for i in range(rows)]
    return "\n".join(lines) + "\n"


def test_a_guessed_table_tolerates_two_percent_odd_lines_and_skips_them(run, sql, tmp_path):
    out = imported(run, write(tmp_path / "cards.csv", table(60, 1)))  # 1 of 60 < 2% of 60 = 1.2
    assert "(comma-separated, guessed)" in out and "Imported: 59 added" in out
    assert "line 1: 4 columns, where most lines have 3 (the separator, comma, was guessed)" in out


def test_a_guessed_table_with_more_odd_lines_is_refused(run, cards_json, tmp_path):
    message = refused(run, cards_json, write(tmp_path / "cards.csv", table(60, 2)))
    assert message == (
        "does not look like a table of notes: the separator was guessed (comma) and 2 of 60 lines have a different number"
        f" of columns from the most common (3); {ADVICE}"
    )


def test_small_guessed_tables_must_be_exactly_consistent(run, cards_json, tmp_path):
    path = write(tmp_path / "cards.csv", "q1,a1,tag\nq2,a2\nq3,a3,tag\n")
    assert "1 of 3 lines have a different number of columns" in refused(run, cards_json, path)
    assert "Imported: 3 added" in imported(run, path, "--separator", "comma")


def test_partial_imports_the_lines_of_the_common_width_and_reports_the_rest(run, sql, tmp_path):
    out = imported(run, write(tmp_path / "cards.csv", table(10, 4)), "--partial")
    assert "Imported: 6 added" in out and "Skipped 4 notes:" in out
    assert "line 4: 4 columns, where most lines have 3" in out
    assert sql("select count(*) from note") == [(7,)]


def test_a_given_separator_trusts_the_column_counts(run, sql, tmp_path):
    path = write(tmp_path / "cards.csv", "#separator:comma\n" + table(10, 4))
    assert "Imported: 10 added" in imported(run, path)


@pytest.mark.parametrize("skipped, refused_", [(2, False), (3, True)])
def test_more_than_half_of_the_lines_skipped_is_refused_even_with_a_header(run, cards_json, tmp_path, skipped, refused_):
    lines = [f"q{i},a{i}" for i in range(5 - skipped)] + [f",a{i}" for i in range(skipped)]
    path = write(tmp_path / "cards.csv", "#separator:comma\n" + "\n".join(lines) + "\n")
    if not refused_:
        assert f"Skipped {skipped} notes:" in imported(run, path)
        return
    assert refused(run, cards_json, path) == (
        f"does not look like a table of notes: 3 of 5 lines would be skipped (line 4: the front is empty, ...); {ADVICE}"
    )
    out = imported(run, path, "--partial")
    assert "Imported: 2 added" in out and "Skipped 3 notes:" in out and "line 6: the front is empty" in out


def test_partial_readme_and_passwd_import_only_valid_lines(run, tmp_path, cards_json):
    before = len(cards_json())
    out = imported(run, write(tmp_path / "passwd", PASSWD), "--partial")
    assert "no notes found" in out and "Skipped 5 notes:" in out
    assert "line 1: 7 columns, of which 4 would be dropped (no #columns: header; the separator, colon, was guessed)" in out
    assert len(cards_json()) == before
    out = imported(run, REPO / "README.md", "--partial", "--dry-run")
    assert "Dry run" in out and "Skipped " in out and "where most lines have" in out


def test_a_one_column_cloze_file_still_imports(run, sql, tmp_path):
    path = write(tmp_path / "cloze.txt", "The {{c1::cat}} sat\nA {{c1::dog::animal}} ran\n")
    assert "Imported: 2 added" in imported(run, path)  # the colons of a cloze deletion are not a separator
    path = write(tmp_path / "cloze.csv", "The {{c1::cat}} sat,extra\nA {{c1::dog::animal}} ran,more\n")
    assert "(comma-separated, guessed)" in imported(run, path)
    assert ("A {{c1::dog::animal}} ran", "more") in sql("select front, back from note")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix != ".py"))
def test_every_fixture_still_imports_without_partial(run, name):
    out = imported(run, FIXTURES / name)
    assert " added" in out and "Skipped" not in out.replace("Media skipped", "")


# --- --separator ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["colon", ":", "COLON"])
def test_separator_overrides_the_guess(run, sql, tmp_path, value):
    path = write(tmp_path / "cards.csv", "time: noon,12\nratio,3:4\n")
    out = imported(run, path, "--separator", value)
    assert "(colon-separated)" in out and "guessed" not in out
    assert sql("select front, back from note where front != 'q' order by id") == [("time", "noon,12"), ("ratio,3", "4")]


@pytest.mark.parametrize("value", ["tab", "\t", "\\t"])
def test_separator_overrides_the_header(run, sql, tmp_path, value):
    path = write(tmp_path / "cards.txt", "#separator:comma\nq1,x\ta1\n")
    assert "(tab-separated)" in imported(run, path, "--separator", value)
    assert ("q1,x", "a1") in sql("select front, back from note")


def test_separator_space_and_the_names_anki_knows():
    assert [anki_text.separator_name(v) for v in ("space", " ", "pipe", "|", "semicolon", ";", "comma", ",")] == [
        "space", "space", "pipe", "pipe", "semicolon", "semicolon", "comma", "comma"
    ]


def test_an_unknown_separator_is_a_usage_error(run, tmp_path):
    result = run("import", str(write(tmp_path / "c.csv", "q,a\n")), "--separator", "##")
    assert result.exit_code == 2
    assert "Invalid value for --separator: unknown separator '##'" in result.stderr


def test_separator_with_a_non_text_format_is_refused(run, cards_json, tmp_path):
    path = write(tmp_path / "c.json", "q,a\n")
    before = cards_json()
    result = run("import", str(path), "--separator", "comma", "--format", "json")
    assert result.exit_code == 2 and result.stderr.endswith("Error: --separator is for text files, not --format json\n")
    assert cards_json() == before


def test_separator_reads_a_file_of_another_extension_as_text(run, sql, tmp_path):
    path = write(tmp_path / "cards.json", "q1;a1\nq2;a2\n")
    assert "(semicolon-separated)" in imported(run, path, "--separator", ";")


# --- Not text at all, or not a table ------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("list.json", "[1, 2, 3]", "not a studycards JSON export: a JSON list of 3 numbers, where an object with"),
        ("object.json", '{"a": 1}', 'not a studycards JSON export: a JSON object with keys "a", where an object with'),
        ("list.txt", '["x", 1]\n', "not a studycards JSON export: a JSON list of 2 items (number, string)"),
        ("empty.json", "{}", "not a studycards JSON export: an empty JSON object"),
        ("other.json", '{"format": "anki"}', 'not a studycards JSON export: a JSON object with "format": "anki"'),
        ("string.json", '"cards"', "not a studycards JSON export: a JSON string"),
        ("a.xml", '<?xml version="1.0"?><root><a>b</a></root>', "an XML document (<root>), not a studycards import format"),
        ("noext", '<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE x>\n<x/>', "an XML document (<x>), not a studycards import format"),
        (
            "export.xml",
            '<?xml version="1.0" encoding="utf-8"?>\n<mnemosyne core_version="2">\n</mnemosyne>\n',
            "Mnemosyne XML core_version '2' is not supported",
        ),
        ("page.txt", "<!DOCTYPE html>\n<html><body><p>a, b</p></body></html>\n", "an HTML page, not a studycards import format"),
    ],
)
def test_wrong_shape_json_and_markup_say_what_they_are(run, cards_json, tmp_path, name, content, message):
    assert refused(run, cards_json, write(tmp_path / name, content)).startswith(message)


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("noise.csv", random.Random(7).randbytes(3000), "binary data, not a studycards import format"),
        ("noise.txt", random.Random(8).randbytes(200), "binary data, not a studycards import format"),
        ("image.png", png(), "a PNG image, not a studycards import format"),
        ("cards.csv", png(), "a PNG image, not a studycards import format"),
        ("cards.csv.gz", gzip.compress(b"q,a\n"), "gzip-compressed data, not a studycards import format"),
        ("utf16.txt", "q\ta\n".encode("utf-16"), "UTF-16 text; save the file as UTF-8 and try again"),
        ("utf32.txt", "q\ta\n".encode("utf-32"), "UTF-32 text; save the file as UTF-8 and try again"),
        ("utf16-nobom.txt", "question\tanswer\n".encode("utf-16-le"), "UTF-16 text; save the file as UTF-8 and try again"),
    ],
)
def test_binary_files_say_what_they_appear_to_be(run, cards_json, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    text = refused(run, cards_json, path)
    assert text.startswith(message) and "UTF-8 text" not in text.replace("save the file as UTF-8", "")


@pytest.mark.parametrize("name", ["other.db", "collection.anki2"])
def test_a_studycards_database_is_not_imported_but_named(run, cards_json, tmp_path, name):
    copy = tmp_path / name
    assert run("backup", str(copy)).exit_code == 0  # a studycards database file, from either backend
    message = "a studycards database, not an import format; open it with --db, or export decks from it"
    assert refused(run, cards_json, copy) == message
    assert refused(run, cards_json, copy, "--format", "text") == message


def test_another_programs_sqlite_database_is_named_with_its_tables(run, cards_json, tmp_path):
    import sqlite3

    path = tmp_path / "firefox.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("create table moz_places (id integer primary key, url text)")
        conn.execute("create table moz_bookmarks (id integer primary key)")
    conn.close()
    assert refused(run, cards_json, path).startswith(
        "a SQLite database (tables: moz_bookmarks, moz_places) that is neither an Anki collection nor a Mnemosyne database"
    )


def test_text_with_a_stray_byte_is_still_reported_as_text(run, cards_json, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"q1,a1\nq2,caf\xe9\n")
    assert refused(run, cards_json, path) == "not UTF-8 text (save the file as UTF-8 and try again)"


@pytest.mark.parametrize("name", ["cloze.txt", "cloze"])
def test_a_cloze_file_opening_with_a_brace_is_text_not_json(run, tmp_path, name):
    path = write(tmp_path / name, "{{c1::Paris}} is the capital of France\n{{c1::Rome}} is the capital of Italy\n")
    assert "Imported: 2 added" in imported(run, path)


def test_a_json_object_in_a_txt_file_is_read_as_json(run, cards_json, tmp_path):
    path = write(tmp_path / "notes.txt", '{"a": 1}\n')
    assert refused(run, cards_json, path).startswith('not a studycards JSON export: a JSON object with keys "a"')
