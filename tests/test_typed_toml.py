"""Typed notes (a note type of their own, from Anki) in TOML deck files and
in `studycards edit`: the [[note_types]] / [notes.fields] format, its
line-numbered errors, exact round trips of real Anki decks through TOML,
and editing a typed note's fields, tags and sides."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import answers
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import deckfile
from studycards.errors import InvalidFile
from studycards.exporters import toml_file
from studycards.records import NoteKind, NoteTypeSpec, TemplateSpec

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
REAL_DECKS = ["zhongwen_deck.apkg", "plua.apkg", "categorytheory_deck.apkg", "mnemosyne_anki1.apkg"]

DECK = """\
[deck]
name = "Chinese"

[[note_types]]
name = "Zhongwen"
fields = ["Traditional", "Simplified", "Meaning"]
templates = [
  { name = "Recognise", question = "{{Traditional}}", answer = "{{FrontSide}}<hr id=answer>{{Meaning}}" },
  { name = "Recall", question = "{{Meaning}} ({{Tags}})", answer = "{{FrontSide}}<hr id=answer>{{Traditional}}" },
]

[[notes]]
id = "zh-1"
note_type = "Zhongwen"
tags = ["hsk1"]

[notes.fields]
Traditional = "向量"
Simplified = "向量"
Meaning = "<b>vector</b>"
"""


def _write(tmp_path: Path, text: str, name: str = "deck.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(InvalidFile) as caught:
        deckfile.parse_file(_write(tmp_path, text))
    return str(caught.value).replace(str(tmp_path / "deck.toml"), "deck.toml")


# --- the format -------------------------------------------------------------


def test_a_typed_note_is_read_with_its_note_type_and_fields_in_order(tmp_path):
    spec = deckfile.parse_file(_write(tmp_path, DECK.replace('Simplified = "向量"\n', "")))
    (note,) = spec.notes
    assert note.note_type == NoteKind.TYPED
    assert note.note_type_spec == NoteTypeSpec(
        name="Zhongwen",
        fields=("Traditional", "Simplified", "Meaning"),
        templates=(
            TemplateSpec("Recognise", "{{Traditional}}", "{{FrontSide}}<hr id=answer>{{Meaning}}"),
            TemplateSpec("Recall", "{{Meaning}} ({{Tags}})", "{{FrontSide}}<hr id=answer>{{Traditional}}"),
        ),
    )
    assert note.fields == ("向量", "", "<b>vector</b>")  # a field left out is empty
    assert (note.front, note.back, note.tags, note.guid, note.line) == ("向量", "vector", ("hsk1",), "zh-1", 12)


def test_templates_as_tables_and_every_optional_key(tmp_path):
    text = """\
[deck]
name = "D"

[[note_types]]
name = "Plain"
fields = ["Text", "Extra"]
cloze = true
html = false
anki_id = 1342697561419
css = \"\"\"
.card { color: red }
[[notes]]
\"\"\"

[[note_types.templates]]
name = "Cloze"
question = "{{cloze:Text}}"
answer = \"\"\"
{{cloze:Text}}
[notes.fields]
{{Extra}}\"\"\"

[[notes]]
id = "c-1"
note_type = "Plain"

