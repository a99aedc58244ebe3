"""References between rows: foreign keys, paths through them, polymorphic refs, DAG edges.

A reference is computed as a parent *row index*; the value written is the parent's
key recomputed at that index. Picks are uniform, skewed (a few popular parents),
distinct (a keyed permutation, so unique pairs hold by construction), or confined
``within`` a shared ancestor (a baseline item's task belongs to the baseline's
project).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.errors import PlanError
from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, Reference, group_key, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Run, Values

U64 = np.uint64


class Ref(Reference):
    """A foreign-key column: one parent row per child row."""

    target: str

    def __init__(
        self,
        target: str,
        target_col: str,
        mode: str,
        within: str | None,
        skew: float | None,
        per: str | None,
        per_fk: str | None,
    ):
        self.target, self.target_col = target, target_col
        self.mode, self.within, self.skew = mode, within, skew
        self.per, self.per_fk = per, per_fk
        self.table_wide = False  # distinct in the whole table (a unique column), not per parent

    def ref_index(self, f: Rows) -> np.ndarray:
        key = f.key(self.column.name, "ref")
        if self.mode == "group":
            return f.group()
        if self.within is not None:
            h = f.ref_path(self.within)
            counts, starts = self._runs(f.ctx)
            cnt = counts[h]
            if self.mode == "distinct":
                pick = rng.permute(np.minimum(f.ordinal(), np.maximum(cnt - 1, 0)), cnt, group_key(f, key))
            else:
                pick = rng.below(f.u64, key, cnt)
            return np.where(cnt > 0, starts[h] + pick, -1)
        n = f.ctx.rows(self.target)
        if n == 0:
            return np.full(f.n, -1, dtype=np.int64)
        if self.mode == "tree":
            # a self-reference points only at earlier rows, so rows load in order and
            # form a tree: row 0 is a root (null, or itself when the column is NOT NULL)
            pick = np.floor(rng.uniform(f.u64, key) * f.idx).astype(np.int64)
            roots = f.idx == 0
            return np.where(roots, -1 if self.column.nullable else f.idx, pick)
        if self.mode == "distinct":
            if self.per is not None and not self.table_wide:
                return rng.permute(np.minimum(f.ordinal(), n - 1), n, group_key(f, key))
            return rng.permute(np.minimum(f.idx, n - 1), n, key)
        u = rng.uniform(f.u64, key)
        if self.skew:
            # u**skew piles picks onto low indices; the permutation scatters the popular
            # parents over the table instead of the first rows.
            low = np.minimum(np.floor(np.power(u, self.skew) * n).astype(np.int64), n - 1)
            return rng.permute(low, n, rng.mix(U64(7), key))
        return np.minimum(np.floor(u * n).astype(np.int64), n - 1)

    def redrawable(self) -> bool:
        return self.mode in ("pick", "tree")

    def _runs(self, ctx: Run) -> tuple[np.ndarray, np.ndarray]:
        """The target's rows per parent row, and where each parent's run starts."""
        lay = ctx.layout(self.target)
        if lay.counts is None or lay.starts is None:
            raise PlanError(
                f"{self.column.name!r} needs {self.target!r} laid out per parent",
                where=f"column {self.column.name}",
                hint=f"give {self.target} rows: {{per: ..., total: N}}",
            )
        return lay.counts, lay.starts

    def values(self, f: Rows) -> Values:
        return f.follow(self.target, f.ref(self.column.name), self.target_col)

    def capacity(self, ctx: Run, n_parents: int) -> np.ndarray | None:
        """Per-parent limit on rows so distinct or confined picks always have a candidate."""
        if self.mode == "group" or self.per is None:
            return None
        if self.within is not None:
            head, _, rest = self.within.partition(".")
            if head != self.per_fk:
                return None
            parents = ctx.frame(self.per, np.arange(n_parents, dtype=np.int64))
            h = parents.ref_path(rest) if rest else np.arange(n_parents, dtype=np.int64)
            cnt = np.where(h >= 0, self._runs(ctx)[0][np.maximum(h, 0)], 0)
            if self.mode == "distinct":
                return cnt
            return None if self.column.nullable else np.where(cnt > 0, np.iinfo(np.int64).max, 0)
        if self.mode == "distinct":
            return np.full(n_parents, ctx.rows(self.target), dtype=np.int64)
        return None

    def flat_capacity(self, ctx: Run) -> int | None:
        return ctx.rows(self.target) if self.mode == "distinct" and self.per is None else None


def ref_for(info: BuildInfo, opts: dict[str, Any]) -> Ref:
    """The reference generator of a foreign-key column (the default for one)."""
    col = info.column.name
    # the widest foreign key the column starts (a composite one implies the column's own)
    fk = next((k for k in sorted(info.table.foreign_keys, key=lambda k: -len(k.columns)) if k.columns[0] == col), None)
    table = opts.get("table")
    if fk is None and table is None:
        raise info.fail(f"column {col!r} has no foreign key", hint="name the parent with ref: {table: T}")
    if table is not None:
        target = info.schema.table(table)
        target_col = opts.get("column") or (target.primary_key[0] if target.primary_key else None)
    else:
        assert fk is not None
        target = info.schema.table(fk.ref_table)
        target_col = fk.ref_columns[0]
    if target_col is None:
        raise info.fail(f"table {target.qualified!r} has no primary key", hint="add ref: {column: C}")
    distinct = bool(opts.get("distinct", False)) or _unique_with_group(info)
    if info.per_fk == col and info.per == target.qualified:
        mode = "group"
    elif target.qualified == info.table.qualified and not distinct:
        mode = "tree"
    else:
        mode = "distinct" if distinct else "pick"
    skew = opts.get("skew")
    if skew is not None and (not isinstance(skew, (int, float)) or skew < 1):
        raise info.fail("ref.skew is an exponent >= 1 (1 = uniform, 3 = a few very popular parents)")
    ref = Ref(target.qualified, target_col, mode, opts.get("within"), skew, info.per, info.per_fk)
    ref.table_wide = mode == "distinct" and _unique_alone(info)
    return ref


def _unique_alone(info: BuildInfo) -> bool:
    col = info.column.name
    return info.table.primary_key == (col,) or any(u.columns == (col,) for u in info.table.uniques)


def _unique_with_group(info: BuildInfo) -> bool:
    """True when a unique key of the table is (this column) or (group column, this column)."""
    col = info.column.name
    keys = [u.columns for u in info.table.uniques]
    if info.table.primary_key:
        keys.append(info.table.primary_key)
    allowed = {col, info.per_fk} if info.per_fk else {col}
    return any(col in k and set(k) <= allowed for k in keys)


class Sibling(Reference):
    """A later column of a composite foreign key: the same parent row as the first column."""

    target: str

    def __init__(self, first: str, target: str, target_col: str):
        self.first, self.target, self.target_col = first, target, target_col

    def ref_index(self, f: Rows) -> np.ndarray:
        return f.ref(self.first)

    def values(self, f: Rows) -> Values:
        return f.follow(self.target, f.ref(self.first), self.target_col)


@register("ref")
def _ref(arg: Any, info: BuildInfo) -> Gen:
    """``ref: {within: baseline_id.project_id, distinct: true, skew: 2}``.

    ``ref: {sibling: first_column}`` fills a later column of a composite foreign key
    from the parent row the first column picked.
    """
    opts = arg if isinstance(arg, dict) else {}
    require_keys(
        opts, {"table", "column", "within", "distinct", "skew", "sibling", "among", "tiers", "order_by"}, info, "ref"
    )
    if "sibling" in opts:
        col = info.column.name
        fk = next((k for k in info.table.foreign_keys if col in k.columns and opts["sibling"] in k.columns), None)
        if fk is None:
            raise info.fail(f"{col!r} and {opts['sibling']!r} are not in one foreign key")
        target = info.schema.table(fk.ref_table).qualified
        return Sibling(str(opts["sibling"]), target, fk.ref_columns[fk.columns.index(col)])
    if "within" in opts:
        info.table.column(str(opts["within"]).split(".")[0])
    ref = ref_for(info, opts)
    if "tiers" in opts:
        from seedbed.generate.generators.hierarchy import tiers_for

        return tiers_for(info, opts, ref.target, ref.target_col)
    if "among" in opts:
        among = opts["among"]
        if not isinstance(among, list) or not among:
            raise info.fail("ref.among needs a list of the parent key values to pick from")
        if ref.mode != "pick" or ref.within is not None:
            raise info.fail("ref.among picks any of the listed parents: it cannot be distinct, within or a group")
        return Among(ref, list(among))
    return ref


class Among(Reference):
    """``ref: {among: [1, 2]}``: a parent whose key is one of the values (a CHECK's list)."""

    target: str

    def __init__(self, ref: Ref, values: list[Any]):
        self.allowed = values
        self.target, self.target_col = ref.target, ref.target_col

    def _candidates(self, ctx: Run) -> np.ndarray:
        def make() -> np.ndarray:
            n = ctx.rows(self.target)
            keys = ctx.frame(self.target, np.arange(n, dtype=np.int64)).col(self.target_col)
            wanted = pa.array(self.allowed).cast(keys.type)
            return np.flatnonzero(pc.is_in(keys, value_set=wanted).to_numpy(zero_copy_only=False))

        return ctx.memo(("among", self.target, self.target_col, tuple(map(str, self.allowed))), make)

    def ref_index(self, f: Rows) -> np.ndarray:
        cand = self._candidates(f.ctx)
        if not len(cand):
            return np.full(f.n, -1, dtype=np.int64)
        pick = np.floor(rng.uniform(f.u64, f.key(self.column.name, "ref")) * len(cand)).astype(np.int64)
        return cand[np.minimum(pick, len(cand) - 1)]

    def values(self, f: Rows) -> Values:
        return f.follow(self.target, f.ref(self.column.name), self.target_col)


class Path(Reference):
    def __init__(self, path: str, target: str | None):
        self.path, self.target = path, target

    def values(self, f: Rows) -> Values:
        return f.path(self.path)

    def ref_index(self, f: Rows) -> np.ndarray:
        """When the path ends on a foreign key, the row it reaches (so joins can go on)."""
        if self.target is None:
            raise PlanError(f"path {self.path!r} does not end on a reference", where=f.table)
        return f.ref_path(self.path)


@register("path")
def _path(arg: Any, info: BuildInfo) -> Gen:
    """``path: task_id.project_id.workspace_id``: a column of a referenced row."""
    if not isinstance(arg, str) or "." not in arg:
        raise info.fail("path needs FK_COLUMN.COLUMN (as many hops as needed)")
    table, target = info.table, None
    for hop in arg.split("."):
        table.column(hop)
        fk = table.fk_for(hop)
        if fk is None:
            target = None
            break
        table = info.schema.table(fk.ref_table)
        target = table.qualified
    return Path(arg, target)


class AnyRef(Gen):
    """A polymorphic reference: a type column names the table, this column its key."""

    def __init__(self, type_column: str, tables: dict[str, tuple[str, str]]):
        self.type_column, self.tables = type_column, tables

    def _groups(self, f: Rows) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """Per target table: the rows of that type and the rows they point to - once per
        batch, shared by this column and the paths through it (entity_id.created_at)."""
        types = f.col(self.type_column)
        return f.memo(("any_ref", self.column.name), types, lambda: self._group_rows(f, types))

    def _group_rows(self, f: Rows, types: pa.Array) -> list[tuple[str, np.ndarray, np.ndarray]]:
        names = list(self.tables)
        gid = pa.compute.index_in(types, value_set=pa.array(names)).fill_null(-1).to_numpy(zero_copy_only=False)
        out = []
        for g, name in enumerate(names):
            pos = np.nonzero(gid == g)[0]
            table = self.tables[name][0]
            n = f.ctx.rows(table)
            key = f.key(self.column.name, "ref:" + name)
            idx = rng.below(f.u64[pos], key, n) if n else np.full(len(pos), -1, dtype=np.int64)
            out.append((table, pos, idx))
        return out

    def _scatter(self, f: Rows, rest_of: dict[str, str]) -> pa.Array:
        parts, positions = [], []
        for table, pos, idx in self._groups(f):
            if len(pos):
                parts.append(f.follow(table, idx, rest_of[table]))
                positions.append(pos)
        if not parts:
            return pa.nulls(f.n, pa.string())
        order = np.concatenate(positions)
        inverse = np.empty(f.n, dtype=np.int64)
        inverse[order] = np.arange(len(order))
        types = {p.type for p in parts}
        if len(types) > 1:
            parts = [p.cast(pa.string()) for p in parts]
        merged = pa.concat_arrays(parts)
        if len(order) < f.n:  # rows whose type is not in the map get null
            merged = pa.concat_arrays([merged, pa.nulls(1, merged.type)])
            inverse = np.full(f.n, len(order), dtype=np.int64)
            inverse[order] = np.arange(len(order))
        return merged.take(pa.array(inverse))

    def values(self, f: Rows) -> Values:
        return self._scatter(f, {t: c for t, c in self.tables.values()})

    def path_value(self, f: Rows, rest: str) -> pa.Array:
        return self._scatter(f, {t: rest for t, _ in self.tables.values()})


@register("any_ref")
def _any_ref(arg: Any, info: BuildInfo) -> Gen:
    """``any_ref: {type: entity_type, tables: {project: projects, task: work_tasks}}``."""
    if not isinstance(arg, dict) or "type" not in arg or not isinstance(arg.get("tables"), dict):
        raise info.fail("any_ref needs {type: TYPE_COLUMN, tables: {type value: table}}")
    require_keys(arg, {"type", "tables"}, info, "any_ref")
    info.table.column(arg["type"])
    tables = {}
    for name, tname in arg["tables"].items():
        t = info.schema.table(tname)
        if len(t.primary_key) != 1:
            raise info.fail(f"any_ref target {t.qualified!r} needs a one-column primary key")
        tables[str(name)] = (t.qualified, t.primary_key[0])
    return AnyRef(arg["type"], tables)


class EdgeEnd(Ref):
    """One end of a DAG edge inside a group: pairs (i < j) of the group's ordered rows.

    Pair m of a group with n rows is drawn as a keyed permutation of the n(n-1)/2
    ordered pairs, so edges are distinct, never self-edges, and always point from a
    lower-ranked row to a higher-ranked one: no cycle can form.
    """

    def __init__(self, target: str, target_col: str, end: str, edge_key: str, per: str, per_fk: str | None):
        super().__init__(target, target_col, "edge", None, None, per, per_fk)
        self.end, self.edge_key = end, edge_key

    def ref_index(self, f: Rows) -> np.ndarray:
        counts, starts = self._runs(f.ctx)
        g = f.group()
        n = counts[g]
        pairs = n * (n - 1) // 2
        key = f.ctx.key(f.table, self.edge_key, "edge")
        m = rng.permute(np.minimum(f.ordinal(), np.maximum(pairs - 1, 0)), np.maximum(pairs, 1), group_key(f, key))
        j = np.floor((1.0 + np.sqrt(1.0 + 8.0 * m)) / 2.0).astype(np.int64)
        j = np.where(j * (j - 1) // 2 > m, j - 1, j)
        j = np.where((j + 1) * j // 2 <= m, j + 1, j)
        i = m - j * (j - 1) // 2
        return starts[g] + (i if self.end == "from" else j)

    def capacity(self, ctx: Run, n_parents: int) -> np.ndarray | None:
        if self.end != "from":
            return None
        n = self._runs(ctx)[0]
        return n * (n - 1) // 2


@register("edge", listed=False)
def _edge(arg: Any, info: BuildInfo) -> Gen:
    """One end of the table's ``edges:`` (written by planning, not by hand):
    ``edge: {end: from, key: predecessor_task_id, target: work_tasks, column: id}``."""
    if not isinstance(arg, dict) or arg.get("end") not in ("from", "to"):
        raise info.fail("edge needs {end: from|to, key: COLUMN, target: TABLE, column: COLUMN}")
    require_keys(arg, {"end", "key", "target", "column"}, info, "edge")
    if info.per is None:
        raise info.fail("edges need the table laid out per the group of their rows")
    target = info.schema.table(str(arg["target"])).qualified
    return EdgeEnd(target, str(arg["column"]), str(arg["end"]), str(arg["key"]), info.per, None)
