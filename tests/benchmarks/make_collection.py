"""Build a synthetic collection for benchmarks (not collected by pytest).

    python tests/benchmarks/make_collection.py OUT.db --cards 100000 --reviews 1000000

20 decks; cards spread over new / learning / young / mature; review-log rows
spread over the two years before TODAY. Written with sqlite3 bulk inserts after
the real migrations have created the schema.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from pathlib import Path

from studycards.collection import open_collection

TODAY = 20522  # 2026-03-10


def build(path: Path, cards: int, reviews: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    if path.exists():
        path.unlink()
    open_collection(path, 0)  # schema via migrations; the built-in decks load too
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    decks = [(f"Bench deck {i:02d}", "synthetic") for i in range(20)]
    conn.executemany("insert into deck (name, description) values (?, ?)", decks)
    deck_ids = [r[0] for r in conn.execute("select id from deck where name like 'Bench deck %' order by id")]
    first_note = (conn.execute("select coalesce(max(id), 0) from note").fetchone()[0]) + 1
    notes = [
        (deck_ids[i % 20], f"bench-{i}", "basic", 0, f"Question {i}?", f"Answer {i}", "bench", "bench", i // 20, 0)
        for i in range(cards)
    ]
    conn.executemany(
        "insert into note (deck_id, guid, note_type, reverse, front, back, tags, source, position, modified)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        notes,
    )
    rows = []
    for i in range(cards):
        kind = rng.random()
        if kind < 0.3:
            rows.append((first_note + i, 0, 250, 0, None, 0, 0, None))
        else:
            interval = rng.choice([1, 3, 6, 15, 30, 60, 120, 300])
            reps = 1 if interval == 1 else rng.randint(2, 9)
            due = TODAY + rng.randint(-10, interval)
            rows.append((first_note + i, reps, rng.randint(130, 300), interval, due, rng.randint(0, 3), 0, None))
    conn.executemany(
        "insert into card (note_id, kind, ord, repetitions, easiness, interval, due, lapses, suspended, buried_until, last_review)"
        " values (?, 'basic', 0, ?, ?, ?, ?, ?, ?, ?, 0)",
        rows,
    )
    studied = [r[0] for r in conn.execute("select id from card where due is not null and note_id >= ?", (first_note,))]
    base = 1_772_000_000
    batch = []
    for n in range(reviews):
        day = TODAY - rng.randint(0, 729)
        kind = "review" if rng.random() < 0.9 else "drill"
        batch.append(
            (rng.choice(studied), base - (TODAY - day) * 86400 + rng.randint(0, 86399), day, rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5]),
             kind, rng.randint(0, 8), 250, rng.choice([0, 1, 6, 15, 40]), None if rng.random() < 0.05 else day, 1, 250, 6, day + 6, rng.randint(800, 20000))
        )
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
