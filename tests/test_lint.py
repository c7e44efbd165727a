"""studycards.lint: each rule with a deck that triggers it and one that does
not, disable comments, the output formats, speed on a large deck, and the
built-in decks' figures (printed, not asserted)."""

from __future__ import annotations

import json
import re
import random
from collections import Counter

import pytest
from helpers import REAL_DECK_DIR

from studycards import lint
from studycards.deckfile import DeckSpec, NoteSpec, parse_text
from studycards.errors import InvalidDeckFile, InvalidValue
from studycards.lint import Finding, format_finding, lint_decks, lint_many, lint_text, to_json

ALL = set(lint.RULES)


def deck(*notes: str, name: str = "Test", head: str = "") -> str:
    """A deck file: [deck], then each note's TOML (without its [[notes]] header)."""
    parts = [head] if head else []
    parts.append(f'[deck]\nname = "{name}"\n')
    parts += [f"[[notes]]\n{body.strip()}\n" for body in notes]
    return "\n".join(parts)


def basic(guid: str, front: str, back: str, extra: str = "") -> str:
    return f"id = {json.dumps(guid)}\nfront = {json.dumps(front)}\nback = {json.dumps(back)}\n{extra}"


def cloze(guid: str, text: str, extra: str = "") -> str:
    return f"id = {json.dumps(guid)}\ncloze = {json.dumps(text)}\n{extra}"


def rules_of(findings: list[Finding], rule: str | None = None) -> list[tuple[str, str]]:
    return [(f.note, f.rule) for f in findings if rule is None or f.rule == rule]


def run(*notes: str, rule: str, **kw) -> list[Finding]:
    return [f for f in lint_text(deck(*notes, **kw), "d.toml", ALL) if f.rule == rule]


# --- Documentation ---------------------------------------------------------------


def test_every_rule_is_documented_with_its_principle():
    doc = lint.__doc__ or ""
    for rule, description in lint.RULES.items():
        assert f"``{rule}``" in doc
        assert description and "\n" not in description
    for rule in set(lint.RULES) - {"invalid-disable", "unexplained-disable"}:
        assert re.search(r"\brules? \d+", lint.RULES[rule])  # names one of the twenty rules
    assert lint.DEFAULT_RULES == set(lint.RULES) - {"unexplained-disable"}


# --- near-duplicate --------------------------------------------------------------


def test_near_duplicate_names_the_earlier_note_and_its_line():
    text = deck(
        basic("a", "What is the capital of France?", "Paris."),
        basic("b", "Which city is the largest in Peru?", "Lima."),
        basic("c", "What is the capital of France ?", "Paris"),
    )
    found = [f for f in lint_text(text, "d.toml", ALL) if f.rule == "near-duplicate"]
    assert [(f.note, f.line) for f in found] == [("c", 14)]
    assert "like note a (line 4)" in found[0].message
    assert found[0].message.startswith("note c: ")


def test_different_notes_are_not_near_duplicates():
    found = run(
        basic("a", "What is the capital of France?", "Paris."),
        basic("b", "What is the capital of Peru?", "Lima."),
        basic("c", "Who painted the Mona Lisa?", "Leonardo da Vinci."),
        rule="near-duplicate",
    )
    assert found == []


def test_same_prompt_different_answer_and_reversed_twins():
    found = run(
        basic("a", "Which IT professionals were the most stressed in the survey?", "Data scientists."),
        basic("b", "Which IT professionals were the least stressed in the survey?", "Project managers."),
        basic("c", "gato", "cat"),
        basic("d", "cat", "gato"),
        rule="near-duplicate",
    )
    assert rules_of(found) == [("b", "near-duplicate"), ("d", "near-duplicate")]
    assert "easily confused" in found[0].message
    assert "the reverse of note c" in found[1].message


def test_near_duplicates_across_files_name_the_other_file():
    one = deck(basic("a", "What is the capital of France?", "Paris."), name="One")
    two = deck(basic("b", "What is the capital of France?", "Paris."), name="Two")
    found = [f for f in lint_many([(one, "one.toml"), (two, "two.toml")], ALL) if f.rule == "near-duplicate"]
    assert [(f.path, f.note) for f in found] == [("two.toml", "b")]
    assert "note a (one.toml:4)" in found[0].message


