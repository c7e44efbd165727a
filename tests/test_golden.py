"""Golden outputs: one long, deterministic scenario through the public CLI,
compared byte for byte with files recorded from a known-good version.

The scenario adds basic, reversed and cloze notes (with tags) to three decks,
imports a studycards TOML deck file and an Anki text export, and studies for
ten simulated days plus a later day: piped review sessions with fixed grades
(failures and their re-drills, a bury, undos), a cram session, ``--new`` and
``--limit``, suspend/unsuspend, and a leech (``leech-threshold 2``). Every
command runs under ``freeze_time`` in UTC (the autouse ``isolated`` fixture
sets TZ and STUDYCARDS_DB), one simulated minute after the previous one.

At the end it records ``cards --json``, ``stats --json``, ``decks --json``,
``export --format json --with-progress`` (all decks) and a transcript of every
command's output, and compares them with ``tests/data/golden/``.

The golden files are written, never edited by hand. To record them again
(only when a change of output is intended, and review the diff)::

    STUDYCARDS_WRITE_GOLDEN=1 PYTHONPATH=. pytest tests/test_golden.py

With STUDYCARDS_WRITE_GOLDEN=1 the test writes the files instead of comparing.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from helpers import answers

from studycards.cli import cli

GOLDEN = Path(__file__).parent / "data" / "golden"
WRITE = os.environ.get("STUDYCARDS_WRITE_GOLDEN") == "1"
START = datetime(2026, 3, 2, 9, 0)  # a Monday, 09:00 UTC (the study day starts at 04:00)

CAPITALS_TOML = """\
[deck]
name = "Capitals"
description = "Capital cities, imported from a deck file"

[[notes]]
id = "cap-fr"
front = "Capital of France?"
back = "Paris"
tags = ["europe"]

[[notes]]
id = "cap-jp"
front = "Capital of Japan?"
back = "Tokyo"
reverse = true
tags = ["asia"]

[[notes]]
id = "cap-au"
cloze = "The capital of {{c1::Australia}} is {{c2::Canberra::city}}"
back = "Not Sydney."
tags = ["oceania", "tricky"]
source = "atlas"

