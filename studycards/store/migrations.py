"""Numbered schema migrations, recorded in the database: the applied
history that brings any older database to the schema in models.py.

``MIGRATIONS`` is the one registry. Reading the names costs nothing (the
quick start-up check compares them with the database's bookkeeping rows);
each migration imports SQLAlchemy inside its body, so SQLAlchemy is loaded
only when a database really needs migrating. Each migration runs with its
bookkeeping row in one transaction. m001 spells out the first schema as
explicit, frozen DDL (never ``create_all`` of the models) so every later
migration has a fixed starting point whatever the models look like by then.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from studycards.errors import DatabaseError
from studycards.store.location import ServerLocation

if TYPE_CHECKING:
    from sqlalchemy import Connection

MIGRATIONS: list[tuple[str, Callable[["Connection"], None]]] = []
BOOKKEEPING = "schema_migration"


def migration(fn: Callable[["Connection"], None]) -> Callable[["Connection"], None]:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


def names() -> list[str]:
    return [name for name, _ in MIGRATIONS]


@migration
def m001_initial(conn: Connection) -> None:
    from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, UniqueConstraint

    meta = MetaData()
    Table(
        "deck",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False, unique=True),
        Column("description", String, nullable=False),
    )
    Table(
        "note",
        meta,
        Column("id", Integer, primary_key=True),
        Column("deck_id", Integer, ForeignKey("deck.id"), nullable=False),
        Column("guid", String, nullable=False, unique=True),
        Column("note_type", String, nullable=False),
        Column("reverse", Boolean, nullable=False),
        Column("front", String, nullable=False),
        Column("back", String, nullable=False),
        Column("tags", String, nullable=False),
        Column("source", String, nullable=False),
        Column("position", Integer, nullable=False),
        Column("modified", Integer, nullable=False),
        Index("ix_note_deck_position", "deck_id", "position"),
    )
    Table(
        "card",
        meta,
        Column("id", Integer, primary_key=True),
        Column("note_id", Integer, ForeignKey("note.id"), nullable=False, index=True),
        Column("kind", String, nullable=False),
        Column("ord", Integer, nullable=False),
        Column("repetitions", Integer, nullable=False),
        Column("easiness", Integer, nullable=False),
        Column("interval", Integer, nullable=False),
        Column("due", Integer, nullable=True),
        Column("lapses", Integer, nullable=False),
        Column("suspended", Boolean, nullable=False),
        Column("buried_until", Integer, nullable=True),
        Column("last_review", Integer, nullable=True),
        UniqueConstraint("note_id", "kind", "ord", name="uq_card_note_kind_ord"),
        Index("ix_card_due", "suspended", "due"),
    )
    Table(
        "review_log",
        meta,
        Column("id", Integer, primary_key=True),
        Column("card_id", Integer, ForeignKey("card.id"), nullable=False),
        Column("time", Integer, nullable=False),
        Column("study_day", Integer, nullable=False),
        Column("grade", Integer, nullable=False),
        Column("kind", String, nullable=False),
        Column("before_repetitions", Integer, nullable=False),
        Column("before_easiness", Integer, nullable=False),
        Column("before_interval", Integer, nullable=False),
        Column("before_due", Integer, nullable=True),
        Column("after_repetitions", Integer, nullable=False),
        Column("after_easiness", Integer, nullable=False),
        Column("after_interval", Integer, nullable=False),
        Column("after_due", Integer, nullable=True),
        Column("answer_ms", Integer, nullable=False),
        Index("ix_review_log_day", "study_day", "kind"),
        Index("ix_review_log_card_day", "card_id", "study_day"),
    )
    Table(
        "setting",
        meta,
        Column("key", String, primary_key=True),
        Column("value", String, nullable=False),
    )
    meta.create_all(conn)  # creates exactly the frozen tables above


@migration
def m002_review_log_stats_indexes(conn: Connection) -> None:
    """Covering indexes for the statistics aggregates (retention and grades;
    answers by hour), so `stats` reads indexes instead of the whole log."""
    from sqlalchemy import Column, Index, Integer, MetaData, String, Table

    meta = MetaData()
    log = Table(
        "review_log",
        meta,
        Column("kind", String),
        Column("study_day", Integer),
        Column("before_due", Integer),
        Column("before_interval", Integer),
        Column("grade", Integer),
        Column("time", Integer),
    )
    Index("ix_review_log_kind_day", log.c.kind, log.c.study_day, log.c.before_due, log.c.before_interval, log.c.grade).create(conn)
    Index("ix_review_log_day_time", log.c.study_day, log.c.time).create(conn)


@migration
def m003_card_queue_index(conn: Connection) -> None:
    """One covering index for what the review queue and the overview read
    (visible cards by due day, with their note), replacing ix_card_due: due
    cards are counted and queued without touching the card rows. And one
    redundant index fewer to maintain."""
    from sqlalchemy import Boolean, Column, Index, Integer, MetaData, Table

    meta = MetaData()
    card = Table(
        "card",
        meta,
        Column("suspended", Boolean),
        Column("due", Integer),
        Column("buried_until", Integer),
        Column("note_id", Integer),
    )
    Index("ix_card_due", card.c.suspended, card.c.due).drop(conn)
    Index("ix_card_queue", card.c.suspended, card.c.due, card.c.buried_until, card.c.note_id).create(conn)
    # Cards by note are found through the unique (note_id, kind, ord) index;
    # this copy of its first column only slowed every insert down.
    Index("ix_card_note_id", card.c.note_id).drop(conn)



def _rebuild_sqlite(conn: Connection, table, select_sql: str) -> None:  # type: ignore[no-untyped-def]
    """SQLite cannot change a column's type or add a NOT NULL reference in
    place: build the new table under a temporary name, copy the rows, drop
    the old one and rename (SQLite's documented procedure, run with foreign
    keys off; the runner checks them before committing)."""
    from sqlalchemy.schema import CreateTable

    final = table.name
    table.name = f"_new_{final}"
    try:
        conn.execute(CreateTable(table))
    finally:
        table.name = final
    conn.exec_driver_sql(f'INSERT INTO "_new_{final}" {select_sql}')
    conn.exec_driver_sql(f'DROP TABLE "{final}"')
    conn.exec_driver_sql(f'ALTER TABLE "_new_{final}" RENAME TO "{final}"')


@migration
def m004_card_deck_wide_times_counted_once(conn: Connection) -> None:
    """Three changes for correctness and scale:

    - the card row carries its deck (``card.deck_id``, also in the queue
      index), so the overview counts a million cards from one index instead
      of looking up every due card's note;
    - epoch-second columns become 64-bit, so answers after 2038 work;
    - a partial unique index on (card, study day) for counted answers, so
      "only the first answer of a day schedules" is held by the schema, not
      by one database's write lock. Any duplicates an old import brought in
      become re-drills first.
    """
    from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, UniqueConstraint, text

    meta = MetaData()
    Table("deck", meta, Column("id", Integer, primary_key=True))
    note = Table(
        "note",
        meta,
        Column("id", Integer, primary_key=True),
        Column("deck_id", Integer, ForeignKey("deck.id"), nullable=False),
        Column("guid", String, nullable=False, unique=True),
        Column("note_type", String, nullable=False),
        Column("reverse", Boolean, nullable=False),
        Column("front", String, nullable=False),
        Column("back", String, nullable=False),
        Column("tags", String, nullable=False),
        Column("source", String, nullable=False),
        Column("position", Integer, nullable=False),
        Column("modified", BigInteger, nullable=False),
    )
    card = Table(
        "card",
        meta,
        Column("id", Integer, primary_key=True),
        Column("note_id", Integer, ForeignKey("note.id"), nullable=False),
        Column("deck_id", Integer, ForeignKey("deck.id"), nullable=False),
        Column("kind", String, nullable=False),
        Column("ord", Integer, nullable=False),
        Column("repetitions", Integer, nullable=False),
        Column("easiness", Integer, nullable=False),
        Column("interval", Integer, nullable=False),
        Column("due", Integer, nullable=True),
        Column("lapses", Integer, nullable=False),
        Column("suspended", Boolean, nullable=False),
        Column("buried_until", Integer, nullable=True),
        Column("last_review", BigInteger, nullable=True),
        UniqueConstraint("note_id", "kind", "ord", name="uq_card_note_kind_ord"),
    )
    log = Table(
        "review_log",
        meta,
        Column("id", Integer, primary_key=True),
        Column("card_id", Integer, ForeignKey("card.id"), nullable=False),
        Column("time", BigInteger, nullable=False),
        Column("study_day", Integer, nullable=False),
        Column("grade", Integer, nullable=False),
        Column("kind", String, nullable=False),
        Column("before_repetitions", Integer, nullable=False),
        Column("before_easiness", Integer, nullable=False),
        Column("before_interval", Integer, nullable=False),
        Column("before_due", Integer, nullable=True),
        Column("after_repetitions", Integer, nullable=False),
        Column("after_easiness", Integer, nullable=False),
        Column("after_interval", Integer, nullable=False),
        Column("after_due", Integer, nullable=True),
        Column("answer_ms", Integer, nullable=False),
    )
    conn.exec_driver_sql(
        "UPDATE review_log SET kind = 'drill' WHERE kind = 'review' AND id NOT IN"
        " (SELECT MIN(id) FROM review_log WHERE kind = 'review' GROUP BY card_id, study_day)"
    )
    if conn.dialect.name == "sqlite":
        note_cols = ", ".join(f'"{c.name}"' for c in note.columns)
        _rebuild_sqlite(conn, note, f"SELECT {note_cols} FROM note")
        card_cols = ", ".join(f'card."{c.name}"' if c.name != "deck_id" else "note.deck_id" for c in card.columns)
        _rebuild_sqlite(conn, card, f"SELECT {card_cols} FROM card JOIN note ON note.id = card.note_id")
        log_cols = ", ".join(f'"{c.name}"' for c in log.columns)
        _rebuild_sqlite(conn, log, f"SELECT {log_cols} FROM review_log")
        Index("ix_note_deck_position", note.c.deck_id, note.c.position).create(conn)
        for name, *columns in (
            ("ix_review_log_day", "study_day", "kind"),
            ("ix_review_log_card_day", "card_id", "study_day"),
            ("ix_review_log_kind_day", "kind", "study_day", "before_due", "before_interval", "grade"),
            ("ix_review_log_day_time", "study_day", "time"),
        ):
            Index(name, *(log.c[c] for c in columns)).create(conn)
    else:
        for table, column in (("note", "modified"), ("card", "last_review"), ("review_log", "time")):
            conn.exec_driver_sql(f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE BIGINT')
        conn.exec_driver_sql("ALTER TABLE card ADD COLUMN deck_id INTEGER REFERENCES deck (id)")
        conn.exec_driver_sql("UPDATE card SET deck_id = (SELECT note.deck_id FROM note WHERE note.id = card.note_id)")
        conn.exec_driver_sql("ALTER TABLE card ALTER COLUMN deck_id SET NOT NULL")
        conn.exec_driver_sql("DROP INDEX ix_card_queue")
    Index("ix_card_queue", card.c.suspended, card.c.due, card.c.buried_until, card.c.deck_id, card.c.note_id).create(conn)
    where = text("kind = 'review'")
    Index("uq_review_log_counted", log.c.card_id, log.c.study_day, unique=True, sqlite_where=where, postgresql_where=where).create(conn)


m004_card_deck_wide_times_counted_once.foreign_keys_off = True  # type: ignore[attr-defined]


@migration
def m005_deck_names_options_undo(conn: Connection) -> None:
    """Deck names unique regardless of case (a case-folded copy with a
    unique index; decks that differ only in case get " (2)", " (3)" ...),
    a per-deck daily limit of new cards, when each note was created (for
    ``added:N`` searches; existing notes take their last change), and the
    table behind ``studycards undo``."""
    from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, text

    conn.exec_driver_sql("ALTER TABLE deck ADD COLUMN folded VARCHAR DEFAULT '' NOT NULL")
    conn.exec_driver_sql("ALTER TABLE deck ADD COLUMN new_per_day INTEGER")
    seen: set[str] = set()
    for deck_id, name in conn.exec_driver_sql("SELECT id, name FROM deck ORDER BY id").fetchall():
        new, n = name, 1
        while new.casefold() in seen:
            n += 1
            new = f"{name} ({n})"
        seen.add(new.casefold())
        conn.execute(text("UPDATE deck SET name = :name, folded = :folded WHERE id = :id"), {"name": new, "folded": new.casefold(), "id": deck_id})
    meta = MetaData()
    deck = Table("deck", meta, Column("folded", String))
    Index("uq_deck_folded", deck.c.folded, unique=True).create(conn)
    conn.exec_driver_sql("ALTER TABLE note ADD COLUMN created BIGINT DEFAULT '0' NOT NULL")
    conn.exec_driver_sql("UPDATE note SET created = modified")
    Table(
        "undo_entry",
        meta,
        Column("id", Integer, primary_key=True),
        Column("created", BigInteger, nullable=False),
        Column("description", String, nullable=False),
        Column("payload", String, nullable=False),
    ).create(conn)


@migration
def m006_note_types_fields_card_text(conn: Connection) -> None:
    """Notes as their authors made them: a ``note_type`` table (named fields
    and card templates, as Anki defines them), every field of a typed note
    (``note.note_type_id``, ``note.fields`` as a JSON list), each typed
    card's question and answer rendered once when the note is written
    (``card.question``, ``card.answer``), and the media files of imported
    packages (``media_file``: name -> content hash)."""
    from sqlalchemy import BigInteger, Boolean, Column, Integer, MetaData, String, Table

    meta = MetaData()
    Table(
        "note_type",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False),
        Column("cloze", Boolean, nullable=False),
        Column("fields", String, nullable=False),
        Column("templates", String, nullable=False),
        Column("css", String, nullable=False),
        Column("html", Boolean, nullable=False),
        Column("anki_id", BigInteger, nullable=True),
        Column("key", String, nullable=False, unique=True),
    ).create(conn)
    Table(
        "media_file",
        meta,
        Column("name", String, primary_key=True),
        Column("sha256", String, nullable=False),
        Column("size", BigInteger, nullable=False),
    ).create(conn)
    conn.exec_driver_sql("ALTER TABLE note ADD COLUMN note_type_id INTEGER REFERENCES note_type (id)")
    conn.exec_driver_sql("ALTER TABLE note ADD COLUMN fields VARCHAR")
    conn.exec_driver_sql("ALTER TABLE card ADD COLUMN question VARCHAR")
    conn.exec_driver_sql("ALTER TABLE card ADD COLUMN answer VARCHAR")


@migration
def m007_names_sort_by_code_point(conn: Connection) -> None:
    """Text sorts the same on every database: by code point, as SQLite's
    default collation does. A PostgreSQL database's default collation may
    be a language's (en_US puts "_x" before "apple" and ignores case), so
    the text columns that are sorted or compared get the "C" collation
    there; on SQLite there is nothing to change."""
    if conn.dialect.name != "postgresql":
        return
    for table, column in (("deck", "name"), ("deck", "folded"), ("card", "kind"), ("note", "guid"), ("note", "tags"), ("setting", "key"), ("media_file", "name")):
        conn.exec_driver_sql(f'ALTER TABLE {table} ALTER COLUMN "{column}" TYPE VARCHAR COLLATE "C"')


@migration
def m008_fsrs_memory_state(conn: Connection) -> None:
    """FSRS's memory state of each card (stability in days, difficulty 1-10),
    NULL until FSRS schedules the card or computes it on a switch."""
    kind = "DOUBLE PRECISION" if conn.dialect.name == "postgresql" else "FLOAT"
    conn.exec_driver_sql(f"ALTER TABLE card ADD COLUMN stability {kind}")
    conn.exec_driver_sql(f"ALTER TABLE card ADD COLUMN difficulty {kind}")


# --- the runner -----------------------------------------------------------


def _engine(path: Path | ServerLocation):  # type: ignore[no-untyped-def]
    """A SQLAlchemy engine over our own SQLite connections (same settings as
    the daily path), beginning write transactions with BEGIN IMMEDIATE; on a
    server, psycopg's with one connection and no pool."""
    from sqlalchemy import create_engine, event

    from studycards.store.conn import connect_sqlite

    if isinstance(path, ServerLocation):
        from sqlalchemy.pool import NullPool

        from studycards.store.server import connect_server

        return create_engine("postgresql+psycopg://", creator=lambda: connect_server(path, for_sqlalchemy=True), poolclass=NullPool)

    engine = create_engine("sqlite://", creator=lambda: connect_sqlite(path, named_rows=False))

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _bookkeeping():  # type: ignore[no-untyped-def]
    from sqlalchemy import BigInteger, Column, MetaData, String, Table

    return Table(
        BOOKKEEPING,
        MetaData(),
        Column("name", String, primary_key=True),
        Column("applied_at", BigInteger, nullable=False),
    )


