"""One table evaluated at a set of row indices: columns computed for exactly those rows.

``frame.col(name)`` computes a column, memoised within the frame; a column depending
on another (``due_date`` after ``start_date``) asks the frame for it. A foreign key is
a parent *row index* (``frame.ref``); the parent's key, or any other parent column, is
recomputed by a frame of the parent table at those indices. Nothing is read from a
database and no table is held in memory. Implements ``generate.rows.Rows``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.engine.checking import Guards
from seedbed.engine.redraw import Redraw, settle
from seedbed.errors import PlanError
from seedbed.generate.generators.base import Gen, Reference
from seedbed.generate.rows import Rows, Run
from seedbed.planning.resolved import TableSpec

T = TypeVar("T")


class Frame:
    """One table evaluated at the row indices ``idx``.

    A table with CHECKs planning could not guarantee (``engine.checking``) is *settled*
    before its first column is handed out: the rows failing a guard are drawn again in a
    redraw frame (same rows, attempt ``k`` in every random key; the columns that must not
    change - keys, distinct values - taken from this frame), and the redrawn values are
    spliced in. Each row's values stay a pure function of seed and row index.
    """

    def __init__(
        self,
        ctx: Run,
        spec: TableSpec,
        gens: dict[str, Gen],
        idx: np.ndarray,
        *,
        attempt: int = 0,
        origin: tuple[Frame, np.ndarray] | None = None,
        guards: Guards | None = None,
        fixed: frozenset[str] = frozenset(),
    ):
        self.ctx = ctx
        self.gens = gens
        self.spec = spec
        self.table = spec.name
        self.idx = idx
        self.n = len(idx)
        self.attempt = attempt
        self._origin = origin  # a redraw frame: (the frame redrawn, positions of its rows there)
        self._guards = guards  # CHECKs to meet by redrawing (None: all met by construction)
        self._fixed_cols = fixed  # columns a redraw keeps
        self._cols: dict[str, pa.Array] = {}
        self._refs: dict[str, np.ndarray] = {}
        # values computed once per frame, each with the array it was computed from
        self._memo: dict[tuple, tuple[object, object]] = {}
        self._busy: set[str] = set()
        self._group: np.ndarray | None = None
        self._redrawn: list[Redraw] | None = None  # None: not settled yet
        self._settling = False

    @property
    def u64(self) -> np.ndarray:
        return self.idx.astype(np.uint64)

    def key(self, column: str, purpose: str = "") -> np.uint64:
        if self.attempt:  # a redraw: every random draw of the row changes, deterministically
            purpose = f"{purpose}~redraw{self.attempt}"
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
        if lay.starts is None:
            return self.idx + self.ctx.earlier.get(self.table, 0)
        g = self.group()
        earlier = self.ctx.offsets.get(self.table)
        if earlier is not None:  # an increment's new rows of a parent come after its earlier ones
            return self.idx - lay.starts[g] + earlier[g]
        return self.idx - lay.starts[g]

    # -- columns ------------------------------------------------------------
    def _gen(self, name: str) -> Gen:
        try:
            return self.gens[name]
        except KeyError:
            self.spec.table.column(name)  # raises with a did-you-mean when unknown
            raise PlanError(
                f"column {name!r} is not generated (it is left to the database)",
                where=self.table,
                hint="give it a generator in the plan to refer to it",
            ) from None

    def col(self, name: str) -> pa.Array:
        if name not in self._cols:
            if name in self._fixed():  # a redraw never changes it: no need to settle for it
                if self._origin is not None:
                    main, pos = self._origin
                    self._cols[name] = main.col(name).take(pa.array(pos))
                else:
                    self._cols[name] = self._compute(name)
                return self._cols[name]
            self._settle()
            if name in self._cols:
                return self._cols[name]
            self._cols[name] = self._splice(self._compute(name), name)
        return self._cols[name]

    def _compute(self, name: str) -> pa.Array:
        if name in self._busy:
            raise PlanError(f"column {name!r} depends on itself", where=self.table)
        self._busy.add(name)
        try:
            return self._gen(name).compute(self)
        except PlanError as err:
            err.table = err.table or self.table  # the innermost table whose column failed
            raise
        except KeyboardInterrupt:
            raise
        except RecursionError:
            raise PlanError(
                f"column {name!r} depends on itself through other tables' columns",
                where=f"tables.{self.table}.columns.{name}",
                hint="give one of the columns on that path a generator of its own in the plan",
                table=self.table,
            ) from None
        except Exception as err:  # a plan asking for impossible values, e.g. text in an int column
            raise PlanError(
                f"cannot generate column {name!r}: {type(err).__name__}: {err}",
                where=f"tables.{self.table}.columns.{name}",
                hint="check this column's generator against its type",
                table=self.table,
            ) from err
        finally:
            self._busy.discard(name)

    def ref(self, name: str) -> np.ndarray:
        """Parent row indices of the foreign-key column ``name`` (-1 where null)."""
        if name not in self._refs:
            if name in self._fixed():
                if self._origin is not None:
                    main, pos = self._origin
                    self._refs[name] = main.ref(name)[pos]
                else:
                    self._refs[name] = self._reference(name).ref_index(self)
                return self._refs[name]
            self._settle()
            if name not in self._refs:
                self._refs[name] = self._splice_refs(self._reference(name).ref_index(self), name)
        return self._refs[name]

    def memo(self, key: tuple, basis: object, make: Callable[[], T]) -> T:
        """``make()``, once per frame and ``basis`` (the array it is computed from, compared
        by identity: a redraw that replaces that array computes it again)."""
        hit = self._memo.get(key)
        if hit is None or hit[0] is not basis:
            hit = (basis, make())
            self._memo[key] = hit
        return hit[1]  # type: ignore[return-value]

    def _parent(self, table: str, idx: np.ndarray) -> Rows:
        """``table`` at the rows ``idx`` points to (its entries >= 0). One frame per index
        array: the paths through one reference (task_id.created_at, task_id.project_id)
        share its columns instead of computing them once per path."""
        return self.memo(("parent", table, id(idx)), idx, lambda: self.ctx.frame(table, idx[idx >= 0]))

    def preset(self, name: str, values: pa.Array) -> None:
        """Fix a column's values (a redraw trying a plain value); the others follow it."""
        self._cols[name] = values

    # -- guards: CHECKs met by redrawing the rows that fail ----------------------------
    def _fixed(self) -> frozenset[str]:
        return self._fixed_cols

    def _settle(self) -> None:
        if self._redrawn is not None or self._settling:
            return
        guards = self._guards if self._origin is None else None
        if guards is None:
            self._redrawn = []
            return
        self._settling = True  # columns asked for meanwhile are the first draw
        try:
            redrawn = settle(self, guards)
        finally:
            self._settling = False
        self._redrawn = redrawn
        if redrawn:
            fixed = self._fixed()
            for c in [c for c in self._cols if c not in fixed]:
                self._cols[c] = self._splice(self._cols[c], c)
            for c in [c for c in self._refs if c not in fixed]:
                self._refs[c] = self._splice_refs(self._refs[c], c)

    def _splice(self, arr: pa.Array, name: str) -> pa.Array:
        if not self._redrawn or self._settling or name in self._fixed():
            return arr
        pieces, where = [arr], np.arange(self.n, dtype=np.int64)
        offset = self.n
        for r in self._redrawn:
            pieces.append(r.frame.col(name).cast(arr.type).take(pa.array(r.inner)))
            where[r.rows] = offset + np.arange(len(r.rows))
            offset += len(r.rows)
        return pa.concat_arrays(pieces).take(pa.array(where))

    def _splice_refs(self, idx: np.ndarray, name: str) -> np.ndarray:
        if not self._redrawn or self._settling or name in self._fixed():
            return idx
        out = idx.copy()
        for r in self._redrawn:
            out[r.rows] = r.frame.ref(name)[r.inner]
        return out

    def _reference(self, name: str) -> Reference:
        gen = self._gen(name)
        if not isinstance(gen, Reference):
            raise PlanError(f"column {name!r} is not a reference to another table", where=self.table)
        return gen

    def _target(self, name: str) -> str:
        target = self._reference(name).target
        if target is None:
            raise PlanError(f"column {name!r} does not lead to another table's row", where=self.table)
        return target

    def ref_path(self, path: str) -> np.ndarray:
        """Row index reached by following the references ``a.b.c`` (-1 where null)."""
        head, _, rest = path.partition(".")
        idx = self.ref(head)
        if not rest:
            return idx
        target = self._target(head)
        valid = idx >= 0
        out = np.full(self.n, -1, dtype=np.int64)
        out[valid] = self._parent(target, idx).ref_path(rest)
        return out

    def path(self, path: str) -> pa.Array:
        """Value of ``a.b.c``: column c of the row that b of the row that a points to."""
        head, _, rest = path.partition(".")
        if not rest:
            return self.col(head)
        own = self._gen(head).path_value(self, rest)  # polymorphic references resolve per target table
        if own is not None:
            return own
        idx = self.ref(head)
        return self.follow(self._target(head), idx, rest)

    def follow(self, table: str, idx: np.ndarray, rest: str) -> pa.Array:
        """Value of ``rest`` in ``table`` at ``idx``; null where idx is -1."""
        valid = idx >= 0
        inner = self._parent(table, idx).path(rest)
        if valid.all():
            return inner
        if not valid.any():
            return pa.nulls(len(idx), inner.type)
        positions = np.cumsum(valid) - 1
        taken = inner.take(pa.array(np.where(valid, positions, 0)))
        return pc.if_else(pa.array(valid), taken, pa.nulls(len(idx), taken.type))
