"""Review behaviours checked against ``ReviewSession`` itself, on a temporary
database: queue order and limits, SM-2 scheduling, re-drill, undo, bury,
leeches, cram, the summary and a card deleted meanwhile. No terminal text is
read; the database is read back through the store or the ``sql`` fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from studycards.records import CardState, LogKind
from studycards.review import GONE, ReviewSession
from studycards.settings import Settings
from studycards.store import open_store

DAY = 20514  # 2026-03-02
NOON = DAY * 86400 + 43200


# --- helpers ---------------------------------------------------------------


@pytest.fixture
def stores(db_path: Path):
    """Open a store (another connection each call) on the test's database."""
    opened = []

    def open_one():
        store = open_store(db_path, NOON)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def write(sql):
    """Change the database through its own plain connection, as another
    process would."""

    def execute(statement: str, *params) -> None:
        sql(statement, *params)

    return execute


@pytest.fixture
def card(sql):
    """The id of a card by deck, front and kind."""

    def find(deck: str, front: str, kind: str = "basic") -> int:
        [(card_id,)] = sql(
            "select card.id from card join note on note.id = card.note_id join deck on deck.id = card.deck_id"
            " where deck.name = ? and note.front = ? and card.kind = ?",
            deck, front, kind,
        )
        return card_id

    return find


@pytest.fixture
def studied(write):
    """Make a card a studied one: n repetitions, the interval and a due day."""

    def update(card_id: int, due: int, repetitions: int = 2, interval: int = 6, easiness: int = 250) -> None:
        write(
            "update card set repetitions = ?, interval = ?, due = ?, easiness = ?, last_review = ? where id = ?",
            repetitions, interval, due, easiness, (due - interval) * 86400, card_id,
        )

    return update


def state(store, card_id: int) -> CardState:
    return store.cards.state(card_id)[0]


def tags(store, card_id: int) -> str:
    return store.cards.state(card_id)[2]


def log(sql) -> list[tuple[int, str, int]]:
    """Every review-log row: (card id, kind, grade), in order."""
    return [tuple(row) for row in sql("select card_id, kind, grade from review_log order by id")]


def drain(session: ReviewSession, grade: int = 5, now: int = NOON) -> list[int]:
    """Answer every card the session shows with ``grade`` (4 or 5: no re-drill)."""
    seen = []
    while (shown := session.next()) is not None:
        seen.append(shown.card_id)
        assert session.answer(shown, grade, 1000, now) == LogKind.REVIEW
    return seen


def drain_cram(session: ReviewSession) -> list[int]:
    """Answer every card of a cram session with 5."""
    seen = []
    while (shown := session.next()) is not None:
        seen.append(shown.card_id)
        assert session.answer(shown, 5, 1000, NOON) == LogKind.CRAM
    return seen


# --- 1. the queue ----------------------------------------------------------


def test_due_cards_come_most_overdue_first_then_new_cards_in_deck_order(add_notes, stores, card, studied):
    add_notes("Beta", 2)  # added first, but decks come in name order
    add_notes("Alpha", 3)
    studied(card("Beta", "Q2"), due=DAY - 1)
    studied(card("Alpha", "Q1"), due=DAY - 3)
    studied(card("Alpha", "Q3"), due=DAY)
    studied(card("Beta", "Q1"), due=DAY + 2)  # not due yet
    store = stores()
    expected = [card("Alpha", "Q1"), card("Beta", "Q2"), card("Alpha", "Q3"), card("Alpha", "Q2")]
    session = ReviewSession(store, DAY, Settings())
    first = session.next()
    assert (first.position, first.total, first.drill) == (1, 4, False)
    assert drain(session) == expected


def test_one_card_per_note_per_day_a_reversed_sibling_waits_until_the_next_day(add_notes, run, stores, card, studied):
    assert run("add", "D", "--front", "R1", "--back", "B1", "--reverse").exit_code == 0
    add_notes("D", 2)
    basic, reversed_ = card("D", "R1"), card("D", "R1", "reversed")
    studied(basic, due=DAY)  # the note's basic card is due, its reversed card new
    store = stores()
    assert drain(ReviewSession(store, DAY, Settings())) == [basic, card("D", "Q1"), card("D", "Q2")]
    # Not in a later session of the same day either, with new cards to spare.
    assert ReviewSession(stores(), DAY, Settings()).next() is None
    assert state(store, reversed_) == CardState()
    assert state(store, basic).due == DAY + 15
    # The next day (the basic card not due again yet) the reversed card comes, after the due ones.
    assert drain(ReviewSession(store, DAY + 1, Settings())) == [card("D", "Q1"), card("D", "Q2"), reversed_]


