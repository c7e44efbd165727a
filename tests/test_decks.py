"""Your own decks first: a deck tree with `::`, names that match regardless
of case, and a fair share of new cards across decks."""

from __future__ import annotations

import json
import re

import pytest
from freezegun import freeze_time
from helpers import answers, prompts

DAY = "2026-03-02 12:00"


def overview_rows(run) -> dict[str, list[str]]:
    """Deck label (indented as shown) -> due, new, re-drill."""
    rows = [re.match(r"^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)$", line) for line in run().output.splitlines()[2:]]
    return {row.group(1): list(row.groups()[1:]) for row in rows if row}


@pytest.mark.parametrize("name", ["::", "a::", "::a", "a::::b", " :: "])
def test_deck_names_with_an_empty_level_are_a_usage_error(run, name):
    result = run("add", name, "--front", "q", "--back", "a")
    assert result.exit_code == 2
    assert "empty level" in result.stderr or "cannot be empty" in result.stderr
    assert run("decks", "--json").stdout.strip() == "[]"


def test_deck_names_match_regardless_of_case_and_keep_their_first_spelling(run, cards_json):
    run("add", "ML skills", "--front", "q1", "--back", "a1")
    result = run("add", "ml SKILLS", "--front", "q2", "--back", "a2")
    assert "to 'ML skills'" in result.output
    assert [d["name"] for d in json.loads(run("decks", "--json").stdout)] == ["ML skills"]
    assert {c["deck"] for c in cards_json("ml skills")} == {"ML skills"}
    with freeze_time(DAY):
        assert prompts(run("review", "ML SKILLS", input=answers(4, 4)).output) == ["q1", "q2"]


def test_a_sub_deck_creates_its_parents_and_is_part_of_them(run, cards_json):
    run("add", "Languages::Spanish::Verbs", "--front", "comer", "--back", "to eat")
    run("add", "languages::spanish", "--front", "perro", "--back", "dog")
    run("add", "Languages", "--front", "hola", "--back", "hello")
    run("add", "Other", "--front", "x", "--back", "y")
    names = [d["name"] for d in json.loads(run("decks", "--json").stdout)]
    assert names == ["Languages", "Languages::Spanish", "Languages::Spanish::Verbs", "Other"]
    assert sorted(c["front"] for c in cards_json("Languages")) == ["comer", "hola", "perro"]
    assert sorted(c["front"] for c in cards_json("languages::SPANISH")) == ["comer", "perro"]
    with freeze_time(DAY):
        shown = prompts(run("review", "Languages::Spanish", input=answers(4, 4, 4)).output)
        assert sorted(shown) == ["comer", "perro"]
        stats = json.loads(run("stats", "Languages", "--json").stdout)
        assert stats["collection"]["total"] == 3


def test_the_overview_and_deck_list_show_the_tree_with_rolled_up_counts(run):
    run("add", "Languages::Spanish", "--front", "perro", "--back", "dog", "--reverse")
    run("add", "Languages::French", "--front", "chien", "--back", "dog")
    run("add", "Other", "--front", "x", "--back", "y")
    with freeze_time(DAY):
        rows = overview_rows(run)
        assert rows["Languages"] == ["0", "3", "0"]
        assert rows["  French"] == ["0", "1", "0"]
        assert rows["  Spanish"] == ["0", "2", "0"]
        assert rows["All decks"] == ["0", "4", "0"]
        listing = run("decks").output.splitlines()
        assert listing[1].split() == ["Languages", "3", "3", "0", "0"]
        assert listing[2].split() == ["French", "1", "1", "0", "0"] and listing[2].startswith("  French")


def test_new_cards_are_shared_between_decks_in_turn(run):
    for deck in ("Alpha", "Beta", "Gamma"):
        for i in range(1, 4):
            run("add", deck, "--front", f"{deck[0]}{i}", "--back", "a")
    with freeze_time(DAY):
        shown = prompts(run("review", input=answers(*[4] * 9)).output)
    assert shown == ["A1", "B1", "G1", "A2", "B2", "G2", "A3", "B3", "G3"]


def test_each_deck_has_its_own_new_card_limit_within_the_global_one(run):
    for deck in ("Alpha", "Beta"):
        for i in range(1, 6):
            run("add", deck, "--front", f"{deck[0]}{i}", "--back", "a")
    run("config", "new-per-day", "6")
    assert run("config", "--deck", "alpha", "new-per-day", "2").output == "Alpha: new-per-day = 2\n"
    with freeze_time(DAY):
        assert overview_rows(run)["Alpha"] == ["0", "2", "0"]
        shown = prompts(run("review", input=answers(*[4] * 10)).output)
        assert shown == ["A1", "B1", "A2", "B2", "B3", "B4"]  # Alpha stops at 2, six in all
        assert run("review", input="").output.startswith("Nothing to review")
    assert run("config", "--deck", "Alpha", "new-per-day", "default").output == "Alpha: new-per-day = 6 (the global setting)\n"
    assert run("config", "--deck", "Alpha", "new-per-day", "-1").exit_code == 2
    assert run("config", "--deck", "Alpha", "max-interval", "3").exit_code == 2


def test_reviewing_one_deck_no_longer_starves_on_the_built_in_decks(run, shipped_decks):
    run("add", "Spanish", "--front", "perro", "--back", "dog", "--reverse")
    with freeze_time(DAY):
        first = run("review", input=answers(*[4] * 20)).output
    headers = [line for line in first.splitlines() if line.startswith("── ")]
    assert len(headers) == 20
    assert any("Spanish" in h for h in headers[:5])  # one deck in five: its share comes in the first round
