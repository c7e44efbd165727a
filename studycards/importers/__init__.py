"""One module per outside format. Each reads a whole file into plain data
(``ImportBatch``) and raises ``InvalidFile`` naming the file and line (or
package entry); nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studycards.deckfile import DeckSpec

MAX_FIELD_CHARS = 100_000


@dataclass
class ImportBatch:
    format: str  # what was read, for the report: "Anki text (tab-separated)"
    decks: list[DeckSpec]
    skipped: list[str] = field(default_factory=list)  # one reason per skipped note
    media_skipped: int = 0  # media references in the notes (images, sounds)
    # Media files to copy into the collection's media folder: the package
    # they are in and (entry in the archive, file name, zstd-compressed).
    media_source: Path | None = None
    media_files: list[tuple[str, str, bool]] = field(default_factory=list)
