"""seedbed against PostgreSQL's own data generator, on pgbench's schema and counts.

``pgbench -i -I dtgpf -s S`` drops and creates the four tables, generates the rows
client-side (COPY), then builds the primary and foreign keys. seedbed gets the same end
state: the tables with their keys made beforehand by ``pgbench -i -I dtpf`` (not timed; an
empty table's keys are dropped for the load and rebuilt inside its transaction), then
``seedbed seed`` with a plan giving pgbench's counts - S branches, 10 tellers and 100,000
accounts per branch, no history - and its values (zero balances, blank fillers). A third
line, ``pgfloor.py``, loads the same rows from the least a Python client can be, so the
report shows how much of the gap is seedbed's and how much any Python process's.
"""

from __future__ import annotations

import os
import statistics
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


def measure(pg, seedbed: list[str], work: Path, scales: list[int], repeat: int = 1) -> list[Figure]:
    """Per scale: seedbed's wall time ÷ pgbench's, and beside it the floor's ÷ pgbench's
    (``pgfloor.py``: any Python client's least). Each side runs ``repeat`` times, taking
    turns at going first; medians."""
    out = []
    for s in scales:
        fig = Figure(
            f"pgbench_{s}", f"pgbench's schema and counts at scale {s}: seedbed seed / pgbench -i -I dtgpf", 1.0
        )
        floor = Figure(f"pgbench_floor_{s}", "  the same, a bare Python client (pgfloor.py) / pgbench -i", None)
        plan = work / f"pgbench-{s}.yaml"
        plan.write_text(PLAN % {"s": s})
        want = {"pgbench_branches": s, "pgbench_tellers": 10 * s, "pgbench_accounts": 100_000 * s}
        runs = {  # URL: the database each run gets
            "pgbench": ["pgbench", "-i", "-I", "dtgpf", "-q", "-s", str(s), URL],
            "floor": [sys.executable, str(Path(__file__).with_name("pgfloor.py")), str(s), URL],
            "seedbed": [*seedbed, "seed", "--db", URL, "--plan", str(plan), "-q", "--manifest-dir", str(work / "runs")],
        }
        took: dict[str, list[float]] = {who: [] for who in runs}
        try:
            for i in range(repeat):
                for who in list(runs) if i % 2 == 0 else list(runs)[::-1]:
                    took[who].append(_once(pg, who, runs[who], s, want))
            t = {who: statistics.median(v) for who, v in took.items()}
            fig.measured, floor.measured = t["seedbed"] / t["pgbench"], t["floor"] / t["pgbench"]
            fig.parts = {f"{who}_s": [round(x, 3) for x in v] for who, v in took.items()}
            reps = f", medians of {repeat}" if repeat > 1 else ""
            rows = sum(want.values())
            fig.detail = f"seedbed {t['seedbed']:.2f}s / pgbench {t['pgbench']:.2f}s ({rows:,} rows, keys built{reps})"
            floor.detail = f"floor {t['floor']:.2f}s / pgbench {t['pgbench']:.2f}s"
        except Exception as err:  # noqa: BLE001 - that figure's error, the others go on
            fig.error = floor.error = f"{type(err).__name__}: {err}"
        out += [fig, floor]
    return out


URL = "{url}"


def _once(pg, who: str, cmd: list[str], s: int, want: dict[str, int]) -> float:
    """One timed load into a new database; pgbench makes its tables itself, the others find
    them (with their keys) made by ``pgbench -i -I dtpf`` beforehand, untimed."""
    db = pg.create(f"bench_pgb_{who}_{s}")
    try:
        if who != "pgbench":
            _timed(["pgbench", "-i", "-I", "dtpf", "-q", "-s", str(s), pg.db_url(db)], pg)
        pg.settle()
        took = _timed([pg.db_url(db) if a == URL else a for a in cmd], pg)
        got = pg.counts(db, list(want))
        if got != want:
            raise RuntimeError(f"{who} left {got}, expected {want}")
        return took
    finally:
        pg.drop(db)


def _timed(cmd: list[str], pg) -> float:
    print("  $ " + " ".join(cmd)[:160], flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **pg.env}, timeout=1800)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode})")
    return took
