"""The ``note_type`` table (note types as their authors made them) and the
``media_file`` table (media names and their content hashes)."""

from __future__ import annotations

import hashlib
import json

from studycards.records import NoteTypeSpec, TemplateSpec
from studycards.store.conn import Conn, in_list

_COLUMNS = "id, name, cloze, fields, templates, css, html, anki_id"


def definition_key(spec: NoteTypeSpec) -> str:
    """A hash of the whole definition: the same note type imported twice is one row."""
    blob = json.dumps(_encode(spec), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _encode(spec: NoteTypeSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "cloze": spec.cloze,
        "fields": list(spec.fields),
        "templates": [[t.name, t.question, t.answer] for t in spec.templates],
        "css": spec.css,
        "html": spec.html,
        "anki_id": spec.anki_id,
    }


def _decode(row: object) -> NoteTypeSpec:
    _, name, cloze, fields, templates, css, html, anki_id = row  # type: ignore[misc]
    return NoteTypeSpec(
        name=name,
        fields=tuple(json.loads(fields)),
        templates=tuple(TemplateSpec(*t) for t in json.loads(templates)),
        cloze=bool(cloze),
        css=css,
        html=bool(html),
        anki_id=anki_id,
    )


class NoteTypes:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def get_or_create(self, spec: NoteTypeSpec) -> int:
        key = definition_key(spec)
        found = self.conn.scalar("SELECT id FROM note_type WHERE key = :key", key=key)
        if found is not None:
            return int(found)
        enc = _encode(spec)
        return int(self.conn.scalar(
            "INSERT INTO note_type (name, cloze, fields, templates, css, html, anki_id, key)"
            " VALUES (:name, :cloze, :fields, :templates, :css, :html, :anki_id, :key) RETURNING id",
            name=spec.name,
            cloze=spec.cloze,
            fields=json.dumps(enc["fields"], ensure_ascii=False),
            templates=json.dumps(enc["templates"], ensure_ascii=False),
            css=spec.css,
            html=spec.html,
            anki_id=spec.anki_id,
            key=key,
        ))

    def with_ids(self, ids: list[int]) -> dict[int, NoteTypeSpec]:
        if not ids:
            return {}
        fragment, values = in_list("nt", sorted(set(ids)))
        return {row[0]: _decode(row) for row in self.conn.all(f"SELECT {_COLUMNS} FROM note_type WHERE id IN {fragment}", **values)}


class MediaFiles:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def record(self, files: list[tuple[str, str, int]]) -> None:
        """(name, sha256, size): a name imported again points at its newest content."""
        self.conn.execute_many(
            "INSERT INTO media_file (name, sha256, size) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size",
            files,
        )

    def hashes(self, names: list[str]) -> dict[str, str]:
        if not names:
            return {}
        fragment, values = in_list("name", sorted(set(names)))
        return {row[0]: row[1] for row in self.conn.all(f"SELECT name, sha256 FROM media_file WHERE name IN {fragment}", **values)}
