"""Checks of a seeded run against its plan: counts, orphans, uniqueness, the recipe's own.

Counts are of the run's own keys (recomputed), and a recipe check sees only the
run's own rows of the tables it reads, so other seeds and the application's rows
neither help nor hurt. Orphan and uniqueness checks cover whole tables: any
violation there is worth reporting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

from seedbed.dialects.names import split_name
from seedbed.engine import Context
from seedbed.errors import PlanError
from seedbed.planning.resolved import ResolvedPlan
from seedbed.sinks.base import Sink
from seedbed.verification.queries import bind, duplicates, orphans, quoted_name


@dataclass
class CheckResult:
    name: str
    ok: bool
    expected: Any
    actual: Any
    kind: str  # count | orphans | unique | recipe | indexes


@dataclass
class Report:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.ok]


def verify_run(sink: Sink, plan: ResolvedPlan, ctx: Context, *, refused: dict[str, int] | None = None) -> Report:
    """Check a run's rows; ``refused``: rows per table the database refused and the run left
    out (run/refusals.py), which are not expected."""
    report = Report()
    present: dict[str, int] = {}  # the run's rows found in each table
    for name in plan.written:
        spec = ctx.spec(name)
        want = ctx.rows(name) - (refused or {}).get(name, 0)
        got = present[name] = sink.count(spec, ctx.key_batches(name))
        report.results.append(CheckResult(f"rows of {name}", got == want, want, got, "count"))
    for name in plan.written:
        spec = ctx.spec(name)
        if not ctx.rows(name):
            # no rows of its own (a parent of inheritance children, CHECK (false)): what a
            # query finds through it are its children's rows, checked as theirs
            continue
        for fk in spec.table.foreign_keys:
            parent = plan.schema.table(fk.ref_table).qualified
            n = orphans(sink, spec, fk, parent)
            label = f"{name}({', '.join(fk.columns)}) -> {parent}"
            report.results.append(CheckResult(f"no orphans in {label}", n == 0, 0, n, "orphans"))
        keys = [u.columns for u in spec.table.uniques]
        for cols in keys:
            n = duplicates(sink, spec, cols)
            report.results.append(CheckResult(f"unique {name}({', '.join(cols)})", n == 0, 0, n, "unique"))
    d = sink.dialect
    shared = _SharedTables(sink, ctx, present)
    for check in plan.checks:
        sql = check.sql if isinstance(check.sql, str) else check.sql.get(d.name)
        if sql is None:
            raise PlanError(f"check {check.name!r} has no SQL for {d.name}", where=plan.name)
        sql = _JSON_MACRO.sub(lambda m: d.json_text(m.group(1), m.group(2).split(".")), sql)
        read = tables_named(sql, plan.order, d.sqlglot)
        if not set(read) <= set(plan.written):  # a run of some tables only (--table): not its check
            continue
        expected = _expected(check.expect, ctx, plan)
        own = [(ctx.spec(t), ctx.key_batches(t)) for t in read if shared(t)]
        actual = sink.scalar(*bind(sql, {"seed": str(plan.seed)}, d), own=own)
        ok = _meets(actual, expected)
        report.results.append(CheckResult(check.name, bool(ok), expected, actual, "recipe"))
    return report


class _SharedTables:
    """Which tables hold rows besides the run's own (another seed's, the application's):
    a recipe check sees only the run's rows of those (``Sink.scalar``'s ``own``). A table
    holding exactly the run's rows is read as it is, which costs nothing."""

    def __init__(self, sink: Sink, ctx: Context, present: dict[str, int]):
        self.sink, self.ctx, self.present = sink, ctx, present
        self.known: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        if name not in self.known:
            d = self.sink.dialect
            mine = self.present.get(name, 0)
            # a table with no rows of the run's own (an inheritance parent, CHECK (false)) is
            # read whole: what a query finds through it is its children's rows
            total = int(self.sink.scalar(f"SELECT count(*) FROM {quoted_name(d, name)}")) if mine else 0
            self.known[name] = total != mine
        return self.known[name]


def tables_named(sql: str, tables: Sequence[str], dialect: str) -> list[str]:
    """The tables of ``tables`` (qualified names) a query reads by their bare name.

    Read from the parsed query; a query the parser cannot read is matched word by word
    (a table named in it is then taken as read, which only costs time).
    """
    by_name = {split_name(t)[-1].lower(): t for t in tables}
    try:
        tree = sqlglot.parse_one(sql, read=dialect or None)
        words = {t.name.lower() for t in tree.find_all(exp.Table) if not t.db}
    except sqlglot.errors.SqlglotError:
        words = {w.lower() for w in re.findall(r"\w+", sql)}
    return [by_name[w] for w in sorted(words) if w in by_name]


# {json:EXPR:a.b} - the text at a.b inside a JSON column, spelt for the database at hand
_JSON_MACRO = re.compile(r"\{json:([^:{}]+):([A-Za-z0-9_.]+)\}")


def _meets(actual: Any, expected: Any) -> bool:
    """``expected`` is a value, or ``{between: [low, high]}`` (a business rate within tolerance)."""
    if isinstance(expected, dict) and "between" in expected:
        lo, hi = expected["between"]
        try:
            return actual is not None and float(lo) <= float(actual) <= float(hi)
        except (TypeError, ValueError):
            return False
    return bool(actual == expected)


def _expected(expect: Any, ctx: Context, plan: ResolvedPlan) -> Any:
    if isinstance(expect, str) and expect.startswith("rows:"):
        return ctx.rows(plan.table(expect[5:]).name)
    return expect
