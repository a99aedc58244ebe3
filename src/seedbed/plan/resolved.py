"""The resolved plan: every table's layout and every column's generator, checked.

This is what generation runs on. It is built by ``resolve.resolve_plan`` from a
schema, an optional plan file and the run's options, and is never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from seedbed.errors import SchemaError, did_you_mean
from seedbed.plan.model import Checked, Limits, PlanFile
from seedbed.schema.model import Schema, Table


@dataclass(frozen=True)
class TableSpec:
    name: str  # qualified
    table: Table
    columns: dict[str, Any]  # column name → generator (see seedbed.generate.generators)
    written: tuple[str, ...]  # columns sent to the database, in table order
    key: tuple[str, ...]  # columns identifying a row for rerun, verify and purge
    arrow_schema: pa.Schema
    rows: int = 0  # flat row count (already scaled)
    per: str | None = None  # table this one is laid out per
    per_fk: str | None = None  # this table's column pointing at ``per``
    total: int | None = None
    each: int | None = None
    spread: str = "even"
    sources: dict[str, str] = field(default_factory=dict)  # column → "plan" | "inferred"
    key_is_constraint: bool = True  # False: the key is every written column (no PK or unique)
    deferred: tuple[str, ...] = ()  # FK columns loaded as NULL and set after (a cut cycle)


@dataclass(frozen=True)
class ResolvedPlan:
    name: str
    seed: int | str
    scale: float
    anchor_us: int
    locale: str
    schema: Schema
    tables: dict[str, TableSpec]
    order: list[str]  # dependency order of the tables seeded
    checks: list[Checked]
    limits: Limits
    plan_hash: str
    source: PlanFile
    warnings: list[str] = field(default_factory=list)
    cuts: list[Any] = field(default_factory=list)  # foreign keys cut to break cycles (schema.order.Cut)

    def table(self, name: str) -> TableSpec:
        if name in self.tables:
            return self.tables[name]
        for spec in self.tables.values():
            if spec.table.name == name:
                return spec
        raise SchemaError(
            f"table {name!r} is not in the plan",
            hint=did_you_mean(name, self.tables) or "see `seedbed plan` for the tables seeded",
        )