def test_cloze_notes_with_the_same_text_are_near_duplicates():
    found = run(
        cloze("a", "The {{c1::mitochondria}} is the powerhouse of the cell."),
        cloze("b", "The mitochondria is the {{c1::powerhouse}} of the cell."),
        rule="near-duplicate",
    )
    assert rules_of(found) == [("b", "near-duplicate")]


# --- answer-in-prompt -----------------------------------------------------------


def test_answer_written_in_its_own_prompt():
    found = run(
        basic("a", "Which Python library, scikit-learn or numpy, does classic ML?", "scikit-learn"),
        basic("b", "Which language is R a rival of?", "Python (for data analysis)"),
        rule="answer-in-prompt",
    )
    assert rules_of(found) == [("a", "answer-in-prompt")]
    assert "written in its own prompt" in found[0].message


def test_short_stop_word_and_yes_no_answers_are_not_looked_for():
    found = run(
        basic("a", "Is R a language, like C?", "R"),
        basic("b", "Is it true that the sky is blue?", "Yes"),
        basic("c", "Which word comes first in 'to be or not to be'?", "To."),
        basic("d", "In 'this or that', which is first?", "This."),
        rule="answer-in-prompt",
    )
    assert found == []


def test_answer_given_away_by_another_cards_prompt():
    found = run(
        basic("a", "Who wrote Hamlet?", "Shakespeare."),
        basic("b", "In which year did Shakespeare finish Hamlet?", "About 1600."),
        rule="answer-in-prompt",
    )
    assert rules_of(found) == [("a", "answer-in-prompt")]
    assert "given away by the prompt of note b (line 9)" in found[0].message


def test_another_prompt_about_something_else_is_no_giveaway():
    found = run(
        basic("a", "Who wrote Hamlet?", "Shakespeare."),
        basic("b", "Where was Shakespeare born?", "Stratford-upon-Avon."),
        rule="answer-in-prompt",
    )
    assert found == []


def test_a_number_answer_is_looked_for_across_cards():
    found = run(
        cloze("a", "The full course needs a monthly subscription of {{c1::$25}}."),
        basic("b", "Which course needs a $25 monthly subscription?", "Datacamp's."),
        rule="answer-in-prompt",
    )
    assert rules_of(found) == [("a", "answer-in-prompt")]


# --- two-way ----------------------------------------------------------------------


def test_the_same_short_answer_on_three_cards_is_two_way():
    found = run(
        basic("a", "Which role analyzes large datasets?", "The data scientist."),
        basic("b", "Which role produces reports?", "The data scientist (reports and charts)."),
        basic("c", "Whose skill list is Tableau?", "The data scientist's."),
        basic("d", "Which role deploys models?", "The machine learning engineer."),
        basic("e", "Which role monitors models?", "The machine learning engineer."),
        rule="two-way",
    )
    assert rules_of(found) == [("a", "two-way"), ("b", "two-way"), ("c", "two-way")]
    assert "the answer of 3 cards (also b, c)" in found[0].message


def test_yes_no_answers_are_two_way_but_cloze_deletions_do_not_count():
    found = run(
        basic("a", "Is a degree required to become an ML engineer?", "No: skills and experience count."),
        basic("b", "Is Python popular?", "Python is popular with data scientists."),
        cloze("c", "Popular: {{c1::Python}}."),
        cloze("d", "Easy to learn: {{c1::Python}}."),
        cloze("e", "Many libraries: {{c1::Python}}."),
        rule="two-way",
    )
    assert rules_of(found) == [("a", "two-way")]
    assert "yes/no answer" in found[0].message


