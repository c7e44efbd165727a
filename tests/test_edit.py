"""`studycards edit` (in an editor, or with options) and `studycards reset`.

The editor is a small Python script run as $EDITOR: each time it is opened
it takes the next step of a list (replacements in the text, a whole new
text, or quitting without saving) and keeps a copy of what it was shown.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import answers

from studycards import cli as cli_module
from studycards import editing
from studycards.records import NoteRow

EDITOR_SCRIPT = r"""
import json, pathlib, sys
here = pathlib.Path(__file__).parent
steps = json.loads((here / "steps.json").read_text(encoding="utf-8"))
calls = here / "calls"
n = int(calls.read_text()) if calls.exists() else 0
calls.write_text(str(n + 1))
path = pathlib.Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
(here / f"seen-{n}.toml").write_text(text, encoding="utf-8")
step = steps[min(n, len(steps) - 1)]
if step.get("quit"):
    sys.exit(0)
if "text" in step:
    text = step["text"]
for old, new in step.get("replace", []):
    if old not in text:
        sys.exit(f"{old!r} is not in the text")
    text = text.replace(old, new)
path.write_text(text, encoding="utf-8")
"""


class Editor:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.script = folder / "editor.py"
        self.script.write_text(EDITOR_SCRIPT, encoding="utf-8")
        self.command = f"{shlex.quote(sys.executable)} {shlex.quote(str(self.script))}"

    def will(self, *steps: dict) -> None:
        (self.folder / "steps.json").write_text(json.dumps(list(steps)), encoding="utf-8")
        (self.folder / "calls").unlink(missing_ok=True)

    @property
    def calls(self) -> int:
        calls = self.folder / "calls"
        return int(calls.read_text()) if calls.exists() else 0

    def seen(self, n: int = 0) -> str:
        return (self.folder / f"seen-{n}.toml").read_text(encoding="utf-8")


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Editor:
    ed = Editor(tmp_path / "editor")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", ed.command)
    return ed


@pytest.fixture
def add(run):
    def add_note(*args: str) -> int:
        result = run("add", *args)
        assert result.exit_code == 0, result.output
        return int(re.search(r"Added note (\d+)", result.output).group(1))

    return add_note


def _progress(card: dict) -> tuple:
    return (card["repetitions"], card["easiness"], card["interval"], card["due"], card["lapses"], card["suspended"])


# --- edit in an editor ---------------------------------------------------


def test_edit_shows_the_note_as_a_deck_file_table(run, add, editor, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog", "--tag", "animals")
    guid = sql("SELECT guid FROM note WHERE id = ?", note)[0][0]
    editor.will({"quit": True})
    run("edit", str(note))
    shown = editor.seen()
    assert shown.startswith(f'# studycards: note {note} in deck "Spanish" (1 card).\n')
    assert "save an empty file or exit without saving" in shown
    assert shown.split("\n\n", 1)[1] == (
        f'[[notes]]\nid = "{guid}"\nfront = "perro"\nback = "dog"\nreverse = false\ntags = ["animals"]\nsource = "added"\n'
    )


def test_edit_keeps_every_cards_progress_and_changes_its_text(run, add, editor, cards_json, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    guid = sql("SELECT guid FROM note WHERE id = ?", note)[0][0]
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5))
    before = cards_json()
    assert before[0]["repetitions"] == 1
    editor.will({"replace": [('front = "perro"', 'front = "el perro"'), ('back = "dog"', 'back = """\nthe dog\n(a pet)\n"""')]})
    with freeze_time("2026-03-02 11:00"):
        result = run("edit", str(note))
    assert result.exit_code == 0, result.output
    assert result.output == f"Updated note {note}: 1 card (0 added, 0 removed, 0 suspended).\n"
    after = cards_json()
    assert [c["id"] for c in after] == [c["id"] for c in before]
    assert _progress(after[0]) == _progress(before[0])
    assert (after[0]["front"], after[0]["back"]) == ("el perro", "the dog\n(a pet)")
    assert sql("SELECT id, guid FROM note") == [(note, guid)]
    assert sql("SELECT COUNT(*) FROM review_log") == [(1,)]


def test_turning_on_reverse_adds_a_reversed_card(run, add, editor, cards_json):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    editor.will({"replace": [("reverse = false", "reverse = true")]})
    result = run("edit", str(note))
    assert result.output == f"Updated note {note}: 2 cards (1 added, 0 removed, 0 suspended).\n"
    assert [(c["front"], c["back"]) for c in cards_json()] == [("perro", "dog"), ("dog", "perro")]


def test_removing_cloze_deletions_suspends_a_studied_card_and_removes_a_new_one(run, add, editor, cards_json):
    note = add("Spanish", "--cloze", "El {{c1::perro}} come {{c2::pan}} y {{c3::agua}}")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5))  # c1 only: siblings wait a day
    studied = cards_json()[0]
    assert studied["repetitions"] == 1
    editor.will({"replace": [("{{c1::perro}}", "perro"), ("{{c3::agua}}", "agua")]})
    result = run("edit", str(note))
    assert result.output == f"Updated note {note}: 1 card (0 added, 1 removed, 1 suspended).\n"
    cards = cards_json()
    assert [(c["id"], c["suspended"]) for c in cards] == [(studied["id"], True), (studied["id"] + 1, False)]
    assert _progress(cards[0])[:5] == _progress(studied)[:5]
    assert cards[1]["front"] == "El perro come [...] y agua"


def test_an_invalid_edit_without_a_terminal_is_one_line_naming_the_line(run, add, editor, cards_json, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    guid = sql("SELECT guid FROM note WHERE id = ?", note)[0][0]
    before = (sql("SELECT * FROM note"), cards_json())
    editor.will({"replace": [('back = "dog"', 'back = ""')]})
    result = run("edit", str(note))
    assert result.exit_code == 1
    assert result.output == f"Error: note.toml:9: note '{guid}': 'back' is missing or empty\n"
    assert editor.calls == 1
    assert (sql("SELECT * FROM note"), cards_json()) == before


def test_toml_errors_name_the_line_too(run, add, editor):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    editor.will({"replace": [('front = "perro"', "front = perro")]})
    result = run("edit", str(note))
    assert result.exit_code == 1
    assert result.output.startswith("Error: note.toml:8: not valid TOML: ")
    assert result.output.count("\n") == 1


def test_in_a_terminal_an_invalid_edit_can_be_edited_again(run, add, editor, cards_json, monkeypatch):
    monkeypatch.setattr(cli_module, "_stdin_is_terminal", lambda: True)
    note = add("Spanish", "--front", "perro", "--back", "dog")
    editor.will({"replace": [('back = "dog"', 'back = ""')]}, {"replace": [('back = ""', 'back = "hound"')]})
    result = run("edit", str(note), input="\n")  # Enter: yes, the default
    assert result.exit_code == 0, result.output
    assert "'back' is missing or empty" in result.output
    assert "Edit again? [Y/n]: " in result.output
    assert result.output.endswith(f"Updated note {note}: 1 card (0 added, 0 removed, 0 suspended).\n")
    assert editor.calls == 2
    assert 'back = ""' in editor.seen(1)  # the user's own text comes back
    assert cards_json()[0]["back"] == "hound"


def test_in_a_terminal_declining_to_edit_again_changes_nothing(run, add, editor, cards_json, sql, monkeypatch):
    monkeypatch.setattr(cli_module, "_stdin_is_terminal", lambda: True)
    note = add("Spanish", "--front", "perro", "--back", "dog")
    before = sql("SELECT * FROM note")
    editor.will({"replace": [("reverse = false", "reverse = maybe")]})
    result = run("edit", str(note), input="n\n")
    assert result.exit_code == 1
    assert result.output.endswith(f"Edit again? [Y/n]: n\nEdit aborted: note {note} is unchanged.\n")
    assert editor.calls == 1
    assert sql("SELECT * FROM note") == before


def test_unchanged_text_writes_nothing(run, add, editor, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    before = sql("SELECT * FROM note")
    editor.will({"replace": []})  # saved as it was
    with freeze_time("2030-01-01 10:00"):
        result = run("edit", str(note))
    assert (result.exit_code, result.output) == (0, "No changes.\n")
    assert sql("SELECT * FROM note") == before


@pytest.mark.parametrize("step", [{"text": ""}, {"text": "# only a comment\n\n"}, {"quit": True}])
def test_an_empty_file_or_no_save_aborts(run, add, editor, sql, step):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    before = sql("SELECT * FROM note")
    editor.will(step)
    result = run("edit", str(note))
    assert (result.exit_code, result.output) == (1, f"Edit aborted: note {note} is unchanged.\n")
    assert sql("SELECT * FROM note") == before


def test_changing_the_id_is_refused(run, add, editor, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    guid = sql("SELECT guid FROM note WHERE id = ?", note)[0][0]
    before = sql("SELECT * FROM note")
    editor.will({"replace": [(f'id = "{guid}"', 'id = "my-own-id"'), ('"dog"', '"hound"')]})
    result = run("edit", str(note))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: note.toml:7: note 'my-own-id': the id cannot be changed (it is how the note is matched): keep id = \"{guid}\"\n"
    )
    assert sql("SELECT * FROM note") == before


def test_one_note_and_nothing_else(run, add, editor):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    editor.will({"replace": [("[[notes]]", '[deck]\nname = "Other"\n\n[[notes]]')]})
    result = run("edit", str(note))
    assert result.output == "Error: note.toml:6: unknown top-level key 'deck': give one [[notes]] table and nothing else\n"
    editor.will({"replace": [('source = "added"', 'source = "added"\n\n[[notes]]\nid = "x"\nfront = "a"\nback = "b"')]})
    result = run("edit", str(note))
    assert result.output == "Error: note.toml:14: give exactly one [[notes]] table, not 2\n"


def test_visual_is_preferred_to_editor(run, add, editor, monkeypatch, cards_json):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    monkeypatch.setenv("VISUAL", editor.command)
    monkeypatch.setenv("EDITOR", "false")
    editor.will({"replace": [('"dog"', '"hound"')]})
    assert run("edit", str(note)).exit_code == 0
    assert cards_json()[0]["back"] == "hound"


def test_a_failing_editor_is_one_line(run, add, monkeypatch, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    before = sql("SELECT * FROM note")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "false")
    result = run("edit", str(note))
    assert (result.exit_code, result.output) == (1, "Error: false: Editing failed\n")
    assert sql("SELECT * FROM note") == before


@pytest.mark.parametrize(
    "front, back",
    [
        ('say "hi"', 'ends with a quote"'),
        ("two\nlines", 'a """ triple ""quote"" \\ backslash\nand "\n'),
        ("tab\there", "line\r\nbreaks\x01 and \x7f and \\u0041"),
        ("ünïcödé ✓", '"\n"'),
    ],
)
def test_any_text_survives_the_round_trip(front, back):
    front, back = front.strip(), back.strip()
    note = NoteRow(1, 1, "g-1", "basic", True, front, back, "a b", 'src "x"', 0, 0, 0)
    spec = editing.parse(editing.Editable(note, 'De"ck\n', 2), editing.render(editing.Editable(note, 'De"ck\n', 2)))
    assert (spec.guid, spec.note_type, spec.front, spec.back, spec.reverse, spec.tags, spec.source) == (
        "g-1", "basic", front, back, True, ("a", "b"), 'src "x"'
    )


