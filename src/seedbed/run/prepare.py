"""A run's plan, ready to generate: resolved, sized, checked; the schema as the server sees it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from seedbed import dialects
from seedbed.dialects.names import short_name, split_name
from seedbed.engine import Context, probe
from seedbed.errors import PlanError, SchemaError, SeedbedError, TablesLeftOut
from seedbed.generate.generators.basic import Sequence
from seedbed.planning.resolved import ResolvedPlan
from seedbed.run.options import SeedOptions
from seedbed.run.source import Source, resolve
from seedbed.schema.model import Schema
from seedbed.sinks.base import Sink
from seedbed.sinks.manifest import Manifest


def plan_for(
    source: Source,
    opts: SeedOptions,
    schema: Schema | None = None,
    bases: dict[str, int] | None = None,
    check: bool = True,
    left_out: dict[str, str] | None = None,
) -> tuple[ResolvedPlan, Context]:
    """Resolve the plan and size every table; raises before anything is written.

    ``check`` also generates a few rows of every table (``probe``); ``seed`` asks for that
    only once it knows it will write, so a rerun of a completed run skips it.

    A table inference cannot fill is left out (``plan.left_out`` says why), with the
    tables that need its rows, and planning starts again without them: one table never
    stops the others. A table the plan file itself describes is not left out: its
    error is the plan's to fix, and it is raised."""
    gone = dict(left_out or {})
    while True:
        try:
            return _plan_for(source, opts, schema, bases, check, gone)
        except TablesLeftOut as err:
            _leave_out(source, err.failures, gone)
        except PlanError as err:
            if err.table is None:
                raise
            _leave_out(source, {err.table: err}, gone)


def checked(
    source: Source, opts: SeedOptions, plan: ResolvedPlan, ctx: Context, schema: Schema | None = None
) -> tuple[ResolvedPlan, Context]:
    """``probe`` the plan, leaving out the tables that fail (and planning again without them)."""
    try:
        probe(ctx)
        return plan, ctx
    except TablesLeftOut as err:
        gone = dict(plan.left_out)
        _leave_out(source, err.failures, gone)
        return plan_for(source, opts, schema, ctx.bases, check=True, left_out=gone)


def _leave_out(source: Source, failures: dict[str, SeedbedError], gone: dict[str, str]) -> None:
    described = set(source.plan.tables)
    for table, err in failures.items():
        if table in gone or table in described or short_name(table) in described:
            raise err
        gone[table] = err.message + (f" ({err.hint})" if err.hint else "")


def _plan_for(
    source: Source,
    opts: SeedOptions,
    schema: Schema | None,
    bases: dict[str, int] | None,
    check: bool,
    left_out: dict[str, str],
) -> tuple[ResolvedPlan, Context]:
    if opts.overrides:
        from seedbed.planning.overrides import apply

        source = replace(source, plan=apply(source.plan, opts.overrides))
    plan = resolve(
        source,
        schema,
        seed=opts.seed,
        scale=opts.scale,
        profile=opts.profile,
        rows=opts.rows,
        locale=opts.locale,
        left_out=left_out,
        anchor=opts.anchor,
    )
    if opts.tables:
        plan = replace(plan, only=asked_tables(plan, opts.tables))
    if opts.grow is not None:  # an increment writes the tables that grow, and no other
        plan = replace(plan, only=frozenset(plan.table(t).name for t in opts.grow))
    limit, whose = _row_limit(plan, opts)
    asked = _upper_bound(plan)
    if asked > limit:  # refused before laying anything out: a layout per parent row costs memory
        raise PlanError(
            f"the plan asks for about {asked:,} rows, above the limit of {limit:,} rows ({whose})",
            where=source.name,
            hint=f"lower --scale or --rows, or allow it with --max-rows {asked}",
        )
    chunk = min(opts.chunk_size, plan.source.chunk_size or opts.chunk_size)
    offsets, earlier = _after_earlier(source, opts, plan, left_out) if opts.earlier else (None, None)
    ctx = Context(plan, chunk_size=chunk, bases=bases, increment=opts.increment, offsets=offsets, earlier=earlier)
    _capped(plan, ctx, _asked_for(source, opts))
    total = sum(ctx.rows(t) for t in plan.written)
    if total > limit:
        raise PlanError(
            f"the plan makes {total:,} rows, above the limit of {limit:,} rows ({whose})",
            where=source.name,
            hint=f"lower --scale or --rows, or allow it with --max-rows {total}",
        )
    if total > plan.limits.warn_total_rows:
        plan.warnings.append(
            f"large dataset: {total:,} rows, over the {plan.limits.warn_total_rows:,} rows that warn "
            "(limits.warn_total_rows in the plan)"
        )
    if check:
        probe(ctx)
    return plan, ctx


