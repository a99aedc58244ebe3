"""The erp recipe (seed system S2): 107 tables of an ERP/CRM, every one filled, consistent.

S2's minimums at medium, every table seeded with no orphan on each database, and the
recipe's invariants as verify checks: balanced journal entries, valid workflow histories,
a payment after its invoice, business rates within tolerance, Pareto revenue.
"""

from __future__ import annotations

from contextlib import closing

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli

MINIMUMS = {  # S2 at medium
    "calendar_events": 200, "comments": 500, "lists": 50, "list_items": 200, "payments": 3000,
    "workflow_items": 100, "workflow_item_status_history": 100, "pricing_rules": 20, "pricing_profiles": 10,
    "purchase_orders": 150,
}  # fmt: skip


def test_medium_meets_s2s_minimums_over_about_107_tables():
    planned = seedbed.plan(recipe="erp", profile="medium")
    assert 100 <= len(planned.rows) <= 110
    assert planned.rows["invoices"] == 4400 and planned.rows["invoice_lines"] > 4400
    assert {t: planned.rows[t] >= n for t, n in MINIMUMS.items()} == dict.fromkeys(MINIMUMS, True)
    assert not planned.plan.warnings
    light, heavy = seedbed.plan(recipe="erp", profile="light"), seedbed.plan(recipe="erp", profile="heavy")
    assert light.total < planned.total < heavy.total


@pytest.mark.slow  # 107 tables seeded, verified, rerun and purged on each database: ~10 s each
@pytest.mark.parametrize("dialect", dialect_params())
def test_light_fills_every_table_and_passes_every_check(dialect, request, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = fresh_url(dialect, request, tmp_path)
    run = cli("seed", "--recipe", "erp", "--db", url, "--size", "light", "-q")
    assert run.code == 0, run.output
    report = cli("verify", "--recipe", "erp", "--db", url)
    assert report.code == 0, report.output
    for name in ("every journal entry balances", "every transition is one workflow allows",
                 "each history is one chain in time order", "workflow_items.status is where its history ends",
                 "every payment follows its invoice", "a fifth of the clients bring most of the revenue",
                 "every table was seeded"):  # fmt: skip
        assert name in report.flat, name  # (exit 0: every check passed)
    with closing(open_sink(url)) as sink:
        empty = [t for t in seedbed.plan(recipe="erp", profile="light").rows
                 if not sink.scalar(f"SELECT count(*) FROM {t}")]  # fmt: skip
    assert empty == []
    again = cli("seed", "--recipe", "erp", "--db", url, "--size", "light", "-q")
    assert again.code == 0 and "0 rows added" in again.flat
    assert sum(seedbed.purge(url, recipe="erp").values()) > 40_000


def test_verify_writes_a_completion_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert cli("seed", "--recipe", "rollout", "--db", url, "-q").code == 0
    report = tmp_path / "done.md"
    run = cli("verify", "--recipe", "rollout", "--db", url, "--report", report)
    assert run.code == 0, run.output
    text = report.read_text()
    assert text.startswith("# Completion report: rollout") and "checks passed, 0 failed, in " in text
    assert "| clients | 10 | 10 | ok |" in text and "## The recipe's invariants" in text
    with closing(open_sink(url)) as sink:
        sink.conn.exec_driver_sql("DELETE FROM payments WHERE id = 1")
        sink.conn.commit()
    failed = cli("verify", "--recipe", "rollout", "--db", url, "--report", report)
    assert failed.code == 1 and "| payments | 30 | 29 | FAIL |" in report.read_text()
