"""Database location, schema migrations, built-in deck updates, corrupt files."""

from __future__ import annotations

from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import answers, collection_exists, foreign_key_violations, index_names, sqlalchemy_url, write_deck

from studycards import builtin
from studycards.store import location, migrations, open_store
from studycards.store.location import ServerLocation


def open_collection(path: Path, now_epoch: int) -> None:
    open_store(path, now_epoch).close()


def test_first_use_creates_folder_and_database(run, tmp_path, monkeypatch):
    target = tmp_path / "a" / "b" / "cards.db"
    monkeypatch.setenv("STUDYCARDS_DB", str(target))
    assert run("decks").exit_code == 0
    assert target.exists()


def test_default_location_is_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("STUDYCARDS_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert location.resolve(None) == tmp_path / "data" / "studycards" / "studycards.db"
    monkeypatch.setenv("STUDYCARDS_DB", "~/x.db")
    assert location.resolve(None) == Path("~/x.db").expanduser()
    assert location.resolve("/tmp/y.db") == Path("/tmp/y.db")


def _schema(where) -> dict[str, object]:
    """Everything SQLAlchemy reflects about each table: columns (type,
    nullability, default, key), primary key, foreign keys, unique
    constraints and indexes (with their partial-index condition), on the
    database's own backend."""
    from sqlalchemy import create_engine, inspect

    engine = create_engine(sqlalchemy_url(where))
    live = inspect(engine)
    where_option = f"{engine.dialect.name}_where"
    out: dict[str, object] = {}
    for table in sorted(set(live.get_table_names()) - {migrations.BOOKKEEPING}):
        out[table] = {
            # By name: PostgreSQL adds a column at the end of its table where
            # SQLite's migrations rebuild it in the models' order, and no SQL
            # of ours depends on a column's position.
            "columns": sorted((c["name"], str(c["type"]), c["nullable"], c["default"], c.get("primary_key")) for c in live.get_columns(table)),
            "pk": live.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"])) for f in live.get_foreign_keys(table)),
            "unique": sorted(tuple(u["column_names"]) for u in live.get_unique_constraints(table)),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]), str(i.get("dialect_options", {}).get(where_option)))
                for i in live.get_indexes(table)
            ),
        }
    engine.dispose()
    return out


@pytest.fixture
def models_db(db_path, tmp_path, server):
    """An empty database of the test's backend for the models' own schema."""
    if not isinstance(db_path, ServerLocation):
        yield tmp_path / "from-models.db"
        return
    name = server.create("template0")
    yield ServerLocation(server.url(name))
    server.drop(name)


@pytest.mark.fresh_db
def test_migrated_schema_matches_the_models_in_full(db_path, models_db):
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    from studycards.store import models  # noqa: F401  (registers the tables)

    if not isinstance(db_path, ServerLocation):
        db_path.unlink(missing_ok=True)
    migrations.migrate(db_path, 0)
    engine = create_engine(sqlalchemy_url(models_db))
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    migrated, modelled = _schema(db_path), _schema(models_db)
    assert set(migrated) == set(modelled) == {"deck", "note", "card", "review_log", "setting", "undo_entry", "note_type", "media_file"}
    for table in modelled:
        assert migrated[table] == modelled[table], table
    # The partial index's condition, as each backend spells it back.
    counted = "((kind)::text = 'review'::text)" if isinstance(db_path, ServerLocation) else "kind = 'review'"
    assert ("uq_review_log_counted", ("card_id", "study_day"), True, counted) in modelled["review_log"]["indexes"]  # type: ignore[index]


def test_the_migration_registry_is_read_without_sqlalchemy():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from studycards.store import migrations\n"
        "names = migrations.names()\n"
        "assert names[0] == 'm001_initial' and len(names) == len(set(names)), names\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.fresh_db
def test_migrations_are_recorded_and_idempotent(db_path, sql):
    open_collection(db_path, 100)
    open_collection(db_path, 200)
    assert sql("select name, applied_at from schema_migration order by name") == [
        ("m001_initial", 100),
        ("m002_review_log_stats_indexes", 100),
        ("m003_card_queue_index", 100),
        ("m004_card_deck_wide_times_counted_once", 100),
        ("m005_deck_names_options_undo", 100),
        ("m006_note_types_fields_card_text", 100),
        ("m007_names_sort_by_code_point", 100),
        ("m008_fsrs_memory_state", 100),
    ]


