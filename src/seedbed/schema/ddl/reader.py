"""Reading a DDL file into the schema model.

``parse_ddl`` must give the model ``reflect_schema`` gives after the same DDL ran,
so it mimics what the database does on the way: PostgreSQL folds unquoted names to
lower case and names unnamed constraints (``users_pkey``, ``t_col_fkey``, ...);
primary-key columns are NOT NULL (except on SQLite); serial and identity columns are
numbered by the database. What differs per database is asked of its dialect.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp
from sqlglot.errors import SqlglotError

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.errors import SchemaError
from seedbed.schema.ddl.build import SchemaBuilder
from seedbed.schema.ddl.clauses import read_partitioning
from seedbed.schema.ddl.drafts import Draft
from seedbed.schema.ddl.statements import parse_statements, protect
from seedbed.schema.model import Check, Domain, Schema
from seedbed.schema.partitions import parse_pg_bound
from seedbed.schema.sqlnorm import domain_check, normalize_default
from seedbed.schema.types import map_type, udt_name

_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|[\w$]+)'
_QNAME = rf"{_NAME}(?:\s*\.\s*{_NAME})?"
_ENUM_COMMAND = re.compile(
    rf"^\s*CREATE\s+TYPE\s+(?P<name>{_QNAME})"
    r"\s+AS\s+ENUM\s*\((?P<values>.*)\)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DOMAIN_COMMAND = re.compile(
    rf"^\s*CREATE\s+DOMAIN\s+(?P<name>{_QNAME})\s+(?:AS\s+)?(?P<rest>.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ATTACH_COMMAND = re.compile(  # ALTER TABLE parent ATTACH PARTITION child FOR VALUES ... | DEFAULT
    rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<parent>{_QNAME})\s+"
    rf"ATTACH\s+PARTITION\s+(?P<child>{_QNAME})\s+(?P<bound>FOR\s+VALUES\b.*|DEFAULT)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TABLE = re.compile(
    rf"^\s*ALTER\s+(?:(?:ONLINE|IGNORE)\s+)*TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"
    rf"(?P<table>{_QNAME})",
    re.IGNORECASE,
)
_ONLY = re.compile(r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?ONLY\b", re.IGNORECASE)
_IDENTITY_COMMAND = re.compile(  # pg_dump: ALTER TABLE t ALTER COLUMN c ADD GENERATED ... IDENTITY
    r"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<table>\S+)\s+ALTER\s+(?:COLUMN\s+)?(?P<column>\S+)"
    r"\s+ADD\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
    re.IGNORECASE,
)
_STRING = re.compile(r"'((?:[^']|'')*)'")


class Reader(SchemaBuilder):
    """Statement by statement, what a DDL file creates."""

    # statements -------------------------------------------------------------
    def statement(self, text: str, tree: exp.Expr | None) -> None:
        if tree is None:
            source, self.unicode = protect(text, self.d)
        else:
            source, self.unicode = tree.meta.get("source", text), tree.meta.get("unicode", {})
        if tree is None or isinstance(tree, exp.Command):
            self.command(source, tree)
            return
        if isinstance(tree, exp.Create):
            kind = (tree.args.get("kind") or "").upper()
            if (
                kind == "TYPE"
                and isinstance(tree.expression, exp.DataType)
                and tree.expression.this == exp.DataType.Type.ENUM
            ):
                values = tuple(lit.this for lit in tree.expression.expressions)
                self.add_enum(self.qualified(tree.this), values)
            elif kind == "TABLE":
                self.create(tree)
            elif kind == "INDEX" and tree.args.get("unique"):
                self.unique_index(tree.this, only=tree.meta.get("only", False))
        elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
            draft = self.draft(tree.this)
            if draft is None:
                return
            only = bool(_ONLY.match(text))
            for action in tree.args.get("actions") or []:
                if isinstance(action, exp.AddConstraint):
                    for con in action.expressions:
                        self.table_constraint(draft, con, only=only)
                elif isinstance(action, exp.AlterColumn) and action.args.get("default") is not None:
                    # pg_dump gives serial columns their nextval() default this way
                    default = normalize_default(action.args["default"], self.d)
                    serial = "NEXTVAL(" in (default or "").upper()
                    self.alter_column(
                        draft, self.ident(action.this), identity=serial, default=None if serial else default
                    )
            if tree.meta.get("partitioning"):
                draft.mysql_partitioning = read_partitioning(tree.meta["partitioning"])

    def command(self, source: str, tree: exp.Expr | None) -> None:
        """Statements sqlglot keeps as raw Commands (or cannot parse): regexes."""
        m = _ENUM_COMMAND.match(source)
        if m:  # an older sqlglot leaves CREATE TYPE ... AS ENUM a Command
            values = tuple(v.replace("''", "'") for v in _STRING.findall(m["values"]))
            self.add_enum(self.qualified(self.parse_name(m["name"])), values)
            return
        m = _IDENTITY_COMMAND.match(source)
        if m:
            column = self.parse(m["column"])
            draft = self.draft(self.parse_name(m["table"]))
            if draft is not None:
                self.alter_column(draft, self.ident(column), identity=True)
                draft.identity_columns.add(self.ident(column))
            return
        m = _DOMAIN_COMMAND.match(source)
        if m and self.d.domains:
            self.create_domain(m["name"], m["rest"])
            return
        m = _ATTACH_COMMAND.match(source)
        if m and self.d.declarative_partitions:
            child = self.draft(self.parse_name(m["child"]))
            if child is not None:
                child.partition_of = self.qualified(self.parse_name(m["parent"]))
                child.bound = self.parse_bound(m["bound"])
            return
        clause = tree.meta.get("partitioning") if tree is not None else None
        m = _ALTER_TABLE.match(source)
        if clause and m:  # MySQL: ALTER TABLE t PARTITION BY ...
            draft = self.draft(self.parse_name(m["table"]))
            if draft is not None:
                draft.mysql_partitioning = read_partitioning(clause)

    def parse_bound(self, text: str) -> exp.Expr:
        try:
            return parse_pg_bound(text)
        except SqlglotError as err:
            raise SchemaError(f"cannot read the partition bound {text[:80]!r}: {str(err).splitlines()[0]}") from None

    def alter_column(self, draft: Draft, name: str, *, identity: bool, default: str | None = None) -> None:
        for i, col in enumerate(draft.columns):
            if col.name == name:
                nullable = col.nullable and not (identity and not self.d.identity_nullable)
                draft.columns[i] = replace(
                    col, identity=col.identity or identity, default=None if identity else default, nullable=nullable
                )
                return
        raise SchemaError(f"ALTER TABLE {draft.qualified}: no column {name!r}")

    # domains --------------------------------------------------------------------
    def create_domain(self, name_text: str, rest: str) -> None:
        """CREATE DOMAIN name [AS] type [DEFAULT ...] [[CONSTRAINT c] NOT NULL | CHECK (...)]:
        read as the column ``_v type ...`` of a table, which has the same grammar."""
        name = self.qualified(self.parse_name(name_text))
        try:
            tree = self.parse(f"CREATE TABLE _d (_v {rest})")
            coldef = tree.this.expressions[0]
            dt = coldef.args["kind"]
            assert isinstance(dt, exp.DataType)
        except (SqlglotError, AttributeError, IndexError, KeyError, AssertionError):
            raise SchemaError(
                f"cannot read CREATE DOMAIN {name}", hint="create the schema in the database and let seedbed reflect it"
            ) from None
        base, _ = map_type(dt, self.d, self.enums, domains=self.domain_bases)
        under = udt_name(dt, self.d) if dt.this == exp.DataType.Type.USERDEFINED else None
        nullable, default, checks = True, None, []
        for cc in coldef.constraints:
            kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = normalize_default(kind.this, self.d)
            elif isinstance(kind, exp.CheckColumnConstraint):
                checks.append((cname, kind.this))
        schema, _, bare = name.rpartition(".")
        used = self.domain_constraints.setdefault(schema or None, set())
        used.update(c for c, _ in checks if c)
        named = [
            Check(domain_check(expr, None, self.d), cname or self.d.choose_name(bare, None, "check", used))
            for cname, expr in checks
        ]
        if default is None and under in self.domains:
            default = self.domains[under].default  # PostgreSQL copies the base domain's
        self.domains[name] = Domain(
            name, base, nullable, default, tuple(sorted(named, key=lambda c: (c.sql, c.name or "")))
        )
        self.domain_base[name] = under if under in self.domains else None


def parse_ddl(text: str, dialect: str | Dialect) -> Schema:
    """The schema that ``text`` (CREATE TYPE/DOMAIN/TABLE/UNIQUE INDEX, ALTER TABLE ADD
    CONSTRAINT / ATTACH PARTITION) creates; other statements and non-unique indexes
    are ignored. ``dialect`` may be a flavour: ``mariadb`` reads executable comments
    as MariaDB does."""
    d = dialects.get(dialect)
    reader = Reader(d)
    for stmt, tree in parse_statements(text, d):
        reader.statement(stmt, tree)
    return reader.schema()
