"""Helpers shared by tests: generating a recipe's tables in memory and hashing them."""

from __future__ import annotations

import hashlib

import pyarrow as pa

from seedbed.engine import Context
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.source import source_from


def recipe_context(name: str = "scale-seed", *, seed=123, scale=0.1, chunk_size=50_000) -> Context:
    _, ctx = plan_for(source_from(recipe=name), SeedOptions(seed=seed, scale=scale, chunk_size=chunk_size))
    return ctx


def table_of(ctx: Context, name: str, *, reverse: bool = False) -> pa.Table:
    """All rows of ``name``, generated chunk by chunk (optionally last chunk first)."""
    n = ctx.rows(name)
    starts = list(range(0, n, ctx.chunk_size))
    if reverse:
        starts.reverse()
    batches = {a: ctx.batch(name, a, min(a + ctx.chunk_size, n)) for a in starts}
    return pa.Table.from_batches([batches[a] for a in sorted(batches)], schema=ctx.spec(name).arrow_schema)


def digest(table: pa.Table) -> str:
    """SHA-256 of a table's contents in Arrow IPC form, independent of chunking."""
    sink = pa.BufferOutputStream()
    combined = table.combine_chunks()
    with pa.ipc.new_stream(sink, combined.schema) as w:
        for b in combined.to_batches(max_chunksize=1 << 30):
            w.write_batch(b)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
