"""State machines: an entity's status and its history agree, transitions are allowed ones,
timestamps increase - shown by verify's own checks, which fail on tampered rows."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli

DDL = """
CREATE TABLE items (id integer PRIMARY KEY, created_at timestamp NOT NULL,
  status varchar(20) NOT NULL CHECK (status IN ('new', 'triaged', 'in_progress', 'blocked', 'done', 'cancelled')),
  status_since timestamp NOT NULL);
CREATE TABLE item_history (id integer PRIMARY KEY, item_id integer NOT NULL REFERENCES items (id),
  from_status varchar(20), to_status varchar(20) NOT NULL, changed_at timestamp NOT NULL);
"""
PLAN = """name: workflow
schema: {ddl}
anchor: 2026-10-31T00:00:00Z
machines:
  workflow:
    states: [new, triaged, in_progress, blocked, done, cancelled]
    initial: new
    start: created_at
    transitions:
      new: {{triaged: {a}, cancelled: 0.1, stay: 0.1}}
      triaged: {{in_progress: 0.85, cancelled: 0.1, stay: 0.05}}
      in_progress: {{done: {b}, blocked: 0.25, stay: 0.15}}
      blocked: {{in_progress: 0.8, cancelled: 0.2}}
    dwell: {{new: [1h, 3d], triaged: [2h, 5d], in_progress: [1d, 20d], blocked: [1d, 10d]}}
    max_steps: {steps}
tables:
  items:
    rows: {items}
    columns:
      created_at: {{time: {{between: [-660d, -5d]}}}}
      status: {{state: {{machine: workflow}}}}
      status_since: {{state: {{machine: workflow, part: since}}}}
  item_history:
    rows: {{per: items, each: {each}}}
    columns:
      from_status: {{state: {{machine: workflow, part: from}}}}
      to_status: {{state: {{machine: workflow, part: to}}}}
      changed_at: {{state: {{machine: workflow, part: at}}}}
"""
CHECKS = ("every transition is one workflow allows", "each history is one chain in time order",
          "items.status is where its history ends")  # fmt: skip


def _plan(tmp_path, a=0.8, b=0.6, steps=8, items=150) -> str:
    ddl = tmp_path / "w.sql"
    ddl.write_text(DDL)
    plan = tmp_path / "w.yaml"
    plan.write_text(PLAN.format(ddl=ddl, a=a, b=b, steps=steps, items=items, each=steps + 1))
    return str(plan)


@pytest.mark.parametrize("dialect", dialect_params())
def test_status_and_history_agree_and_verify_says_so(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    plan = _plan(tmp_path)
    assert cli("seed", "--plan", plan, "--db", url, "--create-schema").code == 0
    run = cli("verify", "--plan", plan, "--db", url)
    assert run.code == 0 and all(f"ok   {c}" in run.flat or c in run.flat for c in CHECKS), run.output
    with closing(open_sink(url)) as sink:
        lengths = [r[0] for r in sink.conn.exec_driver_sql("SELECT count(*) FROM item_history GROUP BY item_id")]
        statuses = {r[0] for r in sink.conn.exec_driver_sql("SELECT DISTINCT status FROM items")}
        # a walk per item: of varying length, ending in several states
        assert len(lengths) == 150 and min(lengths) == 1 and max(lengths) >= 4 and len(statuses) >= 4
        sink.conn.exec_driver_sql("UPDATE item_history SET to_status = 'done' WHERE from_status = 'new'")
        sink.conn.commit()
    bad = cli("verify", "--plan", plan, "--db", url)
    assert bad.code == 1 and "FAIL" in bad.output.upper(), bad.output
    assert "every transition is one workflow allows" in bad.flat


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(1, 10**6), a=st.floats(0.1, 3), b=st.floats(0.1, 3), steps=st.integers(0, 12))
def test_any_machine_and_seed_passes_its_checks(tmp_path_factory, seed, a, b, steps):
    tmp = tmp_path_factory.mktemp("m")
    url = f"sqlite:///{tmp / 'm.db'}"
    plan = _plan(tmp, a=round(a, 3), b=round(b, 3), steps=steps, items=60)
    seedbed.seed(url, plan=plan, seed=seed, create_schema=True, manifest_dir=None)
    report = seedbed.verify(url, plan=plan, seed=seed)
    assert report.ok, report.failures


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("initial: new", "initial: fresh", "initial state 'fresh' is not among its states"),
        ("blocked: {in_progress: 0.8", "blocked: {in_review: 0.8", "unknown state(s) 'in_review'"),
        ("blocked: [1d, 10d]", "blocked: [0s, 10d]", "0 < min <= max"),
        ("status: {state: {machine: workflow}}", "status: {state: {machine: flow}}", "no state machine 'flow'"),
        ("from_status: {state: {machine: workflow, part: from}}", "from_status: {state: {machine: workflow, part: x}}",
         "state.part is one of"),
    ],
)  # fmt: skip
def test_bad_machines_are_named(tmp_path, old, new, message):
    plan = _plan(tmp_path)
    text = Path(plan).read_text()
    assert old in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace(old, new))
    run = cli("plan", "--plan", bad)
    assert run.code == 2 and message in run.flat and "Traceback" not in run.output, run.output
