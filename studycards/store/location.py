"""Where the collection lives: ``--db`` over ``STUDYCARDS_DB`` over the
platform's user data folder."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "STUDYCARDS_DB"


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("studycards", appauthor=False) / "studycards.db"


def resolve(option: str | None) -> Path:
    """``--db``, else $STUDYCARDS_DB, else the platform's user data folder."""
    value = option or os.environ.get(ENV_VAR)
    if option is None and value is not None and not value.strip():
        raise EmptyLocation(f"${ENV_VAR} is set but empty: unset it to use the collection in your user data folder, or give a path")
    return Path(value).expanduser() if value else default_path()


class EmptyLocation(ValueError):
    """$STUDYCARDS_DB is set to nothing (a mistake, not a wish for the default)."""
