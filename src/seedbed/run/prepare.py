"""A run's plan, ready to generate: resolved, sized, checked; the schema as the server sees it."""

from __future__ import annotations

from dataclasses import replace

from seedbed.engine import Context, probe
from seedbed.errors import PlanError, SeedbedError, TablesLeftOut
from seedbed.planning.resolved import ResolvedPlan
from seedbed.run.options import SeedOptions
from seedbed.run.source import Source, resolve
from seedbed.schema.model import Schema
from seedbed.sinks.base import Sink


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
        if table in gone or table in described or table.split(".")[-1] in described:
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
    plan = resolve(
        source,
        schema,
        seed=opts.seed,
        scale=opts.scale,
        profile=opts.profile,
        rows=opts.rows,
        locale=opts.locale,
        left_out=left_out,
    )
    ctx = Context(plan, chunk_size=opts.chunk_size, bases=bases)
    total = sum(ctx.rows(t) for t in plan.order)
    limit = plan.limits.max_total_rows
    if limit is not None and total > limit:
        raise PlanError(
            f"the plan makes {total:,} rows, above limits.max_total_rows = {limit:,}",
            where=source.name,
            hint="lower --scale or raise the limit in the plan",
        )
    if total > plan.limits.warn_total_rows:
        plan.warnings.append(f"large dataset: {total:,} rows")
    if check:
        probe(ctx)
    return plan, ctx


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
        table = ".".join(sink.dialect.quote(p) for p in spec.name.split("."))
        return max(int(sink.scalar(f"SELECT max({column}) FROM {table}") or 0), 0)
    return 0
