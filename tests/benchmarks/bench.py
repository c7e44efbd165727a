"""Whole-process benchmark of studycards on synthetic collections.

    python tests/benchmarks/bench.py [--sizes 10000 100000] [--reviews 1000000] [--runs 5] [--json results.json]

For each size it builds a collection (20 decks, the given number of review-log
rows over two years; see make_collection.py) and measures, as whole
processes with one warm-up run and the median of --runs: `studycards --help`,
the overview, the time until the first card of `studycards review` is on
screen, importing a 100,000-note Anki TSV file into a copy of the collection,
answering 300 cards in a piped session (per answer), and `studycards stats`;
plus peak memory (max RSS of any of those processes) and the database size.
`python -c pass` is measured as the floor. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
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


def timed(cmd: list[str], env: dict[str, str], stdin: bytes | None = None, until: bytes | None = None) -> tuple[float, int]:
    """Seconds until the process exits (or prints ``until``), and its peak RSS in KiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = None
    if until is not None:
        for line in proc.stdout:
            if line.startswith(until):
                elapsed = time.perf_counter() - started
                break
        proc.stdin.close()
        proc.stdout.read()
    else:
        proc.stdin.write(stdin or b"")
        proc.stdin.close()
        proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if elapsed is None:
        elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return elapsed, usage.ru_maxrss


def median(runs: int, measure) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    measure()  # warm-up: file cache, .pyc files
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def write_tsv(path: Path, notes: int) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write("#separator:tab\n#html:false\n#deck:Imported TSV\n")
        for i in range(notes):
            out.write(f"tsv question {i}\ttsv answer {i}\ttag{i % 50}\n")


def bench_size(size: int, reviews: int, runs: int, work: Path) -> dict[str, object]:
    db = work / f"bench-{size}.db"
    started = time.perf_counter()
    build(db, size, reviews)
    print(f"  built {size} cards / {reviews} reviews in {time.perf_counter() - started:.0f}s", flush=True)
    env = dict(os.environ, STUDYCARDS_DB=str(db), TZ="UTC")
    out: dict[str, object] = {"cards": size, "reviews": reviews}
    peak = 0

    def record(name: str, value: tuple[float, int]) -> None:
        nonlocal peak
        out[name] = round(value[0], 4)
        peak = max(peak, value[1])
        print(f"  {name:<28}{value[0] * 1000:>10.1f} ms", flush=True)

    record("help_s", median(runs, lambda: timed([*STUDYCARDS, "--help"], env)))
    record("overview_s", median(runs, lambda: timed(STUDYCARDS, env)))
    record("first_card_s", median(runs, lambda: timed([*STUDYCARDS, "review"], env, until="── ".encode())))
    record("stats_s", median(runs, lambda: timed([*STUDYCARDS, "stats"], env)))

    tsv = work / "import.tsv"
    write_tsv(tsv, 100_000)

    def import_once() -> tuple[float, int]:
        copy = work / "import-copy.db"
        shutil.copy(db, copy)
        return timed([*STUDYCARDS, "import", str(tsv)], dict(env, STUDYCARDS_DB=str(copy)))

    record("import_100k_tsv_s", median(max(1, runs // 2), import_once))

    answers = "".join("\n4\n" for _ in range(300)).encode()

    def answer_once() -> tuple[float, int]:
        copy = work / "answer-copy.db"
        shutil.copy(db, copy)
        session_env = dict(env, STUDYCARDS_DB=str(copy))
        first, _ = timed([*STUDYCARDS, "review", "--limit", "300", "--new", "300"], session_env, until="── ".encode())
        shutil.copy(db, copy)
        whole, rss = timed([*STUDYCARDS, "review", "--limit", "300", "--new", "300"], session_env, stdin=answers)
        return (whole - first) / 300, rss

    record("per_answer_s", median(max(1, runs // 2), answer_once))
    out["peak_rss_kib"] = peak
    out["db_bytes"] = db.stat().st_size
    print(f"  peak RSS {peak / 1024:.0f} MiB, database {db.stat().st_size / 1024**2:.0f} MiB", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    floor = median(args.runs, lambda: timed([sys.executable, "-c", "pass"], dict(os.environ)))
    print(f"python -c pass: {floor[0] * 1000:.1f} ms", flush=True)
    results: dict[str, object] = {"python_pass_s": round(floor[0], 4), "python": sys.version.split()[0], "sizes": []}
    with tempfile.TemporaryDirectory(prefix="studycards-bench-") as tmp:
        for size in args.sizes:
            print(f"{size} cards:", flush=True)
            results["sizes"].append(bench_size(size, args.reviews, args.runs, Path(tmp)))  # type: ignore[union-attr]
    first = results["sizes"][0]  # type: ignore[index]
    print(f"--help / python -c pass: {first['help_s'] / floor[0]:.1f}x")  # type: ignore[index]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
