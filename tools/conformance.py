"""Seed every corpus schema with no plan and print a table of what happened.

    python tools/conformance.py [NAME ...]

The cases are the conformance test's (tests/corpus.py: both folders beside the repository,
or SEEDBED_SCHEMAS); NAME keeps only cases whose id contains it. Each schema is loaded into
a fresh database of its dialect by that database's own client and seeded from reflection
alone. Printed as a Markdown table: tables, tables filled (read back through the database's
own catalog), rows, seconds, plan warnings, and the run's status with the tables left out.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seedbed.planning.model import PlanFile  # noqa: E402
from seedbed.run.options import SeedOptions  # noqa: E402
from seedbed.run.seed import seed  # noqa: E402
from seedbed.run.source import Source  # noqa: E402
from seedbed.sinks import open_sink  # noqa: E402
from tests import corpus  # noqa: E402


def main(only: list[str]) -> None:
    print("| schema | dialect | tables | filled | rows | seconds | warnings | status |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    total = [0, 0, 0]
    for root in corpus.roots():
        for case in corpus.cases(root):
            if only and not any(o in case.id for o in only):
                continue
            try:
                row = _one(case, total)
            except Exception as err:  # noqa: BLE001 - report and go on to the next schema
                row = f"| {case.id} | {case.dialect} | failed: {str(err).splitlines()[0][:200]} |"
            print(row, flush=True)
    print(f"| total | | {total[0]:,} | {total[1]:,} | {total[2]:,} | | | |")


def _one(case: corpus.Case, total: list[int]) -> str:
    with tempfile.TemporaryDirectory() as tmp, corpus.fresh_database(case, Path(tmp)) as url:
        probe = corpus.open_probe(case.dialect, url)
        sink = open_sink(url)
        try:
            tables = probe.tables()
            t0 = time.perf_counter()
            m = seed(
                sink, Source(case.folder, PlanFile(name=case.folder), None), SeedOptions(seed=1, manifest_dir=None)
            )
            seconds = time.perf_counter() - t0
            filled = sum(1 for t in tables if not probe.is_empty(t))
        finally:
            sink.close()
            probe.close()
    total[0] += len(tables)
    total[1] += filled
    total[2] += m.inserted_total
    left = sorted(t.split(".")[-1] for t in m.left_out)
    status = m.status + (f" (left out: {', '.join(left)})" if left else "")
    return (
        f"| {case.id.split('/', 1)[1]} | {case.dialect} | {len(tables)} | {filled} | {m.inserted_total:,} "
        f"| {seconds:.1f} | {len(m.warnings)} | {status} |"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