# --- enumeration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "items"),
    [
        ("Programming, data structures, algorithms, SQL, linear algebra, calculus and statistics.", 7),
        ("Computer architecture, algorithms, data structures and complexity.", 4),
        ("Java: scalability.\nC++: speed.\nJulia: syntax.\nR: statistics.", 4),
        ("Plan; build; test; ship.", 4),
        ("1. plan 2. build 3. test", 3),
        ("Machine learning frameworks, data structures, algorithms and tools.", 4),
        ("Machine learning frameworks, data structures and algorithms.", 1),  # one comma: fewer than four items
        ("red, green, blue, black", 4),
        ("Python or R, for effective data manipulation and analysis.", 1),
        ("Yes: they use coding abilities to gather, process and analyze large volumes of data.", 1),
        ("In essence, the first focuses on systems, while the second, for its part, concentrates on analysis of the data.", 1),
        ("Data scientist: reports.\nML engineer: software.", 2),
    ],
)
def test_list_items(answer, items):
    assert lint.list_items(answer) == items


def test_enumerations_in_answers_and_clozes():
    found = run(
        basic("a", "Which skills?", "Programming, data structures, algorithms and SQL."),
        basic("b", "Which three things?", "Frameworks, data structures and algorithms."),
        cloze("c", "Skills: {{c1::statistics}}, {{c2::probability}}, {{c3::programming}} and {{c4::design}}."),
        cloze("d", "Languages: {{c1::Python}}, {{c1::R}}, {{c1::Java}} and {{c1::Julia}}."),
        cloze("e", "Probability techniques: {{c1::Bayes nets}} and {{c2::Markov decisions}}."),
        rule="enumeration",
    )
    assert rules_of(found) == [("a", "enumeration"), ("c", "enumeration"), ("d", "enumeration")]
    assert "answer lists 4 items" in found[0].message
    assert "cloze over a list of 4 items" in found[1].message
    assert "blanks 4 items at once" in found[2].message


# --- too-long ---------------------------------------------------------------------


def test_too_long_prompts_and_answers():
    found = run(
        basic("a", "Q" * 201, "short"),
        basic("b", "Q" * 200, "A" * 250),
        basic("c", "short?", "A" * 251),
        cloze("d", "x" * 195 + " {{c1::abc}}"),
        rule="too-long",
    )
    assert rules_of(found) == [("a", "too-long"), ("c", "too-long"), ("d", "too-long")]
    assert "prompt is 201 characters (at most 200)" in found[0].message
    assert "answer is 251 characters (at most 250)" in found[1].message


# --- predictable-cloze ------------------------------------------------------------


def test_predictable_deletions():
    found = run(
        cloze("a", "Salt is sodium {{c1::and}} chlorine."),
        cloze("b", "The variable {{c1::x}} is unknown."),
        cloze("c", "Data mining, {{c1::data}} visualization and data analysis."),
        cloze("d", "{{c1::TensorFlow}} is by Google; {{c2::TensorFlow}} is in C++."),
        cloze("e", "The capital is {{c1::Paris::P...}} (Paris is big)."),
        cloze("f", "Salt is {{c1::.}} NaCl."),
        rule="predictable-cloze",
    )
    assert rules_of(found) == [(n, "predictable-cloze") for n in "abcdef"]
    assert "stop word and" in found[0].message
    assert "single letter" in found[1].message
    assert "still shown on the card" in found[2].message


def test_sound_deletions_are_not_predictable():
    found = run(
        cloze("a", "{{c1::Paris}} is the capital of France."),
        cloze("b", "Languages such as Python, {{c1::R}} and {{c2::C}}."),
        cloze("c", "It has {{c1::3}} sides, and 3 corners."),
        cloze("d", "Steps: {{c1::plan}}, then {{c2::build}}."),
        rule="predictable-cloze",
    )
    assert found == []


# --- empty-side and cloze-without-deletion ---------------------------------------


def test_empty_sides_in_a_file_are_findings_and_the_rest_is_linted():
    text = deck(
        basic("a", "Question?", "   "),
        'id = "b"\nfront = "Only a front"\n',
        cloze("c", "Text {{c1::}} here and {{c2::Paris}}."),
        basic("d", "Q" * 201, "fine"),
    )
    found = lint_text(text, "d.toml", ALL)
    assert rules_of(found) == [("a", "empty-side"), ("b", "empty-side"), ("c", "empty-side"), ("d", "too-long")]
    assert [f.line for f in found] == [4, 9, 13, 17]
    assert "back is empty" in found[0].message and "back is missing" in found[1].message
    assert "deletion c1 is empty" in found[2].message