# --- 2. daily limits -------------------------------------------------------


def test_the_daily_new_card_limit_counts_every_session_of_the_day(add_notes, stores, card):
    add_notes("D", 5)
    settings = Settings(new_per_day=3)
    store = stores()
    first = ReviewSession(store, DAY, settings)
    shown = first.next()
    assert shown.total == 3
    first.answer(shown, 5, 1000, NOON)  # one new card, then the session is left
    assert store.reviews.counted_today(DAY) == (1, 1)
    second = ReviewSession(stores(), DAY, settings)
    assert drain(second) == [card("D", "Q2"), card("D", "Q3")]  # what is left of the three
    assert ReviewSession(stores(), DAY, settings).next() is None
    # The next day: the three studied cards are due, then new cards again.
    assert drain(ReviewSession(stores(), DAY + 1, settings)) == [card("D", f"Q{i}") for i in (1, 2, 3, 4, 5)]


def test_the_daily_review_limit_counts_every_session_of_the_day_new_cards_included(add_notes, stores, card, studied):
    add_notes("D", 4)
    studied(card("D", "Q3"), due=DAY - 1)
    studied(card("D", "Q4"), due=DAY)
    settings = Settings(reviews_per_day=3)
    store = stores()
    first = ReviewSession(store, DAY, settings)
    assert first.next().total == 3
    for _ in range(2):
        first.answer(first.next(), 4, 1000, NOON)
    assert store.reviews.counted_today(DAY) == (2, 0)
    assert drain(ReviewSession(stores(), DAY, settings)) == [card("D", "Q1")]  # one left of three
    assert ReviewSession(stores(), DAY, settings).next() is None


def test_new_limit_and_limit_override_the_daily_limits_for_one_session(add_notes, stores, card):
    add_notes("D", 6)
    settings = Settings(new_per_day=1, reviews_per_day=4)
    store = stores()
    more_new = ReviewSession(store, DAY, settings, new_limit=3)
    assert drain(more_new) == [card("D", f"Q{i}") for i in (1, 2, 3)]  # none refused as over the daily cap
    assert store.reviews.counted_today(DAY) == (3, 3)
    # The next session is back to the daily limits: no new cards left today.
    assert ReviewSession(store, DAY, settings).next() is None
    fewer = ReviewSession(store, DAY, settings, new_limit=5, limit=2)
    assert drain(fewer) == [card("D", "Q4"), card("D", "Q5")]
    beyond = ReviewSession(store, DAY, settings, new_limit=5, limit=9)  # above reviews-per-day, which 5 used up
    assert drain(beyond) == [card("D", "Q6")]


# --- 3. SM-2 scheduling ----------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "repetitions", "easiness"),
    [(5, 1, 260), (4, 1, 250), (3, 1, 236), (2, 0, 218), (1, 0, 196), (0, 0, 170)],
)
def test_a_first_answer_schedules_a_new_card_by_sm2_and_logs_a_review(add_notes, stores, grade, repetitions, easiness):
    add_notes("D", 1)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    shown = session.next()
    assert session.answer(shown, grade, 1234, NOON) == LogKind.REVIEW
    expected = CardState(repetitions=repetitions, easiness=easiness, interval=1, due=DAY + 1, lapses=0, last_review=NOON)
    assert state(store, shown.card_id) == expected
    [entry] = store.reviews.of_cards([shown.card_id])[shown.card_id]
    assert (entry.kind, entry.study_day, entry.time, entry.grade, entry.answer_ms) == (LogKind.REVIEW, DAY, NOON, grade, 1234)
    assert (entry.before_repetitions, entry.before_easiness, entry.before_interval, entry.before_due) == (0, 250, 0, None)
    assert (entry.after_repetitions, entry.after_easiness, entry.after_interval, entry.after_due) == (repetitions, easiness, 1, DAY + 1)


