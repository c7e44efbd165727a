"""The review screen's layout: widths, wrapping, marks and the screen lines."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import layout
from studycards.layout import (
    HL_CLOSE,
    HL_OPEN,
    MEASURE,
    PLAIN,
    Style,
    card_lines,
    echo_line,
    fit,
    header,
    keys_line,
    preview_line,
    render_marks,
    unmark,
    width,
    wrap,
)

COLOR = Style(color=True)
INTERVALS = {0: "1d", 1: "1d", 2: "1d", 3: "4d", 4: "6d", 5: "8d"}
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji of three people
FLAG = "\U0001f1eb\U0001f1f7"
E_ACUTE = "e\u0301"  # e and a combining acute accent


def _effective(columns: int) -> int:
    return max(layout.MIN_COLUMNS, min(columns, MEASURE))


def _solid(text: str) -> str:
    """The printable content: no spaces, line breaks, control characters or marks."""
    return "".join(
        c for c in text if not c.isspace() and c not in (HL_OPEN, HL_CLOSE) and unicodedata.category(c) != "Cc"
    )


def _marked_text(text: str) -> str:
    """The characters inside marks, spaces and line breaks dropped."""
    out, inside = [], False
    for c in text:
        if c == HL_OPEN:
            inside = True
        elif c == HL_CLOSE:
            inside = False
        elif inside and not c.isspace():
            out.append(c)
    return "".join(out)


def _balanced(line: str) -> bool:
    marks = [c for c in line if c in (HL_OPEN, HL_CLOSE)]
    return marks == [HL_OPEN, HL_CLOSE] * (len(marks) // 2)


# ---------------------------------------------------------------- width


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("", 0),
        ("abc", 3),
        ("日本語", 6),
        ("한국어", 6),
        ("ｱｲｳ", 3),  # half-width katakana
        (E_ACUTE, 1),
        ("cafe\u0301 au lait", 12),
        ("a\u0323\u0302", 1),  # two combining marks on one letter
        (FAMILY, 2),
        (FLAG, 2),
        ("\u2764\ufe0f", 2),  # heart with the emoji variation selector
        ("\U0001f44d\U0001f3fd", 2),  # thumbs up, skin tone
        ("😀x", 3),
        (f"{HL_OPEN}Paris{HL_CLOSE}", 5),
        ("\x1b[1mbold\x1b[22m", 4),
        ("a\tb\x00c\x07", 3),  # control characters take no column
        ("\u200b", 0),
    ],
)
def test_width(text: str, columns: int) -> None:
    assert width(text) == columns


def test_width_is_never_negative() -> None:
    assert width("\x1b") == 0
    assert width("\x85\x9b") == 0


# ---------------------------------------------------------------- fit


def test_fit_keeps_what_fits() -> None:
    assert fit("short", 10) == "short"
    assert fit("exactly10!", 10) == "exactly10!"


def test_fit_cuts_with_an_ellipsis() -> None:
    assert fit("a long deck name", 8) == "a long…"
    assert width(fit("日本語の文章", 6)) <= 6
    assert fit("日本語の文章", 6) == "日本…"
    assert fit(f"x{E_ACUTE}{E_ACUTE}yz", 3) == f"x{E_ACUTE}…"  # never between a letter and its accent
    assert fit("anything", 1) == "…"
    assert fit("anything", 0) == ""


def test_fit_closes_marks_and_styles_it_cut() -> None:
    cut = fit(f"the {HL_OPEN}capital city{HL_CLOSE} of France", 12)
    assert width(cut) <= 12 and _balanced(cut)
    styled = fit(COLOR.bold("a long bold text"), 8)
    assert width(styled) <= 8 and styled.endswith("\x1b[0m")


# ---------------------------------------------------------------- wrap


def test_wrap_at_spaces() -> None:
    text = "the quick brown fox jumps over the lazy dog"
    assert wrap(text, 15) == ["the quick brown", "fox jumps over", "the lazy dog"]
    assert wrap(text, 80) == [text]


def test_wrap_clamps_columns() -> None:
    long = " ".join(["word"] * 100)
    assert max(width(line) for line in wrap(long, 500)) <= MEASURE
    assert max(width(line) for line in wrap(long, 500)) > MEASURE - 5
    assert all(width(line) <= 10 for line in wrap(long, 3))


def test_wrap_keeps_line_breaks_and_blank_lines() -> None:
    assert wrap("one\n\ntwo\r\nthree\n", 40) == ["one", "", "two", "three", ""]


def test_wrap_keeps_inner_spacing_but_not_at_breaks() -> None:
    assert wrap("x  =  1", 40) == ["x  =  1"]
    assert wrap("aaaa    bbbb", 10) == ["aaaa", "bbbb"]
    assert wrap("trailing   ", 40) == ["trailing"]


def test_wrap_keeps_indentation_of_code() -> None:
    text = "def f(x):\n    return some_function(first_argument, second_argument, third)\n\tpass"
    lines = wrap(text, 40)
    assert lines[0] == "def f(x):"
    body = lines[1:-1]
    assert len(body) > 1 and all(line.startswith("    ") and line[4] != " " for line in body)
    assert lines[-1] == "    pass"  # a tab is four spaces
    assert all(width(line) <= 40 for line in lines)


def test_wrap_hangs_list_items() -> None:
    lines = wrap("- a bullet item that is long enough to wrap around", 24)
    assert lines[0].startswith("- a")
    assert all(line.startswith("  ") and line[2] != " " for line in lines[1:])
    assert wrap("12. numbered item text goes on and on", 20)[1].startswith("    ")


def test_wrap_indentation_gives_way_when_the_line_is_narrow() -> None:
    lines = wrap(" " * 30 + "deeply nested code here", 20)
    assert all(width(line) <= 20 for line in lines)
    assert all(line.startswith(" " * 10) for line in lines)  # half the line stays for text
    assert _solid("".join(lines)) == "deeplynestedcodehere"


def test_wrap_splits_a_word_longer_than_the_line() -> None:
    url = "https://example.com/" + "x" * 50
    lines = wrap(f"see {url} here", 20)
    assert lines[0] == "see"  # the long word starts its own line
    assert all(width(line) <= 20 for line in lines)
    assert "".join(lines[1:]).replace(" ", "").startswith(url)


def test_wrap_never_cuts_a_character() -> None:
    word = (E_ACUTE + FAMILY + "日" + FLAG) * 10
    lines = wrap(word, 11)
    assert all(width(line) <= 11 for line in lines)
    assert "".join(lines) == word
    for line in lines:
        assert not line.startswith("\u0301") and not line.startswith("\u200d")
        assert not line.endswith("\u200d")


def test_wrap_breaks_cjk_without_spaces() -> None:
    text = "日本語の文章はスペースがないのでどこでも改行できます"
    lines = wrap(text, 20)
    assert len(lines) > 1 and all(width(line) <= 20 for line in lines)
    assert width(lines[0]) == 20  # filled, not moved to the next line whole
    assert "".join(lines) == text


def test_wrap_keeps_cjk_punctuation_off_line_starts() -> None:
    text = "あいうえおかきくけ。こさしすせそ"  # the 。 falls right at the break
    lines = wrap(text, 18)
    assert "".join(lines) == text
    assert not any(line.startswith("。") for line in lines)
    assert all(width(line) <= 18 for line in lines)


def test_wrap_drops_control_characters() -> None:
    assert wrap("a\x1b[31mb\x07c", 40) == ["a[31mbc"]


# ---------------------------------------------------------------- marks


def test_marks_take_no_width_when_wrapping() -> None:
    text = f"aaaa {HL_OPEN}bbbb{HL_CLOSE} cccc"
    assert wrap(text, 14) == [text]


def test_a_span_over_two_lines_is_marked_on_each() -> None:
    text = f"The capital is {HL_OPEN}a city with a very long name{HL_CLOSE}, really."
    lines = wrap(text, 24)
    assert lines == [
        f"The capital is {HL_OPEN}a city{HL_CLOSE}",
        f"{HL_OPEN}with a very long name{HL_CLOSE},",
        "really.",
    ]
    assert render_marks(lines[1], PLAIN) == "[with a very long name],"
    assert render_marks(lines[1], COLOR) == COLOR.highlight("with a very long name") + ","


def test_a_span_over_existing_line_breaks_is_marked_on_each() -> None:
    lines = wrap(f"x {HL_OPEN}one\n\ntwo{HL_CLOSE} y", 40)
    assert lines == [f"x {HL_OPEN}one{HL_CLOSE}", "", f"{HL_OPEN}two{HL_CLOSE} y"]


def test_marks_stay_with_their_text_not_the_spaces() -> None:
    lines = wrap(f"aaaaaaaa {HL_OPEN} bbbbbbbb {HL_CLOSE} cc", 10)
    assert lines == ["aaaaaaaa", f"{HL_OPEN}bbbbbbbb{HL_CLOSE}", "cc"]


def test_marks_in_a_split_long_word() -> None:
    lines = wrap(f"{HL_OPEN}{'x' * 25}{HL_CLOSE}", 10)
    assert lines == [f"{HL_OPEN}{'x' * 10}{HL_CLOSE}"] * 2 + [f"{HL_OPEN}{'x' * 5}{HL_CLOSE}"]


def test_render_marks() -> None:
    line = f"the capital is {HL_OPEN}Paris{HL_CLOSE}."
    assert render_marks(line, PLAIN) == "the capital is [Paris]."
    bold = render_marks(line, COLOR)
    assert "\x1b[1m" in bold and "\x1b[36m" in bold and "Paris" in bold
    assert width(bold) == width("the capital is Paris.")
    assert render_marks("no marks", COLOR) == "no marks"


def test_render_marks_adds_no_brackets_to_a_blank() -> None:
    assert render_marks(f"skills: {HL_OPEN}[...]{HL_CLOSE}, maths", PLAIN) == "skills: [...], maths"
    assert render_marks(f"{HL_OPEN}[a hint]{HL_CLOSE}", PLAIN) == "[a hint]"
    assert render_marks(f"{HL_OPEN}[1] first{HL_CLOSE}", PLAIN) == "[[1] first]"
    assert "[...]" in render_marks(f"{HL_OPEN}[...]{HL_CLOSE}", COLOR)


def test_render_marks_copes_with_unbalanced_marks() -> None:
    assert render_marks(f"a {HL_OPEN}b", PLAIN) == "a [b]"
    assert render_marks(f"a{HL_CLOSE} b", PLAIN) == "a b"


def test_unmark() -> None:
    assert unmark("plain") == "plain"
    assert unmark(f"is {HL_OPEN}Paris{HL_CLOSE}.") == "is [Paris]."
    assert unmark(f"{HL_OPEN}[...]{HL_CLOSE} and {HL_OPEN}[hint]{HL_CLOSE}") == "[...] and [hint]"
    assert unmark(f"{HL_OPEN}two\nlines{HL_CLOSE}") == "[two\nlines]"
    assert unmark(f"{HL_OPEN}[{HL_CLOSE}") == "[[]"


def test_card_lines_measure_brackets_without_colour() -> None:
    text = f"aaaa bbbb {HL_OPEN}cccc{HL_CLOSE}"  # 14 columns, 16 with brackets
    assert card_lines(text, 14, COLOR) == ["aaaa bbbb " + COLOR.highlight("cccc")]
    assert card_lines(text, 14, PLAIN) == ["aaaa bbbb", "[cccc]"]
    split = card_lines(f"x {HL_OPEN}a long hint text{HL_CLOSE}", 12, PLAIN)
    assert split == ["x [a long", "hint text]"]


# ---------------------------------------------------------------- screen lines

DECKS = ["Spanish", "Japanese Core 2000::Vocabulary::Nouns and counters", "x" * 150, "日本語::語彙::名詞と助数詞の一覧"]
COUNTS = [(12, 5, 1), (0, 0, 0), (123456, 99999, 12345)]


@pytest.mark.parametrize("columns", [40, 80, 160])
@pytest.mark.parametrize("deck", DECKS)
@pytest.mark.parametrize("counts", COUNTS)
@pytest.mark.parametrize("style", [PLAIN, COLOR], ids=["plain", "color"])
def test_header_fits(columns: int, deck: str, counts: tuple[int, int, int], style: Style) -> None:
    line = header(deck, "1234/5678", *counts, columns, style)
    assert width(line) <= columns
    assert str(counts[0]) in line and str(counts[2]) in line
    assert ("\x1b" in line) == style.color


def test_header_looks() -> None:
    wide = header("Spanish", "3/40", 12, 5, 1, 80, PLAIN)
    assert wide.startswith("── Spanish · 3/40 ──") and wide.endswith("─ 12 due · 5 new · 1 re-drill")
    assert width(wide) == 80
    assert width(header("Spanish", "3/40", 12, 5, 1, 160, PLAIN)) == MEASURE  # the rule stops at the measure
    nested = header("Japanese Core 2000::Vocabulary::Nouns", "3/40", 12, 5, 1, 62, PLAIN)
    assert nested.startswith("── …::Vocabulary::Nouns · 3/40 ──")
    narrow = header("A deck with a long name", "123/2000", 1234, 56, 7, 40, PLAIN)
    assert narrow == "── A deck w… · 123/2000 ── 1234 · 56 · 7"
    assert header("Deck", "re-drill · 1 left", 0, 0, 3, 80, PLAIN).startswith("── Deck · re-drill · 1 left ──")


@pytest.mark.parametrize("columns", [10, 20, 25, 30, 35])
def test_header_degrades_below_40(columns: int) -> None:
    for deck in DECKS:
        for counts in COUNTS:
            assert width(header(deck, "1234/5678", *counts, columns, COLOR)) <= columns


@pytest.mark.parametrize("columns", [40, 80, 160])
@pytest.mark.parametrize("style", [PLAIN, COLOR], ids=["plain", "color"])
def test_preview_and_keys_fit(columns: int, style: Style) -> None:
    long = {g: "11.5 months" for g in range(6)} | {0: "now", 3: "1y 2mo"}
    for intervals in (INTERVALS, long, {g: "1d" for g in range(6)}):
        line = preview_line(intervals, columns, style)
        assert width(line) <= columns and ("\x1b" in line) == style.color
    for media in (False, True):
        line = keys_line(columns, style, media)
        assert width(line) <= columns and ("\x1b" in line) == style.color
        assert ("o" in layout._ESCAPE.sub("", line).split()) == media


def test_preview_looks() -> None:
    assert preview_line(INTERVALS, 80, PLAIN) == "0-2 wrong 1d · 3 hard 4d · 4 hesitated 6d · 5 perfect 8d"
    assert preview_line(INTERVALS, 40, PLAIN) == "0-2 1d · 3 4d · 4 6d · 5 8d"
    assert preview_line(INTERVALS, 24, PLAIN) == "0-2:1d 3:4d 4:6d 5:8d"
    split = {0: "now", 1: "1d", 2: "1d", 3: "4d", 4: "6d", 5: "8d"}
    assert preview_line(split, 80, PLAIN).startswith("0 blackout now · 1-2 wrong 1d · 3 hard")
    new_card = {g: "1d" for g in range(6)}
    assert preview_line(new_card, 40, PLAIN) == "0-2 1d · 3 1d · 4 1d · 5 1d"
    assert preview_line(new_card, 20, PLAIN) == "0-5 1d"
    assert width(preview_line(INTERVALS, 12, PLAIN)) <= 12
    assert preview_line({}, 80, PLAIN) == ""


def test_keys_look() -> None:
    assert keys_line(80, PLAIN, media=True) == "u undo · s bury · o media · q quit · ? help"
    assert keys_line(80, PLAIN) == "u undo · s bury · q quit · ? help"
    assert keys_line(40, PLAIN, media=True) == "u undo  s bury  o media  q quit  ? help"
    assert keys_line(30, PLAIN, media=True) == "u s o q ?"
    assert keys_line(5, PLAIN, media=True) == "u s…"


def test_echo_line() -> None:
    assert echo_line(4, "next in 15 days", PLAIN) == "4 · next in 15 days"
    assert echo_line(1, "again today", PLAIN) == "1 · again today"
    coloured = echo_line(4, "next in 15 days", COLOR)
    assert "\x1b[" in coloured and width(coloured) == width("4 · next in 15 days")


def test_style_helpers() -> None:
    assert PLAIN.bold("x") == PLAIN.dim("x") == PLAIN.fg("x", "red") == PLAIN.highlight("x") == "x"
    assert COLOR.bold("x") == "\x1b[1mx\x1b[22m"
    assert COLOR.fg("x", "red") == "\x1b[31mx\x1b[39m"
    assert COLOR.fg("x", "no such colour") == "x"


def test_style_detect() -> None:
    assert Style.detect(True, {}) == COLOR
    assert Style.detect(False, {}) == PLAIN
    assert Style.detect(True, {"NO_COLOR": "1"}) == PLAIN
    assert Style.detect(True, {"NO_COLOR": ""}) == COLOR  # no-color.org: set and not empty
    assert Style.detect(True, {"TERM": "dumb"}) == PLAIN


def test_nothing_plain_has_an_escape() -> None:
    text = f"a {HL_OPEN}marked span{HL_CLOSE} and {HL_OPEN}[...]{HL_CLOSE} 日本語 {FAMILY}"
    outputs = [
        *card_lines(text, 20, PLAIN),
        *(render_marks(line, PLAIN) for line in wrap(text, 20)),
        unmark(text),
        header("deck", "1/2", 1, 2, 3, 40, PLAIN),
        preview_line(INTERVALS, 40, PLAIN),
        keys_line(40, PLAIN, True),
        echo_line(2, "tomorrow", PLAIN),
        fit(text, 10),
    ]
    assert not any("\x1b" in out for out in outputs)


# ---------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(
    list("abcdefghij") * 4
    + [" "] * 8
    + ["\n", "\t", "-", ".", ",", "[", "]"]
    + ["日", "本", "語", "。", "「", "」", "한", "ｱ", E_ACUTE, "\u0301", FAMILY, FLAG, "😀", "\u2764\ufe0f", "\u200d"]
    + [HL_OPEN, HL_CLOSE]
)
_TEXT = st.lists(_ALPHABET, max_size=300).map("".join)
_COLUMNS = st.integers(min_value=1, max_value=130)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(_TEXT, _COLUMNS)
def test_wrap_never_exceeds_and_keeps_everything(text: str, columns: int) -> None:
    lines = wrap(text, columns)
    limit = _effective(columns)
    assert all(width(line) <= limit for line in lines)
    assert all("\n" not in line for line in lines)
    assert _solid("".join(lines)) == _solid(text)
    assert len(lines) >= text.replace("\r\n", "\n").count("\n") + 1


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_TEXT, _COLUMNS)
def test_marks_survive_wrapping(text: str, columns: int) -> None:
    lines = wrap(text, columns)
    assert all(_balanced(line) for line in lines)
    # the same characters are marked, and only those
    assert _marked_text("".join(lines)) == _marked_text(_balanced_reference(text))
    for line in lines:
        assert not any(c in render_marks(line, PLAIN) for c in (HL_OPEN, HL_CLOSE))
        coloured = render_marks(line, COLOR)
        assert width(coloured) == width(line)
        if HL_OPEN in line and _marked_text(line):
            assert "\x1b[1m" in coloured


def _balanced_reference(text: str) -> str:
    """Marks as wrap understands them: a second open or a stray close does nothing."""
    out, inside = [], False
    for c in text:
        if c == HL_OPEN:
            if not inside:
                out.append(c)
            inside = True
        elif c == HL_CLOSE:
            if inside:
                out.append(c)
            inside = False
        else:
            out.append(c)
    return "".join(out)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=15), min_size=1, max_size=60),
       st.lists(st.sampled_from([" ", " ", " ", "  ", "\n"]), min_size=60, max_size=60),
       st.integers(min_value=15, max_value=120))  # fmt: skip
def test_wrap_never_splits_a_word_that_fits(words: list[str], seps: list[str], columns: int) -> None:
    text = "".join(w + s for w, s in zip(words, seps)).strip()
    lines = wrap(text, columns)
    assert [w for line in lines for w in line.split()] == words
    assert all(line == line.strip() for line in lines)
    for paragraph in text.split("\n"):  # and lines are filled: the next word would not have fitted
        if "  " in paragraph:
            continue
        wrapped = wrap(paragraph, columns)
        for line, following in zip(wrapped, wrapped[1:]):
            assert width(line) + 1 + width(following.split()[0]) > _effective(columns)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=12), st.lists(st.text("abcxyz_(),", min_size=1, max_size=12), min_size=1, max_size=30),
       st.integers(min_value=30, max_value=100))  # fmt: skip
def test_wrap_keeps_indentation_property(indent: int, words: list[str], columns: int) -> None:
    lines = wrap(" " * indent + " ".join(words), columns)
    assert lines[0].startswith(" " * indent) and lines[0][indent] != " "
    for line in lines:  # continuation lines keep the indent (more under a list marker such as "a)": a hanging indent)
        assert line.startswith(" " * indent) and line.strip()
        assert width(line) <= columns


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_TEXT, st.integers(min_value=10, max_value=130))
def test_card_lines_fit_with_brackets(text: str, columns: int) -> None:
    for style in (PLAIN, COLOR):
        lines = card_lines(text, columns, style)
        assert all(width(line) <= _effective(columns) for line in lines)
        assert all(("\x1b" in line) <= style.color for line in lines)
        assert not any(c in line for line in lines for c in (HL_OPEN, HL_CLOSE))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=60), st.text(max_size=20), st.integers(0, 10**9), st.integers(0, 10**9),
       st.integers(0, 10**9), st.integers(min_value=0, max_value=200))  # fmt: skip
def test_screen_lines_never_exceed(deck: str, position: str, due: int, new: int, redrill: int, columns: int) -> None:
    deck = "".join(c for c in deck if c.isprintable()) or "deck"
    position = "".join(c for c in position if c.isprintable())
    for style in (PLAIN, COLOR):
        assert width(header(deck, position, due, new, redrill, columns, style)) <= columns
        intervals = {g: f"{due % 1000}d" for g in range(6)} | {3: f"{new}d"}
        assert width(preview_line(intervals, columns, style)) <= columns
        assert width(keys_line(columns, style, media=bool(due % 2))) <= columns
        assert width(fit(deck, columns)) <= max(columns, 0)


GRAPHEME_SAMPLES = [
    E_ACUTE + "x",
    "a\u0323\u0302b",
    FAMILY + "a",
    FLAG + FLAG,
    "\u2764\ufe0fx",
    "\U0001f44d\U0001f3fd!",
    "日本",
    "\u1100\u1161\u11a8",  # a Hangul syllable from its jamo
    "abc",
]


@pytest.mark.parametrize("text", GRAPHEME_SAMPLES)
def test_grapheme_fallback_agrees_with_wcwidth(text: str) -> None:
    wcwidth = pytest.importorskip("wcwidth")
    if not hasattr(wcwidth, "iter_graphemes"):
        pytest.skip("this wcwidth has no iter_graphemes to compare with")
    assert list(layout._graphemes_fallback(text)) == list(wcwidth.iter_graphemes(text))


def test_wrap_without_iter_graphemes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Older wcwidth (the floor is 0.2.13) has no iter_graphemes."""
    import wcwidth as real

    class Older:  # wcwidth as it was before iter_graphemes
        wcwidth = staticmethod(real.wcwidth)
        wcswidth = staticmethod(real.wcswidth)

    monkeypatch.setattr(layout, "_wcwidth", Older())
    word = (E_ACUTE + FAMILY + "日" + FLAG) * 10
    lines = wrap(word, 11)
    assert all(width(line) <= 11 for line in lines) and "".join(lines) == word
    assert not any(line.startswith(("\u0301", "\u200d")) for line in lines)
    assert fit(f"x{E_ACUTE}{E_ACUTE}yz", 3) == f"x{E_ACUTE}…"
