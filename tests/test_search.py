"""The search language: the parser on its own (query -> tree, or the error
message), then every term against a real collection built through the CLI
(notes added and answered under a frozen clock), through the services
``find_cards`` and ``list_matching``."""

from __future__ import annotations

import ast as python_ast
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from helpers import answers, collection_sql, set_tz

from studycards import builtin, clock
from studycards.cards import find_cards, list_cards, list_matching
from studycards.cli import cli
from studycards.errors import InvalidValue
from studycards.search import (
    EVERYTHING,
    Added,
    And,
    Deck,
    Is,
    Not,
    Or,
    Prop,
    Rated,
    Tag,
    Text,
    parse,
)
from studycards.store import open_store
from studycards.store.location import ServerLocation

DAY = 20514  # 2026-03-02, "today" in every behaviour test
NOON = DAY * 86400 + 43200
HOUR = 4  # the default day-start hour

# --- the parser ------------------------------------------------------------

a, b, c = Text("a"), Text("b"), Text("c")

PARSED = [
    ("", EVERYTHING),
    ("   ", EVERYTHING),
    ("dog", Text("dog")),
    ("DOG", Text("DOG")),
    ('"a phrase"', Text("a phrase")),
    ("a b", And((a, b))),
    ("a and b", And((a, b))),
    ("a AND b", And((a, b))),
    ("a or b", Or((a, b))),
    ("a OR b", Or((a, b))),
    ("a b or c", Or((And((a, b)), c))),  # AND binds tighter
    ("a (b or c)", And((a, Or((b, c))))),
    ("(a (b c))", And((a, b, c))),  # nested groups of one kind are flattened
    ("a or (b or c)", Or((a, b, c))),
    ("-a", Not(a)),
    ("-(a or b)", Not(Or((a, b)))),
    ("--a", a),
    ("a -b", And((a, Not(b)))),
    ("a-b", Text("a-b")),
    ('"-a"', Text("-a")),
    ('"or"', Text("or")),
    ('"a (b) c"', Text("a (b) c")),
    ("a*b", Text("a*b")),
    (r"a\*b", Text(r"a\*b")),  # a plain star
    (r"\(x\)", Text("(x)")),
    (r"\-x", Text("-x")),
    (r"deck\:x", Text("deck:x")),
    (r'say \"hi\"', And((Text("say"), Text('"hi"')))),
    (r"C\d", Text(r"C\\d")),  # a backslash before anything else is itself
    ("12:30", Text("12:30")),
    (":x", Text(":x")),
    ("100%", Text("100%")),
    ("snake_case", Text("snake_case")),
    ("deck:ML", Deck("ML")),
    ("DECK:ml::skills", Deck("ml::skills")),
    ("deck:ML*", Deck("ML*")),
    ('deck:"My deck"', Deck("My deck")),
    ('"deck:My deck"', Deck("My deck")),
    ("tag:Lang", Tag("Lang")),
    ("tag:a*b", Tag("a*b")),
    ("tag:math::*", Tag("math::*")),
    *[(f"is:{state}", Is(state)) for state in ("new", "due", "review", "suspended", "buried", "leech")],
    ("IS:Due", Is("due")),
    ("prop:ivl>=10", Prop("ivl", ">=", 10)),
    ("PROP:IVL>3", Prop("ivl", ">", 3)),
    ("prop:ivl!=0", Prop("ivl", "!=", 0)),
    ("prop:due<=0", Prop("due", "<=", 0)),
    ("prop:due<-1", Prop("due", "<", -1)),
    ("prop:due=+2", Prop("due", "=", 2)),
    ("prop:lapses>3", Prop("lapses", ">", 3)),
    ("prop:ease<2", Prop("ease", "<", 200)),
    ("prop:ease<2.0", Prop("ease", "<", 200)),
    ("prop:ease>=2.5", Prop("ease", ">=", 250)),
    ("prop:ease=1.30", Prop("ease", "=", 130)),
    ("prop:ease=2.500", Prop("ease", "=", 250)),
    ("prop:ease>.5", Prop("ease", ">", 50)),
    ("prop:ease>2.", Prop("ease", ">", 200)),
    ("prop:ivl<=9223372036854775807", Prop("ivl", "<=", 2**63 - 1)),
    ("prop:due>=-9223372036854775808", Prop("due", ">=", -(2**63))),
    ("added:7", Added(7)),
    ("added:0", Added(1)),  # as Anki does
    ("rated:1", Rated(1)),
    ("rated:0", Rated(1)),
    ("deck:ML -is:due (tag:x or prop:ivl>3)", And((Deck("ML"), Not(Is("due")), Or((Tag("x"), Prop("ivl", ">", 3)))))),
    ("'; drop table card; x", And((Text("';"), Text("drop"), Text("table"), Text("card;"), Text("x")))),
]