[notes.fields]
Text = "a {{c1::b}}  c"
"""
    spec = deckfile.parse_file(_write(tmp_path, text))
    nt = spec.notes[0].note_type_spec
    assert (nt.cloze, nt.html, nt.anki_id, nt.css) == (True, False, 1342697561419, ".card { color: red }\n[[notes]]\n")
    assert nt.templates == (TemplateSpec("Cloze", "{{cloze:Text}}", "{{cloze:Text}}\n[notes.fields]\n{{Extra}}"),)
    assert spec.notes[0].fields == ("a {{c1::b}}  c", "")
    assert spec.notes[0].line == 23  # the header lines inside strings are not taken for headers


def test_a_typed_deck_file_imports_and_reimports_unchanged(run, cards_json, tmp_path):
    path = _write(tmp_path, DECK)
    assert "1 added" in run("import", str(path)).output
    assert [(c["front"], c["back"]) for c in cards_json()] == [("向量", "vector"), ("vector (hsk1)", "向量")]
    assert "0 added, 0 updated, 1 unchanged" in run("import", str(path)).output


def _with_field_line(extra: str) -> str:
    return DECK + extra


BAD = [
    # (change to the deck file, line, message)
    (('note_type = "Zhongwen"', 'note_type = "Zhongwn"'), 14, "note 'zh-1': unknown note type 'Zhongwn' (the file defines 'Zhongwen')"),
    (('Meaning = "<b>vector</b>"', 'Meening = "vector"'), 20, "note 'zh-1': unknown field 'Meening' for note type 'Zhongwen' (its fields: 'Traditional', 'Simplified', 'Meaning')"),
    (('Meaning = "<b>vector</b>"', "Meaning = 3"), 20, "note 'zh-1': field 'Meaning' must be a string"),
    (('Meaning = "<b>vector</b>"', f'Meaning = "{"x" * 100_001}"'), 20, "note 'zh-1': field 'Meaning' is longer than 100000 characters"),
    (('fields = ["Traditional", "Simplified", "Meaning"]', "fields = []"), 6, "note type 'Zhongwen': 'fields' must be a non-empty list of field names"),
    (('fields = ["Traditional", "Simplified", "Meaning"]', 'fields = ["Traditional", "Meaning", "Meaning"]'), 6, "note type 'Zhongwen': field 'Meaning' is named twice"),
    (("templates = [\n  { name = \"Recognise\"", "templates = []\nx = [\n  { name = \"Recognise\""), 8, "note type 'Zhongwen': unknown key 'x'"),
    (('tags = ["hsk1"]', 'tags = ["hsk1"]\nfront = "q"'), 16, "note 'zh-1': a note with a 'note_type' has 'fields', not 'front'"),
    (('tags = ["hsk1"]', 'tags = ["hsk1"]\ncloze = "{{c1::q}}"'), 16, "note 'zh-1': a note with a 'note_type' has 'fields', not 'cloze'"),
    (('tags = ["hsk1"]', 'tags = ["hsk1"]\nreverse = true'), 16, "note 'zh-1': a note with a 'note_type' cannot be reversed"),
    (('name = "Zhongwen"', 'name = ""'), 5, "note type 1: 'name' must be a non-empty string"),
]


@pytest.mark.parametrize("change, line, message", BAD)
def test_errors_in_typed_notes_name_the_line(tmp_path, change, line, message):
    text = DECK.replace(*change)
    assert text != DECK
    error = _error(tmp_path, text)
    assert error.startswith(f"deck.toml:{line}: {message}"), error


def test_a_note_type_flag_must_be_true_or_false(tmp_path):
    text = DECK.replace("fields = [", "html = 1\nfields = [")
    assert _error(tmp_path, text) == "deck.toml:6: note type 'Zhongwen': 'html' must be true or false"


def test_a_note_type_without_templates(tmp_path):
    text = DECK.replace(DECK[DECK.index("templates = [") : DECK.index("[[notes]]")], "templates = []\n\n")
    assert _error(tmp_path, text).startswith("deck.toml:7: note type 'Zhongwen': 'templates' must be a non-empty list")


def test_a_template_table_without_an_answer(tmp_path):
    text = DECK.replace(DECK[DECK.index("templates = [") : DECK.index("[[notes]]")], '[[note_types.templates]]\nname = "A"\nquestion = "{{Meaning}}"\n\n')
    assert _error(tmp_path, text) == "deck.toml:7: note type 'Zhongwen': template 1: 'answer' must be a string"


def test_a_template_key_is_found_in_its_table_or_the_templates_line(tmp_path):
    tables = DECK.replace(DECK[DECK.index("templates = [") : DECK.index("[[notes]]")], '[[note_types.templates]]\nname = "A"\nquestion = "{{Meaning}}"\nanswr = ""\n\n')
    assert _error(tmp_path, tables).startswith("deck.toml:10: note type 'Zhongwen': template 1: unknown key 'answr'")
    inline = DECK.replace('{ name = "Recall",', '{ nam = "Recall",')
    assert _error(tmp_path, inline).startswith("deck.toml:7: note type 'Zhongwen': template 2: unknown key 'nam'")


def test_note_type_names_are_unique_in_a_file(tmp_path):
    second = '[[note_types]]\nname = "Zhongwen"\nfields = ["a"]\ntemplates = [{ name = "c", question = "{{a}}", answer = "" }]\n\n[[notes]]'
    text = DECK.replace("[[notes]]", second, 1)
    assert _error(tmp_path, text) == "deck.toml:13: note type 'Zhongwen': duplicate note type name 'Zhongwen' (first used on line 4)"


def test_fields_need_a_note_type_and_a_typed_note_needs_fields(tmp_path):
    basic = '[deck]\nname = "D"\n\n[[notes]]\nid = "a"\nfront = "q"\nback = "a"\n\n[notes.fields]\nx = "y"\n'
    assert _error(tmp_path, basic) == "deck.toml:9: note 'a': 'fields' belongs to a note with a 'note_type'"
    no_fields = DECK[: DECK.index("[notes.fields]")]
    assert _error(tmp_path, no_fields).startswith("deck.toml:12: note 'zh-1': 'fields' must be a table of the note's fields")
    no_types = '[deck]\nname = "D"\n\n[[notes]]\nid = "a"\nnote_type = "X"\n'
    assert _error(tmp_path, no_types) == "deck.toml:6: note 'a': unknown note type 'X' (the file defines no [[note_types]])"


def test_a_field_line_is_found_after_multiline_fields_that_look_like_headers(tmp_path):
    text = DECK.replace('Simplified = "向量"', 'Simplified = """\n[sound:a.mp3]\n[[notes]]\nMeaning = "not a key"\n"""')
    assert text.count("[[notes]]") == 2
    spec = deckfile.parse_file(_write(tmp_path, text))
    assert spec.notes[0].fields[1] == "[sound:a.mp3]\n[[notes]]\nMeaning = \"not a key\"\n"
    bad = text.replace('Meaning = "<b>vector</b>"', "Meaning = false")
    assert _error(tmp_path, bad).startswith("deck.toml:24: note 'zh-1': field 'Meaning' must be a string")


def test_quoted_field_names_are_found_too(tmp_path):
    text = DECK.replace('"Meaning"]', '"Meaning", "Back Extra"]').replace('Meaning = "<b>vector</b>"', 'Meaning = "v"\n"Back Extra" = 1')
    assert _error(tmp_path, text).startswith("deck.toml:21: note 'zh-1': field 'Back Extra' must be a string")


# --- exact strings ------------------------------------------------------------

_TRICKY = st.text(
    alphabet=st.sampled_from(list('ab "\\\n\r\t\x00\x01\x08\x0b\x0c\x1f\x7f\u2028\ufeff#[]=\'')) | st.characters(exclude_categories=("Cs",)),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(value=_TRICKY, key=_TRICKY)
def test_any_string_and_key_read_back_exactly(value, key):
    doc = f"[t]\n{toml_file.toml_key(key)} = {toml_file.toml_string(value)}\n\n[u]\nafter = 1\n"
    assert tomllib.loads(doc) == {"t": {key: value}, "u": {"after": 1}}


def test_long_lines_and_trailing_line_breaks_read_back_exactly():
    for value in ["x" * 100_000, "line\n" * 3, "\n", "\r\n", "a\r\nb\r\n", '"""', 'ends "', 'x\n"', "tab\tand\\\n", "\n\n"]:
        assert tomllib.loads(f"v = {toml_file.toml_string(value)}\n")["v"] == value


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(_TRICKY, min_size=1, max_size=4, unique=True),
    values=st.lists(_TRICKY, max_size=4),
    css=_TRICKY,
    question=_TRICKY,
    html=st.booleans(),
)
def test_a_dumped_typed_note_parses_back_as_written(names, values, css, question, html):
    nt = NoteTypeSpec(name="T \"x\"\n", fields=tuple(names), templates=(TemplateSpec("c\t1", question, "{{FrontSide}}"),), css=css, html=html, anki_id=7)
    fields = tuple((values + [""] * len(names))[: len(names)])
    note = deckfile.NoteSpec(guid="g-1", note_type=NoteKind.TYPED, front="", back="", tags=("a", "b"), source="s", note_type_spec=nt, fields=fields)
    text = toml_file.dump(deckfile.DeckSpec(name="D", description="", notes=(note,)))
    (parsed,) = deckfile.parse_text(text, "x.toml").notes
    assert (parsed.note_type_spec, parsed.fields, parsed.tags, parsed.source) == (nt, fields, ("a", "b"), "s")


