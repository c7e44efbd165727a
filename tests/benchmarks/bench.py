"""Whole-process benchmark of studycards, side by side with Anki's backend.

    pip install -e '.[bench]'          # studycards plus Anki's backend (`anki` on PyPI)
    python tests/benchmarks/bench.py [--sizes 10000 100000] [--reviews 1000000] [--runs 5]
                                     [--only GROUP ...] [--no-anki] [--json results.json]
                                     [--server postgresql://USER@HOST/DB]

For each size it builds a collection (20 decks, the given number of review-log
rows over the two years before today; see make_collection.py, which streams,
so `--sizes 1000000 --reviews 10000000` builds in bounded memory) and
measures whole processes, one warm-up run then the median of --runs (of
--runs // 2, at least 1, for imports and answers). The measurements come in
groups, all run by default; `--only` picks some of them:

- ``startup``: `studycards --help`, interleaved round by round with its
  floors `python -c pass` and `python -c "import click"`.
- ``overview``: the overview (`studycards`) and `studycards decks`, each
  also as a ratio to Anki's deck list (its deck-due tree) on the same
  cards. Targets: overview at most 0.5x, `decks` at most 1x (at 1M cards).
- ``review``: the time until the first card of `studycards review` is on
  screen, and answering 300 cards in a piped session (per answer: the whole
  session less the time to its first card, over 300).
- ``stats``: `studycards stats`.
- ``import``: a 100,000-note Anki TSV file imported into a copy of the
  collection (``import_100k_tsv_s``); re-imported into a copy that already
  holds it, where nothing changes (only the second import is timed:
  ``reimport_unchanged_100k_tsv_s``); and, once per run rather than per
  size, imported into a new, empty collection by both tools
  (``import_empty``: the process creates the database, which for
  studycards also loads its built-in decks). All three are shown as ratios
  to Anki's `import_csv` into an empty collection. Targets: imports at
  most 0.5x, the unchanged re-import at most 0.75x.
- ``commands``: every other command that touches the database, as a ratio
  to the overview on the same collection, timed interleaved with it round
  by round: `add`, `suspend`, `unsuspend` and `import` of a 10-line TSV file
  on a fresh copy of the database each round; `cards` of one deck,
  `config`, `export` of one deck to TOML (a new file each run) and
  `check` on the collection itself. Target: at most 1.5x the overview.
- ``fsrs`` (needs the fsrs extra; once per run, not per size): a synthetic
  learner on SM-2 (its intervals are SM-2's) whose memory follows FSRS with
  known parameters
  (``fsrs_fit.synthetic_log``; first-day stabilities of 1, 3, 8 and 30 days
  instead of the defaults) answers for two years until the review log has
  about ``--fsrs-rows`` rows (default 1,000,000); `studycards optimize
  --dry-run` is timed on it and its output printed (the README's example).
  Then, on a copy of the 10,000-card collection, the piped 300-answer
  session is timed with every deck on SM-2 and on FSRS, interleaved: target
  FSRS at most SM-2 + 1 ms per answer.
- ``server`` (only with ``--server URL``, a PostgreSQL role that may create
  databases): the collection is copied to a new database on that server
  with `studycards copy --to` (untimed). On the server as it is (local),
  the overview is timed interleaved with the SQLite overview: target at
  most 2.5x. Then through a delay proxy on the loopback (tests/tcp_proxy.py,
  10 ms each way: a 20 ms round trip): the overview beyond `--help`
  (the process start; target at most 400 ms) and the time per answer of a
  piped 50-answer session (target at most 80 ms), with the round trips
  the proxy counted per answer (target at most 3; the session's end adds
  one for the whole session). The driver's import (`python -c "import
  psycopg"` less `python -c pass`) is reported beside them: it is most of
  what a server costs a process that SQLite does not.

Peak memory (max RSS of the processes measured) and the database size are
reported too. When `anki` is importable, the same work runs through Anki's
backend on the same cards and history (anki_side.py) in the same run, and
the tables show the ratio studycards / Anki: below 1.0 means studycards is
faster; a ratio over its target is marked with "!". `--json` writes every
median, the ratios and the machine. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_collection import build  # noqa: E402

STUDYCARDS = [sys.executable, "-m", "studycards"]
BIN = Path(sys.executable).with_name("studycards")
if BIN.exists():
    STUDYCARDS = [str(BIN)]
ANKI = [sys.executable, str(HERE / "anki_side.py")]
MARK = "── ".encode()  # the first line of a card on screen, for both tools
ANSWERS = 300
DECK = "Bench deck 00"  # the deck that `cards`, `add` and `export` name
GROUPS = ("startup", "overview", "review", "stats", "import", "commands", "server", "fsrs")
PER_SIZE = {"overview", "review", "stats", "import", "commands", "server"}  # the groups that need the built collections
WITH_ANKI = {"overview", "review", "stats", "import"}  # the groups that Anki runs too
METRICS = (  # key, label, compared with Anki
    ("overview_s", "overview (deck list, due counts)", True),
    ("first_card_s", "time to first card", True),
    ("stats_s", "statistics", True),
    ("import_100k_tsv_s", "import 100,000-note TSV", True),
    ("per_answer_s", "per answer (durable commit)", True),
)
COMMANDS = (  # key in results["sizes"][i]["studycards"]["commands"], label; timed interleaved, round by round
    ("overview_s", "studycards (the overview)"),
    ("add_s", f'add "{DECK}" --front X --back Y'),
    ("cards_s", f'cards --deck "{DECK}"'),
    ("cards_all_json_s", "cards --json (every card; target: under 2 s)"),
    ("config_s", "config"),
    ("suspend_s", "suspend ID"),
    ("unsuspend_s", "unsuspend ID"),
    ("export_s", f'export "{DECK}" -o FILE.toml'),
    ("check_s", "check"),
    ("import_10_tsv_s", "import (10-line TSV)"),
)
TARGETS = {  # ratio key -> the most the team accepts
    "command": 1.5,
    "overview_vs_anki_deck_list": 0.5,
    "decks_vs_anki_deck_list": 1.0,
    "import": 0.5,
    "reimport": 0.75,
    "server_overview_vs_sqlite": 2.5,
    "overview_beyond_start_20ms_s": 0.4,
    "per_answer_20ms_s": 0.08,
    "round_trips_per_answer": 3,
}
SERVER_ANSWERS = 50


def timed(cmd: list[str], env: dict[str, str], stdin: bytes | None = None, until: bytes | None = None) -> tuple[float, int]:
    """Seconds until the process exits (or prints a line starting with ``until``), and its peak RSS in KiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = None
    if until is not None:
        for line in proc.stdout:  # type: ignore[union-attr]
            if line.startswith(until):
                elapsed = time.perf_counter() - started
                break
        proc.stdin.close()  # type: ignore[union-attr]
        proc.stdout.read()  # type: ignore[union-attr]
    else:
        proc.stdin.write(stdin or b"")  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
        proc.stdout.read()  # type: ignore[union-attr]
    errors = proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if elapsed is None:
        elapsed = time.perf_counter() - started
    if proc.returncode != 0 or (until is not None and elapsed is None):
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {errors.decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def startup(runs: int) -> dict[str, float]:
    """`python -c pass`, `python -c "import click"` and `studycards --help`,
    interleaved round by round so that all three see the same machine."""
    commands = {
        "python_pass_s": [sys.executable, "-c", "pass"],
        "python_import_click_s": [sys.executable, "-c", "import click"],
        "help_s": [*STUDYCARDS, "--help"],
    }
    env = dict(os.environ)
    for cmd in commands.values():
        timed(cmd, env)  # warm-up
    times: dict[str, list[float]] = {key: [] for key in commands}
    for _ in range(max(runs, 10)):
        for key, cmd in commands.items():
            times[key].append(timed(cmd, env)[0])
    return {key: round(statistics.median(values), 5) for key, values in times.items()}


def median(runs: int, measure: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    measure()  # warm-up: file cache, .pyc files
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def write_tsv(path: Path, notes: int, deck: str = "Imported TSV") -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"#separator:tab\n#html:false\n#deck:{deck}\n")
        for i in range(notes):
            out.write(f"tsv question {i}\ttsv answer {i}\ttag{i % 50}\n")


def remove_db(path: Path) -> None:
    """A database file and whatever SQLite or Anki keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.rmtree(path.with_suffix(".media"), ignore_errors=True)  # Anki's media folder


def fresh_copy(src: Path, dst: Path) -> None:
    remove_db(dst)  # a stale -wal beside the copy would be replayed into it
    shutil.copy(src, dst)


class Figures(dict):  # type: ignore[type-arg]
    """Medians by name, and the peak RSS of every process measured."""

    def __init__(self) -> None:
        super().__init__(peak_rss_kib=0)

    def record(self, name: str, value: tuple[float, int]) -> None:
        self[name] = round(value[0], 5)
        self["peak_rss_kib"] = max(self["peak_rss_kib"], value[1])


def measure_studycards(db: Path, tsv: Path, runs: int, work: Path, groups: set[str]) -> Figures:
    env = dict(os.environ, STUDYCARDS_DB=str(db))
    out = Figures()
    copy = work / "studycards-copy.db"
    copy_env = dict(env, STUDYCARDS_DB=str(copy))
    if "overview" in groups:
        out.record("overview_s", median(runs, lambda: timed(STUDYCARDS, env)))
        out.record("decks_s", median(runs, lambda: timed([*STUDYCARDS, "decks"], env)))
    if "review" in groups:
        out.record("first_card_s", median(runs, lambda: timed([*STUDYCARDS, "review"], env, until=MARK)))
    if "stats" in groups:
        out.record("stats_s", median(runs, lambda: timed([*STUDYCARDS, "stats"], env)))
    if "import" in groups:

        def import_once() -> tuple[float, int]:
            fresh_copy(db, copy)
            return timed([*STUDYCARDS, "import", str(tsv)], copy_env)

        out.record("import_100k_tsv_s", median(max(1, runs // 2), import_once))
        # Re-import into a copy that already holds the file: the first import
        # (untimed) adds the notes, every later one (warm-up included) finds
        # them all unchanged.
        fresh_copy(db, copy)
        subprocess.run([*STUDYCARDS, "import", str(tsv)], env=copy_env, check=True, capture_output=True)
        again = subprocess.run([*STUDYCARDS, "import", str(tsv)], env=copy_env, check=True, capture_output=True, text=True)
        if any(int(n) for n in re.findall(r"(\d+) (?:added|updated)", again.stdout)):
            raise RuntimeError(f"the re-import changed something: {again.stdout}")
        out.record("reimport_unchanged_100k_tsv_s", median(max(1, runs // 2), lambda: timed([*STUDYCARDS, "import", str(tsv)], copy_env)))
    if "review" in groups:
        session = [*STUDYCARDS, "review", "--limit", str(ANSWERS), "--new", "0"]
        answers = "".join("\n4\n" for _ in range(ANSWERS)).encode()

        def answer_once() -> tuple[float, int]:
            fresh_copy(db, copy)
            first, _ = timed(session, copy_env, until=MARK)
            fresh_copy(db, copy)
            whole, peak = timed(session, copy_env, stdin=answers)
            return (whole - first) / ANSWERS, peak

        out.record("per_answer_s", median(max(1, runs // 2), answer_once))
    if "commands" in groups:
        out["commands"] = measure_commands(db, runs, work)
    remove_db(copy)
    out["db_bytes"] = db.stat().st_size
    return out


def measure_commands(db: Path, runs: int, work: Path) -> Figures:
    """The commands of COMMANDS, one round after another (a warm-up round,
    then --runs rounds), so that each is compared with an overview timed on
    the same machine at the same moment. The writing commands work on a copy
    made afresh at the start of each round (untimed): `suspend` finds the
    card active, and `unsuspend` then finds it suspended, so both change a
    row; `add` and `import` add their notes to an otherwise unchanged copy."""
    env = dict(os.environ, STUDYCARDS_DB=str(db))
    copy = work / "commands-copy.db"
    copy_env = dict(env, STUDYCARDS_DB=str(copy))
    listing = subprocess.run([*STUDYCARDS, "cards", "--deck", DECK, "--json"], env=env, check=True, capture_output=True, text=True)
    card = str(json.loads(listing.stdout)[0]["id"])
    small = work / "small.tsv"
    write_tsv(small, 10, deck="Small TSV")
    exports = work / "exports"
    exports.mkdir(exist_ok=True)
    numbers = itertools.count()

    def export_once() -> tuple[float, int]:
        target = exports / f"export-{next(numbers)}.toml"  # a new file each run
        try:
            return timed([*STUDYCARDS, "export", DECK, "-o", str(target)], env)
        finally:
            target.unlink(missing_ok=True)

    steps: dict[str, Callable[[], tuple[float, int]]] = {
        "overview_s": lambda: timed(STUDYCARDS, env),
        "cards_s": lambda: timed([*STUDYCARDS, "cards", "--deck", DECK], env),
        "cards_all_json_s": lambda: timed([*STUDYCARDS, "cards", "--json"], env),
        "config_s": lambda: timed([*STUDYCARDS, "config"], env),
        "export_s": export_once,
        "check_s": lambda: timed([*STUDYCARDS, "check"], env),
        # on the round's copy, in this order:
        "add_s": lambda: timed([*STUDYCARDS, "add", DECK, "--front", "X", "--back", "Y"], copy_env),
        "suspend_s": lambda: timed([*STUDYCARDS, "suspend", card], copy_env),
        "unsuspend_s": lambda: timed([*STUDYCARDS, "unsuspend", card], copy_env),
        "import_10_tsv_s": lambda: timed([*STUDYCARDS, "import", str(small)], copy_env),
    }
    times: dict[str, list[float]] = {key: [] for key in steps}
    peak = 0
    for round_ in range(runs + 1):
        fresh_copy(db, copy)
        for key, step in steps.items():
            elapsed, rss = step()
            if round_:  # round 0 is the warm-up
                times[key].append(elapsed)
                peak = max(peak, rss)
    remove_db(copy)
    out = Figures()
    for key, _ in COMMANDS:
        out.record(key, (statistics.median(times[key]), peak))
    return out


def measure_anki(col: Path, tsv: Path, runs: int, work: Path, groups: set[str]) -> Figures:
    env = dict(os.environ)
    out = Figures()
    copy = work / "anki-copy.anki2"
    if "overview" in groups:
        out.record("overview_s", median(runs, lambda: timed([*ANKI, "overview", str(col)], env)))
    if "review" in groups:
        out.record("first_card_s", median(runs, lambda: timed([*ANKI, "first-card", str(col)], env, until=MARK)))
    if "stats" in groups:
        out.record("stats_s", median(runs, lambda: timed([*ANKI, "stats", str(col)], env)))
    if "import" in groups:

        def import_once() -> tuple[float, int]:
            fresh_copy(col, copy)
            return timed([*ANKI, "import", str(copy), str(tsv)], env)

        out.record("import_100k_tsv_s", median(max(1, runs // 2), import_once))
    if "review" in groups:

        def answer_once() -> tuple[float, int]:
            fresh_copy(col, copy)
            first, _ = timed([*ANKI, "first-card", str(copy)], env, until=MARK)
            fresh_copy(col, copy)
            whole, peak = timed([*ANKI, "answer", str(copy), str(ANSWERS)], env)
            return (whole - first) / ANSWERS, peak

        out.record("per_answer_s", median(max(1, runs // 2), answer_once))
    remove_db(copy)
    out["db_bytes"] = col.stat().st_size
    return out


def measure_empty_imports(tsv: Path, runs: int, work: Path, with_anki: bool) -> dict[str, Figures]:
    """The TSV file imported into a new, empty collection, a new path each
    run: the process creates the database. For studycards that includes
    loading the built-in decks, as for any new user's first command."""
    numbers = itertools.count()

    def studycards_once() -> tuple[float, int]:
        path = work / f"empty-{next(numbers)}.db"
        try:
            return timed([*STUDYCARDS, "import", str(tsv)], dict(os.environ, STUDYCARDS_DB=str(path)))
        finally:
            remove_db(path)

    def anki_once() -> tuple[float, int]:
        path = work / f"anki-empty-{next(numbers)}.anki2"
        try:
            return timed([*ANKI, "import-empty", str(path), str(tsv)], dict(os.environ))
        finally:
            remove_db(path)

    result = {"studycards": Figures()}
    result["studycards"].record("import_empty_100k_tsv_s", median(max(1, runs // 2), studycards_once))
    if with_anki:
        result["anki"] = Figures()
        result["anki"].record("import_empty_100k_tsv_s", median(max(1, runs // 2), anki_once))
    return result


def measure_server(db: Path, server: str, size: int, runs: int) -> Figures:
    """The ``server`` group: the collection at ``db`` copied to a new database
    on ``server``, timed there directly and through a 20 ms round trip."""
    import psycopg

    sys.path.insert(0, str(HERE.parent))
    from tcp_proxy import Proxy

    name = f"studycards_bench_{size}"
    scheme, _, rest = server.partition("://")
    query = rest.partition("?")[2]  # connection options (sslmode=...) carry over to the new database's URL
    url = f"{scheme}://{rest.partition('/')[0]}/{name}" + (f"?{query}" if query else "")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    out = Figures()
    try:
        started = time.perf_counter()
        subprocess.run([*STUDYCARDS, "--db", str(db), "copy", "--to", url], check=True, capture_output=True)
        print(f"  copied to the server in {time.perf_counter() - started:.0f}s", flush=True)
        local, sqlite_env = dict(os.environ, STUDYCARDS_DB=url), dict(os.environ, STUDYCARDS_DB=str(db))
        pairs: dict[str, list[float]] = {"overview_sqlite_s": [], "overview_server_s": []}
        for round_ in range(runs + 1):  # interleaved, the first round a warm-up
            for key, env in (("overview_sqlite_s", sqlite_env), ("overview_server_s", local)):
                elapsed, peak = timed(STUDYCARDS, env)
                out["peak_rss_kib"] = max(out["peak_rss_kib"], peak)
                if round_:
                    pairs[key].append(elapsed)
        for key, values in pairs.items():
            out[key] = round(statistics.median(values), 5)
        floors: dict[str, list[float]] = {"pass": [], "import": []}
        for round_ in range(max(runs, 10) + 1):
            for key, code in (("pass", "pass"), ("import", "import psycopg")):
                elapsed, _ = timed([sys.executable, "-c", code], local)
                if round_:
                    floors[key].append(elapsed)
        out["driver_import_s"] = round(statistics.median(floors["import"]) - statistics.median(floors["pass"]), 5)
        authority = rest.partition("/")[0].rpartition("@")[2]
        host, _, port = authority.partition(":")
        proxy = Proxy(host or "localhost", int(port or 5432), delay_s=0.010)
        try:
            far = dict(os.environ, STUDYCARDS_DB=proxy.url(url))
            helps, overviews = [], []
            for round_ in range(runs + 1):
                help_s, _ = timed([*STUDYCARDS, "--help"], far)
                overview_s, _ = timed(STUDYCARDS, far)
                if round_:
                    helps.append(help_s)
                    overviews.append(overview_s)
            out["help_s"] = round(statistics.median(helps), 5)
            out["overview_20ms_s"] = round(statistics.median(overviews), 5)
            out["overview_beyond_start_20ms_s"] = round(statistics.median(o - h for o, h in zip(overviews, helps)), 5)
            session = [*STUDYCARDS, "review", "--limit", str(SERVER_ANSWERS), "--new", "0"]
            answers = "".join("\n4\n" for _ in range(SERVER_ANSWERS)).encode()
            per_answer, trips = [], []
            for round_ in range(max(1, runs // 2) + 1):
                before = proxy.turns
                first, _ = timed(session, far, until=MARK)  # the same session up to its first card, answering nothing
                first_turns, before = proxy.turns - before, proxy.turns
                whole, _ = timed(session, far, stdin=answers)
                whole_turns = proxy.turns - before
                if round_:
                    per_answer.append((whole - first) / SERVER_ANSWERS)
                    trips.append((whole_turns - first_turns) / SERVER_ANSWERS)
            out["per_answer_20ms_s"] = round(statistics.median(per_answer), 5)
            out["round_trips_per_answer"] = round(statistics.median(trips), 2)
        finally:
            proxy.stop()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return out


FSRS_TRUTH_FIRST_DAYS = (1.0, 3.0, 8.0, 30.0)


def measure_fsrs(work: Path, runs: int, rows: int) -> dict[str, object]:
    """The ``fsrs`` group (see the module docstring)."""
    import sqlite3

    from studycards import fsrs_fit
    from studycards.fsrs_scheduler import default_parameters

    truth = list(default_parameters())
    truth[0:4] = FSRS_TRUTH_FIRST_DAYS
    cards = max(200, rows // 11)  # about 11 log rows per card over two years
    started = time.perf_counter()
    log = fsrs_fit.synthetic_log(truth, cards=cards, days=730, seed=1, scheduled_by="sm2")
    db = work / "fsrs.db"
    remove_db(db)
    env = dict(os.environ, STUDYCARDS_DB=str(db))
    tsv = work / "fsrs.tsv"
    tsv.write_text("#separator:tab\n" + "".join(f"fsrs q{c}\tfsrs a{c}\n" for c in sorted({a.card_id for a in log})), encoding="utf-8")
    subprocess.run([*STUDYCARDS, "import", str(tsv), "--deck", "FSRS bench"], env=env, check=True, capture_output=True)
    conn = sqlite3.connect(db)
    ids = dict(conn.execute("select note.front, card.id from card join note on note.id = card.note_id"))
    with conn:
        conn.executemany(
            "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
            " before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms) values (?, ?, ?, ?, ?, 0, 250, ?, ?, 1, 250, 1, ?, 1000)",
            (
                (ids[f"fsrs q{a.card_id}"], a.day * 86400, a.day, a.grade, "review" if a.counted else "drill", a.sm2_interval,
                 None if a.sm2_interval == 0 and a.counted else a.day, a.day + 1)
                for a in log
            ),
        )
    conn.close()
    print(f"  synthetic history: {len(log):,} log rows of {cards:,} cards, built in {time.perf_counter() - started:.0f}s", flush=True)
    started = time.perf_counter()
    shown = subprocess.run([*STUDYCARDS, "optimize", "--dry-run"], env=env, check=True, capture_output=True, text=True).stdout
    optimize_s = time.perf_counter() - started
    print(shown, end="", flush=True)
    remove_db(db)
    # Per answer, SM-2 against FSRS, on the 10,000-card collection.
    base = work / "fsrs-base.db"
    build(base, 10_000, 100_000)
    subprocess.run([*STUDYCARDS, "--db", str(base), "decks"], check=True, capture_output=True)
    copy = work / "fsrs-copy.db"
    session = [*STUDYCARDS, "review", "--limit", str(ANSWERS), "--new", "0"]
    answers = "".join("\n4\n" for _ in range(ANSWERS)).encode()
    per: dict[str, list[float]] = {"sm2": [], "fsrs": []}
    for round_ in range(max(1, runs // 2) + 1):
        for scheduler in ("sm2", "fsrs"):
            fresh_copy(base, copy)
            copy_env = dict(os.environ, STUDYCARDS_DB=str(copy))
            subprocess.run([*STUDYCARDS, "config", "scheduler", scheduler], env=copy_env, check=True, capture_output=True)
            first, _ = timed(session, copy_env, until=MARK)
            whole, _ = timed(session, copy_env, stdin=answers)  # the first session answered nothing: the same queue
            if round_:
                per[scheduler].append((whole - first) / ANSWERS)
    remove_db(copy)
    remove_db(base)
    return {
        "log_rows": len(log),
        "cards": cards,
        "optimize_s": round(optimize_s, 3),
        "optimize_output": shown,
        "per_answer_sm2_s": round(statistics.median(per["sm2"]), 6),
        "per_answer_fsrs_s": round(statistics.median(per["fsrs"]), 6),
    }


def bench_size(size: int, reviews: int, runs: int, work: Path, tsv: Path, with_anki: bool, groups: set[str], server: str | None = None) -> dict[str, object]:
    started = time.perf_counter()
    db = work / f"bench-{size}.db"
    build(db, size, reviews)
    subprocess.run([*STUDYCARDS, "--db", str(db), "decks"], check=True, capture_output=True)  # migrate, load built-ins
    result: dict[str, object] = {"cards": size, "reviews": reviews}
    anki = with_anki and bool(groups & WITH_ANKI)
    if anki:
        col = work / f"bench-{size}.anki2"
        subprocess.run([*ANKI, "build", str(col), "--cards", str(size), "--reviews", str(reviews)], check=True)
    print(f"  built in {time.perf_counter() - started:.0f}s; measuring", flush=True)
    result["studycards"] = measure_studycards(db, tsv, runs, work, groups)
    if "server" in groups and server:
        result["server"] = measure_server(db, server, size, runs)
    if anki:
        result["anki"] = measure_anki(col, tsv, runs, work, groups)
        remove_db(col)
    remove_db(db)
    return result


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours and theirs else None


def add_ratios(results: dict) -> None:  # type: ignore[type-arg]
    """results["sizes"][i]["ratios"] and results["import_empty"]["ratio"]: every ratio the tables show."""
    empty = results.get("import_empty", {})
    anki_empty = empty.get("anki", {}).get("import_empty_100k_tsv_s")
    if empty:
        empty["ratio"] = ratio(empty["studycards"]["import_empty_100k_tsv_s"], anki_empty)
    for s in results["sizes"]:
        ours, anki = s["studycards"], s.get("anki", {})
        commands = ours.get("commands", {})
        s["ratios"] = {
            "vs_anki": {key: ratio(ours.get(key), anki.get(key)) for key, _, _ in METRICS if key in ours},
            "overview_vs_anki_deck_list": ratio(ours.get("overview_s"), anki.get("overview_s")),
            "decks_vs_anki_deck_list": ratio(ours.get("decks_s"), anki.get("overview_s")),
            "import_vs_anki_empty_import": ratio(ours.get("import_100k_tsv_s"), anki_empty),
            "reimport_unchanged_vs_anki_empty_import": ratio(ours.get("reimport_unchanged_100k_tsv_s"), anki_empty),
            "commands_vs_overview": {key: ratio(commands.get(key), commands.get("overview_s")) for key, _ in COMMANDS[1:] if commands},
        }
        if "server" in s:
            s["server"]["server_overview_vs_sqlite"] = ratio(s["server"]["overview_server_s"], s["server"]["overview_sqlite_s"])


def ms(value: float | None, width: int) -> str:
    return f"{value * 1000:>{width},.1f}" if value else f"{'-':>{width}}"


def against(value: float | None, target: float | None, width: int = 7) -> str:
    """A ratio, with "!" when it is over its target."""
    if value is None:
        return f"{'-':>{width}} "
    return f"{value:>{width}.2f}" + ("!" if target is not None and value > target else " ")


def print_tables(results: dict) -> None:  # type: ignore[type-arg]
    """Medians in ms; ratio = studycards / Anki (below 1.0: studycards is faster) unless said otherwise."""
    sizes = results["sizes"]
    head = "".join(f"{s['cards']:>12,} cards: studycards      Anki   ratio " for s in sizes)
    if any(key in s["studycards"] for s in sizes for key, _, _ in METRICS):
        print(f"{'':<34}{head}")
        for key, label, compared in METRICS:
            if not any(key in s["studycards"] for s in sizes):
                continue
            line = f"{label:<34}"
            for s in sizes:
                anki = s.get("anki", {}).get(key) if compared else None
                line += f"{ms(s['studycards'].get(key), 30)} {ms(anki, 9)} {against(s['ratios']['vs_anki'].get(key), None)}"
            print(line)
    if any("overview_s" in s["studycards"] for s in sizes):
        print()
        print("Deck list, against Anki's deck list (deck-due tree); targets at 1M cards: overview <= 0.5, decks <= 1")
        print(f"{'':<34}{head}")
        for key, label, target in (
            ("overview_s", "overview (`studycards`)", "overview_vs_anki_deck_list"),
            ("decks_s", "`studycards decks`", "decks_vs_anki_deck_list"),
        ):
            line = f"{label:<34}"
            for s in sizes:
                line += f"{ms(s['studycards'].get(key), 30)} {ms(s.get('anki', {}).get('overview_s'), 9)} {against(s['ratios'][target], TARGETS[target])}"
            print(line)
    empty = results.get("import_empty")
    if empty:
        anki_empty = empty.get("anki", {}).get("import_empty_100k_tsv_s")
        print()
        print(
            f"Importing the 100,000-note TSV, against Anki's import into an empty collection ({ms(anki_empty, 1).strip()} ms);"
            f" targets: imports <= {TARGETS['import']}, unchanged re-import <= {TARGETS['reimport']}"
        )
        print(f"{'':<48}{'studycards':>12}   ratio")
        print(f"{'into a new, empty collection':<48}{ms(empty['studycards']['import_empty_100k_tsv_s'], 12)} {against(empty.get('ratio'), TARGETS['import'])}")
        for s in sizes:
            ours, ratios = s["studycards"], s["ratios"]
            print(f"{'into the ' + format(s['cards'], ',') + '-card collection':<48}{ms(ours.get('import_100k_tsv_s'), 12)} {against(ratios['import_vs_anki_empty_import'], TARGETS['import'])}")
            print(
                f"{'re-import, unchanged, ' + format(s['cards'], ',') + '-card collection':<48}"
                f"{ms(ours.get('reimport_unchanged_100k_tsv_s'), 12)} {against(ratios['reimport_unchanged_vs_anki_empty_import'], TARGETS['reimport'])}"
            )
    if any("commands" in s["studycards"] for s in sizes):
        print()
        print(f"Other commands, against the overview on the same collection (timed interleaved); target <= {TARGETS['command']}")
        print(f"{'':<40}" + "".join(f"{s['cards']:>12,} cards: ms   ratio " for s in sizes))
        for key, label in COMMANDS:
            line = f"{label:<40}"
            for s in sizes:
                commands = s["studycards"].get("commands", {})
                value = s["ratios"]["commands_vs_overview"].get(key) if key != "overview_s" else None
                line += f"{ms(commands.get(key), 22)} {against(value, TARGETS['command']) if key != 'overview_s' else ' ' * 8}"
            print(line)
    if any("server" in s for s in sizes):
        print()
        print(
            f"PostgreSQL: overview against the SQLite one (target <= {TARGETS['server_overview_vs_sqlite']}); at a 20 ms round trip"
            f" (delay proxy): overview beyond `--help` (<= {TARGETS['overview_beyond_start_20ms_s'] * 1000:.0f} ms),"
            f" per answer (<= {TARGETS['per_answer_20ms_s'] * 1000:.0f} ms), round trips per answer (<= {TARGETS['round_trips_per_answer']})"
        )
        print(f"{'':<40}" + "".join(f"{s['cards']:>12,} cards: value  target " for s in sizes if "server" in s))
        rows = (
            ("overview, SQLite (ms)", "overview_sqlite_s", None, True),
            ("overview, local server (ms)", "overview_server_s", None, True),
            ("  ratio server / SQLite", "server_overview_vs_sqlite", "server_overview_vs_sqlite", False),
            ("overview at 20 ms RTT (ms)", "overview_20ms_s", None, True),
            ("  beyond --help (ms)", "overview_beyond_start_20ms_s", "overview_beyond_start_20ms_s", True),
            ("per answer at 20 ms RTT (ms)", "per_answer_20ms_s", "per_answer_20ms_s", True),
            ("round trips per answer", "round_trips_per_answer", "round_trips_per_answer", False),
            ("the driver's import (ms)", "driver_import_s", None, True),
        )
        for label, key, target, in_ms in rows:
            line = f"{label:<40}"
            for s in sizes:
                figures = s.get("server")
                if not figures:
                    continue
                value = figures.get(key)
                limit = TARGETS.get(target) if target else None
                shown = ms(value, 22) if in_ms else f"{value:>22.2f}"
                shown_value = value if in_ms or value is None else round(value, 1)  # per answer: a session's end adds one round trip in all
                over = "!" if limit is not None and shown_value is not None and shown_value > limit else " "
                line += f"{shown}{over}{'' if limit is None else (format(limit * 1000, '.0f') if in_ms else str(limit)):>7} "
            print(line)
    f = results.get("fsrs")
    if f:
        extra = (f["per_answer_fsrs_s"] - f["per_answer_sm2_s"]) * 1000
        print()
        print(
            f"FSRS: optimize on {f['log_rows']:,} log rows ({f['cards']:,} cards) {f['optimize_s']:.1f} s (the whole process);"
            f" per answer SM-2 {f['per_answer_sm2_s'] * 1000:.2f} ms, FSRS {f['per_answer_fsrs_s'] * 1000:.2f} ms"
            f" ({extra:+.2f} ms{'!' if extra > 1 else ''}; target at most +1 ms)"
        )
    start = results.get("startup")
    if start:
        print()
        print(
            f"--help {start['help_s'] * 1000:.1f} ms: x{start['help_s'] / start['python_pass_s']:.1f} `python -c pass`,"
            f" x{start['help_s'] / start['python_import_click_s']:.2f} `python -c 'import click'`"
        )
    for s in sizes:
        ours, anki = s["studycards"], s.get("anki", {})
        if not ours["peak_rss_kib"] and not ours.get("commands"):
            continue  # only the server group ran
        print(
            f"{s['cards']:,} cards: peak RSS {max(ours['peak_rss_kib'], ours.get('commands', {}).get('peak_rss_kib', 0)) / 1024:.0f} MiB"
            + (f" (Anki {anki['peak_rss_kib'] / 1024:.0f} MiB)" if anki else "")
            + f", database {ours['db_bytes'] / 1024**2:.0f} MiB"
            + (f" (Anki {anki['db_bytes'] / 1024**2:.0f} MiB)" if anki else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=GROUPS, default=list(GROUPS), metavar="GROUP", help=f"run only these groups of measurements: {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--no-anki", action="store_true", help="skip Anki even if it is installed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--server", metavar="URL", help="a PostgreSQL URL (a role that may create databases) for the server group")
    parser.add_argument("--fsrs-rows", type=int, default=1_000_000, help="review-log rows of the fsrs group's synthetic history")
    args = parser.parse_args()
    groups = set(args.only)
    if not args.server:
        if "server" in groups and args.only != list(GROUPS):
            parser.error("the server group needs --server URL")
        groups.discard("server")
    with_anki = not args.no_anki and importlib.util.find_spec("anki") is not None
    if not with_anki and not args.no_anki:
        print("anki is not installed (pip install -e '.[bench]'): measuring studycards only", flush=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with .pyc files, as a user runs it
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "versions": _versions(with_anki),
        "runs": args.runs,
        "only": [g for g in GROUPS if g in groups],
        "sizes": [],
    }
    if "startup" in groups:
        start = startup(args.runs)
        results["startup"] = start
        print(
            f"studycards --help {start['help_s'] * 1000:.1f} ms: x{start['help_s'] / start['python_pass_s']:.1f} `python -c pass`"
            f" ({start['python_pass_s'] * 1000:.1f} ms), x{start['help_s'] / start['python_import_click_s']:.2f}"
            f" `python -c 'import click'` ({start['python_import_click_s'] * 1000:.1f} ms)",
            flush=True,
        )
    with tempfile.TemporaryDirectory(prefix="studycards-bench-") as tmp:
        work = Path(tmp)
        tsv = work / "import.tsv"
        if "import" in groups:
            write_tsv(tsv, 100_000)
        if "import" in groups:
            print("100,000-note TSV into new, empty collections:", flush=True)
            results["import_empty"] = measure_empty_imports(tsv, args.runs, work, with_anki)
        if "fsrs" in groups:
            print(f"FSRS on a synthetic history of about {args.fsrs_rows:,} log rows:", flush=True)
            results["fsrs"] = measure_fsrs(work, args.runs, args.fsrs_rows)
        if groups & PER_SIZE:
            for size in args.sizes:
                print(f"{size:,} cards, {args.reviews:,} reviews:", flush=True)
                results["sizes"].append(bench_size(size, args.reviews, args.runs, work, tsv, with_anki, groups, args.server))  # type: ignore[union-attr]
    add_ratios(results)
    if results["sizes"] or "import_empty" in results or "fsrs" in results:
        print()
        print_tables(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def _versions(with_anki: bool) -> dict[str, str]:
    from importlib.metadata import version

    names = ["studycards", "click", "sqlalchemy", "sqlmodel"] + (["anki"] if with_anki else [])
    return {name: version(name) for name in names}


if __name__ == "__main__":
    main()