@pytest.mark.parametrize("query, tree", PARSED, ids=[q or "empty" for q, _ in PARSED])
def test_a_query_parses_into_its_tree(query, tree):
    assert parse(query) == tree


WRONG = [
    ("is:foo", "unknown search term 'is:foo' (is: takes new, due, review, suspended, buried, leech)"),
    ("(a", "unbalanced parenthesis in '(a'"),
    ("a)", "unbalanced parenthesis in 'a)'"),
    ("a ) (b", "unbalanced parenthesis in 'a ) (b'"),
    ("((a)", "unbalanced parenthesis in '((a)'"),
    ("()", "empty parentheses in '()'"),
    ("prop:ivl>=x", "prop:ivl needs a number: 'prop:ivl>=x'"),
    ("prop:ivl>=1.5", "prop:ivl needs a whole number: 'prop:ivl>=1.5'"),
    ("prop:lapses>", "prop:lapses needs a number: 'prop:lapses>'"),
    ("prop:ivl", "prop:ivl needs an operator (< <= > >= = !=) and a number: 'prop:ivl'"),
    ("prop:ivl~3", "prop:ivl needs an operator (< <= > >= = !=) and a number: 'prop:ivl~3'"),
    ("prop:foo>1", "unknown search term 'prop:foo>1' (prop: takes ivl, due, lapses, ease)"),
    ("prop:ease<x", "prop:ease needs a number: 'prop:ease<x'"),
    ("prop:ease<2.555", "prop:ease takes at most 2 decimals (easiness is kept in hundredths): 'prop:ease<2.555'"),
    ("prop:ivl>=9223372036854775808", "number out of range in 'prop:ivl>=9223372036854775808' (from -9223372036854775808 to 9223372036854775807)"),
    ("prop:due<-9223372036854775809", "number out of range in 'prop:due<-9223372036854775809' (from -9223372036854775808 to 9223372036854775807)"),
    ("prop:ease>92233720368547758.08", "number out of range in 'prop:ease>92233720368547758.08' (prop:ease is at most 92233720368547758)"),
    ("prop:ease<9223372036854775807", "number out of range in 'prop:ease<9223372036854775807' (prop:ease is at most 92233720368547758)"),
    ("(", "unbalanced parenthesis in '('"),
    ("((", "unbalanced parenthesis in '(('"),
    ("added:99999999999999999999", "number out of range in 'added:99999999999999999999' (from -9223372036854775808 to 9223372036854775807)"),
    ("added:x", "added: needs a whole number of days: 'added:x'"),
    ("added:-1", "added: needs a whole number of days: 'added:-1'"),
    ("rated:1:3", "rated: needs a whole number of days: 'rated:1:3'"),
    ("deck:", "deck: needs a name: 'deck:'"),
    ('deck:""', "deck: needs a name: 'deck:\"\"'"),
    ("tag:", "tag: needs a name: 'tag:'"),
    ('tag:"a b"', "tags have no spaces: 'tag:\"a b\"'"),
    ("foo:bar", "unknown search term 'foo:bar' (keys: deck:, tag:, is:, prop:, added:, rated:; to search for the text, write 'foo\\:bar')"),
    ('""', "empty search term '\"\"'"),
    ('"abc', "unclosed quote in '\"abc'"),
    ('a "b c', "unclosed quote in '\"b c'"),
    ("or a", "'or' needs a term on each side in 'or a'"),
    ("a or", "'or' needs a term on each side in 'a or'"),
    ("a or or b", "'or' needs a term on each side in 'a or or b'"),
    ("(a or)", "'or' needs a term on each side in '(a or)'"),
    ("a and", "'and' needs a term on each side in 'a and'"),
    ("and a", "'and' needs a term on each side in 'and a'"),
    ("a and or b", "'and' needs a term on each side in 'a and or b'"),
    ("-", "'-' must be followed by a term or a group in '-'"),
    ("- a", "'-' must be followed by a term or a group in '- a'"),
    ("(a -)", "'-' must be followed by a term or a group in '(a -)'"),
    ("-or a", "'-' must be followed by a term or a group in '-or a'"),
    ("'; drop table card; --", "'-' must be followed by a term or a group in ''; drop table card; --'"),
    ("a\nb)", "unbalanced parenthesis in 'a\\nb)'"),  # one line, whatever the query holds
    ("(" * 51 + "a" + ")" * 51, "parentheses nested too deep (at most 50) in '" + "(" * 51 + "a" + ")" * 25 + "...'"),
    ("a\x00b", "the search query contains a control character (\\x00) in 'a\\x00b'"),
    ("\x1b[31m", "the search query contains a control character (\\x1b) in '\\x1b[31m'"),
    ("x" * 1001, "the search query is too long (1,001 characters; at most 1,000)"),
]


