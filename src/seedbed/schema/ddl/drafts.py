"""The DDL reader's working state: tables and constraints as drafted, before naming.

The database names unnamed constraints when it creates them, from the table, the
columns and the kind (``users_pkey``); ``Con`` holds one until the dialect's
``name_constraints`` gives it that name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.dialects.names import join_name
from seedbed.schema.ddl.clauses import MySQLPartitioning
from seedbed.schema.ddl.statements import quiet_sqlglot, restore
from seedbed.schema.model import Column, ColumnType, Domain, EnumType, Unique, domain_chain
from seedbed.schema.types import udt_name


def expression_columns(expressions: list[str], dialect: str | Dialect) -> tuple[str, ...]:
    """The columns an index's expressions read, in order of first appearance."""
    d = dialects.get(dialect)
    out: list[str] = []
    for text in expressions:
        try:
            tree = sqlglot.parse_one(text, read=d.sqlglot)
        except SqlglotError:
            continue
        for col in tree.find_all(exp.Column):
            name = col.name if col.this.quoted else d.fold(col.name)
            if name not in out:
                out.append(name)
    return tuple(out)


@dataclass
class Con:
    """A constraint before naming: PostgreSQL names it from table, columns, kind."""

    kind: str  # "pk" | "unique" | "index" | "fk" | "check" | "key" (MySQL plain index: a name)
    columns: tuple[str, ...] = ()
    name: str | None = None
    ref: str | None = None
    ref_columns: tuple[str, ...] = ()
    deferrable: bool = False
    expr: exp.Expr | None = None
    column: str | None = None  # the column of a column-level constraint (MariaDB names checks so)
    only: bool = False  # ALTER TABLE ONLY: not added to the partitions
    inherit: bool = True  # False: CHECK ... NO INHERIT, which INHERITS children do not get


@dataclass
class Draft:
    schema: str | None
    name: str
    columns: list[Column] = field(default_factory=list)
    cons: list[Con] = field(default_factory=list)
    identity_columns: set[str] = field(default_factory=set)  # GENERATED ... AS IDENTITY
    domains: dict[str, str] = field(default_factory=dict)  # column -> its domain
    declared_integer: set[str] = field(default_factory=set)  # columns whose type is written INTEGER
    # PostgreSQL partitioning: of this table, and of its parent
    partition_kind: str | None = None
    partition_key: list[exp.Expr] = field(default_factory=list)
    partition_of: str | None = None
    bound: exp.Expr | None = None
    inherits_columns: bool = False  # CREATE TABLE ... PARTITION OF: the parent's columns
    inherits: list[str] = field(default_factory=list)  # CREATE TABLE ... INHERITS (parents)
    column_options: list[exp.ColumnDef] = field(default_factory=list)  # PARTITION OF (c DEFAULT 1)
    mysql_partitioning: MySQLPartitioning | None = None
    expression_uniques: list[Unique] = field(default_factory=list)  # CREATE UNIQUE INDEX ON t (lower(x))
    disjoint: list[str] = field(default_factory=list)  # EXCLUDE ... (r WITH &&): ranges that must not overlap

    @property
    def qualified(self) -> str:
        return join_name(self.schema, self.name)


def has_like(d: Draft, con: Con) -> bool:
    """Whether partition ``d`` has what PostgreSQL would attach ``con`` (its parent's) to."""
    if con.kind == "pk":
        return any(c.kind == "pk" for c in d.cons)
    if con.kind in ("unique", "index"):
        return any(c.kind in ("pk", "unique", "index") and c.columns == con.columns for c in d.cons)
    if con.kind == "fk":
        return any(c.kind == "fk" and (c.columns, c.ref) == (con.columns, con.ref) for c in d.cons)
    return any(c.kind == "check" and c.name == con.name for c in d.cons)


class ReaderState:
    """What the reader knows so far, and how it reads names in its dialect."""

    def __init__(self, dialect: Dialect):
        self.d = dialect
        self.enums: dict[str, EnumType] = {}
        self.domains: dict[str, Domain] = {}
        self.domain_base: dict[str, str | None] = {}  # domain -> the domain it is based on
        self.domain_constraints: dict[str | None, set[str]] = {}  # names used, per schema
        self.tables: dict[str, Draft] = {}
        self.unicode: dict[str, str] = {}  # the current statement's non-ASCII names
        self.types: dict[str, str] = {}  # the current statement's columns whose type TEXT stands for -> that type
        self.no_inherit: set[int] = set()  # the current statement's NO INHERIT items
        self.parsed = ""  # the text the current statement's tree was parsed from
        self.number, self.label = 0, ""  # the current statement's number, and how warnings name it
        self.warnings: list[str] = []
        self.skipped_tables: set[str] = set()  # tables whose CREATE could not be read
        self.unread_types: dict[str, str] = {}  # types not modelled -> what they are
        self.type_users: dict[str, list[str]] = {}  # such a type -> the columns of that type

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # names ----------------------------------------------------------------
    def ident(self, node: exp.Expr | str | None) -> str:
        if node is None:
            return ""
        if isinstance(node, str):
            return node
        if isinstance(node, (exp.Column, exp.Ordered)):
            return self.ident(node.this)
        name = node.name
        quoted = isinstance(node, exp.Identifier) and node.quoted
        return self.d.clip(name if quoted else self.d.fold(name))

    def table_name(self, table: exp.Table) -> tuple[str | None, str]:
        schema = self.ident(table.args.get("db")) or None
        if schema == self.d.default_schema:
            schema = None
        return schema, self.ident(table.this)

    def qualified(self, table: exp.Table) -> str:
        schema, name = self.table_name(table)
        return self.d.qualify(schema, name)

    def parse(self, text: str, **kw: Any) -> exp.Expr:
        """Text of the current statement parsed (its non-ASCII names put back)."""
        with quiet_sqlglot():
            return restore(sqlglot.parse_one(text, read=self.d.sqlglot, **kw), self.unicode)

    def parse_name(self, text: str) -> exp.Table:
        tree = self.parse(text, into=exp.Table)
        assert isinstance(tree, exp.Table)
        return tree

    def names(self, nodes: list[exp.Expr]) -> tuple[str, ...]:
        return tuple(self.ident(n) for n in nodes)

    def draft(self, table: exp.Table) -> Draft | None:
        """The table being built, or None for a relation that is not a table (a view,
        a materialized view): statements about those are skipped."""
        return self.tables.get(self.qualified(table))

    # enums and domains ------------------------------------------------------------
    def add_enum(self, name: str, values: tuple[str, ...]) -> None:
        self.enums[name] = EnumType(name, values)

    @property
    def domain_bases(self) -> dict[str, ColumnType]:
        return {name: d.base for name, d in self.domains.items()}

    def domain_chain(self, name: str | None) -> list[Domain]:
        """The domain and the domains under it (a domain can be based on another)."""
        return domain_chain(self.domains, self.domain_base, name)

    def column_domain(self, dt: exp.Expr | None) -> str | None:
        if isinstance(dt, exp.DataType) and dt.this == exp.DataType.Type.USERDEFINED:
            name = udt_name(dt, self.d)
            if name in self.domains:
                return name
        return None
