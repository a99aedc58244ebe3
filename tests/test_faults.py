"""Fault injection: real runs stopped at random points, then run again.

Each case starts a real ``seedbed seed`` of the bundled recipe, lets it run for a random
moment (the draws are seeded: a failure names its delay and reproduces), and stops it:
SIGTERM and SIGINT must end it cleanly (its message, exit 143/130), SIGKILL just ends
it, and on PostgreSQL the server itself is restarted under it. Then:

- every index and constraint of the schema is there (nothing left dropped),
- the next run completes and verifies, and
- its data is byte-identical to an uninterrupted run's in a database of its own.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from seedbed.run.options import SeedOptions
from seedbed.run.source import source_from
from seedbed.run.verify import verify
from seedbed.sinks import open_sink
from tests import conftest
from tests.helpers import structure

SEEDBED = str(Path(sys.executable).parent / "seedbed")
SCALE = "0.02"
# random stop points per database and way of stopping: one in CI (about three minutes in
# all); SEEDBED_FAULT_KILLS=20 for a long hunt
KILLS = int(os.environ.get("SEEDBED_FAULT_KILLS", "1"))
STOPS = {"SIGTERM": 143, "SIGINT": 130, "SIGKILL": -signal.SIGKILL}


def _cmd(url: str, tmp_path: Path, workers: bool = False) -> list[str]:
    """The run; ``workers``: its rows made by two worker processes in batches of 500 (the
    data is the same: an uninterrupted run of either kind is the reference)."""
    extra = ["--workers", "2", "--chunk-size", "500"] if workers else []
    return [SEEDBED, "seed", "--recipe", "scale-seed", "--db", url, "--seed", "11", "--scale", SCALE, "-q",
            "--manifest-dir", str(tmp_path / "runs"), *extra]  # fmt: skip


def _tables(sink) -> list[str]:
    return [t for t in sorted(sink.existing_tables({None})) if t != "seedbed_runs"]


def fingerprint(url: str) -> dict[str, str]:
    """A digest of every table's rows, in a fixed order (every column sorted on)."""
    sink = open_sink(url)
    try:
        out = {}
        for table in _tables(sink):
            q = sink.qname(table)
            rows = sink.conn.exec_driver_sql(f"SELECT * FROM {q}").fetchall()
            out[table] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        sink.conn.commit()
        return out
    finally:
        sink.close()


def _status(url: str) -> str | None:
    for _ in range(100):  # a restarted server takes a moment to accept connections again
        try:
            sink = open_sink(url)
        except Exception:  # noqa: BLE001
            time.sleep(0.1)
            continue
        try:
            m = sink.manifests.find("scale-seed", 11)
            return m.status if m else None
        finally:
            sink.close()
    return None


def _restart_postgres() -> None:
    """Restart the local PostgreSQL server (as CI starts it: pg_ctlcluster, root or sudo)."""
    version = os.listdir("/etc/postgresql")[0]
    cmd = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"]
    if os.geteuid() != 0:
        cmd = ["sudo", "-n", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _databases(dialect: str, request: pytest.FixtureRequest, tmp_path: Path, n: int):
    """``n`` fresh databases of the dialect (URLs), and how to drop them."""
    if dialect == "sqlite":
        return [f"sqlite:///{tmp_path / f'f{i}.db'}" for i in range(n)], []
    make = conftest._fresh_pg if dialect == "postgres" else conftest._fresh_mysql
    gens = [make(conftest._module_db_name(request)) for _ in range(n)]
    return [next(g) for g in gens], gens


_REFERENCES: dict[str, tuple[dict[str, str], set[tuple]]] = {}


def _reference(dialect: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, str], set[tuple]]:
    """(fingerprint, structure) of an uninterrupted run, once per dialect."""
    if dialect not in _REFERENCES:
        urls, gens = _databases(dialect, request, tmp_path, 1)
        try:
            clean = subprocess.run(_cmd(urls[0], tmp_path), capture_output=True, text=True, timeout=300)
            assert clean.returncode == 0, clean.stderr
            _REFERENCES[dialect] = fingerprint(urls[0]), structure(urls[0])
        finally:
            for g in gens:
                next(g, None)
    return _REFERENCES[dialect]


