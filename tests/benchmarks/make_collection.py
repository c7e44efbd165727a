"""Build a synthetic collection for benchmarks (not collected by pytest).

    python tests/benchmarks/make_collection.py OUT.db --cards 100000 --reviews 1000000

20 decks; 30% of cards new, the rest studied with intervals from 1 to 300
days and due from 10 days ago to one interval ahead of today, so roughly 30%
of all cards are due; review-log rows spread over the two years before today.
Written with sqlite3 bulk inserts after the real migrations have created the
schema. ``card_states`` and ``review_rows`` are shared with anki_side.py, so
Anki's copy of the collection holds the same cards in the same states.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from pathlib import Path
from typing import Iterator

from studycards import clock
from studycards.collection import open_collection

DECKS = 20


def today_and_noon() -> tuple[int, int]:
    """Today's study day (default 4 am day start) and an epoch second at its noon, UTC."""
    now = clock.now()
    today = clock.study_day(now, 4)
    return today, today * 86400 + 43200


def card_states(cards: int, today: int, seed: int = 1) -> list[tuple[int, int, int, int | None, int]]:
    """(repetitions, easiness, interval, due, lapses) per card; due None = new."""
    rng = random.Random(seed)
    states = []
    for _ in range(cards):
        if rng.random() < 0.3:
            states.append((0, 250, 0, None, 0))
        else:
            interval = rng.choice([1, 3, 6, 15, 30, 60, 120, 300])
            reps = 1 if interval == 1 else rng.randint(2, 9)
            due = today + rng.randint(-10, interval)
            states.append((reps, rng.randint(130, 300), interval, due, rng.randint(0, 3)))
    return states


def review_rows(studied: list[int], reviews: int, today: int, noon: int, seed: int = 2) -> Iterator[tuple]:  # type: ignore[type-arg]
    """(card index, epoch second, study day, grade, kind, answer ms) over the two years before today."""
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


def build(path: Path, cards: int, reviews: int, seed: int = 1) -> None:
    if path.exists():
        path.unlink()
    today, noon = today_and_noon()
    open_collection(path, 0)  # schema via migrations; the built-in decks load too
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.executemany("insert into deck (name, description) values (?, ?)", [(f"Bench deck {i:02d}", "synthetic") for i in range(DECKS)])
    deck_ids = [r[0] for r in conn.execute("select id from deck where name like 'Bench deck %' order by id")]
    first_note = (conn.execute("select coalesce(max(id), 0) from note").fetchone()[0]) + 1
    conn.executemany(
        "insert into note (id, deck_id, guid, note_type, reverse, front, back, tags, source, position, modified)"
        " values (?, ?, ?, 'basic', 0, ?, ?, 'bench', 'bench', ?, 0)",
        ((first_note + i, deck_ids[i % DECKS], f"bench-{i}", f"Question {i}?", f"Answer {i}", i // DECKS) for i in range(cards)),
    )
    states = card_states(cards, today, seed)
    first_card = (conn.execute("select coalesce(max(id), 0) from card").fetchone()[0]) + 1
    conn.executemany(
        "insert into card (id, note_id, kind, ord, repetitions, easiness, interval, due, lapses, suspended, buried_until, last_review)"
        " values (?, ?, 'basic', 0, ?, ?, ?, ?, ?, 0, null, null)",
        ((first_card + i, first_note + i, *state) for i, state in enumerate(states)),
    )
    studied = [i for i, s in enumerate(states) if s[3] is not None]
    batch = []
    for index, epoch, day, grade, kind, answer_ms in review_rows(studied, reviews, today, noon):
        batch.append((first_card + index, epoch, day, grade, kind, 2, 250, 6, None if answer_ms % 20 == 0 else day, 3, 250, 15, day + 15, answer_ms))
        if len(batch) == 50_000:
            _logs(conn, batch)
            batch = []
    _logs(conn, batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _logs(conn: sqlite3.Connection, batch: list) -> None:  # type: ignore[type-arg]
    conn.executemany(
        "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
        " before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        batch,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.out, args.cards, args.reviews)
    print(f"{args.out}: {args.cards} cards, {args.reviews} reviews in {time.perf_counter() - started:.1f}s")
