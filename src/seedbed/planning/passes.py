"""Planning as an ordered tuple of passes, each a pure function of a frozen ``Planning``.

Each pass reads what earlier passes decided and returns a new ``Planning`` with its own
part filled in (``dataclasses.replace``); none mutates its input or touches a database,
so each can be run and tested alone. ``resolve.resolve_plan`` runs ``PASSES`` in order.
Every error names the plan file, the table and the column, before any write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType
from typing import Any

import pyarrow as pa

from seedbed.errors import PlanError, SeedbedError, did_you_mean
from seedbed.generate.coerce import arrow_type
from seedbed.generate.sizing import scaled
from seedbed.planning.deferred import with_deferred
from seedbed.planning.infer import Inferred, infer_table
from seedbed.planning.leftout import dropped_references, exclude, left_to_triggers
from seedbed.planning.model import PerParent, PlanFile, TablePlan
from seedbed.planning.resolved import ColumnPlan, TableSpec
from seedbed.schema.model import Schema, Table
from seedbed.schema.order import Cut, load_order

_EMPTY = TablePlan()


def _none() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Options:
    """What the run asks on top of the plan file (command-line options)."""

    seed: int | str | None = None
    scale: float | None = None
    profile: str | None = None
    rows: int | None = None  # rows per table when the plan gives none (--rows)
    locale: str | None = None
    left_out: Mapping[str, str] = field(default_factory=_none)  # table -> why it cannot be generated


@dataclass(frozen=True)
class Planning:
    """Planning so far: the inputs, then what each pass has decided."""

    schema: Schema
    plan: PlanFile
    options: Options = Options()
    source: str = "plan"  # the file errors point at
    seed: int | str = 1
    scale: float = 1.0
    order: tuple[str, ...] = ()  # tables to seed, parents first
    cuts: tuple[Cut, ...] = ()  # foreign keys cut to break cycles
    inferred: Mapping[str, Inferred] = field(default_factory=_none)  # table -> what inference proposes
    # table -> {rows} or {per, per_fk, total, each, spread}
    layouts: Mapping[str, Mapping[str, Any]] = field(default_factory=_none)
    columns: Mapping[str, Mapping[str, ColumnPlan]] = field(default_factory=_none)  # table -> column -> entry
    specs: Mapping[str, TableSpec] = field(default_factory=_none)
    warnings: tuple[str, ...] = ()
    plan_hash: str = ""
    left_out: Mapping[str, str] = field(default_factory=_none)  # table -> why it is not seeded

    def table_plan(self, name: str) -> TablePlan:
        table = self.schema.table(name)
        return self.plan.tables.get(name) or self.plan.tables.get(table.name) or _EMPTY

    def where(self, name: str) -> str:
        return f"{self.source}: tables.{name}"


Pass = Callable[[Planning], Planning]


# -- the passes, in order -------------------------------------------------------------


def fold_partitions(p: Planning) -> Planning:
    """Give each partitioned table the foreign keys declared only on its partitions.

    Rows are loaded through the parent, so its values must satisfy every partition's
    keys (pagila declares payment's foreign keys on the partitions alone).
    """
    schema = p.schema
    tables = []
    changed = False
    for t in schema.tables:
        parts = [q for q in schema.tables if q.partition_of == t.qualified]
        have = {(fk.columns, schema.table(fk.ref_table).qualified) for fk in t.foreign_keys}
        extra = []
        for part in parts:
            for fk in part.foreign_keys:
                key = (fk.columns, schema.table(fk.ref_table).qualified)
                if key not in have and all(t.has_column(c) for c in fk.columns):
                    have.add(key)
                    extra.append(fk)
        if extra:
            t = replace(t, foreign_keys=t.foreign_keys + tuple(extra))
            changed = True
        tables.append(t)
    return replace(p, schema=replace(schema, tables=tuple(tables))) if changed else p


def pick_scale(p: Planning) -> Planning:
    """The seed (option, else the plan's, else 1) and the scale (option, profile, plan, 1.0)."""
    plan, opts = p.plan, p.options
    seed = opts.seed if opts.seed is not None else (plan.seed if plan.seed is not None else 1)
    scale = opts.scale
    if scale is not None and opts.profile is not None:
        raise PlanError("give --scale or --profile, not both")
    if opts.profile is not None:
        profiles = plan.profiles or {"small": 0.01, "medium": 0.1, "large": 1.0}
        if opts.profile not in profiles:
            raise PlanError(
                f"unknown profile {opts.profile!r}",
                where=p.source,
                hint=did_you_mean(opts.profile, profiles) or f"profiles: {', '.join(profiles)}",
            )
        scale = profiles[opts.profile]
    scale = scale if scale is not None else (plan.scale if plan.scale is not None else 1.0)
    if not scale > 0:
        raise PlanError(f"scale must be greater than 0, got {scale}", hint="try --scale 0.1")
    return replace(p, seed=seed, scale=float(scale))


def check_names(p: Planning) -> Planning:
    """Every table and column the plan names exists (with a did-you-mean when not)."""
    for tname, tplan in p.plan.tables.items():
        try:
            table = p.schema.table(tname)
        except SeedbedError as err:
            err.where = f"{p.source}: tables"
            raise
        for cname in tplan.columns:
            if not table.has_column(cname):
                raise PlanError(
                    f"table {table.qualified!r} has no column {cname!r}",
                    where=f"{p.source}: tables.{tname}.columns",
                    hint=did_you_mean(cname, [c.name for c in table.columns])
                    or f"its columns are: {', '.join(c.name for c in table.columns)}",
                )
    return p


def order_tables(p: Planning) -> Planning:
    """The tables to seed (all but ``skip: true``), parents first; cycles cut."""
    plan = p.plan
    schema, by_trigger = left_to_triggers(p.schema)
    chosen = [
        t.qualified
        for t in schema.tables
        if not plan.tables.get(t.qualified, _EMPTY).skip and not plan.tables.get(t.name, _EMPTY).skip
        and t.qualified not in by_trigger
    ]  # fmt: skip
    chosen, left_out = exclude(schema, chosen, p.options.left_out)
    order, cuts = load_order(schema, chosen)
    notes = tuple(f"{t}: not seeded: {why}" for t, why in by_trigger.items())
    return replace(p, schema=schema, order=tuple(order), cuts=tuple(cuts), left_out=MappingProxyType(left_out),
                   warnings=p.warnings + notes)  # fmt: skip


def infer_tables(p: Planning) -> Planning:
    """What inference proposes for each table: its rows and every column's entry."""
    default_rows = p.options.rows if p.options.rows is not None else p.plan.default_rows
    inferred: dict[str, Inferred] = {}
    warnings = list(p.warnings)
    for name in p.order:
        found = infer_table(p.schema, p.schema.table(name), default_rows, uniform=p.options.rows is not None)
        inferred[name] = found
        warnings += found.warnings
    return replace(p, inferred=MappingProxyType(inferred), warnings=tuple(warnings))


def lay_out_rows(p: Planning) -> Planning:
    """Each table's rows: a flat (scaled) count, or a total or a number each per parent row."""
    layouts = {name: _layout(p, name) for name in p.order}
    return replace(p, layouts=MappingProxyType(layouts))


def choose_columns(p: Planning) -> Planning:
    """Each column's entry: the table's DAG edges, else the plan's, else the inferred one.

    A NOT NULL column that nothing fills (no default, not numbered by the database) is an
    error here; so is a plan entry for a column the database computes.
    """
    out: dict[str, Mapping[str, ColumnPlan]] = {}
    for name in p.order:
        table = p.schema.table(name)
        tplan = p.table_plan(name)
        edges = _edges(p, table, tplan)
        inferred = p.inferred[name].columns
        nulled = dropped_references(table, p.left_out)
        chosen: dict[str, ColumnPlan] = {}
        for col in table.columns:
            if col.name in nulled:
                continue  # its parent table is left out: NULL
            if col.name in edges:
                chosen[col.name] = ColumnPlan(edges[col.name], "edges")
                continue
            entry, origin = tplan.columns.get(col.name), "plan"
            if entry is None:
                entry, origin = inferred.get(col.name), "inferred"
            if entry is None or (isinstance(entry, dict) and entry.get("default") is True):
                if not col.nullable and col.default is None and not col.identity and col.generated is None:
                    raise PlanError(
                        f"NOT NULL column {col.name!r} of type {col.type.raw or col.type.kind} has no generator",
                        where=p.where(name),
                        hint=f"give it one in the plan: tables.{table.qualified}.columns.{col.name}",
                        table=name,
                    )
                continue
            if col.generated is not None:
                raise PlanError(
                    f"column {col.name!r} is generated by the database and cannot be written", where=p.where(name)
                )
            chosen[col.name] = ColumnPlan(entry, origin)
        out[name] = chosen
    return replace(p, columns=MappingProxyType(out))


def build_specs(p: Planning) -> Planning:
    """Each table's spec: the columns written, the key its rows are found again by, Arrow types."""
    specs: dict[str, TableSpec] = {}
    for name in p.order:
        table = p.schema.table(name)
        columns = dict(p.columns[name])
        written = tuple(c.name for c in table.columns if c.name in columns)
        # a unique constraint before a unique index: an index may be partial (WHERE ...), and
        # a rerun's ON CONFLICT cannot name a partial one's columns alone
        uniques = sorted(table.uniques, key=lambda u: u.index)
        chosen = next(
            (u for u in uniques if all(c in columns and not table.column(c).nullable for c in u.columns)), None
        )
        constraint_key = table.primary_key or (chosen.columns if chosen else ())
        conflict_target = bool(table.primary_key) or (chosen is not None and not chosen.index)
        key = constraint_key or written  # no key: a row is all of its written columns
        missing = [k for k in key if k not in columns]
        if missing:
            raise PlanError(
                f"key column(s) {', '.join(missing)} are not generated",
                where=p.where(name),
                table=name,
                hint="give them a generator so seeded rows can be found again",
            )
        layout = p.layouts[name]
        found = p.inferred[name]
        specs[name] = TableSpec(
            name=table.qualified,
            table=table,
            columns=columns,
            written=written,
            key=tuple(key),
            arrow_schema=pa.schema([pa.field(c, arrow_type(table.column(c).type)) for c in written]),
            rows=layout.get("rows", 0),
            per=layout.get("per"),
            per_fk=layout.get("per_fk"),
            total=layout.get("total"),
            each=layout.get("each"),
            spread=layout.get("spread", "even"),
            key_is_constraint=conflict_target,
            unsure=tuple(found.unsure),
            unread=tuple(found.unread),
        )
    return replace(p, specs=MappingProxyType(specs))


def defer_cut_columns(p: Planning) -> Planning:
    """Keys loaded as NULL and set after: cut cycles, hierarchies by tiers (``deferred.py``)."""
    return replace(p, specs=MappingProxyType(with_deferred(p.specs, p.cuts)))


# what shapes no row (a run's hash stays what it was before mask, tenant and chunk_size existed)
_NOT_DATA = {"seed", "scale", "description", "mask", "tenant", "chunk_size"}


def hash_plan(p: Planning) -> Planning:
    """Hash of what determines the data besides seed and scale: schema and plan file."""
    body = json.dumps(
        {
            "schema": [asdict(t) for t in p.schema.tables],
            "enums": [asdict(e) for e in p.schema.enums],
            "plan": p.plan.model_dump(
                mode="json", exclude=_NOT_DATA | ({"machines"} if not p.plan.machines else set())
            ),
        },
        sort_keys=True,
        default=str,
    )
    return replace(p, plan_hash=hashlib.sha256(body.encode()).hexdigest()[:16])


PASSES: tuple[Pass, ...] = (
    fold_partitions,
    pick_scale,
    check_names,
    order_tables,
    infer_tables,
    lay_out_rows,
    choose_columns,
    build_specs,
    defer_cut_columns,
    hash_plan,
)


# -- helpers ---------------------------------------------------------------------------


def _layout(p: Planning, name: str) -> dict[str, Any]:
    table = p.schema.table(name)
    tplan = p.table_plan(name)
    where = p.where(name)
    rows = tplan.rows
    if tplan.count is not None:
        if rows is not None:
            raise PlanError("give rows or count, not both", where=where)
        parent = next((fk for fk in table.foreign_keys if not table.column(fk.columns[0]).nullable
                       and fk.ref_table != table.qualified), None)  # fmt: skip
        rows = PerParent(per=parent.columns[0], total=tplan.count) if parent is not None else tplan.count
    if rows is None:
        inferred = p.inferred[name].rows
        rows = PerParent(**inferred) if isinstance(inferred, dict) else inferred
    if isinstance(rows, int):
        return {"rows": scaled(rows, p.scale) if tplan.scaled else rows}
    assert isinstance(rows, PerParent)
    per_fk = None
    # per a column: its foreign key, one-column or the first column of a composite one
    fk = (
        table.fk_for(rows.per) or next((f for f in table.foreign_keys if f.columns[0] == rows.per), None)
        if table.has_column(rows.per)
        else None
    )
    if fk is not None:
        per_fk = rows.per
        per = p.schema.table(fk.ref_table).qualified
    else:
        per = p.schema.table(rows.per).qualified
        fks = [
            f.columns[0]
            for f in table.foreign_keys
            if len(f.columns) == 1 and p.schema.table(f.ref_table).qualified == per
        ]
        per_fk = fks[0] if len(fks) == 1 else None
    if (rows.total is None) == (rows.each is None):
        raise PlanError("rows per parent needs exactly one of total or each", where=where + ".rows")
    total = None if rows.total is None else (scaled(rows.total, p.scale) if rows.scaled else rows.total)
    return {"per": per, "per_fk": per_fk, "total": total, "each": rows.each, "spread": rows.spread}


def _edges(p: Planning, table: Table, tplan: TablePlan) -> dict[str, Any]:
    """``edges: {from: A, to: B, within: GROUP_COLUMN}``: DAG edges inside each group, as
    one ``edge`` entry per end."""
    if not tplan.edges:
        return {}
    where = p.where(table.qualified)
    e = tplan.edges
    unknown = set(e) - {"from", "to", "within", "order_by"}
    if unknown or "from" not in e or "to" not in e:
        raise PlanError("edges needs {from: COLUMN, to: COLUMN, within: COLUMN}", where=where + ".edges")
    fk_from, fk_to = table.fk_for(e["from"]), table.fk_for(e["to"])
    if fk_from is None or fk_to is None or fk_from.ref_table != fk_to.ref_table:
        raise PlanError("edges.from and edges.to must be foreign keys to the same table", where=where)
    target = p.schema.table(fk_from.ref_table)
    within = e.get("within")
    group_fk = target.fk_for(within) if within else None
    per = p.layouts[table.qualified].get("per")
    if group_fk is None or per != p.schema.table(group_fk.ref_table).qualified:
        raise PlanError(
            f"edges.within must be a foreign key of {target.qualified} to the table this one is laid out per",
            where=where,
            hint="e.g. rows: {per: projects, total: N} with edges.within: project_id",
        )
    out = {}
    for end in ("from", "to"):
        col = table.column(e[end])
        out[col.name] = {
            "edge": {"end": end, "key": e["from"], "target": target.qualified, "column": fk_from.ref_columns[0]}
        }
    return out


def _run_token(seed: int | str) -> str:
    return hashlib.blake2b(str(seed).encode(), digest_size=4).hexdigest()


def template_params(p: Planning) -> dict[str, Any]:
    """What ``{seed}``, ``{scale}`` and ``{run}`` stand for in templates."""
    return {"seed": p.seed, "scale": p.scale, "run": _run_token(p.seed)}


__all__ = ["PASSES", "Options", "Pass", "Planning", "template_params"]