@pytest.mark.sqlite_only
@pytest.mark.fresh_db
def test_database_runs_in_wal_mode(db_path, sql):
    open_collection(db_path, 0)
    assert sql("pragma journal_mode") == [("wal",)]


@pytest.mark.sqlite_only
def test_database_from_a_newer_version_is_refused_untouched(run, db_path, sql):
    open_collection(db_path, 0)
    sql("insert into schema_migration values ('m999_future', 0)")
    sql("pragma wal_checkpoint(TRUNCATE)")  # the whole database in its file, so its bytes say everything
    before = db_path.read_bytes()
    result = run("decks")
    assert result.exit_code == 1
    assert "written by a newer studycards" in result.stderr and "m999_future" in result.stderr
    assert db_path.read_bytes() == before


@pytest.mark.sqlite_only
@pytest.mark.fresh_db
def test_a_file_that_is_not_a_database_gives_one_line(run, db_path):
    db_path.write_bytes(b"this is not sqlite at all" * 100)
    result = run("decks")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {db_path}: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_database_path_that_is_a_folder_is_refused(run, tmp_path):
    result = run("--db", str(tmp_path), "decks")
    assert (result.exit_code, result.stderr) == (1, f"Error: {tmp_path}: is a folder, not a database file\n")


DECK_V1 = """
[deck]
name = "Capitals"
description = "v1"

[[notes]]
id = "cap-fr"
front = "Capital of France?"
back = "Paris"

[[notes]]
id = "cap-de"
front = "Capital of Germany?"
back = "Berlin"
"""


@pytest.mark.fresh_db
def test_builtin_decks_load_on_first_use_and_update_in_place(run, tmp_path, monkeypatch, cards_json):
    folder = tmp_path / "builtin"
    folder.mkdir()
    write_deck(folder / "capitals.toml", DECK_V1)
    monkeypatch.setattr(builtin, "deck_dir", lambda: folder)
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, 3))
    before = {c["front"]: c for c in cards_json()}
    # A new release edits one note, adds one and reverses another.
    v2 = DECK_V1.replace("v1", "v2").replace('back = "Paris"', 'back = "Paris (on the Seine)"')
    v2 = v2.replace('back = "Berlin"', 'back = "Berlin"\nreverse = true')
    v2 += '\n[[notes]]\nid = "cap-it"\nfront = "Capital of Italy?"\nback = "Rome"\n'
    write_deck(folder / "capitals.toml", v2)
    after = {c["front"]: c for c in cards_json()}
    assert after["Capital of France?"]["back"] == "Paris (on the Seine)"
    for front in ("Capital of France?", "Capital of Germany?"):
        keep = ("id", "repetitions", "easiness", "interval", "due")
        assert {k: after[front][k] for k in keep} == {k: before[front][k] for k in keep}
    assert "Berlin" in after and after["Capital of Italy?"]["due"] is None
    assert len(after) == 4


KIT_V1 = """
[deck]
name = "Kit"

[[notes]]
id = "kit-kept"
front = "Capital of France?"
back = "Paris"

[[notes]]
id = "kit-old"
front = "Which city is the capital of France?"
back = "Paris"

[[notes]]
id = "kit-moved"
cloze = "Rome is the capital of {{c1::Italy}}."
"""