[[notes]]
id = "cap-ca"
front = "Capital of Canada?"
back = "Ottawa"
"""

ANKI_TEXT = """\
#separator:tab
#html:false
#tags column:3
la pomme\tthe apple\tfood noun
le pain\tthe bread\tfood
"le fromage, s'il vous plaît"\tthe cheese, please\tfood phrase
"""

# The random part of a note's GUID: uuid4().hex, given to notes added with
# `add` and to imported notes without an id of their own.
RANDOM_GUID = re.compile(r'"id": "([0-9a-f]{32})"')


def normalise_guids(text: str) -> str:
    """Replace each random GUID in the JSON export by its order of first
    appearance ("guid-1", "guid-2", ...). GUIDs from the TOML deck file are
    stable and stay as they are; nothing else is changed."""
    order: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        guid = match.group(1)
        order.setdefault(guid, f"guid-{len(order) + 1}")
        return f'"id": "{order[guid]}"'

    return RANDOM_GUID.sub(name, text)


class Scenario:
    """Runs CLI commands at simulated moments and keeps a transcript."""

    def __init__(self) -> None:
        self.runner = CliRunner()
        self.moment = START
        self.transcript: list[str] = []

    def day(self, offset: int, hour: int = 9) -> None:
        """Move the clock to ``offset`` days after the start, at ``hour``."""
        self.moment = START.replace(hour=hour) + timedelta(days=offset)
        self.transcript.append(f"===== {self.moment:%Y-%m-%d %H:%M} UTC =====")

    def __call__(self, *args: str, input: str | None = None, record: bool = True):
        with freeze_time(self.moment):
            result = self.runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        self.moment += timedelta(minutes=1)
        assert result.exit_code == 0, (args, result.output)
        if record:
            self.transcript.append("$ studycards " + " ".join(args))
            if input is not None:
                self.transcript.append(f"< {input!r}")
            self.transcript.append(result.output.rstrip("\n"))
        return result

    def card_id(self, front: str) -> str:
        cards = json.loads(self("cards", "--json", record=False).stdout)
        matches = [c["id"] for c in cards if c["front"] == front]
        assert len(matches) == 1, front
        return str(matches[0])


def run_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # import by relative name: no temporary path in any output
    monkeypatch.setenv("COLUMNS", "120")
    Path("capitals.toml").write_text(CAPITALS_TOML, encoding="utf-8")
    Path("words.txt").write_text(ANKI_TEXT, encoding="utf-8")
    sc = Scenario()

    # Day 0: set up, import, first sessions.
    sc.day(0)
    sc("config", "leech-threshold", "2")
    sc("config", "new-per-day", "20")
    sc("add", "French", "--front", "le chat", "--back", "the cat", "--tag", "animal")
    sc("add", "French", "--front", "le chien", "--back", "the dog", "--reverse", "--tag", "animal", "--tag", "noun")
    sc("add", "French", "--cloze", "{{c1::Bonjour}} means {{c2::hello::greeting}}", "--back", "Also: salut.", "--tag", "phrase")
    sc("add", "French", "--front", "la maison", "--back", "the house")
    sc("add", "Maths", "--front", "7 × 8", "--back", "56", "--tag", "arithmetic")
    sc("add", "Maths", "--front", "√144", "--back", "12", "--tag", "arithmetic")
    sc("add", "Maths", "--cloze", "{{c1::π}} is about {{c2::3.14}}", "--tag", "constants")
    sc("add", "Maths", "--front", "d/dx x²", "--back", "2x", "--reverse", "--tag", "calculus")
    sc("import", "capitals.toml")
    sc("import", "words.txt", "--deck", "French")
    sc("import", "capitals.toml")  # unchanged: nothing to do
    sc("decks")
    sc("review", "French", "--new", "4", input=answers(5, 2, 4, 3, 4, 4))  # fail, re-drills
    sc("review", "Maths", "--limit", "3", input=answers(4, 5, 1, 5))  # a failure and its re-drill
    sc("review", "Capitals", input=answers(5, "u", 4, 5, 0, 4, 5, 4))  # undo, then a failure
    sc("review", input="\ns\n" + answers(5, 4, 3, 4))  # bury the first card shown

    # Day 1: due cards first; suspend a card.
    sc.day(1)
    sc("suspend", sc.card_id("la maison"))
    sc("review", "--new", "2", input=answers(0, 4, 5, 4, 3, 5, 4, 5, 4, 5, 5, 4))
    sc("review", "--cram", "Maths", input=answers(2, 5, 0, 1))  # cram: the schedule does not change
    sc("review", input=answers(4, 4, 4, 4, 4, 4))

    # Days 2-9: study every day with a fixed rotation of grades.
    rotation = [5, 4, 0, 4, 3, 5, 1, 5, 4, 2, 4, 5, 3, 4]
    for offset in range(2, 10):
        sc.day(offset)
        if offset == 3:
            sc("unsuspend", sc.card_id("la maison"))
        if offset == 5:
            sc("config", "new-per-day", "3")
        if offset == 6:
            sc("review", "French", "--limit", "2", input=answers(4, 4))
        grades = rotation[offset % 5 :] + rotation[: offset % 5]
        sc("review", input=answers(*grades, *grades))
        if offset == 7:
            sc("review", "--cram", input=answers(5, 0, "s", 4, "u", 3))

    # Before the day start hour: still study day 9.
    sc.day(10, hour=2)
    sc("review", input=answers(5, 5))
    sc("cards", "--due")

    # A later day with overdue cards.
    sc.day(21)
    sc("review", "--limit", "5", input=answers(4, 0, 5, "u", 3, 4, 5, 4))
    sc("review", "Capitals", input=answers(5, 4, 4, 5))

    outputs = {
        "cards.json": sc("cards", "--json", record=False).stdout,
        "stats.json": sc("stats", "--json", record=False).stdout,
        "decks.json": sc("decks", "--json", record=False).stdout,
        "export.json": normalise_guids(sc("export", "--format", "json", "--with-progress", record=False).stdout),
        "stats.txt": sc("stats", record=False).stdout,
    }
    outputs["transcript.txt"] = "\n".join(sc.transcript) + "\n"
    return outputs


def test_scenario_outputs_match_the_golden_files(tmp_path, monkeypatch):
    outputs = run_scenario(tmp_path, monkeypatch)
    # The scenario really does what the docstring says (so a re-recording
    # cannot silently lose coverage).
    transcript = outputs["transcript.txt"]
    for seen in ("· re-drill ·", "Buried until tomorrow.", "Undone: the last card comes back.", "Suspended 1 card.",
                 "Unsuspended 1 card.", "Capitals: 0 added, 0 updated, 4 unchanged", "French: 3 added"):
        assert seen in transcript, seen
    cards = json.loads(outputs["cards.json"])
    assert any("leech" in c["tags"] for c in cards)
    assert {c["deck"] for c in cards} == {"Capitals", "French", "Maths"}
    if WRITE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (GOLDEN / name).write_bytes(text.encode("utf-8"))
        pytest.skip(f"golden files written to {GOLDEN}")
    differing = []
    for name, text in outputs.items():
        expected = (GOLDEN / name).read_bytes()
        if text.encode("utf-8") != expected:
            diff = difflib.unified_diff(
                expected.decode("utf-8").splitlines(), text.splitlines(), f"golden/{name}", f"now/{name}", lineterm="", n=2
            )
            differing.append("\n".join(list(diff)[:60]))
    assert not differing, "\n\n".join(differing)
