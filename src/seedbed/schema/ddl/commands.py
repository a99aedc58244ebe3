"""Statements sqlglot keeps as raw Commands (or cannot parse), read with regexes.

CREATE TYPE ... AS ENUM (older sqlglot), CREATE DOMAIN, pg_dump's identity and
ATTACH PARTITION statements, MySQL's ALTER TABLE ... PARTITION BY; and what a schema
file may hold that the model has no place for: a type that is neither an enum nor a
domain (composite, range, base) is noted, so that the columns of that type can be
named in a warning (they get no generator, unless the planner knows the type by
name); the CREATE statements inside a ``DO`` block are read as if they stood alone,
since a fresh database runs them; CREATE EXTENSION is read as nothing (an
extension's types are kept by name, as reflection keeps them).
"""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect as SqlglotDialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from seedbed.dialects import Dialect
from seedbed.errors import SchemaError
from seedbed.schema.ddl.build import SchemaBuilder
from seedbed.schema.ddl.clauses import read_partitioning
from seedbed.schema.ddl.drafts import Draft
from seedbed.schema.ddl.statements import Statement, parse_statement, split_statements
from seedbed.schema.model import Check, Domain
from seedbed.schema.partitions import parse_pg_bound
from seedbed.schema.sqlnorm import domain_check, normalize_default, typed_default
from seedbed.schema.types import map_type, udt_name

_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|[\w$]+)'
QNAME = rf"{_NAME}(?:\s*\.\s*{_NAME})?"
_ENUM_COMMAND = re.compile(
    rf"^\s*CREATE\s+TYPE\s+(?P<name>{QNAME})\s+AS\s+ENUM\s*\((?P<values>.*)\)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_TYPE_COMMAND = re.compile(  # any other CREATE TYPE: AS RANGE, AS (composite), a base type
    rf"^\s*CREATE\s+TYPE\s+(?P<name>{QNAME})\s*(?:AS\s+(?P<what>RANGE\b|\()|\()?",
    re.IGNORECASE,
)
_DOMAIN_COMMAND = re.compile(
    rf"^\s*CREATE\s+DOMAIN\s+(?P<name>{QNAME})\s+(?:AS\s+)?(?P<rest>.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ATTACH_COMMAND = re.compile(  # ALTER TABLE parent ATTACH PARTITION child FOR VALUES ... | DEFAULT
    rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<parent>{QNAME})\s+"
    rf"ATTACH\s+PARTITION\s+(?P<child>{QNAME})\s+(?P<bound>FOR\s+VALUES\b.*|DEFAULT)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TABLE = re.compile(
    rf"^\s*ALTER\s+(?:(?:ONLINE|IGNORE)\s+)*TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{QNAME})",
    re.IGNORECASE,
)
_IDENTITY_COMMAND = re.compile(  # pg_dump: ALTER TABLE t ALTER COLUMN c ADD GENERATED ... IDENTITY
    r"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<table>\S+)\s+ALTER\s+(?:COLUMN\s+)?(?P<column>\S+)"
    r"\s+ADD\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
    re.IGNORECASE,
)
_DO_BLOCK = re.compile(r"^\s*DO\s+(?:LANGUAGE\s+\w+\s+)?(?P<q>\$\w*\$)(?P<body>.*)(?P=q)", re.I | re.S)
_EXTENSION = re.compile(r"^\s*CREATE\s+EXTENSION\b", re.IGNORECASE)
_STRING = re.compile(r"'((?:[^']|'')*)'")
_WHAT_TYPE = {"RANGE": "a range type", "(": "a composite type", None: "a base type"}
_UNREADABLE_DOMAIN = "a domain whose definition cannot be read"


