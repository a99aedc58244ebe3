"""Seeding a database: plan, check, create the schema if asked, load table by table.

A run is owned by (plan, seed). A first run appends rows by the bulk path; a rerun
of the same run inserts only the rows that are missing (so a completed run adds 0
and an interrupted one resumes). A different seed is a separate, disjoint run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from seedbed.errors import PlanError, SchemaError, SeedbedError
from seedbed.generate.frame import Context
from seedbed.plan.resolved import ResolvedPlan
from seedbed.run.manifest import Manifest, TableRecord, find_run, now_iso, run_id
from seedbed.run.options import SeedOptions
from seedbed.run.prefetch import prefetch
from seedbed.run.source import Source, resolve

Progress = Callable[[str, int, int, TableRecord], None]


def plan_for(
    source: Source, opts: SeedOptions, schema=None, bases: dict[str, int] | None = None, check: bool = True
) -> tuple[ResolvedPlan, Context]:
    """Resolve the plan and size every table; raises before anything is written.

    ``check`` also generates a few rows of every table (``probe``); ``seed`` asks for that
    only once it knows it will write, so a rerun of a completed run skips it."""
    plan = resolve(
        source, schema, seed=opts.seed, scale=opts.scale, profile=opts.profile, rows=opts.rows, locale=opts.locale
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


def probe(ctx: Context) -> None:
    """Generate the first and last rows of every table, so a generator that fails at run
    time fails here, before anything is written."""
    for name in ctx.plan.order:
        n = ctx.rows(name)
        if n:
            ctx.batch(name, 0, min(n, 2))
            ctx.batch(name, n - 1, n)


def prepare_schema(sink, source: Source, opts: SeedOptions) -> None:
    """Create the source's schema in the target when asked (or for a recipe, when absent)."""
    if source.schema is None:
        return
    wanted = [t.qualified for t in source.schema.tables]
    existing = set()
    for schema_name in {t.schema for t in source.schema.tables}:
        existing |= sink.existing_tables(schema_name)
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

    read = source.ddl_dialect or "postgres"
    write = sink.ddl_flavour(sink.sqlglot_dialect)
    if read == "mysql":
        read = sink.ddl_flavour(read)  # the server's own reading of version comments
    sink.execute_ddl(transpile_ddl(source.ddl, read=read, write=write))


def seed(sink, source: Source, opts: SeedOptions | None = None, progress: Progress | None = None) -> Manifest:
    """Seed ``sink`` from ``source``; returns the run's manifest (also saved in the database)."""
    opts = opts or SeedOptions()
    source = for_server(sink, source)
    plan, ctx = plan_for(source, opts, check=False)
    previous = find_run(sink, plan.name, plan.seed)
    if previous is not None and (previous.scale != plan.scale or previous.plan_hash != plan.plan_hash):
        what = "scale " + str(previous.scale) if previous.scale != plan.scale else "another version of the plan"
        raise PlanError(
            f"seed {plan.seed} of {plan.name!r} is already in this database with {what}",
            hint=f"purge it first (seedbed purge ... --seed {plan.seed}) or use another --seed",
        )
    t0 = time.perf_counter()
    if _completed_and_intact(sink, ctx, previous, opts):
        return _skip(sink, source, plan, previous, opts, t0)
    probe(ctx)
    prepare_schema(sink, source, opts)
    merge = previous is not None
    if previous is not None and previous.pending_ddl:
        restore_indexes(sink, previous)
    order, fed = _after_triggers(plan.order, sink.trigger_feeds())
    bases = previous.bases if previous is not None else key_bases(sink, plan, ctx)
    ctx = Context(plan, chunk_size=opts.chunk_size, bases=bases)
    m = Manifest(
        run_id=run_id(plan.name, plan.seed),
        plan=plan.name,
        seed=plan.seed,
        scale=plan.scale,
        plan_hash=plan.plan_hash,
        database=sink.safe_url,
        bases=bases,
        cuts=[c.describe() for c in plan.cuts],
    )
    m.tables = {t: TableRecord(planned=ctx.rows(t), mode="merge" if merge else "copy") for t in plan.order}
    if previous is not None:
        m.started_at = previous.started_at
    sink.save_manifest(m.to_dict())
    try:
        unchecked = any(c.method == "checks_off" for c in plan.cuts)
        with sink.checks_off() if unchecked else contextlib.nullcontext():
            for i, name in enumerate(order, 1):
                rec = m.tables[name]
                spec = ctx.spec(name)
                t1 = time.perf_counter()
                # a table that triggers also fill gets only the rows they did not make
                batches = prefetch(_nulled(ctx.batches(name), spec.deferred))
                table_merge = merge or name in fed
                deferred_ddl = None if table_merge else sink.index_ddl_to_defer(spec)
                if deferred_ddl:  # the drop and its record commit together: a kill leaves both or neither
                    m.pending_ddl[name] = deferred_ddl[1]
                    with sink.transaction():
                        sink.save_manifest(m.to_dict())
                        sink.run_ddl(deferred_ddl[0])
                sink.load_path = ""
                rec.inserted = sink.load(spec, batches, merge=table_merge)
                rec.path = sink.load_path
                sink.after_load(spec)
                rec.seconds = round(time.perf_counter() - t1, 3)
                if progress:
                    progress(name, i, len(order), rec)
            _set_deferred(sink, ctx)
        if m.pending_ddl:  # indexes and keys dropped for the load: rebuilt (and validated) now
            t1 = time.perf_counter()
            restore_indexes(sink, m)
            m.index_seconds = round(time.perf_counter() - t1, 3)
        _check_cuts(sink, ctx)
        _remember_for_rerun(sink, source, opts, ctx, m)
    except SeedbedError as err:
        _restore_after_failure(sink, m)
        _finish(sink, m, opts, t0, "failed", str(err))
        raise
    except BaseException as err:
        _restore_after_failure(sink, m)
        _finish(sink, m, opts, t0, "failed", f"{type(err).__name__}: {err}")
        raise
    _finish(sink, m, opts, t0, "completed", None)
    return m


