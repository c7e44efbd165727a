"""User settings: names, defaults, validation, storage.

Every key is validated here so a bad value is refused with a message that
names the key and the accepted range before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from studycards import scheduler
from studycards.errors import InvalidValue, NotFound

if TYPE_CHECKING:
    from studycards.store import Store


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
    "new-per-day": Spec("20", _int_in(0, 9999), "new cards introduced per study day, across all sessions"),
    "reviews-per-day": Spec("200", _int_in(0, 99999), "counted answers per study day, new cards included"),
    "day-start-hour": Spec("4", _int_in(0, 23), "local hour at which a new study day begins"),
    "max-interval": Spec(str(scheduler.DEFAULT_MAX_INTERVAL), _int_in(1, 36500), "longest interval, in days"),
    "leech-threshold": Spec(str(scheduler.DEFAULT_LEECH_THRESHOLD), _int_in(1, 999), "lapses that make a card a leech (tagged leech)"),
    "leech-action": Spec("tag", _choice("tag", "suspend"), "tag, or suspend to tag and suspend leeches"),
    "max-answer-seconds": Spec("60", _int_in(1, 3600), "longest time one answer counts for in statistics, in seconds"),
    "type-answers": Spec("off", _choice("off", "on"), "on: type each answer before it is shown (review --type does it for one session)"),
    "type-quick-seconds": Spec("8", _int_in(1, 600), "typed answers: exact within this many seconds suggests 5, slower 4"),
    "type-typo-percent": Spec("80", _int_in(1, 100), "typed answers: this similarity or more (not exact) is a small typo, suggests 3"),
    "type-close-percent": Spec("50", _int_in(0, 100), "typed answers: this similarity or more suggests 2, less suggests 1"),
    "type-ignore-case": Spec("on", _choice("on", "off"), "typed answers: Paris and paris are the same"),
    "type-ignore-accents": Spec("off", _choice("off", "on"), "typed answers: é and e are the same (always for Anki's {{type:nc:Field}})"),
    "type-ignore-punctuation": Spec("off", _choice("off", "on"), "typed answers: punctuation is left out of the comparison"),
}


def readme_table() -> str:
    """The settings table as the README shows it (a test keeps them equal)."""
    rows = [f"| {key} | {spec.default} | {spec.help} |" for key, spec in SPECS.items()]
    return "\n".join(["| key | default | meaning |", "|---|---|---|", *rows])


def _default(key: str) -> object:
    spec = SPECS[key]
    return spec.parse(key, spec.default)


@dataclass(frozen=True)
class Settings:
    """Every setting, typed; the defaults are SPECS' (one source)."""

    new_per_day: int = _default("new-per-day")  # type: ignore[assignment]
    reviews_per_day: int = _default("reviews-per-day")  # type: ignore[assignment]
    day_start_hour: int = _default("day-start-hour")  # type: ignore[assignment]
    max_interval: int = _default("max-interval")  # type: ignore[assignment]
    leech_threshold: int = _default("leech-threshold")  # type: ignore[assignment]
    leech_action: str = _default("leech-action")  # type: ignore[assignment]
    max_answer_seconds: int = _default("max-answer-seconds")  # type: ignore[assignment]
    type_answers: str = _default("type-answers")  # type: ignore[assignment]
    type_quick_seconds: int = _default("type-quick-seconds")  # type: ignore[assignment]
    type_typo_percent: int = _default("type-typo-percent")  # type: ignore[assignment]
    type_close_percent: int = _default("type-close-percent")  # type: ignore[assignment]
    type_ignore_case: str = _default("type-ignore-case")  # type: ignore[assignment]
    type_ignore_accents: str = _default("type-ignore-accents")  # type: ignore[assignment]
    type_ignore_punctuation: str = _default("type-ignore-punctuation")  # type: ignore[assignment]


def _spec(key: str) -> Spec:
    try:
        return SPECS[key]
    except KeyError:
        raise NotFound(f"unknown setting {key!r}; settings are: {', '.join(SPECS)}")


def parse(key: str, raw: str) -> object:
    return _spec(key).parse(key, raw)


def raw_values(store: Store) -> dict[str, str]:
    stored = store.settings.all()
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


def load(store: Store) -> Settings:
    """All settings, typed; a stored value that no longer parses falls back to its default."""
    values = {}
    for key, raw in raw_values(store).items():
        try:
            values[key.replace("-", "_")] = parse(key, raw)
        except InvalidValue:
            values[key.replace("-", "_")] = _default(key)
    return Settings(**values)  # type: ignore[arg-type]


def store_value(store: Store, key: str, raw: str) -> object:
    """Validate and store one setting; returns the typed value."""
    value = parse(key, raw)
    with store.transaction():
        store.settings.put(key, str(value))
    return value


def get_internal(store: Store, key: str) -> str | None:
    """Bookkeeping values that are not user settings (e.g. built-in deck hash)."""
    return store.settings.get(key)


def set_internal(store: Store, key: str, value: str) -> None:
    store.settings.put(key, value)


DECK_KEYS = ("new-per-day", "type-answers")  # settings a deck can have its own value for


def _deck_key(deck_id: int, key: str) -> str:
    return f"_deck.{deck_id}.{key}"


def deck_option(store: Store, deck: str, key: str, raw: str | None) -> tuple[str, str]:
    """Show, set, or (with "default") clear a deck's own value of ``key``
    (its new-card limit, or whether its answers are typed); returns the
    deck's name and what is in force, e.g. "10" or "20 (the global setting)"."""
    from studycards.errors import NotFound

    found = store.decks.ids_by_name([deck])
    if deck not in found:
        raise NotFound(f"unknown deck {deck!r}")
    deck_id = found[deck]
    name = store.decks.with_ids([deck_id])[deck_id][0]
    if key == "type-answers":
        if raw is not None:
            with store.transaction():
                if raw.strip().lower() == "default":
                    store.settings.delete(_deck_key(deck_id, key))
                else:
                    store.settings.put(_deck_key(deck_id, key), str(parse(key, raw)))
        own_value = store.settings.get(_deck_key(deck_id, key))
        return name, own_value if own_value is not None else f"{load(store).type_answers} (the global setting)"
    if raw is not None:
        value = None if raw.strip().lower() == "default" else parse(key, raw)
        with store.transaction():
            store.decks.set_new_limit(deck_id, value)  # type: ignore[arg-type]
    own = store.decks.new_limits().get(deck_id)
    return name, str(own) if own is not None else f"{load(store).new_per_day} (the global setting)"


def typed_decks(store: Store) -> dict[int, bool]:
    """Decks with their own type-answers value: deck id -> on."""
    out = {}
    for key, value in store.settings.all().items():
        if key.startswith("_deck.") and key.endswith(".type-answers"):
            middle = key[len("_deck."):-len(".type-answers")]
            if middle.isdigit():
                out[int(middle)] = value == "on"
    return out
