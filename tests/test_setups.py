"""The setups recipe (seed system S5): a Supabase-style PostgreSQL project read by
introspection (auth.users beside public tables, enum types), and S5's config form, where a
``count`` is a TOTAL spread over the parent rows, never a number per parent."""

from __future__ import annotations

import json
from contextlib import closing
from importlib import resources
from pathlib import Path

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.test_cli_errors import assert_refused, cli

pytestmark = pytest.mark.postgres

COUNTS = {"auth.users": 10, "profiles": 10, "setups": 8, "components": 40, "likes": 20}
SCHEMA = Path(str(resources.files("seedbed.recipes"))) / "setups" / "schema.sql"


def _count(sink, table: str) -> int:
    return int(sink.scalar(f"SELECT count(*) FROM {table}"))


def test_the_recipe_seeds_verifies_reruns_and_purges(fresh_pg_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = cli("seed", "--recipe", "setups", "--db", fresh_pg_url)
    assert run.code == 0, run.output
    with closing(open_sink(fresh_pg_url)) as sink:
        assert {t: _count(sink, t) for t in COUNTS} == COUNTS
        # enum labels, read from the database's own type
        assert sink.scalar("SELECT count(*) FROM setups WHERE status::text NOT IN ('draft', 'active', 'archived')") == 0
        assert sink.scalar("SELECT count(DISTINCT kind) FROM components") > 1
    assert seedbed.verify(fresh_pg_url, recipe="setups").ok
    assert seedbed.seed(fresh_pg_url, recipe="setups", manifest_dir=None).inserted_total == 0
    assert seedbed.purge(fresh_pg_url, recipe="setups") == {t: n for t, n in COUNTS.items()}


@pytest.mark.parametrize(
    "users, setups, each",
    [(10, 8, {0, 1}), (5, 12, {2, 3}), (10, 3, {0, 1})],
    ids=["8 over 10", "12 over 5", "3 over 10"],
)
def test_a_count_is_a_total_over_the_parents(fresh_pg_url, tmp_path, users, setups, each):
    import psycopg

    with psycopg.connect(fresh_pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA.read_text())  # the project as it is: seedbed reads it from the database
    config = tmp_path / "seed-config.json"  # S5's own form: table -> {count}
    config.write_text(json.dumps({
        "auth.users": {"count": users}, "setups": {"count": setups},
        "profiles": {"count": 0}, "components": {"count": 0}, "likes": {"count": 0},
    }))  # fmt: skip
    m = seedbed.seed(fresh_pg_url, plan=config, manifest_dir=None)
    assert m.inserted_total == users + setups
    with closing(open_sink(fresh_pg_url)) as sink:
        per_user = [
            n for (n,) in sink.conn.exec_driver_sql(
                "SELECT count(s.id) FROM auth.users u LEFT JOIN setups s ON s.user_id = u.id GROUP BY u.id"
            )
        ]  # fmt: skip
    assert sum(per_user) == setups and len(per_user) == users
    assert set(per_user) <= each
    if setups < users:
        assert 0 in per_user  # fewer than the parents: some get none


def test_a_row_limit_fails_before_any_write_and_large_datasets_warn(fresh_pg_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    refused = cli("seed", "--recipe", "setups", "--db", fresh_pg_url, "--max-total-rows", "50")
    assert_refused(refused, "88 rows", "limit of 50 rows", hint="--max-rows")
    with closing(open_sink(fresh_pg_url)) as sink:
        assert not sink.existing_tables(["public", "auth"])
    plan = tmp_path / "p.yaml"
    plan.write_text("name: setups-warned\nlimits: {warn_total_rows: 50}\n" + "tables: {setups: {count: 8}}\n")
    planned = seedbed.plan(ddl=SCHEMA, dialect="postgres", plan=plan)
    assert any("over the 50 rows that warn" in w for w in planned.plan.warnings), planned.plan.warnings
