"""Build a synthetic collection for benchmarks (not collected by pytest).

    python tests/benchmarks/make_collection.py OUT.db --cards 100000 --reviews 1000000

20 decks; 30% of cards new, the rest studied with intervals from 1 to 300
days and due from 10 days ago to one interval ahead of today, so roughly 30%
of all cards are due; review-log rows spread over the two years before today.

The schema comes from the real migrations, through the public CLI
(`python -m studycards --db OUT.db decks`, which also loads the built-in
decks); the rows then go in with sqlite3 bulk inserts, streamed in batches so
that a million cards and ten million review-log rows fit in little memory.
The inserts read the tables' columns first (``PRAGMA table_info``), so they
work before and after the data-layer change that adds ``card.deck_id``, and
a new NOT NULL column they do not know about stops the build with its name.
The explicit indexes of the filled tables are dropped during the inserts and
recreated from their own SQL afterwards.

``card_states`` and ``review_rows`` are shared with anki_side.py, so Anki's
copy of the collection holds the same cards in the same states.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import time
from array import array
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from studycards import clock

DECKS = 20
BATCH = 50_000


def today_and_noon() -> tuple[int, int]:
    """Today's study day (default 4 am day start) and an epoch second at its noon, UTC."""
    now = clock.now()
    today = clock.study_day(now, 4)
    return today, today * 86400 + 43200


def card_states(cards: int, today: int, seed: int = 1) -> Iterator[tuple[int, int, int, int | None, int]]:
    """(repetitions, easiness, interval, due, lapses) per card, in card order; due None = new.
    A generator: the same seed gives the same states, one at a time."""
    rng = random.Random(seed)
    for _ in range(cards):
        if rng.random() < 0.3:
            yield (0, 250, 0, None, 0)
        else:
            interval = rng.choice([1, 3, 6, 15, 30, 60, 120, 300])
            reps = 1 if interval == 1 else rng.randint(2, 9)
            due = today + rng.randint(-10, interval)
            yield (reps, rng.randint(130, 300), interval, due, rng.randint(0, 3))


def review_rows(studied: "array[int] | list[int]", reviews: int, today: int, noon: int, seed: int = 2) -> Iterator[tuple]:  # type: ignore[type-arg]
    """(card index, epoch second, study day, grade, kind, answer ms) over the two years before today.
    ``studied``: the indexes of the cards that are not new (an array keeps a million small)."""
    rng = random.Random(seed)
    for _ in range(reviews):
        ago = rng.randint(1, 729)
        yield (
            rng.choice(studied),
            noon - ago * 86400 + rng.randint(-43200, 43199),
            today - ago,
            rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5]),
            "review" if rng.random() < 0.9 else "drill",
            rng.randint(800, 20000),
        )