@pytest.mark.parametrize(
    ("grade", "settings", "expected"),
    [
        # I(3) = ceil(6 x 2.50) with EF before the answer; overdue days earn nothing.
        (4, Settings(), (3, 250, 15, DAY + 15, 0)),
        (5, Settings(), (3, 260, 15, DAY + 15, 0)),
        (3, Settings(), (3, 236, 15, DAY + 15, 0)),
        (2, Settings(), (0, 218, 1, DAY + 1, 1)),  # a lapse
        (4, Settings(max_interval=10), (3, 250, 10, DAY + 10, 0)),
    ],
)
def test_an_answer_to_a_due_card_schedules_it_by_sm2_from_today(add_notes, stores, studied, grade, settings, expected):
    add_notes("D", 1)
    studied(1, due=DAY - 4, repetitions=2, interval=6, easiness=250)
    store = stores()
    session = ReviewSession(store, DAY, settings)
    shown = session.next()
    assert session.answer(shown, grade, 1000, NOON) == LogKind.REVIEW
    after = state(store, 1)
    assert (after.repetitions, after.easiness, after.interval, after.due, after.lapses) == expected
    assert after.last_review == NOON


# --- 4. re-drill -----------------------------------------------------------


def test_a_failed_card_is_redrilled_until_graded_4_or_5_without_rescheduling(add_notes, stores, sql):
    add_notes("D", 2)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    first = session.next()
    assert session.answer(first, 3, 1000, NOON) == LogKind.REVIEW  # 3 is correct, but below 4: re-drilled
    scheduled = state(store, first.card_id)
    assert (scheduled.repetitions, scheduled.interval, scheduled.due) == (1, 1, DAY + 1)
    second = session.next()
    assert (second.card_id, second.drill) == (2, False)  # the queue comes first
    assert session.answer(second, 5, 1000, NOON) == LogKind.REVIEW
    for grade in (2, 0, 3):
        drill = session.next()
        assert (drill.card_id, drill.drill, drill.position, drill.drills_left) == (first.card_id, True, 0, 1)
        assert session.answer(drill, grade, 1000, NOON) == LogKind.DRILL
        assert state(store, first.card_id) == scheduled
    drill = session.next()
    assert session.answer(drill, 4, 1000, NOON) == LogKind.DRILL
    assert session.next() is None
    assert state(store, first.card_id) == scheduled
    assert log(sql) == [(1, "review", 3), (2, "review", 5), (1, "drill", 2), (1, "drill", 0), (1, "drill", 3), (1, "drill", 4)]


def test_redrills_survive_a_new_session_the_same_day(add_notes, stores, sql):
    add_notes("D", 3)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    for grade in (1, 5, 2):
        session.answer(session.next(), grade, 1000, NOON)
    # The session ends here, before any re-drill; a new one, another connection.
    later = ReviewSession(stores(), DAY, Settings())
    drill = later.next()
    assert (drill.card_id, drill.drill, drill.drills_left) == (1, True, 2)  # longest waiting first
    assert later.answer(drill, 5, 1000, NOON) == LogKind.DRILL
    drill = later.next()
    assert (drill.card_id, drill.drill, drill.drills_left) == (3, True, 1)
    # Quit again before it: still pending in a third session.
    third = ReviewSession(stores(), DAY, Settings())
    assert third.next().card_id == 3
    assert third.answer(third.next(), 4, 1000, NOON) == LogKind.DRILL
    assert third.next() is None
    assert ReviewSession(stores(), DAY, Settings()).next() is None
    assert [kind for _, kind, _ in log(sql)] == ["review"] * 3 + ["drill"] * 2
    # Re-drill is for the same study day only.
    assert drain(ReviewSession(stores(), DAY + 1, Settings()), now=NOON + 86400) == [1, 2, 3]  # none as a drill


# --- 5. undo ---------------------------------------------------------------