@pytest.mark.fresh_db
def test_a_release_deletes_its_retired_notes_and_keeps_every_other_notes_progress(run, tmp_path, monkeypatch, cards_json, sql):
    folder = tmp_path / "builtin"
    folder.mkdir()
    write_deck(folder / "kit.toml", KIT_V1)
    monkeypatch.setattr(builtin, "deck_dir", lambda: folder)
    run("add", "Mine", "--front", "Which city is the capital of France?", "--back", "Paris")  # the user's own, same text
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(5, 4, 3, 5))
    before = {c["front"]: c for c in cards_json()}
    assert all(c["due"] is not None for c in before.values())  # progress on every note
    old_card = next(c["id"] for c in cards_json("Kit") if c["front"].startswith("Which city"))
    # The next release merges kit-old into kit-kept, and moves kit-moved to
    # another file while still listing it as retired: a shipped note stays.
    v2 = KIT_V1.replace('name = "Kit"', 'name = "Kit"\nretired = ["kit-old", "kit-moved", "never-shipped"]')
    v2 = v2.replace('back = "Paris"', 'back = "Paris, on the Seine"', 1)
    v2 = v2[: v2.index('[[notes]]\nid = "kit-old"')]
    write_deck(folder / "kit.toml", v2)
    write_deck(folder / "more.toml", '[deck]\nname = "More"\n\n[[notes]]\nid = "kit-moved"\ncloze = "Rome is the capital of {{c1::Italy}}."\n')
    result = run("cards", "--json")
    assert "retired 1 note (1 card) that other notes now ask: Kit 1." in result.stderr
    after = {(c["deck"], c["front"]): c for c in cards_json()}
    assert sorted(after) == [("Kit", "Capital of France?"), ("Mine", "Which city is the capital of France?"), ("More", "Rome is the capital of [...].")]
    keep = ("id", "repetitions", "easiness", "interval", "due")
    for deck, front in after:
        assert {k: after[deck, front][k] for k in keep} == {k: before[front][k] for k in keep}, front
    assert after["Kit", "Capital of France?"]["back"] == "Paris, on the Seine"
    assert sql("select count(*) from card where id = ?", old_card) == [(0,)]
    assert sql("select count(*) from review_log where card_id = ?", old_card) == [(0,)]  # its history went with it
    assert sql("select count(*) from note where guid = 'kit-old'") == [(0,)]
    assert sql("select count(*) from review_log") == [(3,)]  # the other three answers stay
    write_deck(folder / "kit.toml", v2.replace("on the Seine", "on the Seine!"))  # a later release: nothing more goes
    assert "retired" not in run("cards", "--json").stderr
    assert len(cards_json()) == 3


def test_import_reads_a_retired_list_and_deletes_nothing(run, tmp_path, cards_json):
    run("import", str(write_deck(tmp_path / "v1.toml", DECK_V1)))
    v2 = DECK_V1.replace('description = "v1"', 'description = "v2"\nretired = ["cap-de"]').replace('[[notes]]\nid = "cap-de"', '[[notes]]\nid = "cap-es"')
    result = run("import", str(write_deck(tmp_path / "v2.toml", v2)))
    assert result.exit_code == 0 and "retired" not in result.stderr
    assert sorted(c["front"] for c in cards_json()) == ["Capital of France?", "Capital of Germany?", "Capital of Germany?"]


@pytest.mark.fresh_db
def test_the_shipped_decks_parse_and_load(run, shipped_decks, db_path):
    real = builtin.deck_dir()
    assert real is not None and builtin.deck_files()
    result = run("decks", "--json")
    assert result.exit_code == 0
    import json

    decks = json.loads(result.stdout)
    assert len(decks) == len(builtin.deck_files())
    assert all(d["total"] > 0 for d in decks)
    assert collection_exists(db_path)


def test_import_then_reimport_is_idempotent_and_updates_in_place(run, tmp_path, cards_json):
    path = write_deck(tmp_path / "capitals.toml", DECK_V1)
    out = run("import", str(path)).output
    assert "Capitals: 2 added, 0 updated, 0 unchanged" in out
    with freeze_time("2026-03-02 10:00"):
        run("review", input=answers(4, 4))
    before = cards_json()
    assert "Capitals: 0 added, 0 updated, 2 unchanged" in run("import", str(path)).output
    assert cards_json() == before
    write_deck(path, DECK_V1.replace('"Berlin"', '"Berlin!"'))
    assert "Dry run, nothing written" in run("import", "--dry-run", str(path)).output
    assert cards_json() == before
    assert "0 added, 1 updated, 1 unchanged" in run("import", str(path)).output
    changed = cards_json()
    assert changed[1]["back"] == "Berlin!" and changed[1]["due"] == before[1]["due"]