def test_cloze_without_deletion():
    text = deck(
        cloze("a", "No deletion here."),
        basic("b", "The {{c1::answer}} is hidden?", "yes"),
        cloze("c", "A {{c1::real}} deletion."),
        cloze("d", "Broken {{c1:deletion}}."),
    )
    found = [f for f in lint_text(text, "d.toml", ALL) if f.rule == "cloze-without-deletion"]
    assert rules_of(found) == [("a", "cloze-without-deletion"), ("b", "cloze-without-deletion"), ("d", "cloze-without-deletion")]


def test_other_problems_still_raise_as_import_would():
    with pytest.raises(InvalidDeckFile, match="unknown key"):
        lint_text(deck(basic("a", "Q?", ""), 'id = "b"\nfront = "x"\nback = "y"\ncolour = "red"'), "d.toml")
    with pytest.raises(InvalidDeckFile, match="not valid TOML"):
        lint_text("[deck\n", "d.toml")


TYPED_HEAD = """
[[note_types]]
name = "Basic"
fields = ["Front", "Back"]
templates = [{ name = "Card 1", question = "{{Front}}", answer = "{{FrontSide}}<hr id=answer>{{Back}}" }]

[[note_types]]
name = "Cloze"
fields = ["Text", "Extra"]
cloze = true
templates = [{ name = "Cloze", question = "{{cloze:Text}}", answer = "{{cloze:Text}}<br>{{Extra}}" }]
"""


def typed(guid: str, nt: str, **fields: str) -> str:
    body = "\n".join(f"{k} = {json.dumps(v)}" for k, v in fields.items())
    return f'id = "{guid}"\nnote_type = "{nt}"\n\n[notes.fields]\n{body}\n'


def test_typed_notes():
    text = deck(
        typed("a", "Basic", Front="Capital of <b>France</b>?", Back=""),
        typed("b", "Cloze", Text="No deletion at all"),
        typed("c", "Cloze", Text="Sodium {{c1::and}} chlorine"),
        typed("d", "Basic", Front="", Back="orphan"),
        typed("e", "Basic", Front="Is it?", Back="Yes."),
        head=TYPED_HEAD,
    )
    found = lint_text(text, "d.toml", ALL)
    assert rules_of(found) == [
        ("a", "empty-side"),
        ("b", "cloze-without-deletion"),
        ("c", "predictable-cloze"),
        ("d", "empty-side"),
        ("e", "two-way"),
    ]


# --- Disables --------------------------------------------------------------------


def test_note_level_disable_with_a_reason():
    text = deck(
        basic("a", "Which role?", "The data scientist.", "# lint: disable=two-way -- the roles deck contrasts them on purpose"),
        basic("b", "Which role, again?", "The data scientist."),
        basic("c", "Which role, once more?", "The data scientist."),
    )
    found = lint_text(text, "d.toml", ALL)
    assert rules_of(found) == [("b", "two-way"), ("c", "two-way")]


def test_disable_in_a_notes_sub_table_and_several_rules():
    text = deck(typed("a", "Basic", Front="Q" * 300, Back="Yes") + "# lint: disable=too-long, two-way -- a quotation\n", head=TYPED_HEAD)
    assert lint_text(text, "d.toml", ALL) == []


def test_file_level_disable():
    text = deck(
        basic("a", "Q" * 201, "x"),
        basic("b", "Q" * 202, "y"),
        head="# lint: disable-file=too-long -- a deck of quotations\n",
    )
    assert lint_text(text, "d.toml", ALL) == []


def test_disable_applies_to_notes_that_failed_to_parse():
    text = deck(basic("a", "Q?", "", "# lint: disable=empty-side -- filled in later"), basic("b", "Q2?", ""))
    assert rules_of(lint_text(text, "d.toml", ALL)) == [("b", "empty-side")]


