"""The search picks the targets of suspend, unsuspend, reset, delete and tag."""

from __future__ import annotations

import json

import pytest
from freezegun import freeze_time
from helpers import answers


@pytest.fixture
def filled(run):
    run("add", "Spanish", "--front", "perro", "--back", "dog", "--tag", "animal")
    run("add", "Spanish", "--front", "comer", "--back", "to eat", "--tag", "verb")
    run("add", "French", "--front", "chien", "--back", "dog", "--tag", "animal")
    return run


def fronts(run, *query: str) -> list[str]:
    return [c["front"] for c in json.loads(run("cards", "--json", *query).stdout)]


def test_cards_takes_a_query_and_a_limit(filled):
    run = filled
    assert fronts(run, "tag:animal") == ["chien", "perro"]
    assert fronts(run, "dog", "-deck:french") == ["perro"]
    assert fronts(run, "tag:animal", "--limit", "1") == ["chien"]
    assert fronts(run, "--deck", "spanish", "tag:verb") == ["comer"]
    bad = run("cards", "prop:ivl>=x")
    assert bad.exit_code == 1 and bad.stderr.count("\n") == 1 and "prop:ivl" in bad.stderr


def test_suspend_and_unsuspend_by_query(filled, cards_json):
    run = filled
    assert run("suspend", "-q", "tag:animal").output == "Suspended 2 cards.\n"
    assert fronts(run, "is:suspended") == ["chien", "perro"]
    assert run("unsuspend", "--query", "deck:french").output == "Unsuspended 1 card.\n"
    assert fronts(run, "is:suspended") == ["perro"]
    assert run("suspend", "-q", "nothing-like-this").stderr == "Error: no card matches 'nothing-like-this'\n"
    assert run("suspend", "1", "-q", "tag:animal").exit_code == 2
    assert run("suspend").exit_code == 2


def test_tags_are_added_and_removed_on_the_notes_found(filled):
    run = filled
    assert run("tag", "add", "noun", "pet", "-q", "tag:animal").output == "Tagged 2 notes.\n"
    assert fronts(run, "tag:pet") == ["chien", "perro"]
    assert run("tag", "remove", "PET", "--card", "1").output == "Untagged 1 note.\n"
    assert fronts(run, "tag:pet") == ["chien"]
    assert run("tag", "add", "two words", "--card", "1").exit_code == 1


def test_reset_and_delete_by_query(filled, sql):
    run = filled
    with freeze_time("2026-03-02 12:00"):
        run("review", input=answers(4, 4, 4))
    assert fronts(run, "is:new") == []
    assert run("reset", "-q", "deck:spanish", "--yes").output == "Reset 2 cards to new (their history is kept).\n"
    assert fronts(run, "is:new") == ["perro", "comer"]
    assert sql("select count(*) from review_log") == [(3,)]
    deleted = run("delete", "-q", "tag:animal", "--yes")
    assert deleted.output.startswith("Deleted 2 notes (3, 1): 2 notes, 2 cards, 2 reviews.")
    assert fronts(run) == ["comer"]
    run("undo")
    assert fronts(run) == ["chien", "perro", "comer"]
