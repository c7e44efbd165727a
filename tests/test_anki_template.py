"""Anki's card template language: fields, sections, filters and cloze
deletions render as Anki renders them (adapted for a terminal where noted)."""

from __future__ import annotations

import re
import string
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards.anki_template import TemplateError, cloze_numbers, fields_on_question, render, typed_field

# Anki's stock note types
BASIC_Q = "{{Front}}"
BASIC_A = "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"
TYPE_Q = "{{Front}}\n\n{{type:Back}}"
TYPE_A = "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"
CLOZE_Q = "{{cloze:Text}}"
CLOZE_A = "{{cloze:Text}}<br>\n{{Back Extra}}"
HINT_Q = "{{Front}}{{#Hint}}<div class=hint>{{Hint}}</div>{{/Hint}}"

PROPERTY = settings(max_examples=200, deadline=None)


def q(template: str, **fields: str) -> str:
    return render(template, fields)


def cloze(text: str, ordinal: int | None, answer: bool = False, template: str = CLOZE_Q) -> str:
    return render(template, {"Text": text, "Back Extra": ""}, cloze_ord=ordinal, answer=answer)


# Fields and FrontSide
# ----------------------------------------------------------------------------


def test_basic_card_both_sides():
    fields = {"Front": "What is <b>2+2</b>?", "Back": "4"}
    question = render(BASIC_Q, fields)
    assert question == "What is <b>2+2</b>?"
    answer = render(BASIC_A, fields, answer=True, front_side=question)
    assert answer == "What is <b>2+2</b>?\n\n<hr id=answer>\n\n4"


def test_front_side_is_empty_on_the_question_side():
    assert render("[{{FrontSide}}]", {}, front_side="ignored") == "[]"


def test_field_names_with_spaces_and_padding():
    assert q("{{ Back Extra }}|{{Back Extra}}", **{"Back Extra": "x"}) == "x|x"


def test_unknown_field_renders_empty():
    assert q("a{{Nope}}b{{text:Nope}}c", Front="F") == "abc"


def test_field_values_are_data_not_template():
    assert q("{{Front}}", Front="{{Back}} {{#Back}}x{{/Back}} }} {{", Back="B") == (
        "{{Back}} {{#Back}}x{{/Back}} }} {{"
    )


def test_triple_braces_as_anki():
    # Anki strips the extra opening brace; the extra closing one is text.
    assert q("{{{Front}}}", Front="F") == "F}"


def test_special_fields_come_from_the_mapping():
    fields = {"Front": "F", "Tags": "geo capitals", "Deck": "World::Europe", "Subdeck": "Europe",
              "Type": "Basic", "Card": "Card 1", "CardFlag": "flag0"}
    template = "{{Deck}}/{{Subdeck}} {{Type}}:{{Card}} {{CardFlag}}{{#Tags}} [{{Tags}}]{{/Tags}}"
    assert render(template, fields) == "World::Europe/Europe Basic:Card 1 flag0 [geo capitals]"
    assert render("{{^Tags}}untagged{{/Tags}}", {"Tags": ""}) == "untagged"


# Sections
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", " ", "\n\t", "<br>", "<BR />", "<br/>", "<div></div>", " <div> <br> </div>\n"])
def test_empty_as_anki_defines_it(value):
    assert q("{{#F}}shown{{/F}}{{^F}}hidden{{/F}}", F=value) == "hidden"


@pytest.mark.parametrize("value", ["x", "<div>x</div>", "<img src=a.png>", "&nbsp;", "\xa0", "<p></p>"])
def test_non_empty_as_anki_defines_it(value):
    # Anki's field_is_empty allows only ASCII whitespace and bare <br>/<div> tags.
    assert q("{{#F}}shown{{/F}}{{^F}}hidden{{/F}}", F=value) == "shown"


