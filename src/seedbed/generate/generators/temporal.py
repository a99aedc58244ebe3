"""Dates and timestamps relative to the plan's anchor, to other columns, or in series.

One generator, ``time``, with exactly one of:

- ``between: [LOW, HIGH]`` uniform in the interval;
- ``after: COLUMN`` plus ``offset: [a, b]`` or ``business_days: [a, b]``;
- ``series: {start: BOUND, step: 7d}``: start + position within the parent × step.

A bound is a duration from the anchor (``-365d``, ``0``), an ISO date, a column or
path of this row (``project_id.created_at``), or a list of those (the latest of
them for a low bound, the earliest for a high one). ``until``/``since`` clamp the
result; ``business_day: true`` moves it to a weekday; ``skew: recent|early`` leans
the draw to one end. The anchor is the dataset's "now" (the wall clock only when the
plan says ``anchor: now``).

Time zones: a date (a ``date`` column, an ISO date, a time without an offset) is a
calendar day or wall-clock time in the plan's ``timezone``; a timestamp is an instant.
A date column holds the local day of its instant; a date bound of a timestamp is local
midnight; a series stepping whole days (``1d``, ``1w``) or months (``3mo``) steps the
local calendar, so its times of day hold across a daylight-saving change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Values
from seedbed.generate.timeutil import (
    DAY_US,
    add_business_days,
    add_months,
    business_day_forward,
    duration_or_fail,
    from_local,
    micros_of,
    parse_duration,
    parse_instant,
    to_local,
)

Bound = tuple[str, Any, bool]  # ("const", micros, naive) or ("col", path, naive): naive = local wall clock


def _bound(value: Any, info: BuildInfo, which: str) -> list[Bound]:
    items = value if isinstance(value, list) else [value]
    out: list[Bound] = []
    for item in items:
        d = parse_duration(item)
        if d is not None:
            out.append(("const", info.anchor_us + d, False))
            continue
        t = parse_instant(item)
        if t is not None:
            out.append(("const", t, _wall_clock(item)))
            continue
        if isinstance(item, str) and item:
            info.table.column(item.split(".")[0])
            out.append(("col", item, False))  # naive or not: known from the values (a date is)
            continue
        raise info.fail(
            f"{which}: {item!r} is neither a duration, a date nor a column",
            hint="write -30d, 2025-01-01 or a column such as created_at",
        )
    return out


def _wall_clock(item: Any) -> bool:
    """A date or a time written without an offset: a calendar day or wall-clock time."""
    if isinstance(item, datetime):
        return item.tzinfo is None
    if isinstance(item, date):
        return True
    text = str(item).strip()
    return not (text.endswith("Z") or re.search(r"[+-]\d{2}:?\d{2}$", text[10:]))


class Time(Gen):
    def __init__(self, mode: str, lo: list[Bound], hi: list[Bound], opts: dict[str, Any], tz: str = "UTC"):
        self.mode, self.lo, self.hi, self.opts, self.tz = mode, lo, hi, opts, tz

    def _eval(
        self, f: Rows, bounds: list[Bound], pick: Callable[[np.ndarray, np.ndarray], np.ndarray], naive: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The bounds' values, as wall-clock times (``naive``) or as instants."""
        vals: np.ndarray | None = None
        mask: np.ndarray | None = None
        for kind, b, wall in bounds:
            if kind == "const":
                v, m = np.full(f.n, b, dtype=np.int64), None
            else:
                arr = f.path(b)
                v, m = micros_of(arr)
                wall = pa.types.is_date(arr.type)
            if wall != naive:
                v = to_local(v, self.tz) if naive else from_local(v, self.tz)
            vals = v if vals is None else pick(vals, v)
            if m is not None:
                mask = m if mask is None else (mask | m)
        assert vals is not None  # a bound has at least one part
        return vals, mask

    def values(self, f: Rows) -> Values:
        o = self.opts
        day = self.column.type.kind == "date"  # computed on the local calendar, as wall-clock times
        unit = DAY_US if day else 1_000_000
        key = f.key(self.column.name, "time")
        mask = None
        if self.mode == "between":
            lo, m1 = self._eval(f, self.lo, np.maximum, day)
            hi, m2 = self._eval(f, self.hi, np.minimum, day)
            mask = _or(m1, m2)
            lo_u = -np.floor_divide(-lo, unit)  # round the low bound up to the unit
            span = np.maximum(np.floor_divide(hi, unit) - lo_u, 0)
            u = rng.uniform(f.u64, key)
            u = np.sqrt(u) if o.get("skew") == "recent" else (u * u if o.get("skew") == "early" else u)
            out = (lo_u + np.floor(u * (span + 1)).astype(np.int64).clip(0, span)) * unit
        elif self.mode == "after":
            base, mask = self._eval(f, self.lo, np.maximum, day)
            if "business_days" in o:  # weekdays of the local calendar
                a, b = o["business_days"]
                out = add_business_days(base if day else to_local(base, self.tz), rng.between(f.u64, key, a, b))
                out = out if day else from_local(out, self.tz)
            else:
                a, b = o["offset"]
                span = max((b - a) // unit, 0)
                out = base + a + rng.between(f.u64, key, 0, span) * unit
        else:  # series (by position in the parent) or steps (by row key: unique in the table)
            calendar = day or "months" in o or o["step"] % DAY_US == 0  # steps of the local calendar
            start, mask = self._eval(f, self.lo, np.maximum, calendar)
            pos = f.ordinal() if self.mode == "series" else f.idx + f.ctx.base(f.table)
            out = add_months(start, pos * o["months"]) if "months" in o else start + pos * o["step"]
            out = out if day or not calendar else from_local(out, self.tz)
        if o.get("business_day"):
            out = (
                business_day_forward(out) if day else from_local(business_day_forward(to_local(out, self.tz)), self.tz)
            )
        until_bounds = o.get("until") if self.mode == "between" else self.hi
        if until_bounds:
            until, m = self._eval(f, until_bounds, np.minimum, day)
            out = np.minimum(out, until)
            mask = _or(mask, m)
        if "since" in o:
            since, m = self._eval(f, o["since"], np.maximum, day)
            out = np.maximum(out, since)
            mask = _or(mask, m)
        if day:
            out = np.floor_divide(out, DAY_US) * DAY_US
        return pa.array(out, pa.int64(), mask=mask) if mask is not None and mask.any() else out


def _or(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    return a if b is None else (a | b)


def _pair(value: Any, info: BuildInfo, what: str, durations: bool) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2):
        raise info.fail(f"{what} needs [low, high]")
    if durations:
        a, b = (duration_or_fail(v, info.where + "." + what) for v in value)
    else:
        a, b = int(value[0]), int(value[1])
    if a > b:
        raise info.fail(f"{what}: low {value[0]} is above high {value[1]}")
    return a, b


@register("time")
def _time(arg: Any, info: BuildInfo) -> Gen:
    if not isinstance(arg, dict):
        raise info.fail("time needs one of between, after or series")
    require_keys(
        arg,
        {
            "between",
            "within",
            "after",
            "series",
            "steps",
            "offset",
            "business_days",
            "business_day",
            "until",
            "since",
            "skew",
        },  # fmt: skip
        info,
        "time",
    )
    modes = [m for m in ("between", "within", "after", "series", "steps") if m in arg]
    if len(modes) != 1:
        raise info.fail("time needs exactly one of between, within, after, series or steps")
    mode = modes[0]
    if mode == "within":
        return _within(arg["within"], info)
    opts: dict[str, Any] = {"business_day": bool(arg.get("business_day", False))}
    if arg.get("skew") not in (None, "recent", "early"):
        raise info.fail("time.skew is recent or early")
    opts["skew"] = arg.get("skew")
    if "since" in arg:
        opts["since"] = _bound(arg["since"], info, "since")
    hi: list[Bound] = _bound(arg["until"], info, "until") if "until" in arg else []
    if mode == "between":
        b = arg["between"]
        if not (isinstance(b, list) and len(b) == 2):
            raise info.fail("time.between needs [low, high]")
        if hi:
            opts["until"] = hi  # a clamp, as ``since`` is: the constraint a CHECK puts on the draw
        return Time(mode, _bound(b[0], info, "between"), _bound(b[1], info, "between"), opts, info.timezone)
    if mode == "after":
        if "business_days" in arg:
            opts["business_days"] = _pair(arg["business_days"], info, "business_days", False)
        else:
            opts["offset"] = _pair(arg.get("offset", ["0d", "30d"]), info, "offset", True)
        return Time(mode, _bound(arg["after"], info, "after"), hi, opts, info.timezone)
    series = arg[mode]
    if not isinstance(series, dict) or "start" not in series:
        raise info.fail(f"time.{mode} needs {{start: BOUND, step: DURATION}}")
    step = series.get("step", "1d")
    months = re.fullmatch(r"\s*(\d+)\s*mo\s*", step) if isinstance(step, str) else None
    if months:  # calendar months: a quarter is 3mo
        opts["months"], opts["step"] = int(months.group(1)), 0
    else:
        opts["step"] = duration_or_fail(step, info.where + f".{mode}.step")
    return Time(mode, _bound(series["start"], info, f"{mode}.start"), hi, opts, info.timezone)


class Within(Time):
    """``within: [[-60d, -14d], [-7d, 0d]]``: uniform over several intervals together (each
    drawn in proportion to its length): dates that are recent or overdue, never in between."""

    def __init__(self, spans: list[tuple[Bound, Bound]], tz: str):
        super().__init__("within", [], [], {}, tz)
        self.spans = spans

    def _at(self, bound: Bound, day: bool) -> int:
        v, wall = np.array([bound[1]], dtype=np.int64), bound[2]
        if wall != day:
            v = to_local(v, self.tz) if day else from_local(v, self.tz)
        return int(v[0])

    def values(self, f: Rows) -> Values:
        day = self.column.type.kind == "date"  # local calendar days, as the other modes
        unit = DAY_US if day else 1_000_000
        spans = [(self._at(a, day), self._at(b, day)) for a, b in self.spans]
        units = np.array([max(b // unit - (-(-a // unit)) + 1, 0) for a, b in spans], dtype=np.int64)
        total = int(units.sum())
        pick = np.minimum(np.floor(rng.uniform(f.u64, f.key(self.column.name, "within")) * total), total - 1)
        ends = np.cumsum(units)
        which = np.searchsorted(ends, pick, side="right")
        starts = np.array([-(-a // unit) for a, _ in spans], dtype=np.int64)
        out = (starts[which] + (pick - (ends - units)[which]).astype(np.int64)) * unit
        return out


def _within(value: Any, info: BuildInfo) -> Gen:
    if not isinstance(value, list) or not value or not all(isinstance(v, list) and len(v) == 2 for v in value):
        raise info.fail("time.within needs a list of [low, high] intervals, e.g. [[-60d, -14d], [-7d, 0d]]")
    spans = []
    for lo, hi in value:
        a, b = (_bound(x, info, "within")[0] for x in (lo, hi))
        if a[0] != "const" or b[0] != "const":
            raise info.fail("time.within takes durations from the anchor or dates, not columns")
        if a[1] > b[1]:
            raise info.fail(f"time.within: {lo} is after {hi}")
        spans.append((a, b))
    return Within(spans, info.timezone)
