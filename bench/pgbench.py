"""seedbed against PostgreSQL's own data generator, on pgbench's schema and counts.

``pgbench -i -I dtgpf -s S`` drops and creates the four tables, generates the rows
client-side (COPY), then builds the primary and foreign keys. seedbed gets the same end
state: the tables with their keys made beforehand by ``pgbench -i -I dtpf`` (not timed; an
empty table's keys are dropped for the load and rebuilt inside its transaction), then
``seedbed seed`` with a plan giving pgbench's counts - S branches, 10 tellers and 100,000
accounts per branch, no history - and its values (zero balances, blank fillers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Figure

PLAN = """name: pgbench
tables:
  pgbench_branches: {rows: %(s)d, scaled: false, columns: {bid: {sequence: {start: 1}}, bbalance: 0, filler: ""}}
  pgbench_tellers:
    rows: {per: pgbench_branches, each: 10}
    columns: {tid: {sequence: {start: 1}}, tbalance: 0, filler: ""}
  pgbench_accounts:
    rows: {per: pgbench_branches, each: 100000}
    columns: {aid: {sequence: {start: 1}}, abalance: 0, filler: ""}
  pgbench_history: {rows: 0, scaled: false}
"""


def measure(pg, seedbed: list[str], work: Path, scales: list[int]) -> list[Figure]:
    """One figure per scale: seedbed's wall time ÷ pgbench's."""
    out = []
    for s in scales:
        fig = Figure(
            f"pgbench_{s}", f"pgbench's schema and counts at scale {s}: seedbed seed / pgbench -i -I dtgpf", 1.0
        )
        plan = work / f"pgbench-{s}.yaml"
        plan.write_text(PLAN % {"s": s})
        ours, theirs = pg.create(f"bench_pgb_seedbed_{s}"), pg.create(f"bench_pgb_pgbench_{s}")
        try:
            t_theirs = _timed(["pgbench", "-i", "-I", "dtgpf", "-q", "-s", str(s), pg.db_url(theirs)], pg)
            _timed(["pgbench", "-i", "-I", "dtpf", "-q", "-s", str(s), pg.db_url(ours)], pg)  # tables and keys only
            pg.settle()
            t_ours = _timed([*seedbed, "seed", "--db", pg.db_url(ours), "--plan", str(plan), "-q",
                             "--manifest-dir", str(work / "runs")], pg)  # fmt: skip
            want = {"pgbench_branches": s, "pgbench_tellers": 10 * s, "pgbench_accounts": 100_000 * s}
            for db, who in ((ours, "seedbed"), (theirs, "pgbench")):
                got = pg.counts(db, list(want))
                if got != want:
                    raise RuntimeError(f"{who} left {got}, expected {want}")
            fig.measured = t_ours / t_theirs
            fig.parts = {"seedbed_s": round(t_ours, 3), "pgbench_s": round(t_theirs, 3)}
            rows = sum(want.values())
            fig.detail = f"seedbed {t_ours:.2f}s / pgbench {t_theirs:.2f}s ({rows:,} rows, keys built)"
        except Exception as err:  # noqa: BLE001 - that figure's error, the others go on
            fig.error = f"{type(err).__name__}: {err}"
        finally:
            pg.drop(ours)
            pg.drop(theirs)
        out.append(fig)
    return out


def _timed(cmd: list[str], pg) -> float:
    print("  $ " + " ".join(cmd)[:160], flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **pg.env}, timeout=1800)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode})")
    return took