def _after_earlier(
    source: Source, opts: SeedOptions, plan: ResolvedPlan, left_out: dict[str, str]
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """What the increments before this one wrote: per table laid out per a parent that
    does not grow, the rows each parent row got (its new rows are numbered after them); per
    table, the rows in all (its rows' indices count on from there)."""
    fixed_parent = [t for t in plan.written if plan.tables[t].per and plan.tables[t].per not in plan.written]
    out: dict[str, np.ndarray] = {}
    rows: dict[str, int] = {}
    for scale, k, grown in opts.earlier or ():
        step = replace(opts, scale=scale, profile=None, increment=k, grow=grown, earlier=None)
        before, ctx = _plan_for(source, step, None, None, False, dict(left_out))
        for t in plan.written:
            rows[t] = rows.get(t, 0) + (ctx.rows(t) if t in before.written else 0)
        for t in fixed_parent:
            counts = ctx.layout(t).counts if t in before.written else None
            if counts is not None:
                out[t] = out[t] + counts if t in out else counts.copy()
    return out, rows


DEFAULT_MAX_ROWS = 50_000_000  # a run asks for more only when told to: a typo in --scale costs hours


def _row_limit(plan: ResolvedPlan, opts: SeedOptions) -> tuple[int, str]:
    if opts.max_rows is not None:
        return opts.max_rows, "--max-rows"
    if plan.limits.max_total_rows is not None:
        return plan.limits.max_total_rows, "the plan's limits.max_total_rows"
    return DEFAULT_MAX_ROWS, "seedbed's default"


def _upper_bound(plan: ResolvedPlan) -> int:
    """The rows the plan asks for, before any cap: a flat table's count, a per-parent one's
    total, or its number each times its parent's (parents come first in the order)."""
    est: dict[str, int] = {}
    for name in plan.order:
        spec = plan.table(name)
        if spec.per is None:
            est[name] = spec.rows
        elif spec.each is not None:
            est[name] = spec.each * est.get(spec.per, 0)
        else:
            est[name] = spec.total or 0
    return sum(est.values())


def _asked_for(source: Source, opts: SeedOptions) -> set[str] | None:
    """The tables whose row count the user gave (None: every table, with --rows)."""
    if opts.rows is not None:
        return None
    return {name for name, t in source.plan.tables.items() if t.rows is not None}


def _capped(plan: ResolvedPlan, ctx: Context, asked: set[str] | None) -> None:
    """Flat tables that get fewer rows than planned. Rows the user asked for that the key's
    type cannot count to are an error (they cannot exist); a count seedbed chose itself is
    capped with a warning, and so is one a column with too few distinct values (a unique
    boolean, distinct picks among few parents) cannot reach."""
    for name in plan.order:
        spec = ctx.spec(name)
        if spec.per is not None or name in plan.left_out or ctx.rows(name) >= spec.rows:
            continue
        made = ctx.rows(name)
        for column, gen in ctx.generators[name].items():
            cap = gen.flat_capacity(ctx)
            if cap is None or cap >= spec.rows:
                continue
            if isinstance(gen, Sequence) and (asked is None or name in asked or short_name(name) in asked):
                kind = spec.table.column(column).type.kind
                raise PlanError(
                    f"{spec.rows:,} rows asked for, but its {kind} key {column} holds only {cap:,} values",
                    where=name,
                    hint=f"ask for at most {cap:,} rows of {name} (rows: in the plan, or a lower --scale), "
                    "or widen the key's type",
                )
            why = "its key's type counts no further" if isinstance(gen, Sequence) else "it has no more distinct values"
            plan.warnings.append(f"{name}: {made:,} rows of the {spec.rows:,} planned: {column}: {why}")
            break


def for_server(sink: Sink, source: Source) -> Source:
    """The source's schema as this server sees it: reflected when there is no DDL, and the
    DDL reread in the server's flavour (MariaDB skips some MySQL version comments)."""
    if source.schema is None:
        return source.with_schema(sink.reflect())
    if source.ddl is not None and source.ddl_dialect:
        from seedbed import dialects

        read = dialects.get(source.ddl_dialect)
        flavour = sink.flavour
        if read.family == flavour.family and read.name != flavour.name:
            from seedbed.schema.ddl import parse_ddl

            return replace(source, schema=parse_ddl(source.ddl, flavour))
    return source


def key_bases(sink: Sink, plan: ResolvedPlan, ctx: Context) -> dict[str, int]:
    """Where this run's keys start in each table: after the largest integer key there,
    and after the rows other runs planned, so runs never reuse each other's keys."""
    others: dict[str, int] = {}
    for m in sink.manifests.records():
        for t, rec in m.get("tables", {}).items():
            others[t] = others.get(t, 0) + int(rec.get("planned", 0))
    bases = {}
    for name in plan.order:
        base = max(others.get(name, 0), largest_key(sink, ctx, name))
        if base:
            bases[name] = base
    return bases


def largest_key(sink: Sink, ctx: Context, name: str) -> int:
    """The largest integer key in ``name`` now (0 without one)."""
    spec = ctx.spec(name)
    if len(spec.key) == 1 and spec.table.column(spec.key[0]).type.kind in ("smallint", "int", "bigint"):
        column = sink.dialect.quote(spec.key[0])
        table = ".".join(sink.dialect.quote(p) for p in split_name(spec.name))
        return max(int(sink.scalar(f"SELECT max({column}) FROM {table}") or 0), 0)
    return 0


def asked_tables(plan: ResolvedPlan, names: tuple[str, ...]) -> frozenset[str]:
    """The tables ``names`` (as the plan or the schema names them) and every table they refer
    to, near or far: their rows must be there for the asked ones' references to hold."""
    keep: set[str] = set()
    todo = [plan.table(n).name for n in names]  # an unknown name raises with a did-you-mean
    while todo:
        t = todo.pop()
        if t in keep or t not in plan.tables:
            continue
        keep.add(t)
        todo += [fk.ref_table for fk in plan.schema.table(t).foreign_keys]
    return frozenset(keep)


def prepare_schema(sink: Sink, source: Source, opts: SeedOptions) -> None:
    """Create the source's schema in the target when asked (or for a recipe, when absent)."""
    if source.schema is None:
        return
    wanted = [t.qualified for t in source.schema.tables]
    existing = sink.existing_tables({t.schema for t in source.schema.tables})
    missing = [t for t in wanted if t not in existing]
    if not missing:
        return
    create = opts.create_schema if opts.create_schema is not None else source.create_by_default
    if not create or source.ddl is None:
        raise SchemaError(
            f"{len(missing)} table(s) of {source.name!r} are missing in {sink.safe_url}: {', '.join(missing[:5])}",
            hint="add --create-schema to create them",
        )
    if len(missing) != len(wanted) and opts.create_schema is None:
        raise SchemaError(
            f"only some tables of {source.name!r} exist in {sink.safe_url} (missing: {', '.join(missing[:5])})",
            hint="create the rest with --create-schema, or use an empty database",
        )
    from seedbed.schema.ddl import transpile_ddl

    read = dialects.get(source.ddl_dialect or "postgres")
    if read.family == sink.flavour.family:
        read = sink.flavour  # the server's own reading of version comments
    sink.execute(transpile_ddl(source.ddl, read=read, write=sink.flavour), skip_existing=True)


def restore_indexes(sink: Sink, m: Manifest) -> None:
    """Rebuild what a run of an earlier version dropped for its load and recorded in its
    manifest (a run now drops and rebuilds inside each table's transaction), and clear
    them from the manifest in the same transaction."""
    statements = [stmt for stmts in m.pending_ddl.values() for stmt in stmts]
    # every key and index first, then the foreign keys that may lean on them
    statements.sort(key=lambda sql: 1 if "FOREIGN KEY" in sql else 0)
    with sink.transaction():
        sink.execute(statements, skip_existing=True)  # one that is there already (the drop never happened) stays
        sink.manifests.save({**m.to_dict(), "pending_ddl": {}})
    m.pending_ddl.clear()
