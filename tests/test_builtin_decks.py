"""The shipped decks: well-formed, stable, and loaded through the import path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import REAL_DECK_DIR, answers

from studycards.deckfile import parse_file
from studycards.render import card_specs, prompt_and_answer

DECK_FILES = sorted(REAL_DECK_DIR().glob("*.toml"))
SEEDS = {"000_61899d22f81f2bf6.txt", "001_76fb382ec6942c74.txt"}
STABLE_IDS = Path(__file__).parent / "data" / "builtin_note_ids.txt"


def all_notes():
    return [(path.name, note) for path in DECK_FILES for note in parse_file(path).notes]


def test_there_are_at_least_four_decks_and_150_notes():
    assert len(DECK_FILES) >= 4
    assert len(all_notes()) >= 150


@pytest.mark.parametrize("path", DECK_FILES, ids=lambda p: p.name)
def test_each_deck_parses_with_name_description_and_notes(path):
    deck = parse_file(path)
    assert deck.name and deck.description and len(deck.notes) >= 20


def test_note_ids_are_unique_across_all_decks():
    ids = [note.guid for _, note in all_notes()]
    assert len(ids) == len(set(ids))


def test_note_ids_are_stable_across_releases():
    """Ids may be added, never renamed or dropped: an update must keep progress."""
    current = {note.guid for _, note in all_notes()}
    released = set(STABLE_IDS.read_text().split())
    assert released - current == set()


def test_every_note_has_tags_a_seed_source_and_no_empty_side():
    for file, note in all_notes():
        assert note.tags, (file, note.guid)
        assert note.source in SEEDS, (file, note.guid)
        for kind, ordinal in ((s.kind, s.ord) for s in card_specs(note.note_type, note.reverse, note.front)):
            prompt, answer = prompt_and_answer(kind, ordinal, note.front, note.back)
            assert prompt.strip() and answer.strip() and prompt != answer, (file, note.guid)


def test_no_two_notes_ask_the_same_thing():
    seen = {}
    for file, note in all_notes():
        key = re.sub(r"\W+", " ", note.front.lower()).strip()
        assert key not in seen, (file, note.guid, seen.get(key))
        seen[key] = note.guid


def test_no_answer_is_given_away_by_its_prompt():
    for file, note in all_notes():
        for spec in card_specs(note.note_type, note.reverse, note.front):
            prompt, answer = prompt_and_answer(spec.kind, spec.ord, note.front, note.back)
            if spec.kind == "basic" and len(answer) < 40:
                word = re.escape(answer.rstrip(".").lower())
                assert not re.search(rf"\b{word}\b", prompt.lower()), (file, note.guid)


@pytest.mark.fresh_db
def test_builtin_decks_load_into_a_fresh_database_and_can_be_reviewed(run, shipped_decks):
    result = run("decks", "--json")
    decks = {d["name"]: d for d in json.loads(result.stdout)}
    expected = {parse_file(p).name: p for p in DECK_FILES}
    assert set(decks) == set(expected)
    for name, path in expected.items():
        cards = sum(len(card_specs(n.note_type, n.reverse, n.front)) for n in parse_file(path).notes)
        assert decks[name]["total"] == decks[name]["new"] == cards
    with freeze_time("2026-03-02 10:00"):
        for name in expected:
            out = run("review", name, "--new", "3", input=answers(5, 5, 5)).output
            assert out.count(f"── {name} · ") == 3
            assert "3 cards answered, 100% with grade 3 or better" in out


def test_readme_lists_each_builtin_deck_with_its_card_count():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for path in DECK_FILES:
        deck = parse_file(path)
        cards = sum(len(card_specs(n.note_type, n.reverse, n.front)) for n in deck.notes)
        assert re.search(rf"\| {re.escape(deck.name)} \| {len(deck.notes)} \| {cards} \|", readme), deck.name
