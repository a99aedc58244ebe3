"""Rerunning a completed run cheaply, before the engine is even loaded.

A completed run's manifest records a digest of everything that decides its rows (the
plan and DDL files, the options, seedbed's own code) and the keys of the first and
last row of every table. A rerun with the same digest only needs to see that those
keys are still there: one query per table through the bare driver, with no plan to
resolve and no numpy, pyarrow, sqlglot or SQLAlchemy to import. Anything unexpected
(another digest, a missing key, a driver error) returns None, and the caller takes the
full path, which does the real checks and reports any error properly.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from seedbed.run.manifest import MANIFEST_TABLE, Manifest
from seedbed.run.options import SeedOptions

BACKENDS = {"postgresql": "postgres", "postgres": "postgres", "sqlite": "sqlite", "mysql": "mysql", "mariadb": "mysql"}


def backend(url: str) -> str | None:
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower() if ":" in url else ""
    return BACKENDS.get(scheme)


def input_files(
    recipe: str | None, plan: str | Path | None, ddl: str | Path | None, dialect: str | None = None
) -> list[bytes] | None:
    """The bytes of every file a source is built from (and the dialect it is read in);
    None when the schema is reflected from the database (a rerun then has to look at
    the database anyway)."""
    files = _files(recipe, plan, ddl)
    return None if files is None else [*files, b"dialect\0" + (dialect or "").encode()]


def _files(recipe: str | None, plan: str | Path | None, ddl: str | Path | None) -> list[bytes] | None:
    try:
        if recipe:
            from seedbed.recipes import folder_of

            folder = folder_of(recipe)
            if folder is None:
                return None
            return [p.name.encode() + b"\0" + p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]
        files = [Path(plan).read_bytes()] if plan else []
        if ddl:
            return [*files, b"ddl\0" + Path(ddl).read_bytes()]
        if plan:
            schema_file = _schema_file(files[0])
            if schema_file:
                return [*files, b"ddl\0" + (Path(plan).parent / schema_file).read_bytes()]
    except OSError:
        return None
    return None


def _schema_file(plan_text: bytes) -> str | None:
    import yaml

    try:
        data = yaml.load(plan_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    value = data.get("schema") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


@lru_cache(maxsize=1)
def code_digest() -> str:
    """seedbed's own files: another version may make other rows from the same plan."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(digest_size=16)
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".json", ".yaml", ".sql") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def run_digest(files: list[bytes] | None, backend_name: str | None, opts: SeedOptions) -> str | None:
    """What decides a run's rows, as given (so ``--seed`` left out and given differ)."""
    if files is None or backend_name is None:
        return None
    h = hashlib.blake2b(digest_size=16)
    for f in files:
        h.update(hashlib.blake2b(f, digest_size=16).digest())
    asked = [backend_name, opts.seed, opts.scale, opts.profile, opts.rows, opts.locale, code_digest()]
    h.update(json.dumps(asked, default=str).encode())
    return h.hexdigest()


def sample_keys(sink, ctx) -> dict[str, dict[str, Any]] | None:
    """The keys of the first and last row of every table, as the driver binds them; None
    when a key is of a type a JSON manifest would not bring back unchanged."""
    import numpy as np

    out = {}
    for name in ctx.plan.order:
        spec = ctx.spec(name)
        n = ctx.rows(name)
        if n == 0:
            continue
        frame = ctx.frame(name, np.array(sorted({0, n - 1}), dtype=np.int64))
        cols = [sink.python_values(frame.col(c)) for c in spec.key]
        rows = [list(r) for r in zip(*cols, strict=True)]
        if not all(type(v) in (str, int) for r in rows for v in r):
            return None
        out[name] = {"schema": spec.table.schema, "table": spec.table.name, "columns": list(spec.key), "rows": rows}
    return out


def quick_rerun(url: str, digest: str | None, opts: SeedOptions) -> Manifest | None:
    """The completed run with this digest, when its sampled keys are all still there."""
    if digest is None or opts.full:
        return None
    try:
        con, mark, quote = _connect(url)
    except Exception:  # noqa: BLE001 - no driver, bad URL, server down: the full path says why
        return None
    if con is None:
        return None
    try:
        found = _completed(con, digest)
        if found is None or not all(_present(con, mark, quote, p) for p in found.probe.values()):
            return None
    except Exception:  # noqa: BLE001 - a table gone, a permission: the full path finds out
        return None
    finally:
        con.close()
    for rec in found.tables.values():
        rec.inserted, rec.seconds, rec.mode = 0, 0.0, "complete"
    found.seconds = 0.0
    if opts.manifest_dir is not None:
        found.write(opts.manifest_dir)
    return found


def _completed(con, digest: str) -> Manifest | None:
    cur = con.cursor()
    cur.execute(f"SELECT manifest FROM {MANIFEST_TABLE}")
    for (text,) in cur.fetchall():
        data = json.loads(text)
        if data.get("inputs") == digest:
            m = Manifest.from_dict(data)
            complete = m.status == "completed" and not m.pending_ddl and m.probe is not None
            covered = m.probe is not None and all(name in m.probe for name, rec in m.tables.items() if rec.planned)
            return m if complete and covered else None
    return None


def _present(con, mark: str, quote, probe: dict[str, Any]) -> bool:
    table = ".".join(quote(p) for p in (probe["schema"], probe["table"]) if p)
    cols = ", ".join(quote(c) for c in probe["columns"])
    one = "(" + ", ".join([mark] * len(probe["columns"])) + ")"
    sql = f"SELECT count(*) FROM {table} WHERE ({cols}) IN ({', '.join([one] * len(probe['rows']))})"
    cur = con.cursor()
    cur.execute(sql, [v for row in probe["rows"] for v in row])
    return int(cur.fetchone()[0]) == len(probe["rows"])


def _connect(url: str):
    """A bare DB-API connection: (connection, parameter mark, identifier quoting)."""
    kind = backend(url)
    parts = urlsplit(url)
    if kind == "postgres":
        import psycopg

        dsn = "postgresql:" + url.split(":", 1)[1]
        return psycopg.connect(dsn, connect_timeout=5), "%s", _dq
    if kind == "sqlite":
        import sqlite3

        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path or path.startswith(":memory:") or parts.query or not Path(path).is_file():
            return None, "", None
        # read-only: a rerun that finds nothing to do must not even create a file
        return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True), "?", _dq
    if kind == "mysql" and not parts.query:
        import pymysql

        con = pymysql.connect(
            host=parts.hostname or "localhost",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=parts.path.lstrip("/") or None,
            connect_timeout=5,
            charset="utf8mb4",
        )
        return con, "%s", lambda name: "`" + name.replace("`", "``") + "`"
    return None, "", None


def _dq(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
