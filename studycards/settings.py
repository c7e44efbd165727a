"""User settings: names, defaults, validation, storage.

Every key is validated here so a bad value is refused with a message that
names the key and the accepted range before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from studycards.errors import InvalidValue, NotFound

if TYPE_CHECKING:
    from sqlmodel import Session

    from studycards.dbapi import Conn

# The quick path (dbapi) reads settings before SQLAlchemy is imported, so the
# model is imported only by the functions that write through a Session.


def _int_in(low: int, high: int) -> Callable[[str, str], object]:
    def parse(key: str, raw: str) -> object:
        try:
            value = int(raw.strip())
        except ValueError:
            raise InvalidValue(f"{key} must be a whole number from {low} to {high}, not {raw!r}")
        if not low <= value <= high:
            raise InvalidValue(f"{key} must be a whole number from {low} to {high}, not {value}")
        return value

    return parse


def _choice(*choices: str) -> Callable[[str, str], object]:
    def parse(key: str, raw: str) -> object:
        value = raw.strip().lower()
        if value not in choices:
            raise InvalidValue(f"{key} must be one of {', '.join(choices)}, not {raw!r}")
        return value

    return parse


@dataclass(frozen=True)
class Spec:
    default: str
    parse: Callable[[str, str], object]
    help: str


SPECS: dict[str, Spec] = {
    "new-per-day": Spec("20", _int_in(0, 9999), "new cards introduced per study day"),
    "reviews-per-day": Spec("200", _int_in(0, 99999), "counted answers per study day, new included"),
    "day-start-hour": Spec("4", _int_in(0, 23), "local hour at which a new study day begins"),
    "max-interval": Spec("36500", _int_in(1, 36500), "longest interval in days"),
    "leech-threshold": Spec("8", _int_in(1, 999), "lapses that make a card a leech"),
    "leech-action": Spec("tag", _choice("tag", "suspend"), "what happens to a leech: tag, or tag and suspend"),
}


@dataclass(frozen=True)
class Settings:
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_start_hour: int = 4
    max_interval: int = 36500
    leech_threshold: int = 8
    leech_action: str = "tag"


def _spec(key: str) -> Spec:
    try:
        return SPECS[key]
    except KeyError:
        raise NotFound(f"unknown setting {key!r}; settings are: {', '.join(SPECS)}")


def parse(key: str, raw: str) -> object:
    return _spec(key).parse(key, raw)


SELECT_ALL = "SELECT key, value FROM setting"


def raw_values(conn: "Conn") -> dict[str, str]:
    stored = dict(conn.all(SELECT_ALL))
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


def load(conn: "Conn") -> Settings:
    """All settings, typed; a stored value that no longer parses falls back to its default."""
    values = {}
    for key, raw in raw_values(conn).items():
        try:
            values[key.replace("-", "_")] = parse(key, raw)
        except InvalidValue:
            values[key.replace("-", "_")] = parse(key, SPECS[key].default)
    return Settings(**values)  # type: ignore[arg-type]


def store(session: Session, key: str, raw: str) -> object:
    from studycards.models import Setting

    value = parse(key, raw)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=str(value)))
    else:
        row.value = str(value)
    return value


def get_internal(conn: "Conn", key: str) -> str | None:
    """Bookkeeping values that are not user settings (e.g. built-in deck hash)."""
    return conn.scalar("SELECT value FROM setting WHERE key = :key", key=key)


def set_internal(session: Session, key: str, value: str) -> None:
    from studycards.models import Setting

    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
