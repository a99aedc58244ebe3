"""The okr-tenant recipe (seed system S3): pinned ids, a manager chain by tiers, one tenant.

Every id is recomputed here with Python's own ``uuid.uuid5`` from S3's natural-key
patterns and namespaces, independently of seedbed; the manager chain is checked tier by
tier against S3's rule.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from contextlib import closing
from importlib import resources
from pathlib import Path

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli

NS = {kind: uuid.UUID(f"6ba7b81{digit}-9dad-11d1-80b4-00c04fd430c8") for kind, digit in
      [("organisation", 1), ("workspace", 2), ("team", 3), ("user", 4), ("cycle", 5), ("objective", 6),
       ("key_result", 7), ("initiative", 8), ("pillar", 9)]}  # fmt: skip
SCHEMA = Path(str(resources.files("seedbed.recipes"))) / "okr_tenant" / "schema.sql"
COUNTS = {"organisations": 1, "workspaces": 3, "teams": 12, "users": 200, "cycles": 4, "strategic_pillars": 4,
          "objectives": 48, "key_results": 144, "initiatives": 96, "check_ins": 300,
          "role_assignments": 200}  # fmt: skip


def _rows(url: str, sql: str) -> list[tuple]:
    with closing(open_sink(url)) as sink:
        return [tuple(str(v) if isinstance(v, uuid.UUID) else v for v in r) for r in sink.conn.exec_driver_sql(sql)]


def _slugify(name: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.replace("ß", "ss").lower()).strip("-")


def _u(kind: str, key: str) -> str:
    return str(uuid.uuid5(NS[kind], key))


@pytest.mark.parametrize("dialect", dialect_params())
def test_every_id_is_the_uuid5_of_its_natural_key(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    run = cli("seed", "--recipe", "okr-tenant", "--db", url)
    assert run.code == 0, run.output
    with closing(open_sink(url)) as sink:
        assert {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in COUNTS} == COUNTS
    ((org_id, slug),) = _rows(url, "SELECT id, slug FROM organisations")
    assert org_id == _u("organisation", slug) and slug == "okr-demo"
    checked = 1
    for wid, oid, wslug, name in _rows(url, "SELECT id, organisation_id, slug, name FROM workspaces"):
        assert wid == _u("workspace", f"{oid}:{wslug}") and wslug == _slugify(name)
        checked += 1
    workspaces = dict(_rows(url, "SELECT id, slug FROM workspaces"))
    for tid, wid, tslug, name in _rows(url, "SELECT id, workspace_id, slug, name FROM teams"):
        assert tid == _u("team", f"{wid}:{tslug}") and tslug == f"{workspaces[wid]}-{_slugify(name)}"
        checked += 1
    for user_id, email, role in _rows(url, "SELECT id, email, role FROM users"):
        assert user_id == _u("user", email) and re.fullmatch(rf"{role}-\d+@okr-demo\.example\.com", email)
        checked += 1
    for table, kind in (("cycles", "cycle"), ("strategic_pillars", "pillar")):
        for row_id, oid, name in _rows(url, f"SELECT id, organisation_id, name FROM {table}"):
            assert row_id == _u(kind, f"{oid}:{name}")
            checked += 1
    sql = "SELECT id, organisation_id, scope_type, scope_id, cycle_id, title FROM objectives"
    for oid_, org, scope_type, scope_id, cycle, title in _rows(url, sql):
        assert (scope_type == "tenant") == (scope_id is None)
        assert oid_ == _u("objective", f"{org}:{scope_type}:{scope_id or ''}:{cycle}:{title}")
        checked += 1
    for table, kind in (("key_results", "key_result"), ("initiatives", "initiative")):
        for row_id, objective, title in _rows(url, f"SELECT id, objective_id, title FROM {table}"):
            assert row_id == _u(kind, f"{objective}:{title}")
            checked += 1
    assert checked == 1 + 3 + 12 + 200 + 4 + 4 + 48 + 144 + 96
    assert cli("verify", "--recipe", "okr-tenant", "--db", url).code == 0
    assert seedbed.purge(url, recipe="okr-tenant") == COUNTS


def test_the_manager_chain_follows_s3s_tiers(tmp_path):
    url = f"sqlite:///{tmp_path / 'okr.db'}"
    seedbed.seed(url, recipe="okr-tenant", manifest_dir=None)
    users = _rows(url, "SELECT id, email, manager_id FROM users")
    ranked = sorted(users, key=lambda u: u[1])
    ids = [u[0] for u in ranked]
    manager = {u[0]: u[2] for u in users}
    tiers = [ids[:1], ids[1:6], ids[6:21], ids[21:45], ids[45:]]
    assert [len(t) for t in tiers] == [1, 5, 15, 24, 155]
    assert manager[ids[0]] is None
    for above, tier in zip(tiers, tiers[1:], strict=False):
        for i, user in enumerate(tier):  # round-robin over the tier above, in email order
            assert manager[user] == above[i % len(above)]
    reports = {m: sum(1 for u in tiers[4] if manager[u] == m) for m in tiers[3]}
    assert sorted(set(reports.values())) == [6, 7]  # 155 over 24: as even as round-robin gets


def test_the_natural_keys_do_not_depend_on_the_seed(tmp_path):
    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    seedbed.seed(a, recipe="okr-tenant", manifest_dir=None)
    seedbed.seed(b, recipe="okr-tenant", seed="another", manifest_dir=None)
    for table in ("organisations", "workspaces", "teams", "cycles", "strategic_pillars"):
        sql = f"SELECT id FROM {table} ORDER BY id"
        assert _rows(a, sql) == _rows(b, sql), table


@pytest.mark.parametrize(
    "entry, message",
    [
        ("manager_id: {ref: {tiers: [1, 0], order_by: email}}", "ref.tiers is a list of tier sizes"),
        ("manager_id: {ref: {tiers: [1, 5]}}", "needs order_by"),
        ("team_id: {ref: {tiers: [1, 5], order_by: email}}", "self-reference"),
        ("manager_id: {ref: {tiers: [1, 5], order_by: nickname}}", "no column 'nickname'"),
    ],
)
def test_tiers_are_checked_when_the_plan_is_read(tmp_path, entry, message):
    plan = tmp_path / "p.yaml"
    plan.write_text(f"schema: {SCHEMA}\ntables:\n  users:\n    columns:\n      {entry}\n")
    run = cli("plan", "--plan", plan)
    assert run.code == 2 and message in run.flat and "Traceback" not in run.output, run.output


def _other_tenant(tmp_path: Path) -> Path:
    """The recipe's plan for another tenant: its slug, emails and name changed."""
    text = (SCHEMA.parent / "plan.yaml").read_text()
    text = text.replace("okr-demo", "other-co").replace("name: okr-tenant", "name: okr-other")
    plan = tmp_path / "other.yaml"
    plan.write_text(text.replace("schema: schema.sql", f"schema: {SCHEMA}"))
    return plan


