"""`studycards lint` as a user runs it: files and collection decks, exit
status, JSON, rules chosen, disables."""

from __future__ import annotations

import json

BAD = """[deck]
name = "Bad"

[[notes]]
id = "b-1"
front = "Which role deploys models?"
back = "The engineer."

[[notes]]
id = "b-2"
front = "Which role monitors models in production?"
back = "The engineer."

[[notes]]
id = "b-3"
front = "Which role writes production code?"
back = "The engineer."

[[notes]]
id = "b-4"
front = "Name the four seasons"
back = "spring, summer, autumn and winter"
"""


def test_findings_are_one_line_each_and_exit_1(run, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    result = run("lint", str(path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{path}:") and ": two-way: note b-" in line for line in lines)
    assert any(f"{path}:19: enumeration: note b-4" in line for line in lines)
    assert result.stderr.endswith("findings.\n")


def test_json_and_chosen_rules(run, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    found = json.loads(run("lint", "--json", "--rule", "enumeration", str(path)).stdout)
    assert [(f["rule"], f["note"], f["line"]) for f in found] == [("enumeration", "b-4", 19)]
    assert run("lint", "--rule", "nope", str(path)).exit_code == 2


def test_a_disable_with_a_reason_passes_and_strict_wants_the_reason(run, tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(BAD.replace('id = "b-4"', 'id = "b-4"\n# lint: disable=enumeration -- the seasons are learnt as a set on purpose')
                    .replace('back = "The engineer."', 'back = "Deploying."', 1)
                    .replace('back = "The engineer."', 'back = "Monitoring."', 1)
                    .replace('back = "The engineer."', 'back = "Writing code."', 1), encoding="utf-8")
    assert run("lint", str(path)).exit_code == 0
    assert run("lint", "--strict", str(path)).exit_code == 0
    path.write_text(path.read_text().replace(" -- the seasons are learnt as a set on purpose", ""), encoding="utf-8")
    strict = run("lint", "--strict", str(path))
    assert strict.exit_code == 1 and "unexplained-disable" in strict.stdout


def test_decks_of_the_collection_are_linted_by_name(run):
    for front in ("Which role deploys models?", "Which role monitors models?", "Which role writes production code?"):
        run("add", "Mine", "--front", front, "--back", "The engineer.")
    result = run("lint", "mine")
    assert result.exit_code == 1 and result.stdout.startswith("deck Mine: two-way: note ")


def test_the_built_in_decks_pass_the_linter_with_every_disable_explained(run):
    from helpers import REAL_DECK_DIR

    files = sorted(str(p) for p in REAL_DECK_DIR().glob("*.toml"))
    assert len(files) == 4
    result = run("lint", "--strict", *files)
    assert result.exit_code == 0, result.stdout