@pytest.mark.parametrize(
    "text, message",
    [
        ('[deck]\nname = "X"\n[[notes]]\nid = "a"\nfront = "q"\nback = \n', ":6: not valid TOML: "),
        ('[deck]\nname = "X"\n\n[[notes]]\nid = "a"\nfront = "q"\n', ":4: note 'a': 'back' is missing or empty"),
        ('[deck]\nname = "X"\n\n[[notes]]\nid = "a"\nfront = "q"\nbak = "x"\n', ":7: note 'a': unknown key 'bak'"),
        ('[deck]\nname = "X"\n[[notes]]\nid = "a"\nfront = "q"\nback = "b"\n[[notes]]\nid = "a"\nfront = "r"\nback = "c"\n',
         ":8: duplicate id 'a' (first used on line 3)"),
        ('[deck]\nname = "X"\n[[notes]]\nid = "c"\ncloze = "no deletion"\n', ":5: note 'c': 'cloze' has no deletion"),
        ('[deck]\ndescription = "no name"\n', ":1: [deck] 'name' must be a non-empty string"),
        ('[[notes]]\nid = "a"\n', ":1: missing the [deck] table"),
        ('[deck]\nname = "X"\n[[notes]]\nfront = "q"\nback = "b"\n', ":3: note 1: 'id' is missing or empty"),
        ('[deck]\nname = "X"\n[[notes]]\nid = "a"\nfront = "q"\nback = "b"\ntags = ["two words"]\n',
         ":7: note 'a': 'tags' must be a list of words without spaces"),
        ('[deck]\nname = "X"\nretired = "a"\n', ":3: [deck] 'retired' must be a list of note ids"),
        ('[deck]\nname = "X"\nretired = ["a", "two words"]\n', ":3: [deck] 'retired': 'two words' is not a note id"),
        ('[deck]\nname = "X"\nretired = [\n  "a",\n  "a",\n]\n', ":3: [deck] 'retired' lists 'a' twice"),
        ('[deck]\nname = "X"\nretired = ["b", "a"]\n\n[[notes]]\nid = "a"\nfront = "q"\nback = "b"\n',
         ":3: [deck] 'retired' lists 'a', the id of the note on line 5"),
    ],
)
def test_bad_deck_files_are_refused_with_file_and_line(run, tmp_path, cards_json, text, message):
    run("add", "Existing", "--front", "q", "--back", "a")
    before = cards_json()
    path = write_deck(tmp_path / "bad.toml", text)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}{message}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert cards_json() == before