@pytest.mark.parametrize("dialect", dialect_params())
def test_purge_removes_exactly_the_tenant_whatever_seed_made_it(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    other = _other_tenant(tmp_path)
    assert cli("seed", "--recipe", "okr-tenant", "--db", url, "--seed", "any-seed-at-all").code == 0
    assert cli("seed", "--plan", other, "--db", url, "--create-schema").code == 0
    with closing(open_sink(url)) as sink:
        assert sink.scalar("SELECT count(*) FROM users") == 400
    nobody = cli("purge", "--recipe", "okr-tenant", "--db", url, "--tenant", "nobody")
    assert nobody.code == 2 and "no tenant 'nobody'" in nobody.flat and "nothing was deleted" in nobody.flat
    run = cli("purge", "--recipe", "okr-tenant", "--db", url)  # no --seed: the tenant, not a run
    assert run.code == 0, run.output
    assert "[1/11]" in run.stdout and "purged 1,012 rows" in run.flat
    with closing(open_sink(url)) as sink:
        left = {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in COUNTS}
        assert left == COUNTS  # the other tenant, whole
        assert sink.scalar("SELECT count(*) FROM organisations WHERE slug = 'okr-demo'") == 0
        assert sink.scalar("SELECT count(*) FROM users WHERE email LIKE '%other-co%'") == 200
    assert cli("seed", "--recipe", "okr-tenant", "--db", url).code == 0  # its record went with it


def test_new_tenant_refuses_an_existing_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'okr.db'}"
    assert cli("seed", "--recipe", "okr-tenant", "--db", url, "--new-tenant").code == 0
    again = cli("seed", "--recipe", "okr-tenant", "--db", url, "--new-tenant", "--seed", "other")
    assert again.code == 2 and "tenant 'okr-demo' exists - purge it first" in again.flat
    with closing(open_sink(url)) as sink:
        assert sink.scalar("SELECT count(*) FROM users") == 200
    assert cli("purge", "--recipe", "okr-tenant", "--db", url).code == 0
    assert cli("seed", "--recipe", "okr-tenant", "--db", url, "--new-tenant", "--seed", "other").code == 0


