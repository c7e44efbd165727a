"""Numbered schema migrations, recorded in the database.

Each migration is a function of a SQLAlchemy connection, applied with its
bookkeeping row in one transaction. m001 spells out the first schema as
explicit, frozen DDL (never ``create_all``) so every later migration has a
fixed starting point whatever the models look like by then. The DDL is
SQLAlchemy Core so it stays portable beyond SQLite.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    inspect,
    select,
)

from studycards.errors import DatabaseError

MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = []


def migration(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


_bookkeeping = Table(
    "schema_migration",
    MetaData(),
    Column("name", String, primary_key=True),
    Column("applied_at", Integer, nullable=False),
)


@migration
def m001_initial(conn: Connection) -> None:
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


# A new migration's name also goes in dbapi.MIGRATIONS (the quick path's
# "is this database current?"); test_storage checks that they agree.


def applied(conn: Connection) -> list[str]:
    if not inspect(conn).has_table("schema_migration"):
        return []
    return list(conn.execute(select(_bookkeeping.c.name)).scalars())


def pending(conn: Connection) -> list[str]:
    """Names of migrations still to run; raises if the database is newer."""
    done = set(applied(conn))
    known = {name for name, _ in MIGRATIONS}
    unknown = sorted(done - known)
    if unknown:
        raise DatabaseError(
            f"this database was written by a newer studycards (it has migration "
            f"{unknown[-1]}); upgrade studycards to use it"
        )
    return [name for name, _ in MIGRATIONS if name not in done]


def migrate(conn: Connection, now_epoch: int, upto: str | None = None) -> list[str]:
    """Apply pending migrations in order, each with its bookkeeping row in
    one transaction. ``conn`` must not be inside a transaction. ``upto``
    stops after that migration (tests use it to build an old schema).
    Returns the names that were run."""
    with conn.begin():
        todo = pending(conn)
    ran = []
    for name, fn in MIGRATIONS:
        if name in todo:
            with conn.begin():
                _bookkeeping.create(conn, checkfirst=True)
                fn(conn)
                conn.execute(_bookkeeping.insert().values(name=name, applied_at=now_epoch))
            ran.append(name)
        if name == upto:
            break
    return ran