def applied(conn: Connection) -> list[str]:
    from sqlalchemy import inspect, select

    if not inspect(conn).has_table(BOOKKEEPING):
        return []
    return list(conn.execute(select(_bookkeeping().c.name)).scalars())


def check_known(done: list[str]) -> None:
    """Refuse a database written by a newer release (it has migrations we do not know)."""
    unknown = sorted(set(done) - set(names()))
    if unknown:
        raise DatabaseError(
            f"this database was written by a newer studycards (it has migration "
            f"{unknown[-1]}); upgrade studycards to use it"
        )


def migrate(path: Path | ServerLocation, now_epoch: int, upto: str | None = None, backup: bool = True) -> list[str]:
    """Apply pending migrations in order, each with its bookkeeping row in
    one transaction; returns the names that ran. An existing SQLite database
    is copied to ``NAME.before-MIGRATION.bak`` first (a server's migrations
    need no copy: PostgreSQL's schema changes are transactional, so a failed
    one leaves nothing behind). On a server one process migrates at a time,
    behind a lock held for the whole connection. ``upto`` stops after that
    migration (tests use it to build an old schema)."""
    from sqlalchemy import exc

    from studycards.store.conn import database_error

    server = isinstance(path, ServerLocation)
    engine = _engine(path)
    ran: list[str] = []
    try:
        with engine.connect() as conn:
            with conn.begin():
                if server:
                    from studycards.store.server import OPEN_LOCK

                    conn.exec_driver_sql(f"SELECT pg_advisory_lock({OPEN_LOCK})")
                done = applied(conn)
            check_known(done)
            todo = [name for name, _ in MIGRATIONS if name not in done]
            if todo and done and backup and not server:
                copy = path.with_name(f"{path.name}.before-{todo[0]}.bak")
                if not copy.exists():
                    _backup(conn, copy)
            for name, fn in MIGRATIONS:
                if name in todo:
                    _apply(conn, name, fn, now_epoch)
                    ran.append(name)
                if name == upto:
                    break
    except exc.SQLAlchemyError as err:
        if server:
            from studycards.store.server import server_error

            raise server_error(path, getattr(err, "orig", None) or err) from None
        raise database_error(path, err) from err
    finally:
        engine.dispose()
    return ran


def _apply(conn: Connection, name: str, fn: Callable[[Connection], None], now_epoch: int) -> None:
    raw = conn.connection.driver_connection
    keys_off = getattr(fn, "foreign_keys_off", False) and conn.dialect.name == "sqlite"
    if keys_off:
        raw.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
    try:
        with conn.begin():
            _bookkeeping().create(conn, checkfirst=True)
            if name in applied(conn):
                return  # another process opening the same database ran it meanwhile
            fn(conn)
            if keys_off:
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise DatabaseError(f"migration {name} would break {len(broken)} references (first: {tuple(broken[0])}); nothing was changed")
            conn.execute(_bookkeeping().insert().values(name=name, applied_at=now_epoch))
    finally:
        if keys_off:
            raw.execute("PRAGMA foreign_keys = ON")


def _backup(conn: Connection, target: Path) -> None:
    import sqlite3

    dest = sqlite3.connect(target)
    try:
        conn.connection.driver_connection.backup(dest)
    finally:
        dest.close()
