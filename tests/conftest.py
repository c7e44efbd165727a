"""Every test gets its own database, no built-in decks unless it asks, and UTC.

The database is migrated once per test session (through the CLI, into a
template) and copied to each test's ``tmp_path/studycards.db``; a test marked
``@pytest.mark.fresh_db`` starts with no database file at that path instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REAL_DECK_DIR, set_tz

from studycards import builtin
from studycards.cli import cli


@pytest.fixture
def shipped_decks(monkeypatch: pytest.MonkeyPatch):
    """Use the real built-in decks from the repository."""
    monkeypatch.setattr(builtin, "deck_dir", REAL_DECK_DIR)


def _use_empty_environment(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """STUDYCARDS_DB in ``folder``, UTC, and an empty built-in deck folder."""
    db_path = folder / "studycards.db"
    monkeypatch.setenv("STUDYCARDS_DB", str(db_path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    set_tz(monkeypatch, "UTC")
    empty = folder / "no-builtin-decks"
    empty.mkdir()
    monkeypatch.setattr(builtin, "deck_dir", lambda: empty)
    return db_path


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated, empty database, made once per test session by the
    first command a user would run, and complete in its main file (no WAL)."""
    folder = tmp_path_factory.mktemp("template-db")
    with pytest.MonkeyPatch.context() as monkeypatch:
        db_path = _use_empty_environment(monkeypatch, folder)
        result = CliRunner().invoke(cli, ["decks"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        with sqlite3.connect(db_path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    time.tzset()
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(db_path.name) and p != db_path]
    assert not leftovers, f"the template database is not complete in one file: {leftovers}"
    return db_path


@pytest.fixture(autouse=True)
def isolated(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db_path = _use_empty_environment(monkeypatch, tmp_path)
    if request.node.get_closest_marker("fresh_db") is None:
        shutil.copyfile(request.getfixturevalue("template_db"), db_path)
    yield db_path
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns click's Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def cards_json(run):
    def get(*decks: str) -> list[dict]:
        result = run("cards", "--json", *[x for deck in decks for x in ("--deck", deck)])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return get


@pytest.fixture
def sql(db_path: Path):
    """Read the database directly, as a check independent of the code under test."""

    def query(statement: str, *params):
        with sqlite3.connect(db_path) as conn:
            return conn.execute(statement, params).fetchall()

    return query


@pytest.fixture
def add_notes(run):
    def add(deck: str, count: int, *extra: str) -> None:
        for i in range(1, count + 1):
            result = run("add", deck, "--front", f"Q{i}", "--back", f"A{i}", *extra)
            assert result.exit_code == 0, result.output

    return add


os.environ.setdefault("COLUMNS", "120")
