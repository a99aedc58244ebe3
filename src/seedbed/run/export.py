"""Export a plan's data to files, with no database at all."""

from __future__ import annotations

from pathlib import Path

from seedbed.errors import PlanError
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.source import Source
from seedbed.sinks.files import write_table


def export(source: Source, opts: SeedOptions, out: Path, fmt: str, target: str | None = None) -> dict[str, Path]:
    """Write every table of the plan to ``out`` as ``fmt`` files; paths per table. ``sql``:
    INSERT statements for the ``target`` database (default: the dialect of the DDL), one
    file per table, named in load order (``001_clients.sql``) so they run as listed."""
    if source.schema is None:
        raise PlanError("export needs a schema", hint="give --recipe, or --ddl with --dialect")
    if out.exists() and not out.is_dir():
        raise PlanError(f"{out} is a file, not a folder", where=str(out), hint="give --out a folder (it is created)")
    plan, ctx = plan_for(source, opts)
    paths = {}
    if fmt == "sql":
        from seedbed import dialects
        from seedbed.run.cycles import nulled
        from seedbed.sinks.sqlfile import write_sql, write_updates

        d = dialects.get(target or source.ddl_dialect or "postgres")
        out.mkdir(parents=True, exist_ok=True)
        later = []
        for i, name in enumerate(plan.order, 1):
            spec = ctx.spec(name)
            table = d.quoted(spec.table.schema, spec.table.name)
            path = out / f"{i:03d}_{spec.table.name}.sql"
            # keys whose rows may come later (a cycle's cut key, a hierarchy): NULL here, set at the end
            paths[name] = write_sql(table, spec.arrow_schema, nulled(ctx.batches(name), spec.deferred), path, d)
            if spec.deferred:
                later.append((table, spec))
        if later:
            path = out / f"{len(plan.order) + 1:03d}_set_after.sql"
            write_updates([(t, s.key, s.deferred, ctx.batches(s.name)) for t, s in later], path, d)
        return paths
    for name in plan.order:
        spec = ctx.spec(name)
        paths[name] = write_table(name, spec.arrow_schema, ctx.batches(name), out, fmt)
    return paths


def export_parts(
    source: Source,
    opts: SeedOptions,
    out: str,
    fmt: str,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    part_rows: int | None,
) -> dict[str, list[str]]:
    """Every table as one file per range of ``part_rows`` rows under ``out`` (a path or an
    fsspec URL), written here or by a Dask cluster: the same files either way."""
    import fsspec

    from seedbed.run import engines
    from seedbed.run.ranges import PART_ROWS, Job, ranges, write_part

    engines.check(engine)
    if fmt not in ("parquet", "csv"):
        raise PlanError(f"files per range are Parquet or CSV, not {fmt!r}", hint="--format parquet or csv")
    if source.schema is None:
        raise PlanError("export needs a schema", hint="give --recipe, or --ddl with --dialect")
    plan, ctx = plan_for(source, opts)
    job = Job.of(source, opts, dict(plan.left_out))
    size = part_rows or PART_ROWS
    if engine == "dask":
        from seedbed.run import dask_engine

        with dask_engine.client(scheduler, workers) as c:
            return dask_engine.export(job, ctx, out, fmt, size, c)
    fs, root = fsspec.core.url_to_fs(out)
    return {t: [write_part(job, t, a, b, fs, root, fmt)[0] for a, b in ranges(ctx.rows(t), size)] for t in plan.order}