@pytest.mark.parametrize("query, message", WRONG, ids=[q[:30] for q, _ in WRONG])
def test_a_malformed_query_names_the_bad_part(query, message):
    with pytest.raises(InvalidValue) as err:
        parse(query)
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def test_limits_are_generous_enough():
    assert parse("(" * 50 + "a" + ")" * 50) == a
    assert parse("a " * 500) == And((a,) * 500)
    assert parse("-" * 999 + "a") == Not(a)


# --- a collection ----------------------------------------------------------
#
# deck        prompt                    tags         state on 2026-03-02 (DAY)
# Literal     100% sure                 a_b          new; back "snake_case name"
# Literal     '; drop table card; --    leech        new; back "a*b star"
# ML          Gradient descent          math         answered 02-25 (5): due 02-26, 3 lapses, ease 2.60
# ML::Skills  Python                    lang Code    answered 03-01 (4): due today, ease 2.50
# MLOps       Docker                    ops          answered today (2, drill 4): due 03-03, ease 2.18
# My deck     Straße und Ärger          Ärger        new, buried until tomorrow
# Night       Owl                       (none)       new, added 03-02 03:00 (study day 03-01)
# Spanish     perro / dog (reversed)    animals      new
# ml::deep    Backprop                  math::calc   new, suspended
#
# Gradient and Python were added on 02-20, everything else on 03-02.

# Listing order: decks by name regardless of case ("ml::deep" joins the tree
# of "ML", as names match regardless of case), then the notes' order.
EVERY_CARD = [
    "100% sure", "'; drop table card; --", "Gradient descent", "Backprop", "Python", "Docker",
    "Straße und Ärger", "Owl", "perro", "dog",
]  # fmt: skip


