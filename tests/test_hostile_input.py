"""Hostile and broken input: imports either complete or change nothing, the
database's failures are one line, and nothing a card says reaches the
terminal as a control sequence."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studycards.cli import cli
from studycards.store import location
from studycards.store.location import ServerLocation
from helpers import allow_orphans, answers

FIXTURES = Path(__file__).parent / "fixtures"
VALID = {
    "toml": b'[deck]\nname = "D"\n\n[[notes]]\nid = "a"\nfront = "q"\nback = "b"\ntags = ["t"]\n\n[[notes]]\nid = "c"\ncloze = "{{c1::x}} y"\n',
    "csv": b"#separator:comma\n#tags column:3\nq1,a1,t1\n\"q,2\",\"a\n2\",t2\n",
    "txt": (FIXTURES / "anki_notes_all_columns.txt").read_bytes(),
    "json": b'{"format": "studycards", "version": 1, "decks": [{"name": "D", "notes": [{"id": "a", "front": "q", "back": "b"}]}]}',
    "apkg": (FIXTURES / "genanki_deck.apkg").read_bytes(),
}
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def fingerprint(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()


def import_once(data: bytes, suffix: str) -> None:
    """Import ``data``: it either imports completely (and again changes
    nothing) or fails with one line, exit status 1, and no change at all."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "db.sqlite"
        seed = runner.invoke(cli, ["--db", str(db), "add", "Seed", "--front", "s", "--back", "t"])
        assert seed.exit_code == 0
        before = fingerprint(db)
        path = Path(tmp) / f"input.{suffix}"
        path.write_bytes(data)
        result = runner.invoke(cli, ["--db", str(db), "import", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            again = runner.invoke(cli, ["--db", str(db), "import", str(path)])
            assert again.exit_code == 0 and " 0 added, 0 updated" in again.output or "no notes found" in again.output
        else:
            assert result.exit_code == 1, result.output
            assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
            assert "\x1b" not in result.stderr
            assert fingerprint(db) == before


@pytest.mark.slow
@pytest.mark.parametrize("suffix", sorted(VALID))
@PROPERTY
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_import_completely_or_not_at_all(suffix, data):
    import_once(data, suffix)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", sorted(VALID))
@PROPERTY
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(["flip", "insert", "delete"]), st.binary(min_size=1, max_size=4)), min_size=1, max_size=6))
def test_mutated_valid_files_import_completely_or_not_at_all(suffix, edits):
    data = bytearray(VALID[suffix])
    for position, action, payload in edits:
        at = position % max(1, len(data))
        if action == "flip" and data:
            data[at] ^= payload[0] or 1
        elif action == "insert":
            data[at:at] = payload
        elif data:
            del data[at : at + len(payload)]
    import_once(bytes(data), suffix)


def test_the_valid_seeds_really_import(tmp_path):
    for suffix, data in VALID.items():
        path = tmp_path / f"ok.{suffix}"
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "db.sqlite"), "import", str(path)])
        assert result.exit_code == 0 and "added" in result.output, (suffix, result.output)


# --- The database failing under us ---------------------------------------------------


@pytest.fixture
def pragma_on_connect(monkeypatch: pytest.MonkeyPatch):
    """Run a PRAGMA on every new SQLite connection: a way to make writes fail."""
    from studycards.store import conn

    def install(statement: str) -> None:
        monkeypatch.setattr(conn, "PRAGMAS", (*conn.PRAGMAS, statement))

    yield install


@pytest.mark.sqlite_only
def test_a_full_disk_is_one_line_and_changes_nothing(run, db_path, sql, pragma_on_connect):
    run("add", "D", "--front", "q", "--back", "a")
    [(pages,)] = sql("pragma page_count")
    sql("pragma wal_checkpoint(TRUNCATE)")
    before = fingerprint(db_path)
    pragma_on_connect(f"PRAGMA max_page_count = {pages}")  # the database may not grow: as good as a full disk
    result = run("add", "D", "--front", "big " * 20_000, "--back", "a")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {db_path}: the disk is full; nothing was changed\n"
    assert fingerprint(db_path) == before


@pytest.mark.sqlite_only
def test_a_read_only_database_is_one_line_and_changes_nothing(run, db_path, pragma_on_connect):
    run("add", "D", "--front", "q", "--back", "a")
    before = fingerprint(db_path)
    pragma_on_connect("PRAGMA query_only = ON")
    result = run("add", "D", "--front", "q2", "--back", "a2")
    assert result.exit_code == 1
    assert "the database is read-only" in result.stderr and result.stderr.count("\n") == 1
    assert fingerprint(db_path) == before
    assert run("decks").exit_code == 0  # reading still works


