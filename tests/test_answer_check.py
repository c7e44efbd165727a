"""Typed answers (studycards.answer_check): the comparison shown after a
typed answer, and the grade it suggests."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from studycards.answer_check import (
    ALIGN_LIMIT,
    RULES,
    SEPARATOR,
    Comparison,
    Options,
    Segment,
    Thresholds,
    compare,
    compare_many,
    describe_rules,
    expected_from_html,
    suggest,
)


def typed_text(comparison: Comparison) -> str:
    return "".join(s.text for s in comparison.segments if s.kind != "missing")


def expected_text(comparison: Comparison) -> str:
    return "".join(
        (s.expected_text if s.expected_text is not None else s.text) for s in comparison.segments if s.kind != "extra"
    )


def body(text: str, options: Options) -> str:
    return text.strip() if options.ignore_space else text


def kinds(comparison: Comparison) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in comparison.segments]


# --- the suggestion table ----------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected, seconds, grade",
    [
        ("Paris", "Paris", 3.0, 5),  # exact and quick
        ("paris", "Paris", 8.0, 5),  # exact (case ignored), exactly at the limit
        ("Paris", "Paris", 8.01, 4),  # exact but slow
        ("Paris", "Paris", 60.0, 4),
        ("Pariss", "Paris", 2.0, 3),  # a small typo: 10/11
        ("hause", "house", 2.0, 3),  # 8/10 = 0.8, at the threshold
        ("Parrot", "Paris", 2.0, 2),  # close: "Par" = 6/11
        ("dig", "dog", 2.0, 2),  # 4/6: one wrong letter in three is not a typo
        ("London", "Paris", 2.0, 1),  # wrong
        ("", "Paris", 2.0, 0),  # nothing typed
        ("   ", "Paris", 2.0, 0),  # whitespace is nothing
        ("\t\n", "Paris", 100.0, 0),
    ],
)
def test_suggestion_table(typed: str, expected: str, seconds: float, grade: int) -> None:
    assert suggest(compare(typed, expected), seconds) == grade


def test_time_only_matters_for_exact_answers() -> None:
    typo = compare("Pariss", "Paris")
    assert suggest(typo, 0.5) == suggest(typo, 500) == 3


def test_nan_time_is_slow() -> None:
    assert suggest(compare("a", "a"), float("nan")) == 4


def test_thresholds_are_settings() -> None:
    comparison = compare("Parrot", "Paris")  # ratio 6/11 = 0.545
    assert comparison.ratio == pytest.approx(6 / 11)
    assert suggest(comparison, 1, Thresholds(typo_ratio=0.5)) == 3
    assert suggest(comparison, 1, Thresholds(close_ratio=0.6)) == 1
    assert suggest(compare("a", "a"), 10, Thresholds(quick_seconds=15)) == 5
    assert suggest(compare("a", "a"), 2, Thresholds(quick_seconds=1)) == 4


def test_blank_answer_for_an_empty_expected_answer_is_exact() -> None:
    comparison = compare("", "")
    assert comparison.exact and comparison.ratio == 1.0 and comparison.blank
    assert comparison.segments == ()
    assert suggest(comparison, 1) == 5


def test_only_ignored_characters_typed_is_wrong_not_blank() -> None:
    comparison = compare("?", "Paris", Options(ignore_punctuation=True))
    assert not comparison.blank and comparison.ratio == 0.0
    assert suggest(comparison, 1) == 1
    assert kinds(comparison) == [("extra", "?"), ("missing", "Paris")]


def test_rules_text() -> None:
    assert RULES == describe_rules(Thresholds())
    lines = RULES.splitlines()
    assert any(line.strip().startswith("5") and "8 seconds" in line for line in lines)
    assert "80%" in RULES and "50%" in RULES and "0  nothing typed" in RULES
    custom = describe_rules(Thresholds(quick_seconds=5.5, typo_ratio=0.9, close_ratio=0.6))
    assert "5.5 seconds" in custom and "90%" in custom and "60%" in custom
    assert all(len(line) <= 90 for line in lines)


# --- the comparison ----------------------------------------------------------


def test_typo_segments() -> None:
    comparison = compare("helko", "hello")
    assert not comparison.exact and comparison.ratio == pytest.approx(0.8)
    assert kinds(comparison) == [("same", "hel"), ("extra", "k"), ("missing", "l"), ("same", "o")]
    assert comparison.typed == "helko" and comparison.expected == "hello"


def test_missing_and_extra_letters() -> None:
    assert kinds(compare("helo", "hello")) == [("same", "hel"), ("missing", "l"), ("same", "o")]
    assert kinds(compare("helllo", "hello")) == [("same", "hell"), ("extra", "l"), ("same", "o")]
    assert kinds(compare("xyz", "abc")) == [("extra", "xyz"), ("missing", "abc")]


def test_case() -> None:
    comparison = compare("paris", "PARIS")
    assert comparison.exact
    assert comparison.segments == (Segment("same", "paris", "PARIS"),)  # what was typed, and what was expected
    strict = compare("paris", "Paris", Options(ignore_case=False))
    assert not strict.exact
    assert kinds(strict) == [("extra", "p"), ("missing", "P"), ("same", "aris")]
    assert compare("STRASSE", "straße").exact  # casefold, not lower
    assert compare("ὈΔΥΣΣΕΎΣ", "ὀδυσσεύς").exact  # final sigma


def test_space() -> None:
    comparison = compare("  new \t  york\n", "New York")
    assert comparison.exact
    assert comparison.segments == (Segment("same", "new \t  york", "New York"),)
    assert compare("new york", "new\u00a0york").exact  # no-break space is a space
    assert not compare("newyork", "new york").exact  # one space is not none
    strict = Options(ignore_space=False)
    assert not compare(" Paris", "Paris", strict).exact
    assert kinds(compare(" Paris", "Paris", strict)) == [("extra", " "), ("same", "Paris")]
    assert not compare("new  york", "new york", strict).exact
    assert compare("new york", "new york", strict).exact


def test_punctuation() -> None:
    options = Options(ignore_punctuation=True)
    assert compare("Paris", "Paris!", options).exact
    assert compare("donde esta", "¿Dónde está?", Options(ignore_punctuation=True, ignore_accents=True)).exact
    assert compare("Washington DC", "Washington, D.C.", options).exact  # inner punctuation too
    assert compare("dont", "don't", options).exact
    assert compare("a b", "a - b", options).exact  # the spaces round a left-out dash are one run
    assert compare("Paris", "« Paris »", options).exact  # spaces next to left-out ends are surrounding
    assert not compare("314", "3.14", options).exact  # between digits it counts
    assert not compare("1000", "1,000", options).exact
    assert compare("10:30", "10:30.", options).exact
    assert not compare("$5", "5", options).exact  # symbols are not punctuation
    assert not compare("Paris", "Paris!").exact  # off by default
    comparison = compare("helo!", "hello", options)
    # left-out characters go with the character before them
    assert comparison.segments == (Segment("same", "hel"), Segment("missing", "l"), Segment("same", "o!", "o"))


def test_accents_nc() -> None:
    nc = Options(ignore_accents=True)
    assert not compare("cafe", "café").exact
    assert kinds(compare("cafe", "café")) == [("same", "caf"), ("extra", "e"), ("missing", "é")]
    assert compare("cafe", "café", nc).exact
    assert compare("café", "cafe", nc).exact
    assert compare("cafe", "cafe\u0301", nc).exact  # decomposed
    assert compare("CAFE", "Café", nc).exact
    assert not compare("CAFE", "café", Options(ignore_case=False, ignore_accents=True)).exact
    assert compare("Ecole", "École", Options(ignore_case=False, ignore_accents=True)).exact
    assert compare("Lodz", "Łódź", nc).exact  # strokes, as Anki's nc
    assert compare("Sorensen", "Sørensen", nc).exact
    assert compare("Istanbul", "İstanbul", nc).exact
    assert compare("か", "が", nc).exact  # as in Anki: the voicing mark is a mark


def test_nfc() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    comparison = compare(decomposed, composed, Options(ignore_case=False))
    assert comparison.exact
    assert comparison.segments == (Segment("same", decomposed, composed),)
    assert compare("\ud55c", "\u1112\u1161\u11ab").exact  # Hangul syllable and its jamo
    # a mark on a wrong letter is part of that letter
    assert kinds(compare("cafa\u0301", "cafe\u0301")) == [("same", "caf"), ("extra", "a\u0301"), ("missing", "e\u0301")]


def test_cjk() -> None:
    assert compare("東京", "東京").exact
    comparison = compare("東京", "東京都")
    assert comparison.ratio == pytest.approx(0.8)
    assert kinds(comparison) == [("same", "東京"), ("missing", "都")]
    assert suggest(comparison, 1) == 3
    assert compare("ありがとう", "ありがとう").exact
    assert not compare("ありかとう", "ありがとう").exact
    assert compare("東京\u3000タワー", "東京 タワー").exact  # ideographic space is whitespace
    assert compare("  北京  ", "北京").exact
    assert not compare("ＡＢＣ", "ABC").exact  # width is not folded (NFC, not NFKC)
    korean = compare("안녕하세요", "안녕히세요")
    assert kinds(korean) == [("same", "안녕"), ("extra", "하"), ("missing", "히"), ("same", "세요")]


def test_emoji_and_joiners_stay_whole() -> None:
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    comparison = compare("a" + family, "a\U0001F468")
    assert kinds(comparison) == [("same", "a"), ("extra", family), ("missing", "\U0001F468")]
    thumbs = "\U0001F44D\U0001F3FD"
    assert kinds(compare(thumbs, "\U0001F44D")) == [("extra", thumbs), ("missing", "\U0001F44D")]


def test_expansion_matches_whole_characters() -> None:
    comparison = compare("s", "ß")  # "ss": half of ß is not ß
    assert comparison.ratio == pytest.approx(2 / 3)
    assert kinds(comparison) == [("extra", "s"), ("missing", "ß")]
    assert compare("ﬁsh", "fish").exact


def test_empty_strings() -> None:
    assert kinds(compare("", "Paris")) == [("missing", "Paris")]
    assert kinds(compare("Paris", "")) == [("extra", "Paris")]
    assert compare("Paris", "").ratio == 0.0
    assert compare("  ", "").exact
    both_ignored = compare("...", "!!!", Options(ignore_punctuation=True))
    assert both_ignored.exact and both_ignored.segments == (Segment("same", "...", "!!!"),)


def test_long_input_is_capped() -> None:
    expected = "x" * 5000
    start = time.perf_counter()
    same = compare(expected.upper(), expected)
    assert same.exact and not same.limited
    near = compare("y" + expected[1:], expected)  # a long common end needs no alignment
    assert not near.limited and near.ratio == pytest.approx(4999 / 5000)
    typed = "ab" * 1500
    far = compare(typed, "ba" * 1400 + "c")
    assert far.limited and far.ratio == 0.0
    assert typed_text(far) == typed and kinds(far)[0] == ("extra", typed)
    within = compare("ab" * (ALIGN_LIMIT // 2), "ba" * (ALIGN_LIMIT // 2))
    assert not within.limited and within.ratio > 0.9
    assert time.perf_counter() - start < 5


def test_compare_many() -> None:
    both = compare_many(["Paris", "rome"], ["Paris", "Rome"])
    assert both.exact and both.ratio == 1.0
    assert both.segments == (Segment("same", "Paris"), Segment("same", SEPARATOR), Segment("same", "rome", "Rome"))
    assert both.typed == "Paris · rome" and both.expected == "Paris · Rome"
    one = compare_many(["Paris", "Rom"], ["Paris", "Rome"])
    assert not one.exact
    assert one.ratio == pytest.approx((10 + 6) / (10 + 7))  # by total length, not the mean of 1 and 6/7
    assert kinds(one) == [("same", "Paris"), ("same", SEPARATOR), ("same", "Rom"), ("missing", "e")]
    assert suggest(one, 1) == 3
    fewer = compare_many(["Paris"], ["Paris", "Rome"])  # missing answers are empty
    assert not fewer.exact and fewer.ratio == pytest.approx(10 / 14)
    assert kinds(fewer)[-1] == ("missing", "Rome")
    assert compare_many(["", " "], ["a", "b"]).blank
    assert suggest(compare_many(["", " "], ["a", "b"]), 1) == 0
    assert not compare_many(["", "b"], ["a", "b"]).blank
    empty = compare_many([], [])
    assert empty.exact and empty.segments == ()


# --- the expected answer from HTML -------------------------------------------


@pytest.mark.parametrize(
    "field, text",
    [
        ("Paris", "Paris"),
        ("<b>Par</b>is", "Paris"),
        ("Le&nbsp;chat &amp; le chien", "Le chat & le chien"),
        ("<div>one</div><div>two</div>", "one two"),
        ("one<br>two<br/>three", "one two three"),
        ("  many \n  spaces  ", "many spaces"),
        ('cat <img src="cat.jpg"> [sound:meow.mp3]', "cat"),
        ("<script>alert(1)</script>x<style>p{}</style><!-- note -->y", "xy"),
        ("&lt;b&gt; is bold", "<b> is bold"),
        ("a < b and c > d", "a < b and c > d"),
        ("<ul><li>x</li><li>y</li></ul>", "x y"),
    ],
)
def test_expected_from_html(field: str, text: str) -> None:
    assert expected_from_html(field) == text


def test_expected_from_hostile_html_is_quick() -> None:
    start = time.perf_counter()
    for hostile in ("<" * 100_000, "<a" * 50_000, "<script>" * 20_000, "<!--" * 25_000, "[sound:" * 20_000):
        expected_from_html(hostile)
    assert time.perf_counter() - start < 5


# --- properties ----------------------------------------------------------------

_ALPHABET = list("aAbBeEsS ié!?.,-19\t\n") + [
    "\u0301", "\u0308", "ß", "ﬁ", "\u00a0", "\u3000", "東", "京", "한", "\u1112", "\u1161", "\u11ab",
    "İ", "ı", "ł", "\u200d", "\U0001F44D", "\U0001F3FB", "が", "\u3099", "\u0f73", "\u093e",
]
_TEXT = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=24)
_OPTIONS = st.builds(Options, st.booleans(), st.booleans(), st.booleans(), st.booleans())


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(_TEXT, _TEXT, _OPTIONS)
def test_segments_reproduce_the_answers(typed: str, expected: str, options: Options) -> None:
    comparison = compare(typed, expected, options)
    assert typed_text(comparison) == body(typed, options)
    assert expected_text(comparison) == body(expected, options)
    assert 0.0 <= comparison.ratio <= 1.0
    assert (comparison.ratio == 1.0) == comparison.exact
    for segment in comparison.segments:
        assert segment.kind in ("same", "missing", "extra")
        assert segment.text or segment.kind == "same"
        assert segment.kind == "same" or segment.expected_text is None
        assert segment.expected_text != segment.text
    for left, right in zip(comparison.segments, comparison.segments[1:]):
        assert left.kind != right.kind
        assert (left.kind, right.kind) != ("missing", "extra")  # typed first in a run of differences


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT, _OPTIONS)
@example("?\u200de\u0301", "", Options(False, False, False, True))  # a joiner before a decomposed letter, found by hypothesis
def test_exact_is_symmetric_and_reflexive(typed: str, expected: str, options: Options) -> None:
    assert compare(typed, expected, options).exact == compare(expected, typed, options).exact
    assert compare(typed, typed, options).exact
    nfd = unicodedata.normalize("NFD", typed)
    assert compare(nfd, unicodedata.normalize("NFC", typed), options).exact


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcAB \t", max_size=20), st.text(alphabet="abcAB \t", max_size=20))
def test_default_options_on_ascii_are_casefold_and_collapsed_space(typed: str, expected: str) -> None:
    def reference(text: str) -> str:
        return " ".join(text.split()).casefold()

    assert compare(typed, expected).exact == (reference(typed) == reference(expected))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT), max_size=4), _OPTIONS)
def test_compare_many_combines(pairs: list[tuple[str, str]], options: Options) -> None:
    typed = [t for t, _ in pairs]
    expected = [e for _, e in pairs]
    many = compare_many(typed, expected, options)
    parts = [compare(t, e, options) for t, e in pairs]
    assert many.exact == all(p.exact for p in parts)
    assert (many.ratio == 1.0) == many.exact
    assert typed_text(many) == SEPARATOR.join(body(t, options) for t in typed)
    assert expected_text(many) == SEPARATOR.join(body(e, options) for e in expected)
    if len(pairs) == 1:
        assert many == parts[0]


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT, st.floats(min_value=0, max_value=100))
def test_suggestion_is_a_grade_and_monotone_in_time(typed: str, expected: str, seconds: float) -> None:
    comparison = compare(typed, expected)
    grade = suggest(comparison, seconds)
    assert grade in range(6)
    assert suggest(comparison, seconds + 1) <= grade
    assert (grade >= 4) == comparison.exact
    assert (grade == 0) == (comparison.blank and not comparison.exact)