# --- edit with options -----------------------------------------------------


def test_edit_with_options_needs_no_editor(run, add, cards_json, monkeypatch):
    monkeypatch.setenv("VISUAL", "false")
    note = add("Spanish", "--front", "perro", "--back", "dog", "--reverse", "--tag", "old")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5))  # the basic card
    before = cards_json()[0]
    result = run("edit", str(note), "--front", "el perro", "--tag", "new", "--tag", "pets", "--no-reverse")
    assert result.exit_code == 0, result.output
    assert result.output == f"Updated note {note}: 1 card (0 added, 1 removed, 0 suspended).\n"
    cards = cards_json()
    assert [(c["front"], c["back"], c["tags"]) for c in cards] == [("el perro", "dog", ["new", "pets"])]
    assert _progress(cards[0]) == _progress(before)
    assert run("edit", str(note), "--back", "dog").output == "No changes.\n"


def test_edit_with_options_can_turn_a_note_into_a_cloze(run, add, cards_json):
    note = add("Spanish", "--front", "perro", "--back", "dog")
    result = run("edit", str(note), "--cloze", "El {{c1::perro}} y {{c2::gato}}")
    assert result.output == f"Updated note {note}: 2 cards (2 added, 1 removed, 0 suspended).\n"
    assert [c["back"] for c in cards_json()] == ["El [perro] y gato", "El perro y [gato]"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--reverse"], "a cloze note cannot be reversed"),
        (["--cloze", "no deletion"], "no cloze deletion such as {{c1::answer}} in 'no deletion'"),
        (["--front", "f", "--cloze", "{{c1::x}}"], "give either --cloze or --front/--back, not both"),
        (["--front", "now basic"], "--back is missing or empty"),
        (["--tag", "two words"], "tag 'two words' must be one word without spaces"),
    ],
)
def test_edit_with_bad_options_changes_nothing(run, add, sql, args, message):
    note = add("Spanish", "--cloze", "El {{c1::perro}}", "--back", "extra")
    before = sql("SELECT * FROM note")
    result = run("edit", str(note), *args)
    assert (result.exit_code, result.output.splitlines()[-1]) == (2, f"Error: {message}")  # a usage error
    assert sql("SELECT * FROM note") == before


