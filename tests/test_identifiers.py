"""Names with dots, quotes, backticks, brackets, spaces, reserved words and non-ASCII
letters seed, verify and purge on every database, and show as they are."""

from __future__ import annotations

import pytest

from seedbed.planning.model import PlanFile
from seedbed.run.options import SeedOptions
from seedbed.run.purge import purge
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.run.verify import verify
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url

# the same schema in each database's quoting
ANSI = [
    'CREATE TABLE "my.table" ("id" integer PRIMARY KEY, "na me" varchar(50) NOT NULL, "[bracket]" varchar(50),'
    ' "select" integer, "naïve" varchar(60) UNIQUE, "quo""te" varchar(50), "back`tick" varchar(50))',
    'CREATE TABLE "child`s" ("id" integer PRIMARY KEY, "parent id" integer NOT NULL REFERENCES "my.table" ("id"),'
    ' "ünï" varchar(50), "order" varchar(20))',
    'CREATE INDEX "idx.odd" ON "child`s" ("ünï")',
]
MYSQL = [
    "CREATE TABLE `my.table` (`id` integer PRIMARY KEY, `na me` varchar(50) NOT NULL, `[bracket]` varchar(50),"
    ' `select` integer, `naïve` varchar(60) UNIQUE, `quo"te` varchar(50), `back``tick` varchar(50))',
    "CREATE TABLE `child``s` (`id` integer PRIMARY KEY, `parent id` integer NOT NULL, `ünï` varchar(50),"
    " `order` varchar(20), CONSTRAINT `fk.odd` FOREIGN KEY (`parent id`) REFERENCES `my.table` (`id`))",
    "CREATE INDEX `idx.odd` ON `child``s` (`ünï`)",
]
DIALECTS = dialect_params()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_odd_names_seed_verify_and_purge(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path, MYSQL if dialect == "mysql" else ANSI)
    sink = open_sink(url)
    try:
        src = Source("odd", PlanFile(name="odd"), None)
        opts = SeedOptions(seed=1, rows=30, manifest_dir=None)
        m = seed(sink, src, opts)
        assert m.status == "completed", m.left_out
        names = {t.split(".")[-1] if dialect == "postgres" and t.startswith("public.") else t for t in m.tables}
        assert any("my.table" in n for n in names) and any("child`s" in n for n in names), names
        assert m.inserted_total == 60
        report = verify(sink, src, opts)
        assert report.ok, [(r.name, r.actual) for r in report.failures]
        # the unique non-ASCII column is known as unique: its values are distinct
        q = sink.dialect.quote
        distinct = sink.scalar(f"SELECT count(DISTINCT {q('naïve')}) FROM {q('my.table')}")
        assert distinct == sink.scalar(f"SELECT count({q('naïve')}) FROM {q('my.table')}")
        deleted = purge(sink, src, opts)
        assert sum(deleted.values()) == 60
        assert sink.scalar(f"SELECT count(*) FROM {q('child`s')}") == 0
    finally:
        sink.close()


def test_names_with_brackets_show_as_they_are(tmp_path):
    from typer.testing import CliRunner

    from seedbed.cli.app import app

    ddl = tmp_path / "b.sql"
    ddl.write_text('CREATE TABLE "[red]x" (id integer PRIMARY KEY, "[bold]y" text);\n')
    url = f"sqlite:///{tmp_path / 'b.db'}"
    run = CliRunner().invoke(
        app, ["seed", "--ddl", str(ddl), "--dialect", "sqlite", "--db", url, "--create-schema", "--rows", "3",
              "--manifest-dir", str(tmp_path / "runs")], env={"COLUMNS": "200"},
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "[red]x" in run.output
    plan = CliRunner().invoke(app, ["plan", "--ddl", str(ddl), "--dialect", "sqlite", "--columns"])
    assert "[red]x" in plan.output and "[bold]y" in plan.output