def test_hint_section_template():
    assert q(HINT_Q, Front="Q", Hint="think") == "Q<div class=hint>think</div>"
    assert q(HINT_Q, Front="Q", Hint="<br>") == "Q"
    assert q(HINT_Q, Front="Q") == "Q"  # a note type without the field


def test_sections_nest():
    template = "{{#A}}a{{#B}}b{{/B}}{{^B}}!b{{/B}}{{/A}}{{^A}}!a{{/A}}"
    assert q(template, A="1", B="1") == "ab"
    assert q(template, A="1", B="") == "a!b"
    assert q(template, A="", B="1") == "!a"


def test_section_whitespace_and_unknown_section():
    assert q("{{# F }}yes{{/F}}{{#Missing}}no{{/Missing}}{{^Missing}}none{{/Missing}}", F="x") == "yesnone"


def test_card_number_sections_on_cloze_cards():
    template = "{{#c2}}second{{/c2}}{{^c2}}other{{/c2}}"
    assert render(template, {}, cloze_ord=2) == "second"
    assert render(template, {}, cloze_ord=1) == "other"


# Syntax errors
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{#Hint}}x", "unclosed section {{#Hint}}"),
        ("{{^Hint}}x", "unclosed section {{^Hint}}"),
        ("{{#A}}x{{/B}}", "{{/B}} found where {{/A}} was expected"),
        ("{{#A}}{{#B}}{{/A}}{{/B}}", "{{/A}} found where {{/B}} was expected"),
        ("x{{/A}}", "{{/A}} closes a section that was never opened"),
        ("{{Front", "{{ without a closing }}"),
        ("{{Front}} {{Back", "{{ without a closing }}"),
        ("{{=[[ ]]=}}[[Front]]", "unsupported delimiter change {{=[[ ]]=}}"),
    ],
)
def test_syntax_errors_name_the_problem(template, message):
    with pytest.raises(TemplateError, match="^" + re.escape(message)):
        render(template, {"Front": "F"})


def test_template_error_is_a_value_error():
    assert issubclass(TemplateError, ValueError)


def test_stray_closing_braces_are_text():
    assert q("a }} b", Front="F") == "a }} b"


def test_legacy_alternative_delimiters():
    template = "\n{{=<% %>=}}<%Front%> {{Back}} <% #Back %>has back<%/Back%>"
    assert q(template, Front="F", Back="B") == "F {{Back}} has back"


def test_html_comments_pass_through_untouched():
    assert q("<!-- {{Front}} {{#x}} -->{{Front}}", Front="F") == "<!-- {{Front}} {{#x}} -->F"
    assert q("<!-- unclosed {{Front}}", Front="F") == "<!-- unclosed F"


# Filters
# ----------------------------------------------------------------------------


def test_text_filter_strips_tags_and_decodes_entities():
    value = "<b>fish</b> &amp; chips&nbsp;<!-- c --><style>p {}</style><br>"
    assert q("{{text:F}}", F=value) == "fish & chips "


def test_hint_filter_is_inline():
    assert q("{{hint:Hint}}", Hint="starts with <i>P</i>") == '<div class="hint">Hint: starts with <i>P</i></div>'
    assert q("{{hint:Hint}}", Hint=" ") == ""


def test_filters_apply_nearest_the_field_first():
    assert q("{{hint:text:F}}", F="<b>x</b>") == '<div class="hint">Hint: x</div>'
    assert q("{{text:hint:F}}", F="<b>x</b>") == "Hint: x"


def test_ruby_filters():
    value = "日本語[にほんご]を 勉強[べんきょう]する [sound:a.mp3]"
    assert q("{{furigana:F}}", F=value) == "日本語(にほんご)を勉強(べんきょう)する [sound:a.mp3]"
    assert q("{{kana:F}}", F=value) == "にほんごをべんきょうする [sound:a.mp3]"
    assert q("{{kanji:F}}", F=value) == "日本語を勉強する [sound:a.mp3]"
    assert q("{{furigana:F}}", F="no ruby here") == "no ruby here"


