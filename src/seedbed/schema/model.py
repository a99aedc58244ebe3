"""The one in-memory model of a database schema.

Built from a live database (``reflect.py``) or from a DDL file (``ddl.py``); both
paths must give equal models. Nothing downstream talks to a database to learn its
shape. All classes are frozen so a schema can be hashed into a plan hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from seedbed.errors import SchemaError, did_you_mean

# Logical type kinds. Dialect type names are mapped onto these by the readers so
# that generation never depends on how a dialect spells a type.
KINDS = (
    "smallint", "int", "bigint", "numeric", "float", "bool",
    "text", "varchar", "char", "date", "timestamp", "timestamptz", "time", "interval",
    "uuid", "json", "bytes", "enum", "array", "other",
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


@dataclass(frozen=True)
class Check:
    sql: str
    name: str | None = None


@dataclass(frozen=True)
class EnumType:
    name: str  # qualified name
    values: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    schema: str | None = None  # None: the connection's default schema
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[Unique, ...] = ()
    checks: tuple[Check, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

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
class Schema:
    tables: tuple[Table, ...]
    enums: tuple[EnumType, ...] = ()

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

    def enum(self, name: str) -> EnumType:
        for e in self.enums:
            if e.name == name or e.name.split(".")[-1] == name:
                return e
        raise SchemaError(f"unknown enum type {name!r}")

    @property
    def names(self) -> list[str]:
        return [t.qualified for t in self.tables]
