"""A run cut into pure tasks: (table, row range) -> rows, wherever they execute.

Generation is a pure function of (plan, seed, table, row index) (Decision 1), so any
process - a local worker, a Dask worker on another machine - that is given the same
``Job`` (the source and options, resolved there once) computes the same rows for the same
range. These functions are what such a process runs; ``run/parallel.py`` (local worker
processes) and ``run/dask_engine.py`` (a Dask cluster) only schedule them.

A range is written as its own file (``TABLE/part-000000000000.parquet``, named by its
first row), the same file whichever engine wrote it; CSV parts carry the header in the
first part only, so the parts joined in order are the single file's bytes.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from seedbed.engine import Context
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.source import Source

PART_ROWS = 1_000_000  # rows per range file, unless told


@dataclass(frozen=True)
class Job:
    """What every task of one run needs: resolved once per process, by its token."""

    source: Source
    opts: SeedOptions
    left_out: dict[str, str] = field(default_factory=dict)
    token: str = ""

    @staticmethod
    def of(source: Source, opts: SeedOptions, left_out: dict[str, str] | None = None) -> Job:
        gone = dict(left_out or {})
        digest = hashlib.sha256(pickle.dumps((source, opts, sorted(gone.items())))).hexdigest()
        return Job(source, opts, gone, digest[:24])


_CONTEXTS: dict[tuple[str, tuple[tuple[str, int], ...]], Context] = {}
_LOCK = threading.Lock()


def context(job: Job, bases: dict[str, int] | None = None) -> Context:
    """The job's context in this process, with ``bases`` (resolved once, then reused)."""
    key = (job.token, tuple(sorted((bases or {}).items())))
    with _LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            first = next((c for (t, _), c in _CONTEXTS.items() if t == job.token), None)
            if first is None:
                _, first = plan_for(job.source, job.opts, check=False, left_out=job.left_out)
            ctx = first.with_bases(bases or {}) if bases else first
            if len(_CONTEXTS) > 16:  # a long-lived worker serving many runs keeps the recent ones
                _CONTEXTS.pop(next(iter(_CONTEXTS)))
            _CONTEXTS[key] = ctx
        return ctx


def ranges(n: int, part_rows: int) -> list[tuple[int, int]]:
    """[start, stop) of each part of a table of ``n`` rows."""
    return [(a, min(a + part_rows, n)) for a in range(0, n, part_rows)]


def part_name(table: str, start: int, fmt: str) -> str:
    return f"{table}/part-{start:012d}.{fmt}"


def write_part(job: Job, table: str, start: int, stop: int, fs: Any, root: str, fmt: str) -> tuple[str, int]:
    """Write rows [start, stop) of ``table`` as one file under ``root`` on the fsspec
    filesystem ``fs``; (its path, rows)."""
    from seedbed.sinks.files import write_stream

    ctx = context(job)
    path = f"{root.rstrip('/')}/{part_name(table, start, fmt)}"
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as out:
        write_stream(out, ctx.spec(table).arrow_schema, ctx.batches(table, start, stop), fmt, header=start == 0)
    return path, stop - start


def generate(job: Job, table: str, start: int, stop: int, bases: dict[str, int]) -> bytes:
    """Rows [start, stop) of ``table`` as Arrow IPC stream bytes (what a worker hands back)."""
    ctx = context(job, bases)
    buf = pa.BufferOutputStream()
    with pa.ipc.new_stream(buf, ctx.spec(table).arrow_schema) as w:
        for b in ctx.batches(table, start, stop):
            w.write_batch(b)
    return buf.getvalue().to_pybytes()


def read_batches(data: bytes) -> list[pa.RecordBatch]:
    return list(pa.ipc.open_stream(pa.py_buffer(data)))
