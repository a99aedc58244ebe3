"""Generation in worker processes while the run's connection loads (``--workers N``).

A table's rows are cut into the ranges its batches already are (``chunk_size`` rows each);
worker processes compute them (``ranges.generate``: pure, so any process gives the same
rows) and the loader takes them back in order. The batches the database receives are
the very batches one process would make - same rows, same order, same boundaries - so
the data, the single transaction per table and every promise of a run stay as they are.

Worker processes start with the run when one of its tables is large enough to pay for
them, and serve every such table; small runs never start one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pyarrow as pa

from seedbed.engine import Context
from seedbed.run.ranges import Job, generate, ranges, read_batches

# a table of fewer chunks than this is made here: starting workers would cost more
MIN_CHUNKS = 8
_PR_SET_PDEATHSIG = 1  # prctl(2)


def default_workers() -> int:
    """The machine's cores (those this process may run on) but one: the run's own process
    encodes and sends every row, and a database on the same machine needs a core too. On
    two cores that is no worker process at all: measured there, two generating processes
    slowed S1 into a local PostgreSQL from 16 s to 19 s, competing with the server."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the run (it stops when the run stops it, quietly), and
    dies with the run: killed, the run takes its workers along (Linux: PR_SET_PDEATHSIG),
    so none is left holding the run's output open or a core busy."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl(
            _PR_SET_PDEATHSIG, signal.SIGKILL
        )
    if os.getppid() == 1:  # the run died before the line above: nothing to work for
        os._exit(0)


class Workers:
    """A run's generation workers: ``batches`` yields a table's batches, made in ``n``
    processes when it pays, in order."""

    def __init__(self, job: Job, n: int | None, ctx: Context):
        self.job = job
        self.n = default_workers() if n is None else max(1, n)
        self._pool: ProcessPoolExecutor | None = None
        if self.n > 1 and any(self._pays(ctx, t) for t in ctx.plan.written):
            self._start()

    def _pays(self, ctx: Context, table: str) -> bool:
        return ctx.rows(table) >= ctx.chunk_size * MIN_CHUNKS

    def batches(self, ctx: Context, table: str) -> Iterator[pa.RecordBatch]:
        n, chunk = ctx.rows(table), ctx.chunk_size
        pool = self._pool
        if pool is None or not self._pays(ctx, table):
            yield from ctx.batches(table)
            return
        spans = iter(ranges(n, chunk))
        bases = dict(ctx.bases)
        pending: deque[Future[bytes]] = deque()

        def submit() -> None:
            span = next(spans, None)
            if span is not None:
                pending.append(pool.submit(generate, self.job, table, span[0], span[1], bases))

        for _ in range(2 * self.n):  # each worker busy, one range ahead
            submit()
        try:
            while pending:
                data = pending.popleft().result()
                submit()
                yield from read_batches(data)
        finally:  # the loader stopped early (an error): what is queued is not made
            for f in pending:
                f.cancel()

    def _start(self) -> None:
        """Every worker, started now, from this (the run's main) thread: a worker dies with
        the thread that started it, and the tables load on another."""
        # spawn: a worker starts from a clean process (not a copy of this one's threads and
        # open connections), as a child of the run, so it can die with it
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.n, mp_context=context, initializer=_worker_start)
        for f in [self._pool.submit(os.getpid) for _ in range(self.n)]:  # one process each, before any ends
            f.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