def _stop_one(url: str, tmp_path: Path, stop: str, delay: float, workers: bool) -> tuple[int, str, bool]:
    """Start a run, stop it ``delay`` seconds after its first table is in (its progress
    line says so; asking the database could wait on the run's own locks): (exit code,
    stderr, whether it completed before the stop reached it)."""
    cmd = [a for a in _cmd(url, tmp_path, workers) if a != "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    for line in proc.stdout:
        if line.startswith("["):
            break
    drain = threading.Thread(target=proc.stdout.read, daemon=True)  # the run never blocks on its output
    drain.start()
    time.sleep(delay)
    if proc.poll() is not None:
        return proc.returncode, proc.stderr.read(), True
    if stop == "restart":
        _restart_postgres()
    else:
        proc.send_signal(getattr(signal, stop))
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    # a signal that came after the run completed, while Python was exiting, is not a stop
    late = code in (0, -getattr(signal, stop, 0)) and _status(url) == "completed"
    return code, err, late


def _orphans() -> list[str]:
    """seedbed worker processes whose run is gone (their parent is init)."""
    out = subprocess.run(["ps", "-eo", "ppid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.split(None, 1)[0] == "1" and "multiprocessing" in line]


def _cases() -> list:
    marks = {"postgres": [pytest.mark.postgres], "mysql": [pytest.mark.mysql], "sqlite": []}
    ways = {d: [*STOPS] + (["restart"] if d == "postgres" else []) for d in marks}
    # with worker processes making the rows: they stop with the run, and leave nothing behind
    ways["postgres"] += ["SIGINT-workers", "SIGKILL-workers"]
    ways["sqlite"] += ["SIGTERM-workers"]
    return [pytest.param(d, s, id=f"{d}-{s}", marks=marks[d]) for d in marks for s in ways[d]]


@pytest.mark.slow
@pytest.mark.parametrize(("dialect", "stop"), _cases())
def test_a_stopped_run_leaves_every_key_and_the_next_run_is_byte_identical(dialect, stop, request, tmp_path):
    stop, workers = stop.removesuffix("-workers"), stop.endswith("-workers")
    expected, keys = _reference(dialect, request, tmp_path)
    urls, gens = _databases(dialect, request, tmp_path, KILLS)
    try:
        draws = random.Random(f"{dialect}-{stop}-{KILLS}")
        stopped = 0
        for url in urls:
            delay = round(draws.uniform(0.0, 0.8 if dialect == "postgres" else 1.5), 3)
            for _ in range(4):  # a run that ends before the stop is purged and tried sooner
                code, err, late = _stop_one(url, tmp_path, stop, delay, workers)
                if not late:
                    break
                purged = subprocess.run([SEEDBED, "purge", "--recipe", "scale-seed", "--db", url, "--seed", "11"],
                                        capture_output=True, text=True, timeout=300)  # fmt: skip
                assert purged.returncode == 0, purged.stderr
                delay = round(delay / 2, 3)
            where = f"{stop} after {delay}s"
            assert "Traceback" not in err, f"{where}: {err}"
            stopped += not late
            if stop in ("SIGTERM", "SIGINT") and not late:
                assert code == STOPS[stop], f"{where}: exit {code}: {err}"
                assert f"stopped by {stop}" in err, f"{where}: {err}"
            assert structure(url) == keys, f"{where}: an index or key is missing"
            again = subprocess.run(_cmd(url, tmp_path, workers), capture_output=True, text=True, timeout=300)
            assert again.returncode == 0, f"{where}: the next run failed: {again.stderr}"
            assert fingerprint(url) == expected, f"{where}: the data differs from an uninterrupted run's"
            assert structure(url) == keys
            if workers:  # the workers ended with the run that started them
                assert not _orphans(), f"{where}: worker processes outlived their run"
            sink = open_sink(url)
            try:
                report = verify(sink, source_from(recipe="scale-seed"), SeedOptions(seed=11, scale=float(SCALE)))
                assert report.ok, f"{where}: {[r.name for r in report.failures]}"
            finally:
                sink.close()
        assert stopped, "every run ended before it could be stopped: draw shorter delays"
    finally:
        for g in gens:
            next(g, None)
