"""Whole-process benchmark of studycards, side by side with Anki's backend.

    pip install -e '.[bench]'          # studycards plus Anki's backend (`anki` on PyPI)
    python tests/benchmarks/bench.py [--sizes 10000 100000] [--reviews 1000000] [--runs 5] [--json results.json]

For each size it builds a collection (20 decks, the given number of review-log
rows over the two years before today; see make_collection.py) and measures,
as whole processes with one warm-up run and the median of --runs: the
overview, the time until the first card of
`studycards review` is on screen, `studycards stats`, importing a
100,000-note Anki TSV file into a copy of the collection, and answering 300
cards in a piped session (per answer: the whole session less the time to its
first card, over 300); plus peak memory (max RSS of those processes) and the
database size. `studycards --help` is timed once, interleaved with its
floors `python -c pass` and `python -c "import click"`.

When `anki` is importable, the same work runs through Anki's backend on the
same cards and history (anki_side.py) in the same run, and the table shows
the ratio studycards / Anki: below 1.0 means studycards is faster. Nothing
here runs in the test suite.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
METRICS = (  # key, label, compared with Anki
    ("overview_s", "overview (deck list, due counts)", True),
    ("first_card_s", "time to first card", True),
    ("stats_s", "statistics", True),
    ("import_100k_tsv_s", "import 100,000-note TSV", True),
    ("per_answer_s", "per answer (durable commit)", True),
)


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


def median(runs: int, measure) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    measure()  # warm-up: file cache, .pyc files
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def write_tsv(path: Path, notes: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("#separator:tab\n#html:false\n#deck:Imported TSV\n")
        for i in range(notes):
            out.write(f"tsv question {i}\ttsv answer {i}\ttag{i % 50}\n")


class Figures(dict):  # type: ignore[type-arg]
    """Medians by name, and the peak RSS of every process measured."""

    def __init__(self) -> None:
        super().__init__(peak_rss_kib=0)

    def record(self, name: str, value: tuple[float, int]) -> None:
        self[name] = round(value[0], 5)
        self["peak_rss_kib"] = max(self["peak_rss_kib"], value[1])


def measure_studycards(db: Path, tsv: Path, runs: int, work: Path) -> Figures:
    env = dict(os.environ, STUDYCARDS_DB=str(db))
    out = Figures()
    out.record("overview_s", median(runs, lambda: timed(STUDYCARDS, env)))
    out.record("first_card_s", median(runs, lambda: timed([*STUDYCARDS, "review"], env, until=MARK)))
    out.record("stats_s", median(runs, lambda: timed([*STUDYCARDS, "stats"], env)))
    copy = work / "studycards-copy.db"

    def import_once() -> tuple[float, int]:
        shutil.copy(db, copy)
        return timed([*STUDYCARDS, "import", str(tsv)], dict(env, STUDYCARDS_DB=str(copy)))

    out.record("import_100k_tsv_s", median(max(1, runs // 2), import_once))
    session = [*STUDYCARDS, "review", "--limit", str(ANSWERS), "--new", "0"]
    answers = "".join("\n4\n" for _ in range(ANSWERS)).encode()

    def answer_once() -> tuple[float, int]:
        shutil.copy(db, copy)
        first, _ = timed(session, dict(env, STUDYCARDS_DB=str(copy)), until=MARK)
        shutil.copy(db, copy)
        whole, peak = timed(session, dict(env, STUDYCARDS_DB=str(copy)), stdin=answers)
        return (whole - first) / ANSWERS, peak

    out.record("per_answer_s", median(max(1, runs // 2), answer_once))
    out["db_bytes"] = db.stat().st_size
    return out


def measure_anki(col: Path, tsv: Path, runs: int, work: Path) -> Figures:
    env = dict(os.environ)
    out = Figures()
    out.record("overview_s", median(runs, lambda: timed([*ANKI, "overview", str(col)], env)))
    out.record("first_card_s", median(runs, lambda: timed([*ANKI, "first-card", str(col)], env, until=MARK)))
    out.record("stats_s", median(runs, lambda: timed([*ANKI, "stats", str(col)], env)))
    copy = work / "anki-copy.anki2"

    def import_once() -> tuple[float, int]:
        shutil.copy(col, copy)
        return timed([*ANKI, "import", str(copy), str(tsv)], env)

    out.record("import_100k_tsv_s", median(max(1, runs // 2), import_once))

    def answer_once() -> tuple[float, int]:
        shutil.copy(col, copy)
        first, _ = timed([*ANKI, "first-card", str(copy)], env, until=MARK)
        shutil.copy(col, copy)
        whole, peak = timed([*ANKI, "answer", str(copy), str(ANSWERS)], env)
        return (whole - first) / ANSWERS, peak

    out.record("per_answer_s", median(max(1, runs // 2), answer_once))
    out["db_bytes"] = col.stat().st_size
    return out


def bench_size(size: int, reviews: int, runs: int, work: Path, with_anki: bool) -> dict[str, object]:
    started = time.perf_counter()
    db = work / f"bench-{size}.db"
    build(db, size, reviews)
    subprocess.run([*STUDYCARDS, "--db", str(db), "decks"], check=True, capture_output=True)  # migrate, load built-ins
    result: dict[str, object] = {"cards": size, "reviews": reviews}
    tsv = work / "import.tsv"
    write_tsv(tsv, 100_000)
    if with_anki:
        col = work / f"bench-{size}.anki2"
        subprocess.run([*ANKI, "build", str(col), "--cards", str(size), "--reviews", str(reviews)], check=True)
    print(f"  built in {time.perf_counter() - started:.0f}s; measuring", flush=True)
    result["studycards"] = measure_studycards(db, tsv, runs, work)
    if with_anki:
        result["anki"] = measure_anki(col, tsv, runs, work)
    return result


def print_table(results: dict[str, object]) -> None:
    """Medians in ms; ratio = studycards / Anki (below 1.0: studycards is faster)."""
    sizes = results["sizes"]  # type: ignore[index]
    print(f"{'':<34}" + "".join(f"{s['cards']:>10,} cards: studycards      Anki   ratio" for s in sizes))  # type: ignore[index]
    for key, label, compared in METRICS:
        line = f"{label:<34}"
        for s in sizes:  # type: ignore[union-attr]
            ours = s["studycards"][key]
            anki = s.get("anki", {}).get(key) if compared else None
            if anki:
                line += f"{ours * 1000:>29.1f} {anki * 1000:>9.1f} {ours / anki:>7.2f}"
            else:
                line += f"{ours * 1000:>29.1f} {'-':>9} {'-':>7}"
        print(line)
    start = results["startup"]  # type: ignore[index]
    print(
        f"--help {start['help_s'] * 1000:.1f} ms: x{start['help_s'] / start['python_pass_s']:.1f} `python -c pass`,"
        f" x{start['help_s'] / start['python_import_click_s']:.2f} `python -c 'import click'`"
    )
    for s in sizes:  # type: ignore[union-attr]
        ours, anki = s["studycards"], s.get("anki", {})
        print(
            f"{s['cards']:,} cards: peak RSS {ours['peak_rss_kib'] / 1024:.0f} MiB"
            + (f" (Anki {anki['peak_rss_kib'] / 1024:.0f} MiB)" if anki else "")
            + f", database {ours['db_bytes'] / 1024**2:.0f} MiB"
            + (f" (Anki {anki['db_bytes'] / 1024**2:.0f} MiB)" if anki else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-anki", action="store_true", help="skip Anki even if it is installed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with_anki = not args.no_anki and importlib.util.find_spec("anki") is not None
    if not with_anki and not args.no_anki:
        print("anki is not installed (pip install -e '.[bench]'): measuring studycards only", flush=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure with .pyc files, as a user runs it
    start = startup(args.runs)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "versions": _versions(with_anki),
        "runs": args.runs,
        "startup": start,
        "sizes": [],
    }
    print(
        f"studycards --help {start['help_s'] * 1000:.1f} ms: x{start['help_s'] / start['python_pass_s']:.1f} `python -c pass`"
        f" ({start['python_pass_s'] * 1000:.1f} ms), x{start['help_s'] / start['python_import_click_s']:.2f}"
        f" `python -c 'import click'` ({start['python_import_click_s'] * 1000:.1f} ms)",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="studycards-bench-") as tmp:
        for size in args.sizes:
            print(f"{size:,} cards, {args.reviews:,} reviews:", flush=True)
            results["sizes"].append(bench_size(size, args.reviews, args.runs, Path(tmp), with_anki))  # type: ignore[union-attr]
    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def _versions(with_anki: bool) -> dict[str, str]:
    from importlib.metadata import version

    names = ["studycards", "click", "sqlalchemy", "sqlmodel"] + (["anki"] if with_anki else [])
    return {name: version(name) for name in names}


if __name__ == "__main__":
    main()
