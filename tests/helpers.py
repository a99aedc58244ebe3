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


# -- a fresh database of each dialect ------------------------------------------------------

DIALECTS = ["postgres", "mysql", "sqlite"]


def dialect_params() -> list:
    """The three dialects as parameters, marked with the server they need."""
    import pytest

    return [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql),
            "sqlite"]  # fmt: skip


def fresh_url(dialect: str, request, tmp_path, statements: list[str] | None = None) -> str:
    """A fresh database of ``dialect`` for one test (a SQLite file in tmp_path), holding
    ``statements`` when given."""
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue({"postgres": "fresh_pg_url", "mysql": "fresh_mysql_url"}[dialect])
    if statements:
        from seedbed.sinks import open_sink

        sink = open_sink(url)
        try:
            sink.execute(statements)
            sink.conn.commit()
        finally:
            sink.close()
    return url


def structure(url: str) -> set[tuple]:
    """Every index and constraint, from the database's own catalog."""
    from seedbed.sinks import open_sink

    sink = open_sink(url)
    try:
        family = sink.dialect.family
        if family == "postgres":
            sql = (
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated::text "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                "UNION ALL SELECT tablename, indexname, indexdef, '' FROM pg_indexes WHERE schemaname = 'public'"
            )
        elif family == "mysql":
            sql = (
                "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS "
                "WHERE TABLE_SCHEMA = DATABASE() UNION ALL SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE, '' "
                "FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE()"
            )
        else:
            sql = "SELECT tbl_name, name, sql, '' FROM sqlite_master WHERE type IN ('table', 'index')"
        rows = {tuple(map(str, r)) for r in sink.conn.exec_driver_sql(sql).fetchall() if "seedbed_runs" not in r[0]}
        sink.conn.commit()
        return rows
    finally:
        sink.close()
