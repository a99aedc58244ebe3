"""``--workers N``: rows made in worker processes while the run's connection loads them.

The batches the database gets are the ones one process makes, so the data is the same
with any number of workers and any chunk size (compared table by table). Stopping such a
run, and what its workers leave behind, is in test_faults.py (the ``-workers`` cases).
"""

from __future__ import annotations

from seedbed.run import parallel
from tests.test_cli_errors import cli
from tests.test_faults import fingerprint

ARGS = ["--recipe", "scale-seed", "--scale", "0.02", "--seed", "4", "-q"]


def test_workers_make_the_rows_one_process_makes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one, three = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'three.db'}"
    assert cli("seed", "--db", one, "--workers", "1", *ARGS).code == 0
    run = cli("seed", "--db", three, "--workers", "3", "--chunk-size", "700", *ARGS)
    assert run.code == 0, run.output
    assert fingerprint(three) == fingerprint(one)


def test_the_default_leaves_a_core_to_the_loader():
    assert parallel.default_workers() >= 1
    bad = cli("seed", "--db", "sqlite:///x.db", "--workers", "0", *ARGS)
    assert bad.code == 2 and "--workers must be at least 1, got 0" in bad.flat