def test_undo_restores_the_cards_full_state_and_the_notes_tags_and_removes_the_log_row(add_notes, stores, studied, sql):
    add_notes("D", 1, "--tag", "keep")
    studied(1, due=DAY - 2, repetitions=3, interval=15, easiness=236)
    store = stores()
    before, before_tags = state(store, 1), tags(store, 1)
    session = ReviewSession(store, DAY, Settings(leech_threshold=1, leech_action="suspend"))
    assert not session.can_undo()
    shown = session.next()
    session.answer(shown, 1, 1000, NOON)  # a lapse that makes a leech: everything changes
    assert session.can_undo()
    changed = state(store, 1)
    assert (changed.repetitions, changed.lapses, changed.suspended, changed.last_review) == (0, 1, True, NOON)
    assert tags(store, 1) == "keep leech"
    assert session.undo() is True
    assert state(store, 1) == before
    assert tags(store, 1) == before_tags == "keep"
    assert log(sql) == []
    assert not session.can_undo()
    again = session.next()
    assert (again.card_id, again.position, again.drill) == (1, 1, False)  # asked again, as the first card


def test_undo_of_a_bury_unburies_the_card(add_notes, stores):
    add_notes("D", 2)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    shown = session.next()
    session.bury(shown)
    assert state(store, shown.card_id).buried_until == DAY + 1
    assert session.next().card_id == 2
    assert session.undo() is True
    assert state(store, shown.card_id) == CardState()
    assert session.next().card_id == shown.card_id
    assert ReviewSession(stores(), DAY, Settings()).next().card_id == shown.card_id  # visible to other sessions too


def test_undo_repeated_goes_back_to_the_start_of_the_session(add_notes, stores, studied, sql):
    add_notes("D", 3)
    studied(2, due=DAY)
    store = stores()
    start = {card_id: (state(store, card_id), tags(store, card_id)) for card_id in (1, 2, 3)}
    session = ReviewSession(store, DAY, Settings())
    assert not session.can_undo()
    assert session.undo() is False
    session.answer(session.next(), 2, 1000, NOON)  # the due card 2, failed
    session.bury(session.next())  # new card 1
    session.answer(session.next(), 5, 1000, NOON)  # new card 3
    drill = session.next()
    assert (drill.card_id, drill.drill) == (2, True)
    session.answer(drill, 1, 1000, NOON)
    session.answer(session.next(), 4, 1000, NOON)
    assert session.next() is None
    assert len(log(sql)) == 4
    undone = 0
    while session.can_undo():
        assert session.undo() is True
        undone += 1
    assert undone == 5
    assert session.undo() is False
    assert {card_id: (state(store, card_id), tags(store, card_id)) for card_id in (1, 2, 3)} == start
    assert log(sql) == []
    first = session.next()
    assert (first.card_id, first.position, first.drill) == (2, 1, False)


def test_undo_of_a_redrill_answer_asks_the_redrill_again(add_notes, stores, sql):
    add_notes("D", 1)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    session.answer(session.next(), 0, 1000, NOON)
    scheduled = state(store, 1)
    session.answer(session.next(), 5, 1000, NOON)
    assert session.next() is None
    session.undo()
    assert log(sql) == [(1, "review", 0)]
    assert state(store, 1) == scheduled
    drill = session.next()
    assert (drill.card_id, drill.drill) == (1, True)


# --- 6. bury ---------------------------------------------------------------


def test_bury_hides_the_card_until_the_next_study_day(add_notes, stores, studied, sql):
    add_notes("D", 3)
    studied(3, due=DAY)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    due = session.next()
    assert due.card_id == 3
    session.bury(due)  # a due card
    new = session.next()
    session.bury(new)  # and a new one
    assert drain(session) == [2]
    assert state(store, 3).buried_until == state(store, 1).buried_until == DAY + 1
    assert log(sql) == [(2, "review", 5)]  # a bury is not an answer
    assert store.reviews.counted_today(DAY) == (1, 1)
    assert ReviewSession(stores(), DAY, Settings()).next() is None  # not in a new session the same day
    tomorrow = ReviewSession(stores(), DAY + 1, Settings())
    assert drain(tomorrow) == [3, 2, 1]  # back the day after: due ones first, then the new one
    assert state(store, 3).due == DAY + 16


# --- 7. leeches ------------------------------------------------------------