def test_deck_file_that_is_not_utf8_names_the_line(run, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[deck]\nname = "X"\n# caf\xe9\n')
    result = run("import", str(path))
    assert (result.exit_code, result.stderr) == (1, f"Error: {path}:3: not UTF-8 text (save the file as UTF-8 and try again)\n")


def test_import_of_a_missing_file_is_a_usage_error(run, tmp_path):
    result = run("import", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    assert "nope.toml" in result.stderr and "cannot read the file" in result.stderr


@pytest.mark.fresh_db
def test_a_database_at_the_first_schema_upgrades_with_nothing_lost(db_path, sql, run, cards_json):
    if not isinstance(db_path, ServerLocation):
        db_path.unlink(missing_ok=True)
    assert migrations.migrate(db_path, 0, upto="m001_initial") == ["m001_initial"]
    sql("insert into deck (id, name, description) values (1, 'Old', '')")
    sql(
        "insert into note (id, deck_id, guid, note_type, reverse, front, back, tags, source, position, modified)"
        " values (1, 1, 'g1', 'basic', ?, 'q', 'a', 't', '', 0, 0)",
        False,
    )
    sql(
        "insert into card (id, note_id, kind, ord, repetitions, easiness, interval, due, lapses, suspended, buried_until, last_review)"
        " values (1, 1, 'basic', 0, 2, 236, 6, 20520, 1, ?, null, 5)",
        False,
    )
    sql(
        "insert into review_log (card_id, time, study_day, grade, kind, before_repetitions, before_easiness, before_interval,"
        " before_due, after_repetitions, after_easiness, after_interval, after_due, answer_ms)"
        " values (1, 5, 20514, 4, 'review', 1, 236, 1, 20514, 2, 236, 6, 20520, 900)"
    )
    assert [name for (name,) in sql("select name from schema_migration")] == ["m001_initial"]
    assert run("decks").exit_code == 0  # any command migrates first
    assert [name for (name,) in sql("select name from schema_migration order by name")] == [
        "m001_initial",
        "m002_review_log_stats_indexes",
        "m003_card_queue_index",
        "m004_card_deck_wide_times_counted_once",
        "m005_deck_names_options_undo",
        "m006_note_types_fields_card_text",
        "m007_names_sort_by_code_point",
        "m008_fsrs_memory_state",
    ]
    [card] = cards_json()
    assert (card["front"], card["easiness"], card["interval"], card["due"], card["lapses"]) == ("q", 2.36, 6, "2026-03-08", 1)
    assert sql("select grade, answer_ms from review_log") == [(4, 900)]
    assert {"ix_review_log_kind_day", "ix_review_log_day_time", "uq_review_log_counted"} <= index_names(db_path)
    assert sql("select deck_id from card") == [(1,)]
    assert foreign_key_violations(db_path) == []



def test_a_database_url_is_never_a_file_and_its_password_is_never_shown(run, tmp_path, monkeypatch):
    """Before, `--db postgresql://u:secret@host/x` silently made a SQLite file
    in a folder named after the URL, password and all. A server that cannot
    be reached is a run-time failure (1); a URL we cannot read is a usage
    error (2); neither shows the password or creates anything."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for url, status, says in (
        # Port 1 on the loopback: nothing listens there.
        ("postgresql://me:s3cret@127.0.0.1:1/cards?password=s3cret&connect_timeout=5", 1, "cannot reach the PostgreSQL server"),
        ("postgres://me:s3cret@127.0.0.1:1/cards", 1, "cannot reach the PostgreSQL server"),
        ("mysql://me:s3cret@localhost/cards", 2, "unknown database URL scheme 'mysql'"),
        ("sqlite://", 2, "names no file"),
    ):
        result = run("--db", url, "decks")
        assert result.exit_code == status, result.output
        assert says in result.stderr and "s3cret" not in result.output + result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
        assert status == 2 or len(result.stderr.strip().splitlines()) == 1
    assert "Error: --db: " in run("--db", "sqlite://", "decks").stderr
    monkeypatch.setenv("STUDYCARDS_DB", "postgresql://me:s3cret@127.0.0.1:1/cards")
    result = run("decks")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: postgresql://me:***@127.0.0.1:1/cards: cannot reach the PostgreSQL server")
    assert list(work.iterdir()) == []  # nothing created anywhere under the working folder
    monkeypatch.delenv("STUDYCARDS_DB")
    assert run("--db", "sqlite:///here.db", "decks").exit_code == 0
    assert (work / "here.db").is_file()  # relative to the working folder, as SQLAlchemy reads it
    assert location.resolve("sqlite:///rel/c.db") == Path("rel/c.db")
    assert location.resolve("sqlite:////abs/c.db") == Path("/abs/c.db")
    assert location.resolve("postgresql+psycopg://u@h/db") == location.ServerLocation("postgresql://u@h/db")


def test_a_server_url_without_the_driver_says_which_extra_to_install(run, monkeypatch, tmp_path):
    from studycards.store import server

    monkeypatch.setattr(server, "_driver", lambda: None)
    monkeypatch.chdir(tmp_path)
    result = run("--db", "postgresql://me:s3cret@localhost/cards", "decks")
    assert result.exit_code == 1
    assert result.stderr == "Error: postgresql://me:***@localhost/cards: PostgreSQL needs the psycopg driver: pip install 'studycards[postgres]'\n"


def test_redact_hides_passwords_and_nothing_else():
    assert location.redact("postgresql://u:p%40ss@h:5432/db?sslmode=require&password=x") == "postgresql://u:***@h:5432/db?sslmode=require&password=***"
    assert location.redact("postgresql://u@h/db") == "postgresql://u@h/db"
    assert location.redact("postgresql:///db?host=/run/postgresql") == "postgresql:///db?host=/run/postgresql"
    assert location.redact("postgresql://u:p@h?password=x") == "postgresql://u:***@h?password=***"
    assert location.redact("/plain/path.db") == "/plain/path.db"
