"""Scale-out on Dask (``dask.distributed``): the same pure (table, row range) tasks on a cluster.

``export --engine dask`` writes one file per range (``run/ranges.py``) to a local path or
any fsspec URL, each the very file the single-process export writes for that range.
``seed --engine dask`` has the workers load their ranges straight into the database, each
range in a transaction of its own with every constraint and index in place (so a table
never lacks one); the run's manifest, its lock and the order of tables stay with the
process that started it, and a run stopped half-way goes on where it stopped, as any run
does. Without a scheduler address a ``LocalCluster`` of worker processes starts (and
stops) with the command; given one (``--scheduler tcp://host:8786``), the cluster's
workers do the work - a Kubernetes, HPC or YARN cluster made by Dask's own deployment
packages included.

Dask is an optional extra: ``pip install 'seedbed[dask]'``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from seedbed.engine import Context
from seedbed.errors import PlanError
from seedbed.planning.resolved import TableSpec
from seedbed.run.ranges import PART_ROWS, Job, context, ranges, write_part
from seedbed.sinks.base import LoadResult, Sink


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise PlanError(
            "the dask engine needs Dask's distributed scheduler, which is not installed",
            hint="pip install 'seedbed[dask]'",
        ) from None
    return distributed


@contextlib.contextmanager
def client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers``
    processes (default: the machine's cores) living as long as the block."""
    distributed = _dask()
    if scheduler:
        try:
            c = distributed.Client(scheduler, timeout="10s")
        except OSError as err:
            raise PlanError(
                f"cannot reach the Dask scheduler at {scheduler}: {err}",
                hint="check the address (tcp://host:8786) and that the scheduler is running",
            ) from None
        with c:
            yield c
        return
    n = workers or os.cpu_count() or 1
    with (
        distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", scheduler_port=0, silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def export(job: Job, ctx: Context, out: str, fmt: str, part_rows: int, c: Any) -> dict[str, list[str]]:
    """Every table of the job as range files under ``out`` (a path or fsspec URL), written
    by the cluster's workers; the files per table, in row order."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(out)
    shared = c.scatter(job, broadcast=True)
    futures = {
        t: [c.submit(write_part, shared, t, a, b, fs, root, fmt, pure=False) for a, b in ranges(ctx.rows(t), part_rows)]
        for t in ctx.plan.order
    }
    return {t: [path for path, _ in c.gather(fs_)] for t, fs_ in futures.items()}


_SINKS: dict[str, Sink] = {}
_SINKS_LOCK = threading.Lock()


def _sink(url: str) -> Sink:
    """One connection per worker process and database, kept for the worker's next ranges."""
    from seedbed.sinks import open_sink

    with _SINKS_LOCK:
        if url not in _SINKS:
            _SINKS[url] = open_sink(url, connections=1)  # the cluster's workers are the parallel loads
        return _SINKS[url]


def load_part(job: Job, url: str, table: str, start: int, stop: int, bases: dict[str, int], merge: bool) -> int:
    """Rows [start, stop) of ``table`` loaded into ``url`` by this worker, in one transaction;
    rows inserted."""
    ctx = context(job, bases)
    return _sink(url).load(ctx.spec(table), ctx.batches(table, start, stop), merge=merge).rows


class Remote:
    """Loads tables through a Dask cluster's workers, range by range."""

    def __init__(self, c: Any, job: Job, url: str, part_rows: int | None):
        self.client, self.url = c, url
        self.job = c.scatter(job, broadcast=True)
        self.part_rows = part_rows or PART_ROWS

    def takes(self, spec: TableSpec) -> bool:
        """Plain tables: one with a key set after the load (a cycle's cut) stays with the
        run's own connection, which sets that key once every row is in."""
        return not spec.deferred

    def load(self, sink: Sink, ctx: Context, spec: TableSpec, merge: bool) -> LoadResult:
        t0 = time.perf_counter()
        n = ctx.rows(spec.name)
        parts = ranges(n, self.part_rows)
        futures = [
            self.client.submit(load_part, self.job, self.url, spec.name, a, b, ctx.bases, merge, pure=False)
            for a, b in parts
        ]
        rows = sum(self.client.gather(futures))
        if n:  # the sequences: past the table's highest key, once (workers racing could set them back)
            last = ctx.batch(spec.name, n - 1, n)
            first = ctx.batch(spec.name, 0, 1)
            sink.load(spec, [first, last], merge=True)
        return LoadResult(rows, f"dask ({len(parts)} ranges)", time.perf_counter() - t0)
