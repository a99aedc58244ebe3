"""Purge removes exactly a run's rows, whatever options it is given later.

A property test on each database: a seed with random options (rows, locale, seed), the
application's own rows added before and after it (some pointing at seeded rows, some
not), then a purge given other options. Every row the run did not make is still there
afterwards; when one of them points at a seeded row the purge refuses with a message
naming it and nothing at all is deleted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedbed.errors import StillReferenced
from seedbed.planning.load import parse_plan
from seedbed.run.options import SeedOptions
from seedbed.run.purge import purge
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url

DDL = [
    "CREATE TABLE customers (id integer PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, name varchar(200))",
    "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id),"
    " total numeric(10, 2) NOT NULL)",
]
DIALECTS = dialect_params()

options = st.fixed_dictionaries(
    {"rows": st.integers(1, 40), "locale": st.sampled_from([None, "de_DE", "fr_FR"]), "seed": st.integers(1, 10**6)}
)
app_rows = st.fixed_dictionaries(
    {
        "before": st.integers(0, 3),  # customers (each with an order) there before the seed
        "after": st.integers(0, 3),  # customers (each with an order) added after it
        "pointing": st.booleans(),  # an application order pointing at a seeded customer
    }
)


def _rows(sink) -> dict[str, set[tuple]]:
    out = {}
    for table in ("customers", "orders"):
        out[table] = {tuple(map(str, r)) for r in sink.conn.exec_driver_sql(f"SELECT * FROM {table}").fetchall()}
    sink.conn.commit()
    return out


def _insert(sink, first_id: int, n: int, tag: str) -> None:
    statements = []
    for i in range(first_id, first_id + n):
        statements.append(f"INSERT INTO customers VALUES ({i}, 'app-{tag}-{i}@example.org', 'app')")
        statements.append(f"INSERT INTO orders VALUES ({i}, {i}, 9.99)")
    sink.execute(statements)
    sink.conn.commit()


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
def test_purge_leaves_every_row_the_run_did_not_make(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path, DDL)
    plan = parse_plan({"name": "shop"}, "plan.yaml")
    src = Source("shop", plan, None)

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(seeded=options, later=options, app=app_rows)
    def check(seeded: dict, later: dict, app: dict) -> None:
        sink = open_sink(url)
        try:
            sink.execute(["DELETE FROM orders", "DELETE FROM customers"])
            sink.conn.commit()
            for m in list(sink.manifests.records()):
                sink.manifests.delete(m["run_id"])
            _insert(sink, 1, app["before"], "before")
            run = seed(sink, src, SeedOptions(manifest_dir=None, **seeded))
            assert run.status == "completed"
            top = int(sink.scalar("SELECT max(id) FROM customers") or 0)
            _insert(sink, top + 1, app["after"], "after")
            if app["pointing"]:
                seeded_id = top  # the last seeded customer
                sink.execute([f"INSERT INTO orders VALUES ({top + 1000}, {seeded_id}, 1.00)"])
                sink.conn.commit()
            before = _rows(sink)
            ours = {r for r in before["customers"] if not r[1].startswith("app-")}
            given_later = SeedOptions(manifest_dir=None, **{**later, "seed": seeded["seed"]})
            if app["pointing"]:
                with pytest.raises(StillReferenced) as err:
                    purge(sink, src, given_later)
                assert "orders" in str(err.value) or "customers" in str(err.value)
                assert _rows(sink) == before  # nothing deleted at all
                return
            purge(sink, src, given_later)
            after = _rows(sink)
            assert after["customers"] == before["customers"] - ours
            assert all(r[1].startswith("app-") for r in after["customers"])
            assert len(after["orders"]) == app["before"] + app["after"]
        finally:
            sink.close()

    check()


def test_purge_blocked_by_a_reference_is_a_message(tmp_path: Path):
    from typer.testing import CliRunner

    from seedbed.cli.app import app

    db = tmp_path / "blocked.db"
    url = f"sqlite:///{db}"
    sink = open_sink(url)
    try:
        sink.execute(DDL)
        sink.conn.commit()
        plan_path = tmp_path / "plan.yaml"
        plan_path.write_text("name: shop\n")
        seed(
            sink,
            Source("shop", parse_plan({"name": "shop"}, "plan.yaml"), None),
            SeedOptions(seed=1, rows=5, manifest_dir=None),
        )
        sink.execute(["INSERT INTO orders VALUES (999, 1, 1.00)"])
        sink.conn.commit()
    finally:
        sink.close()
    res = CliRunner().invoke(app, ["purge", "--plan", str(plan_path), "--db", url, "--seed", "1"])
    assert res.exit_code == 2, res.output
    assert "cannot purge" in res.output and "orders" in res.output and "customer_id=1" in res.output
    assert "Traceback" not in res.output