def test_tts_and_unknown_filters_pass_through():
    assert q("{{tts en_US voices=Bob:Front}}", Front="hello") == "hello"
    assert q("{{myaddon:Front}}|{{:Front}}", Front="hello") == "hello|hello"


def test_filter_without_field_renders_empty():
    assert q("[{{tts en_US:}}]", Front="x") == "[]"


def test_basic_type_in_the_answer():
    fields = {"Front": "Capital of France?", "Back": "<b>Paris</b>"}
    question = render(TYPE_Q, fields)
    assert question == "Capital of France?\n\n"
    assert render(TYPE_A, fields, answer=True, front_side=question) == "Capital of France?\n\n<hr id=answer>\n\nParis"
    assert typed_field(TYPE_Q) == "Back"


def test_type_chain_is_only_the_type_filter():
    # As Anki: anything between type: and the field (other than cloze/nc) is dropped.
    assert render("{{type:text:hint:Back}}", {"Back": "A"}, answer=True) == "A"
    assert render("{{type:nc:Back}}", {"Back": "<i>ça</i>"}, answer=True) == "ça"


def test_type_cloze_gives_the_deleted_text():
    text = "{{c1::Paris}} is in {{c2::France}}; {{c1::Paris}} again"
    assert render("{{type:cloze:Text}}", {"Text": text}, cloze_ord=1) == ""
    assert render("{{type:cloze:Text}}", {"Text": text}, cloze_ord=1, answer=True) == "Paris"
    both = "{{c1::<b>a</b>}} {{c1::b}}"
    assert render("{{type:cloze:Text}}", {"Text": both}, cloze_ord=1, answer=True) == "a, b"


# Cloze
# ----------------------------------------------------------------------------

CAPITALS = "{{c1::Canberra}} is the capital of {{c2::Australia::country}}."


def test_cloze_question_and_answer():
    assert cloze(CAPITALS, 1) == '<span class="cloze">[...]</span> is the capital of Australia.'
    assert cloze(CAPITALS, 2) == 'Canberra is the capital of <span class="cloze">[country]</span>.'
    # the revealed answer is marked for the review screen to highlight (text.HL_OPEN, HL_CLOSE)
    assert cloze(CAPITALS, 2, answer=True) == 'Canberra is the capital of <span class="cloze">\ue010Australia\ue011</span>.'


def test_cloze_answer_template_with_back_extra():
    fields = {"Text": CAPITALS, "Back Extra": "since 1913"}
    answer = render(CLOZE_A, fields, cloze_ord=1, answer=True)
    assert answer == '<span class="cloze">\ue010Canberra\ue011</span> is the capital of Australia.<br>\nsince 1913'


def test_text_of_cloze_keeps_the_brackets():
    assert cloze(CAPITALS, 1, template="{{text:cloze:Text}}") == "[...] is the capital of Australia."


def test_deletions_sharing_a_number_are_blanked_together():
    text = "{{c1::red}}, {{c1::green}} and {{c2::blue}}"
    assert cloze(text, 1) == '<span class="cloze">[...]</span>, <span class="cloze">[...]</span> and blue'
    assert cloze_numbers(CLOZE_Q, {"Text": text}) == [1, 2]


def test_one_deletion_on_several_cards():
    text = "{{c1,2::shared}} and {{c1::first}} vs {{c2::second}}"
    assert cloze(text, 2, template="{{text:cloze:Text}}") == "[...] and first vs [...]"
    assert cloze_numbers(CLOZE_Q, {"Text": text}) == [1, 2]


def test_no_deletion_with_the_cards_number_renders_empty():
    assert cloze(CAPITALS, 3) == ""
    assert cloze(CAPITALS, 3, answer=True) == ""


def test_without_a_card_number_everything_is_revealed():
    assert cloze(CAPITALS, None) == "Canberra is the capital of Australia."


