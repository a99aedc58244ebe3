"""Run ownership on real databases: rerun adds nothing, seeds coexist, purge is exact.

The same scenario runs on SQLite and PostgreSQL. Before seeding, every table gets
rows the run does not own (another dataset whose manifest is then dropped, as
if the application had written them); purge must leave them, and the other seed.
"""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.purge import purge
from seedbed.run.seed import seed
from seedbed.run.source import source_from
from seedbed.run.verify import verify
from seedbed.sinks import open_sink

SCALE = 0.01


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'own.db'}"
    if request.param == "mysql":
        return request.getfixturevalue("fresh_mysql_url")
    return request.getfixturevalue("fresh_pg_url")


def snapshot(sink, tables: list[str]) -> dict[str, str]:
    """Digest of every table's full contents, ordered, as the database returns them."""
    out = {}
    for t in tables:
        rows = sink.conn.exec_driver_sql(f"SELECT * FROM {sink.qname(t)}").fetchall()
        sink.conn.commit()
        text = "\n".join(sorted(repr(tuple(r)) for r in rows))
        out[t] = hashlib.sha256(text.encode()).hexdigest()
    return out


def counts(sink, tables: list[str]) -> dict[str, int]:
    out = {t: int(sink.conn.exec_driver_sql(f"SELECT count(*) FROM {sink.qname(t)}").scalar_one()) for t in tables}
    sink.conn.commit()
    return out


@pytest.mark.slow
def test_rerun_coexist_purge(db_url, tmp_path):
    src = source_from(recipe="scale-seed")
    opts = lambda s, scale=SCALE: SeedOptions(seed=s, scale=scale, manifest_dir=tmp_path / "runs")  # noqa: E731
    sink = open_sink(db_url)
    try:
        # rows nobody seeded: a tiny dataset whose manifest is forgotten
        seed(sink, src, opts(999, 0.0001))
        sink.manifests.delete("scale-seed:999")
        tables = plan_for(src, opts(123))[0].order
        foreign = counts(sink, tables)
        assert all(n >= 1 for n in foreign.values())

        first = seed(sink, src, opts(123))
        assert first.status == "completed" and first.inserted_total == first.planned_total
        after_first = snapshot(sink, tables)

        again = seed(sink, src, opts(123))
        assert again.inserted_total == 0
        assert snapshot(sink, tables) == after_first  # data identical after the rerun

        other = seed(sink, src, opts(456))
        assert other.inserted_total == other.planned_total  # disjoint keys: nothing collided
        assert verify(sink, src, opts(123)).ok
        report = verify(sink, src, opts(456))
        assert report.ok, [r for r in report.failures]

        with_both = counts(sink, tables)
        deleted = purge(sink, src, opts(123))
        assert deleted == {t: first.tables[t].planned for t in deleted}
        left = counts(sink, tables)
        assert left == {t: with_both[t] - first.tables[t].planned for t in tables}
        assert left == {t: foreign[t] + other.tables[t].planned for t in tables}
        assert verify(sink, src, opts(456)).ok  # the other seed is intact
        assert sink.manifests.find("scale-seed", 123) is None

        # the manifest, in the database and on disk
        m = sink.manifests.find("scale-seed", 456)
        assert m is not None and m.status == "completed" and m.scale == SCALE
        assert set(m.tables) == set(tables) and all(r.inserted == r.planned for r in m.tables.values())
        data = json.loads((tmp_path / "runs" / "scale-seed-456.json").read_text())
        assert {"seed", "scale", "plan_hash", "tables", "status", "started_at", "finished_at", "seconds"} <= set(data)
        assert data["tables"]["work_tasks"]["planned"] == 1_000
    finally:
        sink.close()