def test_a_pair_rule_is_off_when_either_note_disables_it():
    first = basic("a", "What is the capital of France?", "Paris.", "# lint: disable=near-duplicate -- asked twice on purpose")
    second = basic("b", "What is the capital of France?", "Paris.")
    assert run(first, second, rule="near-duplicate") == []


def test_unexplained_disables_are_reported_when_asked_for():
    text = deck(
        basic("a", "Which role?", "The data scientist.", "# lint: disable=two-way"),
        basic("b", "Q" * 201, "x", "# lint: disable=too-long --"),
        head="# lint: disable-file=enumeration -- reason given\n",
    )
    assert lint_text(text, "d.toml") == []  # not in the default rules
    found = lint_text(text, "d.toml", ALL)
    assert [(f.note, f.rule, f.line) for f in found] == [("a", "unexplained-disable", 10), ("b", "unexplained-disable", 16)]
    assert "gives no reason" in found[0].message and "empty reason" in found[1].message


def test_invalid_disables():
    text = deck(
        basic("a", "Q?", "A.", "# lint: disable=two-ways -- typo\n# lint: enable=too-long\n# lint: disable=invalid-disable -- no"),
        head="# lint: disable=too-long -- not in a note\n",
    )
    found = lint_text(text, "d.toml")
    assert [(f.rule, f.line, f.note) for f in found] == [
        ("invalid-disable", 1, ""),
        ("invalid-disable", 10, "a"),
        ("invalid-disable", 11, "a"),
        ("invalid-disable", 12, "a"),
    ]
    assert "outside any note" in found[0].message
    assert "unknown rule 'two-ways'" in found[1].message
    assert "is not 'disable=" in found[2].message
    assert "cannot be disabled" in found[3].message


def test_a_lint_comment_inside_a_multi_line_string_is_text():
    text = deck('id = "a"\nfront = """Q?\n# lint: disable=nothing\n"""\nback = "A."')
    assert lint_text(text, "d.toml", ALL) == []


# --- API, formats ------------------------------------------------------------------


def test_format_and_json():
    with_line = Finding("d.toml", 12, "too-long", "note a: prompt is 201 characters", "a")
    without = Finding("deck ML skills", None, "two-way", "note b: yes/no answer", "b")
    assert format_finding(with_line) == "d.toml:12: too-long: note a: prompt is 201 characters"
    assert format_finding(without) == "deck ML skills: two-way: note b: yes/no answer"
    data = json.loads(to_json([with_line, without]))
    assert data == [
        {"path": "d.toml", "line": 12, "rule": "too-long", "message": "note a: prompt is 201 characters", "note": "a"},
        {"path": "deck ML skills", "line": None, "rule": "two-way", "message": "note b: yes/no answer", "note": "b"},
    ]
    assert json.loads(to_json([])) == []


def test_lint_decks_names_the_deck_and_the_note():
    prompts = ["Which role analyzes datasets?", "Who produces reports and charts?", "Whose tools are Tableau and Matplotlib?"]
    notes = tuple(NoteSpec(f"n{i}", "basic", prompt, "The data scientist.") for i, prompt in enumerate(prompts))
    empty = NoteSpec("e", "basic", "A front", "")
    found = lint_decks([DeckSpec("Roles", "", notes), DeckSpec("Other", "", (empty,))], lint.DECK_LABEL)
    assert [(f.path, f.line, f.rule, f.note) for f in found] == [
        ("deck Other", None, "empty-side", "e"),
        ("deck Roles", None, "two-way", "n0"),
        ("deck Roles", None, "two-way", "n1"),
        ("deck Roles", None, "two-way", "n2"),
    ]
    assert all(format_finding(f).startswith(f"{f.path}: {f.rule}: note {f.note}: ") for f in found)


def test_decks_from_parse_text_lint_like_the_text_without_comments():
    text = deck(basic("a", "Q" * 201, "x"), basic("b", "Is it?", "Yes."))
    spec = parse_text(text, "d.toml")
    from_text = [(f.rule, f.note, f.message) for f in lint_text(text, "d.toml")]
    from_deck = [(f.rule, f.note, f.message) for f in lint_decks([spec], "d.toml")]
    assert from_text == from_deck


