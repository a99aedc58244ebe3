"""The resolved plan: every table's layout and every column's entry, checked, frozen.

This is what the engine runs on. It is built by ``resolve.resolve_plan`` from a schema,
an optional plan file and the run's options, holds plain values only (entries as a
user would write them, not generator objects: the engine builds those), and is never
mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from seedbed.errors import SchemaError, did_you_mean
from seedbed.planning.model import Checked, Limits, PlanFile
from seedbed.schema.model import Check, Schema, Table
from seedbed.schema.order import Cut


@dataclass(frozen=True)
class ColumnPlan:
    """How one column is filled: a plan entry (``{time: {between: [-30d, 0d]}}``) and where
    it came from: ``plan`` (the user's file), ``inferred``, or ``edges`` (the table's DAG)."""

    entry: Any
    origin: str

    @property
    def generator(self) -> str:
        """The entry's generator key (a bare scalar is a ``value``)."""
        from seedbed.generate.generators.registry import MODIFIERS

        if not isinstance(self.entry, dict):
            return "value"
        keys = [k for k in self.entry if k not in MODIFIERS]
        return keys[0] if len(keys) == 1 else "?"


@dataclass(frozen=True)
class TableSpec:
    name: str  # qualified
    table: Table
    columns: dict[str, ColumnPlan]  # column name -> its entry, for every column seedbed writes
    written: tuple[str, ...]  # columns sent to the database, in table order
    key: tuple[str, ...]  # columns identifying a row for rerun, verify and purge
    arrow_schema: pa.Schema
    rows: int = 0  # flat row count (already scaled)
    per: str | None = None  # table this one is laid out per
    per_fk: str | None = None  # this table's column pointing at ``per``
    total: int | None = None
    each: int | None = None
    spread: str = "even"
    # the key is a primary key or unique constraint a rerun can name in ON CONFLICT (False: every
    # written column, or a unique index, which may be partial)
    key_is_constraint: bool = True
    deferred: tuple[str, ...] = ()  # FK columns loaded as NULL and set after (a cut cycle)
    # CHECKs generated values are not sure to meet: evaluated on the rows, which are redrawn
    # until they pass (engine/checking.py); ``unread`` ones must be evaluable
    unsure: tuple[Check, ...] = ()
    unread: tuple[str, ...] = ()

    @property
    def sources(self) -> dict[str, str]:
        """column -> where its entry came from ("plan" | "inferred" | "edges")."""
        return {c: p.origin for c, p in self.columns.items()}


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
    cuts: list[Cut] = field(default_factory=list)  # foreign keys cut to break cycles
    origin: str = "plan"  # the file errors point at
    params: dict[str, Any] = field(default_factory=dict)  # seed, scale, run: for templates
    left_out: dict[str, str] = field(default_factory=dict)  # tables not seeded, and why
    # the tables a run writes when it was asked for some only (--table), with the tables
    # they refer to; None: every table of ``order``
    only: frozenset[str] | None = None

    @property
    def written(self) -> list[str]:
        """The tables a run writes, verifies and purges, in dependency order."""
        return self.order if self.only is None else [t for t in self.order if t in self.only]

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