def test_edit_with_tags_keeps_a_leech_a_leech(run, add, sql):
    note = add("Spanish", "--front", "perro", "--back", "dog", "--tag", "leech")
    run("edit", str(note), "--tag", "pets")
    assert sql("SELECT tags FROM note WHERE id = ?", note) == [("pets leech",)]


def test_edit_an_unknown_note(run, editor):
    editor.will({"replace": []})
    result = run("edit", "99")
    assert (result.exit_code, result.output) == (1, "Error: unknown note id 99\n")
    assert editor.calls == 0


@pytest.mark.parametrize("note_id", ["0", "-3", str(2**63), "99999999999999999999999", "abc"])
def test_edit_a_note_id_out_of_range_is_a_usage_error(run, note_id):
    result = run("edit", "--", note_id)
    assert result.exit_code == 2
    assert "Invalid value for 'NOTE_ID'" in result.output


# --- reset -------------------------------------------------------------------


def test_reset_makes_cards_new_and_keeps_their_history(run, add, cards_json, sql):
    add("Spanish", "--front", "perro", "--back", "dog")
    add("Spanish", "--front", "gato", "--back", "cat")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, "s"))  # the first answered, the second buried
    with freeze_time("2026-03-03 10:00"):
        run("review", input=answers(1))  # a lapse
    first, second = cards_json()
    assert (first["repetitions"], first["lapses"], first["easiness"]) == (0, 1, 2.06)
    assert sql("SELECT buried_until IS NOT NULL FROM card WHERE id = ?", second["id"]) == [(1,)]
    history = sql("SELECT * FROM review_log ORDER BY id")
    assert len(history) == 2

    result = run("reset", str(first["id"]), str(second["id"]), str(first["id"]), "--yes")
    assert (result.exit_code, result.output) == (0, "Reset 2 cards to new (their history is kept).\n")
    for card in cards_json():
        assert _progress(card) == (0, 2.5, 0, None, 0, False)
    assert sql("SELECT buried_until, last_review FROM card") == [(None, None), (None, None)]
    assert sql("SELECT * FROM review_log ORDER BY id") == history


