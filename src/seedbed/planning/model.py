"""The plan file format: what a user writes (YAML or JSON).

Only the shape is checked here (pydantic, unknown keys refused). Whether a table
or column exists and whether a generator's options make sense is checked against
the schema in ``resolve.py``. The JSON Schema published in docs/ is generated
from these models (``seedbed schema-json``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerParent(_Strict):
    """Rows laid out per parent row: ``total`` spread over parents, or ``each`` per parent.

    ``per`` names the parent table (or a foreign-key column of this table). A total
    is distributed floor(total / parents) each with the remainder spread, never
    multiplied per parent.
    """

    per: str
    total: int | None = Field(default=None, ge=0)
    each: int | None = Field(default=None, ge=0)
    spread: Literal["even", "skewed"] = "even"
    scaled: bool = True


class Checked(_Strict):
    """A recipe check: a query returning one value, compared with ``expect``.

    ``sql`` is one statement for every dialect, or a mapping dialect → statement.
    ``:seed`` is bound to the run's seed (as text); ``expect`` may be a number,
    ``"rows:TABLE"`` (the planned row count of a table), or ``{between: [0.7, 0.9]}`` (a
    rate the data must come out within: a return rate, the top 20% of clients' revenue share).
    """

    name: str
    sql: str | dict[str, str]
    expect: Any = 0


class Machine(_Strict):
    """A state machine: each entity walks from ``initial`` along weighted ``transitions``
    (``stay``: the walk ends in that state), waiting ``dwell`` ([min, max] durations) in a
    state before leaving it, from the entity's ``start`` column (default: a year before the
    anchor), never past the anchor, at most ``max_steps`` transitions."""

    states: list[str]
    initial: str
    transitions: dict[str, dict[str, float]]
    dwell: dict[str, list[str]] = Field(default_factory=dict)
    start: str | None = None
    max_steps: int = Field(default=8, ge=0, le=100)


class TablePlan(_Strict):
    rows: int | PerParent | None = None
    # a total spread over the table's parent (the table its first required foreign key
    # points to), floor(count / parents) each with the remainder one by one: never a
    # number per parent. A table with no such key gets ``count`` rows.
    count: int | None = Field(default=None, ge=0)
    scaled: bool = True  # whether ``scale`` multiplies a flat row count
    columns: dict[str, Any] = Field(default_factory=dict)
    edges: dict[str, Any] | None = None
    skip: bool = False  # leave this table alone

    @field_validator("rows")
    @classmethod
    def _non_negative(cls, v: int | PerParent | None) -> int | PerParent | None:
        if isinstance(v, int) and v < 0:
            raise ValueError("rows must be >= 0")
        return v


class Tenant(_Strict):
    """The row that owns a dataset (an organisation) and the column naming it (its slug).

    Every row whose foreign keys lead to it belongs to it: purge removes exactly that tree,
    whatever seed made it; ``value`` defaults to the plan's constant for the column."""

    table: str
    column: str
    value: str | None = None


class Limits(_Strict):
    max_total_rows: int | None = Field(default=None, gt=0)
    warn_total_rows: int = 5_000_000


class PlanFile(_Strict):
    """A whole plan file. Every field is optional; the inferred plan fills the rest."""

    name: str | None = None
    description: str | None = None
    schema_file: str | None = Field(default=None, alias="schema")
    dialect: str = "postgres"  # dialect the schema file is written in
    seed: int | str | None = None
    scale: float | None = Field(default=None, gt=0)
    profiles: dict[str, float] = Field(default_factory=dict)
    # the dataset's "now"; ``now``: the wall clock when a run starts (recorded in its
    # manifest, so its verify, purge and reruns keep that one)
    anchor: datetime | Literal["now"] = datetime(2025, 10, 31, tzinfo=UTC)
    timezone: str = "UTC"
    locale: str = "en_US"
    default_rows: int = Field(default=100, ge=0)
    chunk_size: int | None = Field(default=None, gt=0)  # rows per batch at most (--chunk-size may lower it)
    limits: Limits = Limits()
    tenant: Tenant | None = None
    tables: dict[str, TablePlan] = Field(default_factory=dict)
    checks: list[Checked] = Field(default_factory=list)
    # ``seedbed mask``: TABLE.COLUMN -> the kind of personal data it holds (email, phone,
    # full_name ...), or false to keep a column its name would have masked
    mask: dict[str, str | bool] = Field(default_factory=dict)
    # state machines the ``state`` generator walks (a workflow's statuses and their history)
    machines: dict[str, Machine] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("anchor")
    @classmethod
    def _aware(cls, v: datetime | str) -> datetime | str:
        if isinstance(v, str):
            return v
        return v if v.tzinfo else v.replace(tzinfo=UTC)