def test_two_note_types_of_one_name_get_names_of_their_own():
    def nt(anki_id: int) -> NoteTypeSpec:
        return NoteTypeSpec(name="Basic", fields=("Front",), templates=(TemplateSpec("Card 1", "{{Front}}", "x"),), anki_id=anki_id)

    notes = tuple(
        deckfile.NoteSpec(guid=f"g{i}", note_type=NoteKind.TYPED, front="q", back="", note_type_spec=nt(i % 2), fields=("q",)) for i in range(3)
    )
    parsed = deckfile.parse_text(toml_file.dump(deckfile.DeckSpec(name="D", description="", notes=notes)), "x.toml")
    assert [n.note_type_spec.name for n in parsed.notes] == ["Basic", "Basic (2)", "Basic"]
    assert [n.note_type_spec.anki_id for n in parsed.notes] == [0, 1, 0]


# --- real Anki decks through TOML and back ----------------------------------


def _snapshot(run, sql):
    cards = run("cards", "--json")
    assert cards.exit_code == 0
    return (
        json.loads(cards.stdout),
        sql("SELECT * FROM note ORDER BY id"),
        sql("SELECT * FROM note_type ORDER BY id"),
        sql("SELECT * FROM card ORDER BY id"),
    )


def _unchanged(output: str) -> None:
    counts = [line for line in output.splitlines() if " added, " in line]
    assert counts and all(re.search(r": 0 added, 0 updated, \d+ unchanged$", line) for line in counts), output