@pytest.mark.sqlite_only
def test_a_truncated_database_file_is_one_line(run, db_path, sql):
    run("add", "D", "--front", "q", "--back", "a")
    sql("pragma wal_checkpoint(TRUNCATE)")
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 3])
    result = run("cards")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {db_path}: ") and result.stderr.count("\n") == 1


def test_check_reports_orphans_and_impossible_states(run, db_path, sql):
    run("add", "D", "--front", "q", "--back", "a")
    integrity = "file integrity check not applicable on a server" if isinstance(db_path, ServerLocation) else "integrity ok"
    assert run("check").output.startswith(f"No problems found: {integrity}; 1 decks, 1 notes, 1 cards, 0 reviews.")
    allow_orphans(db_path, "card", "note_id")
    sql(
        "insert into card (note_id, deck_id, kind, ord, repetitions, easiness, interval, due, lapses, suspended)"
        " values (99, 1, 'basic', 0, 0, 250, 0, null, 0, ?)",
        False,
    )
    sql("update card set easiness = 90 where id = 1")
    result = run("check")
    assert result.exit_code == 1
    assert "problem: cards whose note is missing (card ids): 2" in result.stderr
    assert "problem: cards with an impossible scheduling state (card ids): 1" in result.stderr
    assert result.stderr.strip().endswith("Error: 2 problems found (1 decks, 1 notes, 2 cards, 0 reviews)")


def test_check_names_review_log_rows_whose_card_is_gone(run, db_path, sql):
    run("add", "D", "--front", "q", "--back", "a")
    run("review", "D", input=answers(4))
    assert run("check").exit_code == 0
    allow_orphans(db_path, "review_log", "card_id")
    sql(
        "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
        " before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms)"
        " select 4242, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
        " before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms from review_log"
    )
    [(orphan,)] = sql("select max(id) from review_log")
    result = run("check")
    assert result.exit_code == 1
    assert f"problem: review-log rows whose card is missing (log ids): {orphan}\n" in result.stderr
    assert "1 problem found" in result.stderr


def test_backup_refuses_to_overwrite_and_the_copy_is_complete(run, db_path, tmp_path):
    run("add", "D", "--front", "q", "--back", "a")
    target = tmp_path / "b.db"
    assert run("backup", str(target)).output == f"Backed up 1 cards and 0 reviews to {target}.\n"
    again = run("backup", str(target))
    assert (again.exit_code, again.stderr) == (1, f"Error: {target} already exists; use --force to overwrite it\n")
    assert run("backup", str(target), "--force").exit_code == 0
    assert run("--db", str(target), "cards", "--json").stdout == run("cards", "--json").stdout
    default = run("backup")
    # Next to the database file; for a server, in the user data folder.
    beside = location.default_path() if isinstance(db_path, ServerLocation) else db_path
    assert default.exit_code == 0 and f"{beside.parent / 'backups'}" in default.output


@pytest.mark.sqlite_only
@pytest.mark.fresh_db
def test_a_migration_first_writes_a_copy_of_the_old_database(db_path, run):
    from studycards.store import migrations

    db_path.unlink(missing_ok=True)
    migrations.migrate(db_path, 0, upto="m001_initial")
    assert run("decks").exit_code == 0
    copy = db_path.with_name(f"{db_path.name}.before-m002_review_log_stats_indexes.bak")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select name from schema_migration").fetchall() == [("m001_initial",)]


# --- Command-line values ----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["review", "--new", "-1"],
        ["review", "--limit", "many"],
        ["review", "bad\x1b[31mdeck"],
        ["stats", "--days", "0"],
        ["suspend", "0"],
        ["suspend", "abc"],
        ["add", "", "--front", "q", "--back", "a"],
        ["add", "   ", "--front", "q", "--back", "a"],
        ["cards", "--deck", "tab\tdeck"],
        ["config", "day-start-hour", "99"],
        ["config", "no-such-key"],
        ["import", "x.csv", "--format", "bogus"],
        ["export", "--format", "bogus"],
        ["import", "x.csv", "--deck", ""],
    ],
)
def test_invalid_command_line_values_are_usage_errors(run, args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "\x1b" not in result.output


def test_error_messages_never_carry_control_sequences(run, tmp_path):
    evil = tmp_path / "evil\x1b]0;pwned\x07.toml"
    evil.write_text('[deck]\nname = "x"\n[[notes]]\nid = "a"\nfront = "\x1b[2J"\n', encoding="utf-8")
    result = run("import", str(evil))
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_stats_and_cards_neutralise_card_text(run, sql):
    run("add", "D", "--front", "evil \x1b[31mred\x1b[0m \u202egnp.exe", "--back", "b\x07")
    sql("update card set lapses = 3, due = 20000, interval = 1, repetitions = 0, easiness = 130")
    for args in (["stats"], ["cards"], ["stats", "--json"], ["cards", "--json"]):
        out = run(*args).output
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, args
