"""``seedbed export --format sql``: INSERT statements that, run by the database's own client
into an empty schema, give exactly the rows ``seed`` writes (a hierarchy's keys included)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

import seedbed
from seedbed import dialects
from seedbed.recipes import load_recipe
from seedbed.schema.ddl import transpile_ddl
from seedbed.sinks import open_sink
from tests.conftest import _fresh_mysql, _fresh_pg, _module_db_name
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli

TABLES = ("organisations", "workspaces", "teams", "users", "cycles", "objectives", "key_results", "check_ins")


def _client(dialect: str, url: str, path) -> list[str]:
    if dialect == "postgres":
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(path)]
    if dialect == "mysql":
        db = url.rsplit("/", 1)[1]
        return ["sh", "-c", f"mysql -h127.0.0.1 -uroot {db} < '{path}'"]
    return ["sh", "-c", f"sqlite3 -bail '{url.removeprefix('sqlite:///')}' < '{path}'"]


@contextmanager
def _second(dialect: str, request, tmp_path: Path) -> Iterator[str]:
    """Another fresh database beside the test's own."""
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    maker = _fresh_pg if dialect == "postgres" else _fresh_mysql
    made = maker(f"{_module_db_name(request)}_b")
    try:
        yield next(made)
    finally:
        next(made, None)


@pytest.mark.parametrize("dialect", dialect_params())
def test_the_statements_give_the_seeded_rows(dialect, request, tmp_path):
    seeded = fresh_url(dialect, request, tmp_path)
    seedbed.seed(seeded, recipe="okr-tenant", manifest_dir=None)
    with _second(dialect, request, tmp_path) as loaded:
        _load_and_compare(dialect, seeded, loaded, tmp_path)


def _load_and_compare(dialect: str, seeded: str, loaded: str, tmp_path: Path) -> None:
    recipe = load_recipe("okr-tenant")
    with closing(open_sink(loaded)) as sink:
        sink.execute(transpile_ddl(recipe.ddl, read=dialects.get("postgres"), write=sink.flavour))
        sink.conn.commit()
    out = tmp_path / "sql"
    run = cli("export", "--recipe", "okr-tenant", "--format", "sql", "--target", dialect, "--out", out)
    assert run.code == 0, run.output
    files = sorted(out.glob("*.sql"))
    assert files[0].name == "001_organisations.sql" and files[-1].name.endswith("_set_after.sql")
    for path in files:
        done = subprocess.run(_client(dialect, loaded, path), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (path.name, done.stderr[-2000:])
    with closing(open_sink(seeded)) as a, closing(open_sink(loaded)) as b:
        for table in TABLES:
            sql = f"SELECT * FROM {table} ORDER BY id"
            assert list(a.conn.exec_driver_sql(sql)) == list(b.conn.exec_driver_sql(sql)), table


def test_the_text_does_not_depend_on_the_batch_size(tmp_path):
    a = seedbed.export(tmp_path / "a", format="sql", recipe="rollout", target="mysql", chunk_size=7)
    b = seedbed.export(tmp_path / "b", format="sql", recipe="rollout", target="mysql")
    assert [p.read_bytes() for p in a.values()] == [p.read_bytes() for p in b.values()]
    text = a["clients"].read_text()
    assert text.startswith("-- `clients`: INSERT statements for mysql") and "INSERT INTO `clients` (`id`" in text
    bad = cli("export", "--recipe", "rollout", "--format", "sql", "--target", "oracle", "--out", tmp_path / "c")
    assert bad.code == 2 and "unknown --target 'oracle'" in bad.flat