def test_the_markdown_report_is_pinned(tmp_path):
    """``seedbed plan --report``: the whole text for this recipe, pinned (a change to it is
    a change to the plan or to the report, to be looked at)."""
    report = tmp_path / "report.md"
    run = cli("plan", "--recipe", "okr-tenant", "--report", report)
    assert run.code == 0, run.output
    assert report.read_text() == (Path(__file__).parent / "golden" / "okr_tenant_report.md").read_text()


def test_a_report_of_a_database_names_the_command_without_the_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'okr.db'}"
    seedbed.seed(url, recipe="okr-tenant", manifest_dir=None)
    report = tmp_path / "db.md"
    assert cli("plan", "--db", url, "--rows", "5", "--report", report).code == 0
    text = report.read_text()
    assert "| 1 | organisations | 5 | flat | id |" in text and f"seedbed seed --db {url} --rows 5" in text
    bad = cli("plan", "--recipe", "okr-tenant", "--report", tmp_path / "no" / "such" / "dir.md")
    assert bad.code == 2 and "cannot write the report" in bad.flat and "Traceback" not in bad.output


def test_quarters_are_calendar_days_in_london(tmp_path):
    url = f"sqlite:///{tmp_path / 'okr.db'}"
    seedbed.seed(url, recipe="okr-tenant", manifest_dir=None)
    rows = _rows(url, "SELECT name, starts_on, ends_on, substr(starts_at, 1, 19) FROM cycles ORDER BY starts_on")
    assert rows == [
        ("Q4 2025", "2025-10-01", "2025-12-31", "2025-09-30 23:00:00"),  # British Summer Time: UTC+1
        ("Q1 2026", "2026-01-01", "2026-03-31", "2026-01-01 00:00:00"),
        ("Q2 2026", "2026-04-01", "2026-06-30", "2026-03-31 23:00:00"),
        ("Q3 2026", "2026-07-01", "2026-09-30", "2026-06-30 23:00:00"),
    ]


DAYS = """name: days
schema: {schema}
timezone: Europe/London
tables:
  days:
    rows: 5
    columns:
      id: {{sequence: {{start: 1}}}}
      at: {{time: {{steps: {{start: 2025-10-24, step: 1d}}}}}}
      noon: {{time: {{steps: {{start: "2025-10-24T12:00:00", step: 1d}}}}}}
      day: {{time: {{between: [at, at]}}}}
"""


@pytest.mark.parametrize("dialect", dialect_params())
def test_days_step_the_local_calendar_across_the_clock_change(dialect, request, tmp_path):
    ddl = tmp_path / "days.sql"
    ddl.write_text("CREATE TABLE days (id integer PRIMARY KEY, at timestamptz NOT NULL, noon timestamptz NOT NULL, "
                   "day date NOT NULL);\n")  # fmt: skip
    plan = tmp_path / "days.yaml"
    plan.write_text(DAYS.format(schema=ddl))
    url = fresh_url(dialect, request, tmp_path)
    seedbed.seed(url, plan=plan, create_schema=True, manifest_dir=None)
    with closing(open_sink(url)) as sink:
        if dialect == "postgres":
            sink.conn.exec_driver_sql("SET TIME ZONE 'UTC'")
        if dialect == "mysql":
            sink.conn.exec_driver_sql("SET time_zone = '+00:00'")
        rows = [(str(a)[:16], str(n)[:16], str(d)) for a, n, d in
                sink.conn.exec_driver_sql("SELECT at, noon, day FROM days ORDER BY id")]  # fmt: skip
    # London leaves summer time on 26 October 2025 at 02:00: midnight is 23:00 UTC before, 00:00 after
    assert rows == [
        ("2025-10-23 23:00", "2025-10-24 11:00", "2025-10-24"),
        ("2025-10-24 23:00", "2025-10-25 11:00", "2025-10-25"),
        ("2025-10-25 23:00", "2025-10-26 12:00", "2025-10-26"),
        ("2025-10-27 00:00", "2025-10-27 12:00", "2025-10-27"),
        ("2025-10-28 00:00", "2025-10-28 12:00", "2025-10-28"),
    ]