def _restore_after_failure(sink, m: Manifest) -> None:
    """A failed load still gets its indexes back; if even that fails, the manifest keeps the
    statements and the next run of the seed rebuilds them first."""
    if not m.pending_ddl:
        return
    with contextlib.suppress(Exception):  # the run's own error is the one to report
        restore_indexes(sink, m)


def restore_indexes(sink, m: Manifest) -> None:
    """Rebuild what a run dropped for its load (statements from its manifest), and clear
    them from the manifest in the same transaction."""
    statements = [stmt for stmts in m.pending_ddl.values() for stmt in stmts]
    # every key and index first, then the foreign keys that may lean on them
    statements.sort(key=lambda sql: 1 if "FOREIGN KEY" in sql else 0)
    with sink.transaction():
        sink.restore_ddl(statements)
        sink.save_manifest({**m.to_dict(), "pending_ddl": {}})
    m.pending_ddl.clear()


def _completed_and_intact(sink, ctx: Context, previous: Manifest | None, opts: SeedOptions) -> bool:
    """Cheap check that a completed run is intact: the first and last key of every table.

    A rerun of a completed run then costs a few queries instead of regenerating every
    row; ``--full`` re-checks every row (and fills any that were deleted since).
    """
    if previous is None or previous.status != "completed" or previous.pending_ddl or opts.full:
        return False
    import numpy as np
    import pyarrow as pa

    ctx = Context(ctx.plan, chunk_size=ctx.chunk_size, bases=previous.bases)
    for name in ctx.plan.order:
        spec = ctx.spec(name)
        n = ctx.rows(name)
        if n == 0:
            continue
        frame = ctx.frame(name, np.array(sorted({0, n - 1}), dtype=np.int64))
        keys = pa.RecordBatch.from_arrays([frame.col(c) for c in spec.key], names=list(spec.key))
        try:
            present = sink.keys_present(spec, keys)
        except Exception:  # noqa: BLE001 - a table dropped since: not intact, the full path says why
            sink.conn.rollback()
            return False
        if present != frame.n:
            return False
    return True


def _skip(sink, source: Source, plan: ResolvedPlan, previous: Manifest, opts: SeedOptions, t0: float) -> Manifest:
    """Record a rerun that found its completed run intact: nothing is written but the manifest."""
    m = Manifest(
        run_id=run_id(plan.name, plan.seed),
        plan=plan.name,
        seed=plan.seed,
        scale=plan.scale,
        plan_hash=plan.plan_hash,
        database=sink.safe_url,
        bases=previous.bases,
        cuts=[c.describe() for c in plan.cuts],
        started_at=previous.started_at,
    )
    ctx = Context(plan, chunk_size=opts.chunk_size, bases=previous.bases)
    m.tables = {t: TableRecord(planned=ctx.rows(t), mode="complete") for t in plan.order}
    _remember_for_rerun(sink, source, opts, ctx, m)
    _finish(sink, m, opts, t0, "completed", None)
    return m


