"""Media from packages: kept in the collection's media folder under their
content hash, shown in place on the cards, opened from a review with o."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import click
import pytest

from studycards import media as collection_media
from studycards.store import open_store

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
PLUA = REALWORLD / "plua.apkg"


def _package_media(path: Path) -> dict[str, bytes]:
    """name -> bytes, read straight from a legacy package's media map."""
    with zipfile.ZipFile(path) as archive:
        mapping = json.loads(archive.read("media"))
        return {name: archive.read(entry) for entry, name in mapping.items()}


@pytest.fixture
def media_folder(db_path) -> Path:
    """Where the app keeps the test collection's media (beside a database
    file; for a server collection, in the user data folder)."""
    store = open_store(db_path, 0)
    try:
        return collection_media.folder(store)
    finally:
        store.close()


def test_package_media_are_kept_by_content_hash_once(run, sql, media_folder):
    media = _package_media(PLUA)
    result = run("import", str(PLUA))
    assert result.exit_code == 0
    assert f"Media: {len(media)} files kept in {media_folder}" in result.output
    folder = media_folder
    stored = dict(sql("select name, sha256 from media_file"))
    assert set(stored) == set(media)
    for name, data in media.items():
        assert stored[name] == hashlib.sha256(data).hexdigest() + Path(name).suffix.lower()
        assert (folder / stored[name]).read_bytes() == data
    files = sorted(p.name for p in folder.iterdir())
    assert run("import", str(PLUA)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == files  # the same files are not written twice
    assert not [p for p in folder.iterdir() if p.name.startswith(".incoming")]


def test_a_dry_run_copies_no_media(run, media_folder):
    assert run("import", str(PLUA), "--dry-run").exit_code == 0
    assert not media_folder.exists() or not any(media_folder.iterdir())


def test_o_in_a_review_opens_the_cards_sounds(run, monkeypatch, media_folder):
    opened: list[str] = []
    monkeypatch.setattr(click, "launch", lambda target, **_: opened.append(target) or 0)
    assert run("import", str(PLUA)).exit_code == 0
    # piped: reveal, o at the grade prompt, then a grade
    result = run("review", "--new", "1", input="\no\n4\n")
    assert result.exit_code == 0, result.output
    assert opened and all(Path(p).is_file() and Path(p).parent == media_folder for p in opened)
    assert "Session over: 1 card answered" in result.output


def test_o_on_a_card_without_media_says_so(run, monkeypatch):
    monkeypatch.setattr(click, "launch", lambda target, **_: (_ for _ in ()).throw(AssertionError("nothing to open")))
    assert run("add", "Plain", "--front", "q", "--back", "a").exit_code == 0
    result = run("review", "Plain", input="\no\n5\n")
    assert "This card has no images or sounds." in result.output


def test_templates_hide_what_their_css_hides(run, cards_json):
    assert run("import", str(REALWORLD / "zhongwen_deck.apkg")).exit_code == 0
    cards = {c["front"].split("\n")[0]: c for c in cards_json() if "向量" in c["front"]}
    question = cards["向量"]["front"]
    assert "xiàng liàng" not in question and "vector" not in question  # pinyin and meaning are hidden on the question side
    assert "xiàng liàng" in cards["向量"]["back"] and "vector" in cards["向量"]["back"]
    assert "Unhide" not in cards["向量"]["back"]  # a control that only a click would use


def test_a_skipped_package_note_is_named_by_its_first_field(run, tmp_path):
    import sqlite3

    src = REALWORLD / "ankitects_update1.apkg"
    with zipfile.ZipFile(src) as archive:
        collection = archive.read("collection.anki2")
    (tmp_path / "c.anki2").write_bytes(collection)
    with sqlite3.connect(tmp_path / "c.anki2") as conn:
        conn.execute("UPDATE notes SET flds = 'Empty question here' || char(31) || 'x'")
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        for model in models.values():
            for template in model["tmpls"]:
                template["qfmt"] = "{{Back}}"  # the question shows only the second field
        conn.execute("UPDATE col SET models = ?", (json.dumps(models),))
        conn.execute("UPDATE notes SET flds = 'Empty question here' || char(31) || ''")
    conn.close()
    result = run("import", str(tmp_path / "c.anki2"))
    assert "note 'Empty question here': every card it would make has an empty question" in result.output
