"""What every column generator shares: options checking, type coercion, nulls.

A generator is a frozen description compiled from a plan entry. ``values(frame)``
computes the natural values for the frame's rows; ``compute`` coerces them to the
column's type and applies ``null_rate`` and ``when``. Every random draw is keyed
by (seed, table, column, purpose) through ``frame.key``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.errors import PlanError, did_you_mean
from seedbed.generate import rng
from seedbed.generate.coerce import arrow_type, coerce
from seedbed.generate.rows import Rows, Run, Values
from seedbed.schema.model import Column, Schema, Table


@dataclass(frozen=True)
class BuildInfo:
    """What a generator may know while it is compiled from the plan."""

    schema: Schema
    table: Table
    column: Column
    anchor_us: int
    locale: str
    per: str | None  # the table this table is laid out per, if any
    per_fk: str | None  # this table's column referencing ``per``
    params: dict[str, Any] = field(default_factory=dict)  # seed, scale, run: for templates
    timezone: str = "UTC"  # the plan's: dates are its calendar days
    machines: dict[str, Any] = field(default_factory=dict)  # the plan's state machines, by name

    @property
    def where(self) -> str:
        return f"tables.{self.table.qualified}.columns.{self.column.name}"

    def fail(self, message: str, hint: str | None = None) -> PlanError:
        return PlanError(message, where=self.where, hint=hint)


class Gen:
    """Base of column generators. Subclasses set ``values``; most need nothing else."""

    column: Column
    arrow: pa.DataType
    null_rate: float = 0.0
    when: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    prefix: str | None = None  # text must start with this (CHECK ... LIKE 'https://%')
    max_length: int | None = None  # text no longer than this (CHECK char_length(x) <= n)

    def setup(self, info: BuildInfo, options: dict[str, Any]) -> None:
        self.column = info.column
        self.arrow = arrow_type(info.column.type)
        self.null_rate = number(options.get("null_rate", 0.0), info, "null_rate")
        if not 0.0 <= self.null_rate <= 1.0:
            raise info.fail(f"null_rate must be between 0 and 1, not {self.null_rate}")
        when = options.get("when") or {}
        if not isinstance(when, dict):
            raise info.fail("when: must map column names to a value or a list of values")
        for c in when:
            info.table.column(c)
        self.when = tuple((c, tuple(v if isinstance(v, list) else [v])) for c, v in when.items())
        if "prefix" in options:
            self.prefix = str(options["prefix"])
        if "max_length" in options:
            self.max_length = int(number(options["max_length"], info, "max_length", integer=True))
        if (self.null_rate or self.when) and not info.column.nullable:
            raise info.fail(f"column {info.column.name!r} is NOT NULL, so null_rate/when cannot leave it empty")

    spec_key = ""  # the plan key it was built from (``choices``, ``time``, ...)

    def values(self, f: Rows) -> Values:
        raise NotImplementedError

    # -- hooks the engine asks; most generators have nothing to say --------------------
    def capacity(self, ctx: Run, n_parents: int) -> np.ndarray | None:
        """Per-parent upper bound on rows (distinct picks need a candidate each)."""
        return None

    def flat_capacity(self, ctx: Run) -> int | None:
        """Upper bound on the rows of a flat table (a TINYINT key has room for 127)."""
        return None

    def redrawable(self) -> bool:
        """May a row's value be drawn again (another attempt key) to meet a CHECK? Not when
        values are distinct by construction (a keyed permutation): a redrawn one could
        take another row's."""
        return True

    def path_value(self, f: Rows, rest: str) -> pa.Array | None:
        """The value of ``column.rest`` when this generator resolves paths itself."""
        return None

    def compute(self, f: Rows) -> pa.Array:
        arr = coerce(self.values(f), self.column.type, self.arrow)
        if self.prefix is not None and pa.types.is_string(arr.type):
            has = pc.starts_with(arr, self.prefix)
            arr = pc.if_else(has, arr, pc.binary_join_element_wise(pa.scalar(self.prefix), arr, ""))
        limit = min(
            [x for x in (self.max_length, self.prefix is not None and self.column.type.length) if x], default=None
        )
        if limit is not None and pa.types.is_string(arr.type):
            arr = pc.utf8_slice_codeunits(arr, 0, limit)  # the prefix may have pushed it past the type
        mask = self._null_mask(f)
        if mask is not None and mask.any():
            arr = pc.if_else(pa.array(mask), pa.nulls(len(arr), arr.type), arr)
        return arr

    def _null_mask(self, f: Rows) -> np.ndarray | None:
        mask = None
        if self.null_rate:
            mask = rng.uniform(f.u64, f.key(self.column.name, "null")) < self.null_rate
        for col, allowed in self.when:
            vals = f.col(col)
            keep = pc.is_in(vals, value_set=pa.array(list(allowed)).cast(vals.type)).fill_null(False)
            off = ~keep.to_numpy(zero_copy_only=False)
            mask = off if mask is None else (mask | off)
        return mask


class Reference(Gen):
    """A column whose value comes from a row of ``target``: frames follow it by row index."""

    target: str | None = None

    def ref_index(self, f: Rows) -> np.ndarray:
        """The row of ``target`` each row points at (-1: none)."""
        raise NotImplementedError


def group_key(f: Rows, key: np.uint64) -> np.ndarray:
    """A key per parent row: permutations within a parent's rows differ between parents."""
    return rng.mix(f.group().astype(np.uint64), key)


def number(value: Any, info: BuildInfo, what: str, *, integer: bool = False) -> float:
    """A finite number from a plan option, or a PlanError naming the option."""
    import math

    try:
        if isinstance(value, bool):
            raise ValueError
        out = int(value) if integer and not isinstance(value, float) else float(value)
    except (TypeError, ValueError):
        raise info.fail(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(out):
        raise info.fail(f"{what} must be a finite number, not {value!r}")
    return out


def options_of(spec: Any, main: str, info: BuildInfo) -> tuple[Any, dict[str, Any]]:
    """Split a column spec ``{main: arg, null_rate: .., when: ..}`` into (arg, modifiers)."""
    if not isinstance(spec, dict):
        return spec, {}
    arg = spec.get(main)
    return arg, {k: v for k, v in spec.items() if k != main}


def require_keys(opts: dict[str, Any], allowed: set[str], info: BuildInfo, what: str) -> None:
    for k in opts:
        if k not in allowed:
            raise info.fail(
                f"{what} has no option {k!r}",
                hint=did_you_mean(k, allowed) or f"its options are: {', '.join(sorted(allowed))}",
            )
