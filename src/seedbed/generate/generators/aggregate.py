"""Columns that summarise another table: ``sum`` and ``count`` of its rows per parent.

The source table is regenerated chunk by chunk (only the columns needed) and folded
into one total per parent row, so memory is O(parents), never the source table.
``workspace_storage_usage.used_bytes`` is the sum of its workspace's uploaded
attachment sizes this way, without reading the database.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Run, Values


class Aggregate(Gen):
    def __init__(
        self,
        op: str,
        source: str,
        of: str | None,
        by: str,
        where: dict[str, list[Any]],
        match: str | None,
        parent: str,
        floats: bool,
    ):
        self.op, self.source, self.of, self.by = op, source, of, by
        self.where, self.match, self.parent = where, match, parent
        self.floats = floats  # the totals are of a non-integer column

    def _totals(self, ctx: Run) -> np.ndarray:
        n_parent = ctx.rows(self.parent)
        acc = np.zeros(n_parent, dtype=np.float64 if self.floats else np.int64)
        n = ctx.rows(self.source)
        for a in range(0, n, ctx.chunk_size):
            f = ctx.frame(self.source, np.arange(a, min(a + ctx.chunk_size, n), dtype=np.int64))
            g = f.ref(self.by)
            keep = g >= 0
            for col, allowed in self.where.items():
                vals = f.col(col)
                hit = pc.is_in(vals, value_set=pa.array(allowed).cast(vals.type)).fill_null(False)
                keep &= hit.to_numpy(zero_copy_only=False)
            if self.op == "count":
                np.add.at(acc, g[keep], 1)
            else:
                assert self.of is not None  # a sum names its column
                v = f.col(self.of)
                vals = v.cast(pa.float64() if acc.dtype.kind == "f" else pa.int64()).fill_null(0)
                np.add.at(acc, g[keep], vals.to_numpy(zero_copy_only=False)[keep])
        return acc

    def values(self, f: Rows) -> Values:
        key = ("aggregate", f.table, self.column.name)
        totals = f.ctx.memo(key, lambda: self._totals(f.ctx))
        rows = f.idx if self.match is None else f.ref(self.match)
        return np.where(rows >= 0, totals[np.maximum(rows, 0)], 0)


def _build(op: str, arg: Any, info: BuildInfo) -> Gen:
    if not isinstance(arg, dict) or "of" not in arg or "by" not in arg:
        raise info.fail(f"{op} needs {{of: TABLE.COLUMN, by: FK_COLUMN}} (where: and match: optional)")
    require_keys(arg, {"of", "by", "where", "match"}, info, op)
    source_name, _, of = str(arg["of"]).rpartition(".") if op == "sum" else (str(arg["of"]), "", None)
    if op == "sum" and not source_name:
        raise info.fail("sum.of needs TABLE.COLUMN")
    source = info.schema.table(source_name)
    if of:
        source.column(of)
    fk = source.fk_for(str(arg["by"]))
    if fk is None:
        raise info.fail(f"{op}.by: {source.qualified}.{arg['by']} is not a foreign key")
    parent = info.schema.table(fk.ref_table).qualified
    match = arg.get("match")
    if match is None and parent != info.table.qualified:
        own = [
            f.columns[0]
            for f in info.table.foreign_keys
            if len(f.columns) == 1 and info.schema.table(f.ref_table).qualified == parent
        ]
        if len(own) != 1:
            raise info.fail(f"{op}: say which column of this table points to {parent} with match:")
        match = own[0]
    where = {}
    for col, allowed in (arg.get("where") or {}).items():
        source.column(col)
        where[col] = allowed if isinstance(allowed, list) else [allowed]
    floats = op == "sum" and of is not None and source.column(of).type.kind not in ("smallint", "int", "bigint")
    return Aggregate(op, source.qualified, of, str(arg["by"]), where, match, parent, floats)


@register("sum")
def _sum(arg: Any, info: BuildInfo) -> Gen:
    """``sum: {of: attachments.size_bytes, by: workspace_id, where: {status: uploaded}}``."""
    return _build("sum", arg, info)


@register("count")
def _count(arg: Any, info: BuildInfo) -> Gen:
    """``count: {of: attachments, by: workspace_id}``: rows of another table per parent."""
    return _build("count", arg, info)
