"""Each column's plan entry built into a generator, once planning is done.

Planning (``seedbed.planning``) decides *which* entry fills a column; building it into a
generator object checks the entry's options and happens here, before anything is
generated or written. A failure names the plan file, the table and the column.
"""

from __future__ import annotations

from seedbed.errors import PlanError, SeedbedError, TablesLeftOut
from seedbed.generate.generators.base import BuildInfo, Gen
from seedbed.generate.generators.registry import build
from seedbed.planning.resolved import ResolvedPlan, TableSpec

Generators = dict[str, dict[str, Gen]]  # table -> column -> generator


def compile_plan(plan: ResolvedPlan) -> Generators:
    """The generators of every table of ``plan``, in load order and column order. A table
    whose generators cannot be built does not stop the others: every such table is
    reported at once (``TablesLeftOut``), so the run can leave them all out."""
    out: Generators = {}
    failures: dict[str, SeedbedError] = {}
    for name in plan.order:
        try:
            out[name] = compile_table(plan, plan.tables[name])
        except PlanError as err:
            err.table = name
            failures[name] = err
    if failures:
        raise TablesLeftOut(failures)
    return out


def compile_table(plan: ResolvedPlan, spec: TableSpec) -> dict[str, Gen]:
    gens: dict[str, Gen] = {}
    for col in spec.table.columns:
        entry = spec.columns.get(col.name)
        if entry is None:
            continue
        info = BuildInfo(
            schema=plan.schema,
            table=spec.table,
            column=col,
            anchor_us=plan.anchor_us,
            locale=plan.locale,
            per=spec.per,
            per_fk=spec.per_fk,
            params=plan.params,
            timezone=plan.source.timezone,
            machines=dict(plan.source.machines),
        )
        try:
            gens[col.name] = build(entry.entry, info)
        except PlanError as err:
            err.table = spec.name
            if err.where and not err.where.startswith(plan.origin):
                err.where = f"{plan.origin}: {err.where}"
            raise
    return gens