def test_seeded_rows_match_generated_rows(db_url, tmp_path):
    """What lands in the database is what generation made (checked on one table)."""
    from tests.helpers import recipe_context, table_of

    src = source_from(recipe="scale-seed")
    sink = open_sink(db_url)
    try:
        seed(sink, src, SeedOptions(seed=5, scale=SCALE, manifest_dir=None))
        rows = sink.conn.exec_driver_sql(
            "SELECT id, project_id, title, status, rank FROM work_tasks ORDER BY id"
        ).fetchall()
        sink.conn.commit()
    finally:
        sink.close()
    made = table_of(recipe_context(seed=5, scale=SCALE), "work_tasks")
    want = sorted(
        zip(
            made["id"].to_pylist(),
            made["project_id"].to_pylist(),
            made["title"].to_pylist(),
            made["status"].to_pylist(),
            made["rank"].to_pylist(),
        )
    )
    got = [(str(a), str(b), c, str(d), e) for a, b, c, d, e in rows]
    assert got == want


def test_schema_created_once_and_reflects_back(db_url):
    """The recipe's schema, created by seedbed, reflects back to the same tables and keys."""
    src = source_from(recipe="scale-seed")
    sink = open_sink(db_url)
    try:
        seed(sink, src, SeedOptions(seed=1, scale=0.0001, manifest_dir=None))
        live = sink.reflect()
    finally:
        sink.close()
    for t in src.schema.tables:
        lt = live.table(t.name)
        assert lt.primary_key == t.primary_key
        assert {(f.columns, f.ref_table) for f in lt.foreign_keys} == {(f.columns, f.ref_table) for f in t.foreign_keys}
    _ = sa  # reflection goes through SQLAlchemy's batch inspector


def test_rerun_of_a_complete_run_is_cheap_but_notices_deletions(tmp_path):
    """A completed run is skipped after sampling keys; a deleted sampled row brings the full path."""
    src = source_from(recipe="scale-seed")
    url = f"sqlite:///{tmp_path / 'r.db'}"
    sink = open_sink(url)
    try:
        opts = SeedOptions(seed=8, scale=SCALE, manifest_dir=None)
        first = seed(sink, src, opts)
        again = seed(sink, src, opts)
        assert again.inserted_total == 0 and {r.mode for r in again.tables.values()} == {"complete"}
        # delete a row in the middle: the sample does not see it, --full does and restores it
        sink.conn.exec_driver_sql(
            "DELETE FROM audit_events WHERE id = (SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET 500)"
        )
        sink.conn.commit()
        from dataclasses import replace

        full = seed(sink, src, replace(opts, full=True))
        assert full.inserted_total == 1 and full.tables["audit_events"].inserted == 1
        assert verify(sink, src, opts).ok
        assert first.planned_total == full.planned_total
    finally:
        sink.close()


def _pg_objects(sink) -> set[tuple]:
    rows = sink.conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace UNION ALL "
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    ).fetchall()
    sink.conn.commit()
    return {tuple(r) for r in rows}


def test_indexes_dropped_for_the_load_come_back(fresh_pg_url, tmp_path):
    """Empty tables load without their indexes; every index and constraint is rebuilt after,
    and a run killed in between gets them back on its next run."""
    from seedbed.run.prepare import prepare_schema

    src = source_from(recipe="scale-seed")
    opts = SeedOptions(seed=1, scale=SCALE, manifest_dir=None)
    sink = open_sink(fresh_pg_url)
    try:
        prepare_schema(sink, src, opts)
        before = _pg_objects(sink)
        m = seed(sink, src, opts)
        assert _pg_objects(sink) >= before and not m.pending_ddl
        # simulate a run killed after dropping an index: the manifest still lists it
        sink.conn.exec_driver_sql("DROP INDEX audit_events_entity_idx")
        sink.conn.commit()
        run = sink.manifests.find("scale-seed", 1)
        run.pending_ddl = {"audit_events": [next(d for t, n, d in before if n == "audit_events_entity_idx")]}
        sink.manifests.save(run.to_dict())
        seed(sink, src, opts)
        assert _pg_objects(sink) >= before
    finally:
        sink.close()


