"""Exporting everything, and getting the same collection back."""

from __future__ import annotations

import json

from freezegun import freeze_time
from helpers import answers


def _fill(run):
    run("add", "Languages::Spanish", "--front", "perro", "--back", "dog", "--reverse", "--tag", "animal")
    run("add", "Languages", "--cloze", "{{c1::Hola}} means {{c2::hello}}")
    run("add", "Other", "--front", "x", "--back", "y")
    with freeze_time("2026-03-02 12:00"):
        run("review", input=answers(5, 2, 4, 4, 5))


def _without_ids(cards: str) -> list[dict]:
    return [{k: v for k, v in c.items() if k not in ("id", "note")} for c in json.loads(cards)]


def test_export_with_no_deck_writes_every_deck_as_json_and_a_round_trip_restores_the_collection(run, tmp_path):
    _fill(run)
    exported = run("export", "--with-progress")
    assert exported.exit_code == 0
    data = json.loads(exported.stdout)
    assert [d["name"] for d in data["decks"]] == ["Languages", "Languages::Spanish", "Other"]
    (tmp_path / "all.json").write_text(exported.stdout, encoding="utf-8")
    before, stats = run("cards", "--json").stdout, json.loads(run("stats", "--json").stdout)
    other = tmp_path / "other.db"
    assert run("--db", str(other), "import", str(tmp_path / "all.json")).exit_code == 0
    assert _without_ids(run("--db", str(other), "cards", "--json").stdout) == _without_ids(before)
    again = json.loads(run("--db", str(other), "stats", "--json").stdout)
    assert again["retention"] == stats["retention"] and again["collection"] == stats["collection"]
    reimport = run("--db", str(other), "import", str(tmp_path / "all.json")).output
    assert "0 added, 0 updated" in reimport


def test_toml_export_of_several_decks_writes_one_file_per_deck_into_a_folder(run, tmp_path):
    _fill(run)
    refused = run("export", "--format", "toml")
    assert refused.exit_code == 2 and "-o FOLDER" in refused.stderr
    folder = tmp_path / "decks"
    result = run("export", "--format", "toml", "-o", str(folder))
    assert result.stderr == f"Exported 3 decks to {folder}: 3 TOML files.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["Languages.toml", "Languages__Spanish.toml", "Other.toml"]
    assert run("export", "--format", "toml", "-o", str(folder)).exit_code == 1  # no clobbering without --force
    other = tmp_path / "other.db"
    for path in sorted(folder.iterdir()):
        assert run("--db", str(other), "import", str(path)).exit_code == 0
    assert [c["front"] for c in json.loads(run("--db", str(other), "cards", "--json").stdout)] == [
        c["front"] for c in json.loads(run("cards", "--json").stdout)
    ]


def test_exporting_one_deck_still_writes_toml_to_standard_output(run):
    _fill(run)
    out = run("export", "Other").stdout
    assert out.startswith('[deck]\nname = "Other"')
