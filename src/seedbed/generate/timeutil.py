"""Time arithmetic on int64 microseconds since the epoch (UTC), vectorised.

Generators keep instants as int64 microseconds and convert to the column's
type (date, timestamp) at the end. Durations are written ``-365d``, ``2w``,
``6h``, ``30m``, ``45s``; ``0`` or ``now`` is the plan's anchor.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.errors import PlanError

US_PER = {"w": 7 * 86_400_000_000, "d": 86_400_000_000, "h": 3_600_000_000, "m": 60_000_000, "s": 1_000_000}
DAY_US = US_PER["d"]
_DURATION = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*([wdhms])\s*$")
_EPOCH_D = np.datetime64("1970-01-01", "D")


def parse_duration(text: object) -> int | None:
    """Microseconds of a duration like ``-30d``; None when ``text`` is not one."""
    if isinstance(text, (int, float)) and not isinstance(text, bool) and text == 0:
        return 0
    if not isinstance(text, str):
        return None
    if text.strip() in ("0", "now", "anchor"):
        return 0
    m = _DURATION.match(text)
    if not m:
        return None
    return int(round(float(m.group(1)) * US_PER[m.group(2)]))


def parse_instant(text: object) -> int | None:
    """Microseconds of an absolute date or timestamp (ISO 8601); None when not one."""
    if isinstance(text, datetime):
        dt = text
    elif isinstance(text, date):
        dt = datetime(text.year, text.month, text.day, tzinfo=UTC)
    elif isinstance(text, str) and re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
        try:
            dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return to_micros(dt)


def to_micros(dt: datetime) -> int:
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def duration_or_fail(text: object, where: str) -> int:
    us = parse_duration(text)
    if us is None:
        raise PlanError(
            f"{text!r} is not a duration",
            where=where,
            hint="write durations like -365d, 2w, 6h, 30m or 45s",
        )
    return us


def micros_of(arr: pa.Array) -> tuple[np.ndarray, np.ndarray | None]:
    """int64 microseconds of a date/timestamp Arrow array, and its null mask (or None)."""
    t = arr.type
    if pa.types.is_timestamp(t):
        vals = arr.cast(pa.timestamp("us", t.tz)).cast(pa.int64())
    elif pa.types.is_date32(t):
        vals = pa.compute.multiply(arr.cast(pa.int32()).cast(pa.int64()), DAY_US)
    elif pa.types.is_date64(t):
        vals = pa.compute.multiply(arr.cast(pa.int64()), 1000)
    elif pa.types.is_integer(t):
        vals = arr.cast(pa.int64())
    else:
        raise PlanError(f"a value of type {t} is not a date or time")
    mask = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else None
    return vals.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64), mask


def business_day_forward(us: np.ndarray) -> np.ndarray:
    """Move each instant's day forward to the next Monday-Friday (time of day kept)."""
    days = np.floor_divide(us, DAY_US)
    rolled = np.busday_offset(_EPOCH_D + days.astype("timedelta64[D]"), 0, roll="forward")
    return us + (rolled - _EPOCH_D - days.astype("timedelta64[D]")).astype(np.int64) * DAY_US


def add_business_days(us: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Add ``n`` business days to each instant (rolling a weekend start forward first)."""
    days = np.floor_divide(us, DAY_US)
    tod = us - days * DAY_US
    out = np.busday_offset(_EPOCH_D + days.astype("timedelta64[D]"), n, roll="forward")
    return (out - _EPOCH_D).astype(np.int64) * DAY_US + tod


_UTC = ("UTC", "Etc/UTC", "GMT", "Z")


def to_local(us: np.ndarray, tz: str) -> np.ndarray:
    """Instants (microseconds UTC) as the wall-clock time in ``tz``, as microseconds: a date
    is then a whole number of days."""
    if tz in _UTC:
        return us
    local = pc.local_timestamp(pa.array(us, pa.timestamp("us", tz)))
    return local.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.int64)


def from_local(us: np.ndarray, tz: str) -> np.ndarray:
    """Wall-clock times in ``tz`` as instants (an hour the clocks skip: the one after; an
    hour they repeat: its first)."""
    if tz in _UTC:
        return us
    aware = pc.assume_timezone(
        pa.array(us, pa.timestamp("us")), timezone=tz, ambiguous="earliest", nonexistent="latest"
    )
    return aware.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.int64)


def add_months(us: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar months added to wall-clock times (the 31st becomes the month's last day)."""
    t = us.astype("datetime64[us]")
    month = t.astype("datetime64[M]")
    day = (t.astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    tod = (t - t.astype("datetime64[D]").astype("datetime64[us]")).astype(np.int64)
    target = month + months.astype("timedelta64[M]")
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    days = target.astype("datetime64[D]").astype(np.int64) + np.minimum(day, last - 1)
    return days * DAY_US + tod


def check_timezone(tz: str) -> None:
    """A PlanError unless ``tz`` is a time zone the tz database knows."""
    if tz in _UTC:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise PlanError(f"unknown time zone {tz!r}", hint="use a tz database name, e.g. Europe/London or UTC") from None
