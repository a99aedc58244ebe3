"""The scale-seed recipe (S1) keeps its rules: counts, DAG, storage totals, dates, sizes."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tests.helpers import recipe_context, table_of

# SPEC.md's table at scale 0.1; None marks the approximate (~) rows
AT_0_1 = {
    "organizations": 1,
    "users": 50,
    "user_organizations": 50,
    "workspaces": 5,
    "workspace_members": 220,
    "projects": 100,
    "work_tasks": 10_000,
    "schedule_baselines": 20,
    "earned_value_snapshots": 240,
    "workspace_member_capacity": 4_500,
    "attachments": 5_000,
    "workspace_storage_usage": 5,
    "audit_events": 200_000,
}
APPROX = {"work_task_dependencies": 25_000, "schedule_baseline_items": 2_000}


@pytest.fixture(scope="module")
def ctx():
    return recipe_context(scale=0.1)


@pytest.fixture(scope="module")
def tables(ctx):
    return {name: table_of(ctx, name) for name in ctx.plan.order}


@pytest.mark.parametrize("scale, factor", [(0.1, 1), (1.0, 10), (10.0, 100)])
def test_counts_follow_the_spec(scale, factor):
    c = recipe_context(scale=scale)
    for name, n in AT_0_1.items():
        assert c.rows(name) == n * factor, name
    for name, n in APPROX.items():
        assert abs(c.rows(name) - n * factor) <= 0.1 * n * factor, name


def test_tiny_scale_floors_with_minimum_one():
    c = recipe_context(scale=0.0001)
    assert all(c.rows(t) >= 1 for t in c.plan.order)
    assert c.rows("organizations") == 1 and c.rows("users") == 1


def test_organization_records_seed(tables):
    org = tables["organizations"].to_pylist()[0]
    assert org["slug"] == "scale-seed"
    assert json.loads(org["plan_metadata"])["scaleSeed"]["seed"] == "123"


def _index(table: pa.Table, key: str = "id") -> dict:
    return {k: i for i, k in enumerate(table[key].to_pylist())}


def test_dependencies_form_a_dag_within_projects(tables):
    tasks, deps = tables["work_tasks"], tables["work_task_dependencies"]
    pos = _index(tasks)
    project = tasks["project_id"].to_pylist()
    rank = tasks["rank"].to_numpy()
    pred = np.array([pos[x] for x in deps["predecessor_task_id"].to_pylist()])
    succ = np.array([pos[x] for x in deps["successor_task_id"].to_pylist()])
    assert all(project[p] == project[s] for p, s in zip(pred, succ))
    assert (rank[pred] < rank[succ]).all()  # a strict order: no self-edges, no cycles
    assert len(set(zip(pred.tolist(), succ.tolist()))) == len(pred)  # no duplicate edges
    # and the ranks are 1..n inside each project, so the order is total
    by_project: dict = {}
    for p, r in zip(project, rank.tolist()):
        by_project.setdefault(p, []).append(r)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in by_project.values())


def test_storage_usage_equals_attachment_totals(tables):
    att = tables["attachments"]
    usage = tables["workspace_storage_usage"].to_pylist()
    assert len(usage) == 5
    for row in usage:
        for status, col in (("uploaded", "used_bytes"), ("pending", "reserved_bytes")):
            mask = pc.and_(pc.equal(att["workspace_id"], row["workspace_id"]), pc.equal(att["status"], status))
            assert row[col] == (pc.sum(att.filter(mask)["size_bytes"]).as_py() or 0)


def test_attachment_workspace_is_its_tasks_workspace(tables):
    tasks, projects = tables["work_tasks"], tables["projects"]
    proj_ws = dict(zip(projects["id"].to_pylist(), projects["workspace_id"].to_pylist()))
    task_ws = {t: proj_ws[p] for t, p in zip(tasks["id"].to_pylist(), tasks["project_id"].to_pylist())}
    att = tables["attachments"]
    assert all(task_ws[t] == w for t, w in zip(att["task_id"].to_pylist(), att["workspace_id"].to_pylist()))


def test_attachment_sizes_are_log_uniform(tables):
    size = tables["attachments"]["size_bytes"].to_numpy()
    assert size.min() >= 50_000 and size.max() <= 50_000_000
    decades = np.histogram(np.log10(size), bins=3, range=(np.log10(5e4), np.log10(5e7)))[0]
    assert decades.min() > 0.28 * len(size)  # about a third per decade


def test_task_dates_on_business_days(tables):
    t = tables["work_tasks"]
    start = t["start_date"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    due = t["due_date"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    assert np.is_busday(start).all() and np.is_busday(due).all()
    assert (due > start).all()
    done = pc.equal(t["status"], "done").to_numpy(zero_copy_only=False)
    completed = t["completed_at"]
    assert completed.null_count == (~done).sum()
    status_counts = pc.value_counts(t["status"]).to_pylist()
    share = {d["values"]: d["counts"] / len(t) for d in status_counts}
    assert 0.38 < share["done"] < 0.46 and 0.17 < share["todo"] < 0.23


def test_children_never_predate_parents(tables):
    projects, tasks = tables["projects"], tables["work_tasks"]
    created = dict(zip(projects["id"].to_pylist(), projects["created_at"].to_pylist()))
    assert all(c >= created[p] for p, c in zip(tasks["project_id"].to_pylist(), tasks["created_at"].to_pylist()))


def test_audit_events_spread_and_follow_their_entity(ctx, tables):
    ev = tables["audit_events"]
    when = {}
    for name in ("projects", "work_tasks", "attachments"):
        when.update(zip(tables[name]["id"].to_pylist(), tables[name]["created_at"].to_pylist()))
    occurred = ev["occurred_at"].to_pylist()
    assert all(o >= when[e] for e, o in zip(ev["entity_id"].to_pylist(), occurred))
    assert max(occurred) <= ctx.plan.source.anchor
    months = pc.value_counts(pc.strftime(ev["occurred_at"], format="%Y-%m")).to_pylist()
    assert len(months) >= 12  # spread over the period, not bunched


def test_distinct_and_confined_picks(tables):
    members = tables["workspace_members"]
    pairs = list(zip(members["workspace_id"].to_pylist(), members["user_id"].to_pylist()))
    assert len(set(pairs)) == len(pairs)
    items, baselines, tasks = tables["schedule_baseline_items"], tables["schedule_baselines"], tables["work_tasks"]
    b_proj = dict(zip(baselines["id"].to_pylist(), baselines["project_id"].to_pylist()))
    t_proj = dict(zip(tasks["id"].to_pylist(), tasks["project_id"].to_pylist()))
    assert all(b_proj[b] == t_proj[t] for b, t in zip(items["baseline_id"].to_pylist(), items["task_id"].to_pylist()))
    assert len(set(zip(items["baseline_id"].to_pylist(), items["task_id"].to_pylist()))) == len(items)


def test_batches_are_bounded_by_chunk_size():
    c = recipe_context(scale=0.1, chunk_size=5_000)
    sizes = [b.num_rows for b in c.batches("audit_events")]
    assert max(sizes) == 5_000 and sum(sizes) == 200_000


# -- S1's own verification queries, verbatim -------------------------------------------------

S1_SQL = Path(str(resources.files("seedbed.recipes"))) / "scale_seed" / "s1_verification.sql"


def _s1_statements() -> list[str]:
    """The file's statements as its users run them: comment lines dropped, split on ';'."""
    text = "\n".join(line for line in S1_SQL.read_text().splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.mark.postgres
def test_s1_verification_queries_run_verbatim(fresh_pg_url):
    import psycopg

    import seedbed

    seedbed.seed(fresh_pg_url, recipe="scale-seed", seed=123, scale=0.1, manifest_dir=None)
    seedbed.seed(fresh_pg_url, recipe="scale-seed", seed=456, scale=0.01, manifest_dir=None)  # another tenant
    find, counts, dag, storage = _s1_statements()
    ctx = recipe_context(scale=0.1)
    with psycopg.connect(fresh_pg_url) as conn:
        (org,) = conn.execute(find).fetchall()

        def run(sql: str) -> list:
            return conn.execute(sql.replace("$ORG_ID", str(org[0]))).fetchall()

        got = dict(run(counts))
        assert got == {t: ctx.rows(t) for t in got} and len(got) == 13
        assert {t: n for t, n in got.items() if t in AT_0_1} == {t: AT_0_1[t] for t in got if t in AT_0_1}
        for t, n in APPROX.items():
            assert abs(got[t] - n) <= 0.1 * n, t
        checked = run(dag)
        assert checked and {status for *_, status in checked} == {"OK"}
        totals = run(storage)
        assert len(totals) == AT_0_1["workspace_storage_usage"]
        assert all(used == c_used and reserved == c_reserved for _, used, reserved, c_used, c_reserved in totals)
    report = seedbed.verify(fresh_pg_url, recipe="scale-seed", seed=123)
    assert report.ok, [(r.name, r.expected, r.actual) for r in report.failures]
    assert sum(r.name.startswith("S1 counts") for r in report.results) == 13