def test_an_unknown_time_zone_is_named(tmp_path):
    plan = tmp_path / "p.yaml"
    plan.write_text(f"schema: {SCHEMA}\ntimezone: Europe/Londn\n")
    run = cli("plan", "--plan", plan)
    assert run.code == 2 and "unknown time zone 'Europe/Londn'" in run.flat


def test_anchor_now_dates_check_ins_from_the_real_now_and_is_recorded(tmp_path, monkeypatch):
    """``anchor: now``: check-ins are recent (0-7 days before the run) or overdue (14 days and
    more), some key results have none; the instant is recorded, so verify and purge later
    compute the same rows."""
    from datetime import UTC, datetime, timedelta

    monkeypatch.chdir(tmp_path)
    text = (SCHEMA.parent / "plan.yaml").read_text().replace("anchor: 2026-01-15T12:00:00Z", "anchor: now")
    plan = tmp_path / "now.yaml"
    plan.write_text(text.replace("schema: schema.sql", f"schema: {SCHEMA}"))
    url = f"sqlite:///{tmp_path / 'okr.db'}"
    before = datetime.now(UTC).replace(microsecond=0)
    m = seedbed.seed(url, plan=plan, create_schema=True)
    after = datetime.now(UTC)
    anchor = datetime.fromisoformat(m.options["anchor"].replace("Z", "+00:00"))
    assert before <= anchor <= after
    latest = _rows(url, "SELECT k.id, max(c.checked_in_at) FROM key_results k "
                        "LEFT JOIN check_ins c ON c.key_result_id = k.id GROUP BY k.id")  # fmt: skip
    ages = [anchor - datetime.fromisoformat(t).replace(tzinfo=UTC) for _, t in latest if t is not None]
    assert all(a <= timedelta(days=7) or a >= timedelta(days=14) for a in ages)
    assert all(timedelta(0) <= a <= timedelta(days=60) for a in ages)
    recent = sum(a <= timedelta(days=7) for a in ages)
    overdue = sum(a >= timedelta(days=14) for a in ages)
    none = sum(t is None for _, t in latest)
    assert recent and overdue and none and recent + overdue + none == 144
    assert seedbed.verify(url, plan=plan).ok  # the recorded instant, not a new now
    assert sum(seedbed.purge(url, plan=plan).values()) == 1012


def _pinned_slugs(text: str, names: str) -> str:
    """The recipe's plan with workspace slugs pinned (renaming one keeps its slug and id)."""
    return text.replace(
        '      name: {choices: {in_order: [Product, Engineering, Go-to-Market]}}\n      slug: {format: "{name|slug}"}',
        f"      name: {{choices: {{in_order: [{names}]}}}}\n"
        "      slug: {choices: {in_order: [product, engineering, go-to-market]}}",
    )