def test_a_leech_is_tagged_and_suspended_when_leech_action_is_suspend(add_notes, stores, studied):
    add_notes("D", 2, "--tag", "keep")
    studied(1, due=DAY)
    store = stores()
    session = ReviewSession(store, DAY, Settings(leech_threshold=1, leech_action="suspend"))
    assert session.answer(session.next(), 1, 1000, NOON) == LogKind.REVIEW  # a lapse: the first one
    leech = state(store, 1)
    assert (leech.lapses, leech.suspended, leech.repetitions, leech.due) == (1, True, 0, DAY + 1)
    assert tags(store, 1) == "keep leech"
    second = session.next()
    assert session.answer(second, 0, 1000, NOON) == LogKind.REVIEW  # a new card failing is no lapse
    assert (state(store, 2).lapses, state(store, 2).suspended) == (0, False)
    drill = session.next()
    assert (drill.card_id, drill.drill) == (2, True)  # the suspended leech is not re-drilled
    session.answer(drill, 5, 1000, NOON)
    assert session.next() is None
    assert drain(ReviewSession(stores(), DAY + 1, Settings())) == [2]  # nor shown when due: only card 2 is


def test_a_leech_is_only_tagged_when_leech_action_is_tag(add_notes, stores, studied, write):
    add_notes("D", 1, "--tag", "keep")
    studied(1, due=DAY, repetitions=4, interval=20)
    write("update card set lapses = 2 where id = 1")
    store = stores()
    session = ReviewSession(store, DAY, Settings(leech_threshold=3, leech_action="tag"))
    session.answer(session.next(), 2, 1000, NOON)
    leech = state(store, 1)
    assert (leech.lapses, leech.suspended) == (3, False)
    assert tags(store, 1) == "keep leech"
    drill = session.next()
    assert (drill.card_id, drill.drill) == (1, True)  # still studied today
    session.answer(drill, 4, 1000, NOON)
    # Another lapse later: tagged once, not twice.
    later = ReviewSession(store, DAY + 1, Settings(leech_threshold=3, leech_action="tag"))
    later.answer(later.next(), 4, 1000, NOON + 86400)
    later = ReviewSession(store, DAY + 2, Settings(leech_threshold=3, leech_action="tag"))
    later.answer(later.next(), 0, 1000, NOON + 2 * 86400)
    assert state(store, 1).lapses == 4
    assert tags(store, 1) == "keep leech"


def test_a_card_below_the_leech_threshold_is_not_tagged(add_notes, stores, studied):
    add_notes("D", 1)
    studied(1, due=DAY)
    store = stores()
    session = ReviewSession(store, DAY, Settings(leech_threshold=2, leech_action="suspend"))
    session.answer(session.next(), 0, 1000, NOON)
    assert (state(store, 1).lapses, state(store, 1).suspended, tags(store, 1)) == (1, False, "")


# --- 8. cram ---------------------------------------------------------------


def test_cram_shows_only_studied_cards_not_due_yet_soonest_first_and_never_changes_state(add_notes, stores, studied, write, sql):
    add_notes("D", 6)
    studied(1, due=DAY)  # due today: the daily review's, not cram's
    studied(2, due=DAY + 5)
    studied(3, due=DAY + 2)
    studied(4, due=DAY + 1)
    write("update card set suspended = ? where id = 4", True)
    studied(5, due=DAY - 3)  # overdue
    # 6 stays new
    store = stores()
    before = {card_id: state(store, card_id) for card_id in range(1, 7)}
    session = ReviewSession(store, DAY, Settings(), cram=True)
    shown = []
    for grade in (0, 2):
        card_shown = session.next()
        shown.append(card_shown.card_id)
        assert not card_shown.drill
        assert session.answer(card_shown, grade, 1000, NOON) == LogKind.CRAM
    assert shown == [3, 2]
    assert session.next() is None  # failing grades in cram are not re-drilled
    assert {card_id: state(store, card_id) for card_id in range(1, 7)} == before
    assert log(sql) == [(3, "cram", 0), (2, "cram", 2)]
    assert store.reviews.counted_today(DAY) == (0, 0)
    # Crammed cards still come when due, and the day's queue is untouched.
    assert drain(ReviewSession(store, DAY, Settings())) == [5, 1, 6]


def test_cram_with_a_limit_takes_the_soonest(add_notes, stores, studied):
    add_notes("D", 3)
    for card_id, due in ((1, DAY + 9), (2, DAY + 3), (3, DAY + 4)):
        studied(card_id, due=due)
    session = ReviewSession(stores(), DAY, Settings(), cram=True, limit=2)
    assert drain_cram(session) == [2, 3]


# --- 9. summary ------------------------------------------------------------


