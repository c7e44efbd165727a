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


def _retention(key: str, raw: str) -> object:
    try:
        value = float(raw.strip())
    except ValueError:
        raise InvalidValue(f"{key} must be a number from 0.70 to 0.99, not {raw!r}")
    if not 0.70 <= value <= 0.99:
        raise InvalidValue(f"{key} must be a number from 0.70 to 0.99, not {raw.strip()}")
    return f"{value:.2f}"


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
    "scheduler": Spec("sm2", _choice("sm2", "fsrs"), "sm2 (exact SM-2) or fsrs (FSRS, see `studycards optimize`); a deck can have its own"),
    "desired-retention": Spec("0.90", _retention, "FSRS: the chance of recall at which a card comes due, 0.70 to 0.99"),
    "fsrs-fuzz": Spec("off", _choice("off", "on"), "FSRS: on spreads due days a little (seeded by card and day, so still reproducible)"),
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
    scheduler: str = _default("scheduler")  # type: ignore[assignment]
    desired_retention: str = _default("desired-retention")  # type: ignore[assignment]
    fsrs_fuzz: str = _default("fsrs-fuzz")  # type: ignore[assignment]


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


DECK_KEYS = ("new-per-day", "type-answers", "scheduler")  # settings a deck can have its own value for
PARAMETERS_KEY = "_fsrs.parameters"  # FSRS parameters fitted by `optimize` for all decks (a JSON list)


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
    if key in ("type-answers", "scheduler"):
        if raw is not None:
            with store.transaction():
                if raw.strip().lower() == "default":
                    store.settings.delete(_deck_key(deck_id, key))
                else:
                    store.settings.put(_deck_key(deck_id, key), str(parse(key, raw)))
        own_value = store.settings.get(_deck_key(deck_id, key))
        if own_value is not None:
            return name, own_value
        from studycards import decktree

        levels = decktree.levels(name)
        parents = store.decks.ids_by_name(["::".join(levels[:depth]) for depth in range(len(levels) - 1, 0, -1)])
        for parent, parent_id in parents.items():  # nearest first
            inherited = store.settings.get(_deck_key(parent_id, key))
            if inherited is not None:
                return name, f"{inherited} (from {store.decks.with_ids([parent_id])[parent_id][0]})"
        return name, f"{getattr(load(store), key.replace('-', '_'))} (the global setting)"
    if raw is not None:
        value = None if raw.strip().lower() == "default" else parse(key, raw)
        with store.transaction():
            store.decks.set_new_limit(deck_id, value)  # type: ignore[arg-type]
    own = store.decks.new_limits().get(deck_id)
    return name, str(own) if own is not None else f"{load(store).new_per_day} (the global setting)"


def typed_decks(store: Store) -> dict[int, bool]:
    """Decks with their own type-answers value: deck id -> on."""
    return {deck_id: value == "on" for deck_id, value in own_values(store, "type-answers").items()}


def own_values(store: Store, key: str) -> dict[int, str]:
    """Decks with their own value of ``key`` (a deck option, or
    ``fsrs-parameters``): deck id -> the value as stored."""
    out = {}
    suffix = f".{key}"
    for stored, value in store.settings.all().items():
        if stored.startswith("_deck.") and stored.endswith(suffix):
            middle = stored[len("_deck.") : -len(suffix)]
            if middle.isdigit():
                out[int(middle)] = value
    return out


def fsrs_parameters(store: Store) -> tuple[tuple[float, ...], dict[int, tuple[float, ...]]]:
    """The FSRS parameters `optimize` stored: for all decks (empty: the
    library's defaults) and each deck's own."""
    import json

    def parsed(raw: str | None) -> tuple[float, ...]:
        try:
            values = json.loads(raw) if raw else []
            return tuple(float(v) for v in values) if isinstance(values, list) else ()
        except (ValueError, TypeError):
            return ()  # a damaged value: the defaults, as any setting that no longer parses

    own = {deck_id: parsed(raw) for deck_id, raw in own_values(store, "fsrs-parameters").items()}
    return parsed(store.settings.get(PARAMETERS_KEY)), {k: v for k, v in own.items() if v}


def store_fsrs_parameters(store: Store, deck_ids: list[int] | None, parameters: tuple[float, ...]) -> None:
    """Keep fitted parameters for these decks (None: for all decks)."""
    import json

    raw = json.dumps([round(p, 6) for p in parameters])
    with store.transaction():
        for key in [PARAMETERS_KEY] if deck_ids is None else [_deck_key(d, "fsrs-parameters") for d in deck_ids]:
            store.settings.put(key, raw)
