"""Purge: delete exactly one run's rows, children before parents, in one transaction.

The run's keys are recomputed from its plan and seed (nothing was stored), so rows
the run did not create - another seed's, or the application's own - stay.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from seedbed.errors import PlanError
from seedbed.run.cycles import null_keys
from seedbed.run.options import SeedOptions, as_recorded
from seedbed.run.prepare import for_server, plan_for
from seedbed.run.seed import restore_indexes
from seedbed.run.source import Source
from seedbed.schema.order import purge_order
from seedbed.sinks.base import Sink

Progress = Callable[[str, int, int, int, float], None]  # (table, i, n, rows deleted, seconds) after each


def purge(
    sink: Sink, source: Source, opts: SeedOptions, *, force: bool = False, progress: Progress | None = None
) -> dict[str, int]:
    """Delete the rows of (plan, seed) from ``sink``; rows deleted per table."""
    source = for_server(sink, source)
    name = source.plan.name or source.name
    seed = opts.seed if opts.seed is not None else source.plan.seed
    run = sink.manifests.require(name, seed if seed is not None else 1)
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
    deleted: dict[str, int] = {}
    unchecked = any(c.method == "checks_off" for c in plan.cuts)
    order = purge_order(plan.schema, plan.order)
    with sink.unchecked() if unchecked else contextlib.nullcontext(), sink.transaction():
        for table in plan.order:  # first untie cycles: cut keys back to NULL
            spec = ctx.spec(table)
            if spec.deferred:
                sink.update(spec, spec.deferred, null_keys(ctx, spec))
        for i, table in enumerate(order, 1):
            t0 = time.perf_counter()
            deleted[table] = sink.delete(ctx.spec(table), ctx.key_batches(table))
            if progress:
                progress(table, i, len(order), deleted[table], time.perf_counter() - t0)
    sink.manifests.delete(run.run_id)
    return deleted