def test_summary_counts_answered_correct_drills_buried_and_due_tomorrow(add_notes, stores, studied):
    add_notes("D", 6)
    studied(5, due=DAY + 1)  # due tomorrow already
    studied(6, due=DAY + 9)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    empty = session.summary()
    assert (empty.answered, empty.correct, empty.drills, empty.buried, empty.due_tomorrow, empty.nothing_due) == (0, 0, 0, 0, 1, False)
    for grade in (5, 3, 1):  # cards 1-3: all due tomorrow after this
        session.answer(session.next(), grade, 1000, NOON)
    session.bury(session.next())  # card 4
    for grade in (4, 2, 5):  # re-drills: card 2 once, card 3 twice
        drill = session.next()
        assert drill.drill
        session.answer(drill, grade, 1000, NOON)
    assert session.next() is None
    summary = session.summary()
    assert (summary.answered, summary.correct, summary.drills, summary.buried, summary.due_tomorrow) == (3, 2, 3, 1, 4)
    assert summary.nothing_due is False
    session.undo()  # the last re-drill
    session.undo()
    assert (session.summary().answered, session.summary().drills) == (3, 1)


def test_summary_says_nothing_was_due_for_an_empty_queue(add_notes, stores, studied):
    add_notes("D", 1)
    studied(1, due=DAY + 1)
    summary = ReviewSession(stores(), DAY, Settings()).summary()
    assert (summary.answered, summary.due_tomorrow, summary.nothing_due) == (0, 1, True)


def test_summary_counts_cram_answers(add_notes, stores, studied):
    add_notes("D", 2)
    studied(1, due=DAY + 1)
    studied(2, due=DAY + 2)
    session = ReviewSession(stores(), DAY, Settings(), cram=True)
    session.answer(session.next(), 1, 1000, NOON)
    session.answer(session.next(), 4, 1000, NOON)
    summary = session.summary()
    assert (summary.answered, summary.correct, summary.drills, summary.due_tomorrow) == (2, 1, 0, 1)


# --- 10. a card deleted meanwhile ------------------------------------------


def test_a_card_deleted_by_another_connection_between_next_and_answer_returns_gone_and_nothing_is_logged(add_notes, stores, write, sql):
    add_notes("D", 2)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    shown = session.next()
    write("delete from card where id = ?", shown.card_id)
    assert session.answer(shown, 4, 1000, NOON) == GONE
    assert log(sql) == []
    assert not session.can_undo()
    following = session.next()
    assert (following.card_id, following.position) == (2, 2)  # the session goes on
    session.answer(following, 5, 1000, NOON)
    summary = session.summary()
    assert (summary.answered, summary.correct) == (1, 1)


def test_a_redrill_card_deleted_meanwhile_returns_gone_and_the_redrill_ends(add_notes, stores, write, sql):
    add_notes("D", 1)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    session.answer(session.next(), 1, 1000, NOON)
    drill = session.next()
    assert drill.drill
    write("delete from review_log where card_id = ?", drill.card_id)
    write("delete from card where id = ?", drill.card_id)
    assert session.answer(drill, 5, 1000, NOON) == GONE
    assert log(sql) == []
    assert session.next() is None


def test_a_card_deleted_before_it_is_shown_is_skipped(add_notes, stores, write):
    add_notes("D", 3)
    session = ReviewSession(stores(), DAY, Settings())
    write("delete from card where id = 2")
    assert drain(session) == [1, 3]


def test_undo_goes_back_to_the_undone_card_past_cards_skipped_since(add_notes, stores, write):
    add_notes("D", 3)
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    first = session.next()
    session.answer(first, 4, 1000, NOON)
    second = session.next()
    write("delete from card where id = ?", second.card_id)
    assert session.answer(second, 4, 1000, NOON) == GONE  # nothing to undo for this one
    assert session.undo()
    assert session.next().card_id == first.card_id


def test_burying_a_card_keeps_its_sibling_away_the_same_day(run, stores):
    run("add", "D", "--front", "perro", "--back", "dog", "--reverse")
    store = stores()
    session = ReviewSession(store, DAY, Settings())
    session.bury(session.next())
    assert ReviewSession(store, DAY, Settings()).next() is None
    assert ReviewSession(store, DAY + 1, Settings()).next() is not None
