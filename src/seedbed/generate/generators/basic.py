"""Constants, counters, categorical picks and numbers."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pyarrow as pa

from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, group_key, number, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Run, Values
from seedbed.schema.model import Column
from seedbed.schema.types import int_bounds


def render_params(value: Any, params: dict[str, Any]) -> Any:
    """Fill ``{seed}``, ``{scale}``, ``{run}`` in strings, recursively."""
    if isinstance(value, str):
        out = value
        for k, v in params.items():
            out = out.replace("{" + k + "}", str(v))
        return out
    if isinstance(value, dict):
        return {k: render_params(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [render_params(v, params) for v in value]
    return value


class Value(Gen):
    def __init__(self, value: Any):
        self.value = value

    def values(self, f: Rows) -> Values:
        v = self.value
        if pa.types.is_string(self.arrow):
            text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":"))
            return pa.array([text] * f.n, pa.string()) if v is not None else pa.nulls(f.n, pa.string())
        if v is None:
            return pa.nulls(f.n, self.arrow)
        if isinstance(v, str):  # a date or timestamp literal, or a number written as text
            return pa.array([v] * f.n).cast(self.arrow)
        return np.full(f.n, v)


@register("value")
def _value(arg: Any, info: BuildInfo) -> Gen:
    return Value(render_params(arg, info.params))


def int_max(column: Column) -> int:
    """The largest value an integer column holds (TINYINT, MEDIUMINT and UNSIGNED too)."""
    return int_bounds(column.type)[1]


class Sequence(Gen):
    def __init__(self, start: int, step: int, by_ordinal: bool):
        self.start, self.step, self.by_ordinal = start, step, by_ordinal

    def flat_capacity(self, ctx: Run) -> int | None:
        """A key column cannot count past its type: a TINYINT key has room for 127 rows."""
        if self.by_ordinal or self.column.type.kind not in ("smallint", "int", "bigint"):
            return None
        return max((int_max(self.column) - self.start) // max(self.step, 1) + 1, 0)

    def values(self, f: Rows) -> Values:
        if self.by_ordinal:
            return self.start + f.ordinal() * self.step
        # keys continue after the run's base, so a second run never reuses a key
        return self.start + (f.idx + f.ctx.base(f.table)) * self.step


@register("sequence")
def _sequence(arg: Any, info: BuildInfo) -> Gen:
    """``sequence: {start: 1, step: 1}``: start + row index × step."""
    arg = arg if isinstance(arg, dict) else {"start": 1 if arg in (None, True) else arg}
    require_keys(arg, {"start", "step"}, info, "sequence")
    return Sequence(
        int(number(arg.get("start", 1), info, "sequence.start", integer=True)),
        int(number(arg.get("step", 1), info, "sequence.step", integer=True)),
        by_ordinal=False,
    )


@register("ordinal")
def _ordinal(arg: Any, info: BuildInfo) -> Gen:
    """``ordinal: {start: 1}``: the row's position within its parent (rank, line number)."""
    arg = arg if isinstance(arg, dict) else {"start": 1 if arg in (None, True) else arg}
    require_keys(arg, {"start", "step"}, info, "ordinal")
    return Sequence(
        int(number(arg.get("start", 1), info, "ordinal.start", integer=True)),
        int(number(arg.get("step", 1), info, "ordinal.step", integer=True)),
        by_ordinal=True,
    )


def weighted(arg: Any, info: BuildInfo) -> tuple[list[Any], np.ndarray]:
    """``[a, b]`` (uniform) or ``{a: 0.7, b: 0.3}`` → values and cumulative weights."""
    if isinstance(arg, dict):
        vals, weights = list(arg), [number(w, info, f"weight of {k!r}") for k, w in arg.items()]
    elif isinstance(arg, list) and arg:
        vals, weights = list(arg), [1.0] * len(arg)
    else:
        raise info.fail("choices needs a list of values or a mapping of value: weight")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise info.fail("choice weights must be >= 0 and not all 0")
    cum = np.cumsum(weights) / sum(weights)
    cum[-1] = 1.0
    return vals, cum


def pick_weighted(u: np.ndarray, cum: np.ndarray) -> np.ndarray:
    return np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)


