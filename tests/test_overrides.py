"""``--set NAME=VALUE``: a plan's values from the command line, recorded with the run."""

from __future__ import annotations

from contextlib import closing

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.test_cli_errors import cli


def test_a_table_a_column_and_the_scale_are_overridden_and_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'o.db'}"
    sets = ["--set", "orders.rows=70", "--set", "clients.columns.credit_limit={int: [1000, 2000]}"]
    planned = cli("plan", "--recipe", "rollout", *sets)
    assert planned.code == 0 and "total: 235 rows" in planned.flat
    assert cli("seed", "--recipe", "rollout", "--db", url, *sets).code == 0
    with closing(open_sink(url)) as sink:
        assert sink.scalar("SELECT count(*) FROM orders") == 70
        assert sink.scalar("SELECT count(*) FROM clients WHERE credit_limit NOT BETWEEN 1000 AND 2000") == 0
        m = sink.manifests.find("rollout", 1)
        assert m is not None and m.options["overrides"] == sets[1::2]
    assert cli("verify", "--recipe", "rollout", "--db", url).code == 0  # the recorded overrides
    assert sum(seedbed.purge(url, recipe="rollout").values()) == 235
    doubled = seedbed.plan(recipe="rollout", overrides=["scale=2"])
    assert doubled.total == 390


@pytest.mark.parametrize(
    "given, message",
    [
        ("orders.rows=-3", "tables.orders.rows: Value error, rows must be >= 0"),
        ("orders", "is not NAME=VALUE"),
        ("nonsense=1", "nonsense: Extra inputs are not permitted"),
        ("orders.rows=[1, ", "the value is not YAML"),
    ],
)
def test_a_bad_override_is_named(given, message):
    run = cli("plan", "--recipe", "rollout", "--set", given)
    assert run.code == 2 and message in run.flat and "Traceback" not in run.output, run.output
