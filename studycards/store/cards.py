"""The ``card`` table: the day's queue, a card's state, bulk card writes,
suspending and listing."""

from __future__ import annotations

from contextlib import closing
from typing import Any, Iterator, NamedTuple

from studycards.records import CardKind, CardState, NoteKind
from studycards.store.conn import Conn, Read, by_first, in_list
from studycards.store.predicates import COUNTED, DUE_BY, FACE, NEW, VISIBLE, in_decks, params
from studycards.store.search import FROM as _SEARCH_FROM
from studycards.store.search import Condition

STATE_COLUMNS = ", ".join(f'card."{f}"' for f in CardState.FIELDS)
_SET_STATE = ", ".join(f'"{f}" = :{f}' for f in CardState.FIELDS)
_NEW_CARD = CardState()
# A new card: every state column from CardState's defaults, so the initial
# easiness has one source (the scheduler).
_INSERT_INTO = 'INSERT INTO card (note_id, deck_id, kind, ord, suspended, ' + ", ".join(f'"{f}"' for f in CardState.FIELDS if f != "suspended") + ")"
_NEW_STATE = ", ".join("NULL" if getattr(_NEW_CARD, f) is None else str(getattr(_NEW_CARD, f)) for f in CardState.FIELDS if f != "suspended")
INSERT = f"{_INSERT_INTO} VALUES (?, ?, ?, ?, ?, {_NEW_STATE})"
_RESET_FIELDS = tuple(f for f in CardState.FIELDS if f != "suspended")  # suspending is the user's, not progress
_RESET_STATE = ", ".join(f'"{f}" = :new_{f}' for f in _RESET_FIELDS)
_RESET_VALUES = {f"new_{f}": getattr(_NEW_CARD, f) for f in _RESET_FIELDS}
_CHUNK = 500
# The order of ``studycards cards``: deck, the note's place in it, kind, ordinal.
LISTING_ORDER = 'ORDER BY deck.folded, note."position", note.id, card.kind, card.ord'  # decks regardless of case


# A card of the same note is buried today (it was seen today): one probe of
# the (note, kind, ord) index, evaluated with the row, so building a queue
# costs no statement per card.
_SIBLING_BURIED = (
    "CASE WHEN EXISTS (SELECT 1 FROM card AS sibling WHERE sibling.note_id = card.note_id AND sibling.buried_until > :today)"
    " THEN 1 ELSE 0 END"
)


