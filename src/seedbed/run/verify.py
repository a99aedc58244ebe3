"""Verify a seeded run in a database."""

from __future__ import annotations

from seedbed.run.options import SeedOptions
from seedbed.run.prepare import for_server, plan_for
from seedbed.run.source import Source
from seedbed.sinks.base import Sink
from seedbed.verification.checks import CheckResult, Report, verify_run


def verify(sink: Sink, source: Source, opts: SeedOptions) -> Report:
    source = for_server(sink, source)
    name = source.plan.name or source.name
    seed = opts.seed if opts.seed is not None else (source.plan.seed if source.plan.seed is not None else 1)
    run = sink.manifests.require(name, seed)
    plan, ctx = plan_for(
        source,
        SeedOptions(seed=run.seed, scale=run.scale, rows=opts.rows, chunk_size=opts.chunk_size, locale=opts.locale),
        bases=run.bases,
        left_out=run.left_out,
    )
    report = verify_run(sink, plan, ctx)
    gone = [f"{t}: {why}" for t, why in sorted(run.left_out.items())]
    report.results.append(CheckResult("every table was seeded", not gone, [], gone, "tables"))
    # indexes and keys dropped for a load and not rebuilt (the run was killed): rerunning the seed rebuilds them
    missing = sorted(run.pending_ddl)
    report.results.append(
        CheckResult("indexes and keys dropped for the load are back", not missing, [], missing, "indexes")
    )
    return report
