"""Mnemosyne imports: the real Mnemosyne 2 database and 1.x XML export in
../shared/realworld/, and small files made here for what those two lack
(clozes, lapses, a long history, inactive cards, card-type clones).

Every test runs in UTC (conftest), so study days are plain dates here."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from studycards import notes
from studycards.errors import InvalidFile
from studycards.importers.mnemosyne import (
    DB_FORMAT,
    XML_FORMAT,
    is_mnemosyne_db,
    is_mnemosyne_db_file,
    parse_mnemosyne_db,
    parse_mnemosyne_xml,
)
from studycards.records import CardKind, CardState, LogKind, NoteKind, ReviewEntry
from studycards.store import open_store

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
MNEMO_DB = REALWORLD / "ankitects_mnemo.db"
DUPS_XML = REALWORLD / "mnemosyne_dups.xml"
DAY = 86400
HOUR = 3600


def notes_by_front(batch):
    assert len(batch.decks) == 1
    return {n.front: n for n in batch.decks[0].notes}


def progress_of(note):
    return {(p.kind, p.ord): p for p in note.progress}


# --- the real Mnemosyne 2 database -------------------------------------------------
#
# Counts taken from the raw file with Python's sqlite3 in a scratch script
# (SELECT * FROM facts / data_for_fact / cards / log): 5 facts, 7 cards.
# Card types: "1" for facts 1, 4 and 5 (one card each), "2" for fact 2 (views
# 2.1 and 2.2), "3" (vocabulary: f, p_1, m_1, n) for fact 3 (views 3.1, 3.2).
# Six cards have grade >= 0 and one repetition row each in log (event_type
# 9); card 7 (fact 5, "new") has grade -1, and its fact has no "b" field.
# Tags: cards 6 and 7 have "tag 1" and "a longer tag", the rest __UNTAGGED__.


def test_the_real_database_is_there_and_sniffed():
    assert MNEMO_DB.is_file(), f"{MNEMO_DB} is missing: the real-world corpus comes with the shared/ folder"
    assert is_mnemosyne_db_file(MNEMO_DB)
    assert not is_mnemosyne_db_file(REALWORLD / "mnemosyne_anki1_collection.anki2")  # an Anki collection
    assert not is_mnemosyne_db_file(DUPS_XML)  # not SQLite at all
    assert not is_mnemosyne_db({"notes", "cards", "col"})


def test_the_real_database_imports_every_fact_that_has_an_answer_with_its_progress():
    batch = parse_mnemosyne_db(MNEMO_DB, None, 4)
    assert batch.format == DB_FORMAT
    assert batch.decks[0].name == "Mnemosyne"
    by_front = notes_by_front(batch)
    assert sorted(by_front) == ["expression", "front", "front-double", "front-tag", "new"]  # 5 facts
    assert batch.skipped == []
    assert (by_front["new"].back, by_front["new"].reverse, by_front["new"].progress) == ("", False, ())  # unseen, no answer: a question alone
    assert batch.media_skipped == 0
    assert sum(len(n.progress) for n in batch.decks[0].notes) == 6  # the six cards with grade >= 0
    assert sum(len(p.reviews) for n in batch.decks[0].notes for p in n.progress) == 6  # one logged repetition each

    front, double, vocab, tagged = by_front["front"], by_front["front-double"], by_front["expression"], by_front["front-tag"]
    assert (front.note_type, front.back, front.reverse, front.guid) == (NoteKind.BASIC, "back", False, "Ny2IIajDQK3gEXNqGQWELt")
    assert (double.back, double.reverse) == ("back-double", True)
    assert set(progress_of(double)) == {(CardKind.BASIC, 0), (CardKind.REVERSED, 0)}
    assert (vocab.back, vocab.reverse) == ("pronunciation\nmeaning\nnotes", True)
    assert set(progress_of(vocab)) == {(CardKind.BASIC, 0), (CardKind.REVERSED, 0)}
    assert tagged.tags == ("a_longer_tag", "tag_1")
    assert front.tags == ()  # __UNTAGGED__ is no tag
    assert front.source == "mnemosyne: Front-to-back" and front.derived_source


def test_one_real_card_is_mapped_exactly():
    # Card 1 (fact 1 "front"/"back"), raw row: grade 2, next_rep 1330732800,
    # last_rep 1330572782, easiness 2.5, acq_reps 1, ret_reps 0, lapses 0,
    # ret_reps_since_lapse 0; its log row (_id 23): grade 2, thinking_time 2.
    card = progress_of(notes_by_front(parse_mnemosyne_db(MNEMO_DB, None, 4))["front"])[(CardKind.BASIC, 0)]
    due = 1330732800 // DAY  # midnight UTC of 2012-03-03: study day 15402
    last_day = (1330572782 - 4 * HOUR) // DAY  # 2012-03-01 03:33 UTC counts for Feb 29 (15399) with a 4 am start
    assert (due, last_day) == (15402, 15399)
    assert card.state == CardState(
        repetitions=1,  # ret_reps_since_lapse 0, + 1 for the acquisition pass
        easiness=250,
        interval=due - last_day,  # 3
        due=due,
        lapses=0,
        suspended=False,
        buried_until=None,
        last_review=1330572782,
    )
    assert card.reviews == (
        ReviewEntry(1330572782, 15399, 3, LogKind.REVIEW, 0, 250, 0, None, 1, 250, 3, 15402, 2000),  # Mnemosyne's 2 is our 3
    )


def test_the_day_start_hour_moves_the_last_review_day_not_the_due_day():
    card = progress_of(notes_by_front(parse_mnemosyne_db(MNEMO_DB, None, 3))["front"])[(CardKind.BASIC, 0)]
    assert (card.state.due, card.state.interval) == (15402, 2)  # 03:33 is past a 3 am start: Mar 1 (15400)


def test_the_deck_can_be_named():
    assert parse_mnemosyne_db(MNEMO_DB, "  Languages ", 4).decks[0].name == "Languages"


# --- a Mnemosyne 2 database made from the real one --------------------------------


def _card(conn, rowid, card_id, type_id, fact, view, question, grade=-1, next_rep=-1, last_rep=-1, easiness=2.5,
          acq=0, ret=0, lapses=0, acq_l=0, ret_l=0, extra="", active=1):
    conn.execute(
        "INSERT INTO cards (_id, id, card_type_id, _fact_id, fact_view_id, question, answer, tags, grade, next_rep, last_rep,"
        " easiness, acq_reps, ret_reps, lapses, acq_reps_since_lapse, ret_reps_since_lapse, creation_time, modification_time,"
        " extra_data, scheduler_data, active) VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, 0, ?)",
        (rowid, card_id, type_id, fact, view, question, grade, next_rep, last_rep, easiness, acq, ret, lapses, acq_l, ret_l, extra, active),
    )


def _rep(conn, card_id, time, grade, easiness, acq, ret, lapses, ret_l, next_rep, thinking=0):
    conn.execute(
        "INSERT INTO log (event_type, timestamp, object_id, grade, easiness, acq_reps, ret_reps, lapses,"
        " acq_reps_since_lapse, ret_reps_since_lapse, scheduled_interval, actual_interval, thinking_time, next_rep,"
        " scheduler_data) VALUES (9, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, 0, ?, ?, 0)",
        (time, card_id, grade, easiness, acq, ret, lapses, ret_l, thinking, next_rep),
    )


# A cloze card's whole life, as Mnemosyne's SM2 logs it (state after each answer):
# day A = 19675 (2023-11-14): failed (0), then passed (3) the same day;
# 19677: retention rep (4, ret_reps_since_lapse 1, 6 days); 19683: lapse (1);
# 19684: back to retention (3); 19685: grade 2, easiness 2.5 - 0.16 = 2.34.
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC, study day 19675
HISTORY = [  # (time, grade, easiness, acq_reps, ret_reps, lapses, ret_reps_since_lapse, next_rep, thinking s)
    (T0, 0, 2.5, 1, 0, 0, 0, T0, 7),
    (T0 + 120, 3, 2.5, 2, 0, 0, 0, 19677 * DAY, 3),
    (19677 * DAY + 10 * HOUR, 4, 2.5, 2, 1, 0, 1, 19683 * DAY, 2),
    (19683 * DAY + 10 * HOUR, 1, 2.5, 2, 2, 1, 0, 19683 * DAY + 10 * HOUR, 5),
    (19684 * DAY + 10 * HOUR, 3, 2.5, 3, 2, 1, 0, 19685 * DAY, 4),
    (19685 * DAY + 10 * HOUR, 2, 2.5 - 0.16, 3, 3, 1, 1, 19691 * DAY, 6),
]


@pytest.fixture
def made_db(tmp_path: Path) -> Path:
    path = tmp_path / "default.db"
    shutil.copyfile(MNEMO_DB, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO data_for_fact VALUES (5, 'b', 'an answer now')")  # "new" gets its answer
        # Card 6 ("front-tag"): inactive, and studied further than its one logged repetition says.
        conn.execute("UPDATE cards SET active = 0, ret_reps = 1, ret_reps_since_lapse = 1, easiness = 2.6,"
                     " next_rep = ? WHERE _id = 6", (15420 * DAY,))
        # A cloze fact with two cards; the second has the whole history above.
        conn.execute("INSERT INTO facts VALUES (6, 'ClozeFact', '')")
        conn.execute("INSERT INTO data_for_fact VALUES (6, 'text', 'The capital of <b>[France]</b> is [Paris:a city].')")
        _card(conn, 8, "cz1", "5", 6, "5.1", "The capital of [...] is Paris.", extra="{'cloze': 'France', 'index': 0}")
        time, grade, easiness, acq, ret, lapses, ret_l, next_rep, _ = HISTORY[-1]
        _card(conn, 9, "cz2", "5", 6, "5.1", "The capital of France is [a city].", grade, next_rep, time, easiness,
              acq, ret, lapses, 1, ret_l, extra="{'cloze': 'Paris:a city', 'index': 1}")
        for row in HISTORY:
            _rep(conn, "cz2", *row[:8], thinking=row[8])
        conn.execute("INSERT INTO tags VALUES (4, 'geo1', 'Geography::Western  Europe', '')")
        conn.execute("INSERT INTO tags_for_card VALUES (9, 4)")
        # A sentence card (type 6), which is not imported, and a clone of front-to-back.
        conn.execute("INSERT INTO facts VALUES (7, 'SentenceFact', '')")
        conn.execute("INSERT INTO data_for_fact VALUES (7, 'f', 'Ich [bin] hier')")
        _card(conn, 10, "s1", "6", 7, "6.1", "Ich bin hier")
        conn.execute("INSERT INTO facts VALUES (8, 'CloneFact', '')")
        conn.execute("INSERT INTO data_for_fact VALUES (8, 'f', 'clone <$>x^2</$>')")
        conn.execute("INSERT INTO data_for_fact VALUES (8, 'b', 'line one\nline two <img src=\"pic.png\">')")
        conn.execute("INSERT INTO card_types (id, name) VALUES ('1::Mine', 'My front-to-back')")
        _card(conn, 11, "cl1", "1::Mine", 8, "1.1", "clone")
    conn.close()
    return path


def test_an_unseen_card_is_new(made_db):
    note = notes_by_front(parse_mnemosyne_db(made_db, None, 4))["new"]  # grade -1, next_rep and last_rep -1
    assert note.back == "an answer now"
    assert note.progress == ()  # a new card: nothing to restore


def test_a_cloze_card_keeps_its_whole_history_exactly(made_db):
    batch = parse_mnemosyne_db(made_db, None, 4)
    cloze = notes_by_front(batch)["The capital of {{c1::France}} is {{c2::Paris::a city}}."]
    assert cloze.note_type == NoteKind.CLOZE and cloze.back == ""
    assert cloze.tags == ("Geography::Western_Europe",)
    cards = progress_of(cloze)
    assert set(cards) == {(CardKind.CLOZE, 2)}  # c1 (index 0) is unseen: new
    card = cards[(CardKind.CLOZE, 2)]
    last = HISTORY[-1][0]
    assert card.state == CardState(2, 234, 6, 19691, 1, False, None, last)
    assert card.reviews == (
        ReviewEntry(T0, 19675, 0, LogKind.REVIEW, 0, 250, 0, None, 0, 250, 1, 19676, 7000),
        ReviewEntry(T0 + 120, 19675, 3, LogKind.DRILL, 0, 250, 1, 19676, 1, 250, 2, 19677, 3000),
        ReviewEntry(HISTORY[2][0], 19677, 4, LogKind.REVIEW, 1, 250, 2, 19677, 2, 250, 6, 19683, 2000),
        ReviewEntry(HISTORY[3][0], 19683, 1, LogKind.REVIEW, 2, 250, 6, 19683, 0, 250, 1, 19684, 5000),
        ReviewEntry(HISTORY[4][0], 19684, 3, LogKind.REVIEW, 0, 250, 1, 19684, 1, 250, 1, 19685, 4000),
        ReviewEntry(last, 19685, 3, LogKind.REVIEW, 1, 250, 1, 19685, 2, 234, 6, 19691, 6000),
    )


def test_a_card_whose_log_disagrees_keeps_its_state_only_and_inactive_is_suspended(made_db):
    card = progress_of(notes_by_front(parse_mnemosyne_db(made_db, None, 4))["front-tag"])[(CardKind.BASIC, 0)]
    assert card.state == CardState(2, 260, 15420 - 15399, 15420, 0, True, None, 1330572777)
    assert card.reviews == ()


def test_other_card_types_are_skipped_by_question_and_clones_count_as_their_parent(made_db):
    batch = parse_mnemosyne_db(made_db, None, 4)
    assert batch.skipped == ["'Ich bin hier': Mnemosyne card type 'Sentence' is not supported"]
    clone = notes_by_front(batch)["clone x²"]  # Mnemosyne's <$> LaTeX, read as Anki's [$]
    assert clone.back == "line one\nline two [image: pic.png]"
    assert clone.source == "mnemosyne: My front-to-back"
    assert batch.media_skipped == 1


def test_the_made_database_goes_into_a_store_consistently(made_db, db_path, sql):
    batch = parse_mnemosyne_db(made_db, None, 4)
    store = open_store(db_path, T0)
    try:
        report = notes.apply_deck(store, batch.decks[0], T0)
        assert report.added == 7 and report.cards_restored == 7  # six real cards and the studied cloze
        assert store.consistency_problems() == []
    finally:
        store.close()
    assert sql("SELECT COUNT(*) FROM review_log") == [(5 + 6,)]  # five real cards kept theirs
    assert sql("SELECT COUNT(*) FROM card WHERE suspended") == [(1,)]


def test_a_database_that_is_not_mnemosyne_is_refused(tmp_path):
    with pytest.raises(InvalidFile, match="not a Mnemosyne 2 database"):
        parse_mnemosyne_db(REALWORLD / "mnemosyne_anki1_collection.anki2", None, 4)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(InvalidFile, match="not a readable Mnemosyne 2 database"):
        parse_mnemosyne_db(junk, None, 4)


def test_a_bad_value_in_a_card_names_the_card(made_db):
    conn = sqlite3.connect(made_db)
    with conn:
        conn.execute("UPDATE cards SET easiness = 'lots' WHERE _id = 1")
    conn.close()
    with pytest.raises(InvalidFile, match=r"card 'front': easiness 'lots' is not a number"):
        parse_mnemosyne_db(made_db, None, 4)


# --- the real Mnemosyne 1.x XML export --------------------------------------------
#
# Counted from the raw file with xml.etree in a scratch script: 2 categories,
# 56 <item>s with 32 distinct ids: Germany's items are 0, 0.inv ... 15,
# 15.inv and the Netherlands' 0, 0.inv ... 11, 11.inv again (hence "dups").
# Every main item's <Q> has "answerbox: overlay" and an <img>, so each pair
# is a map card (Mnemosyne's importer, file_formats/mnemosyne1.py): 28 facts.
# All 56 are unseen (u="1", gr="0").


def test_the_real_xml_export_of_map_cards_imports_each_side_as_a_note():
    assert DUPS_XML.is_file(), f"{DUPS_XML} is missing: the real-world corpus comes with the shared/ folder"
    batch = parse_mnemosyne_xml(DUPS_XML.read_text(encoding="utf-8"), str(DUPS_XML), None, 4)
    notes = [n for d in batch.decks for n in d.notes]
    assert len(notes) == 56 and not batch.skipped  # every item: 28 "where is X?" and 28 "which place is this?"
    assert all(not n.progress for n in notes)  # all unseen: new cards
    first = next(n for n in notes if n.front.startswith("Freistaat Thüringen"))
    assert first.front == "Freistaat Thüringen (Free State of Thuringia)?\n[image: Germany-States.png]"
    assert first.back == "Freistaat Thüringen (Free State of Thuringia)\n[image: Thüringen.png]"
    assert any(n.front == "[image: Thüringen.png]" and n.back == "Freistaat Thüringen (Free State of Thuringia)" for n in notes)
    assert {t for n in notes for t in n.tags} == {"Germany:_States", "Netherlands:_Provinces"}


# --- small 1.x XML exports -----------------------------------------------------------

XML = """<?xml version="1.0" encoding="UTF-8"?>
<mnemosyne core_version="1" time_of_start="1247792400" >
<category active="1">
 <name>Capitals Europe</name>
