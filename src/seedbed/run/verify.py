"""Verify a seeded run in a database."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from seedbed.run.grow import increments, options_of, renamed
from seedbed.run.options import SeedOptions, as_recorded
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
        as_recorded(opts, run.seed, run.scale, run.options),
        bases=run.bases,
        left_out=run.left_out,
    )
    report = verify_run(sink, plan, ctx, refused={t: len(rows) for t, rows in run.refused.items()})
    gone = [f"{t}: {why}" for t, why in sorted(run.left_out.items())]
    report.results.append(CheckResult("every table was seeded", not gone, [], gone, "tables"))
    # indexes and keys dropped for a load and not rebuilt (the run was killed): rerunning the seed rebuilds them
    missing = sorted(run.pending_ddl)
    report.results.append(
        CheckResult("indexes and keys dropped for the load are back", not missing, [], missing, "indexes")
    )
    report.results.append(_structure_kept(sink, run.structure))
    if not opts.increment:  # the rows a larger size added, increment by increment
        for more in increments(sink, name, run.seed):
            part = verify(sink, renamed(source, more.plan), options_of(opts, more))
            report.results += [replace(r, name=f"{more.plan}: {r.name}") for r in part.results]
    return report


def _structure_kept(sink: Sink, recorded: list[list[Any]] | None) -> CheckResult:
    """Every index and constraint the run's tables had when it began is there, and valid
    where it was (read from the database's catalog, not from the manifest)."""
    name = "every index and constraint the schema had is there and valid"
    if recorded is None:  # a run recorded before seedbed kept this
        return CheckResult(name, True, [], [], "indexes")
    now = {(t, n, d): v for t, n, d, v in sink.structure()}
    lost = [f"{t}: {n} ({d})" for t, n, d, v in recorded if (t, n, d) not in now]
    invalid = [f"{t}: {n} is not valid" for t, n, d, v in recorded if v and now.get((t, n, d)) is False]
    return CheckResult(name, not (lost or invalid), [], lost + invalid, "indexes")
