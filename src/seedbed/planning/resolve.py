"""From (schema, plan file, options) to a validated ``ResolvedPlan``: the passes, in order.

See ``passes.py`` for each pass. Everything is validated here, before any write;
errors name the plan file, the table and the column. The engine then builds each
column's generator from its entry (``seedbed.engine.compile``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from seedbed.errors import PlanError
from seedbed.generate.timeutil import check_timezone, parse_instant, to_micros
from seedbed.planning.machines import machine_checks
from seedbed.planning.model import PlanFile
from seedbed.planning.passes import PASSES, Options, Planning, template_params
from seedbed.planning.resolved import ResolvedPlan
from seedbed.schema.model import Schema


def resolve_plan(
    schema: Schema,
    plan: PlanFile | None = None,
    *,
    seed: int | str | None = None,
    scale: float | None = None,
    profile: str | None = None,
    rows: int | None = None,
    locale: str | None = None,
    source: str = "plan",
    left_out: Mapping[str, str] | None = None,
    anchor: str | None = None,
) -> ResolvedPlan:
    """Validate a plan against ``schema`` and fill in what it leaves out. Raises ``PlanError``."""
    plan = plan or PlanFile()
    check_timezone(plan.timezone)
    state = Planning(
        schema=schema,
        plan=plan,
        options=Options(
            seed=seed,
            scale=scale,
            profile=profile,
            rows=rows,
            locale=locale,
            left_out=MappingProxyType(dict(left_out or {})),
        ),
        source=source,
    )
    for step in PASSES:
        state = step(state)
    return ResolvedPlan(
        name=plan.name or "plan",
        seed=state.seed,
        scale=state.scale,
        anchor_us=anchor_of(plan, anchor),
        locale=locale or plan.locale,
        schema=state.schema,
        tables=dict(state.specs),
        order=list(state.order),
        checks=[*plan.checks, *machine_checks(state.specs, plan.machines, state.schema)],
        limits=plan.limits,
        plan_hash=state.plan_hash,
        source=plan,
        warnings=[*schema.warnings, *state.warnings],  # what the DDL reader skipped, then planning's own
        cuts=list(state.cuts),
        origin=source,
        params=template_params(state),
        left_out=dict(state.left_out),
    )


def anchor_of(plan: PlanFile, given: str | None) -> int:
    """The dataset's "now" in microseconds: the instant a run recorded for ``anchor: now``,
    else the wall clock for ``anchor: now`` (to the second), else the plan's anchor."""
    if given is not None:
        us = parse_instant(given)
        if us is None:
            raise PlanError(f"anchor {given!r} is not an ISO 8601 instant")
        return us
    if plan.anchor == "now":
        return to_micros(datetime.now(UTC).replace(microsecond=0))
    assert isinstance(plan.anchor, datetime)
    return to_micros(plan.anchor)