</category>
<category active="0">
 <name>Hidden</name>
</category>
<item id="a1" u="0" gr="4" e="2.360" ac_rp="1" rt_rp="3" lps="1" ac_rp_l="1" rt_rp_l="2" l_rp="100" n_rp="112">
 <cat>Capitals Europe</cat>
 <Q>Capital of &lt;b&gt;France&lt;/b&gt;?</Q>
 <A>Paris&lt;img src="paris.jpg"&gt;</A>
</item>
<item id="b2" u="1" gr="0" e="2.500" ac_rp="0" rt_rp="0" lps="0" ac_rp_l="0" rt_rp_l="0" l_rp="0" n_rp="0">
 <cat>Capitals Europe</cat>
 <Q>Capital of Spain?</Q>
 <A>Madrid</A>
</item>
<item id="b2.inv" u="0" gr="1" e="2.500" ac_rp="2" rt_rp="0" lps="0" ac_rp_l="2" rt_rp_l="0" l_rp="50" n_rp="50">
 <cat>Capitals Europe</cat>
 <Q>Madrid</Q>
 <A>Capital of Spain?</A>
</item>
<item id="c3" u="1" gr="0">
 <cat>Hidden</cat>
 <Q>hidden question</Q>
 <A>hidden answer</A>
</item>
<item id="v4" u="0" gr="5" e="2.6" ac_rp="1" rt_rp="0" lps="0" rt_rp_l="0" l_rp="10" n_rp="14">
 <cat>&lt;default&gt;</cat>
 <Q>la casa</Q>
 <A>kasa
