"""The Dask engine: the same pure (table, row range) tasks on a cluster's workers.

Against a real ``LocalCluster`` of two worker processes: ``export --engine dask`` writes the
very files the single-process export writes for the same ranges (compared byte for byte),
and together they are the single-file export's rows; ``seed --engine dask`` has the
workers load their ranges into PostgreSQL and MariaDB, giving the rows a local seed gives,
verified, a rerun adding nothing. Bad engines, SQLite targets and an unreachable
scheduler are messages.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import fresh_url
from tests.test_cli_errors import cli

RECIPE = {"recipe": "scale-seed", "scale": 0.02, "seed": 3}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.slow  # a local cluster starts: a few seconds
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_dask_export_writes_the_files_the_local_one_does(tmp_path, fmt):
    local = seedbed.export(tmp_path / "local", format=fmt, part_rows=3000, **RECIPE)
    url = f"file://{tmp_path / 'dask'}"
    remote = seedbed.export(url, format=fmt, part_rows=3000, engine="dask", workers=2, **RECIPE)
    assert _files(tmp_path / "local") == _files(tmp_path / "dask")  # byte for byte, file for file
    assert len(remote["audit_events"]) > 3 and [Path(p).name for p in remote["audit_events"]][:2] == [
        "part-000000000000." + fmt,
        "part-000000003000." + fmt,
    ]
    whole = seedbed.export(tmp_path / "whole", format=fmt, **RECIPE)  # one file per table
    for table, parts in local.items():
        if fmt == "csv":  # the header in the first part only: the parts joined are the file
            assert b"".join(Path(p).read_bytes() for p in parts) == whole[table].read_bytes(), table
        else:
            joined = pq.ParquetDataset([str(p) for p in parts]).read()
            assert joined.equals(pq.read_table(whole[table])), table


@pytest.mark.slow
@pytest.mark.parametrize(
    "dialect", [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)]
)
def test_dask_workers_seed_a_database_with_the_rows_a_local_seed_gives(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    run = cli("seed", "--db", url, "--recipe", "scale-seed", "--scale", "0.02", "--seed", "3", "--engine", "dask",
              "--workers", "2", "--part-rows", "3000", "-q")  # fmt: skip
    assert run.code == 0, run.output
    with closing(open_sink(url)) as sink:
        m = sink.manifests.find("scale-seed", 3)
        assert m is not None and m.status == "completed"
        assert m.tables["audit_events"].path.startswith("dask (") and m.tables["audit_events"].inserted > 3000
    assert seedbed.verify(url, recipe="scale-seed", seed=3).ok
    again = seedbed.seed(url, engine="dask", workers=2, part_rows=3000, full=True, manifest_dir=None, **RECIPE)
    assert again.inserted_total == 0
    # the rows a local seed writes, exported from both and compared
    local = seedbed.export(tmp_path / "expected", format="csv", **RECIPE)
    with closing(open_sink(url)) as sink:
        for table in ("audit_events", "work_tasks", "users"):
            rows = sink.conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            assert rows == len(local[table].read_text().splitlines()) - 1, table


def test_engines_and_targets_the_dask_engine_cannot_take_are_messages(tmp_path):
    bad = cli("export", "--recipe", "scale-seed", "--out", tmp_path / "x", "--engine", "spark")
    assert bad.code == 2 and "unknown engine 'spark'" in bad.flat and "local, dask" in bad.flat
    lite = cli("seed", "--recipe", "scale-seed", "--db", f"sqlite:///{tmp_path / 'a.db'}", "--engine", "dask")
    assert lite.code == 2 and "a SQLite file takes one writer" in lite.flat and "Traceback" not in lite.output
    assert not (tmp_path / "a.db").exists()
    gone = cli("export", "--recipe", "scale-seed", "--scale", "0.001", "--out", tmp_path / "y", "--engine", "dask",
               "--scheduler", "tcp://127.0.0.1:1")  # fmt: skip
    assert gone.code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in gone.flat, gone.output
