"""Hierarchies laid out by tiers: an org chart, a category tree, a chain of managers.

``ref: {tiers: [1, 5, 15, 24], order_by: email}`` on a self-referencing column: the
table's rows sorted by ``order_by`` (ties by row) are cut into tiers of those sizes; the
first tier are roots (NULL; themselves when the column is NOT NULL), each row of a later
tier points at a row of the tier before, round-robin in sorted order (the first at the
first, the second at the second, ... starting again when they run out), and the rows
after the last tier point at the last tier's rows the same way.

A parent may sort after its child in load order, so the column is loaded as NULL and set
once the table is in (``planning/passes.defer_cut_columns``), as a cut cycle's key is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate.generators.base import BuildInfo, Reference
from seedbed.generate.rows import Rows, Run, Values


class Tiers(Reference):
    target: str

    def __init__(self, target: str, target_col: str, sizes: list[int], order_by: str):
        self.target, self.target_col, self.sizes, self.order_by = target, target_col, sizes, order_by

    def _parents(self, ctx: Run) -> np.ndarray:
        def make() -> np.ndarray:
            n = ctx.rows(self.target)
            rows = np.arange(n, dtype=np.int64)
            keys = ctx.frame(self.target, rows).col(self.order_by)
            order = pc.sort_indices(
                pa.table({"k": keys, "i": rows}), sort_keys=[("k", "ascending"), ("i", "ascending")]
            ).to_numpy()
            parent = np.full(n, -1, dtype=np.int64)
            start, above = 0, order[:0]
            for size in [*self.sizes, n]:  # the rest: one more tier under the last one
                members = order[start : start + size]
                if len(above) and len(members):
                    parent[members] = above[np.arange(len(members)) % len(above)]
                if len(members):
                    above = members
                start += size
            return parent

        return ctx.memo(("tiers", self.target, self.order_by, tuple(self.sizes)), make)

    def ref_index(self, f: Rows) -> np.ndarray:
        parent = self._parents(f.ctx)[f.idx]
        return parent if self.column.nullable else np.where(parent < 0, f.idx, parent)

    def values(self, f: Rows) -> Values:
        return f.follow(self.target, f.ref(self.column.name), self.target_col)


def tiers_for(info: BuildInfo, opts: dict[str, Any], target: str, target_col: str) -> Tiers:
    sizes = opts["tiers"]
    if not isinstance(sizes, list) or not sizes or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise info.fail("ref.tiers is a list of tier sizes, e.g. [1, 5, 15, 24] (the rest go under the last)")
    if target != info.table.qualified:
        raise info.fail("ref.tiers lays out a self-reference: the column must point at its own table")
    order_by = opts.get("order_by")
    if not isinstance(order_by, str):
        raise info.fail("ref.tiers needs order_by: the column the rows are ranked by (e.g. email)")
    info.table.column(order_by)
    if order_by == info.column.name:
        raise info.fail("ref.tiers cannot rank the rows by the reference itself")
    return Tiers(target, target_col, list(sizes), order_by)
