"""One module per outside format. Each reads a whole file into plain data
(``ImportBatch``) and raises ``InvalidFile`` naming the file and line (or
package entry); nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from studycards.deckfile import DeckSpec

MAX_FIELD_CHARS = 100_000


@dataclass
class ImportBatch:
    format: str  # what was read, for the report: "Anki text (tab-separated)"
    decks: list[DeckSpec]
    skipped: list[str] = field(default_factory=list)  # one reason per skipped note
    media_skipped: int = 0
