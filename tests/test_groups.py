"""Balanced groups: lines of one parent whose amounts add up exactly, whatever the batch.

Debits equal credits in every journal entry, and a payment's applications add up to the
payment, for any number of lines per group, in exact decimals, on every database.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli

DDL = """
CREATE TABLE payments (id integer PRIMARY KEY, amount numeric(12, 2) NOT NULL);
CREATE TABLE applications (id integer PRIMARY KEY, payment_id integer NOT NULL REFERENCES payments (id),
                           amount numeric(12, 2) NOT NULL CHECK (amount >= 0));
CREATE TABLE entries (id integer PRIMARY KEY, posted_at timestamp NOT NULL);
CREATE TABLE entry_lines (id integer PRIMARY KEY, entry_id integer NOT NULL REFERENCES entries (id),
                    debit numeric(12, 2) NOT NULL, credit numeric(12, 2) NOT NULL, amount numeric(14, 2) NOT NULL);
"""
PLAN = """name: ledger
schema: {ddl}
tables:
  payments: {{rows: {payments}, columns: {{amount: {{log_uniform: [10, 90000]}}}}}}
  applications:
    rows: {{per: payments, total: {applications}, spread: skewed}}
    columns: {{amount: {{balanced: {{to: payment_id.amount}}}}}}
  entries: {{rows: {entries}}}
  entry_lines:
    rows: {{per: entries, total: {lines}, spread: {spread}}}
    columns:
      debit: {{balanced: {{zero: true, range: [5, 2500], part: debit}}}}
      credit: {{balanced: {{zero: true, range: [5, 2500], part: credit}}}}
      amount: {{balanced: {{zero: true, range: [5, 2500]}}}}
"""


def _unbalanced(dialect: str) -> list[str]:
    """Groups that do not add up. PostgreSQL and MySQL sum decimals exactly; SQLite keeps them
    as floating point, so there the sums are compared in cents."""

    def c(expr: str) -> str:
        return f"round(({expr}) * 100)" if dialect == "sqlite" else expr

    return [
        "SELECT count(*) FROM (SELECT p.id FROM payments p JOIN applications a ON a.payment_id = p.id "
        f"GROUP BY p.id HAVING {c('sum(a.amount)')} <> {c('max(p.amount)')}) x",
        "SELECT count(*) FROM (SELECT entry_id FROM entry_lines GROUP BY entry_id "
        f"HAVING {c('sum(debit)')} <> {c('sum(credit)')} OR {c('sum(amount)')} <> 0) x",
        "SELECT count(*) FROM entry_lines WHERE debit < 0 OR credit < 0 OR (debit > 0 AND credit > 0) "
        f"OR {c('amount')} <> {c('debit - credit')}",
    ]


def _plan(tmp_path, **sizes) -> str:
    ddl = tmp_path / "ledger.sql"
    ddl.write_text(DDL)
    plan = tmp_path / "ledger.yaml"
    values = {"payments": 400, "applications": 1100, "entries": 250, "lines": 1300, "spread": "skewed", **sizes}
    plan.write_text(PLAN.format(ddl=ddl, **values))
    return str(plan)


@pytest.mark.parametrize("dialect", dialect_params())
def test_every_group_adds_up_exactly(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path)
    seedbed.seed(url, plan=_plan(tmp_path), create_schema=True, manifest_dir=None, chunk_size=97)
    with closing(open_sink(url)) as sink:  # exact decimal comparisons in the database itself
        assert [sink.scalar(sql) for sql in _unbalanced(dialect)] == [0, 0, 0]
        assert sink.scalar("SELECT count(*) FROM entry_lines WHERE debit > 0") > 250


def test_groups_do_not_depend_on_the_batch(tmp_path):
    plan = _plan(tmp_path)
    a, b = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    seedbed.seed(a, plan=plan, create_schema=True, manifest_dir=None, chunk_size=7)
    seedbed.seed(b, plan=plan, create_schema=True, manifest_dir=None)
    for table in ("applications", "entry_lines"):
        with closing(open_sink(a)) as x, closing(open_sink(b)) as y:
            sql = f"SELECT * FROM {table} ORDER BY id"
            assert list(x.conn.exec_driver_sql(sql)) == list(y.conn.exec_driver_sql(sql))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.integers(0, 900),
    entries=st.integers(1, 120),
    applications=st.integers(0, 600),
    spread=st.sampled_from(["even", "skewed"]),
    chunk=st.integers(1, 300),
)
def test_any_number_of_lines_per_group_balances(tmp_path_factory, lines, entries, applications, spread, chunk):
    tmp = tmp_path_factory.mktemp("g")
    url = f"sqlite:///{tmp / 'g.db'}"
    plan = _plan(tmp, lines=lines, entries=entries, applications=applications, payments=50, spread=spread)
    seedbed.seed(url, plan=plan, create_schema=True, manifest_dir=None, chunk_size=chunk)
    with closing(open_sink(url)) as sink:  # SQLite sums decimals as floats: compare in cents
        assert sink.scalar("SELECT count(*) FROM (SELECT entry_id FROM entry_lines GROUP BY entry_id "
                           "HAVING round(sum(debit) * 100) <> round(sum(credit) * 100)) x") == 0  # fmt: skip
        assert sink.scalar("SELECT count(*) FROM (SELECT p.id FROM payments p JOIN applications a ON "
                           "a.payment_id = p.id GROUP BY p.id HAVING round(sum(a.amount) * 100) <> "
                           "round(max(p.amount) * 100)) x") == 0  # fmt: skip
        assert sink.scalar("SELECT count(*) FROM entry_lines") == lines


@pytest.mark.parametrize(
    "entry, message",
    [
        ("{balanced: {zero: true, to: payment_id.amount}}", "zero: true (debits equal credits) or to:"),
        ("{balanced: {zero: true, range: [0, 10]}}", "0 < LOW <= HIGH"),
        ("{balanced: {to: amount}}", "names the parent's column through the key"),
        ("{balanced: {zero: true, part: left}}", "signed, debit or credit"),
    ],
)
def test_bad_balanced_entries_are_named(tmp_path, entry, message):
    text = Path(_plan(tmp_path)).read_text().replace("{balanced: {to: payment_id.amount}}", entry)
    plan = tmp_path / "bad.yaml"
    plan.write_text(text)
    run = cli("plan", "--plan", plan)
    assert run.code == 2 and message in run.flat and "Traceback" not in run.output, run.output


def test_a_rate_is_checked_within_its_tolerance(tmp_path):
    """``expect: {between: [low, high]}``: a business rate (here the share of the amount in
    payments of 1,000 or more) that verify confirms within tolerance."""
    share = "SELECT sum(CASE WHEN amount >= 1000 THEN amount ELSE 0 END) * 1.0 / sum(amount) FROM payments"
    base = Path(_plan(tmp_path)).read_text()
    url = f"sqlite:///{tmp_path / 'r.db'}"
    good = tmp_path / "good.yaml"
    good.write_text(base + f"checks:\n  - name: big payments carry most of the money\n    sql: {share}\n"
                           "    expect: {between: [0.6, 1.0]}\n")  # fmt: skip
    seedbed.seed(url, plan=str(good), create_schema=True, manifest_dir=None)
    assert seedbed.verify(url, plan=str(good)).ok
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace("[0.6, 1.0]", "[0.0, 0.1]"))
    run = cli("verify", "--plan", bad, "--db", url)
    assert run.code == 1 and "big payments carry most of the money" in run.flat
