"""``studycards import``: read a whole file, validate it, then write it in
one transaction (or, with a dry run, roll it back and only report)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from studycards import db, deckfile, notes


class _DryRun(Exception):
    pass


def import_file(engine: Engine, path: Path, now_epoch: int, dry_run: bool = False) -> notes.DeckReport:
    spec = deckfile.parse_file(path)  # raises InvalidDeckFile before anything is written
    report = None
    try:
        with db.writing(engine) as session:
            report = notes.apply_deck(session, spec, now_epoch)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert report is not None
    return report