def test_enabled_rules_and_unknown_names():
    text = deck(basic("a", "Q" * 201, "Yes."))
    assert rules_of(lint_text(text, "d.toml")) == [("a", "too-long"), ("a", "two-way")]
    assert rules_of(lint_text(text, "d.toml", {"two-way"})) == [("a", "two-way")]
    with pytest.raises(InvalidValue, match="unknown lint rule 'two_way'"):
        lint_text(text, "d.toml", {"two_way"})


def test_findings_are_sorted_by_path_line_rule():
    one = deck(basic("a", "Q" * 201, "Yes."), basic("b", "Is it?", "No."), name="One")
    two = deck(basic("c", "Is it?", "No."), name="Two")
    found = lint_many([(two, "b.toml"), (one, "a.toml")])
    keys = [(f.path, f.line, f.rule) for f in found]
    assert keys == sorted(keys)
    assert keys[0] == ("a.toml", 4, "too-long")


def test_messages_are_one_line_without_control_characters():
    text = deck(basic("a", "Which?", "\u001b[31mline one\nline two, and more"), basic("b", "Which one?", "\u001b[31mline one\nline two, and more"))
    for f in lint_text(text, "d.toml", ALL):
        assert "\n" not in f.message and "\x1b" not in f.message


# --- Scale -----------------------------------------------------------------------------


@pytest.mark.slow
def test_near_duplicate_on_5000_generated_notes_completes():
    rng = random.Random(5)
    vocab = [f"w{i}{'xyz'[i % 3]}" for i in range(4000)]
    weights = [1 / (i + 1) for i in range(len(vocab))]
    notes, planted = [], set()
    for i in range(5000):
        if i % 100 == 99:
            _, front, back = notes[-1]
            first, rest = front.split(" ", 1)
            front = f"{first}q {rest}"  # one letter more
            planted.add(f"g{i}")
        else:
            front = " ".join(rng.choices(vocab, weights, k=rng.randint(4, 14))) + "?"
            back = " ".join(rng.choices(vocab, weights, k=rng.randint(1, 6))) + "."
        notes.append((f"g{i}", front, back))
    text = deck(*(basic(*n) for n in notes))
    found = lint_text(text, "big.toml", {"near-duplicate"})
    assert planted <= {f.note for f in found}


# --- The built-in decks --------------------------------------------------------------


def test_builtin_decks_before_figures(capsys):
    """The counts per rule on the shipped decks: printed, not asserted (the
    deck rewrite brings them down)."""
    paths = sorted(REAL_DECK_DIR().glob("*.toml"))
    found = lint_many([(p.read_text(encoding="utf-8"), p.name) for p in paths], ALL)
    assert all(f.rule in lint.RULES for f in found)
    counts = Counter(f.rule for f in found)
    with capsys.disabled():
        print(f"\nlint on {len(paths)} built-in decks: {len(found)} findings")
        for rule in lint.RULES:
            print(f"  {rule:24} {counts.get(rule, 0)}")


def test_load_file_mixes_with_decks_of_the_collection(tmp_path):
    path = tmp_path / "one.toml"
    path.write_bytes(b"\xef\xbb\xbf" + deck(basic("a", "What is the capital of France?", "Paris.")).encode())
    stored = DeckSpec("Stored", "", (NoteSpec("s1", "basic", "What is the capital of France?", "Paris."),))
    found = lint.lint_sources([lint.load_file(path), *lint.load_decks([stored])])
    assert [(f.path, f.rule, f.note) for f in found] == [("deck Stored", "near-duplicate", "s1")]
    assert f"note a ({path}:4)" in found[0].message
    (tmp_path / "bad.toml").write_bytes(b'[deck]\nname = "\xff"\n')
    with pytest.raises(InvalidDeckFile, match="not UTF-8"):
        lint.load_file(tmp_path / "bad.toml")
