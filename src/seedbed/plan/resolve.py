"""From (schema, plan file, options) to a validated ``ResolvedPlan``, in ordered passes.

1. check that every table and column the plan names exists;
2. pick the scale (option, profile, plan, 1.0);
3. order the tables by foreign keys;
4. lay out each table's rows (flat count, or a total spread per parent);
5. choose each column's generator (the plan's, else the inferred one);
6. attach DAG edges and compute the plan hash.

Everything is validated here, before any write; errors name the plan file, the
table and the column.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from typing import Any

import pyarrow as pa

from seedbed.errors import PlanError, SeedbedError, did_you_mean
from seedbed.generate.coerce import arrow_type
from seedbed.generate.generators.base import BuildInfo
from seedbed.generate.generators.refs import EdgeEnd
from seedbed.generate.generators.registry import build
from seedbed.generate.sizing import scaled
from seedbed.generate.timeutil import to_micros
from seedbed.plan.infer import infer_table
from seedbed.plan.model import PerParent, PlanFile, TablePlan
from seedbed.plan.resolved import ResolvedPlan, TableSpec
from seedbed.schema.model import Schema, Table
from seedbed.schema.order import load_order


def resolve_plan(
    schema: Schema,
    plan: PlanFile | None = None,
    *,
    seed: int | str | None = None,
    scale: float | None = None,
    profile: str | None = None,
    rows: int | None = None,
    locale: str | None = None,
    source: str = "plan",
) -> ResolvedPlan:
    """Validate and compile a plan against ``schema``. Raises ``PlanError``."""
    plan = plan or PlanFile()
    schema = fold_partitions(schema)
    seed = seed if seed is not None else (plan.seed if plan.seed is not None else 1)
    scale = _pick_scale(plan, scale, profile, source)
    _check_names(schema, plan, source)
    chosen = [
        t.qualified
        for t in schema.tables
        if not plan.tables.get(t.qualified, _EMPTY).skip and not plan.tables.get(t.name, _EMPTY).skip
    ]
    order, cuts = load_order(schema, chosen)
    deferred = {}
    for cut in cuts:
        if cut.method == "update":
            deferred.setdefault(cut.table, []).extend(cut.fk.columns)
    params = {"seed": seed, "scale": scale, "run": _run_token(seed)}
    anchor_us = to_micros(plan.anchor)
    default_rows = rows if rows is not None else plan.default_rows
    specs: dict[str, TableSpec] = {}
    warnings: list[str] = []
    for name in order:
        table = schema.table(name)
        tplan = plan.tables.get(name) or plan.tables.get(table.name) or _EMPTY
        specs[name] = _table_spec(
            schema,
            table,
            tplan,
            scale,
            default_rows,
            anchor_us,
            locale or plan.locale,
            params,
            source,
            warnings,
            rows is not None,
        )
    for name, cols in deferred.items():
        specs[name] = replace(specs[name], deferred=tuple(c for c in specs[name].written if c in cols))
    digest = _plan_hash(schema, plan)
    return ResolvedPlan(
        name=plan.name or "plan",
        seed=seed,
        scale=scale,
        anchor_us=anchor_us,
        locale=locale or plan.locale,
        schema=schema,
        tables=specs,
        order=order,
        checks=list(plan.checks),
        limits=plan.limits,
        plan_hash=digest,
        source=plan,
        warnings=warnings,
        cuts=cuts,
    )


_EMPTY = TablePlan()


def fold_partitions(schema: Schema) -> Schema:
    """Give each partitioned table the foreign keys declared only on its partitions.

    Rows are loaded through the parent, so its values must satisfy every partition's
    keys (pagila declares payment's foreign keys on the partitions alone).
    """
    tables = []
    changed = False
    for t in schema.tables:
        parts = [p for p in schema.tables if getattr(p, "partition_of", None) == t.qualified]
        have = {(fk.columns, schema.table(fk.ref_table).qualified) for fk in t.foreign_keys}
        extra = []
        for p in parts:
            for fk in p.foreign_keys:
                key = (fk.columns, schema.table(fk.ref_table).qualified)
                if key not in have and all(t.has_column(c) for c in fk.columns):
                    have.add(key)
                    extra.append(fk)
        if extra:
            t = replace(t, foreign_keys=t.foreign_keys + tuple(extra))
            changed = True
        tables.append(t)
    return replace(schema, tables=tuple(tables)) if changed else schema


def _pick_scale(plan: PlanFile, scale: float | None, profile: str | None, source: str) -> float:
    if scale is not None and profile is not None:
        raise PlanError("give --scale or --profile, not both")
    if profile is not None:
        profiles = plan.profiles or {"small": 0.01, "medium": 0.1, "large": 1.0}
        if profile not in profiles:
            raise PlanError(
                f"unknown profile {profile!r}",
                where=source,
                hint=did_you_mean(profile, profiles) or f"profiles: {', '.join(profiles)}",
            )
        scale = profiles[profile]
    scale = scale if scale is not None else (plan.scale if plan.scale is not None else 1.0)
    if not scale > 0:
        raise PlanError(f"scale must be greater than 0, got {scale}", hint="try --scale 0.1")
    return float(scale)


def _check_names(schema: Schema, plan: PlanFile, source: str) -> None:
    for tname, tplan in plan.tables.items():
        try:
            table = schema.table(tname)  # raises with a did-you-mean
        except SeedbedError as err:
            err.where = f"{source}: tables"
            raise
        for cname in tplan.columns:
            if not table.has_column(cname):
                raise PlanError(
                    f"table {table.qualified!r} has no column {cname!r}",
                    where=f"{source}: tables.{tname}.columns",
                    hint=did_you_mean(cname, [c.name for c in table.columns])
                    or f"its columns are: {', '.join(c.name for c in table.columns)}",
                )


def _layout(
    schema: Schema, table: Table, tplan: TablePlan, scale: float, inferred_rows: Any, where: str
) -> dict[str, Any]:
    rows = tplan.rows
    if rows is None:
        rows = PerParent(**inferred_rows) if isinstance(inferred_rows, dict) else inferred_rows
    if isinstance(rows, int):
        return {"rows": scaled(rows, scale) if tplan.scaled else rows}
    assert isinstance(rows, PerParent)
    per_fk = None
    if table.has_column(rows.per) and table.fk_for(rows.per):
        per_fk = rows.per
        per = schema.table(table.fk_for(rows.per).ref_table).qualified
    else:
        per = schema.table(rows.per).qualified
        fks = [
            fk.columns[0]
            for fk in table.foreign_keys
            if len(fk.columns) == 1 and schema.table(fk.ref_table).qualified == per
        ]
        per_fk = fks[0] if len(fks) == 1 else None
    if (rows.total is None) == (rows.each is None):
        raise PlanError("rows per parent needs exactly one of total or each", where=where + ".rows")
    total = None if rows.total is None else (scaled(rows.total, scale) if rows.scaled else rows.total)
    return {"per": per, "per_fk": per_fk, "total": total, "each": rows.each, "spread": rows.spread}


def _table_spec(
    schema: Schema,
    table: Table,
    tplan: TablePlan,
    scale: float,
    default_rows: int,
    anchor_us: int,
    locale: str,
    params: dict[str, Any],
    source: str,
    warnings: list[str],
    uniform_rows: bool,
) -> TableSpec:
    where = f"{source}: tables.{table.qualified}"
    inferred = infer_table(schema, table, default_rows, uniform=uniform_rows)
    warnings.extend(inferred.warnings)
    layout = _layout(schema, table, tplan, scale, inferred.rows, where)
    per, per_fk = layout.get("per"), layout.get("per_fk")
    edges = _edges(schema, table, tplan, per, where)
    gens: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for col in table.columns:
        if col.name in edges:
            gens[col.name] = edges[col.name]
            origin[col.name] = "edges"
            continue
        entry = tplan.columns.get(col.name)
        how = "plan"
        if entry is None:
            entry, how = inferred.columns.get(col.name), "inferred"
        if entry is None or (isinstance(entry, dict) and entry.get("default") is True):
            if not col.nullable and col.default is None and not col.identity and col.generated is None:
                raise PlanError(
                    f"NOT NULL column {col.name!r} of type {col.type.raw or col.type.kind} has no generator",
                    where=where,
                    hint=f"give it one in the plan: tables.{table.qualified}.columns.{col.name}",
                )
            continue
        if col.generated is not None:
            raise PlanError(f"column {col.name!r} is generated by the database and cannot be written", where=where)
        info = BuildInfo(
            schema=schema,
            table=table,
            column=col,
            anchor_us=anchor_us,
            locale=locale,
            per=per,
            per_fk=per_fk,
            params=params,
        )
        try:
            gens[col.name] = build(entry, info)
        except PlanError as err:
            if err.where and not err.where.startswith(source):
                err.where = f"{source}: {err.where}"
            raise
        origin[col.name] = how
    written = tuple(c.name for c in table.columns if c.name in gens)
    constraint_key = table.primary_key or next(
        (u.columns for u in table.uniques if all(c in gens and not table.column(c).nullable for c in u.columns)), ()
    )
    key = constraint_key or written  # no key: a row is all of its written columns
    missing = [k for k in key if k not in gens]
    if missing:
        raise PlanError(
            f"key column(s) {', '.join(missing)} are not generated",
            where=where,
            hint="give them a generator so seeded rows can be found again",
        )
    arrow_schema = pa.schema([pa.field(c, arrow_type(table.column(c).type)) for c in written])
    return TableSpec(
        name=table.qualified,
        table=table,
        columns=gens,
        written=written,
        key=tuple(key),
        arrow_schema=arrow_schema,
        rows=layout.get("rows", 0),
        per=per,
        per_fk=per_fk,
        total=layout.get("total"),
        each=layout.get("each"),
        spread=layout.get("spread", "even"),
        sources=origin,
        key_is_constraint=bool(constraint_key),
    )


def _edges(schema: Schema, table: Table, tplan: TablePlan, per: str | None, where: str) -> dict[str, Any]:
    """``edges: {from: A, to: B, within: GROUP_COLUMN}``: DAG edges inside each group."""
    if not tplan.edges:
        return {}
    e = tplan.edges
    unknown = set(e) - {"from", "to", "within", "order_by"}
    if unknown or "from" not in e or "to" not in e:
        raise PlanError("edges needs {from: COLUMN, to: COLUMN, within: COLUMN}", where=where + ".edges")
    fk_from, fk_to = table.fk_for(e["from"]), table.fk_for(e["to"])
    if fk_from is None or fk_to is None or fk_from.ref_table != fk_to.ref_table:
        raise PlanError("edges.from and edges.to must be foreign keys to the same table", where=where)
    target = schema.table(fk_from.ref_table)
    within = e.get("within")
    group_fk = target.fk_for(within) if within else None
    if group_fk is None or per != schema.table(group_fk.ref_table).qualified:
        raise PlanError(
            f"edges.within must be a foreign key of {target.qualified} to the table this one is laid out per",
            where=where,
            hint="e.g. rows: {per: projects, total: N} with edges.within: project_id",
        )
    out = {}
    for end in ("from", "to"):
        col = table.column(e[end])
        gen = EdgeEnd(target.qualified, fk_from.ref_columns[0], end, e["from"], per, None)
        info = BuildInfo(schema=schema, table=table, column=col, anchor_us=0, locale="en_US", per=per, per_fk=None)
        gen.setup(info, {})
        out[col.name] = gen
    return out


def _run_token(seed: int | str) -> str:
    return hashlib.blake2b(str(seed).encode(), digest_size=4).hexdigest()


def _plan_hash(schema: Schema, plan: PlanFile) -> str:
    """Hash of what determines the data besides seed and scale: schema and plan."""
    body = json.dumps(
        {
            "schema": [asdict(t) for t in schema.tables],
            "enums": [asdict(e) for e in schema.enums],
            "plan": plan.model_dump(mode="json", exclude={"seed", "scale", "description"}),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()[:16]