class Choices(Gen):
    def __init__(self, table: dict[Any, tuple[list[Any], np.ndarray]], by: str | None):
        self.table, self.by = table, by

    def values(self, f: Rows) -> Values:
        u = rng.uniform(f.u64, f.key(self.column.name, "choice"))
        if self.by is None:
            vals, cum = self.table[None]
            return pa.array(vals).take(pa.array(pick_weighted(u, cum)))
        by = f.col(self.by)
        groups = [k for k in self.table]
        gid = pa.compute.index_in(by, value_set=pa.array(groups).cast(by.type))
        gid = gid.fill_null(-1).to_numpy(zero_copy_only=False)
        combined: list[Any] = []
        out = np.zeros(f.n, dtype=np.int64)
        for g, k in enumerate(groups):
            vals, cum = self.table[k]
            sel = gid == g
            out[sel] = len(combined) + pick_weighted(u[sel], cum)
            combined.extend(vals)
        taken = pa.array(combined).take(pa.array(out))
        missing = gid < 0
        if missing.any():
            taken = pa.compute.if_else(pa.array(missing), pa.nulls(f.n, taken.type), taken)
        return taken


class DistinctChoice(Gen):
    """Each value at most once per parent row (or in the table, when it is not laid out per
    parent: a unique key of enum labels): a keyed permutation of the values."""

    def __init__(self, values: list[Any], flat: bool = False):
        self.values_ = values
        self.flat = flat

    def redrawable(self) -> bool:
        return False

    def values(self, f: Rows) -> Values:
        n = len(self.values_)
        key = f.key(self.column.name, "distinct")
        if self.flat:
            pick = rng.permute(np.minimum(f.idx, n - 1), n, key)
        else:
            pick = rng.permute(np.minimum(f.ordinal(), n - 1), n, group_key(f, key))
        return pa.array(self.values_).take(pa.array(pick))

    def capacity(self, ctx: Run, n_parents: int) -> np.ndarray | None:
        return None if self.flat else np.full(n_parents, len(self.values_), dtype=np.int64)

    def flat_capacity(self, ctx: Run) -> int | None:
        return len(self.values_) if self.flat else None


class InOrder(Gen):
    """The values in turn: the first row (of each parent) the first value, and so on,
    starting again after the last. No randomness: the same under every seed."""

    def __init__(self, values: list[Any], flat: bool):
        self.values_, self.flat = values, flat

    def values(self, f: Rows) -> Values:
        pos = f.idx if self.flat else f.ordinal()
        return pa.array(self.values_).take(pa.array(pos % len(self.values_)))


@register("choices")
def _choices(arg: Any, info: BuildInfo) -> Gen:
    """``choices: {todo: 0.3, done: 0.7}``, ``choices: {by: col, values: {x: {...}}}``,
    ``choices: {distinct: [a, b, c]}`` (each value at most once per parent row, or at most
    once in a table not laid out per parent: its rows are then at most the values), or
    ``choices: {in_order: [a, b, c]}`` (row by row, per parent row when laid out per one)."""
    if isinstance(arg, dict) and "in_order" in arg:
        require_keys(arg, {"in_order"}, info, "choices")
        if not isinstance(arg["in_order"], list) or not arg["in_order"]:
            raise info.fail("choices.in_order needs a list of values")
        return InOrder(list(arg["in_order"]), flat=info.per is None)
    if isinstance(arg, dict) and "distinct" in arg:
        require_keys(arg, {"distinct"}, info, "choices")
        values = arg["distinct"]
        if not isinstance(values, list) or not values:
            raise info.fail("choices.distinct needs a list of values")
        return DistinctChoice(list(values), flat=info.per is None)
    if isinstance(arg, dict) and "by" in arg:
        require_keys(arg, {"by", "values"}, info, "choices")
        info.table.column(arg["by"])
        table = {k: weighted(v, info) for k, v in (arg.get("values") or {}).items()}
        return Choices(table, arg["by"])
    return Choices({None: weighted(arg, info)}, None)


class Number(Gen):
    def __init__(self, dist: str, lo: float, hi: float, extra: dict[str, float]):
        self.dist, self.lo, self.hi, self.extra = dist, lo, hi, extra

    def values(self, f: Rows) -> Values:
        key = f.key(self.column.name, self.dist)
        u = rng.uniform(f.u64, key)
        lo, hi = self.lo, self.hi
        if self.dist == "int":
            return np.floor(lo + u * (hi - lo + 1)).astype(np.int64).clip(int(lo), int(hi))
        if self.dist == "uniform":
            return lo + u * (hi - lo)
        if self.dist == "log_uniform":
            return np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))).clip(lo, hi)
        if self.dist == "normal":
            z = rng.normal(f.u64, key)
            return np.clip(self.extra["mean"] + self.extra["sd"] * z, lo, hi)
        if self.dist == "pareto":  # heavy tail: few large, many small (80/20 at alpha≈1.16)
            return np.clip(lo / np.power(1.0 - u, 1.0 / self.extra["alpha"]), lo, hi)
        raise AssertionError(self.dist)


