"""One table never stops the others, and a run that did not complete goes on after a fix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml
from typer.testing import CliRunner

from seedbed.cli.app import app
from seedbed.planning.load import parse_plan
from seedbed.run.options import SeedOptions
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.run.verify import verify
from seedbed.schema.ddl import parse_ddl
from seedbed.sinks import open_sink

DDL = """
CREATE TABLE a (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE b (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES a (id), x integer NOT NULL CHECK (x > 0));
CREATE TABLE c (id integer PRIMARY KEY, b_id integer NOT NULL REFERENCES b (id));
CREATE TABLE d (id integer PRIMARY KEY, a_id integer REFERENCES a (id), note text);
"""
REFUSE_B = "CREATE TRIGGER refuse_b BEFORE INSERT ON b BEGIN SELECT RAISE(ABORT, 'b is closed'); END;"


def _db(tmp_path: Path, extra: str = "") -> str:
    path = tmp_path / "iso.db"
    con = sqlite3.connect(path)
    con.executescript(DDL + extra)
    con.close()
    return f"sqlite:///{path}"


def _seed(url: str, plan: dict | None = None, **opts):
    sink = open_sink(url)
    try:
        src = Source("iso", parse_plan(plan or {}, "plan.yaml"), parse_ddl(DDL, "sqlite"))
        o = SeedOptions(seed=4, rows=50, manifest_dir=None, **opts)
        return seed(sink, src, o), verify(sink, src, o)
    finally:
        sink.close()


def _drop_trigger(url: str) -> None:
    """The schema fixed: b's trigger that refuses every row is gone."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    con.execute("DROP TRIGGER refuse_b")
    con.commit()
    con.close()


def _count(url: str, table: str) -> int:
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_a_table_the_database_refuses_leaves_out_it_and_its_children_only(tmp_path):
    url = _db(tmp_path, REFUSE_B)
    m, report = _seed(url)
    assert m.status == "partial"
    assert set(m.left_out) == {"b", "c"}
    assert "b is closed" in m.left_out["b"] and "refer to b" in m.left_out["c"]
    assert _count(url, "a") == 50 and _count(url, "d") == 50
    assert _count(url, "b") == 0 and _count(url, "c") == 0
    failed = [r.name for r in report.results if not r.ok]
    assert failed == ["every table was seeded"]
    again, _ = _seed(url)  # the same run again: nothing to add, still partial
    assert again.inserted_total == 0 and again.status == "partial"


def test_after_the_schema_is_fixed_the_next_run_fills_the_rest(tmp_path):
    url = _db(tmp_path, REFUSE_B)
    _seed(url)
    _drop_trigger(url)
    m, report = _seed(url)
    assert m.status == "completed" and not m.left_out and report.ok
    assert (m.tables["a"].inserted, m.tables["b"].inserted, m.tables["c"].inserted) == (0, 50, 50)


def test_after_the_plan_is_fixed_the_next_run_goes_on(tmp_path):
    url = _db(tmp_path)
    bad = {"tables": {"b": {"columns": {"x": {"int": [-5, -1]}}}}}
    m, _ = _seed(url, bad)
    assert m.status == "partial" and "b" in m.left_out and "CHECK" in m.left_out["b"].upper()
    good = {"tables": {"b": {"columns": {"x": {"int": [1, 5]}}}}}
    m, report = _seed(url, good)  # another version of the plan: allowed, the run had not completed
    assert m.status == "completed" and report.ok
    assert m.tables["a"].inserted == 0 and m.tables["b"].inserted == 50
    assert _count(url, "a") == 50 and _count(url, "b") == 50


def test_a_changed_table_of_an_unfinished_run_is_rewritten_by_key(tmp_path):
    url = _db(tmp_path, REFUSE_B)
    _seed(url)
    _drop_trigger(url)
    plan = {"tables": {"a": {"columns": {"name": {"choices": ["renamed"]}}}}}
    m, report = _seed(url, plan)
    assert m.status == "completed" and report.ok
    assert _count(url, "a") == 50  # rewritten, not doubled
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    assert con.execute("SELECT DISTINCT name FROM a").fetchall() == [("renamed",)]
    con.close()


def test_a_completed_run_still_refuses_another_plan(tmp_path):
    url = _db(tmp_path)
    _seed(url)
    try:
        _seed(url, {"tables": {"a": {"columns": {"name": {"choices": ["x"]}}}}})
    except Exception as err:  # noqa: BLE001
        assert "another version of the plan" in str(err)
    else:
        raise AssertionError("a completed run was overwritten by another plan")


def test_the_cli_reports_left_out_tables_and_exits_3(tmp_path):
    url = _db(tmp_path, REFUSE_B)
    ddl = tmp_path / "schema.sql"
    ddl.write_text(DDL)
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"name": "iso", "default_rows": 20}))
    args = ["seed", "--db", url, "--ddl", str(ddl), "--dialect", "sqlite", "--plan", str(plan)]
    result = CliRunner().invoke(app, [*args, "--manifest-dir", str(tmp_path / "runs")])
    assert result.exit_code == 3, result.output
    assert "2 table(s) left out" in result.output and "b is closed" in result.output
    assert "Traceback" not in result.output


def test_a_column_type_with_no_generator_leaves_out_only_its_table():
    from seedbed.run.prepare import plan_for

    ddl = DDL + "CREATE TABLE w (id integer PRIMARY KEY, a_id integer REFERENCES a (id), v weirdtype NOT NULL);"
    ddl += "CREATE TABLE n (id integer PRIMARY KEY, v weirdtype, w_id integer REFERENCES w (id));"
    plan, _ = plan_for(Source("iso", parse_plan({}, "p"), parse_ddl(ddl, "postgres")), SeedOptions(rows=10))
    assert set(plan.left_out) == {"w"}
    why = plan.left_out["w"]
    assert "'v'" in why and "weirdtype" in why and "tables.w.columns.v" in why
    assert "n" in plan.order and "v" not in plan.tables["n"].columns and "w_id" not in plan.tables["n"].columns
    assert any("n.v" in w and "weirdtype" in w for w in plan.warnings)  # nullable: NULL, with a warning
