"""The shipped decks: well-formed, stable, and loaded through the import path."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
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


def retired_ids():
    return [guid for path in DECK_FILES for guid in parse_file(path).retired]


def test_note_ids_are_stable_across_releases():
    """Every id ever released stays, unless a deck retires it: a note kept
    keeps its id (and so its progress); a note dropped is listed in its
    deck's ``retired``, which deletes it on purpose. The released list only
    grows: every id shipped now is in it."""
    current = {note.guid for _, note in all_notes()}
    released = set(STABLE_IDS.read_text().split())
    retired = retired_ids()
    assert released - current == set(retired), "a released id left the decks without being retired (or a retired id is back)"
    assert len(retired) == len(set(retired)), "an id is retired by two decks"
    assert current - released == set(), f"new ids missing from {STABLE_IDS.name}"


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


def related_pairs(notes) -> set[frozenset[str]]:
    """Pairs of notes that share a ``fact-*`` tag: the same fact asked from
    two sides, or two facts easily confused."""
    by_fact: dict[str, list[str]] = {}
    for note in notes:
        for tag in note.tags:
            if tag.startswith("fact-"):
                by_fact.setdefault(tag, []).append(note.guid)
    return {frozenset((a, b)) for guids in by_fact.values() for i, a in enumerate(guids) for b in guids[i + 1 :]}


def introductions(run, sql, days: int) -> dict[str, set[int]]:
    """Study every day for ``days`` days with the default settings (all
    decks, 20 new cards a day), grading every card 4; returns the study
    days on which each note (by id) had a card shown for the first time."""
    start = date(2026, 3, 2)
    for day in range(days):
        with freeze_time(f"{start + timedelta(days=day)} 10:00"):
            result = run("review", input=answers(*[4] * 400))
            assert result.exit_code == 0, result.output
    rows = sql(
        "SELECT note.guid, MIN(log.study_day) FROM review_log AS log JOIN card ON card.id = log.card_id"
        " JOIN note ON note.id = card.note_id GROUP BY card.id, note.guid"
    )
    first = min(day for _, day in rows)
    out: dict[str, set[int]] = {}
    for guid, day in rows:
        out.setdefault(guid, set()).add(day - first)
    return out


@pytest.mark.fresh_db
def test_related_notes_are_never_introduced_on_the_same_day(run, sql, shipped_decks):
    """New cards come in file order, one from each deck in turn: notes about
    the same fact (a shared fact-* tag) stand far enough apart in the files
    that, over 30 days of study, no two of them bring a new card on the
    same day. The roles deck starts with what each role is."""
    notes = [note for _, note in all_notes()]
    pairs = related_pairs(notes)
    assert len(pairs) >= 30  # the tags are there
    assert {note.guid for note in notes} >= {g for pair in pairs for g in pair}
    shown = introductions(run, sql, 30)
    assert {note.guid for note in notes} - set(shown) == set()  # every note was introduced within the 30 days
    together = sorted((*sorted(pair), sorted(set.intersection(*(shown[g] for g in pair)))) for pair in pairs)
    assert [meeting for meeting in together if meeting[2]] == []
    roles = parse_file(REAL_DECK_DIR() / "roles.toml").notes
    assert [n.guid for n in roles[:2]] == ["roles-focus-mle", "roles-focus-ds"]
    assert shown["roles-focus-mle"] == shown["roles-focus-ds"] == {0}
