"""Purge: delete exactly one run's rows, children before parents, in one transaction.

The run's keys are recomputed from its plan and seed (nothing was stored), so rows
the run did not create - another seed's, or the application's own - stay.
"""

from __future__ import annotations

import contextlib

from seedbed.errors import PlanError
from seedbed.run.cycles import null_keys
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import for_server, plan_for
from seedbed.run.seed import restore_indexes
from seedbed.run.source import Source
from seedbed.schema.order import purge_order
from seedbed.sinks.base import Sink


def purge(sink: Sink, source: Source, opts: SeedOptions, *, force: bool = False) -> dict[str, int]:
    """Delete the rows of (plan, seed) from ``sink``; rows deleted per table."""
    source = for_server(sink, source)
    name = source.plan.name or source.name
    seed = opts.seed if opts.seed is not None else source.plan.seed
    run = sink.manifests.require(name, seed if seed is not None else 1)
    plan, ctx = plan_for(
        source,
        SeedOptions(seed=run.seed, scale=run.scale, rows=opts.rows, chunk_size=opts.chunk_size, locale=opts.locale),
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
    with sink.unchecked() if unchecked else contextlib.nullcontext(), sink.transaction():
        for table in plan.order:  # first untie cycles: cut keys back to NULL
            spec = ctx.spec(table)
            if spec.deferred:
                sink.update(spec, spec.deferred, null_keys(ctx, spec))
        for table in purge_order(plan.schema, plan.order):
            deleted[table] = sink.delete(ctx.spec(table), ctx.key_batches(table))
    sink.manifests.delete(run.run_id)
    return deleted
