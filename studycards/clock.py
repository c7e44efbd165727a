"""The one place that reads the clock, and the study-day arithmetic.

A study day is an integer: days since 1970-01-01 of the local calendar date,
shifted back by the configured day-start hour, so a review at 2 am with a
4 am day start counts for the previous day. Read ``now()`` at call time so
freezegun (and the user's timezone, via TZ) is always honoured.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def epoch_seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def study_day(moment: datetime, day_start_hour: int) -> int:
    """The study day ``moment`` counts for in the local timezone."""
    local = moment.astimezone()
    shifted = local.replace(tzinfo=None) - timedelta(hours=day_start_hour)
    return shifted.date().toordinal() - _EPOCH_ORDINAL


def day_to_date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def date_to_day(value: date) -> int:
    return value.toordinal() - _EPOCH_ORDINAL


def day_start_epoch(day: int, day_start_hour: int) -> int:
    """The epoch second at which study ``day`` begins: the first second that
    ``study_day`` counts for ``day``. Usually ``day_start_hour`` o'clock
    local time on its date; found by bisection, so it is exact on days when
    a daylight-saving change skips or repeats that hour."""
    guess = epoch_seconds(datetime.combine(day_to_date(day), time(day_start_hour), tzinfo=timezone.utc))
    low, high = guess - 2 * 86400, guess + 2 * 86400  # local time is within a day of UTC
    while low < high:
        middle = (low + high) // 2
        if study_day(datetime.fromtimestamp(middle, timezone.utc), day_start_hour) >= day:
            high = middle
        else:
            low = middle + 1
    return low