class AnswerContext(NamedTuple):
    state: CardState
    note_id: int
    tags: str
    deck_id: int
    deck_new_limit: int | None  # the deck's own limit; None: the global setting
    new_today: int  # new cards introduced today, in all decks
    deck_new_today: int  # ... and in this card's deck
    counted: bool  # the card already has a counted answer today


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class Cards:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    # --- the day's queue -------------------------------------------------

    def due_queue(self, today: int, deck_ids: list[int] | None) -> Iterator[tuple[int, int, bool]]:
        """(card id, note id, whether a card of its note is buried today) of
        visible due cards, most overdue first; read lazily."""
        decks, values = in_decks(deck_ids)
        with closing(self.conn.rows(
            f"SELECT card.id, card.note_id, {_SIBLING_BURIED} FROM card WHERE {VISIBLE} AND {DUE_BY}{decks} ORDER BY card.due, card.id",
            **params(today),
            **values,
        )) as rows:
            for row in rows:
                yield row[0], row[1], bool(row[2])

    def new_queues(self, today: int, deck_ids: list[int]) -> list[Iterator[tuple[int, int, bool]]]:
        """For each deck, (card id, note id, whether a card of its note is
        buried today) of its visible new cards in order: read lazily here,
        and all in one round trip on a server."""
        queries = []
        for deck_id in deck_ids:
            queries.append((
                f"SELECT card.id, card.note_id, {_SIBLING_BURIED} FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id"
                f" WHERE {VISIBLE} AND {NEW} AND card.deck_id = :deck {LISTING_ORDER}",
                {**params(today), "deck": deck_id},
            ))
        return [((row[0], row[1], bool(row[2])) for row in rows) for rows in self.conn.streams(queries)]

    def cram_queue(self, today: int, deck_ids: list[int] | None, limit: int) -> list[int]:
        """Studied cards that are not due yet, soonest first."""
        decks, values = in_decks(deck_ids)
        rows = self.conn.all(
            f"SELECT card.id FROM card WHERE {VISIBLE} AND card.due > :today{decks} ORDER BY card.due, card.id LIMIT :limit",
            limit=limit,
            **params(today),
            **values,
        )
        return [row[0] for row in rows]

    def count_due(self, day: int, deck_ids: list[int] | None) -> int:
        decks, values = in_decks(deck_ids)
        return int(self.conn.scalar(f"SELECT COUNT(*) FROM card WHERE {VISIBLE} AND {DUE_BY}{decks}", **params(day), **values))

    def due_by_deck(self, today: int) -> dict[int, int]:
        return self.conn.fetch(self.due_by_deck_read(today))[0]

    @staticmethod
    def due_by_deck_read(today: int) -> Read[dict[int, int]]:
        return Read(f"SELECT card.deck_id, COUNT(*) FROM card WHERE {VISIBLE} AND {DUE_BY} GROUP BY card.deck_id", params(today), by_first)

    def new_by_deck(self, today: int) -> dict[int, int]:
        return self.conn.fetch(self.new_by_deck_read(today))[0]

    @staticmethod
    def new_by_deck_read(today: int) -> Read[dict[int, int]]:
        return Read(f"SELECT card.deck_id, COUNT(*) FROM card WHERE {VISIBLE} AND {NEW} GROUP BY card.deck_id", params(today), by_first)

    def decks_of(self, card_ids: list[int]) -> list[int]:
        """The deck of each card (one entry per card found)."""
        fragment, ids = in_list("card", card_ids)
        return [row[0] for row in self.conn.all(f"SELECT card.deck_id FROM card WHERE card.id IN {fragment}", **ids)]

    # --- one card --------------------------------------------------------

    def face(self, card_id: int, visible_on: int | None = None) -> Any | None:
        """What showing the card needs: kind, ord, front, back, deck name.
        None if the card is gone, or (with ``visible_on``) hidden that day."""
        visible = f" AND {VISIBLE}" if visible_on is not None else ""
        return self.conn.one(
            f"SELECT {FACE}, deck.name"
            f" FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id WHERE card.id = :id{visible}",
            id=card_id,
            **params(visible_on if visible_on is not None else 0),
        )

    def to_show(self, card_id: int, today: int, visible: bool) -> tuple[Any, CardState, int, bool] | None:
        """Everything showing a card needs, in one statement (one round trip
        on a server): its face (kind, ord, front, back, deck name), its
        state, its deck and whether it has a counted answer on ``today``.
        None if the card is gone, or (with ``visible``) hidden that day."""
        condition = f" AND {VISIBLE}" if visible else ""
        row = self.conn.one(
            f"SELECT {FACE}, deck.name, {STATE_COLUMNS}, card.deck_id,"
            " CASE WHEN EXISTS (SELECT 1 FROM review_log WHERE review_log.card_id = card.id"
            f" AND review_log.study_day = :today AND {COUNTED}) THEN 1 ELSE 0 END"
            f" FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id WHERE card.id = :id{condition}",
            id=card_id,
            **params(today),
        )
        if row is None:
            return None
        values = tuple(row)
        n = len(CardState.FIELDS)
        return values[:5], CardState.from_row(values[5 : 5 + n]), values[5 + n], bool(values[6 + n])

    def answer_context(self, card_id: int, today: int) -> AnswerContext | None:
        """What answering a card needs, in one statement (inside the answer's
        transaction, so one round trip on a server with its BEGIN): the
        card's state, note and tags, its deck, the new cards introduced
        today in all and in that deck, with the deck's own limit (for the
        daily cap), and whether the card already has a counted answer today
        (read behind the write lock, so it stays true until the COMMIT).
        None if the card is gone."""
        new_today = f"review_log.study_day = :today AND {COUNTED} AND review_log.before_due IS NULL"
        row = self.conn.one(
            f"SELECT {STATE_COLUMNS}, card.note_id, note.tags, card.deck_id, deck.new_per_day,"
            f" (SELECT COUNT(*) FROM review_log WHERE {new_today}),"
            f" (SELECT COUNT(*) FROM review_log JOIN card AS other ON other.id = review_log.card_id WHERE {new_today} AND other.deck_id = card.deck_id),"
            " CASE WHEN EXISTS (SELECT 1 FROM review_log WHERE review_log.card_id = card.id"
            f" AND review_log.study_day = :today AND {COUNTED}) THEN 1 ELSE 0 END"
            " FROM card JOIN note ON note.id = card.note_id JOIN deck ON deck.id = card.deck_id WHERE card.id = :id",
            id=card_id,
            **params(today),
        )
        if row is None:
            return None
        values = tuple(row)
        n = len(CardState.FIELDS)
        note_id, tags, deck_id, limit, new_done, deck_new_done, counted = values[n:]
        return AnswerContext(CardState.from_row(values[:n]), note_id, tags, deck_id, limit, int(new_done), int(deck_new_done), bool(counted))

    def deck_of(self, card_id: int) -> int | None:
        return self.conn.scalar("SELECT deck_id FROM card WHERE id = :id", id=card_id)

    def state(self, card_id: int) -> tuple[CardState, int, str] | None:
        """The card's state, its note id and the note's tags; None if it is gone."""
        row = self.conn.one(
            f"SELECT {STATE_COLUMNS}, card.note_id, note.tags FROM card JOIN note ON note.id = card.note_id WHERE card.id = :id",
            id=card_id,
        )
        if row is None:
            return None
        n = len(CardState.FIELDS)
        return CardState.from_row(tuple(row)[:n]), row[n], row[n + 1]

    def studied_with_history(self, deck_ids: list[int]) -> Iterator[tuple[int, int, CardState, list[tuple[int, int, CardState | None]]]]:
        """Studied cards of these decks, each with its counted answers in
        order as (study day, grade, the state before it when the card was not
        new then, else None): what replaying a card's memory needs. Two
        statements in all, read in pages."""
        for chunk in _chunks(deck_ids):
            fragment, ids = in_list("deck", chunk)
            rows = self.conn.all(f"SELECT card.id, card.deck_id, {STATE_COLUMNS} FROM card WHERE card.deck_id IN {fragment} AND card.due IS NOT NULL ORDER BY card.id", **ids)
            history: dict[int, list[tuple[int, int, CardState | None]]] = {}
            for log in self.conn.all(
                "SELECT review_log.card_id, review_log.study_day, review_log.grade, review_log.before_repetitions, review_log.before_easiness,"
                " review_log.before_interval, review_log.before_due FROM review_log JOIN card ON card.id = review_log.card_id"
                f" WHERE card.deck_id IN {fragment} AND card.due IS NOT NULL AND {COUNTED} ORDER BY review_log.id",
                **ids,
                **params(0),
            ):
                before = None if log[6] is None else CardState(log[3], log[4], log[5], log[6])
                history.setdefault(log[0], []).append((log[1], log[2], before))
            for row in rows:
                values = tuple(row)
                yield values[0], values[1], CardState.from_row(values[2:]), history.get(values[0], [])

    def save_state(self, card_id: int, state: CardState) -> None:
        """Sent with the commit on a server (no round trip of its own)."""
        values = {f: getattr(state, f) for f in CardState.FIELDS}
        self.conn.execute_later(f"UPDATE card SET {_SET_STATE} WHERE id = :id", id=card_id, **values)

    def bury(self, card_id: int, until: int) -> None:
        self.conn.execute("UPDATE card SET buried_until = :until WHERE id = :id", until=until, id=card_id)

    # --- many cards ------------------------------------------------------

    def of_notes(self, note_ids: list[int]) -> dict[int, dict[tuple[str, int], tuple[int, int | None, bool]]]:
        """Each note's cards: (kind, ord) -> (id, due, suspended)."""
        out: dict[int, dict[tuple[str, int], tuple[int, int | None, bool]]] = {}
        for chunk in _chunks(note_ids):
            fragment, ids = in_list("note", chunk)
            for note_id, kind, ordinal, card_id, due, suspended in self.conn.all(
                f"SELECT note_id, kind, ord, id, due, suspended FROM card WHERE note_id IN {fragment}", **ids
            ):
                out.setdefault(note_id, {})[(kind, ordinal)] = (card_id, due, bool(suspended))
        return out

    def states_of_notes(self, note_ids: list[int]) -> list[tuple[int, int, str, int, CardState]]:
        """(note id, card id, kind, ord, state) of the notes' cards, by note, kind and ord."""
        out = []
        for chunk in _chunks(note_ids):
            fragment, ids = in_list("note", chunk)
            for row in self.conn.all(
                f"SELECT card.note_id, card.id, card.kind, card.ord, {STATE_COLUMNS} FROM card"
                f" WHERE card.note_id IN {fragment} ORDER BY card.note_id, card.kind, card.ord",
                **ids,
            ):
                out.append((row[0], row[1], row[2], row[3], CardState.from_row(tuple(row)[4:])))
        return out

    def insert_many(self, rows: list[tuple[int, int, str, int]]) -> None:
        """New cards as (note id, deck id, kind, ord)."""
        self.conn.execute_many(INSERT, [(*row, _NEW_CARD.suspended) for row in rows])

    def insert_for_notes_above(self, before: int) -> int:
        """The cards of front/back notes with ids above ``before`` (a basic
        card each, and a reversed one where asked), made by the database
        from the note rows in note order; returns how many. A 100,000-note
        import spends a third of the time of sending each row from Python."""
        return self.conn.execute(
            f"{_INSERT_INTO} SELECT note.id, note.deck_id, kinds.kind, 0, :no, {_NEW_STATE}"
            " FROM note JOIN (SELECT :basic AS kind, 0 AS rank UNION ALL SELECT :reversed, 1) kinds"
            " ON kinds.rank = 0 OR note.reverse = :yes"
            " WHERE note.id > :before AND note.note_type = :front_back ORDER BY note.id, kinds.rank",
            before=before,
            no=False,
            yes=True,
            basic=CardKind.BASIC.value,
            reversed=CardKind.REVERSED.value,
            front_back=NoteKind.BASIC.value,
        )

    def dues(self, card_ids: list[int]) -> dict[int, int | None]:
        """Each card's due day (None while new)."""
        out: dict[int, int | None] = {}
        for chunk in _chunks(card_ids):
            fragment, ids = in_list("card", chunk)
            out.update((row[0], row[1]) for row in self.conn.all(f"SELECT id, due FROM card WHERE id IN {fragment}", **ids))
        return out

    def set_kinds(self, rows: list[tuple[str, int, int]]) -> None:
        """(kind, ord, card id): a card that stays the same card under another kind."""
        self.conn.execute_many("UPDATE card SET kind = ?, ord = ? WHERE id = ?", rows)

    def set_text_many(self, rows: list[tuple[int, str, str]]) -> None:
        """(card id, question, answer): a typed card's rendered sides."""
        self.conn.execute_many("UPDATE card SET question = ?, answer = ? WHERE id = ?", [(q, a, c) for c, q, a in rows])

    def texts_of_notes(self, note_ids: list[int]) -> dict[tuple[int, str, int], tuple[int, str | None, str | None]]:
        """(note id, kind, ord) -> (card id, question, answer) of the notes' cards."""
        out: dict[tuple[int, str, int], tuple[int, str | None, str | None]] = {}
        for chunk in _chunks(note_ids):
            fragment, ids = in_list("note", chunk)
            for note_id, kind, ordinal, card_id, question, answer in self.conn.all(
                f"SELECT note_id, kind, ord, id, question, answer FROM card WHERE note_id IN {fragment}", **ids
            ):
                out[(note_id, kind, ordinal)] = (card_id, question, answer)
        return out

    def delete_many(self, card_ids: list[int]) -> None:
        self.conn.execute_many("DELETE FROM card WHERE id = ?", [(i,) for i in card_ids])

    def suspend_many(self, card_ids: list[int]) -> None:
        self.conn.execute_many("UPDATE card SET suspended = ? WHERE id = ?", [(True, i) for i in card_ids])

    def move_notes(self, moves: list[tuple[int, int]]) -> None:
        """(note id, deck id): a note's cards follow it to its new deck."""
        self.conn.execute_many("UPDATE card SET deck_id = ? WHERE note_id = ?", [(deck, note) for note, deck in moves])

    def set_suspended(self, card_ids: list[int], suspended: bool) -> tuple[int, list[int]]:
        """Suspend or unsuspend; returns (how many changed, ids not found)."""
        found: set[int] = set()
        changed = 0
        for chunk in _chunks(card_ids):
            fragment, ids = in_list("card", chunk)
            found.update(row[0] for row in self.conn.all(f"SELECT id FROM card WHERE id IN {fragment}", **ids))
            changed += self.conn.execute(
                f"UPDATE card SET suspended = :flag WHERE id IN {fragment} AND suspended <> :flag", flag=suspended, **ids
            )
        return changed, sorted(set(card_ids) - found)

    def notes_of(self, card_ids: list[int]) -> list[int]:
        """The notes of the cards, each once, in the order of ``card_ids``."""
        by_card: dict[int, int] = {}
        for chunk in _chunks(card_ids):
            fragment, ids = in_list("card", chunk)
            by_card.update((row[0], row[1]) for row in self.conn.all(f"SELECT id, note_id FROM card WHERE id IN {fragment}", **ids))
        return list(dict.fromkeys(by_card[c] for c in card_ids if c in by_card))

    def existing(self, card_ids: list[int]) -> set[int]:
        """Which of ``card_ids`` are cards."""
        found: set[int] = set()
        for chunk in _chunks(card_ids):
            fragment, ids = in_list("card", chunk)
            found.update(row[0] for row in self.conn.all(f"SELECT id FROM card WHERE id IN {fragment}", **ids))
        return found

    def reset(self, card_ids: list[int]) -> tuple[int, list[int]]:
        """Make cards new again: every state column but ``suspended`` back to
        a new card's (CardState's defaults); the review log is not touched.
        Returns (how many were reset, ids not found)."""
        found = self.existing(card_ids)
        for chunk in _chunks(sorted(found)):
            fragment, ids = in_list("card", chunk)
            self.conn.execute(f"UPDATE card SET {_RESET_STATE} WHERE id IN {fragment}", **_RESET_VALUES, **ids)
        return len(found), sorted(set(card_ids) - found)

    def listing(
        self,
        deck_ids: list[int] | None,
        today: int,
        due_only: bool,
        condition: Condition | None = None,
        limit: int | None = None,
    ) -> list[Any]:
        """Rows for ``studycards cards``: id, deck name, kind, ord, front, back,
        tags, repetitions, easiness, interval, due, lapses, suspended, note id; only
        cards meeting ``condition`` (a compiled search) if given, at most
        ``limit`` of them."""
        decks, values = in_decks(deck_ids)
        due = f" AND {DUE_BY} AND {VISIBLE}" if due_only else ""
        where = f" AND {condition.sql}" if condition is not None else ""
        bound = {**params(today), **values, **(condition.params if condition is not None else {})}
        limited = _limit(limit, bound)
        return self.conn.all(
            f"SELECT card.id, deck.name, {FACE}, note.tags,"
            ' card.repetitions, card.easiness, card."interval", card.due, card.lapses, card.suspended, note.id'
            f" FROM {_SEARCH_FROM}"
            f" WHERE 1 = 1{decks}{due}{where}"
            f" {LISTING_ORDER}{limited}",
            **bound,
        )

    def search(self, condition: Condition, today: int, limit: int | None = None) -> list[int]:
        """Ids of the cards meeting ``condition`` (a compiled search), in the
        order of ``listing``; at most ``limit`` of them."""
        bound = {**params(today), **condition.params}
        limited = _limit(limit, bound)
        rows = self.conn.all(f"SELECT card.id FROM {_SEARCH_FROM} WHERE {condition.sql} {LISTING_ORDER}{limited}", **bound)
        return [row[0] for row in rows]


def _limit(limit: int | None, bound: dict[str, object]) -> str:
    """`` LIMIT :limit`` (added to ``bound``), or nothing for no limit."""
    if limit is None:
        return ""
    bound["limit"] = limit
    return " LIMIT :limit"
