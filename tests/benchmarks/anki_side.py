"""The same benchmark work through Anki's own backend (the PyPI package `anki`).

    python tests/benchmarks/anki_side.py build OUT.anki2 --cards N --reviews M
    python tests/benchmarks/anki_side.py overview COL       # deck list with due counts
    python tests/benchmarks/anki_side.py first-card COL     # due queue, first card rendered
    python tests/benchmarks/anki_side.py import COL FILE.tsv
    python tests/benchmarks/anki_side.py import-empty NEW.anki2 FILE.tsv   # into a new, empty collection
    python tests/benchmarks/anki_side.py answer COL N       # prints seconds per answer
    python tests/benchmarks/anki_side.py stats COL          # the statistics screen's data

bench.py runs each of these as a whole process, like the studycards commands.
``build`` gives Anki the same cards (in 20 subdecks of one "Bench" deck,
which is selected, as Anki reviews one deck tree at a time) in the same states and the same review
history as make_collection.py (shared generators), shifted to Anki's day
numbering; it streams (arrays, rows in batches), so a million cards and ten
million review-log rows fit in little memory. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from array import array
from pathlib import Path
from typing import Iterator

MARK = "── "  # what bench.py waits for, as with studycards review
IMPORT_CHUNK = 50_000


def build(path: Path, cards: int, reviews: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from anki.collection import Collection, ImportCsvRequest
    from make_collection import BATCH, DECKS, batches, card_states, review_rows, today_and_noon

    today, noon = today_and_noon()
    if path.exists():
        path.unlink()
    tsv = path.with_suffix(".build.tsv")
    # The notes go in through Anki's own CSV import, IMPORT_CHUNK notes at a
    # time, each chunk with the collection opened afresh: the backend keeps
    # what one import used (about 1 kB a note), so one import of a million
    # notes, or many in one open collection, would take a gigabyte.
    for first in range(0, cards, IMPORT_CHUNK):
        with open(tsv, "w", encoding="utf-8") as out:
            out.write("#separator:tab\n#html:false\n#notetype:Basic\n#deck column:3\n")
            for i in range(first, min(cards, first + IMPORT_CHUNK)):
                out.write(f"Question {i}?\tAnswer {i}\tBench::Bench deck {i % DECKS:02d}\n")
        col = Collection(str(path))
        metadata = col.get_csv_metadata(str(tsv), None)
        col.import_csv(ImportCsvRequest(path=str(tsv), metadata=metadata))
        col.close()
    tsv.unlink(missing_ok=True)
    col = Collection(str(path))
    shift = col.sched.today - today
    col.decks.select(col.decks.id("Bench"))  # Anki studies one deck tree: the parent of all 20
    col.close()
    # The bulk of the state goes in with plain sqlite3: Anki's DB proxy makes
    # one backend call per row, which takes minutes for a million rows. All
    # of it streams: arrays instead of lists and dicts, rows in batches.
    conn = sqlite3.connect(path)
    conn.execute("pragma synchronous = off")
    conn.create_collation("unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold()))  # Anki's, for ANALYZE
    ids = array("q", bytes(8 * cards))  # card index -> Anki card id
    for cid, sfld in conn.execute("select c.id, n.sfld from cards c join notes n on c.nid = n.id"):
        ids[int(sfld.split()[1][:-1])] = cid
    studied = array("q")  # indexes of the cards that are not new, filled as the states go in

    def updates() -> Iterator[tuple[int, ...]]:
        for i, (reps, ease, ivl, due, lapses) in enumerate(card_states(cards, today)):
            if due is not None:
                studied.append(i)
                yield (ivl, due + shift, ease * 10, reps, lapses, ids[i])

    for batch in batches(updates()):
        conn.executemany("update cards set type = 2, queue = 2, ivl = ?, due = ?, factor = ?, reps = ?, lapses = ? where id = ?", batch)
    # Revlog ids are epoch milliseconds and must be unique: the n-th answer
    # in one second gets epoch * 1000 + n. A byte per second of the two
    # years (63 MB) counts them, instead of a set of every id used.
    base = noon - 730 * 86400
    seen = bytearray(731 * 86400)

    eases = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # SM-2 grade -> Anki's answer button

    def revlog() -> Iterator[tuple[int, ...]]:
        for index, epoch, _day, grade, kind, answer_ms in review_rows(studied, reviews, today, noon):
            n = seen[epoch - base]
            seen[epoch - base] = n + 1
            yield (epoch * 1000 + n, ids[index], eases[grade], 15, 6, 2500, answer_ms, 1 if kind == "review" else 2)

    for batch in batches(revlog(), BATCH):
        conn.executemany("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?, ?, -1, ?, ?, ?, ?, ?, ?)", batch)
    conn.commit()
    conn.execute("analyze")
    conn.close()


def import_into_new(path: Path, tsv: str) -> None:
    """A new, empty collection at ``path`` (created by this process, as the
    first studycards command creates its database), then import_csv."""
    from anki.collection import Collection, ImportCsvRequest

    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    col = Collection(str(path))
    metadata = col.get_csv_metadata(tsv, None)
    log = col.import_csv(ImportCsvRequest(path=tsv, metadata=metadata))
    print(f"{len(log.log.new)} new notes")
    col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "overview", "first-card", "import", "import-empty", "answer", "stats"])
    parser.add_argument("collection", type=Path)
    parser.add_argument("extra", nargs="?")
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.action == "build":
        build(args.collection, args.cards, args.reviews)
        return
    if args.action == "import-empty":
        import_into_new(args.collection, args.extra)
        return

    from anki.collection import Collection

    col = Collection(str(args.collection))
    if args.action == "overview":
        tree = col.sched.deck_due_tree()
        for node in tree.children:
            print(f"{node.name}\t{node.review_count}\t{node.new_count}\t{node.learn_count}")
    elif args.action == "first-card":
        queued = col.sched.get_queued_cards()
        card = col.get_card(queued.cards[0].card.id)
        print(MARK + card.question(), flush=True)
    elif args.action == "import":
        from anki.collection import ImportCsvRequest

        metadata = col.get_csv_metadata(args.extra, None)
        log = col.import_csv(ImportCsvRequest(path=args.extra, metadata=metadata))
        print(f"{len(log.log.new)} new notes")
    elif args.action == "answer":
        from anki.scheduler.v3 import CardAnswer

        count = int(args.extra)
        config = col.decks.config_dict_for_deck_id(col.decks.selected())
        config["rev"]["perDay"] = max(config["rev"]["perDay"], count)  # as `studycards review --limit N`
        col.decks.save(config)
        started = time.perf_counter()
        for _ in range(count):
            queued = col.sched.get_queued_cards().cards[0]
            card = col.get_card(queued.card.id)
            card.start_timer()
            card.question()
            answer = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
            col.sched.answer_card(answer)
        print(json.dumps({"per_answer_s": (time.perf_counter() - started) / count}))
    elif args.action == "stats":
        graphs = col._backend.graphs(search="", days=730)
        print(f"{graphs.ByteSize()} bytes of graph data")
    col.close()


if __name__ == "__main__":
    main()
