"""Conformance: every real schema in shared/schemas is seeded with no plan file.

Each schema is loaded into a fresh database of its own dialect by that database's
own client, then seeded from reflection alone. It must end with every table
non-empty, no foreign-key orphans, no unique violations (CHECKs are enforced by
the database itself during the load), and identical data after a second run.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from seedbed.planning.model import PlanFile
from seedbed.run.options import SeedOptions
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.run.verify import verify
from seedbed.sinks import open_sink
from tests.conftest import IN_CI, MYSQL_URL, PG_URL

SCHEMAS = Path(os.environ.get("SEEDBED_SCHEMAS", Path(__file__).resolve().parents[2] / "shared" / "schemas"))

CASES = [
    ("pagila", "schema.sql", "postgres"),
    ("northwind_pg", "schema.sql", "postgres"),
    ("pgbench", "schema.sql", "postgres"),
    ("pgbench", "schema_partitioned.sql", "postgres"),
    ("supabase_auth_gotrue", "schema.sql", "postgres"),
    ("sakila_mysql", "schema.sql", "mysql"),
    ("employees_mysql", "schema.sql", "mysql"),
    ("employees_mysql", "schema_partitioned.sql", "mysql"),
    ("chinook_sqlite", "schema.sql", "sqlite"),
]


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        (pytest.fail if IN_CI else pytest.skip)(f"{tool} is not installed")


def _fresh_database(dialect: str, path: Path, tmp_path: Path):
    name = f"sb_conf_{uuid.uuid4().hex[:10]}"
    if dialect == "sqlite":
        db = tmp_path / "conf.db"
        con = sqlite3.connect(db)
        con.executescript(path.read_text())
        con.close()
        return f"sqlite:///{db}", lambda: None
    if dialect == "postgres":
        _need("psql")
        admin = PG_URL
        subprocess.run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
        url = admin.rsplit("/", 1)[0] + "/" + name
        subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(path)], check=True, capture_output=True)
        return url, lambda: subprocess.run(
            ["psql", admin, "-qc", f'DROP DATABASE "{name}" WITH (FORCE)'], capture_output=True
        )
    _need("mariadb")
    host = ["-h", "127.0.0.1", "-uroot"]
    subprocess.run(["mariadb", *host, "-e", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    # the dumps create and switch to a database of their own: load into ours instead,
    # including views that name their own database (`sakila.film`)
    text = path.read_text()
    for own in set(re.findall(r"(?im)^\s*USE\s+`?(\w+)`?\s*;", text)):
        text = re.sub(rf"(?i)`?\b{own}\b`?\.(?=`?\w)", f"{name}.", text)
    text = re.sub(r"(?im)^\s*(DROP\s+(SCHEMA|DATABASE)|CREATE\s+(SCHEMA|DATABASE)|USE)\b[^;]*;\s*$", "", text)
    try:
        subprocess.run(["mariadb", *host, name], input=text.encode(), check=True, capture_output=True)
    except subprocess.CalledProcessError:
        subprocess.run(["mariadb", *host, "-e", f"DROP DATABASE {name}"], capture_output=True)
        raise
    url = MYSQL_URL.rsplit("/", 1)[0] + "/" + name
    return url, lambda: subprocess.run(["mariadb", *host, "-e", f"DROP DATABASE {name}"], capture_output=True)


def _snapshot(sink, tables) -> str:
    h = hashlib.sha256()
    for t in tables:
        rows = sink.conn.exec_driver_sql(f"SELECT * FROM {sink.qname(t)}").fetchall()
        sink.conn.commit()
        h.update("\n".join(sorted(repr(tuple(r)) for r in rows)).encode())
    return h.hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize(("folder", "file", "dialect"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_seed_real_schema_without_a_plan(folder, file, dialect, tmp_path):
    path = SCHEMAS / folder / file
    if not path.is_file():
        (pytest.fail if IN_CI else pytest.skip)(f"{path} is missing")
    try:
        url, drop = _fresh_database(dialect, path, tmp_path)
    except subprocess.CalledProcessError as err:
        (pytest.fail if IN_CI else pytest.skip)(f"cannot load {path}: {err.stderr.decode()[:300]}")
    src = Source(folder, PlanFile(name=folder), None)
    opts = SeedOptions(seed=1, rows=None, manifest_dir=None)
    sink = open_sink(url)
    try:
        first = seed(sink, src, opts)
        assert len(first.tables) >= 3, f"only {list(first.tables)} seeded"
        # a table may be filled by the database's own triggers (sakila's film_text): count rows
        empty = [t for t in first.tables if sink.scalar(f"SELECT count(*) FROM {sink.qname(t)}") == 0]
        assert not empty, f"tables left empty: {empty}"
        report = verify(sink, src, opts)
        assert report.ok, [(r.name, r.expected, r.actual) for r in report.failures]
        tables = list(first.tables)
        before = _snapshot(sink, tables)
        again = seed(sink, src, opts)
        assert again.inserted_total == 0
        assert _snapshot(sink, tables) == before
    finally:
        sink.close()
        drop()
