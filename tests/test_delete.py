"""Deleting, renaming and undoing, as a user would: nothing is lost for good."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time
from helpers import answers, db_value

DAY = "2026-03-02 12:00"


def decks(run) -> list[str]:
    return [d["name"] for d in json.loads(run("decks", "--json").stdout)]


def everything(run, sql) -> tuple:
    return (run("cards", "--json").stdout, sql("select * from review_log order by id"), sql("select * from note order by id"))


def test_deleting_a_deck_takes_its_sub_decks_and_undo_brings_back_progress_and_history(run, sql):
    run("add", "Languages::Spanish", "--front", "perro", "--back", "dog", "--reverse")
    run("add", "Languages", "--front", "hola", "--back", "hello")
    run("add", "Other", "--front", "x", "--back", "y")
    with freeze_time(DAY):
        run("review", input=answers(5, 2, 4))
    before = everything(run, sql)
    result = run("delete", "--deck", "languages", "--yes")
    assert result.output == "Deleted deck 'Languages' with 1 sub-deck: 2 notes, 3 cards, 2 reviews. Undo with `studycards undo`.\n"
    assert decks(run) == ["Other"]
    assert sql("select count(*) from review_log") == [(1,)]
    undone = run("undo")
    assert undone.output == "Restored deck 'Languages' with 1 sub-deck: 2 notes, 3 cards, 2 reviews.\n"
    assert everything(run, sql) == before
    assert decks(run) == ["Languages", "Languages::Spanish", "Other"]
    again = run("undo")
    assert (again.exit_code, again.stderr) == (1, "Error: nothing to undo\n")


def test_deleting_notes_by_id(run, cards_json, sql):
    run("add", "D", "--front", "a", "--back", "1")
    run("add", "D", "--front", "b", "--back", "2", "--reverse")
    assert run("delete", "2", "--yes").output.startswith("Deleted 1 note (2): 1 note, 2 cards, 0 reviews.")
    assert [c["front"] for c in cards_json()] == ["a"]
    assert run("delete", "7", "--yes").stderr == "Error: unknown note id 7\n"
    run("undo")
    assert [c["front"] for c in cards_json()] == ["a", "b", "2"]


def test_delete_asks_first_and_refuses_without_a_terminal(run, cards_json):
    run("add", "D", "--front", "a", "--back", "1")
    result = run("delete", "--deck", "D")  # CliRunner's input is not a terminal
    assert result.exit_code == 2 and "pass --yes" in result.stderr
    assert len(cards_json()) == 1
    assert run("delete").exit_code == 2  # nothing named: a usage error
    assert run("delete", "--deck", "Nope", "--yes").exit_code == 1
    assert run("delete", "99999999999999999999", "--yes").exit_code == 2


def test_a_deleted_built_in_deck_stays_deleted_when_a_release_updates_the_others(run, tmp_path, monkeypatch):
    from studycards import builtin

    folder = tmp_path / "release"
    folder.mkdir()
    for name in ("One", "Two"):
        (folder / f"{name.lower()}.toml").write_text(f'[deck]\nname = "{name}"\n[[notes]]\nid = "{name}-1"\nfront = "q"\nback = "a"\n')
    monkeypatch.setattr(builtin, "deck_dir", lambda: folder)
    first = run("decks")
    assert "Loaded 2 built-in decks (2 cards) to start with" in first.stderr
    assert run("delete", "--deck", "One", "--yes").exit_code == 0
    (folder / "two.toml").write_text('[deck]\nname = "Two"\n[[notes]]\nid = "Two-1"\nfront = "q2"\nback = "a"\n')
    (folder / "one.toml").write_text('[deck]\nname = "One"\n[[notes]]\nid = "One-1"\nfront = "q1"\nback = "a"\n')
    assert decks(run) == ["Two"]  # the new release loaded, One stays deleted
    assert "One: deleted" in run("builtin").output
    assert run("builtin", "--restore").output == "Loaded again: One.\n"
    assert decks(run) == ["One", "Two"]


def test_a_renamed_built_in_deck_keeps_its_name_through_a_release(run, tmp_path, monkeypatch, cards_json):
    from studycards import builtin

    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "one.toml").write_text('[deck]\nname = "One"\n[[notes]]\nid = "One-1"\nfront = "q"\nback = "a"\n')
    monkeypatch.setattr(builtin, "deck_dir", lambda: folder)
    run("decks")
    assert run("rename", "one", "Kit::One").output == "Renamed 'One' to 'Kit::One'.\n"
    (folder / "one.toml").write_text('[deck]\nname = "One"\n[[notes]]\nid = "One-1"\nfront = "q, edited"\nback = "a"\n')
    assert decks(run) == ["Kit", "Kit::One"]
    assert cards_json()[0]["front"] == "q, edited"


def test_rename_moves_a_deck_with_its_sub_decks_and_refuses_clashes(run):
    run("add", "Spanish::Verbs", "--front", "comer", "--back", "to eat")
    run("add", "French", "--front", "chien", "--back", "dog")
    assert run("rename", "spanish", "Languages::Spanish").output == "Renamed 'Spanish' to 'Languages::Spanish' (and 1 sub-deck).\n"
    assert decks(run) == ["French", "Languages", "Languages::Spanish", "Languages::Spanish::Verbs"]
    clash = run("rename", "French", "languages::SPANISH")
    assert (clash.exit_code, clash.stderr) == (1, "Error: a deck named 'Languages::Spanish' already exists\n")
    inside = run("rename", "Languages", "Languages::Old")
    assert inside.exit_code == 1 and "inside itself" in inside.stderr
    assert run("rename", "French", "french").output == "Renamed 'French' to 'french'.\n"  # a change of case is allowed
    assert run("rename", "Nope", "X").exit_code == 1
    assert run("rename", "French", "a::").exit_code == 2


@pytest.mark.slow
def test_in_a_terminal_delete_asks_and_only_yes_deletes(run, db_path, cards_json):
    import os

    from helpers import run_in_terminal

    run("add", "D", "--front", "a", "--back", "1")
    env = dict(os.environ, STUDYCARDS_DB=db_value(db_path), TZ="UTC")
    status, shown = run_in_terminal(["delete", "--deck", "D"], b"n\n", env)
    assert "Delete deck 'D': 1 note, 1 card, 0 reviews? [y/N]:" in shown
    assert status == 1 and "nothing was deleted" in shown
    assert len(cards_json("D")) == 1
    status, shown = run_in_terminal(["delete", "--deck", "D"], b"y\n", env)
    assert status == 0 and "Deleted deck 'D'" in shown
    assert "D" not in decks(run)
