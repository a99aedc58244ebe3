"""Purge: delete exactly one run's rows, children before parents, in one transaction.

The run's keys are recomputed from its plan and seed (nothing was stored), so rows
the run did not create - another seed's, or the application's own - stay.
"""

from __future__ import annotations

import contextlib

import pyarrow as pa

from seedbed.errors import PlanError
from seedbed.run.manifest import require_run
from seedbed.run.seed import SeedOptions, for_server, plan_for, restore_indexes
from seedbed.run.source import Source
from seedbed.schema.order import purge_order


def purge(sink, source: Source, opts: SeedOptions, *, force: bool = False) -> dict[str, int]:
    """Delete the rows of (plan, seed) from ``sink``; rows deleted per table."""
    source = for_server(sink, source)
    name = source.plan.name or source.name
    seed = opts.seed if opts.seed is not None else source.plan.seed
    run = require_run(sink, name, seed if seed is not None else 1)
    plan, ctx = plan_for(
        source,
        SeedOptions(seed=run.seed, scale=run.scale, rows=opts.rows, chunk_size=opts.chunk_size, locale=opts.locale),
        bases=run.bases,
        check=False,
    )  # keys only: no need to try every generator
    if plan.plan_hash != run.plan_hash and not force:
        raise PlanError(
            f"the plan changed since seed {run.seed} was seeded, so its keys may differ",
            hint="purge with the plan it was seeded with, or pass --force",
        )
    if run.pending_ddl:  # a killed run's tables get their indexes and keys back before its rows go
        restore_indexes(sink, run)
    deleted: dict[str, int] = {}
    unchecked = any(c.method == "checks_off" for c in plan.cuts)
    with sink.checks_off() if unchecked else contextlib.nullcontext(), sink.transaction():
        for table in plan.order:  # first untie cycles: cut keys back to NULL
            spec = ctx.spec(table)
            if spec.deferred:
                sink.update_columns(spec, spec.deferred, _null_keys(ctx, spec))
        for table in purge_order(plan.schema, plan.order):
            deleted[table] = sink.delete_keys(ctx.spec(table), ctx.key_batches(table))
    sink.delete_manifest(run.run_id)
    return deleted


def _null_keys(ctx, spec):
    for b in ctx.key_batches(spec.name):
        nulls = [pa.nulls(b.num_rows, spec.arrow_schema.field(c).type) for c in spec.deferred if c not in spec.key]
        yield pa.RecordBatch.from_arrays(
            list(b.columns) + nulls, names=list(spec.key) + [c for c in spec.deferred if c not in spec.key]
        )
