"""Balanced groups: the lines of one parent whose amounts add up exactly.

``balanced`` fills an amount column of a table laid out per parent (the lines of a
journal entry, the applications of a payment):

- ``{balanced: {zero: true, range: [10, 5000]}}``: signed amounts summing to zero in each
  group - the first half of a group's lines (at least one) are debits drawn in ``range``,
  the others credits splitting their total; ``part: debit`` / ``part: credit`` give the
  unsigned side in its own column (the other side 0), from the same draw when ``name``
  (default: the table) is the same;
- ``{balanced: {to: payment_id.amount}}``: positive amounts summing to the parent's
  column in each group (a payment applied across invoices, an invoice's lines).

The arithmetic is in integers of the column's smallest unit (cents for numeric(12,2)),
so every group adds up exactly, however many lines it has. Groups are computed whole
whatever rows a batch holds: a line's amount depends on its group, never on the batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, number, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Values


class Balanced(Gen):
    def __init__(self, mode: str, lo: float, hi: float, part: str, name: str, to: str | None, scale: int):
        self.mode, self.lo, self.hi, self.part, self.name, self.to = mode, lo, hi, part, name, to
        self.unit = 10**scale  # smallest units per 1

    def redrawable(self) -> bool:
        return False  # a redrawn line would unbalance its group

    def values(self, f: Rows) -> Values:
        lay = f.ctx.layout(f.table)
        assert lay.counts is not None and lay.starts is not None  # checked when built: laid out per parent
        g, k = f.group(), f.ordinal()
        groups, inverse = np.unique(g, return_inverse=True)
        sizes = lay.counts[groups]
        # every row of the groups this batch touches, so each group is computed whole
        rows = np.repeat(lay.starts[groups], sizes) + _ramp(sizes)
        owner = np.repeat(np.arange(len(groups)), sizes)
        key = f.ctx.key(f.table, self.name, "balanced")
        u = rng.uniform(rows.astype(np.uint64), key)
        if self.mode == "zero":
            units = self._zero_sum(u, owner, sizes, _ramp(sizes))
        else:
            assert self.to is not None
            total = np.rint(_parent_total(f, self.to, groups, inverse) * self.unit).astype(np.int64)
            units = _split(np.maximum(total, 0), u, owner, sizes, _ramp(sizes))
        mine = (np.cumsum(sizes) - sizes)[inverse] + k  # each row's place in ``rows``
        out = units[mine]
        if self.part == "debit":
            out = np.maximum(out, 0)
        elif self.part == "credit":
            out = np.maximum(-out, 0)
        return out / self.unit

    def _zero_sum(self, u: np.ndarray, owner: np.ndarray, sizes: np.ndarray, pos: np.ndarray) -> np.ndarray:
        debits = np.maximum(sizes // 2, 1)
        is_debit = pos < debits[owner]
        lo, hi = int(round(self.lo * self.unit)), int(round(self.hi * self.unit))
        amount = lo + np.floor(u * (hi - lo + 1)).astype(np.int64).clip(0, hi - lo)
        amount = np.where(is_debit, amount, 0)
        total = np.bincount(owner, weights=amount, minlength=len(sizes)).astype(np.int64)
        total = np.where(sizes > 1, total, 0)  # a group of one line can only be 0
        credits = _split(total, u, owner, sizes - debits, pos - debits[owner], only=~is_debit)
        return np.where(is_debit & (sizes[owner] > 1), amount, -credits)


def _ramp(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., size-1 for each size, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - sizes, sizes)


def _split(
    total: np.ndarray,
    u: np.ndarray,
    owner: np.ndarray,
    parts: np.ndarray,
    pos: np.ndarray,
    only: np.ndarray | None = None,
) -> np.ndarray:
    """``total[g]`` split over the ``parts[g]`` rows of group g marked ``only`` (all rows when
    None) in whole units: one unit each first where it fits, the rest in proportion to
    random weights, the remainder to the group's last part. Exact: the parts add up."""
    take = np.ones(len(owner), bool) if only is None else only
    w = np.where(take, 0.5 + u, 0.0)
    weight = np.bincount(owner, weights=w, minlength=len(total))
    n = np.maximum(parts, 1)
    floor_each = np.where(total >= parts, 1, 0)  # every part at least one unit when there are enough
    rest = total - floor_each * parts
    share = np.where(take, np.floor(rest[owner] * w / np.maximum(weight[owner], 1e-12)).astype(np.int64), 0)
    share = np.where(take, share + floor_each[owner], 0)
    given = np.bincount(owner, weights=share, minlength=len(total)).astype(np.int64)
    last = take & (pos == n[owner] - 1)
    return share + np.where(last, total[owner] - given[owner], 0)


def _parent_total(f: Rows, path: str, groups: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """The parent column ``path`` (``payment_id.amount``) for each group, as floats."""
    first_row = np.full(len(groups), -1, dtype=np.int64)
    first_row[inverse[::-1]] = np.arange(len(inverse))[::-1]
    values = f.path(path).cast(pa.float64()).fill_null(0.0).to_numpy(zero_copy_only=False)  # decimals: one cast
    return np.nan_to_num(values[first_row])


@register("balanced")
def _balanced(arg: Any, info: BuildInfo) -> Gen:
    if not isinstance(arg, dict):
        raise info.fail("balanced needs {zero: true, range: [LOW, HIGH]} or {to: FK_COLUMN.COLUMN}")
    require_keys(arg, {"zero", "range", "part", "name", "to"}, info, "balanced")
    if info.per is None:
        raise info.fail("balanced amounts add up per group: lay the table out per its parent (rows: {per: ...})")
    if info.column.type.kind not in ("numeric", "int", "bigint", "smallint", "float"):
        raise info.fail(f"balanced fills a number column, not {info.column.type.kind}")
    kind = info.column.type.kind
    scale = (info.column.type.scale or 0) if kind == "numeric" else (2 if kind == "float" else 0)
    part = arg.get("part", "signed")
    if part not in ("signed", "debit", "credit"):
        raise info.fail("balanced.part is signed, debit or credit")
    if bool(arg.get("zero")) == ("to" in arg):
        raise info.fail("balanced takes zero: true (debits equal credits) or to: PARENT.COLUMN (lines add up to it)")
    if "to" in arg:
        to = str(arg["to"])
        if "." not in to:
            raise info.fail("balanced.to names the parent's column through the key: payment_id.amount")
        info.table.column(to.split(".")[0])
        return Balanced("to", 0, 0, "signed", str(arg.get("name", info.table.qualified)), to, scale)
    rng_arg = arg.get("range", [1, 1000])
    if not (isinstance(rng_arg, list) and len(rng_arg) == 2):
        raise info.fail("balanced.range needs [LOW, HIGH]")
    lo, hi = (number(v, info, "balanced.range") for v in rng_arg)
    if not 0 < lo <= hi:
        raise info.fail("balanced.range is 0 < LOW <= HIGH (the size of a debit)")
    return Balanced("zero", lo, hi, part, str(arg.get("name", info.table.qualified)), None, scale)
