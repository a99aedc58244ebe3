"""Evaluation of a table's columns at a set of row indices.

A ``Frame`` is (table, row indices). ``frame.col(name)`` computes a column for
exactly those rows, memoised within the frame; a column depending on another
(``due_date`` after ``start_date``) asks the frame for it. A foreign key is a
parent *row index* (``frame.ref``); the parent's key, or any other parent column,
is recomputed by a frame of the parent table at those indices. Nothing is read
from a database and no table is held in memory.

A ``Context`` holds what is shared by every frame of one run: the resolved plan,
the seed, and the per-table layouts (how many rows each parent row has), which are
O(parents) and derived from the plan alone.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from seedbed.errors import PlanError
from seedbed.generate import rng

if TYPE_CHECKING:
    from seedbed.plan.resolved import ResolvedPlan, TableSpec


class Layout:
    """Row layout of a table: flat, or contiguous runs of rows per group (parent) row."""

    def __init__(self, n: int, counts: np.ndarray | None = None):
        self.n = n
        self.counts = counts  # rows per group row, or None when flat
        self.ends = None if counts is None else np.cumsum(counts, dtype=np.int64)
        self.starts = None if counts is None else self.ends - counts

    def group_of(self, idx: np.ndarray) -> np.ndarray:
        assert self.ends is not None
        return np.searchsorted(self.ends, idx, side="right").astype(np.int64)


class Context:
    """Shared, pure state of one run: plan, seed and lazily computed layouts."""

    def __init__(self, plan: ResolvedPlan, chunk_size: int = 20_000, bases: dict[str, int] | None = None):
        self.plan = plan
        self.seed = plan.seed
        self.chunk_size = chunk_size
        # per-table key offset of this run: integer keys and {key} start after what the
        # database held before the run (recorded in the manifest; 0 without a database)
        self.bases = dict(bases or {})
        self._layouts: dict[str, Layout] = {}
        self._busy: set[str] = set()
        self._memo: dict[object, object] = {}
        # batches may be generated on another thread (prefetch): caches fill under a lock
        self._lock = threading.RLock()

    def key(self, table: str, column: str, purpose: str = "") -> np.uint64:
        return rng.stream_key(self.seed, table, column, purpose)

    def spec(self, table: str) -> TableSpec:
        return self.plan.table(table)

    def layout(self, table: str) -> Layout:
        with self._lock:
            return self._layout(table)

    def _layout(self, table: str) -> Layout:
        if table not in self._layouts:
            if table in self._busy:
                raise PlanError(f"the row count of {table!r} depends on itself", where=table)
            self._busy.add(table)
            try:
                from seedbed.generate.sizing import layout_for

                self._layouts[table] = layout_for(self, self.spec(table))
            finally:
                self._busy.discard(table)
        return self._layouts[table]

    def base(self, table: str) -> int:
        return self.bases.get(table, 0)

    def rows(self, table: str) -> int:
        return self.layout(table).n

    def memo(self, key: object, make):  # noqa: ANN001 - small cache for O(parents) results
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    def frame(self, table: str, idx: np.ndarray) -> Frame:
        return Frame(self, self.spec(table), np.asarray(idx, dtype=np.int64))

    def batch(self, table: str, start: int, stop: int) -> pa.RecordBatch:
        """Rows [start, stop) of ``table`` as an Arrow record batch of its written columns."""
        f = self.frame(table, np.arange(start, stop, dtype=np.int64))
        spec = f.spec
        arrays = [f.col(c) for c in spec.written]
        return pa.RecordBatch.from_arrays(arrays, schema=spec.arrow_schema)

    def batches(self, table: str, start: int = 0, stop: int | None = None):
        stop = self.rows(table) if stop is None else stop
        for a in range(start, stop, self.chunk_size):
            yield self.batch(table, a, min(a + self.chunk_size, stop))

    def key_batches(self, table: str):
        """Only the ownership key columns of every row: what purge and verify need."""
        spec = self.spec(table)
        n = self.rows(table)
        schema = pa.schema([spec.arrow_schema.field(c) for c in spec.key])
        for a in range(0, n, self.chunk_size):
            f = self.frame(table, np.arange(a, min(a + self.chunk_size, n), dtype=np.int64))
            yield pa.RecordBatch.from_arrays([f.col(c) for c in spec.key], schema=schema)


class Frame:
    """One table evaluated at the row indices ``idx``."""

    def __init__(self, ctx: Context, spec: TableSpec, idx: np.ndarray):
        self.ctx = ctx
        self.spec = spec
        self.table = spec.name
        self.idx = idx
        self.n = len(idx)
        self._cols: dict[str, pa.Array] = {}
        self._refs: dict[str, np.ndarray] = {}
        self._busy: set[str] = set()
        self._group: np.ndarray | None = None

    @property
    def u64(self) -> np.ndarray:
        return self.idx.astype(np.uint64)

    def key(self, column: str, purpose: str = "") -> np.uint64:
        return self.ctx.key(self.table, column, purpose)

    # -- layout -------------------------------------------------------------
    def group(self) -> np.ndarray:
        """Row index of each row's group (parent) row in a per-parent layout."""
        if self._group is None:
            lay = self.ctx.layout(self.table)
            if lay.counts is None:
                raise PlanError(
                    "this table is not laid out per parent",
                    where=self.table,
                    hint="give it rows: {per: PARENT, total: N}",
                )
            self._group = lay.group_of(self.idx)
        return self._group

    def ordinal(self) -> np.ndarray:
        """Position of each row within its group (0-based); the row index when flat."""
        lay = self.ctx.layout(self.table)
        if lay.counts is None:
            return self.idx
        return self.idx - lay.starts[self.group()]

    # -- columns ------------------------------------------------------------
    def _gen(self, name: str):
        try:
            return self.spec.columns[name]
        except KeyError:
            self.spec.table.column(name)  # raises with a did-you-mean when unknown
            raise PlanError(
                f"column {name!r} is not generated (it is left to the database)",
                where=self.table,
                hint="give it a generator in the plan to refer to it",
            ) from None

    def col(self, name: str) -> pa.Array:
        if name not in self._cols:
            if name in self._busy:
                raise PlanError(f"column {name!r} depends on itself", where=self.table)
            self._busy.add(name)
            try:
                self._cols[name] = self._gen(name).compute(self)
            except (PlanError, KeyboardInterrupt):
                raise
            except Exception as err:  # a plan asking for impossible values, e.g. text in an int column
                raise PlanError(
                    f"cannot generate column {name!r}: {type(err).__name__}: {err}",
                    where=f"tables.{self.table}.columns.{name}",
                    hint="check this column's generator against its type",
                ) from err
            finally:
                self._busy.discard(name)
        return self._cols[name]

    def ref(self, name: str) -> np.ndarray:
        """Parent row indices of the foreign-key column ``name`` (-1 where null)."""
        if name not in self._refs:
            gen = self._gen(name)
            if not hasattr(gen, "ref_index"):
                raise PlanError(f"column {name!r} is not a reference to another table", where=self.table)
            self._refs[name] = gen.ref_index(self)
        return self._refs[name]

    def ref_path(self, path: str) -> np.ndarray:
        """Row index reached by following the references ``a.b.c`` (-1 where null)."""
        head, _, rest = path.partition(".")
        idx = self.ref(head)
        if not rest:
            return idx
        target = self._gen(head).target
        valid = idx >= 0
        out = np.full(self.n, -1, dtype=np.int64)
        out[valid] = self.ctx.frame(target, idx[valid]).ref_path(rest)
        return out

    def ref_table(self, name: str) -> str:
        return self._gen(name).target

    def path(self, path: str) -> pa.Array:
        """Value of ``a.b.c``: column c of the row that b of the row that a points to."""
        head, _, rest = path.partition(".")
        if not rest:
            return self.col(head)
        gen = self._gen(head)
        if hasattr(gen, "path_value"):  # polymorphic references resolve per target table
            return gen.path_value(self, rest)
        idx = self.ref(head)
        return self.follow(gen.target, idx, rest)

    def follow(self, table: str, idx: np.ndarray, rest: str) -> pa.Array:
        """Value of ``rest`` in ``table`` at ``idx``; null where idx is -1."""
        valid = idx >= 0
        if valid.all():
            return self.ctx.frame(table, idx).path(rest)
        inner = self.ctx.frame(table, idx[valid]).path(rest)
        if not valid.any():
            return pa.nulls(len(idx), inner.type)
        positions = np.cumsum(valid) - 1
        taken = inner.take(pa.array(np.where(valid, positions, 0)))
        return pa.compute.if_else(pa.array(valid), taken, pa.nulls(len(idx), taken.type))