def test_reset_leaves_a_suspended_card_suspended(run, add, cards_json):
    add("Spanish", "--front", "perro", "--back", "dog")
    card = cards_json()[0]["id"]
    run("suspend", str(card))
    assert run("reset", "--yes", str(card)).output == "Reset 1 card to new (their history is kept).\n"
    assert cards_json()[0]["suspended"] is True


def test_reset_without_yes_and_without_a_terminal_is_a_usage_error(run, add, cards_json):
    add("Spanish", "--front", "perro", "--back", "dog")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5))
    before = cards_json()
    result = run("reset", str(before[0]["id"]), input="y\n")
    assert result.exit_code == 2
    assert "confirm with --yes when not in a terminal" in result.output
    assert cards_json() == before


def test_reset_asks_in_a_terminal(run, add, cards_json, monkeypatch):
    monkeypatch.setattr(cli_module, "_stdin_is_terminal", lambda: True)
    add("Spanish", "--front", "perro", "--back", "dog")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5))
    before = cards_json()
    card = str(before[0]["id"])
    result = run("reset", card, input="n\n")
    assert result.exit_code == 1
    assert "Reset 1 card to new? Their progress is lost (their history is kept). [y/N]: n" in result.output
    assert cards_json() == before
    result = run("reset", card, input="y\n")
    assert result.exit_code == 0
    assert result.output.endswith("Reset 1 card to new (their history is kept).\n")
    assert cards_json()[0]["repetitions"] == 0


def test_reset_with_an_unknown_id_changes_nothing(run, add, cards_json):
    add("Spanish", "--front", "perro", "--back", "dog")
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5))
    before = cards_json()
    result = run("reset", "--yes", str(before[0]["id"]), "99999")
    assert (result.exit_code, result.output) == (1, "Error: unknown card id 99999\n")
    assert cards_json() == before


@pytest.mark.parametrize("card_id", ["0", str(2**63), "abc"])
def test_reset_an_id_out_of_range_is_a_usage_error(run, card_id):
    result = run("reset", "--yes", "--", card_id)
    assert result.exit_code == 2
    assert "Invalid value for '[CARD_IDS]...'" in result.output
