"""One MySQL/MariaDB table's rows through several sessions, committed as one (XA).

The rows are the same whatever the number of sessions; a refused row in any session
rolls every session back; and what a killed run leaves prepared in the server is ended
by the next command that takes the run lock: committed where the decision to commit
was recorded, rolled back elsewhere. Real server, real kills.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seedbed import api
from seedbed.planning.load import parse_plan
from seedbed.run.options import SeedOptions
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.sinks import open_sink
from seedbed.sinks.manifest import COMMITS_TABLE
from seedbed.sinks.mysqlsplit import PREFIX
from tests.helpers import structure

pytestmark = pytest.mark.mysql

SEEDBED = str(Path(sys.executable).parent / "seedbed")
DDL = [
    "CREATE TABLE p (id integer PRIMARY KEY, name varchar(40))",
    "CREATE TABLE t (id char(36) PRIMARY KEY, p_id integer NOT NULL, label varchar(60) NOT NULL UNIQUE,"
    " amount decimal(10,2), at datetime(6) NOT NULL, CONSTRAINT t_p FOREIGN KEY (p_id) REFERENCES p (id))",
    "CREATE INDEX t_amount ON t (amount)",
]
PLAN = {
    "name": "split",
    "tables": {
        "p": {"rows": 50},
        "t": {"rows": 9_000, "columns": {"id": {"uuid": {}}, "label": {"format": "t-{index}"}}},
    },
}


def _connect(url: str):
    from seedbed import dialects

    return dialects.get("mysql").connect(url)


def _query(url: str, sql: str) -> list[tuple]:
    con = _connect(url)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())
    finally:
        con.close()


def _run(url: str, plan: dict, connections: int, chunk: int = 1_000):
    sink = open_sink(url, connections=connections)
    try:
        return seed(sink, Source("split", parse_plan(plan, "p.yaml"), None), SeedOptions(seed=3, chunk_size=chunk,
                    manifest_dir=None))  # fmt: skip
    finally:
        sink.close()


def _prefix(url: str) -> str:
    """The transaction ids of seedbed's loads into this database begin so (the server's XA
    transactions are every database's: a test sees only its own)."""
    return f"{PREFIX}{_query(url, 'SELECT LEFT(MD5(DATABASE()), 12)')[0][0]}-"


def _prepared(url: str) -> list[tuple]:
    rows = _query(url, "XA RECOVER")
    mine = _prefix(url).encode()
    return [r for r in rows if (r[3] if isinstance(r[3], bytes) else str(r[3]).encode())[: r[1]].startswith(mine)]


def _fresh(url: str) -> None:
    con = _connect(url)
    try:
        with con.cursor() as cur:
            for stmt in ["DROP TABLE IF EXISTS t", "DROP TABLE IF EXISTS p", "DROP TABLE IF EXISTS seedbed_runs",
                         f"DROP TABLE IF EXISTS {COMMITS_TABLE}", *DDL]:  # fmt: skip
                cur.execute(stmt)
    finally:
        con.close()


def test_the_rows_are_the_same_through_one_session_or_three(fresh_mysql_url):
    url = fresh_mysql_url
    digests = {}
    for n in (1, 3):
        _fresh(url)
        m = _run(url, PLAN, n)
        assert m.status == "completed" and m.tables["t"].inserted == 9_000
        assert m.tables["t"].path == ("load data x3" if n == 3 else "load data")
        digests[n] = _query(url, "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, p_id, label, amount, at))) FROM t")
        assert not _prepared(url) and not _query(url, f"SHOW TABLES LIKE '{COMMITS_TABLE}'")
    assert digests[1] == digests[3]


BROKEN = {
    # a parent no p row has, here and there: whichever session meets it first
    "foreign key": {"rows": 9_000, "columns": {"id": {"uuid": {}}, "label": {"format": "t-{index}"},
                                               "p_id": {"choices": {1: 0.999, 999_999: 0.001}}}},
    # each batch repeats the labels of the one before: the sessions wait on each other's keys
    "unique across sessions": {"rows": {"per": "p", "each": 1_000},
                               "columns": {"id": {"uuid": {}}, "label": {"ordinal": {"start": 1}}}},
}  # fmt: skip


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_row_refused_in_one_session_rolls_back_every_session(fresh_mysql_url, broken):
    url = fresh_mysql_url
    _fresh(url)
    before = structure(url)
    plan = {"name": "split", "tables": {"p": {"rows": 9}, "t": BROKEN[broken]}}
    m = _run(url, plan, 3)
    assert m.status == "partial" and "t" in m.left_out
    reason = m.left_out["t"]
    if broken == "foreign key":
        assert "999999" in reason, reason
    else:  # the session that waited on the other's key gives up soon, naming the duplicate
        assert "Duplicate entry" in reason and "label" in reason, reason
    assert _query(url, "SELECT COUNT(*) FROM t") == [(0,)]
    assert structure(url) == before and not _prepared(url)
    assert not _query(url, f"SHOW TABLES LIKE '{COMMITS_TABLE}'")


@pytest.fixture
def ended(fresh_mysql_url):
    """Whatever a test leaves prepared is rolled back (its locks would hold up the drop)."""
    yield
    con = _connect(fresh_mysql_url)
    with con.cursor() as cur:
        for _fmt, glen, _blen, data in _prepared(fresh_mysql_url):
            raw = data if isinstance(data, bytes) else str(data).encode()
            cur.execute(f"XA ROLLBACK '{raw[:glen].decode()}','{raw[glen:].decode()}'")
    con.close()


