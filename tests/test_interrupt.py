"""A real `studycards review` process interrupted mid-session keeps its answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from helpers import db_value

pytestmark = pytest.mark.slow  # a real process, interrupted by a signal


def _spawn(db_path):
    env = dict(os.environ, STUDYCARDS_DB=db_value(db_path), TZ="UTC", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "studycards", "review", "Test"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for(proc, prefix: str) -> None:
    for _ in range(200):
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"process ended before {prefix!r}: {proc.stderr.read()}")
        if line.startswith(prefix):
            return
    raise AssertionError(f"never saw {prefix!r}")


@pytest.mark.parametrize("sig", [signal.SIGINT])
def test_ctrl_c_at_a_prompt_keeps_every_answer(add_notes, sql, db_path, sig):
    add_notes("Test", 5)
    proc = _spawn(db_path)
    try:
        for n in (1, 2):
            _wait_for(proc, f"── Test · {n}/5")
            proc.stdin.write("\n4\n")
            proc.stdin.flush()
        _wait_for(proc, "── Test · 3/5")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + sig  # Ctrl-C: the summary, then exit 130, as shells expect
    assert "Traceback" not in err
    assert "2 cards answered" in out
    assert sql("select grade, kind from review_log") == [(4, "review"), (4, "review")]
    if not hasattr(db_path, "url"):  # a SQLite file (a server keeps its own files)
        assert sql("pragma integrity_check") == [("ok",)]
