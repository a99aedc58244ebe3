"""Dates and timestamps relative to the plan's anchor, to other columns, or in series.

One generator, ``time``, with exactly one of:

- ``between: [LOW, HIGH]`` uniform in the interval;
- ``after: COLUMN`` plus ``offset: [a, b]`` or ``business_days: [a, b]``;
- ``series: {start: BOUND, step: 7d}``: start + position within the parent × step.

A bound is a duration from the anchor (``-365d``, ``0``), an ISO date, a column or
path of this row (``project_id.created_at``), or a list of those (the latest of
them for a low bound, the earliest for a high one). ``until``/``since`` clamp the
result; ``business_day: true`` moves it to a weekday; ``skew: recent|early`` leans
the draw to one end. The anchor is the dataset's "now": never the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
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
    business_day_forward,
    duration_or_fail,
    micros_of,
    parse_duration,
    parse_instant,
)

Bound = tuple[str, Any]  # ("const", micros) or ("col", path)


def _bound(value: Any, info: BuildInfo, which: str) -> list[Bound]:
    items = value if isinstance(value, list) else [value]
    out: list[Bound] = []
    for item in items:
        d = parse_duration(item)
        if d is not None:
            out.append(("const", info.anchor_us + d))
            continue
        t = parse_instant(item)
        if t is not None:
            out.append(("const", t))
            continue
        if isinstance(item, str) and item:
            info.table.column(item.split(".")[0])
            out.append(("col", item))
            continue
        raise info.fail(
            f"{which}: {item!r} is neither a duration, a date nor a column",
            hint="write -30d, 2025-01-01 or a column such as created_at",
        )
    return out


class Time(Gen):
    def __init__(self, mode: str, lo: list[Bound], hi: list[Bound], opts: dict[str, Any]):
        self.mode, self.lo, self.hi, self.opts = mode, lo, hi, opts

    def _eval(
        self, f: Rows, bounds: list[Bound], pick: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        vals: np.ndarray | None = None
        mask: np.ndarray | None = None
        for kind, b in bounds:
            if kind == "const":
                v, m = np.full(f.n, b, dtype=np.int64), None
            else:
                v, m = micros_of(f.path(b))
            vals = v if vals is None else pick(vals, v)
            if m is not None:
                mask = m if mask is None else (mask | m)
        assert vals is not None  # a bound has at least one part
        return vals, mask

    def values(self, f: Rows) -> Values:
        o = self.opts
        unit = DAY_US if self.column.type.kind == "date" else 1_000_000
        key = f.key(self.column.name, "time")
        mask = None
        if self.mode == "between":
            lo, m1 = self._eval(f, self.lo, np.maximum)
            hi, m2 = self._eval(f, self.hi, np.minimum)
            mask = _or(m1, m2)
            lo_u = -np.floor_divide(-lo, unit)  # round the low bound up to the unit
            span = np.maximum(np.floor_divide(hi, unit) - lo_u, 0)
            u = rng.uniform(f.u64, key)
            u = np.sqrt(u) if o.get("skew") == "recent" else (u * u if o.get("skew") == "early" else u)
            out = (lo_u + np.floor(u * (span + 1)).astype(np.int64).clip(0, span)) * unit
        elif self.mode == "after":
            base, mask = self._eval(f, self.lo, np.maximum)
            if "business_days" in o:
                a, b = o["business_days"]
                out = add_business_days(base, rng.between(f.u64, key, a, b))
            else:
                a, b = o["offset"]
                span = max((b - a) // unit, 0)
                out = base + a + rng.between(f.u64, key, 0, span) * unit
        else:  # series (by position in the parent) or steps (by row key: unique in the table)
            start, mask = self._eval(f, self.lo, np.maximum)
            pos = f.ordinal() if self.mode == "series" else f.idx + f.ctx.base(f.table)
            out = start + pos * o["step"]
        if o.get("business_day"):
            out = business_day_forward(out)
        until_bounds = o.get("until") if self.mode == "between" else self.hi
        if until_bounds:
            until, m = self._eval(f, until_bounds, np.minimum)
            out = np.minimum(out, until)
            mask = _or(mask, m)
        if "since" in o:
            since, m = self._eval(f, o["since"], np.maximum)
            out = np.maximum(out, since)
            mask = _or(mask, m)
        if self.column.type.kind == "date":
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
        {"between", "after", "series", "steps", "offset", "business_days", "business_day", "until", "since", "skew"},
        info,
        "time",
    )
    modes = [m for m in ("between", "after", "series", "steps") if m in arg]
    if len(modes) != 1:
        raise info.fail("time needs exactly one of between, after, series or steps")
    mode = modes[0]
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
        return Time(mode, _bound(b[0], info, "between"), _bound(b[1], info, "between"), opts)
    if mode == "after":
        if "business_days" in arg:
            opts["business_days"] = _pair(arg["business_days"], info, "business_days", False)
        else:
            opts["offset"] = _pair(arg.get("offset", ["0d", "30d"]), info, "offset", True)
        return Time(mode, _bound(arg["after"], info, "after"), hi, opts)
    series = arg[mode]
    if not isinstance(series, dict) or "start" not in series:
        raise info.fail(f"time.{mode} needs {{start: BOUND, step: DURATION}}")
    opts["step"] = duration_or_fail(series.get("step", "1d"), info.where + f".{mode}.step")
    return Time(mode, _bound(series["start"], info, f"{mode}.start"), hi, opts)
