"""Is a run's data still there? The first and last key of every table, asked in one query each.

A rerun of a completed run only needs to see that its rows are still in place; the
keys of each table's first and last rows stand for the rest (``--full`` checks every
row). The same query serves two callers:

- the full path (``run/seed.py``), with the plan resolved and the sink open (there the
  few keys go through ``Sink.count``, which asks with ``presence_sql``);
- the cheap rerun (``quick_rerun``), before numpy, pyarrow, sqlglot or SQLAlchemy are
  imported at all: a completed run's manifest holds a digest of its inputs and those
  sampled keys, so a rerun with the same digest is a file hash, one bare driver
  connection (``Dialect.connect``, as every connection) and a query per table.

Anything unexpected on the cheap path (another digest, a missing key, a driver error)
returns None, and the caller takes the full path, which reports any error properly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.sinks.manifest import Execute, Manifest, ManifestStore

if TYPE_CHECKING:
    from seedbed.engine import Context


def presence_sql(dialect: Dialect, schema: str | None, table: str, columns: Sequence[str], n: int) -> str:
    """``SELECT count(*)`` of the ``n`` given keys present in a table (driver parameter marks)."""
    target = ".".join(dialect.quote(p) for p in (schema, table) if p)
    cols = ", ".join(dialect.quote(c) for c in columns)
    one = "(" + ", ".join([dialect.param] * len(columns)) + ")"
    return f"SELECT count(*) FROM {target} WHERE ({cols}) IN ({', '.join([one] * n)})"


def sample_keys(
    ctx: Context, driver_values: Any, refused: dict[str, list[int]] | None = None
) -> dict[str, dict[str, Any]] | None:
    """The keys of the first and last row of every table (of those the database did not
    refuse), as the driver binds them; None when a key is of a type a JSON manifest would
    not bring back unchanged."""
    out = {}
    for name in ctx.plan.written:
        frame = ctx.sample(name, (refused or {}).get(name, ()))
        if frame is None:
            continue
        spec = frame.spec
        cols: list[list[Any]] = [driver_values(frame.col(c)) for c in spec.key]
        rows = [list(r) for r in zip(*cols, strict=True)]
        if not all(type(v) in (str, int) for r in rows for v in r):
            return None
        out[name] = {"schema": spec.table.schema, "table": spec.table.name, "columns": list(spec.key), "rows": rows}
    return out


def still_there(execute: Execute, dialect: Dialect, probe: dict[str, Any]) -> bool:
    rows = probe["rows"]
    sql = presence_sql(dialect, probe["schema"], probe["table"], probe["columns"], len(rows))
    found = execute(sql, [v for row in rows for v in row])
    return int(found[0][0]) == len(rows)


def quick_rerun(url: str, digest: str | None) -> Manifest | None:
    """The completed run with this digest, when its sampled keys are all still there."""
    if digest is None:
        return None
    try:
        dialect = dialects.for_url(url)
        con = dialect.connect(url, timeout=5, read_only=True)
    except Exception:  # noqa: BLE001 - no driver, bad URL, server down: the full path says why
        return None
    try:
        execute = raw_executor(con)
        found = _completed(ManifestStore(dialect, execute, url), digest)
        if found is None or not all(still_there(execute, dialect, p) for p in (found.probe or {}).values()):
            return None
    except Exception:  # noqa: BLE001 - a table gone, a permission: the full path finds out
        return None
    finally:
        with contextlib.suppress(Exception):
            con.close()
    for rec in found.tables.values():
        rec.inserted, rec.seconds, rec.mode = 0, 0.0, "complete"
    found.seconds = 0.0
    return found


def _completed(store: ManifestStore, digest: str) -> Manifest | None:
    for data in store.records():
        if data.get("inputs") == digest:
            m = Manifest.from_dict(data)
            # a run grown by a larger size answers only through the full path (run/grow.py)
            grown = bool((m.options or {}).get("grown"))
            complete = m.status == "completed" and not m.pending_ddl and m.probe is not None and not grown
            covered = m.probe is not None and all(name in m.probe for name, rec in m.tables.items() if rec.planned)
            return m if complete and covered else None
    return None


def raw_executor(con: Any) -> Execute:
    """``execute`` over a bare DB-API connection."""

    def execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cur = con.cursor()
        try:
            cur.execute(sql, tuple(params))
            return list(cur.fetchall()) if cur.description else []
        finally:
            cur.close()

    return execute
