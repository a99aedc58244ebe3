"""A larger size seeded on top of a completed run adds rows and rewrites none (run/grow.py).

erp seeded ``light`` (scale 0.25), then ``medium`` (scale 1): the second run is an
increment of scale 0.75 recorded beside the first; every row the first run wrote is still
there, unchanged; the tables that grow reach about medium's sizes, the fixed ones keep
theirs; every check passes over each increment; a rerun adds nothing; purge takes both.
The same sizes in the same order give the same rows in another database.
"""

from __future__ import annotations

from contextlib import closing

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli


def _rows(url: str, tables: list[str]) -> dict[str, set[tuple]]:
    with closing(open_sink(url)) as sink:
        out = {}
        for t in tables:
            got = sink.conn.exec_driver_sql(f"SELECT * FROM {t}").fetchall()
            out[t] = {tuple(str(v) for v in row) for row in got}
        return out


def _grow(url: str) -> tuple[dict[str, set[tuple]], dict[str, set[tuple]]]:
    tables = list(seedbed.plan(recipe="erp", profile="light").rows)
    first = cli("seed", "--recipe", "erp", "--db", url, "--size", "light", "-q")
    assert first.code == 0, first.output
    before = _rows(url, tables)
    grown = cli("seed", "--recipe", "erp", "--db", url, "--size", "medium", "-q")
    assert grown.code == 0, grown.output
    assert "erp+2 adds scale 0.75 to seed 2026: it now has scale 1" in grown.flat
    return before, _rows(url, tables)


@pytest.mark.slow  # 107 tables seeded four times, verified and purged: ~30 s
def test_a_larger_size_adds_rows_and_keeps_every_row_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'grow.db'}"
    before, after = _grow(url)
    assert {t: before[t] <= after[t] for t in before} == dict.fromkeys(before, True)  # nothing rewritten
    medium = seedbed.plan(recipe="erp", profile="medium").rows
    light = seedbed.plan(recipe="erp", profile="light").rows
    for t, rows in after.items():
        if medium[t] == light[t]:  # a fixed table keeps its rows
            assert rows == before[t], t
        else:  # a growing one reaches about medium's size (rounding, and walks of random length)
            assert abs(len(rows) - medium[t]) <= max(2, medium[t] // 10), (t, len(rows), medium[t])
    with closing(open_sink(url)) as sink:
        first = sink.manifests.find("erp", 2026)
        increment = sink.manifests.find("erp+2", 2026)
    assert first is not None and increment is not None
    assert (first.scale, first.options["grown"]) == (0.25, [1.0])
    assert increment.scale == 0.75 and increment.status == "completed"
    assert increment.options["earlier"] == [[0.25, 0, None]] and "invoices" in increment.options["grow"]
    assert "warehouses" not in increment.options["grow"]  # five warehouses at any size

    report = cli("verify", "--recipe", "erp", "--db", url)
    assert report.code == 0, report.output
    assert "erp+2: every journal entry balances" in report.flat
    assert "erp+2: every payment follows its invoice" in report.flat
    again = cli("seed", "--recipe", "erp", "--db", url, "--size", "medium", "-q")
    assert again.code == 0 and "0 rows added" in again.flat, again.output
    smaller = cli("seed", "--recipe", "erp", "--db", url, "--size", "light", "-q")
    assert smaller.code == 2 and "has grown to scale 1" in smaller.flat and "purge" in smaller.flat, smaller.output
    one = cli("seed", "--recipe", "erp", "--db", url, "--size", "heavy", "--table", "invoices", "-q")
    assert one.code == 2 and "takes no --table" in one.flat and "Traceback" not in one.output, one.output

    # the same sizes in the same order, in another database: the same rows
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert _grow(other)[1] == after
    deleted = seedbed.purge(url, recipe="erp")
    assert sum(deleted.values()) == sum(len(r) for r in after.values())
    with closing(open_sink(url)) as sink:
        assert sink.manifests.find("erp", 2026) is None and sink.manifests.find("erp+2", 2026) is None


@pytest.mark.slow  # 107 tables seeded twice, verified and purged on each server: ~20 s each
@pytest.mark.parametrize("dialect", [p for p in dialect_params() if p != "sqlite"])
def test_growing_on_a_server(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    before, after = _grow(url)
    assert {t: before[t] <= after[t] for t in before} == dict.fromkeys(before, True)
    assert sum(map(len, after.values())) > 2 * sum(map(len, before.values()))
    report = cli("verify", "--recipe", "erp", "--db", url)
    assert report.code == 0, report.output
    assert sum(seedbed.purge(url, recipe="erp").values()) == sum(map(len, after.values()))


def test_values_built_from_a_row_s_index_stay_unique_in_an_increment(tmp_path):
    """``{index}`` and a flat table's ordinals count on after the rows earlier increments
    wrote: unique columns built from them do not collide when the run grows."""
    from seedbed.planning.load import parse_plan
    from seedbed.run.options import SeedOptions
    from seedbed.run.purge import purge
    from seedbed.run.seed import seed
    from seedbed.run.source import Source
    from seedbed.run.verify import verify
    from seedbed.schema.ddl import parse_ddl

    ddl = "CREATE TABLE codes (id integer PRIMARY KEY, code text NOT NULL UNIQUE, n integer NOT NULL UNIQUE);"
    plan = {"name": "codes", "tables": {"codes": {"rows": 40, "columns": {"code": {"format": "C-{index}"},
                                                                         "n": {"ordinal": {"start": 1}}}}}}  # fmt: skip
    src = Source("codes", parse_plan(plan, "p"), parse_ddl(ddl, "sqlite"), ddl=ddl, ddl_dialect="sqlite")
    url = f"sqlite:///{tmp_path / 'codes.db'}"
    for scale in (1.0, 2.5, 3.0):
        with closing(open_sink(url)) as sink:
            m = seed(sink, src, SeedOptions(scale=scale, manifest_dir=None, create_schema=True))
        assert m.status == "completed", m.error
    with closing(open_sink(url)) as sink:
        got = sink.conn.exec_driver_sql("SELECT code, n FROM codes ORDER BY n").fetchall()
        sink.conn.commit()
        assert [r[1] for r in got] == list(range(1, 121)) and got[-1][0] == "C-119"
        assert verify(sink, src, SeedOptions()).ok
        assert sum(purge(sink, src, SeedOptions()).values()) == 120
