"""The non-review commands as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import answers

from studycards.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def test_decks_json_lists_counts_per_deck(run, add_notes, cards_json):
    add_notes("French", 3)
    run("add", "German", "--front", "Katze", "--back", "cat", "--reverse")
    run("suspend", str(cards_json("French")[0]["id"]))
    with freeze_time("2026-03-02 10:00"):
        run("review", "French", input=answers(5))
    with freeze_time("2026-03-03 10:00"):
        decks = json.loads(run("decks", "--json").stdout)
    assert decks == [
        {"name": "French", "description": "", "total": 3, "new": 1, "due": 1, "suspended": 1},
        {"name": "German", "description": "", "total": 2, "new": 2, "due": 0, "suspended": 0},
    ]


def test_decks_table_is_readable(run, add_notes):
    add_notes("French", 2)
    out = run("decks").output.splitlines()
    assert out[0].split() == ["Deck", "Total", "New", "Due", "Suspended"]
    assert out[1].split() == ["French", "2", "2", "0", "0"]


def test_add_makes_one_card_two_with_reverse_and_one_per_cloze_number(run, cards_json):
    assert run("add", "D", "--front", "f", "--back", "b").output == "Added note 1 to 'D': card 1.\n"
    assert "2, 3." in run("add", "D", "--front", "g", "--back", "h", "--reverse", "--tag", "x", "--tag", "y").output
    out = run("add", "D", "--cloze", "The {{c1::answer}} is {{c2::here::where?}} and {{c1::again}}").output
    assert out == "Added note 3 to 'D': cards 4, 5.\n"  # the card ids, which suspend and reset take
    fronts = [(c["front"], c["back"], c["tags"]) for c in cards_json("D")]
    assert fronts == [
        ("f", "b", []),
        ("g", "h", ["x", "y"]),
        ("h", "g", ["x", "y"]),
        ("The [...] is here and [...]", "The [answer] is here and [again]", []),
        ("The answer is [where?] and again", "The answer is [here] and again", []),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cloze", "no deletion here"], "no cloze deletion such as {{c1::answer}} in 'no deletion here'"),
        (["--front", "q"], "--back is missing or empty"),
        (["--back", "a"], "--front is missing or empty (or use --cloze)"),
        (["--front", "q", "--back", "a", "--cloze", "{{c1::x}}"], "give either --cloze or --front/--back, not both"),
        (["--front", "q", "--back", "a", "--tag", "two words"], "tag 'two words' must be one word without spaces"),
    ],
)
def test_add_refuses_bad_input_with_one_line(run, args, message):
    result = run("add", "D", *args)
    assert result.exit_code == 2  # a malformed argument: a usage error
    assert result.stderr.endswith(f"\nError: {message}\n") and result.stderr.count("Error:") == 1
    assert "D" not in run("decks").output.split()


def test_cards_json_has_exactly_the_documented_keys(run, cards_json):
    run("add", "D", "--front", "q", "--back", "a")
    for day, grade in [("2026-03-02", 5), ("2026-03-03", 5), ("2026-03-09", 2)]:
        with freeze_time(f"{day} 10:00"):
            run("review", input=answers(grade, 4))
    [card] = cards_json()
    assert card == {
        "id": card["id"],
        "note": 1,
        "deck": "D",
        "front": "q",
        "back": "a",
        "tags": [],
        "repetitions": 0,
        "easiness": 2.38,
        "interval": 1,
        "due": "2026-03-10",
        "lapses": 1,
        "suspended": False,
    }


def test_cards_due_lists_only_cards_due_today(run, add_notes, cards_json):
    add_notes("D", 3)
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, 5))
        assert cards_json() and json.loads(run("cards", "--due", "--json").stdout) == []
    with freeze_time("2026-03-03 10:00"):
        due = json.loads(run("cards", "--due", "--json").stdout)
    assert [c["front"] for c in due] == ["Q1", "Q2"]


def test_cards_table_shows_new_and_scheduled_cards(run, add_notes):
    add_notes("D", 1)
    lines = run("cards").output.splitlines()
    assert lines[0].split()[:4] == ["Note", "Card", "Deck", "Front"]
    assert "new" in lines[1].split()


def test_suspend_and_unsuspend(run, add_notes, cards_json):
    add_notes("D", 2)
    ids = [str(c["id"]) for c in cards_json()]
    assert run("suspend", *ids).output == "Suspended 2 cards.\n"
    assert all(c["suspended"] for c in cards_json())
    assert run("unsuspend", ids[0]).output == "Unsuspended 1 card.\n"
    assert [c["suspended"] for c in cards_json()] == [False, True]


def test_suspend_with_an_unknown_id_changes_nothing(run, add_notes, cards_json):
    add_notes("D", 1)
    good = str(cards_json()[0]["id"])
    result = run("suspend", good, "999")
    assert (result.exit_code, result.stderr) == (1, "Error: unknown card id 999\n")
    assert not cards_json()[0]["suspended"]


def test_suspend_rejects_a_non_numeric_id_as_a_usage_error(run):
    result = run("suspend", "abc")
    assert result.exit_code == 2
    assert "'abc' is not a valid integer" in result.stderr


def test_config_shows_sets_and_validates(run):
    out = run("config").output
    assert "new-per-day = 20" in out and "day-start-hour = 4" in out and "leech-action = tag" in out
    assert run("config", "new-per-day", "35").output == "new-per-day = 35\n"
    assert run("config", "new-per-day").output == "new-per-day = 35\n"
    assert run("config", "leech-action", "SUSPEND").output == "leech-action = suspend\n"


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["day-start-hour", "24"], "day-start-hour must be a whole number from 0 to 23, not 24"),
        (["new-per-day", "lots"], "new-per-day must be a whole number from 0 to 9999, not 'lots'"),
        (["leech-action", "delete"], "leech-action must be one of tag, suspend, not 'delete'"),
        (["colour", "blue"], "unknown setting 'colour'"),
    ],
)
def test_config_rejects_bad_values_with_a_usage_error(run, args, fragment):
    result = run("config", *args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_unknown_deck_in_cards_is_an_error(run):
    result = run("cards", "--deck", "Missing")
    assert (result.exit_code, result.stderr) == (1, "Error: unknown deck 'Missing' (decks: none yet)\n")


def test_bad_review_options_are_usage_errors(run):
    result = run("review", "--new", "-1")
    assert result.exit_code == 2 and "--new" in result.stderr


def test_overview_shows_each_deck_streak_and_a_hint(run, add_notes):
    add_notes("French", 2)
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, 1))
        out = run().output
    assert "French" in out and "Streak: 1 day" in out and "studycards review" in out
    row = next(line for line in out.splitlines() if line.startswith("French"))
    assert row.split() == ["French", "0", "0", "1"]  # due, new left today, pending re-drill
    with freeze_time("2026-03-04 10:00"):
        run("review", input=answers(5, 5, 5))
        assert "Streak: 1 day" in run().output  # the gap on 03-03 broke the streak
    with freeze_time("2026-03-05 10:00"):
        assert "Streak: 1 day" in run().output  # not broken before today's session


def test_overview_on_an_empty_collection(run):
    assert "No decks yet." in run().output


def test_db_option_beats_the_environment(run, tmp_path, add_notes):
    other = tmp_path / "elsewhere" / "my.db"
    assert run("--db", str(other), "add", "X", "--front", "q", "--back", "a").exit_code == 0
    assert other.exists()
    assert "X" not in run("decks").output
    assert "X" in run("--db", str(other), "decks").output


def test_card_text_cannot_send_terminal_control_sequences(run):
    evil = "bold\x1b[1mX\x1b]0;pwned\x07 \x1b[2J\u202eabc\rZ\x08"
    run("add", "D", "--front", evil, "--back", "ok")
    out = run("cards").output + run("review", input=answers(5)).output
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "boldX abcZ" in out


@pytest.mark.slow
def test_help_does_not_import_the_database_layer():
    code = (
        "import sys\n"
        "from studycards.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_python_dash_m_works(tmp_path):
    out = subprocess.run([sys.executable, "-m", "studycards", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("studycards, version ")


def test_every_command_has_help_and_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        if command.hidden:
            continue
        assert command.help, name
        assert f"studycards {name}" in readme, name


def test_the_readme_settings_table_is_the_settings_spec():
    from studycards.settings import readme_table

    assert readme_table() in README.read_text(encoding="utf-8")


def test_knowing_where_you_are(run, tmp_path, db_path):
    added = run("add", "D", "--front", "q", "--back", "a", "--reverse")
    assert added.output == "Added note 1 to 'D': cards 1, 2.\n"
    shown = run("review", input="\n?\nq\n")
    assert "This card: 1 (e.g. `studycards suspend 1`)." in shown.output
    info = json.loads(run("info", "--json").stdout)
    assert (info["decks"], info["notes"], info["cards"], info["reviews"]) == (1, 1, 2, 0)
    assert info["database"] == str(db_path) and info["bytes"] > 0  # a server's URL without its password
    assert run("info").output.startswith("Database: ")
    empty = run("--db", "", "decks")
    assert empty.exit_code == 2 and "an empty path" in empty.stderr
    fresh = tmp_path / "new" / "folder" / "c.db"
    made = run("--db", str(fresh), "decks")
    assert made.exit_code == 0 and made.stderr == f"Creating a new collection at {fresh} (and its folder).\n"
    assert run("--db", str(fresh), "decks").stderr == ""


def test_huge_numbers_are_usage_errors_not_tracebacks(run):
    assert run("suspend", "9223372036854775808").exit_code == 2
    result = run("add", "T", "--cloze", "{{c99999999999999999999::b}}")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (2, "Error: cloze number c99999999999999999999 is too high (at most c9999)")


def _complete(run_env: dict[str, str], words: str) -> list[str]:
    from click.testing import CliRunner

    from studycards.cli import cli as command

    env = {"_STUDYCARDS_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)), **run_env}
    result = CliRunner().invoke(command, [], prog_name="studycards", env=env)
    return [line.split(",", 1)[1] for line in result.output.splitlines()]


def test_deck_names_card_ids_and_setting_keys_complete_in_the_shell(run):
    run("add", "Spanish::Verbs", "--front", "comer", "--back", "to eat")
    run("add", "Other", "--front", "x", "--back", "y")
    assert _complete({}, "studycards review sp") == ["Spanish", "Spanish::Verbs"]
    assert _complete({}, "studycards cards --deck O") == ["Other"]
    assert _complete({}, "studycards config new") == ["new-per-day"]
    assert _complete({}, "studycards config --deck Other ") == ["new-per-day", "type-answers", "scheduler"]
    assert _complete({}, "studycards suspend ") == ["2", "1"]  # listing order: Other, then Spanish::Verbs
    assert _complete({}, "studycards edit ") == ["2", "1"]
