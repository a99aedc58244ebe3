"""The one in-memory model of a database schema.

Built from a live database (``reflect.py``) or from a DDL file (``ddl.py``); both
paths must give equal models. Nothing downstream talks to a database to learn its
shape. All classes are frozen so a schema can be hashed into a plan hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seedbed.dialects.names import join_name, short_name
from seedbed.errors import SchemaError, did_you_mean

# Logical type kinds. Dialect type names are mapped onto these by the readers so
# that generation never depends on how a dialect spells a type.
KINDS = (
    "smallint",
    "int",
    "bigint",
    "numeric",
    "float",
    "bool",
    "text",
    "varchar",
    "char",
    "date",
    "timestamp",
    "timestamptz",
    "time",
    "interval",
    "uuid",
    "json",
    "bytes",
    "enum",
    "array",
    "geometry",
    "other",
)


@dataclass(frozen=True)
class ColumnType:
    """A column's logical type; ``raw`` keeps the dialect's spelling for messages."""

    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum: str | None = None  # qualified name of an enum type when kind == "enum"
    item: ColumnType | None = None  # element type when kind == "array"
    raw: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = True
    default: str | None = None  # server default as SQL text
    identity: bool = False  # identity / serial / autoincrement: the database numbers it
    generated: str | None = None  # expression of a generated (computed) column: never written


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    ref_table: str  # qualified name of the referenced table
    ref_columns: tuple[str, ...]
    name: str | None = None
    deferrable: bool = False


@dataclass(frozen=True)
class Unique:
    """A unique constraint, or a unique index when ``index`` is true."""

    columns: tuple[str, ...]
    name: str | None = None
    index: bool = False
    expression: bool = False  # an index on expressions (lower(email)): its columns are the ones it reads


@dataclass(frozen=True)
class Check:
    sql: str
    name: str | None = None


@dataclass(frozen=True)
class EnumType:
    name: str  # qualified name
    values: tuple[str, ...]


@dataclass(frozen=True)
class Domain:
    """A PostgreSQL domain: a base type with a default, NOT NULL and CHECKs.

    Columns of a domain type are modelled with the domain already applied: their
    ``type`` is ``base`` (with ``raw`` naming the domain), NOT NULL folds into
    ``nullable``, the default fills in when the column has none, and each CHECK
    becomes a table check with ``VALUE`` replaced by the column name.
    """

    name: str  # qualified name, like EnumType.name
    base: ColumnType  # the underlying type (a domain over a domain: that domain's base)
    nullable: bool = True  # False: the domain itself says NOT NULL
    default: str | None = None  # normalised like Column.default
    checks: tuple[Check, ...] = ()  # sql normalised, spelled with VALUE


# Partition bounds hold these for MINVALUE / MAXVALUE (MySQL: LESS THAN MAXVALUE):
# comparable with numbers, and never a literal a bound could spell.
MINVALUE = float("-inf")
MAXVALUE = float("inf")


@dataclass(frozen=True)
class PartitionBound:
    """Which rows a partition holds.

    ``kind`` is "range" (``lower`` <= key < ``upper``, one value per key column),
    "list" (``values``: key values, each a tuple when the key has several columns),
    "hash" (``modulus`` / ``remainder``) or "default" (rows no other partition takes).
    Values are Python ints (integer keys), bools, None (NULL), MINVALUE / MAXVALUE, or
    str in a canonical spelling: '2022-01-01' (date), '2022-01-01 00:00:00'
    (timestamp), '2022-01-01 00:00:00+00' (timestamptz, always UTC), '1.5' (other
    numbers), the text itself (strings), normalised SQL (anything else).
    """

    kind: str  # "range" | "list" | "hash" | "default"
    lower: tuple | None = None
    upper: tuple | None = None
    values: tuple | None = None
    modulus: int | None = None
    remainder: int | None = None
    name: str | None = None  # MySQL: the partition's name (PostgreSQL: the table is the name)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    schema: str | None = None  # None: the connection's default schema
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()
    # PostgreSQL declarative partitioning. On a partition: the qualified parent and
    # the partition's bound (its rows also belong to the parent: load the parent
    # only). On a partitioned table (PostgreSQL or MySQL): how it is split, the key
    # being column names or normalised expressions.
    partition_of: str | None = None
    partition_bound: PartitionBound | None = None
    partition_key: tuple[str, ...] = ()
    partition_kind: str | None = None  # "range" | "list" | "hash"
    # MySQL partitions (not tables there), in declaration order; a RANGE partition's
    # lower bound is the previous partition's upper bound (MINVALUE for the first).
    partitions: tuple[PartitionBound, ...] = ()
    # range columns an EXCLUDE constraint keeps from overlapping (``r WITH &&``): generated
    # disjoint whatever the constraint's other columns are
    disjoint: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return join_name(self.schema, self.name)

    @property
    def is_partition(self) -> bool:
        """A PostgreSQL partition: its rows are its parent's rows."""
        return self.partition_of is not None

    @property
    def is_partitioned(self) -> bool:
        return self.partition_kind is not None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise SchemaError(
            f"table {self.qualified!r} has no column {name!r}",
            hint=did_you_mean(name, [c.name for c in self.columns])
            or f"its columns are: {', '.join(c.name for c in self.columns)}",
        )

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def fk_for(self, column: str) -> ForeignKey | None:
        """The single-column foreign key on ``column``, if any."""
        for fk in self.foreign_keys:
            if fk.columns == (column,):
                return fk
        return None