def _build(runner: CliRunner) -> None:
    def run(*args: str, input: str | None = None) -> None:
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        assert result.exit_code == 0, result.output

    def add(deck: str, front: str, back: str, *tags: str, reverse: bool = False) -> None:
        run("add", deck, "--front", front, "--back", back, *[x for t in tags for x in ("--tag", t)], *(["--reverse"] if reverse else []))

    with freeze_time("2026-02-20 12:00"):
        add("ML", "Gradient descent", "an optimisation method", "math")
        add("ML::Skills", "Python", "a programming language", "lang", "Code")
    with freeze_time("2026-02-25 12:00"):
        run("review", "ML", "--new", "1", input=answers(5))
    with freeze_time("2026-03-01 12:00"):
        run("review", "ML::Skills", "--new", "1", input=answers(4))
    with freeze_time("2026-03-02 03:00"):
        add("Night", "Owl", "bird")
    with freeze_time("2026-03-02 09:00"):
        add("MLOps", "Docker", "containers", "ops")
        add("My deck", "Straße und Ärger", "street and trouble", "Ärger")
        add("Spanish", "perro", "dog", "animals", reverse=True)
        add("Literal", "100% sure", "snake_case name", "a_b")
        add("Literal", "'; drop table card; --", "a*b star", "leech")
        add("ml::deep", "Backprop", "chain rule", "math::calc")
    with freeze_time("2026-03-02 10:00"):
        run("review", "MLOps", input=answers(2, 4))


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory, template_db, server):
    """The collection above, built once for the module (searching never writes):
    a copy of the template, a file or a database on the test server."""
    folder = tmp_path_factory.mktemp("search")
    if server is not None:
        name = server.create(template_db)
        db = ServerLocation(server.url(name))
    else:
        db = folder / "studycards.db"
        shutil.copyfile(template_db, db)
    empty = folder / "no-builtin-decks"
    empty.mkdir()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("STUDYCARDS_DB", str(db) if server is None else db.url)
        monkeypatch.setattr(builtin, "deck_dir", lambda: empty)
        set_tz(monkeypatch, "UTC")
        runner = CliRunner()
        _build(runner)
        [suspend] = _ids(db, "select card.id from card join note on note.id = card.note_id where note.front = 'Backprop'")
        result = runner.invoke(cli, ["suspend", str(suspend)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    time.tzset()
    collection_sql(db, "update card set lapses = 3 where note_id = (select id from note where front = 'Gradient descent')")
    collection_sql(db, "update card set buried_until = ? where note_id = (select id from note where front like 'Straße%')", DAY + 1)
    yield db
    if server is not None:
        server.drop(name)


def _ids(db, statement: str) -> list[int]:
    return [row[0] for row in collection_sql(db, statement)]


@pytest.fixture
def store(collection):
    opened = open_store(collection, NOON)
    yield opened
    opened.close()


def prompts(store, query: str, **options) -> list[str]:
    return [row.front for row in list_matching(store, query, DAY, HOUR, **options)]


def test_the_collection_is_as_described(store):
    rows = {row.front: row for row in list_cards(store, None, DAY, False)}
    assert list(rows) == EVERY_CARD
    gradient, python, docker = rows["Gradient descent"], rows["Python"], rows["Docker"]
    assert (gradient.due, gradient.lapses, gradient.easiness, gradient.interval) == ("2026-02-26", 3, 2.6, 1)
    assert (python.due, python.easiness) == ("2026-03-02", 2.5)
    assert (docker.due, docker.easiness) == ("2026-03-03", 2.18)
    assert rows["Backprop"].suspended


MATCHES = [
    ("", EVERY_CARD),
    # words and phrases, front or back, regardless of case, substring
    ("perro", ["perro", "dog"]),
    ("DOG", ["perro", "dog"]),
    ("descent", ["Gradient descent"]),
    ("Desc", ["Gradient descent"]),
    ('"optimisation method"', ["Gradient descent"]),
    ('"method optimisation"', []),
    ("gradient method", ["Gradient descent"]),  # one word on each side
    ("gra*ent", ["Gradient descent"]),
    ("*", EVERY_CARD),
    ("a*b", ["'; drop table card; --", "Straße und Ärger"]),  # "a*b star"; "street [a]nd trou[b]le"
    (r"a\*b", ["'; drop table card; --"]),
    ("straße", ["Straße und Ärger"]),
    ("ärger", ["Straße und Ärger"]),  # outside ASCII: capitalised ...
    ("ÄRGER", ["Straße und Ärger"]),  # ... or in upper case
    ("und ärger", ["Straße und Ärger"]),
    # % and _ are plain characters
    ("%", ["100% sure"]),
    ("0%", ["100% sure"]),
    ("e_c", ["100% sure"]),
    ("_", ["100% sure"]),
    ("t_a", []),  # "stree[t a]nd" would match a wildcard _
    ("%%", []),
    ('"\'; drop table card; --"', ["'; drop table card; --"]),
    ("drop table", ["'; drop table card; --"]),
    ("\"'\"", ["'; drop table card; --"]),
    (r'\"', []),
    # decks: the deck and the decks below it, regardless of case
    ("deck:ML", ["Gradient descent", "Python", "Backprop"]),
    ("deck:ml", ["Gradient descent", "Python", "Backprop"]),
    ("deck:ML::Skills", ["Python"]),
    ("deck:ml::SKILLS", ["Python"]),
    ("deck:Skills", []),
    ("deck:ML*", ["Gradient descent", "Python", "Docker", "Backprop"]),
    ("deck:*deep", ["Backprop"]),
    ("deck:M*::*", ["Python", "Backprop"]),
    ("deck:*", EVERY_CARD),
    ('deck:"My deck"', ["Straße und Ärger"]),
    ('"deck:my DECK"', ["Straße und Ärger"]),
    ("deck:my", []),
    ("deck:M_", []),  # "ML" would match a wildcard _
    ("deck:Spanish -deck:Spanish", []),
    # tags: the whole tag, regardless of case
    ("tag:math", ["Gradient descent"]),
    ("tag:math*", ["Gradient descent", "Backprop"]),
    ("tag:math::*", ["Backprop"]),
    ("tag:code", ["Python"]),
    ("tag:LANG", ["Python"]),
    ("tag:la*", ["Python"]),
    ("tag:*ng", ["Python"]),
    ("tag:*an*", ["Python", "perro", "dog"]),
    ("tag:l*g", ["Python"]),
    ("tag:l*e", []),  # "lang Code": a wildcard never spans two tags
    ("tag:c*e", ["Python"]),
    ("tag:an", []),
    ("tag:ärger", ["Straße und Ärger"]),
    ("tag:ÄRGER", ["Straße und Ärger"]),
    ("tag:*RGER", ["Straße und Ärger"]),
    ("tag:a_b", ["100% sure"]),
    ("tag:a%b", []),
    ("tag:animal_", []),  # "animals" would match a wildcard _
    ("tag:*", [p for p in EVERY_CARD if p != "Owl"]),
    ("-tag:*", ["Owl"]),
    # states
    ("is:new", ["100% sure", "'; drop table card; --", "Straße und Ärger", "Owl", "perro", "dog", "Backprop"]),
    ("is:review", ["Gradient descent", "Python", "Docker"]),
    ("is:due", ["Gradient descent", "Python"]),
    ("is:suspended", ["Backprop"]),
    ("is:buried", ["Straße und Ärger"]),
    ("-is:buried", [p for p in EVERY_CARD if p != "Straße und Ärger"]),  # NULL buried_until is not buried
    ("is:leech", ["'; drop table card; --"]),
    ("is:new -is:suspended -is:buried", ["100% sure", "'; drop table card; --", "Owl", "perro", "dog"]),
    # properties
    ("prop:ivl>=1", ["Gradient descent", "Python", "Docker"]),
    ("prop:ivl=0", ["100% sure", "'; drop table card; --", "Straße und Ärger", "Owl", "perro", "dog", "Backprop"]),
    ("prop:ivl!=0", ["Gradient descent", "Python", "Docker"]),
    ("prop:due<=0", ["Gradient descent", "Python"]),
    ("prop:due<0", ["Gradient descent"]),
    ("prop:due=-4", ["Gradient descent"]),
    ("prop:due=0", ["Python"]),
    ("prop:due>0", ["Docker"]),
    ("prop:due>=1", ["Docker"]),
    ("prop:due!=0", ["Gradient descent", "Docker"]),  # new cards have no due day
    ("-prop:due<=0", ["100% sure", "'; drop table card; --", "Docker", "Straße und Ärger", "Owl", "perro", "dog", "Backprop"]),
    ("prop:lapses>2", ["Gradient descent"]),
    ("prop:lapses!=0", ["Gradient descent"]),
    ("prop:lapses>3", []),
    ("prop:ease<2.5", ["Docker"]),
    ("prop:ease=2.18", ["Docker"]),
    ("prop:ease>2.5", ["Gradient descent"]),
    ("prop:ease>=2.6", ["Gradient descent"]),
    ("prop:ease>2.6", []),
    ("prop:ease=2.5 is:review", ["Python"]),
    ("prop:due<=9223372036854775807", ["Gradient descent", "Python", "Docker"]),
    ("prop:due>=-9223372036854775808", ["Gradient descent", "Python", "Docker"]),
    ("prop:ivl<-9223372036854775808", []),
    # added: since the start of the study day N-1 days ago (4 am)
    ("added:1", ["100% sure", "'; drop table card; --", "Docker", "Straße und Ärger", "perro", "dog", "Backprop"]),
    ("added:0", ["100% sure", "'; drop table card; --", "Docker", "Straße und Ärger", "perro", "dog", "Backprop"]),
    ("added:2", ["100% sure", "'; drop table card; --", "Docker", "Straße und Ärger", "Owl", "perro", "dog", "Backprop"]),
    ("added:10", ["100% sure", "'; drop table card; --", "Docker", "Straße und Ärger", "Owl", "perro", "dog", "Backprop"]),
    ("added:11", EVERY_CARD),
    ("added:9223372036854775807", EVERY_CARD),
    ("-added:10", ["Gradient descent", "Python"]),
    # rated: answered on one of the last N study days
    ("rated:1", ["Docker"]),
    ("rated:2", ["Python", "Docker"]),
    ("rated:5", ["Python", "Docker"]),
    ("rated:6", ["Gradient descent", "Python", "Docker"]),
    ("rated:9223372036854775807", ["Gradient descent", "Python", "Docker"]),
    ("-rated:2", [p for p in EVERY_CARD if p not in ("Python", "Docker")]),
    # combinations
    ("deck:ML -is:due", ["Backprop"]),
    ("deck:ML or tag:ops", ["Gradient descent", "Python", "Docker", "Backprop"]),
    ("deck:ml OR tag:OPS", ["Gradient descent", "Python", "Docker", "Backprop"]),
    ("(deck:Spanish or deck:Night) -dog", ["Owl"]),
    ("-(deck:ML or deck:Spanish) is:new", ["100% sure", "'; drop table card; --", "Straße und Ärger", "Owl"]),
    ("is:due or is:buried deck:My*", ["Gradient descent", "Python", "Straße und Ärger"]),
    ("(is:due or is:buried) deck:My*", ["Straße und Ärger"]),
    ("-(-deck:Night)", ["Owl"]),
    ("-(a or e or i or o or u)", []),
    ("((((deck:night))))", ["Owl"]),
]


@pytest.mark.parametrize("query, expected", MATCHES, ids=[q or "empty" for q, _ in MATCHES])
def test_a_query_finds_its_cards_in_listing_order(store, query, expected):
    assert prompts(store, query) == sorted(expected, key=EVERY_CARD.index)


def test_find_cards_gives_the_ids_of_list_matching_in_order(store):
    for query in ("", "deck:ML or is:new", "-tag:*", "tag:l*g or ärger"):
        assert find_cards(store, query, DAY, HOUR) == [row.id for row in list_matching(store, query, DAY, HOUR)]


def test_a_limit_keeps_the_first_cards(store):
    every = find_cards(store, "", DAY, HOUR)
    assert find_cards(store, "", DAY, HOUR, limit=3) == every[:3]
    assert find_cards(store, "", DAY, HOUR, limit=0) == []
    assert prompts(store, "is:new", limit=2) == ["100% sure", "'; drop table card; --"]
    for wrong in (-1, 2**63):
        with pytest.raises(InvalidValue, match="the limit must be a whole number"):
            find_cards(store, "", DAY, HOUR, limit=wrong)


def test_list_matching_also_takes_decks_and_due_only(store):
    [ml] = [i for i, name in store.decks.all() if name == "ML"]
    assert prompts(store, "", deck_ids=[ml]) == ["Gradient descent"]  # exactly that deck, as `cards DECK` lists
    assert prompts(store, "deck:ML", due_only=True) == ["Gradient descent", "Python"]
    assert prompts(store, "tag:lang", due_only=True, deck_ids=[ml]) == []


def test_a_malformed_query_raises_before_reading(store):
    with pytest.raises(InvalidValue, match=r"^unknown search term 'is:foo'"):
        find_cards(store, "deck:ML is:foo", DAY, HOUR)
    with pytest.raises(InvalidValue, match=r"^'-' must be followed"):
        list_matching(store, "'; drop table card; --", DAY, HOUR)


def test_hostile_text_is_bound_never_spliced_into_sql(store, collection):
    hostile = ["'; drop table card; x", '"\'); delete from note; x"', "x' or '1'='1", "deck:\"'; drop table deck; x\"", "tag:';drop", "\\"]
    for query in hostile:
        condition = store.search.condition(parse(query), DAY, lambda day: 0)
        assert "drop" not in condition.sql and "delete" not in condition.sql and "'1'" not in condition.sql
        assert find_cards(store, query, DAY, HOUR) == []
    assert _ids(collection, "select count(*) from card") == [10]
    assert _ids(collection, "select count(*) from note") == [9]


def test_every_term_binds_its_own_parameters(store):
    condition = store.search.condition(parse("a a deck:a tag:a prop:ivl>1 prop:due<1 added:2 rated:3"), DAY, lambda day: 0)
    names = [n for n in condition.params if n.startswith("sq")]
    assert names == [f"sq{i}" for i in range(len(names))] and len(names) == 9
    assert all(f":{n}" in condition.sql for n in names)


def test_a_long_query_stays_within_the_database_limits(store):
    """500 terms, and 500 terms with letters outside ASCII (each tried in
    several spellings): the SQL is a balanced tree, not a 500-deep chain."""
    assert find_cards(store, "a " * 500, DAY, HOUR) == find_cards(store, "a", DAY, HOUR)
    assert len(find_cards(store, "Ä " * 500, DAY, HOUR)) == 1
    assert len(find_cards(store, " or ".join(["zz"] * 150) + " or owl", DAY, HOUR)) == 1
    nested = "(" * 50 + "-owl" + ")" * 50
    assert len(find_cards(store, nested, DAY, HOUR)) == 9


def test_added_follows_the_day_start_hour(store):
    """The Owl note was added at 03:00: the day before with a 4 am start,
    today with a midnight start."""
    assert "Owl" not in prompts(store, "added:1")
    assert [r.front for r in list_matching(store, "added:1 deck:night", DAY, 0)] == ["Owl"]


def test_day_start_epoch_is_where_the_study_day_begins(monkeypatch):
    for zone in ("UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Kiritimati"):
        set_tz(monkeypatch, zone)
        for day in (clock.date_to_day(datetime(2026, 3, 8).date()), clock.date_to_day(datetime(2026, 11, 1).date()), DAY, -1):
            for hour in (0, 2, 4, 23):
                start = clock.day_start_epoch(day, hour)
                moment = datetime.fromtimestamp(start, timezone.utc)
                before = datetime.fromtimestamp(start - 1, timezone.utc)
                assert clock.study_day(moment, hour) == day, (zone, day, hour)
                assert clock.study_day(before, hour) == day - 1, (zone, day, hour)


# --- what the modules import -----------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = python_ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in python_ast.walk(tree):
        if isinstance(node, python_ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, python_ast.ImportFrom):
            found.add(node.module or "")
    return found


def test_the_parser_uses_only_the_standard_library():
    assert _imports(ROOT / "studycards" / "search.py") <= {"__future__", "re", "dataclasses", "typing", "studycards.errors"}
    assert not {m for m in _imports(ROOT / "studycards" / "store" / "search.py") if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "pydantic")}


@pytest.mark.slow
def test_searching_imports_nothing_heavy():
    probe = (
        "import sys\n"
        "import studycards.search\n"
        "assert [m for m in sys.modules if m.startswith('studycards')] == ['studycards', 'studycards.errors', 'studycards.search'], sys.modules\n"
        "import studycards.cards\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'click') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