def test_a_cycle_of_required_keys_loads_through_several_sessions(fresh_mysql_url):
    """A cycle of NOT NULL foreign keys loads with the run's session checking no foreign
    key (checked by seedbed once all is in): the other sessions check none either."""
    url = fresh_mysql_url
    con = _connect(url)
    with con.cursor() as cur:
        for stmt in ["DROP TABLE IF EXISTS t", "DROP TABLE IF EXISTS p", "DROP TABLE IF EXISTS seedbed_runs",
                     "CREATE TABLE a (id integer PRIMARY KEY, b_id integer NOT NULL)",
                     "CREATE TABLE b (id integer PRIMARY KEY, a_id integer NOT NULL,"
                     " CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id))",
                     "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id)"]:  # fmt: skip
            cur.execute(stmt)
    con.close()
    m = _run(url, {"name": "cycle", "tables": {"a": {"rows": 3_000}, "b": {"rows": 3_000}}}, 3)
    assert m.status == "completed", m.left_out
    assert {m.tables[t].path for t in ("a", "b")} == {"load data x3"}
    assert _query(url, "SELECT COUNT(*) FROM a JOIN b ON b.id = a.b_id") == [(3_000,)]
    assert _query(url, "SELECT COUNT(*) FROM b JOIN a ON a.id = b.a_id") == [(3_000,)]
    assert _query(url, "SELECT @@GLOBAL.foreign_key_checks") == [(1,)] and not _prepared(url)


def _leave_prepared(url: str, gtrid: str, decided: bool) -> None:
    """What a run killed in the middle of committing leaves: two prepared branches with
    rows of t (their sessions gone), and the decision, recorded or not."""
    for b in range(2):
        con = _connect(url)
        with con.cursor() as cur:
            cur.execute(f"XA START '{gtrid}','{b}'")
            for i in range(3):
                cur.execute(
                    "INSERT INTO t (id, p_id, label, amount, at) VALUES (UUID(), 1, %s, 1, NOW())", (f"x-{b}-{i}",)
                )
            cur.execute(f"XA END '{gtrid}','{b}'")
            cur.execute(f"XA PREPARE '{gtrid}','{b}'")
        con.close()  # the server keeps a prepared branch past its session
    if decided:
        con = _connect(url)
        with con.cursor() as cur:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} (gtrid VARCHAR(64) NOT NULL PRIMARY KEY)")
            cur.execute(f"INSERT INTO {COMMITS_TABLE} VALUES (%s)", (gtrid,))
            cur.execute("COMMIT")
        con.close()


@pytest.mark.parametrize("decided", [True, False])
def test_the_next_command_ends_what_a_killed_run_left_prepared(fresh_mysql_url, decided, tmp_path, ended):
    url = fresh_mysql_url
    _fresh(url)
    con = _connect(url)
    with con.cursor() as cur:
        cur.execute("INSERT INTO p VALUES (1, 'one')")
        cur.execute("COMMIT")
    con.close()
    gtrid = _prefix(url) + ("a1" * 12)
    _leave_prepared(url, gtrid, decided)
    assert len(_prepared(url)) == 2
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: other\ntables:\n  p: {rows: 5}\n  t: {rows: 0}\n")
    m = api.seed(url, plan=plan, manifest_dir=None)  # takes the run lock, and ends them first
    assert m.status == "completed"
    assert not _prepared(url)
    assert _query(url, "SELECT COUNT(*) FROM t WHERE label LIKE 'x-%'") == [(6 if decided else 0,)]
    assert not _query(url, f"SHOW TABLES LIKE '{COMMITS_TABLE}'")


def test_killed_runs_leave_a_table_whole_or_empty_and_the_next_run_completes(fresh_mysql_url, tmp_path, ended):
    """SIGKILL at different moments of a table's load through three sessions (from its
    start to near its end, as long as a whole load takes on this machine): the table holds
    none of its rows or all of them, never part; the same command then completes."""
    url = fresh_mysql_url
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: split\ntables:\n  p: {rows: 50}\n"
        "  t: {rows: 60000, columns: {id: {uuid: {}}, label: {format: 't-{index}'}}}\n"
    )
    cmd = [SEEDBED, "seed", "--db", url, "--plan", str(plan), "--seed", "3", "--connections", "3", "--chunk-size",
           "2000", "--manifest-dir", str(tmp_path / "runs"), "--log-format", "json"]  # fmt: skip
    _fresh(url)
    whole = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    events = [json.loads(line) for line in whole.stderr.splitlines() if line.startswith("{")]
    load_s = next(e["seconds"] for e in events if e.get("event") == "table_end" and e.get("table") == "t")
    seen = set()
    for share in (0.0, 0.3, 0.6, 0.9):
        _fresh(url)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # fmt: skip
        assert proc.stderr is not None
        for line in proc.stderr:  # until t starts loading
            event = json.loads(line) if line.startswith("{") else {}
            if event.get("event") == "table_start" and event.get("table") == "t":
                break
        time.sleep(share * load_s)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        n = _query(url, "SELECT COUNT(*) FROM t")[0][0]
        assert n in (0, 60_000) or _prepared(url), f"{n} rows of t after a kill {share:.0%} into its load"
        seen.add(n)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert _query(url, "SELECT COUNT(*) FROM t") == [(60_000,)]
        assert not _prepared(url) and not _query(url, f"SHOW TABLES LIKE '{COMMITS_TABLE}'"), (share, n)
    assert 0 in seen  # at least one kill landed during the load


def test_other_databases_load_a_table_through_one_session(tmp_path):
    """--connections is MySQL/MariaDB's: elsewhere a table commits through the run's own."""
    sink = open_sink(f"sqlite:///{tmp_path / 'x.db'}", connections=4)
    try:
        assert not hasattr(sink, "connections")
    finally:
        sink.close()