def test_nested_cloze():
    text = "a {{c1::b {{c2::c}} d::hint}} e"
    plain = "{{text:cloze:Text}}"
    assert cloze(text, 1, template=plain) == "a [hint] e"
    assert cloze(text, 1, answer=True, template=plain) == "a \ue010b c d\ue011 e"
    assert cloze(text, 2, template=plain) == "a b [...] d e"
    assert cloze(text, 2, answer=True, template=plain) == "a b \ue010c\ue011 d e"
    assert cloze_numbers(CLOZE_Q, {"Text": text}) == [1, 2]


def test_malformed_clozes_as_anki():
    assert cloze("x {{c1::y}} }} z", 1, template="{{text:cloze:Text}}") == "x [...] }} z"
    assert cloze("{{c::x}} {{c1::y", 1) == ""  # "{{c::" is text; an unclosed deletion is dropped
    assert cloze_numbers(CLOZE_Q, {"Text": "{{c0::a}} {{c00002::b}} {{c99999::c}}"}) == [2]


def test_mathjax_inside_a_cloze():
    assert cloze(r"\(x = {{c1::<b>2</b>}}\)", 1, answer=True) == "\\(x = \ue0102\ue011\\)"


def test_cloze_only():
    text = "{{c1::Paris}} and {{c1::Lyon::city}} in {{c2::France}}"
    assert cloze(text, 1, template="{{cloze-only:Text}}") == "..., city"
    assert cloze(text, 1, answer=True, template="{{cloze-only:Text}}") == "Paris, Lyon"
    assert cloze(text, 3, answer=True, template="{{cloze-only:Text}}") == ""


def test_cloze_numbers_only_from_cloze_fields():
    fields = {"Text": "{{c2::a}}", "Back Extra": "{{c5::not a card}}", "Other": "{{c7::b}}"}
    assert cloze_numbers(CLOZE_A, fields) == [2]
    assert cloze_numbers("{{cloze:Text}}{{cloze:Other}}", fields) == [2, 7]
    assert cloze_numbers("{{#Text}}{{type:cloze:Other}}{{/Text}}", fields) == [7]
    assert cloze_numbers(CLOZE_Q, {}) == []


# Questions about templates
# ----------------------------------------------------------------------------


def test_fields_on_question():
    template = "{{Front}} {{#Hint}}{{hint:Hint}}{{/Hint}} {{^Image}}-{{/Image}} {{#c1}}{{/c1}} {{type:Back}} {{FrontSide}} {{Tags}}"
    assert fields_on_question(template) == {"Front", "Hint", "Image", "Back", "Tags"}
    assert fields_on_question(CLOZE_Q) == {"Text"}
    assert fields_on_question("plain") == set()


def test_typed_field():
    assert typed_field("{{cloze:Text}}{{type:cloze:Text}}") == "Text"
    assert typed_field("{{#A}}{{type:Answer}}{{/A}}{{type:Other}}") == "Answer"
    assert typed_field(BASIC_Q) is None
    assert typed_field("{{Type}}") is None


def test_introspection_reports_syntax_errors():
    for ask in (fields_on_question, typed_field, lambda t: cloze_numbers(t, {})):
        with pytest.raises(TemplateError, match="unclosed section"):
            ask("{{#Front}}")


