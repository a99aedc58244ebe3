"""Cheap reruns: a completed run is recognised from its manifest through the bare driver,
and anything that makes that unsafe sends the rerun down the full path."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from seedbed import api, dialects
from seedbed.cli.app import app
from seedbed.run import digest as rerun
from seedbed.run.options import SeedOptions
from seedbed.run.seed import seed
from seedbed.run.source import source_from
from seedbed.sinks import open_sink
from seedbed.sinks.probe import quick_rerun

SCALE = 0.002


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rerun.db'}"
    if request.param == "mysql":
        return request.getfixturevalue("fresh_mysql_url")
    return request.getfixturevalue("fresh_pg_url")


def _digest(url, opts, recipe="scale-seed", plan=None, ddl=None, dialect=None):
    return rerun.run_digest(rerun.input_files(recipe, plan, ddl, dialect), dialects.for_url(url).family, opts)


@pytest.mark.slow
def test_completed_run_is_recognised_until_a_sampled_key_goes(db_url, tmp_path):
    opts = SeedOptions(seed=7, scale=SCALE, manifest_dir=tmp_path / "runs")
    sink = open_sink(db_url)
    try:
        m = seed(sink, source_from(recipe="scale-seed"), opts)
        assert m.inputs == _digest(db_url, opts)
        assert set(m.probe) == {t for t, rec in m.tables.items() if rec.planned}
    finally:
        sink.close()

    quick = quick_rerun(db_url, _digest(db_url, opts))
    assert quick is not None and quick.inserted_total == 0 and quick.planned_total == m.planned_total
    assert all(rec.mode == "complete" for rec in quick.tables.values())
    # another scale, seed or locale is another run: never answered from this manifest
    for other in (
        SeedOptions(seed=7, scale=SCALE * 2),
        SeedOptions(seed=8, scale=SCALE),
        SeedOptions(seed=7, scale=SCALE, locale="de_DE"),
    ):
        assert quick_rerun(db_url, _digest(db_url, other)) is None
    # --full takes the full path: every row is checked again
    full = api.seed(db_url, recipe="scale-seed", seed=7, scale=SCALE, full=True, manifest_dir=None)
    assert full.inserted_total == 0 and {rec.mode for rec in full.tables.values()} == {"merge"}

    # the last row of the largest table is deleted: the full path has to put it back
    probe = m.probe["audit_events"]
    sink = open_sink(db_url)
    try:
        with sink.conn.begin():
            sink.conn.execute(
                sa.text(f"DELETE FROM {sink.qname('audit_events')} WHERE id = :k"), {"k": probe["rows"][-1][0]}
            )
    finally:
        sink.close()
    assert quick_rerun(db_url, _digest(db_url, opts)) is None
    sink = open_sink(db_url)
    try:
        again = seed(sink, source_from(recipe="scale-seed"), opts)
    finally:
        sink.close()
    assert again.inserted_total == 1
    assert quick_rerun(db_url, _digest(db_url, opts)) is not None


def test_cli_rerun_of_a_ddl_and_plan_follows_the_files(tmp_path):
    ddl = tmp_path / "shop.sql"
    ddl.write_text(
        "CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n"
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
        "REFERENCES customer(id), total NUMERIC(10,2) NOT NULL);\n"
    )
    plan = tmp_path / "shop.yaml"
    plan.write_text("name: shop\ntables:\n  customer: {rows: 20}\n  orders: {rows: 50}\n")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    args = [
        "seed",
        "--db",
        url,
        "--ddl",
        str(ddl),
        "--dialect",
        "sqlite",
        "--plan",
        str(plan),
        "--seed",
        "3",
        "--create-schema",
        "--manifest-dir",
        str(tmp_path / "runs"),
    ]
    run = CliRunner().invoke
    first = run(app, args)
    assert first.exit_code == 0, first.output
    opts = SeedOptions(seed=3, manifest_dir=None)
    digest = rerun.run_digest(rerun.input_files(None, plan, ddl, "sqlite"), "sqlite", opts)
    assert quick_rerun(url, digest) is not None
    second = run(app, args)
    assert second.exit_code == 0 and "nothing to add" in second.output

    # an edited plan is another plan: the full path refuses it and says what to do
    plan.write_text("name: shop\ntables:\n  customer: {rows: 20}\n  orders: {rows: 60}\n")
    digest = rerun.run_digest(rerun.input_files(None, plan, ddl, "sqlite"), "sqlite", opts)
    assert quick_rerun(url, digest) is None
    third = run(app, args)
    assert third.exit_code != 0 and "purge it first" in third.output


def test_quick_rerun_never_creates_a_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    opts = SeedOptions(seed=1, manifest_dir=None)
    assert quick_rerun(url, _digest(url, opts)) is None
    assert not (tmp_path / "absent.db").exists()


def test_reflected_sources_have_no_digest():
    assert rerun.input_files(None, None, None) is None
    assert rerun.run_digest(None, "postgres", SeedOptions()) is None