@pytest.mark.parametrize("name", REAL_DECKS)
def test_real_anki_decks_go_to_toml_and_back_unchanged(run, sql, tmp_path, name):
    assert run("import", str(REALWORLD / name)).exit_code == 0
    before = _snapshot(run, sql)
    assert sql("SELECT DISTINCT note_type FROM note") == [("typed",)]
    decks = sorted({card["deck"] for card in before[0]})
    files = []
    for i, deck in enumerate(decks):  # `export DECK -o d.toml`: a file, or a folder of files for a deck with sub-decks
        out = tmp_path / f"d{i}.toml"
        result = run("export", deck, "-o", str(out))
        assert result.exit_code == 0, result.output
        files += sorted(out.glob("*.toml")) if out.is_dir() else [out]
    files = list(dict.fromkeys(files))
    assert files
    for path in files:
        _check_exact(path, sql)
        again = run("import", str(path))
        assert again.exit_code == 0, again.output
        _unchanged(again.output)
    assert _snapshot(run, sql) == before


def _check_exact(path: Path, sql) -> None:
    """The file reads back, with tomllib itself, as exactly what is stored."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    stored_fields = {guid: json.loads(fields) for guid, fields in sql("SELECT guid, fields FROM note")}
    types = {}
    for name, cloze, fields, templates, css, html, anki_id in sql("SELECT name, cloze, fields, templates, css, html, anki_id FROM note_type"):
        types[name, anki_id] = {
            "name": name, "cloze": bool(cloze), "fields": json.loads(fields), "css": css, "html": bool(html), "anki_id": anki_id,
            "templates": [dict(zip(("name", "question", "answer"), t)) for t in json.loads(templates)],
        }
    by_name = {}
    for nt in data.get("note_types", []):
        expected = types[nt["name"], nt.get("anki_id")]
        assert {**nt, "css": nt.get("css", "")} == expected
        by_name[nt["name"]] = nt
    for note in data["notes"]:
        nt = by_name[note["note_type"]]
        assert [note["fields"].get(f, "") for f in nt["fields"]] == stored_fields[note["id"]]


def test_the_chinese_deck_through_one_toml_file_and_into_a_new_collection(run, sql, tmp_path, monkeypatch):
    assert run("import", str(REALWORLD / "zhongwen_deck.apkg")).exit_code == 0
    before = _snapshot(run, sql)
    out = tmp_path / "d.toml"
    assert run("export", "Chinese", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("[[note_types]]") == 1 and text.count("[[notes]]") == 3 and text.count("[notes.fields]") == 3
    _unchanged(run("import", str(out)).output)
    assert _snapshot(run, sql) == before
    monkeypatch.setenv("STUDYCARDS_DB", str(tmp_path / "new.db"))  # a new collection renders the same cards
    assert "3 added" in run("import", str(out)).output
    fresh = json.loads(run("cards", "--json").stdout)
    assert [(c["front"], c["back"], c["tags"]) for c in fresh] == [(c["front"], c["back"], c["tags"]) for c in before[0]]


# --- studycards edit of a typed note ---------------------------------------


@pytest.fixture
def typed_note(run, tmp_path, sql) -> int:
    assert run("import", str(_write(tmp_path, DECK, "zh.toml"))).exit_code == 0
    return sql("SELECT id FROM note WHERE guid = 'zh-1'")[0][0]


def _sed(monkeypatch, *expressions: str, seen: Path | None = None) -> None:
    """$EDITOR: sed applying ``expressions`` (and a copy of what it was shown)."""
    monkeypatch.delenv("VISUAL", raising=False)
    script = " ".join(f"-e {shlex.quote(e)}" for e in expressions) or "-e ''"
    keep = 'cp "$1" ' + shlex.quote(str(seen)) + "; " if seen else ""
    command = keep + "sed -i " + script + ' "$1"'
    monkeypatch.setenv("EDITOR", "sh -c " + shlex.quote(command) + " sh")  # click adds the file's name: $1


def test_edit_shows_a_typed_note_with_every_field(run, typed_note, monkeypatch, tmp_path, sql):
    seen = tmp_path / "seen.toml"
    _sed(monkeypatch, seen=seen)
    before = sql("SELECT * FROM note")
    assert run("edit", str(typed_note)).output == "No changes.\n"
    assert sql("SELECT * FROM note") == before
    shown = seen.read_text(encoding="utf-8")
    assert shown.startswith(f'# studycards: note {typed_note} in deck "Chinese" (2 cards).\n')
    header = shown.split("\n\n", 1)[0]
    assert all(f'"{name}"' in header for name in ("Traditional", "Simplified", "Meaning")) and "is not edited here" in header
    assert shown.split("\n\n", 1)[1] == (
        '[[notes]]\nid = "zh-1"\nnote_type = "Zhongwen"  # read-only: the note\'s note type\n'
        'tags = ["hsk1"]\nsource = ""\n\n[notes.fields]\n'
        'Traditional = "向量"\nSimplified = "向量"\nMeaning = "<b>vector</b>"\n'
    )


def test_editing_a_field_renders_the_cards_again_and_keeps_their_progress(run, typed_note, monkeypatch, cards_json, sql):
    with freeze_time("2026-03-02 10:00"):
        assert run("review", input=answers(5)).exit_code == 0
    before = cards_json()
    assert before[0]["due"] is not None and before[0]["repetitions"] == 1
    _sed(monkeypatch, r's|^Meaning = .*$|Meaning = "a <i>vector</i>\\nquantity"|')
    with freeze_time("2026-03-02 11:00"):
        result = run("edit", str(typed_note))
    assert result.output == f"Updated note {typed_note}: 2 cards (0 added, 0 removed, 0 suspended).\n"
    after = cards_json()
    assert [c["id"] for c in after] == [c["id"] for c in before]
    assert [(c["front"], c["back"]) for c in after] == [("向量", "a vector\nquantity"), ("a vector\nquantity (hsk1)", "向量")]
    for old, new in zip(before, after):
        assert {k: v for k, v in new.items() if k not in ("front", "back")} == {k: v for k, v in old.items() if k not in ("front", "back")}
    assert json.loads(sql("SELECT fields FROM note")[0][0]) == ["向量", "向量", "a <i>vector</i>\nquantity"]
    assert sql("SELECT COUNT(*) FROM review_log") == [(1,)]
    with freeze_time("2026-03-08 10:00"):  # the studied card is due when it was, with its new text
        result = run("review", "Chinese", input=answers(5))
    assert "a vector" in result.output


def test_emptying_the_asked_fields_makes_a_new_card_or_removes_one(run, typed_note, monkeypatch, cards_json):
    _sed(monkeypatch, 's|^Meaning = .*$|Meaning = ""|')
    result = run("edit", str(typed_note))
    assert result.output == f"Updated note {typed_note}: 1 card (0 added, 1 removed, 0 suspended).\n"
    assert [c["front"] for c in cards_json()] == ["向量"]
    _sed(monkeypatch, 's|^Traditional = .*$|Traditional = ""|')
    result = run("edit", str(typed_note))
    assert result.exit_code == 1
    assert "note 'zh-1': the note would make no cards" in result.output


def test_changing_the_note_type_in_the_editor_is_refused_naming_the_line(run, typed_note, monkeypatch, sql):
    before = sql("SELECT * FROM note")
    _sed(monkeypatch, 's|^note_type = "Zhongwen"|note_type = "Basic"|')
    result = run("edit", str(typed_note))
    assert (result.exit_code, result.output) == (1, "Error: note.toml:11: note 'zh-1': the note type cannot be changed here: keep note_type = \"Zhongwen\"\n")
    _sed(monkeypatch, "s|^Meaning = |Meening = |")
    result = run("edit", str(typed_note))
    assert result.exit_code == 1
    assert result.output.startswith("Error: note.toml:18: note 'zh-1': unknown field 'Meening' for note type 'Zhongwen'")
    assert sql("SELECT * FROM note") == before


def test_a_basic_note_cannot_be_given_a_note_type_in_the_editor(run, monkeypatch, sql):
    assert run("add", "D", "--front", "q", "--back", "a").exit_code == 0
    _sed(monkeypatch, 's|^front = "q"|note_type = "Zhongwen"|', '/^back = /d', '/^reverse = /d')
    result = run("edit", "1")
    assert result.exit_code == 1
    assert "note.toml:8:" in result.output and "cannot be given a note type here" in result.output


def test_tags_on_a_typed_note_from_the_command_line(run, typed_note, cards_json, sql):
    result = run("edit", str(typed_note), "--tag", "maths", "--tag", "hsk2")
    assert result.output == f"Updated note {typed_note}: 2 cards (0 added, 0 removed, 0 suspended).\n"
    assert sql("SELECT tags FROM note") == [("maths hsk2",)]
    assert [(c["front"], c["tags"]) for c in cards_json()] == [("向量", ["maths", "hsk2"]), ("vector (maths hsk2)", ["maths", "hsk2"])]
    assert json.loads(sql("SELECT fields FROM note")[0][0]) == ["向量", "向量", "<b>vector</b>"]
    assert run("edit", str(typed_note), "--tag", "maths", "--tag", "hsk2").output == "No changes.\n"


def test_front_and_back_options_set_the_first_two_fields(run, typed_note, cards_json, sql):
    assert run("edit", str(typed_note), "--front", "向量").output == "No changes.\n"  # the same text
    result = run("edit", str(typed_note), "--front", "矢量 <x>", "--back", "矢量")
    assert result.exit_code == 0, result.output
    assert json.loads(sql("SELECT fields FROM note")[0][0]) == ["矢量 &lt;x&gt;", "矢量", "<b>vector</b>"]
    assert cards_json()[0]["front"] == "矢量 <x>"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cloze", "{{c1::x}}"], "--cloze is for front/back and cloze notes: note 1 has the note type 'Zhongwen'"),
        (["--reverse"], "--reverse is for front/back notes"),
        (["--tag", "two words"], "tag 'two words' must be one word without spaces"),
        (["--front", " "], "--front is missing or empty"),
    ],
)
def test_options_that_do_not_fit_a_typed_note(run, typed_note, sql, args, message):
    before = sql("SELECT * FROM note")
    result = run("edit", str(typed_note), *args)
    assert result.exit_code in (1, 2)
    assert f"Error: {message}" in result.output
    assert result.output.count("Error:") == 1 and result.output.strip().splitlines()[-1].startswith("Error: ")
    assert sql("SELECT * FROM note") == before


def test_a_real_anki_note_edits_in_place(run, sql, monkeypatch, cards_json):
    assert run("import", str(REALWORLD / "zhongwen_deck.apkg")).exit_code == 0
    note = sql("SELECT id FROM note WHERE front = '向量'")[0][0]
    before = {c["id"]: c for c in cards_json() if c["note"] == note}
    _sed(monkeypatch, 's|^Meaning = "vector"|Meaning = "a vector"|')
    result = run("edit", str(note))
    assert result.exit_code == 0, result.output
    after = {c["id"]: c for c in cards_json() if c["note"] == note}
    assert set(after) == set(before)
    assert all("a vector" in c["front"] + c["back"] for c in after.values())
    _sed(monkeypatch)
    assert run("edit", str(note)).output == "No changes.\n"