def test_sqlite_indexes_dropped_for_the_load_come_back(sqlite_url):
    """SQLite loads an empty table without its CREATE INDEX indexes and builds them after;
    one listed in the manifest of an interrupted run is rebuilt by the next run."""
    src = source_from(recipe="scale-seed")
    opts = SeedOptions(seed=1, scale=SCALE, manifest_dir=None)
    sink = open_sink(sqlite_url)
    index_sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name <> 'seedbed_runs'"
    try:
        from seedbed.run.prepare import prepare_schema

        prepare_schema(sink, src, opts)
        before = set(map(tuple, sink.conn.exec_driver_sql(index_sql).fetchall()))
        sink.conn.commit()
        assert "audit_events_entity_idx" in {n for n, _ in before}
        m = seed(sink, src, opts)
        assert m.index_seconds > 0 and not m.pending_ddl
        assert set(map(tuple, sink.conn.exec_driver_sql(index_sql).fetchall())) == before
        sink.conn.commit()
        sink.conn.exec_driver_sql("DROP INDEX audit_events_entity_idx")
        sink.conn.commit()
        run = sink.manifests.find("scale-seed", 1)
        run.pending_ddl = {"audit_events": [sql for n, sql in before if n == "audit_events_entity_idx"]}
        sink.manifests.save(run.to_dict())
        seed(sink, src, opts)
        assert set(map(tuple, sink.conn.exec_driver_sql(index_sql).fetchall())) == before
        sink.conn.commit()
        assert verify(sink, src, opts).ok
    finally:
        sink.close()


def _kill_while_loading(url: str, cmd: list[str], table: str) -> None:
    """Start ``cmd`` and SIGKILL it while it copies rows into ``table`` (its indexes dropped
    for the load inside that transaction)."""
    import os
    import signal
    import subprocess
    import time

    import psycopg

    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as conn:
        while proc.poll() is None and time.monotonic() < deadline:
            copying = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE %s",
                (f"COPY {table} %",),
            ).fetchone()[0]
            if copying:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, "the run ended before it was killed"
        assert conn.execute("SELECT status FROM seedbed_runs").fetchone()[0] == "running"


@pytest.mark.slow
@pytest.mark.parametrize("then", ["seed", "purge"])
def test_a_run_killed_while_a_table_loads_leaves_every_index(fresh_pg_url, tmp_path, then):
    """SIGKILL while the largest table loads without its indexes: its transaction (the drop
    of its indexes with it) dies with the session, so every index and key is there at once;
    the next run of the seed completes and verifies, and a purge takes the rows out."""
    import subprocess
    import sys
    from pathlib import Path

    from seedbed.run.prepare import prepare_schema

    src = source_from(recipe="scale-seed")
    opts = SeedOptions(seed=5, scale=0.05, manifest_dir=None)
    sink = open_sink(fresh_pg_url)
    try:
        prepare_schema(sink, src, opts)
        before = _pg_objects(sink)
    finally:
        sink.close()
    seedbed = str(Path(sys.executable).parent / "seedbed")
    common = ["--recipe", "scale-seed", "--db", fresh_pg_url, "--seed", "5"]
    cmd = [seedbed, "seed", *common, "--scale", "0.05", "--manifest-dir", str(tmp_path / "runs"), "-q"]
    _kill_while_loading(fresh_pg_url, cmd, "audit_events")
    sink = open_sink(fresh_pg_url)
    try:
        assert {o for o in _pg_objects(sink) if o[0] != "seedbed_runs"} == before  # nothing left dropped
        assert sink.scalar("SELECT count(*) FROM audit_events") == 0  # its rows went with the transaction
    finally:
        sink.close()

    again = subprocess.run(
        cmd if then == "seed" else [seedbed, "purge", *common], capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    sink = open_sink(fresh_pg_url)
    try:
        assert {o for o in _pg_objects(sink) if o[0] != "seedbed_runs"} == before
        if then == "seed":
            run = sink.manifests.find("scale-seed", 5)
            assert run.status == "completed" and not run.pending_ddl
            assert verify(sink, src, opts).ok
        else:
            assert sink.manifests.find("scale-seed", 5) is None
            assert sink.scalar("SELECT count(*) FROM audit_events") == 0
            assert sink.scalar("SELECT count(*) FROM users") == 0
    finally:
        sink.close()
