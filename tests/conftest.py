"""Every test gets its own database, no built-in decks unless it asks, and UTC."""

from __future__ import annotations

import json
import os
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


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db_path = tmp_path / "studycards.db"
    monkeypatch.setenv("STUDYCARDS_DB", str(db_path))
    monkeypatch.delenv("NO_COLOR", raising=False)
    set_tz(monkeypatch, "UTC")
    empty = tmp_path / "no-builtin-decks"
    empty.mkdir()
    monkeypatch.setattr(builtin, "deck_dir", lambda: empty)
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
        result = run("cards", "--json", *decks)
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