house</A>
</item>
<item id="v4.tr.1" u="1" gr="0">
 <cat>&lt;default&gt;</cat>
 <Q>house</Q>
 <A>la casa</A>
</item>
<item id="a1" u="1" gr="0">
 <cat>Capitals Europe</cat>
 <Q>Capital of Italy?</Q>
 <A>Rome</A>
</item>
<item id="x9" u="1" gr="0">
 <cat>Capitals Europe</cat>
 <Q>Capital of &lt;i&gt;France&lt;/i&gt;?</Q>
 <A>Paris, again</A>
</item>
</mnemosyne>
"""
START_DAY = 14442  # 1247792400 is 2009-07-17 01:00 UTC: day 0 of this collection


def test_a_small_export_maps_card_types_and_progress():
    batch = parse_mnemosyne_xml(XML, "small.xml", None, 4)
    assert batch.format == XML_FORMAT
    by_front = notes_by_front(batch)
    assert sorted(by_front) == ["Capital of France?", "Capital of Italy?", "Capital of Spain?", "hidden question", "la casa"]
    assert batch.skipped == []  # a question asked twice is two notes, as in Mnemosyne
    assert sum(1 for n in batch.decks[0].notes if n.front == "Capital of France?") == 2
    assert batch.media_skipped == 1

    france = next(n for n in batch.decks[0].notes if n.front == "Capital of France?")  # the first of the two
    assert (france.back, france.reverse, france.tags, france.guid) == ("Paris[image: paris.jpg]", False, ("Capitals_Europe",), None)
    assert france.line == 9
    (card,) = france.progress
    last = START_DAY + 100
    assert card.state == CardState(3, 236, 12, START_DAY + 112, 1, False, None, last * DAY + 4 * HOUR)
    assert card.reviews == ()  # the XML carries state only

    spain = by_front["Capital of Spain?"]
    assert (spain.back, spain.reverse) == ("Madrid", True)
    assert {(p.kind, p.ord): p.state for p in spain.progress} == {  # the basic card is unseen: new
        (CardKind.REVERSED, 0): CardState(0, 250, 1, START_DAY + 51, 0, False, None, (START_DAY + 50) * DAY + 4 * HOUR),
    }

    vocab = by_front["la casa"]
    assert (vocab.back, vocab.reverse, vocab.tags) == ("kasa\nhouse", True, ())
    assert [(p.kind, p.state.repetitions, p.state.easiness, p.state.due, p.state.interval) for p in vocab.progress] == [
        (CardKind.BASIC, 1, 260, START_DAY + 14, 4),
    ]

    hidden = by_front["hidden question"]
    assert [(p.kind, p.state) for p in hidden.progress] == [(CardKind.BASIC, CardState(suspended=True))]  # new, inactive
    assert by_front["Capital of Italy?"].progress == ()  # the repeated id "a1" is another item, unseen


def test_an_export_with_no_items_is_refused():
    with pytest.raises(InvalidFile, match=r"no <item> elements: there are no cards to import"):
        parse_mnemosyne_xml('<?xml version="1.0"?>\n<mnemosyne core_version="1"><category active="1"><name>x</name></category></mnemosyne>', "empty.xml", None, 4)


@pytest.mark.parametrize(
    "text, message",
    [
        ('<?xml version="1.0"?>\n<cards><item/></cards>', r"empty\.xml:2: not a Mnemosyne XML export: the root element is <cards>"),
        ('<mnemosyne core_version="2"><item><Q>q</Q></item></mnemosyne>', r"core_version '2' is not supported"),
        ('<mnemosyne core_version="1"><item><Q>q</Q></mnemosyne>', r"empty\.xml:1: not well-formed XML: mismatched tag"),
        ('<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY a "aaaa">]>\n<mnemosyne core_version="1"/>', r"declares a DOCTYPE"),
        ('<mnemosyne core_version="1">\n<item id="1" u="0" gr="9"><Q>q</Q><A>a</A></item></mnemosyne>', r"empty\.xml:2: item 'q': gr 9 is out of range"),
        ('<mnemosyne core_version="1">\n<item id="1" u="0" gr="3" e="x"><Q>q</Q><A>a</A></item></mnemosyne>', r"empty\.xml:2: item 'q': easiness 'x' is not a number"),
        ('<mnemosyne core_version="1">\n<item id="1" u="0" gr="3"><Q>q</Q><A>a</A></item></mnemosyne>', r"has no time_of_start"),
        ('<mnemosyne core_version="1">\n<item id="1"><A>a</A></item></mnemosyne>', r"empty\.xml:2: an <item> without a <Q> question"),
    ],
)
def test_malformed_exports_are_refused_with_the_reason(text, message):
    with pytest.raises(InvalidFile, match=message):
        parse_mnemosyne_xml(text, "empty.xml", None, 4)
