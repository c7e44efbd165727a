"""Where the collection lives: ``--db`` over ``STUDYCARDS_DB`` over the
platform's user data folder. A location is a SQLite file (a ``Path``) or a
PostgreSQL database (a ``ServerLocation``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Union

ENV_VAR = "STUDYCARDS_DB"


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("studycards", appauthor=False) / "studycards.db"


@dataclass(frozen=True)
class ServerLocation:
    """A PostgreSQL database named by a libpq URL (``postgresql://...``).
    Printed, it hides any password, so it can go into any message."""

    url: str

    def __str__(self) -> str:
        return redact(self.url)

    @property
    def sqlalchemy_url(self) -> str:
        return "postgresql+psycopg://" + self.url.partition("://")[2]

    @property
    def label(self) -> str:
        """A file-name-safe name for the things kept beside a collection on
        this machine (media, backups): host and database, no credentials."""
        import re

        rest = self.url.partition("://")[2]
        authority, _, tail = rest.partition("/")
        host = authority.rpartition("@")[2] or "local"
        name = tail.partition("?")[0] or "default"
        return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{host}-{name}")


Location = Union[Path, ServerLocation]


def resolve(option: str | None) -> Location:
    """``--db``, else $STUDYCARDS_DB, else the platform's user data folder.

    A value with ``://`` is a database URL, never a file name: ``sqlite:///PATH``
    is the file PATH, ``postgresql://`` (or ``postgres://``,
    ``postgresql+psycopg://``) a server database; any other scheme is
    refused, so a URL never becomes a folder named after it with its
    password in the name."""
    value = option or os.environ.get(ENV_VAR)
    if option is None and value is not None and not value.strip():
        raise EmptyLocation(f"${ENV_VAR} is set but empty: unset it to use the collection in your user data folder, or give a path")
    if not value:
        return default_path()
    return parse(value, "--db" if option else f"${ENV_VAR}")


def parse(value: str, source: str) -> Location:
    """A path or database URL given as ``source`` (an option's name, for messages)."""
    if not value.strip():
        raise EmptyLocation(f"{source}: give a path or a database URL")
    if "://" in value:
        return _from_url(value, source)
    return Path(value).expanduser()


_SERVER_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def _from_url(url: str, source: str) -> Location:
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "sqlite":
        # SQLAlchemy's spelling: sqlite:///relative or sqlite:////absolute.
        path = rest[1:] if rest.startswith("/") else ""
        if not path:
            raise UnsupportedLocation(f"{source}: {redact(url)} names no file; write sqlite:///PATH, or give the path itself")
        return Path(path).expanduser()
    if scheme in _SERVER_SCHEMES:
        # libpq reads postgresql:// and postgres:// itself; the +driver
        # spelling is SQLAlchemy's, accepted because people copy it.
        return ServerLocation("postgresql://" + rest)
    raise UnsupportedLocation(
        f"{source}: unknown database URL scheme {scheme!r} in {redact(url)}: give a file path, sqlite:///PATH or postgresql://..."
    )


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``: in the user-info part
    (``user:secret@host``) and in a ``password=`` query parameter. Used for
    every message that shows a URL, so a password never reaches a terminal or
    a log."""
    import re

    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        authority = f"{userinfo}@{host}"
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", f"{scheme}{sep}{authority}{slash}{tail}")


class LocationError(ValueError):
    """A --db or $STUDYCARDS_DB value that names no collection we can open
    (a usage error)."""


class EmptyLocation(LocationError):
    """$STUDYCARDS_DB is set to nothing (a mistake, not a wish for the default)."""


class UnsupportedLocation(LocationError):
    """A database URL this release cannot open."""
