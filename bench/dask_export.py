"""Dask export throughput with 1 and 2 workers: efficiency = speed-up ÷ workers.

``python -m bench.dask_export --workers N --scale S`` (a subprocess per worker count): a
LocalCluster of N single-threaded worker processes starts and every worker resolves the
plan once (not timed: a long-lived cluster pays that once); then the whole S1 export at
scale S - Parquet, one file per range of ``--part-rows`` rows - is timed, and one JSON
line gives rows, seconds and rows/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure


def measure(python: str, runner, last_json, scale: float, seed: int, part_rows: int, timeout: float) -> list[Figure]:
    """Figures ``dask_1``, ``dask_2`` (rows/s, informational) and ``dask_eff`` (≥ 0.8)."""
    rates = {}
    figs = {n: Figure(f"dask_{n}", f"Dask export, {n} worker(s), rows/s (scale {scale:g})", None, unit="rows/s")
            for n in (1, 2)}  # fmt: skip
    for n in (1, 2):
        run = runner.run(
            f"dask export {n} worker(s)",
            [
                python,
                "-m",
                "bench.dask_export",
                "--workers",
                str(n),
                "--scale",
                f"{scale:g}",
                "--seed",
                str(seed),
                "--part-rows",
                str(part_rows),
            ],  # fmt: skip
            timeout=timeout,
            cwd=Path(__file__).resolve().parent.parent,
        )
        out = last_json(run)
        rates[n] = out["rows_per_s"]
        figs[n].measured = out["rows_per_s"]
        figs[n].detail = f"{out['rows']:,} rows in {out['seconds']:.2f}s ({out['files']} files)"
        figs[n].parts = out
    eff = Figure("dask_eff", "Dask export efficiency at 2 workers (speed-up ÷ 2)", 0.8, op=">=")
    eff.measured = rates[2] / rates[1] / 2
    eff.detail = f"{rates[2]:,.0f} rows/s with 2 workers / {rates[1]:,.0f} with 1, over 2"
    return [figs[1], figs[2], eff]


def _warm(job) -> None:
    from seedbed.run.ranges import context

    context(job)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=123)
    p.add_argument("--part-rows", type=int, default=200_000)
    a = p.parse_args(argv)

    from seedbed.run import dask_engine
    from seedbed.run.options import SeedOptions
    from seedbed.run.prepare import plan_for
    from seedbed.run.ranges import Job
    from seedbed.run.source import source_from

    source = source_from(recipe="scale-seed")
    opts = SeedOptions(seed=a.seed, scale=a.scale, manifest_dir=None)
    plan, ctx = plan_for(source, opts)
    job = Job.of(source, opts, dict(plan.left_out))
    rows = sum(ctx.rows(t) for t in plan.order)
    with dask_engine.client(None, a.workers) as c, tempfile.TemporaryDirectory() as out:
        c.run(_warm, job)  # each worker resolves the plan before the clock starts
        t0 = time.perf_counter()
        files = dask_engine.export(job, ctx, out, "parquet", a.part_rows, c)
        took = time.perf_counter() - t0
    n_files = sum(len(v) for v in files.values())
    print(
        json.dumps({"workers": a.workers, "rows": rows, "seconds": took, "rows_per_s": rows / took, "files": n_files})
    )


if __name__ == "__main__":
    main(sys.argv[1:])