@dataclass(frozen=True)
class Guard:
    """``table.column`` must equal ``parent_column`` of the row that ``table.via`` refers to
    (a trigger refuses other rows: see ``schema.guards``)."""

    table: str
    column: str
    via: str
    parent_column: str


@dataclass(frozen=True)
class Schema:
    tables: tuple[Table, ...]
    enums: tuple[EnumType, ...] = ()
    domains: tuple[Domain, ...] = ()
    # (target, source) qualified names: an INSERT trigger of ``source`` inserts rows into ``target``
    feeds: tuple[tuple[str, str], ...] = ()
    guards: tuple[Guard, ...] = ()
    # What a reader could not read, and what that costs (a DDL statement it skipped):
    # for the user's eyes, not part of the schema (two readers of one schema compare equal).
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.qualified == name:
                return t
        bare = [t for t in self.tables if t.name == name]
        if len(bare) == 1:
            return bare[0]
        names = [t.qualified for t in self.tables]
        if bare:
            raise SchemaError(
                f"table name {name!r} is ambiguous",
                hint=f"qualify it: {', '.join(t.qualified for t in bare)}",
            )
        raise SchemaError(
            f"unknown table {name!r}",
            hint=did_you_mean(name, names) or f"known tables: {', '.join(names)}",
        )

    def bare_names(self) -> dict[str, str]:
        """Each bare table name (as triggers name tables) that one table alone has: its
        qualified name (an ambiguous name is left out)."""
        by_name: dict[str, list[str]] = {}
        for t in self.tables:
            by_name.setdefault(t.name, []).append(t.qualified)
        return {name: qualified[0] for name, qualified in by_name.items() if len(qualified) == 1}

    def enum(self, name: str) -> EnumType:
        for e in self.enums:
            if e.name == name or short_name(e.name) == name:
                return e
        raise SchemaError(f"unknown enum type {name!r}")

    def domain(self, name: str) -> Domain:
        for d in self.domains:
            if d.name == name or short_name(d.name) == name:
                return d
        raise SchemaError(f"unknown domain {name!r}")

    def partitions_of(self, parent: str | Table) -> list[Table]:
        """The partitions whose parent is ``parent`` (direct ones only: a partition
        that is itself partitioned has its own), in name order."""
        qualified = parent.qualified if isinstance(parent, Table) else self.table(parent).qualified
        return [t for t in self.tables if t.partition_of == qualified]

    @property
    def names(self) -> list[str]:
        return [t.qualified for t in self.tables]


def make_table(
    schema: str | None,
    name: str,
    columns: Iterable[Column],
    pk: Iterable[str],
    fks: Iterable[ForeignKey],
    uniques: Iterable[Unique],
    checks: Iterable[Check],
    **partitioning: Any,
) -> Table:
    """A Table with its constraints in the canonical order both readers use;
    ``partitioning``: the Table's partition_* fields."""
    return Table(
        name=name,
        schema=schema,
        columns=tuple(columns),
        primary_key=tuple(pk),
        foreign_keys=tuple(sorted(fks, key=lambda f: (f.columns, f.name or "", f.ref_table))),
        uniques=tuple(sorted(uniques, key=lambda u: (u.columns, u.name or "", u.index))),
        checks=tuple(sorted(checks, key=lambda c: (c.sql, c.name or ""))),
        **partitioning,
    )


def domain_chain(domains: Mapping[str, Domain], base_of: Mapping[str, str | None], name: str | None) -> list[Domain]:
    """The domain ``name`` and the domains under it (a domain can be based on another)."""
    chain: list[Domain] = []
    while name is not None and name in domains and len(chain) < 32:
        chain.append(domains[name])
        name = base_of.get(name)
    return chain