@pytest.mark.slow
def test_imports_only_the_standard_library():
    code = (
        "import sys; before = set(sys.modules); import studycards.anki_template; "
        "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(new - set(sys.stdlib_module_names) - {'studycards'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Properties
# ----------------------------------------------------------------------------

VALID_TEMPLATES = [BASIC_Q, BASIC_A, TYPE_Q, TYPE_A, CLOZE_Q, CLOZE_A, HINT_Q,
                   "{{text:cloze:Text}}{{cloze-only:Text}}{{type:cloze:Text}}",
                   "{{furigana:Front}}{{kana:Back}}{{kanji:Hint}}{{hint:Hint}}{{text:Back}}",
                   "{{#Front}}{{^Back}}{{Front}}{{/Back}}{{/Front}}{{#c1}}1{{/c1}}"]
FIELD_NAMES = ["Front", "Back", "Text", "Back Extra", "Hint"]
PIECES = list("{}:c12#^/[]<>&; ab") + ["{{c1::", "{{c2,1::", "}}", "::", "<br>", "&nbsp;", "<!--", "-->", "\\("]
BRACEY = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
FIELD_VALUE = st.one_of(st.text(), BRACEY)


@pytest.mark.slow
@PROPERTY
@given(
    template=st.sampled_from(VALID_TEMPLATES),
    fields=st.dictionaries(st.sampled_from(FIELD_NAMES), FIELD_VALUE),
    ordinal=st.none() | st.integers(min_value=0, max_value=4),
    answer=st.booleans(),
)
def test_valid_templates_render_any_field_values(template, fields, ordinal, answer):
    assert isinstance(render(template, fields, cloze_ord=ordinal, answer=answer, front_side="Q"), str)


@pytest.mark.slow
@PROPERTY
@given(template=st.one_of(st.text(), BRACEY), value=FIELD_VALUE)
def test_any_template_renders_or_raises_template_error(template, value):
    try:
        render(template, {"a": value, "c1": value}, cloze_ord=1)
    except TemplateError as err:
        assert str(err)


@pytest.mark.slow
@PROPERTY
@given(value=FIELD_VALUE, other=FIELD_VALUE)
def test_field_values_are_never_template_syntax(value, other):
    fields = {"Front": value, "Back": other}
    assert render("{{Front}}", fields) == value
    assert render("<{{Front}}|{{FrontSide}}>", fields, answer=True, front_side=value) == f"<{value}|{value}>"


@pytest.mark.slow
@PROPERTY
@given(value=FIELD_VALUE)
def test_section_and_inverted_section_are_complementary(value):
    shown = render("{{#F}}x{{/F}}", {"F": value})
    hidden = render("{{^F}}x{{/F}}", {"F": value})
    assert shown + hidden == "x"


ANSWER_WORD = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=6)
FILLER = st.text(alphabet=string.ascii_lowercase + " .,;!-", max_size=8)


@st.composite
def cloze_notes(draw):
    """A field of deletions with distinct answers ("Q<i>Z…": none contains
    another) and hints, numbers drawn from 1-5, and the numbers used."""
    count = draw(st.integers(min_value=1, max_value=6))
    numbers = [draw(st.integers(min_value=1, max_value=5)) for _ in range(count)]
    answers = [f"Q{i}Z{draw(ANSWER_WORD)}" for i in range(count)]
    parts = [draw(FILLER)]
    for number, answer in zip(numbers, answers):
        hint = draw(st.none() | ANSWER_WORD.map(str.lower).filter(lambda h: "q" not in h))
        parts.append(f"{{{{c{number}::{answer}" + (f"::{hint}" if hint else "") + "}}" + draw(FILLER))
    return "".join(parts), list(zip(numbers, answers))


@pytest.mark.slow
@PROPERTY
@given(note=cloze_notes())
def test_cloze_question_hides_its_own_answers(note):
    text, deletions = note
    for number in {n for n, _ in deletions}:
        question = cloze(text, number)
        answer = cloze(text, number, answer=True)
        for n, word in deletions:
            assert (word in question) == (n != number)
            assert word in answer
            if n == number:
                assert f'<span class="cloze">\ue010{word}\ue011</span>' in answer


@pytest.mark.slow
@PROPERTY
@given(note=cloze_notes(), unused=st.integers(min_value=6, max_value=9))
def test_cloze_numbers_match_the_deletions(note, unused):
    text, deletions = note
    numbers = cloze_numbers(CLOZE_A, {"Text": text, "Back Extra": f"{{{{c{unused}::x}}}}"})
    assert numbers == sorted({n for n, _ in deletions})
    assert cloze(text, unused) == ""
