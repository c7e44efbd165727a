"""Edges of keeping a collection: undo after ids or names were taken again,
deleted built-in notes, imports that name bad decks, round trips into a new
collection, and output that cannot be written."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from freezegun import freeze_time
from helpers import answers, next_ids_after_the_largest

DAY = "2026-03-02 12:00"


def test_undo_gives_a_reused_note_id_back_to_the_new_note_and_restores_the_old_one(run, cards_json, sql, db_path):
    run("add", "C1", "--front", "e", "--back", "f")
    with freeze_time(DAY):
        run("review", input=answers(5))
    studied = cards_json()[0]
    note_id = studied["note"]
    assert run("delete", str(note_id), "--yes").exit_code == 0
    next_ids_after_the_largest(db_path, "note", "card", "review_log")  # a server's sequences as SQLite's ids
    added = run("add", "C1", "--front", "g", "--back", "h")
    assert f"Added note {note_id} " in added.output  # SQLite hands out the same id again
    undone = run("undo")
    assert undone.exit_code == 0, undone.output
    cards = {c["front"]: c for c in cards_json()}
    assert set(cards) == {"e", "g"}
    assert cards["g"]["note"] == note_id  # the new note keeps its id
    restored = cards["e"]
    assert (restored["due"], restored["repetitions"]) == (studied["due"], studied["repetitions"])  # progress back
    assert sql("select count(*) from review_log where card_id = ?", restored["id"]) == [(1,)]  # and its history
    assert run("check").exit_code == 0


def test_undo_refuses_when_the_deleted_decks_name_was_taken_again(run, cards_json):
    run("add", "A1", "--front", "old", "--back", "x")
    assert run("delete", "--deck", "A1", "--yes").exit_code == 0
    run("add", "a1", "--front", "new", "--back", "x")
    before = cards_json()
    result = run("undo")
    assert (result.exit_code, result.stderr) == (1, "Error: a deck named 'a1' exists again; rename or delete it, then run undo\n")
    assert cards_json() == before
    assert run("rename", "a1", "A1 new").exit_code == 0
    assert run("undo").exit_code == 0
    assert {c["front"] for c in cards_json()} == {"old", "new"}


@pytest.mark.parametrize("name", ["a::", "::", "::a", "a::::b"])
def test_an_import_naming_a_deck_with_an_empty_level_is_refused(run, cards_json, tmp_path, name):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"format": "studycards", "version": 1, "decks": [{"name": name, "notes": [{"id": "n1", "front": "a", "back": "b"}]}]}))
    before = cards_json()
    result = run("import", str(path))
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {path}: deck {name!r} in the file: ")
    assert cards_json() == before


def test_a_deleted_built_in_note_stays_deleted_through_a_release_and_comes_back_with_restore(run, tmp_path, monkeypatch, cards_json):
    from studycards import builtin

    folder = tmp_path / "release"
    folder.mkdir()
    deck = '[deck]\nname = "Kit"\n[[notes]]\nid = "k-1"\nfront = "q1"\nback = "a"\n[[notes]]\nid = "k-2"\nfront = "q2"\nback = "{}"\n'
    (folder / "kit.toml").write_text(deck.format("a"))
    monkeypatch.setattr(builtin, "deck_dir", lambda: folder)
    run("decks")
    note = next(c["note"] for c in cards_json() if c["front"] == "q1")
    assert run("delete", str(note), "--yes").exit_code == 0
    (folder / "kit.toml").write_text(deck.format("a, edited"))  # a new release
    assert [(c["front"], c["back"]) for c in cards_json()] == [("q2", "a, edited")]
    assert run("builtin", "--restore").exit_code == 0
    assert sorted(c["front"] for c in cards_json()) == ["q1", "q2"]


def test_an_export_of_everything_goes_into_a_new_collection_as_it_was(run, tmp_path, shipped_decks):
    run("decks")  # the built-in decks, as a user starts
    run("rename", "ML skills", "ML::Skills")
    run("delete", "--deck", "ML libraries and languages", "--yes")
    run("config", "--deck", "ML::Skills", "new-per-day", "3")
    with freeze_time(DAY):
        run("review", input=answers(4, 4, 4))
    out = tmp_path / "all.json"
    assert run("export", "--with-progress", "-o", str(out)).exit_code == 0
    fresh = tmp_path / "new.db"
    result = run("--db", str(fresh), "import", str(out))
    assert result.exit_code == 0
    assert "not loaded into a collection made by import" in result.stderr
    listing = lambda *db: run(*db, "decks", "--json").stdout  # noqa: E731
    assert json.loads(listing("--db", str(fresh))) == json.loads(listing())
    assert run("--db", str(fresh), "config", "--deck", "ML::Skills").output == run("config", "--deck", "ML::Skills").output
    def cards(*db: str) -> list[dict]:  # ids are the new collection's own
        return [{k: v for k, v in c.items() if k not in ("id", "note")} for c in json.loads(run(*db, "cards", "--json").stdout)]

    assert cards("--db", str(fresh)) == cards()


def test_several_decks_to_a_file_of_an_unknown_extension_are_json(run, tmp_path):
    run("add", "One", "--front", "a", "--back", "b")
    run("add", "Two", "--front", "c", "--back", "d")
    out = tmp_path / "all.bak"
    assert run("export", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text())["format"] == "studycards"


def test_an_empty_studycards_db_variable_is_a_usage_error(run, monkeypatch):
    monkeypatch.setenv("STUDYCARDS_DB", "")
    result = run("decks")
    assert result.exit_code == 2 and "STUDYCARDS_DB is set but empty" in result.stderr


@pytest.mark.parametrize("editor", ["printf '\\377\\376garbage' > \"$1\"", "rm \"$1\""])
def test_an_editor_that_breaks_the_file_leaves_the_note_unchanged_without_a_traceback(run, cards_json, tmp_path, monkeypatch, editor):
    run("add", "D", "--front", "q", "--back", "a")
    script = tmp_path / "editor.sh"
    script.write_text(f"#!/bin/sh\n{editor}\n")
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    before = cards_json()
    result = run("edit", str(before[0]["note"]))
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "unchanged" in result.stderr
    assert "Traceback" not in result.output
    assert cards_json() == before


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line_not_a_traceback(db_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "studycards", "decks"], stdout=full, stderr=subprocess.PIPE, text=True, env=os.environ)
    assert done.returncode == 1
    assert done.stderr.endswith("Error: cannot write the output (No space left on device)\n") and "Traceback" not in done.stderr
