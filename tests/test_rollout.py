"""The rollout recipe (seed system S4): seven tables, 195 rows at --size small, on every database.

S4's contract as its users type it: `--size small|medium|large`, exact counts per table, a
concurrent run refused with S4's own words, every foreign key pointing at a row, a rerun
adding nothing and purge taking out exactly the run's rows.
"""

from __future__ import annotations

import subprocess
from contextlib import closing
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seedbed
from seedbed.sinks import open_sink
from seedbed.sinks.lock import LockHeld, locked
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli
from tests.test_safety import SEEDBED

SCHEMA_SQL = Path(str(resources.files("seedbed.recipes"))) / "rollout" / "schema.sql"
SMALL = {"vendors": 5, "clients": 10, "products": 20, "batches": 30, "orders": 50, "invoices": 50, "payments": 30}


@pytest.mark.parametrize("size, factor", [("small", 1), ("medium", 10), ("large", 100)])
def test_sizes_give_s4s_counts(size, factor):
    planned = seedbed.plan(recipe="rollout", profile=size)
    assert planned.rows == {t: n * factor for t, n in SMALL.items()}
    assert sum(planned.rows.values()) == 195 * factor


@pytest.mark.parametrize("dialect", dialect_params())
def test_small_inserts_exactly_195_rows(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    run = cli("seed", "--recipe", "rollout", "--db", url, "--size", "small")
    assert run.code == 0, run.output
    assert "[1/7]" in run.stdout and "[7/7]" in run.stdout and "195 rows added of 195 planned" in run.flat
    with closing(open_sink(url)) as sink:
        assert {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in SMALL} == SMALL
    assert cli("verify", "--recipe", "rollout", "--db", url).code == 0
    again = cli("seed", "--recipe", "rollout", "--db", url, "--size", "small")
    assert again.code == 0 and "0 rows added" in again.flat
    deleted = seedbed.purge(url, recipe="rollout")
    assert deleted == SMALL


@pytest.mark.parametrize("dialect", dialect_params())
def test_a_concurrent_run_is_refused_in_s4s_words(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path)
    holder = open_sink(url)
    try:
        with locked(holder, "seed"):
            cmd = [SEEDBED, "seed", "--recipe", "rollout", "--db", url, "--size", "small",
                   "--manifest-dir", str(tmp_path / "runs")]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            assert out.returncode == LockHeld.exit_code, out.stderr
            assert "Another seeding operation is in progress" in out.stderr and "Traceback" not in out.stderr
    finally:
        holder.close()
    with closing(open_sink(url)) as sink:  # nothing of the refused run was written
        assert not sink.existing_tables([None]) & set(SMALL)


@pytest.mark.parametrize("dialect", dialect_params())
def test_a_dry_run_writes_nothing_and_says_what_a_run_would(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    run = cli("seed", "--recipe", "rollout", "--db", url, "--size", "small", "--dry-run")
    assert run.code == 0, run.output
    assert "a run would write 195 rows in 7 tables" in run.flat and "dry run: nothing written" in run.flat
    assert not (tmp_path / "seedbed-runs").exists()  # not even the manifest
    if dialect == "sqlite":
        assert not (tmp_path / "fresh.db").exists()  # the file a run would create is not made
    else:
        with closing(open_sink(url)) as sink:
            assert sink.existing_tables([None]) == set()
    assert cli("seed", "--recipe", "rollout", "--db", url, "-q").code == 0
    again = cli("seed", "--recipe", "rollout", "--db", url, "--dry-run")
    assert again.code == 0 and "already in" in again.flat and "would add 0 rows" in again.flat


def test_json_logs_one_object_per_event(tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'logs.db'}"
    run = cli("seed", "--recipe", "rollout", "--db", url, "--log-format", "json")
    assert run.code == 0, run.output
    events = [json.loads(line) for line in run.stderr.splitlines()]  # every line is one JSON object
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    assert kinds.count("table_start") == kinds.count("table_end") == 7
    ends = {e["table"]: e["inserted"] for e in events if e["event"] == "table_end"}
    assert ends == SMALL and events[-1]["inserted"] == 195 and events[-1]["status"] == "completed"
    assert all(e["command"] == "seed" and e["ts"].endswith("+00:00") for e in events)
    bad = cli("seed", "--recipe", "rolout", "--db", url, "--log-format", "json")
    last = json.loads(bad.stderr.splitlines()[-1])
    assert bad.code == 2 and last["event"] == "error" and last["hint"] == "did you mean 'rollout'?"
    assert "Traceback" not in bad.output


@pytest.mark.parametrize("dialect", dialect_params())
def test_a_table_alone_with_what_it_refers_to_and_cleaned(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    # orders need clients and batches, batches products, products vendors: those come along
    run = cli("seed", "--recipe", "rollout", "--db", url, "--table", "orders", "-q")
    assert run.code == 0, run.output
    with closing(open_sink(url)) as sink:
        counts = {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in SMALL}
    assert counts == {**SMALL, "invoices": 0, "payments": 0}
    assert seedbed.verify(url, recipe="rollout").ok  # the run's record is of the tables it wrote
    # the rest later: the same rows as one whole run
    assert cli("seed", "--recipe", "rollout", "--db", url, "-q").code == 0
    if dialect == "sqlite":  # the same rows as one whole run into a fresh file
        whole = f"sqlite:///{tmp_path / 'whole.db'}"
        seedbed.seed(whole, recipe="rollout", manifest_dir=None)
        with closing(open_sink(url)) as a, closing(open_sink(whole)) as b:
            for t in SMALL:
                q = f"SELECT * FROM {t} ORDER BY id"
                assert a.conn.exec_driver_sql(q).fetchall() == b.conn.exec_driver_sql(q).fetchall(), t
    # an application row beside them, and a client of another seed: --clean takes out only the run's
    with closing(open_sink(url)) as sink:
        sink.execute(["INSERT INTO clients (id, name, contact_name, email, credit_limit, created_at) VALUES "
                      "(9001, 'App Co', 'A. User', 'a@app.example', 1, '2025-01-01 00:00:00')"])  # fmt: skip
        sink.conn.commit()
    run = cli("seed", "--recipe", "rollout", "--db", url, "--table", "clients", "--clean", "-q")
    assert run.code == 0, run.output
    with closing(open_sink(url)) as sink:
        counts = {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in SMALL}
        assert sink.scalar("SELECT count(*) FROM clients WHERE id = 9001") == 1
    # clients again (10 of the run's, and the application's), what refers to them gone with them
    assert counts == {**SMALL, "clients": 11, "orders": 0, "invoices": 0, "payments": 0}
    assert seedbed.verify(url, recipe="rollout").ok
    deleted = seedbed.purge(url, recipe="rollout")
    assert sum(deleted.values()) == 5 + 10 + 20 + 30 and deleted["clients"] == 10


# -- S4's properties, by property-based testing ---------------------------------------------

ORPHANS = {
    "products": "SELECT count(*) FROM products c LEFT JOIN vendors p ON p.id = c.vendor_id WHERE p.id IS NULL",
    "batches": "SELECT count(*) FROM batches c LEFT JOIN products p ON p.id = c.product_id WHERE p.id IS NULL",
    "orders": "SELECT count(*) FROM orders c LEFT JOIN clients p ON p.id = c.client_id WHERE p.id IS NULL"
    " OR NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = c.batch_id)",
    "invoices": "SELECT count(*) FROM invoices c LEFT JOIN orders p ON p.id = c.order_id WHERE p.id IS NULL",
    "payments": "SELECT count(*) FROM payments c LEFT JOIN invoices p ON p.id = c.invoice_id WHERE p.id IS NULL",
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(min_value=1, max_value=10**6),
    scale=st.sampled_from([0.1, 0.5, 1, 2.5]),
    tables=st.one_of(st.none(), st.lists(st.sampled_from(sorted(SMALL)), min_size=1, max_size=3, unique=True)),
)
def test_reported_counts_are_the_rows_inserted_and_every_key_points_at_a_row(tmp_path_factory, seed, scale, tables):
    # any seed, size and choice of tables: what the run reports per table is what the
    # database holds, and no foreign key points at a missing row
    url = f"sqlite:///{tmp_path_factory.mktemp('s4') / 'p.db'}"
    m = seedbed.seed(url, recipe="rollout", seed=seed, scale=scale, tables=tables, manifest_dir=None)
    with closing(open_sink(url)) as sink:
        held = {t: sink.scalar(f"SELECT count(*) FROM {t}") for t in SMALL}
        assert {t: r.inserted for t, r in m.tables.items()} == {t: n for t, n in held.items() if t in m.tables}
        assert all(n == 0 for t, n in held.items() if t not in m.tables)
        assert all(sink.scalar(sql) == 0 for sql in ORPHANS.values())


PII = {"vendors": ("name", "contact_name", "email", "phone", "address"),
       "clients": ("name", "contact_name", "email", "phone", "address")}  # fmt: skip


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=1, max_value=10**6), scale=st.sampled_from([0.5, 1, 3]), key=st.text(max_size=8))
def test_no_original_personal_value_survives_masking(tmp_path_factory, seed, scale, key):
    # any seed, size and key: after mask, no name, email, phone or address of the seeded
    # rows is in any personal column any more, no row was lost, and every key still matches
    url = f"sqlite:///{tmp_path_factory.mktemp('s4') / 'm.db'}"
    seedbed.seed(url, recipe="rollout", seed=seed, scale=scale, manifest_dir=None)

    def personal() -> dict[str, list[tuple]]:
        with closing(open_sink(url)) as sink:
            return {t: [tuple(r) for r in sink.conn.exec_driver_sql(f"SELECT {', '.join(cols)} FROM {t} ORDER BY id")]
                    for t, cols in PII.items()}  # fmt: skip

    before = personal()
    report = seedbed.mask(url, key=key)
    assert {(m.table, m.column) for m in report} == {(t, c) for t, cols in PII.items() for c in cols}
    after = personal()
    for table, cols in PII.items():
        assert len(after[table]) == len(before[table])
        for i, col in enumerate(cols):
            old = {r[i] for r in before[table]} - {None}
            new = [r[i] for r in after[table]]
            assert all(r[i] is None or r[i] != v for r, v in zip(before[table], new, strict=True)), f"{table}.{col}"
            if (table, col) != ("vendors", "name"):  # a company name may be another vendor's old one
                assert not old & set(new), f"{table}.{col} holds an original value"
            assert [v is None for v in new] == [r[i] is None for r in before[table]]
    with closing(open_sink(url)) as sink:
        assert all(sink.scalar(sql) == 0 for sql in ORPHANS.values())
        assert sink.scalar("SELECT count(DISTINCT email) FROM clients") == len(after["clients"])


def test_a_long_table_reports_its_progress_while_it_loads(monkeypatch):
    import pyarrow as pa

    from seedbed.run import progress as p
    from seedbed.sinks.manifest import TableRecord

    monkeypatch.setattr(p, "REPORT_EVERY", 0.0)
    seen: list[tuple[str, int]] = []
    batches = (pa.RecordBatch.from_pydict({"id": list(range(i * 10, i * 10 + 10))}) for i in range(5))
    rec = TableRecord(planned=50)
    sent = list(p.reporting(batches, "orders", 5, 7, rec, lambda name, i, n, r: seen.append((r.mode, r.inserted))))
    assert sum(b.num_rows for b in sent) == 50
    assert seen == [("loading", 10), ("loading", 20), ("loading", 30), ("loading", 40)]


def test_seed_shows_the_plans_warnings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = tmp_path / "p.yaml"
    plan.write_text("name: warned\nlimits: {warn_total_rows: 100}\n")
    run = cli("seed", "--recipe", "rollout", "--db", f"sqlite:///{tmp_path / 'w.db'}", "-q", "--size", "medium")
    assert run.code == 0 and "warning:" not in run.flat  # 1,950 rows: under the recipe's threshold
    url = f"sqlite:///{tmp_path / 'w2.db'}"
    run = cli("seed", "--ddl", SCHEMA_SQL, "--dialect", "postgres", "--plan", plan, "--db", url, "--create-schema",
              "--rows", "20", "-q")  # fmt: skip
    assert run.code == 0, run.output
    assert "warning: large dataset: 140 rows, over the 100 rows that warn" in run.flat
