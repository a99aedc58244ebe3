"""Checks of a seeded run against its plan: counts, orphans, uniqueness, the recipe's own.

Counts are of the run's own keys (recomputed), so other seeds and the
application's rows neither help nor hurt. Orphan and uniqueness checks cover
whole tables: any violation there is worth reporting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from seedbed.engine import Context
from seedbed.errors import PlanError
from seedbed.planning.resolved import ResolvedPlan
from seedbed.sinks.base import Sink
from seedbed.verification.queries import bind, duplicates, orphans


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


def verify_run(sink: Sink, plan: ResolvedPlan, ctx: Context) -> Report:
    report = Report()
    for name in plan.order:
        spec = ctx.spec(name)
        want = ctx.rows(name)
        got = sink.count(spec, ctx.key_batches(name))
        report.results.append(CheckResult(f"rows of {name}", got == want, want, got, "count"))
    for name in plan.order:
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
    for check in plan.checks:
        sql = check.sql if isinstance(check.sql, str) else check.sql.get(d.name)
        if sql is None:
            raise PlanError(f"check {check.name!r} has no SQL for {d.name}", where=plan.name)
        sql = _JSON_MACRO.sub(lambda m: d.json_text(m.group(1), m.group(2).split(".")), sql)
        expected = _expected(check.expect, ctx, plan)
        actual = sink.scalar(*bind(sql, {"seed": str(plan.seed)}, d))
        ok = actual == expected or (isinstance(actual, (int, float)) and actual == expected)
        report.results.append(CheckResult(check.name, bool(ok), expected, actual, "recipe"))
    return report


# {json:EXPR:a.b} - the text at a.b inside a JSON column, spelt for the database at hand
_JSON_MACRO = re.compile(r"\{json:([^:{}]+):([A-Za-z0-9_.]+)\}")


def _expected(expect: Any, ctx: Context, plan: ResolvedPlan) -> Any:
    if isinstance(expect, str) and expect.startswith("rows:"):
        return ctx.rows(plan.table(expect[5:]).name)
    return expect
