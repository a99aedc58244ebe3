"""Per-test reset for the pytest plugin: a fresh copy of a seeded database against seeding afresh.

In-process, as a test session runs them: ``seedbed.seed`` of the recipe into a new database
(what a suite without the plugin pays per test) against ``sinks.clone.clone`` + ``drop`` of
the database seeded once (what ``seedbed_db`` pays per test). Medians of ``repeat`` (at least 3).
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import Figure

RECIPES = ("rollout", "okr-tenant")


def measure(pg_base: str, my_base: str, repeat: int) -> list[Figure]:
    import seedbed
    from seedbed.sinks.clone import clone, create, drop

    tmp = Path(tempfile.mkdtemp(prefix="seedbed-reset-"))
    targets = {
        "pg": pg_base.rsplit("/", 1)[0] + "/bench_reset_tpl",
        "mysql": my_base.rstrip("/") + "/bench_reset_tpl",
        "sqlite": f"sqlite:///{tmp / 'bench_reset_tpl.db'}",
    }
    figures = []
    n = max(repeat, 3)
    for kind, template in targets.items():
        for recipe in RECIPES:
            fig = Figure(f"reset_{kind}_{recipe.replace('-', '_')}",
                         f"per-test reset / seeding afresh ({recipe}, {kind})", 0.5)  # fmt: skip
            try:
                create(template)
                seedbed.seed(template, recipe=recipe, manifest_dir=None)
                resets, fresh = [], []
                for i in range(n):
                    t0 = time.perf_counter()
                    copy = clone(template, f"bench_reset_copy_{i}")
                    resets.append(time.perf_counter() - t0)
                    drop(copy)
                    other = template.replace("bench_reset_tpl", f"bench_reset_fresh_{i}")
                    t0 = time.perf_counter()
                    create(other)
                    seedbed.seed(other, recipe=recipe, manifest_dir=None)
                    fresh.append(time.perf_counter() - t0)
                    drop(other)
                r, s = statistics.median(resets), statistics.median(fresh)
                fig.measured = r / s
                fig.parts = {"reset_s": round(r, 4), "seed_s": round(s, 4)}
                fig.detail = f"reset {r * 1000:.0f} ms / seed afresh {s * 1000:.0f} ms"
            except Exception as err:  # noqa: BLE001 - a database that is not there: that figure's error
                fig.error = f"{type(err).__name__}: {err}"
            finally:
                with contextlib.suppress(Exception):  # already gone
                    drop(template)
            figures.append(fig)
    return figures
