"""Generation alone, to a null sink: iterate ``ctx.batches(t)`` for every table.

Run as ``python -m bench.gen --scale S [--seed N] [--chunk-size C]``; prints one JSON
object on stdout. Planning (resolve + probe) is not timed; a fresh Context is built
so that layouts and aggregates (O(parents) work done once per run) are timed, as
they are in a real seed. CPU time is the process's (all threads), which is what
"per core" divides by; wall time is reported too.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time


def measure(scale: float, seed: int, chunk_size: int) -> dict:
    from seedbed.engine import Context
    from seedbed.run.options import SeedOptions
    from seedbed.run.prepare import plan_for
    from seedbed.run.source import source_from

    src = source_from(recipe="scale-seed")
    plan, _ = plan_for(src, SeedOptions(seed=seed, scale=scale, chunk_size=chunk_size, manifest_dir=None))
    ctx = Context(plan, chunk_size=chunk_size)
    tables = {}
    rows = values = 0
    w0, c0 = time.perf_counter(), time.process_time()
    for name in plan.order:
        w1, c1 = time.perf_counter(), time.process_time()
        r = v = 0
        for b in ctx.batches(name):
            r += b.num_rows
            v += b.num_rows * b.num_columns
        tables[name] = {
            "rows": r,
            "values": v,
            "wall_s": round(time.perf_counter() - w1, 4),
            "cpu_s": round(time.process_time() - c1, 4),
        }
        rows += r
        values += v
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "scale": scale,
        "seed": seed,
        "chunk_size": chunk_size,
        "rows": rows,
        "values": values,
        "wall_s": wall,
        "cpu_s": cpu,
        "values_per_cpu_s": values / cpu if cpu else None,
        "values_per_wall_s": values / wall if wall else None,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "tables": tables,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.gen", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--chunk-size", type=int, help="rows per batch (default: seedbed's SeedOptions default)")
    a = ap.parse_args(argv)
    if a.chunk_size is None:
        from seedbed.run.options import SeedOptions

        a.chunk_size = SeedOptions().chunk_size
    json.dump(measure(a.scale, a.seed, a.chunk_size), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
