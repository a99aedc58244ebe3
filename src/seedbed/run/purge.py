"""Purge: delete exactly one run's rows, children before parents, in one transaction.

The run's keys are recomputed from its plan and seed (nothing was stored), so rows
the run did not create - another seed's, or the application's own - stay.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from seedbed.errors import PlanError
from seedbed.planning.resolved import ResolvedPlan
from seedbed.run.cycles import null_keys
from seedbed.run.grow import increments, options_of, renamed
from seedbed.run.options import SeedOptions, as_recorded
from seedbed.run.prepare import for_server, plan_for, restore_indexes
from seedbed.run.source import Source
from seedbed.schema.order import purge_order
from seedbed.sinks.base import Sink

Progress = Callable[[str, int, int, int, float], None]  # (table, i, n, rows deleted, seconds) after each


def purge(
    sink: Sink,
    source: Source,
    opts: SeedOptions,
    *,
    force: bool = False,
    progress: Progress | None = None,
    only: frozenset[str] | None = None,
) -> dict[str, int]:
    """Delete the rows of (plan, seed) from ``sink``; rows deleted per table. ``only``: of
    these tables (none of the others refers to them), the run's record kept for the rest."""
    source = for_server(sink, source)
    name = source.plan.name or source.name
    seed = opts.seed if opts.seed is not None else source.plan.seed
    run = sink.manifests.require(name, seed if seed is not None else 1)
    deleted: dict[str, int] = {}
    if not opts.increment:  # the rows a larger size added go first: they refer to the first run's
        for more in reversed(increments(sink, name, run.seed)):
            part = purge(sink, renamed(source, more.plan), options_of(opts, more), force=force, only=only)
            deleted = {t: deleted.get(t, 0) + part.get(t, 0) for t in {*deleted, *part}}
    plan, ctx = plan_for(
        source,
        as_recorded(opts, run.seed, run.scale, run.options),
        bases=run.bases,
        check=False,  # keys only: no need to try every generator
        left_out=run.left_out,  # tables the run did not seed have none of its rows
    )
    if plan.plan_hash != run.plan_hash and not force:
        raise PlanError(
            f"the plan changed since seed {run.seed} was seeded, so its keys may differ",
            hint="purge with the plan it was seeded with, or pass --force",
        )
    if run.pending_ddl:  # a killed run's tables get their indexes and keys back before its rows go
        restore_indexes(sink, run)
    unchecked = any(c.method == "checks_off" for c in plan.cuts)
    written = [t for t in plan.written if only is None or t in only]
    order = purge_order(plan.schema, written)
    with sink.unchecked() if unchecked else contextlib.nullcontext(), sink.transaction():
        for table in written:  # first untie cycles: cut keys back to NULL
            spec = ctx.spec(table)
            if spec.deferred:
                sink.update(spec, spec.deferred, null_keys(ctx, spec))
        for i, table in enumerate(order, 1):
            t0 = time.perf_counter()
            deleted[table] = deleted.get(table, 0) + sink.delete(ctx.spec(table), ctx.key_batches(table))
            if progress:
                progress(table, i, len(order), deleted[table], time.perf_counter() - t0)
    rest = [t for t in plan.written if t not in written]
    if not rest:
        sink.manifests.delete(run.run_id)
    else:  # the run now holds the other tables only
        run.tables = {t: r for t, r in run.tables.items() if t in rest}
        run.options = {**(run.options or {}), "tables": rest}
        sink.manifests.save(run)
    return deleted


def clean(sink: Sink, source: Source, opts: SeedOptions) -> dict[str, int]:
    """Before a seed writes them again (``--clean``): remove the run's rows of the tables it
    is asked for (all, without ``--table``) and of every table of the run referring to
    them, row by row as purge does; rows deleted per table."""
    source = for_server(sink, source)
    name = source.plan.name or source.name
    seed = opts.seed if opts.seed is not None else source.plan.seed
    run = sink.manifests.find(name, seed if seed is not None else 1)
    if run is None:
        return {}
    only = None
    if opts.tables:
        recorded = as_recorded(opts, run.seed, run.scale, run.options)
        plan, _ = plan_for(source, recorded, bases=run.bases, check=False, left_out=run.left_out)
        only = referring(plan, {plan.table(t).name for t in opts.tables})
    return purge(sink, source, opts, only=only)


def referring(plan: ResolvedPlan, tables: set[str]) -> frozenset[str]:
    """``tables`` and every table of the plan whose rows refer to theirs, near or far."""
    found = set(tables)
    for t in plan.order:  # parents first: one pass reaches every descendant
        if any(fk.ref_table in found for fk in plan.schema.table(t).foreign_keys):
            found.add(t)
    return frozenset(found)
