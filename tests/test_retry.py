"""A transaction that loses a deadlock is rolled back and run again.

The PostgreSQL test makes a real deadlock: another session holds a parent row FOR UPDATE
(so the seed's foreign-key check waits for it) and then inserts a key the seed has just
written (so it waits for the seed). The server aborts the seed's transaction (40P01);
the seed waits, loads the table again, and ends with every row and a warning that says so.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time

import psycopg
import pytest

from seedbed.dialects import get
from seedbed.errors import LoadFailed
from seedbed.run.retry import RETRIES, with_retries
from tests.test_safety import SEEDBED

SCHEMA = [
    "CREATE TABLE parents (id integer PRIMARY KEY, name text NOT NULL)",
    "CREATE TABLE children (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parents (id), note text)",
]
PLAN = """name: deadlock
tables:
  parents: {rows: 3, columns: {id: {sequence: {start: 1}}}}
  children: {rows: 2000, columns: {id: {sequence: {start: 1}}, parent_id: {ref: {}}}}
"""


def _waiting_backend(url: str, mine: int) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s "
            "AND wait_event_type = 'Lock'",
            (mine,),
        ).fetchone()
    return bool(rows and rows[0])


@pytest.mark.postgres
def test_a_real_deadlock_is_retried(fresh_pg_url, tmp_path):
    url = fresh_pg_url
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    with psycopg.connect(url, autocommit=True) as conn:
        for stmt in SCHEMA:
            conn.execute(stmt)
    env = {**os.environ, "SEEDBED_RETRY_BASE": "0.2", "COLUMNS": "300"}
    base = [SEEDBED, "seed", "--db", url, "--plan", str(plan), "--manifest-dir", str(tmp_path / "runs")]
    first = subprocess.run([*base, "--table", "parents"], capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    other = psycopg.connect(url)  # the session the seed collides with
    other.execute("SET deadlock_timeout = '20s'")  # the seed's session finds the deadlock first
    other.execute("INSERT INTO children VALUES (999999, 1, 'the application''s')")  # not empty: no index dropped
    other.commit()
    other.execute("SET deadlock_timeout = '20s'")
    other.execute("SELECT * FROM parents FOR UPDATE")  # every parent row: the seed's key checks wait
    seed = subprocess.Popen([*base], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    mine = other.info.backend_pid
    deadline = time.monotonic() + 60
    while not _waiting_backend(url, mine):
        assert seed.poll() is None, seed.communicate()
        assert time.monotonic() < deadline, "the seed never waited for the locked parent rows"
        time.sleep(0.1)

    def collide() -> None:  # waits for the seed's uncommitted key 1: a cycle of waits
        with contextlib.suppress(psycopg.Error):
            other.execute("INSERT INTO children VALUES (1, 1, 'collides')")
        other.rollback()  # its rows and locks go: the retried load passes

    thread = threading.Thread(target=collide)
    thread.start()
    out, err = seed.communicate(timeout=120)
    thread.join(timeout=30)
    other.close()
    assert seed.returncode == 0, err
    assert "deadlock" in (out + err) and "tried again" in (out + err), out + err
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM children").fetchone() == (2001,)
        assert conn.execute("SELECT count(*) FROM children WHERE id = 1 AND note = 'collides'").fetchone() == (0,)


@pytest.mark.parametrize("dialect, code", [("postgres", "40P01"), ("postgres", "55P03"), ("postgres", "40001"),
                                           ("mysql", "1213"), ("mysql", "1205")])  # fmt: skip
def test_transient_codes_are_retried_three_times_then_named(dialect, code):
    class Sink:
        pass

    sink = Sink()
    sink.dialect = get(dialect)  # type: ignore[attr-defined]
    attempts, slept, notes = [], [], []

    def attempt() -> None:
        attempts.append(1)
        failed = LoadFailed(f"{dialect} rejected rows of t ({code}): lost")
        failed.code = code
        raise failed

    with pytest.raises(LoadFailed, match=r"still failing after 3 retries") as info:
        with_retries(sink, "t", attempt, note=notes.append, sleep=slept.append)  # type: ignore[arg-type]
    assert len(attempts) == RETRIES + 1 and len(notes) == RETRIES
    assert [round(s / 0.5) for s in slept] == [1, 2, 4] or all(a < b for a, b in zip(slept, slept[1:], strict=False))
    assert info.value.code == code and "tried again" in notes[0]


def test_other_refusals_are_not_retried():
    class Sink:
        pass

    sink = Sink()
    sink.dialect = get("postgres")  # type: ignore[attr-defined]
    attempts = []

    def attempt() -> None:
        attempts.append(1)
        failed = LoadFailed("unique violation")
        failed.code = "23505"
        raise failed

    with pytest.raises(LoadFailed, match="unique violation"):
        with_retries(sink, "t", attempt, sleep=lambda s: None)  # type: ignore[arg-type]
    assert len(attempts) == 1