def batches(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:  # type: ignore[type-arg]
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def create_schema(path: Path) -> None:
    """Schema via the real migrations, through the public CLI (PYTHONPATH and
    the rest of the environment inherited); the built-in decks load too."""
    subprocess.run([sys.executable, "-m", "studycards", "--db", str(path), "decks"], check=True, capture_output=True)


def build(path: Path, cards: int, reviews: int, seed: int = 1) -> None:
    for stale in (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        stale.unlink(missing_ok=True)
    today, noon = today_and_noon()
    create_schema(path)
    conn = sqlite3.connect(path)
    # A rollback journal for the build: in WAL mode the one big transaction
    # would first go to a -wal file as large as the database.
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    indexes = _drop_indexes(conn, ("note", "card", "review_log"))
    insert = Inserter(conn)
    names = [f"Bench deck {i:02d}" for i in range(DECKS)]
    insert("deck", ("name", "description"), ((name, "synthetic", name.casefold()) for name in names), optional=("folded",))
    deck_ids = [r[0] for r in conn.execute("select id from deck where name like 'Bench deck %' order by id")]
    first_note = (conn.execute("select coalesce(max(id), 0) from note").fetchone()[0]) + 1
    insert(
        "note",
        ("id", "deck_id", "guid", "note_type", "reverse", "front", "back", "tags", "source", "position", "modified"),
        ((first_note + i, deck_ids[i % DECKS], f"bench-{i}", "basic", 0, f"Question {i}?", f"Answer {i}", "bench", "bench", i // DECKS, 0, 0) for i in range(cards)),
        optional=("created",),
    )
    first_card = (conn.execute("select coalesce(max(id), 0) from card").fetchone()[0]) + 1
    studied = array("q")  # indexes of the cards that are not new, filled as the cards go in

    def card_rows() -> Iterator[tuple]:  # type: ignore[type-arg]
        for i, state in enumerate(card_states(cards, today, seed)):
            if state[3] is not None:
                studied.append(i)
            yield (first_card + i, first_note + i, "basic", 0, *state, 0, None, None, deck_ids[i % DECKS])

    columns = ("id", "note_id", "kind", "ord", "repetitions", "easiness", "interval", "due", "lapses", "suspended", "buried_until", "last_review")
    # card.deck_id (the card's note's deck), where the schema has it: the data-layer refactor adds it.
    insert("card", columns, card_rows(), optional=("deck_id",))
    insert(
        "review_log",
        ("card_id", "time", "study_day", "grade", "kind", "before_repetitions", "before_easiness", "before_interval", "before_due",
         "after_repetitions", "after_easiness", "after_interval", "after_due", "answer_ms"),
        (
            (first_card + index, epoch, day, grade, kind, 2, 250, 6, None if answer_ms % 20 == 0 else day, 3, 250, 15, day + 15, answer_ms)
            for index, epoch, day, grade, kind, answer_ms in review_rows(studied, reviews, today, noon)
        ),
    )
    # Only the first answer of a card on a study day is counted (a unique
    # index holds that); the random rows repeat some: those become re-drills,
    # as migration m004 does.
    conn.execute(
        "update review_log set kind = 'drill' where kind = 'review' and id not in"
        " (select min(id) from review_log where kind = 'review' group by card_id, study_day)"
    )
    conn.commit()
    for sql in indexes:
        conn.execute(sql)
    conn.commit()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")  # as the CLI left it
    conn.close()


class Inserter:
    """Bulk inserts that follow the table's actual columns: ``optional``
    trailing values go in only where the column exists, and a NOT NULL
    column without a default that the caller does not fill is an error with
    its name rather than a failed insert halfway through a million rows.
    Values are plain integers and strings (booleans as 0/1), which SQLite
    stores the same whatever the declared types are."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __call__(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], optional: tuple[str, ...] = ()) -> None:  # type: ignore[type-arg]
        info = {r[1]: r for r in self.conn.execute(f"PRAGMA table_info({table})")}  # cid, name, type, notnull, dflt, pk
        missing = [c for c in columns if c not in info]
        if missing:
            raise SystemExit(f"make_collection: table {table} has no column {', '.join(missing)}; update make_collection.py")
        present = [c in info for c in optional]
        used = (*columns, *(c for c, here in zip(optional, present) if here))
        unknown = [name for name, (_, _, _, notnull, dflt, pk) in info.items() if notnull and dflt is None and not pk and name not in used]
        if unknown:
            raise SystemExit(f"make_collection: table {table} has NOT NULL column(s) {', '.join(unknown)} that it does not fill; update make_collection.py")
        sql = f"insert into {table} ({', '.join(used)}) values ({', '.join('?' * len(used))})"
        width = len(columns)
        if optional and not all(present):
            keep = [width + k for k, here in enumerate(present) if here]
            rows = (row[:width] + tuple(row[k] for k in keep) for row in rows)
        for batch in batches(rows):
            self.conn.executemany(sql, batch)


def _drop_indexes(conn: sqlite3.Connection, tables: tuple[str, ...]) -> list[str]:
    """Drop the explicit indexes of ``tables`` (not the ones behind UNIQUE or
    PRIMARY KEY constraints) and return their SQL, to recreate them after the
    bulk inserts: one sorted build instead of a million random updates."""
    marks = ", ".join("?" * len(tables))
    rows = conn.execute(f"select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in ({marks})", tables).fetchall()
    for name, _ in rows:
        conn.execute(f'drop index "{name}"')
    return [sql for _, sql in rows]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.out, args.cards, args.reviews)
    print(f"{args.out}: {args.cards} cards, {args.reviews} reviews in {time.perf_counter() - started:.1f}s")
