"""What every frame of one run shares: the plan, its generators, the seed, key bases, layouts.

A ``Context`` is pure: the same plan, seed and bases give the same batches, in any
chunk size, in any order, on any thread. Layouts and per-run aggregates are computed
lazily, once, under a lock (batches may be generated on another thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

import numpy as np
import pyarrow as pa

from seedbed.engine.checking import Guards, compile_guards
from seedbed.engine.compile import Generators, compile_plan
from seedbed.engine.frame import Frame
from seedbed.engine.layout import Layout, layout_for
from seedbed.errors import PlanError, SeedbedError, TablesLeftOut
from seedbed.generate import rng
from seedbed.generate.generators.base import Gen
from seedbed.planning.resolved import ResolvedPlan, TableSpec

T = TypeVar("T")


class Context:
    """Shared, pure state of one run: plan, seed and lazily computed layouts."""

    def __init__(
        self,
        plan: ResolvedPlan,
        chunk_size: int = 20_000,
        bases: dict[str, int] | None = None,
        *,
        generators: Generators | None = None,
        guards: dict[str, Guards] | None = None,
        increment: int = 0,
        offsets: dict[str, np.ndarray] | None = None,
        earlier: dict[str, int] | None = None,
    ):
        self.plan = plan
        self.seed = plan.seed
        # a later increment of a run (a larger size seeded on top): the tables it writes draw
        # from streams of their own, so its rows are new rows, not copies of the first's
        self.increment = increment
        self._salted = frozenset(plan.written) if increment else frozenset()
        # per table laid out per a parent that does not grow: the rows each parent row got in
        # the increments before; this one's ordinals count on from there
        self.offsets = dict(offsets or {})
        # per table: the rows the increments before this one wrote; ``{index}`` and a flat
        # table's ordinals count on from there, so values built from them stay unique
        self.earlier = dict(earlier or {})
        self.chunk_size = chunk_size
        # per-table key offset of this run: integer keys and {key} start after what the
        # database held before the run (recorded in the manifest; 0 without a database)
        self.bases = dict(bases or {})
        # built here, after planning: a bad generator option fails before anything is written
        self.generators = generators if generators is not None else compile_plan(plan)
        self._fixed = {name: fixed_columns(plan.tables[name], self.generators[name]) for name in plan.order}
        self.guards = guards if guards is not None else compile_all_guards(plan, self._fixed)
        self._layouts: dict[str, Layout] = {}
        self._busy: set[str] = set()
        self._memo: dict[object, object] = {}
        # batches may be generated on another thread (prefetch): caches fill under a lock
        self._lock = threading.RLock()

    def with_bases(self, bases: dict[str, int]) -> Context:
        """The same run with other key bases (generators are reused, layouts recomputed)."""
        return Context(
            self.plan,
            self.chunk_size,
            bases,
            generators=self.generators,
            guards=self.guards,
            increment=self.increment,
            offsets=self.offsets,
            earlier=self.earlier,
        )

    def key(self, table: str, column: str, purpose: str = "") -> np.uint64:
        return rng.stream_key(self.seed, table, column, purpose + self.salt(table))

    def salt(self, table: str) -> str:
        """What sets an increment's draws of ``table`` apart from earlier ones ("" in a first run)."""
        return f"~increment{self.increment}" if table in self._salted else ""

    def spec(self, table: str) -> TableSpec:
        return self.plan.table(table)

    def layout(self, table: str) -> Layout:
        with self._lock:
            if not self._layouts and not self._busy:
                # every layout, in the plan's order, the first time one is asked for: a
                # table's row count may ask another's (distinct picks are capped by their
                # candidates), and a fixed order makes the answers the same in every run
                for name in self.plan.order:
                    self._layout(name)
            return self._layout(self.spec(table).name)

    def _layout(self, table: str) -> Layout:
        if table not in self._layouts:
            self._busy.add(table)
            try:
                spec = self.spec(table)
                self._layouts[table] = layout_for(self, spec, self.generators[spec.name])
            finally:
                self._busy.discard(table)
        return self._layouts[table]

    def base(self, table: str) -> int:
        return self.bases.get(table, 0)

    def rows(self, table: str) -> int:
        with self._lock:
            name = self.spec(table).name
            if name in self._busy and name not in self._layouts:
                # asked while its own count is being worked out (two tables capping each
                # other): the count its plan asks for, before any cap
                return self._planned(name)
            return self.layout(name).n

    def _planned(self, table: str) -> int:
        spec = self.spec(table)
        if spec.per is None:
            return spec.rows
        return spec.total if spec.total is not None else 2**62

    def memo(self, key: object, make: Callable[[], T]) -> T:
        """A result computed once per run (aggregates: O(parents))."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]  # type: ignore[return-value]

    def frame(self, table: str, idx: np.ndarray) -> Frame:
        spec = self.spec(table)
        name = spec.name
        return Frame(
            self,
            spec,
            self.generators[name],
            np.asarray(idx, dtype=np.int64),
            guards=self.guards.get(name),
            fixed=self._fixed.get(name, frozenset()),
        )

    def batch(self, table: str, start: int, stop: int) -> pa.RecordBatch:
        """Rows [start, stop) of ``table`` as an Arrow record batch of its written columns."""
        f = self.frame(table, np.arange(start, stop, dtype=np.int64))
        spec = f.spec
        arrays = [f.col(c) for c in spec.written]
        return pa.RecordBatch.from_arrays(arrays, schema=spec.arrow_schema)

    def redrawn(self, table: str, idx: np.ndarray, attempt: int) -> Frame:
        """Rows ``idx`` of ``table`` drawn again: ``attempt`` mixed into every random key,
        the columns a redraw keeps (keys, distinct values) as first drawn (attempt 0: the
        first draw). For rows the database refused by a rule seedbed cannot read
        (run/refusals.py)."""
        first = self.frame(table, idx)
        if not attempt:
            return first
        return Frame(self, first.spec, first.gens, first.idx, attempt=attempt, origin=(first, np.arange(first.n)),
                     guards=first._guards, fixed=first._fixed_cols)  # fmt: skip

    def batches(self, table: str, start: int = 0, stop: int | None = None) -> Iterator[pa.RecordBatch]:
        stop = self.rows(table) if stop is None else stop
        for a in range(start, stop, self.chunk_size):
            yield self.batch(table, a, min(a + self.chunk_size, stop))

    def key_batches(self, table: str) -> Iterator[pa.RecordBatch]:
        """Only the ownership key columns of every row: what purge and verify need."""
        spec = self.spec(table)
        n = self.rows(table)
        schema = pa.schema([spec.arrow_schema.field(c) for c in spec.key])
        for a in range(0, n, self.chunk_size):
            f = self.frame(table, np.arange(a, min(a + self.chunk_size, n), dtype=np.int64))
            yield pa.RecordBatch.from_arrays([f.col(c) for c in spec.key], schema=schema)

    def sample(self, table: str, without: Sequence[int] = ()) -> Frame | None:
        """The first and last rows of ``table`` (None when it has none): enough to tell
        whether a run's rows are there without regenerating them all. ``without``: rows
        (sorted) the database refused, which are not there."""
        n = self.rows(table)
        if not without:
            return self.frame(table, np.array(sorted({0, n - 1}), dtype=np.int64)) if n else None
        kept = np.setdiff1d(np.arange(n, dtype=np.int64), np.asarray(without, dtype=np.int64))
        return self.frame(table, np.unique(kept[[0, -1]])) if len(kept) else None


def probe(ctx: Context) -> None:
    """Generate the first and last rows of every table, so a generator that fails at run
    time fails here, before anything is written. A table with CHECKs met by redrawing
    tries its first rows, so a CHECK generated values rarely meet fails here too.
    Every table that fails is reported at once (``TablesLeftOut``)."""
    failures: dict[str, SeedbedError] = {}
    for name in ctx.plan.order:
        try:
            n = ctx.rows(name)
            if n:
                ctx.batch(name, 0, min(n, PROBE_GUARDED if name in ctx.guards else 2))
                ctx.batch(name, n - 1, n)
        except PlanError as err:
            failures[err.table or name] = err
    if failures:
        raise TablesLeftOut(failures)


PROBE_GUARDED = 256


def compile_all_guards(plan: ResolvedPlan, fixed: dict[str, frozenset[str]]) -> dict[str, Guards]:
    out = {}
    failures: dict[str, SeedbedError] = {}
    for name in plan.order:
        spec = plan.tables[name]
        if spec.unsure:
            try:
                g = compile_guards(spec, plan.anchor_us, list(spec.unsure), set(spec.unread), fixed[name])
            except PlanError as err:
                failures[name] = err
                continue
            if g is not None:
                out[name] = g
    if failures:
        raise TablesLeftOut(failures)
    return out


def fixed_columns(spec: TableSpec, gens: dict[str, Gen]) -> frozenset[str]:
    """The columns a redraw keeps: the row's key, single-column unique values, the parent
    a row is laid out under, and values distinct by construction."""
    table = spec.table
    out = set(spec.key) | set(table.primary_key)
    out |= {u.columns[0] for u in table.uniques if len(u.columns) == 1}
    if spec.per_fk:
        out.add(spec.per_fk)
    out |= {c for c, g in gens.items() if not g.redrawable()}
    return frozenset(out)
