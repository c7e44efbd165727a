"""The collection's media folder: files from imported packages, kept under
their content hash (the same file imported twice is stored once) and found
by the name the notes use.

Names come from untrusted packages: a name is only ever a key in the
``media_file`` table, never a path; the file on disk is named by its hash.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from pathlib import Path

from studycards.errors import InvalidFile
from studycards.store import Store

MAX_MEDIA_FILE_BYTES = 100 * 1024**2
MAX_MEDIA_TOTAL_BYTES = 2 * 1024**3
_CHUNK = 1 << 20
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def folder(store: Store) -> Path:
    """``studycards.media`` beside ``studycards.db``; for a server
    collection, a folder named after it in the user data folder (media files
    stay on the machine that imported them)."""
    if store.on_server:
        from studycards.store import location

        return location.default_path().parent / f"{store.where.label}.media"  # type: ignore[union-attr]
    path = Path(store.where)
    return path.with_name(path.stem + ".media")


def _stored_name(digest: str, name: str) -> str:
    suffix = _SAFE_SUFFIX.search(name)
    return digest + (suffix.group(0).lower() if suffix else "")


def copy_from_package(store: Store, package: Path, entries: list[tuple[str, str, bool]]) -> list[tuple[str, str, int]]:
    """Copy the package's media files into the media folder; returns
    (name, stored file name: the sha256 and the name's suffix, size) for each, for the caller to record in the same
    transaction as the notes. A file already there is not written again."""
    if not entries:
        return []
    target = folder(store)
    target.mkdir(parents=True, exist_ok=True)
    recorded: list[tuple[str, str, int]] = []
    total = 0
    with zipfile.ZipFile(package) as archive:
        for entry, name, compressed in entries:
            if not name or "\x00" in name or len(name) > 255:
                continue
            digest, size = _copy(archive, entry, name, compressed, target, f"{package}: {entry}")
            total += size
            if total > MAX_MEDIA_TOTAL_BYTES:
                raise InvalidFile(str(package), None, f"its media come to more than {MAX_MEDIA_TOTAL_BYTES // 1024**2} MiB; refusing them")
            recorded.append((name, digest, size))
    return recorded


def _copy(archive: zipfile.ZipFile, entry: str, name: str, compressed: bool, target: Path, where: str) -> tuple[str, int]:
    fd, tmp = tempfile.mkstemp(dir=target, prefix=".incoming-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out, archive.open(entry) as source:
            reader = source
            if compressed:
                import zstandard

                reader = zstandard.ZstdDecompressor().stream_reader(source)
            while chunk := reader.read(_CHUNK):
                size += len(chunk)
                if size > MAX_MEDIA_FILE_BYTES:
                    raise InvalidFile(where, None, f"a media file larger than {MAX_MEDIA_FILE_BYTES // 1024**2} MiB; refusing it")
                digest.update(chunk)
                out.write(chunk)
        stored = _stored_name(digest.hexdigest(), name)
        final = target / stored
        if not final.exists():
            os.replace(tmp, final)
        return stored, size
    except InvalidFile:
        raise
    except Exception as err:  # zip and zstd report corruption in many ways
        raise InvalidFile(where, None, f"cannot be read: {err}")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_SHOWN = re.compile(r"\[(?:image|sound|video): ([^\]\n]+)\]")


def names_in(text: str) -> list[str]:
    """The media names a card's text shows as ``[image: name]``, ``[sound: name]``."""
    return [m.group(1).strip() for m in _SHOWN.finditer(text)] if "[" in text else []


def path_of(store: Store, name: str) -> Path | None:
    """The stored file for a media name the notes use, if it was imported."""
    stored = store.media.hashes([name]).get(name)
    if stored is None:
        return None
    path = folder(store) / stored
    return path if path.is_file() else None