def _range(arg: Any, info: BuildInfo, what: str) -> tuple[float, float]:
    if not (
        isinstance(arg, list)
        and len(arg) == 2
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in arg)
    ):
        raise info.fail(f"{what} needs [low, high], got {arg!r}")
    lo, hi = float(arg[0]), float(arg[1])
    if lo > hi:
        raise info.fail(f"{what}: low {arg[0]} is above high {arg[1]}")
    return lo, hi


@register("int")
def _int(arg: Any, info: BuildInfo) -> Gen:
    """``int: [1, 4]``: uniform integers, both ends included."""
    return Number("int", *_range(arg, info, "int"), {})


@register("float")
def _float(arg: Any, info: BuildInfo) -> Gen:
    """``float: [0.5, 20]``: uniform numbers (rounded to a numeric column's scale)."""
    return Number("uniform", *_range(arg, info, "float"), {})


@register("log_uniform")
def _log_uniform(arg: Any, info: BuildInfo) -> Gen:
    """``log_uniform: [50000, 50000000]``: as many values per decade (file sizes)."""
    lo, hi = _range(arg, info, "log_uniform")
    if lo <= 0:
        raise info.fail("log_uniform needs a low bound above 0")
    return Number("log_uniform", lo, hi, {})


@register("normal")
def _normal(arg: Any, info: BuildInfo) -> Gen:
    """``normal: {mean: 40, sd: 8, min: 0, max: 60}``."""
    if not isinstance(arg, dict):
        raise info.fail("normal needs {mean, sd} and optional min, max")
    require_keys(arg, {"mean", "sd", "min", "max"}, info, "normal")
    if "mean" not in arg or "sd" not in arg:
        raise info.fail("normal needs {mean, sd} and optional min, max")
    lo = number(arg["min"], info, "normal.min") if "min" in arg else -math.inf
    hi = number(arg["max"], info, "normal.max") if "max" in arg else math.inf
    return Number(
        "normal", lo, hi, {"mean": number(arg["mean"], info, "normal.mean"), "sd": number(arg["sd"], info, "normal.sd")}
    )


@register("pareto")
def _pareto(arg: Any, info: BuildInfo) -> Gen:
    """``pareto: {min: 100, alpha: 1.16, max: 1e6}``: 80/20 amounts."""
    if not isinstance(arg, dict) or "min" not in arg:
        raise info.fail("pareto needs {min, alpha} and optional max")
    require_keys(arg, {"min", "alpha", "max"}, info, "pareto")
    lo = number(arg["min"], info, "pareto.min")
    hi = number(arg["max"], info, "pareto.max") if "max" in arg else math.inf
    alpha = number(arg.get("alpha", 1.16), info, "pareto.alpha")
    if lo <= 0 or alpha <= 0:
        raise info.fail("pareto needs min > 0 and alpha > 0")
    return Number("pareto", lo, hi, {"alpha": alpha})


class Bool(Gen):
    def __init__(self, p: float):
        self.p = p

    def values(self, f: Rows) -> Values:
        return pa.array(rng.uniform(f.u64, f.key(self.column.name, "bool")) < self.p)


@register("bool")
def _bool(arg: Any, info: BuildInfo) -> Gen:
    """``bool: 0.3``: true with probability 0.3."""
    p = 0.5 if arg in (None, True) else number(arg, info, "bool")
    if not 0 <= p <= 1:
        raise info.fail("bool takes the probability of true, between 0 and 1")
    return Bool(p)


class Times(Gen):
    def __init__(self, source: str, lo: float, hi: float):
        self.source, self.lo, self.hi = source, lo, hi

    def values(self, f: Rows) -> Values:
        base = f.path(self.source)
        vals = base.cast(pa.float64()).fill_null(0).to_numpy(zero_copy_only=False)
        u = rng.uniform(f.u64, f.key(self.column.name, "times"))
        out = vals * (self.lo + u * (self.hi - self.lo))
        return pa.array(out, mask=base.is_null().to_numpy(zero_copy_only=False)) if base.null_count else out


@register("times")
def _times(arg: Any, info: BuildInfo) -> Gen:
    """``times: {of: planned_value, by: [0.6, 1.05]}``: another column × a random factor."""
    if not isinstance(arg, dict) or "of" not in arg:
        raise info.fail("times needs {of: COLUMN, by: [low, high]}")
    require_keys(arg, {"of", "by"}, info, "times")
    lo, hi = _range(arg.get("by", [1, 1]), info, "times.by")
    return Times(arg["of"], lo, hi)
