"""Safe on a database that already matters: a table commits with every key and index it
had or not at all, and one writing run at a time holds the database.

Each database is real (fresh per test); the races and kills are real processes.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seedbed.planning.load import parse_plan
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.purge import purge
from seedbed.run.seed import seed
from seedbed.run.source import Source, source_from
from seedbed.run.verify import verify
from seedbed.sinks import open_sink
from seedbed.sinks.lock import LockHeld, locked
from tests.helpers import dialect_params, fresh_url, structure

SEEDBED = str(Path(sys.executable).parent / "seedbed")
DIALECTS = dialect_params()

DDL = {
    "postgres": [
        "CREATE TABLE p (id integer PRIMARY KEY, name text)",
        "CREATE TABLE t (id integer PRIMARY KEY, flag boolean UNIQUE, p_id integer NOT NULL REFERENCES p (id))",
        "CREATE INDEX t_p ON t (p_id)",
    ],
    "mysql": [
        "CREATE TABLE p (id integer PRIMARY KEY, name text)",
        "CREATE TABLE t (id integer PRIMARY KEY, flag boolean UNIQUE, p_id integer NOT NULL,"
        " CONSTRAINT t_p_fk FOREIGN KEY (p_id) REFERENCES p (id))",
        "CREATE INDEX t_p ON t (p_id)",
    ],
    "sqlite": [
        "CREATE TABLE p (id integer PRIMARY KEY, name text)",
        "CREATE TABLE t (id integer PRIMARY KEY, flag boolean UNIQUE, p_id integer NOT NULL REFERENCES p (id))",
        "CREATE INDEX t_p ON t (p_id)",
    ],
}
# a plan whose values break t's unique key, or its foreign key
BREAKS = {"unique": {"flag": {"choices": [True]}}, "foreign key": {"p_id": {"choices": [999_999]}}}


def _run(url: str, columns: dict, op=seed):
    plan = parse_plan({"name": "safe", "tables": {"t": {"rows": 1000, "columns": columns}}}, "plan.yaml")
    sink = open_sink(url)
    try:
        return op(sink, Source("safe", plan, None), SeedOptions(seed=1, rows=10, manifest_dir=None))
    finally:
        sink.close()


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("broken", list(BREAKS))
def test_rows_that_break_a_key_commit_nothing_and_the_table_keeps_every_key(dialect, broken, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path, DDL[dialect])
    before = structure(url)
    m = _run(url, BREAKS[broken])
    assert m.status == "partial" and set(m.left_out) == {"t"}
    reason = m.left_out["t"]
    # the constraint and one offending row or key are named (PostgreSQL gives the key; the
    # others name the constraint or the duplicated value)
    if broken == "unique":
        assert "flag" in reason, reason
    else:  # every database names the column and the value no parent row has
        assert "p_id" in reason and "999999" in reason, reason
    assert structure(url) == before
    sink = open_sink(url)
    try:
        assert sink.scalar("SELECT count(*) FROM t") == 0 and sink.scalar("SELECT count(*) FROM p") == 10
    finally:
        sink.close()
    fixed = _run(url, {})  # the plan fixed: the next run fills t, every key still there
    assert fixed.status == "completed" and fixed.tables["t"].inserted == 2
    assert structure(url) == before
    deleted = _run(url, {}, purge)  # and nothing is stuck: purge takes the run's rows back out
    assert (deleted.get("p"), deleted.get("t")) == (10, 2)


def test_sqlite_checks_a_table_s_foreign_keys_once_after_its_rows(request, tmp_path):
    """SQLite loads a table that has no trigger with foreign keys unenforced per row and
    checks it whole before the commit: an orphan still rolls it back, named, and the
    connection enforces foreign keys again afterwards. A table with a trigger is checked
    row by row, as before."""
    ddl = [*DDL["sqlite"], "CREATE TABLE log (n integer)", "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN"
           " INSERT INTO log VALUES (NEW.id); END"]  # fmt: skip
    url = fresh_url("sqlite", request, tmp_path, DDL["sqlite"])
    plan = parse_plan({"name": "safe", "tables": {"t": {"rows": 1000, "columns": BREAKS["foreign key"]}}}, "p")
    with open_sink(url) as sink:
        m = seed(sink, Source("safe", plan, None), SeedOptions(seed=1, rows=10, manifest_dir=None))
        assert "no such p row" in m.left_out["t"] and "999999" in m.left_out["t"], m.left_out
        assert sink.scalar("PRAGMA foreign_keys") == 1 and sink.scalar("SELECT count(*) FROM t") == 0
    (tmp_path / "triggered").mkdir()
    url = fresh_url("sqlite", request, tmp_path / "triggered", ddl)
    with open_sink(url) as sink:
        assert sink._triggered(plan_for(Source("s", plan, sink.reflect()), SeedOptions(rows=10))[0].table("t"))
        m = seed(sink, Source("safe", plan, None), SeedOptions(seed=1, rows=10, manifest_dir=None))
        assert "999999" in m.left_out["t"], m.left_out
        # the trigger's rows went with the refused ones: the log holds its own seeded rows only
        assert sink.scalar("SELECT count(*) FROM t") == 0 and sink.scalar("SELECT count(*) FROM log") == 10


@pytest.mark.postgres
def test_a_parent_s_keys_go_for_its_load_with_its_empty_children_s_and_all_come_back(request, tmp_path):
    """A first seed loads parents before children: the parent's primary key (and the empty
    child's foreign key leaning on it) are dropped for the load and rebuilt in its
    transaction. A duplicate key rolls all of it back, keys included."""
    url = fresh_url("postgres", request, tmp_path, DDL["postgres"])
    before = structure(url)
    with open_sink(url) as sink:
        plan, _ = plan_for(Source("safe", parse_plan({}, "p"), sink.reflect()), SeedOptions(rows=10))
        deferral = sink.deferrable(plan.table("p"))
        assert deferral is not None
        assert any(re.match(r"ALTER TABLE t DROP CONSTRAINT t_p_id_fkey", d) for d in deferral.drop), deferral.drop
        assert any("p_pkey" in d for d in deferral.drop) and deferral.rebuild[-1].startswith("ALTER TABLE t ADD")
    duplicate = parse_plan({"name": "dup", "tables": {"p": {"rows": 5, "columns": {"id": {"choices": [7]}}}}}, "d")
    with open_sink(url) as sink:
        m = seed(sink, Source("dup", duplicate, None), SeedOptions(seed=1, rows=10, manifest_dir=None))
    assert "p" in m.left_out and structure(url) == before
    with open_sink(url) as sink:
        assert sink.scalar("SELECT count(*) FROM p") == 0


# -- one run at a time -----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_second_writer_stops_at_once_naming_the_holder(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path)
    holder = open_sink(url)
    try:
        with locked(holder, "seed"):
            other = open_sink(url)
            try:
                with pytest.raises(LockHeld) as err, locked(other, "purge"):
                    pass
                t0 = time.monotonic()
                with pytest.raises(LockHeld), locked(other, "purge", wait=0.6):
                    pass
                assert time.monotonic() - t0 >= 0.6
            finally:
                other.close()
            assert "Another seeding operation is in progress" in err.value.message
            if dialect != "mysql":  # MySQL names the connection and its user only
                assert f"pid {os.getpid()}" in err.value.message
            cmd = [SEEDBED, "seed", "--recipe", "scale-seed", "--db", url, "--scale", "0.001", "--manifest-dir",
                   str(tmp_path / "runs"), "-q"]  # fmt: skip
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            assert out.returncode == LockHeld.exit_code, out.stderr
            assert "Another seeding operation is in progress" in out.stderr and "Traceback" not in out.stderr
            assert "--wait" in out.stderr
        # released: the same command goes through
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    finally:
        holder.close()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_lock_dies_with_a_killed_run(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path)
    hold = (
        "import sys, time; from seedbed.sinks import open_sink; from seedbed.sinks.lock import locked\n"
        "s = open_sink(sys.argv[1])\n"
        "with locked(s, 'seed'):\n    print('held', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", hold, url], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        sink = open_sink(url)
        try:
            with pytest.raises(LockHeld), locked(sink, "seed"):
                pass
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            with locked(sink, "seed", wait=10):  # the server (or the OS) let it go with its session
                pass
        finally:
            sink.close()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
def test_racing_runs_of_one_seed_leave_every_key_and_one_copy_of_the_rows(dialect, request, tmp_path):
    """Four real runs of the same seed started together: one holds the database, the others
    either stop at once (exit 75) or, with --wait, run after it and add nothing."""
    url = fresh_url(dialect, request, tmp_path)
    src = source_from(recipe="scale-seed")
    opts = SeedOptions(seed=7, scale=0.02, manifest_dir=None)
    base = [SEEDBED, "seed", "--recipe", "scale-seed", "--db", url, "--seed", "7", "--scale", "0.02", "-q",
            "--manifest-dir", str(tmp_path / "runs")]  # fmt: skip
    procs = [
        subprocess.Popen(
            base + (["--wait", "120"] if i % 2 else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )  # fmt: skip
        for i in range(4)
    ]
    outs = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    for i, (code, _, err) in enumerate(outs):
        assert "Traceback" not in err, err
        assert code == 0 if i % 2 else code in (0, LockHeld.exit_code), err  # a waiter always gets its turn
        if code == LockHeld.exit_code:
            assert "Another seeding operation is in progress" in err
    # one run wrote the rows; every other one that got in found them all there
    added = [out for code, out, _ in outs if code == 0 and not re.search(r"\b0 rows\s+added", out)]
    assert len(added) == 1, [o for _, o, _ in outs]
    sink = open_sink(url)
    try:
        report = verify(sink, src, opts)
        assert report.ok, [r.name for r in report.failures]
        m = sink.manifests.find("scale-seed", 7)
        assert m.status == "completed" and not m.pending_ddl
    finally:
        sink.close()
    if dialect == "sqlite":
        assert not Path(url.removeprefix("sqlite:///") + "-seedbed-lock").exists()
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()


# -- verify reads the schema, not the manifest -----------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_verify_fails_when_an_index_is_gone_behind_its_back(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path)
    src, opts = source_from(recipe="scale-seed"), SeedOptions(seed=3, scale=0.001, manifest_dir=None)
    sink = open_sink(url)
    try:
        seed(sink, src, opts)
        assert verify(sink, src, opts).ok
        on = " ON audit_events" if dialect == "mysql" else ""
        sink.execute([f"DROP INDEX audit_events_entity_idx{on}"])
        sink.conn.commit()
        report = verify(sink, src, opts)
        failed = {r.name: r.actual for r in report.failures}
        lost = failed.get("every index and constraint the schema had is there and valid", [])
        assert any("audit_events_entity_idx" in x for x in lost), failed
    finally:
        sink.close()


# an attachment the application uploads into a seeded workspace: S1's storage totals no
# longer add up over the whole table, but they still do over the run's own rows
APP_ATTACHMENT = (
    "INSERT INTO attachments (id, organization_id, workspace_id, task_id, uploaded_by, file_name, content_type,"
    " size_bytes, status, created_at) SELECT '00000000-0000-4000-8000-00000000a77a', organization_id, workspace_id,"
    " NULL, uploaded_by,"
    " 'app.pdf', content_type, 12345, 'uploaded', created_at FROM attachments WHERE status = 'uploaded' LIMIT 1"
)
STORAGE_TOTALS = (
    "SELECT count(*) FROM workspace_storage_usage u WHERE u.used_bytes <> COALESCE((SELECT sum(a.size_bytes)"
    " FROM attachments a WHERE a.workspace_id = u.workspace_id AND a.status = 'uploaded'), 0)"
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_recipe_checks_see_only_the_runs_own_rows(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path)
    src, opts = source_from(recipe="scale-seed"), SeedOptions(seed=3, scale=0.001, manifest_dir=None)
    sink = open_sink(url)
    try:
        seed(sink, src, opts)
        seed(sink, src, SeedOptions(seed=4, scale=0.001, manifest_dir=None))  # another seed beside it
        sink.execute([APP_ATTACHMENT])
        sink.conn.commit()
        assert sink.scalar(STORAGE_TOTALS) == 1  # read whole, the table no longer adds up
        report = verify(sink, src, opts)
        assert report.ok, [(r.name, r.expected, r.actual) for r in report.failures]
        # the shadows are gone: the application's row is there to be read again
        assert sink.scalar("SELECT count(*) FROM attachments WHERE file_name = 'app.pdf'") == 1
        assert sink.scalar(STORAGE_TOTALS) == 1
        before = structure(url)
        assert verify(sink, src, SeedOptions(seed=4, scale=0.001, manifest_dir=None)).ok
        assert structure(url) == before
    finally:
        sink.close()


def test_the_tables_a_check_reads_are_found_in_its_sql():
    from seedbed.verification.checks import tables_named

    tables = ["public.attachments", "public.workspaces", "public.users", "public.work_tasks"]
    sql = "SELECT count(*) FROM workspaces w JOIN (SELECT * FROM Attachments) a ON a.workspace_id = w.id"
    assert tables_named(sql, tables, "postgres") == ["public.attachments", "public.workspaces"]
    # a column named like a table is not a read of it; a query the parser cannot read is matched by word
    assert tables_named("SELECT users FROM work_tasks", tables, "postgres") == ["public.work_tasks"]
    assert tables_named("SELECT FROM FROM users ((", tables, "postgres") == ["public.users"]


@pytest.mark.postgres
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_purge_cancels_its_statement_on_the_server(fresh_pg_url, tmp_path, signum):
    """A purge stopped while the server works on its DELETE (a trigger that sleeps stands in
    for a long one): the command ends at once, the server statement is cancelled (nothing
    left running to block the next purge), and nothing was deleted."""
    import psycopg

    common = ["--recipe", "scale-seed", "--db", fresh_pg_url, "--seed", "4"]
    out = subprocess.run([SEEDBED, "seed", *common, "--scale", "0.001", "-q", "--manifest-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    with psycopg.connect(fresh_pg_url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$"
        )
        conn.execute("CREATE TRIGGER slow BEFORE DELETE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION slow()")
        before = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
        proc = subprocess.Popen([SEEDBED, "purge", *common], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'DELETE FROM%%audit_events%%' AND state = 'active'"
        )
        while not conn.execute(sql).fetchone()[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        t0 = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
        assert time.monotonic() - t0 < 10, "the purge did not stop promptly"
        assert code == 128 + signum, proc.stderr.read()
        assert "Traceback" not in proc.stderr.read()
        time.sleep(0.5)
        assert conn.execute(sql).fetchone()[0] == 0, "its DELETE is still running on the server"
        assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == before
        conn.execute("DROP TRIGGER slow ON audit_events")
    again = subprocess.run([SEEDBED, "purge", *common], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