def _remember_for_rerun(sink, source: Source, opts: SeedOptions, ctx: Context, m: Manifest) -> None:
    """What lets the next rerun of this completed run skip the engine (run/rerun.py)."""
    from seedbed.run.rerun import run_digest, sample_keys

    m.inputs = run_digest(list(source.files) if source.files is not None else None, sink.dialect, opts)
    m.probe = sample_keys(sink, ctx) if m.inputs else None


def _after_triggers(order: list[str], feeds: dict[str, set[str]]) -> tuple[list[str], set[str]]:
    """Load each table that triggers insert into after the tables whose triggers do."""
    fed = {t for t in order if feeds.get(t.split(".")[-1])}
    out = [t for t in order if t not in fed]
    for t in [t for t in order if t in fed]:
        sources = {s for s in feeds[t.split(".")[-1]]}
        last = max((i for i, o in enumerate(out) if o.split(".")[-1] in sources), default=len(out) - 1)
        out.insert(last + 1, t)
    return out, fed


def for_server(sink, source: Source) -> Source:
    """The source's schema as this server sees it: reflected when there is no DDL, and the
    DDL reread in the server's flavour (MariaDB skips some MySQL version comments)."""
    if source.schema is None:
        return source.with_schema(sink.reflect())
    if source.ddl is not None and source.ddl_dialect:
        flavour = sink.ddl_flavour(source.ddl_dialect)
        if flavour != source.ddl_dialect:
            from dataclasses import replace

            from seedbed.schema.ddl import parse_ddl

            return replace(source, schema=parse_ddl(source.ddl, flavour))
    return source


def key_bases(sink, plan: ResolvedPlan, ctx: Context) -> dict[str, int]:
    """Where this run's keys start in each table: after the largest integer key there,
    and after the rows other runs planned, so runs never reuse each other's keys."""
    others: dict[str, int] = {}
    for m in sink.load_manifests(None):
        for t, rec in m.get("tables", {}).items():
            others[t] = others.get(t, 0) + int(rec.get("planned", 0))
    bases = {}
    for name in plan.order:
        spec = ctx.spec(name)
        base = others.get(name, 0)
        if len(spec.key) == 1 and spec.table.column(spec.key[0]).type.kind in ("smallint", "int", "bigint"):
            base = max(base, sink.max_value(spec, spec.key[0]))
        if base:
            bases[name] = base
    return bases


def _nulled(batches, columns: tuple[str, ...]):
    """Batches with the cut foreign-key columns set to NULL (they are set after the load)."""
    import pyarrow as pa

    for b in batches:
        if columns:
            arrays = [
                pa.nulls(b.num_rows, f.type) if f.name in columns else b.column(i) for i, f in enumerate(b.schema)
            ]
            b = pa.RecordBatch.from_arrays(arrays, schema=b.schema)
        yield b


def _set_deferred(sink, ctx: Context) -> None:
    """Second pass of a cut cycle: set the foreign keys loaded as NULL, now that parents exist."""
    import pyarrow as pa

    for name in ctx.plan.order:
        spec = ctx.spec(name)
        if not spec.deferred:
            continue
        cols = spec.key + tuple(c for c in spec.deferred if c not in spec.key)

        def batches(spec=spec, cols=cols):
            for b in ctx.batches(spec.name):
                yield pa.RecordBatch.from_arrays([b.column(c) for c in cols], names=list(cols))

        with sink.transaction():
            sink.update_columns(spec, spec.deferred, batches())


def _check_cuts(sink, ctx: Context) -> None:
    """Foreign keys loaded unchecked must hold once everything is in."""
    from seedbed.errors import LoadFailed

    for cut in ctx.plan.cuts:
        if cut.method != "checks_off":
            continue
        parent = ctx.plan.schema.table(cut.fk.ref_table).qualified
        n = sink.orphans(ctx.spec(cut.table), cut.fk, cut.fk.ref_columns, parent)
        if n:
            raise LoadFailed(
                f"{n} rows of {cut.table} point at no {parent} row after an unchecked load",
                where=cut.table,
                hint="purge this seed and report the schema",
            )


def _finish(sink, m: Manifest, opts: SeedOptions, t0: float, status: str, error: str | None) -> None:
    m.status, m.error = status, error
    m.finished_at = now_iso()
    m.seconds = round(time.perf_counter() - t0, 3)
    try:
        sink.save_manifest(m.to_dict())
    except Exception:
        if status != "failed":
            raise
        # the run's own error matters more than failing to record it; the file still says it
    finally:
        if opts.manifest_dir is not None:
            m.write(opts.manifest_dir)
