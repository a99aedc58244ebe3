"""How many rows each table has: flat, or laid out in contiguous runs per parent row.

The per-parent counts come from the plan alone (``distribute`` of a total, or a fixed
number each), capped where distinct picks would run out of candidates; they are
O(parents) and computed once per run. This layout is what makes ordinals, series,
``within`` picks and DAG edges index arithmetic instead of lookups.
"""

from __future__ import annotations

import numpy as np

from seedbed.generate.generators.base import Gen
from seedbed.generate.rows import Run
from seedbed.generate.sizing import distribute
from seedbed.planning.resolved import TableSpec


class Layout:
    """Row layout of a table: flat, or contiguous runs of rows per group (parent) row."""

    def __init__(self, n: int, counts: np.ndarray | None = None):
        self.n = n
        self.counts = counts  # rows per group row, or None when flat
        self.ends = None if counts is None else np.cumsum(counts, dtype=np.int64)
        self.starts = None if self.ends is None or counts is None else self.ends - counts

    def group_of(self, idx: np.ndarray) -> np.ndarray:
        assert self.ends is not None
        return np.searchsorted(self.ends, idx, side="right").astype(np.int64)


def layout_for(ctx: Run, spec: TableSpec, gens: dict[str, Gen]) -> Layout:
    """The layout of ``spec``'s table: its row count, per parent when laid out so."""
    if spec.per is None:
        n = spec.rows
        for gen in gens.values():
            limit = gen.flat_capacity(ctx)
            if limit is not None:
                n = min(n, limit)  # distinct picks cannot outnumber their candidates
        return Layout(n)
    n_parents = ctx.rows(spec.per)
    key = ctx.key(spec.name, "", "rows")
    if spec.each is not None:
        counts = np.full(n_parents, spec.each, dtype=np.int64)
    else:
        counts = distribute(spec.total or 0, n_parents, key, spec.spread)
    for gen in gens.values():
        # a parent cannot have more distinct children than there are candidates to pick from
        cap = gen.capacity(ctx, n_parents)
        if cap is not None:
            counts = np.minimum(counts, np.asarray(cap, dtype=np.int64))
    return Layout(int(counts.sum()), counts)