@pytest.mark.parametrize("dialect", dialect_params())
def test_upsert_updates_changed_rows_in_place_and_adds_missing_ones(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    text = (SCHEMA.parent / "plan.yaml").read_text().replace("schema: schema.sql", f"schema: {SCHEMA}")
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(_pinned_slugs(text, "Product, Engineering, Go-to-Market"))
    after.write_text(_pinned_slugs(text, "Product, Platform Engineering, Go-to-Market").replace(
        "status: {choices: {draft: 0.1, on_track: 0.45", "status: {choices: {draft: 0.3, on_track: 0.25"))  # fmt: skip
    assert cli("seed", "--plan", before, "--db", url, "--create-schema").code == 0
    assert cli("seed", "--plan", _other_tenant(tmp_path), "--db", url).code == 0
    other = "SELECT * FROM objectives WHERE organisation_id IN (SELECT id FROM organisations WHERE slug = 'other-co')"
    theirs = sorted(_rows(url, other))
    ids = sorted(_rows(url, "SELECT id FROM workspaces"))
    with closing(open_sink(url)) as sink:  # three check-ins lost since: the upsert adds them back
        gone = [r[0] for r in sink.conn.exec_driver_sql(
            "SELECT c.id FROM check_ins c JOIN key_results k ON k.id = c.key_result_id JOIN objectives o "
            "ON o.id = k.objective_id JOIN organisations g ON g.id = o.organisation_id WHERE g.slug = 'okr-demo' "
            "ORDER BY c.id")][:3]  # fmt: skip
        for cid in gone:
            sink.conn.exec_driver_sql(f"DELETE FROM check_ins WHERE id = '{cid}'")
        sink.conn.commit()
    refused = cli("seed", "--plan", after, "--db", url)
    assert refused.code == 2 and "--upsert" in refused.flat
    run = cli("seed", "--plan", after, "--db", url, "--upsert")
    assert run.code == 0, run.output
    lines = {line.split()[0]: line.split()[1:5] for line in run.stdout.splitlines() if line.strip()}
    assert lines["workspaces"] == ["3", "0", "1", "2"]  # planned, inserted, updated, unchanged
    assert lines["check_ins"] == ["300", "3", "0", "297"]
    assert lines["users"] == ["200", "0", "0", "200"]
    updated = int(lines["objectives"][2])
    assert 0 < updated < 48 and lines["objectives"][1] == "0"
    assert "3 rows added of 1,012 planned" in run.flat and f"{updated + 1} updated" in run.flat
    assert sorted(_rows(url, "SELECT id FROM workspaces")) == ids  # in place: the same rows
    names = _rows(url, "SELECT w.name FROM workspaces w JOIN organisations o ON o.id = w.organisation_id "
                       "WHERE o.slug = 'okr-demo' ORDER BY w.slug")  # fmt: skip
    assert names == [("Platform Engineering",), ("Go-to-Market",), ("Product",)]
    assert sorted(_rows(url, other)) == theirs  # the other tenant, untouched
    again = cli("seed", "--plan", after, "--db", url, "--upsert")
    assert again.code == 0 and "0 rows added of 1,012 planned" in again.flat and "0 updated" in again.flat


def test_the_dependency_tiers_as_mermaid_and_dot():
    run = cli("plan", "--recipe", "okr-tenant", "--graph", "mermaid")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[:3] == ["flowchart BT", "  subgraph tier0 [tier 0]", '    organisations["organisations"]']
    assert "  users --> teams" in lines and "  objectives --> cycles" in lines
    dot = cli("plan", "--recipe", "okr-tenant", "--graph", "dot")
    assert dot.stdout.startswith("digraph plan {") and '"check_ins" -> "key_results";' in dot.stdout
    bad = cli("plan", "--recipe", "okr-tenant", "--graph", "png")
    assert bad.code == 2 and "unknown graph format 'png'" in bad.flat


def test_the_plan_caps_rows_per_batch():
    """S3's chunks of at most 1,000 rows: the plan's chunk_size caps the batches, whatever
    larger --chunk-size is given; a smaller one still wins."""
    from seedbed.run.options import SeedOptions
    from seedbed.run.prepare import plan_for
    from seedbed.run.source import source_from

    src = source_from(recipe="okr-tenant")
    _, ctx = plan_for(src, SeedOptions(chunk_size=20_000, scale=10), check=False)
    assert ctx.chunk_size == 1000
    sizes = [b.num_rows for b in ctx.batches("check_ins")]
    assert sum(sizes) == 3000 and max(sizes) == 1000 and len(sizes) == 3
    _, small = plan_for(src, SeedOptions(chunk_size=50), check=False)
    assert small.chunk_size == 50