class Commands(SchemaBuilder):
    """The statements read from their text."""

    def read(self, st: Statement) -> None:  # the reader's entry point (reader.py)
        raise NotImplementedError

    def command(self, source: str, tree: exp.Expr | None) -> bool:
        """Read ``source`` if a regex knows it; False when none does."""
        m = _ENUM_COMMAND.match(source)
        if m:  # an older sqlglot leaves CREATE TYPE ... AS ENUM a Command
            values = tuple(v.replace("''", "'") for v in _STRING.findall(m["values"]))
            self.add_enum(self.qualified(self.parse_name(m["name"])), values)
            return True
        m = _TYPE_COMMAND.match(source)
        if m:
            self.unread_type(self.qualified(self.parse_name(m["name"])), _WHAT_TYPE[(m["what"] or "").upper() or None])
            return True
        m = _IDENTITY_COMMAND.match(source)
        if m:
            column = self.parse(m["column"])
            draft = self.draft(self.parse_name(m["table"]))
            if draft is not None:
                self.alter_column(draft, self.ident(column), identity=True)
                draft.identity_columns.add(self.ident(column))
            return True
        m = _DOMAIN_COMMAND.match(source)
        if m and self.d.domains:
            self.create_domain(m["name"], m["rest"])
            return True
        m = _ATTACH_COMMAND.match(source)
        if m and self.d.declarative_partitions:
            child = self.draft(self.parse_name(m["child"]))
            if child is not None:
                child.partition_of = self.qualified(self.parse_name(m["parent"]))
                child.bound = self.parse_bound(m["bound"])
            return True
        m = _DO_BLOCK.match(source)
        if m:
            self.do_block(m["body"])
            return True
        clause = tree.meta.get("partitioning") if tree is not None else None
        m = _ALTER_TABLE.match(source)
        if clause and m:  # MySQL: ALTER TABLE t PARTITION BY ...
            draft = self.draft(self.parse_name(m["table"]))
            if draft is not None:
                draft.mysql_partitioning = read_partitioning(clause)
            return True
        return bool(_EXTENSION.match(source))

    def unread_type(self, name: str, what: str) -> None:
        self.unread_types[name] = what

    def do_block(self, body: str) -> None:
        """The CREATE and ALTER statements of a DO block's body, read as statements (a
        fresh database runs them: ``IF NOT EXISTS (...) THEN CREATE TYPE ...``). SQL
        the block builds at run time (``EXECUTE``) cannot be read."""
        unicode, label, number = self.unicode, self.label, self.number
        for stmt in split_statements(body, self.d):
            start = _first_command(stmt, self.d)
            if start is not None:  # numbered as the block: that is where the file has it
                self.read(parse_statement(number, stmt[start:], self.d))
            elif re.search(r"\bEXECUTE\b", stmt, re.IGNORECASE):
                self.warn(f"{label}: SQL the block builds (EXECUTE) is not read: {_short(stmt)!r}")
        self.unicode, self.label, self.number = unicode, label, number

    def parse_bound(self, text: str) -> exp.Expr:
        try:
            return parse_pg_bound(text)
        except SqlglotError as err:
            raise SchemaError(f"cannot read the partition bound {text[:80]!r}: {str(err).splitlines()[0]}") from None

    def alter_column(self, draft: Draft, name: str, *, identity: bool, default: exp.Expr | None = None) -> None:
        for i, col in enumerate(draft.columns):
            if col.name == name:
                nullable = col.nullable and not (identity and not self.d.identity_nullable)
                text = None
                if default is not None and not identity:
                    text = normalize_default(typed_default(default, col.type.kind, col.type.raw, self.d), self.d)
                draft.columns[i] = replace(
                    col, identity=col.identity or identity, default=None if identity else text, nullable=nullable
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
            self.unread_type(name, _UNREADABLE_DOMAIN)
            return
        base, _ = map_type(dt, self.d, self.enums, domains=self.domain_bases)
        under = udt_name(dt, self.d) if dt.this == exp.DataType.Type.USERDEFINED else None
        nullable, default, checks = True, None, []
        for cc in coldef.constraints:
            kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = normalize_default(typed_default(kind.this, base.kind, base.raw, self.d), self.d)
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


def _first_command(stmt: str, d: Dialect) -> int | None:
    """Where the first CREATE or ALTER of a PL/pgSQL statement begins (after ``BEGIN``,
    ``IF ... THEN``), outside strings; None when it has none."""
    try:
        tokens = SqlglotDialect.get_or_raise(d.sqlglot).tokenize(stmt)
    except SqlglotError:
        return None
    for tok in tokens:
        if tok.token_type in (TokenType.CREATE, TokenType.ALTER):
            return tok.start
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
