"""Every test gets its own database, no built-in decks unless it asks, and UTC.

The database is migrated once per test session (through the CLI, into a
template) and copied to each test's ``tmp_path/studycards.db``; a test marked
``@pytest.mark.fresh_db`` starts with no database file at that path instead.

With ``STUDYCARDS_TEST_PG`` set to a PostgreSQL URL (a role that may create
databases), the same tests run on that server: the template is a database
there, each test gets its own copy of it (an empty one for ``fresh_db``),
and tests marked ``sqlite_only`` (about SQLite files) are deselected.
Tests read the database through the ``sql`` fixture, on either backend.
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
from studycards.store.location import ServerLocation


PG_BASE = os.environ.get("STUDYCARDS_TEST_PG")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a server, leave out the tests about SQLite files; on SQLite, those
    about a server (reconnecting, round trips)."""
    other = "sqlite_only" if PG_BASE else "server_only"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


class _Server:
    """Databases on the test server: a template migrated once, a copy per test."""

    def __init__(self, base: str) -> None:
        import psycopg

        self.base = base
        self.admin = psycopg.connect(base, autocommit=True)
        self.prefix = f"sc_test_{os.getpid()}"
        self.count = 0

    def url(self, name: str) -> str:
        scheme, _, rest = self.base.partition("://")
        authority = rest.partition("/")[0]
        return f"{scheme}://{authority}/{name}"

    def create(self, template: str | None = None) -> str:
        self.count += 1
        name = f"{self.prefix}_{self.count}" if template else f"{self.prefix}_tpl"
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template or "template0"}"')
        return name

    def drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server():
    if not PG_BASE:
        yield None
        return
    found = _Server(PG_BASE)
    yield found
    found.drop(f"{found.prefix}_tpl")
    found.admin.close()


@pytest.fixture
def shipped_decks(monkeypatch: pytest.MonkeyPatch):
    """Use the real built-in decks from the repository."""
    monkeypatch.setattr(builtin, "deck_dir", REAL_DECK_DIR)


def _use_empty_environment(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Path:
    """STUDYCARDS_DB in ``folder``, UTC, and an empty built-in deck folder."""
    db_path = folder / "studycards.db"
    monkeypatch.setenv("STUDYCARDS_DB", str(db_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "user-data"))  # backups and media of a server collection
    monkeypatch.delenv("NO_COLOR", raising=False)
    set_tz(monkeypatch, "UTC")
    empty = folder / "no-builtin-decks"
    empty.mkdir()
    monkeypatch.setattr(builtin, "deck_dir", lambda: empty)
    return db_path


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, server) -> Path | str:
    """A freshly migrated, empty database, made once per test session by the
    first command a user would run, and complete in its main file (no WAL);
    on a server, the name of the template database."""
    folder = tmp_path_factory.mktemp("template-db")
    if server is not None:
        name = server.create()
        with pytest.MonkeyPatch.context() as monkeypatch:
            _use_empty_environment(monkeypatch, folder)
            monkeypatch.setenv("STUDYCARDS_DB", server.url(name))
            result = CliRunner().invoke(cli, ["decks"], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        time.tzset()
        return name
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
def isolated(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server):
    db_path = _use_empty_environment(monkeypatch, tmp_path)
    fresh = request.node.get_closest_marker("fresh_db") is not None
    if server is not None:
        name = server.create("template0" if fresh else request.getfixturevalue("template_db"))
        monkeypatch.setenv("STUDYCARDS_DB", server.url(name))
        yield ServerLocation(server.url(name))
        monkeypatch.undo()
        time.tzset()
        server.drop(name)
        return
    if not fresh:
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
def sql(db_path):
    """Read (or change) the database directly, as a check independent of the
    code under test: SQL with ``?`` parameters, on SQLite or the server."""
    if isinstance(db_path, ServerLocation):
        import psycopg

        def on_server(statement: str, *params):
            with psycopg.connect(db_path.url, autocommit=True) as conn:
                cursor = conn.execute(statement.replace("%", "%%").replace("?", "%s"), params)
                return cursor.fetchall() if cursor.description else []

        return on_server

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
