"""Plain helpers shared by the test modules (fixtures live in conftest.py).

Test modules import these with ``from helpers import ...``: pytest puts the
tests folder on sys.path (rootdir conftest, default "prepend" import mode).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from pathlib import Path

import pytest

from studycards import builtin

# The real built-in deck folder, read before any test replaces it.
REAL_DECK_DIR = builtin.deck_dir


def answers(*grades: int | str) -> str:
    """Piped review input: one line to reveal, one line with the grade or command."""
    return "".join(f"\n{g}\n" for g in grades)


def prompts(output: str) -> list[str]:
    """The card prompts shown, in order (the line after each header)."""
    lines = output.splitlines()
    return [lines[i + 1] for i, line in enumerate(lines) if line.startswith("── ")]


def set_tz(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()


def write_deck(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def reference_sm2(grades, max_interval):
    """An independent reading of SM-2 with exact fractions (EF as 5/2 etc.)."""
    ef, n, interval, lapses, day, out = Fraction(5, 2), 0, 0, 0, 0, []
    for q in grades:
        new_ef = max(Fraction(13, 10), ef + Fraction(1, 10) - (5 - q) * (Fraction(8, 100) + (5 - q) * Fraction(2, 100)))
        if q >= 3:
            n += 1
            interval = 1 if n == 1 else 6 if n == 2 else math.ceil(interval * ef)
        else:
            lapses += 1 if n > 0 else 0
            n, interval = 0, 1
        interval = min(interval, max_interval)
        ef = new_ef
        day += interval
        out.append((n, int(ef * 100), interval, day, lapses))
    return out


def run_in_terminal(args: list[str], keys: bytes, env: dict[str, str], timeout: float = 30) -> tuple[int, str]:
    """Run ``studycards ARGS`` on a real pseudo-terminal, type ``keys`` once
    it asks something (its output ends in "] "), and return the exit status
    and everything it printed."""
    import os
    import pty
    import select
    import subprocess
    import sys

    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "studycards", *args], stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    out = b""
    sent = False
    while True:
        ready, _, _ = select.select([main], [], [], timeout)
        if not ready:
            proc.kill()
            raise AssertionError(f"no output within {timeout} s: {out.decode(errors='replace')!r}")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if not sent and out.rstrip(b"\r\n").endswith(b"]:") or (not sent and out.endswith(b"]: ")):
            os.write(main, keys)
            sent = True
    os.close(main)
    return proc.wait(timeout=timeout), out.decode(errors="replace").replace("\r\n", "\n")

def refused(run, cards_json, path: Path, *options: str) -> str:
    """Import ``path`` expecting a refusal: exit status 1, one line on
    standard error naming the file, and no change to the cards. Returns the
    message after ``Error: PATH: ``."""
    before = cards_json()
    result = run("import", str(path), *options)
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output, result.stderr
    assert result.stderr.startswith(f"Error: {path}"), result.stderr
    assert cards_json() == before
    return result.stderr.strip().split(": ", 2)[-1]
