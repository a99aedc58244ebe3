"""Seed every schema in shared/schemas with no plan and print a table of what happened.

    python tools/conformance.py [SCHEMAS_DIR]

Each schema is loaded into a fresh database of its dialect by that database's client,
seeded from reflection alone, verified, and seeded again (which must add nothing).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seedbed.planning.model import PlanFile  # noqa: E402
from seedbed.run.options import SeedOptions  # noqa: E402
from seedbed.run.seed import seed  # noqa: E402
from seedbed.run.source import Source  # noqa: E402
from seedbed.run.verify import verify  # noqa: E402
from seedbed.sinks import open_sink  # noqa: E402
from tests.test_conformance import CASES, _fresh_database  # noqa: E402


def main(root: Path) -> None:
    import tempfile

    print(f"{'schema':42} {'dialect':8} {'tables':>6} {'filled':>6} {'rows':>8} {'seconds':>7}  verify  rerun")
    for folder, file, dialect in CASES:
        path = root / folder / file
        with tempfile.TemporaryDirectory() as tmp:
            url, drop = _fresh_database(dialect, path, Path(tmp))
            sink = open_sink(url)
            try:
                src = Source(folder, PlanFile(name=folder), None)
                opts = SeedOptions(seed=1, manifest_dir=None)
                t0 = time.perf_counter()
                m = seed(sink, src, opts)
                secs = time.perf_counter() - t0
                report = verify(sink, src, opts)
                again = seed(sink, src, opts)
                from tests.test_conformance import plan_spec

                filled = sum(1 for t in m.tables if sink.count_rows(plan_spec(sink, src, t)) > 0)
                fails = ", ".join(r.name for r in report.failures) or "ok"
                print(
                    f"{folder + '/' + file:42} {dialect:8} {len(m.tables):>6} {filled:>6} {m.inserted_total:>8,} "
                    f"{secs:>7.2f}  {fails:6}  +{again.inserted_total}"
                )
            except Exception as err:  # noqa: BLE001 - report and go on to the next schema
                print(f"{folder + '/' + file:42} {dialect:8} FAILED: {str(err).splitlines()[0]}")
            finally:
                sink.close()
                drop()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "schemas")
