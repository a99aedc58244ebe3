"""Read a DDL file into the schema model, and rewrite DDL for another dialect.

``parse_ddl`` must give the model ``reflect_schema`` gives after the same DDL
ran, so it mimics what the database does on the way: PostgreSQL folds unquoted
names to lower case and names unnamed constraints (``users_pkey``,
``t_col_fkey``, ...); primary-key columns are NOT NULL (except on SQLite);
serial and identity columns are numbered by the database.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from seedbed.errors import SchemaError
from seedbed.schema.ddl_write import create_statements
from seedbed.schema.model import (
    Check,
    Column,
    ColumnType,
    EnumType,
    ForeignKey,
    Schema,
    Table,
    Unique,
)
from seedbed.schema.sqlnorm import (
    DEFAULT_SCHEMA,
    is_serial,
    map_type,
    normalize_check,
    normalize_default,
    normalize_sql,
    qualify,
    sqlglot_dialect,
)

__all__ = ["parse_ddl", "transpile_ddl", "normalize_check", "split_statements"]

_NAMEDATALEN = 64  # PostgreSQL's identifier limit is NAMEDATALEN - 1 bytes
_ENUM_COMMAND = re.compile(
    r"^\s*CREATE\s+TYPE\s+(?P<name>(?:\"[^\"]+\"|[\w$]+)(?:\.(?:\"[^\"]+\"|[\w$]+))?)"
    r"\s+AS\s+ENUM\s*\((?P<values>.*)\)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_IDENTITY_COMMAND = re.compile(  # pg_dump: ALTER TABLE t ALTER COLUMN c ADD GENERATED ... IDENTITY
    r"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<table>\S+)\s+ALTER\s+(?:COLUMN\s+)?(?P<column>\S+)"
    r"\s+ADD\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
    re.IGNORECASE,
)
_STRING = re.compile(r"'((?:[^']|'')*)'")


# -- statements ------------------------------------------------------------------

def split_statements(text: str, dialect: str) -> list[str]:
    """The statements of ``text``, without the ``;`` and without leading comments."""
    dialect = sqlglot_dialect(dialect)
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text)
    except SqlglotError as err:
        raise SchemaError(f"cannot read the DDL: {err}") from None
    statements, first = [], None
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if first is not None:
                statements.append(text[first.start:prev.end + 1])
            first = None
        else:
            first = first or tok
            prev = tok
    if first is not None:
        statements.append(text[first.start:prev.end + 1])
    return statements


# Statements parse_ddl reads: failing to parse one of these is an error, not a skip.
_WANTED = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+INDEX|(\w+\s+){0,2}TABLE)\b"
    r"|ALTER\s+TABLE\b.*\bADD\s+(CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK)\b)",
    re.IGNORECASE | re.DOTALL,
)


def _parse_statements(text: str, dialect: str) -> list[tuple[str, exp.Expression | None]]:
    """(text, tree) per statement; tree None for statements seedbed does not read.

    A statement sqlglot cannot parse is an error only if it is one we need
    (CREATE TABLE, CREATE UNIQUE INDEX, ALTER TABLE ... ADD constraint); anything
    else (functions, grants, SET ...) is skipped, and CREATE TYPE ... AS ENUM has
    a regex fallback.
    """
    out: list[tuple[str, exp.Expression | None]] = []
    for n, stmt in enumerate(split_statements(text, dialect), 1):
        try:
            with _quiet_sqlglot():
                tree = sqlglot.parse_one(stmt, read=dialect)
        except SqlglotError as err:
            if _WANTED.match(stmt):
                first_line = stmt.strip().splitlines()[0][:80]
                raise SchemaError(
                    f"cannot parse DDL statement {n} ({first_line!r}): {str(err).splitlines()[0]}",
                    hint="simplify the statement, or create the schema in the database "
                    "and let seedbed reflect it",
                ) from None
            tree = None
        out.append((stmt, tree))
    return out


@contextmanager
def _quiet_sqlglot():
    """sqlglot logs a warning for each statement it keeps as a raw Command; a pg_dump
    file has dozens (SET, GRANT, ...) that seedbed ignores anyway."""
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


# -- parse_ddl -------------------------------------------------------------------

@dataclass
class _Con:
    """A constraint before naming: PostgreSQL names it from table, columns, kind."""

    kind: str  # "pk" | "unique" | "index" | "fk" | "check"
    columns: tuple[str, ...] = ()
    name: str | None = None
    ref: str | None = None
    ref_columns: tuple[str, ...] = ()
    deferrable: bool = False
    expr: exp.Expression | None = None


@dataclass
class _Draft:
    schema: str | None
    name: str
    columns: list[Column] = field(default_factory=list)
    cons: list[_Con] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


class _Reader:
    def __init__(self, dialect: str):
        self.d = dialect
        self.enums: dict[str, EnumType] = {}
        self.tables: dict[str, _Draft] = {}

    # names ----------------------------------------------------------------
    def ident(self, node: exp.Expression | str | None) -> str:
        if node is None:
            return ""
        if isinstance(node, str):
            return node
        if isinstance(node, (exp.Column, exp.Ordered)):
            return self.ident(node.this)
        name = node.name
        quoted = isinstance(node, exp.Identifier) and node.quoted
        return name.lower() if self.d == "postgres" and not quoted else name

    def table_name(self, table: exp.Table) -> tuple[str | None, str]:
        schema = self.ident(table.args.get("db")) or None
        if schema == DEFAULT_SCHEMA.get(self.d):
            schema = None
        return schema, self.ident(table.this)

    def qualified(self, table: exp.Table) -> str:
        schema, name = self.table_name(table)
        return qualify(schema, name, self.d)

    def names(self, nodes: list[exp.Expression]) -> tuple[str, ...]:
        return tuple(self.ident(n) for n in nodes)

    def draft(self, table: exp.Table) -> _Draft | None:
        """The table being built, or None for a relation that is not a table (a view,
        a materialized view): statements about those are skipped."""
        return self.tables.get(self.qualified(table))

    # statements -------------------------------------------------------------
    def statement(self, text: str, tree: exp.Expression | None) -> None:
        if tree is None or isinstance(tree, exp.Command):
            m = _ENUM_COMMAND.match(text)
            if m:  # an older sqlglot leaves CREATE TYPE ... AS ENUM a Command
                name = sqlglot.parse_one(m["name"], into=exp.Table, read=self.d)
                values = tuple(v.replace("''", "'") for v in _STRING.findall(m["values"]))
                self.add_enum(self.qualified(name), values)
            m = _IDENTITY_COMMAND.match(text)
            if m:
                table = sqlglot.parse_one(m["table"], into=exp.Table, read=self.d)
                column = sqlglot.parse_one(m["column"], read=self.d)
                draft = self.draft(table)
                if draft is not None:
                    self.alter_column(draft, self.ident(column), identity=True)
            return
        if isinstance(tree, exp.Create):
            kind = (tree.args.get("kind") or "").upper()
            if kind == "TYPE" and isinstance(tree.expression, exp.DataType) \
                    and tree.expression.this == exp.DataType.Type.ENUM:
                values = tuple(lit.this for lit in tree.expression.expressions)
                self.add_enum(self.qualified(tree.this), values)
            elif kind == "TABLE" and isinstance(tree.this, exp.Schema):
                self.create_table(tree.this)
            elif kind == "INDEX" and tree.args.get("unique"):
                self.unique_index(tree.this)
        elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
            draft = self.draft(tree.this)
            if draft is None:
                return
            for action in tree.args.get("actions") or []:
                if isinstance(action, exp.AddConstraint):
                    for con in action.expressions:
                        self.table_constraint(draft, con)
                elif isinstance(action, exp.AlterColumn) and action.args.get("default") is not None:
                    # pg_dump gives serial columns their nextval() default this way
                    default = normalize_default(action.args["default"], self.d)
                    serial = "NEXTVAL(" in (default or "").upper()
                    self.alter_column(draft, self.ident(action.this), identity=serial,
                                      default=None if serial else default)

    def alter_column(self, draft: _Draft, name: str, *, identity: bool,
                     default: str | None = None) -> None:
        for i, col in enumerate(draft.columns):
            if col.name == name:
                nullable = col.nullable and not (identity and self.d == "postgres")
                draft.columns[i] = replace(col, identity=col.identity or identity,
                                           default=None if identity else default,
                                           nullable=nullable)
                return
        raise SchemaError(f"ALTER TABLE {draft.qualified}: no column {name!r}")

    def add_enum(self, name: str, values: tuple[str, ...]) -> None:
        self.enums[name] = EnumType(name, values)

    def create_table(self, node: exp.Schema) -> None:
        schema, name = self.table_name(node.this)
        draft = _Draft(schema, name)
        self.tables[draft.qualified] = draft
        for item in node.expressions:
            if isinstance(item, exp.ColumnDef):
                self.column(draft, item)
            else:
                self.table_constraint(draft, item)

    def column(self, draft: _Draft, node: exp.ColumnDef) -> None:
        name = self.ident(node.this)
        dt = node.args.get("kind")
        enum_name = f"{draft.qualified}_{name}"
        if isinstance(dt, exp.DataType):
            ctype, inline = map_type(dt, self.d, self.enums, enum_name)
            identity = is_serial(dt)
        else:  # SQLite allows a column without a type
            ctype, inline, identity = ColumnType("other"), None, False
        if inline:
            self.add_enum(inline.name, inline.values)
        nullable, default, generated = True, None, None
        for cc in node.constraints:
            kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                draft.cons.append(_Con("pk", (name,), cname))
            elif isinstance(kind, exp.UniqueColumnConstraint):
                draft.cons.append(_Con("unique", (name,), cname))
            elif isinstance(kind, exp.CheckColumnConstraint):
                draft.cons.append(_Con("check", name=cname, expr=kind.this))
            elif isinstance(kind, exp.Reference):
                draft.cons.append(self.reference(kind, (name,), cname))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = normalize_default(kind.this, self.d)
            elif isinstance(kind, exp.ComputedColumnConstraint):
                generated = normalize_sql(kind.this, self.d)
            elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
                if kind.args.get("expression") is not None:  # GENERATED ALWAYS AS (expr)
                    generated = normalize_sql(kind.args["expression"], self.d)
                else:
                    identity = True
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                identity = True
        if identity:
            default = None
            nullable = nullable and self.d == "sqlite"  # elsewhere identity implies NOT NULL
        draft.columns.append(Column(name, ctype, nullable, default, identity, generated))

    def reference(self, ref: exp.Reference, columns: tuple[str, ...], name: str | None,
                  extra_options: list | None = None) -> _Con:
        target = ref.this
        ref_columns: tuple[str, ...] = ()
        if isinstance(target, exp.Schema):
            ref_columns = self.names(target.expressions)
            target = target.this
        options = " ".join(str(o) for o in (ref.args.get("options") or []) + (extra_options or []))
        deferrable = bool(re.search(r"(?<!NOT )DEFERRABLE", options.upper()))
        return _Con("fk", columns, name, self.qualified(target), ref_columns, deferrable)

    def table_constraint(self, draft: _Draft, node: exp.Expression,
                         name: str | None = None) -> None:
        if isinstance(node, exp.Constraint):
            for inner in node.expressions:
                self.table_constraint(draft, inner, self.ident(node.this) or None)
        elif isinstance(node, exp.PrimaryKey):
            draft.cons.append(_Con("pk", self.names(node.expressions), name))
        elif isinstance(node, exp.ForeignKey):
            draft.cons.append(self.reference(node.args["reference"], self.names(node.expressions),
                                             name, node.args.get("options")))
        elif isinstance(node, exp.UniqueColumnConstraint):
            cols = node.this
            if isinstance(cols, exp.Schema):  # MySQL: UNIQUE KEY name (cols)
                name = name or (self.ident(cols.this) or None)
                draft.cons.append(_Con("unique", self.names(cols.expressions), name))
        elif isinstance(node, exp.CheckColumnConstraint):
            draft.cons.append(_Con("check", name=name, expr=node.this))

    def unique_index(self, index: exp.Index) -> None:
        params = index.args.get("params")
        cols = params.args.get("columns") if params else None
        if not cols or not all(isinstance(c.this if isinstance(c, exp.Ordered) else c, exp.Column)
                               for c in cols):
            return  # an expression index: not a column-level uniqueness the model can hold
        draft = self.draft(index.args["table"])
        if draft is None:
            return
        draft.cons.append(_Con("index", self.names(cols), self.ident(index.this) or None))

    # result -------------------------------------------------------------------
    def schema(self) -> Schema:
        if self.d == "postgres":
            _name_like_postgres(self.tables.values())
        tables = [self.table(d) for d in self.tables.values()]
        return Schema(
            tables=tuple(sorted(tables, key=lambda t: t.qualified)),
            enums=tuple(sorted(self.enums.values(), key=lambda e: e.name)),
        )

    def table(self, d: _Draft) -> Table:
        pk: tuple[str, ...] = ()
        fks, uniques, checks = [], [], []
        for c in d.cons:
            if c.kind == "pk":
                pk = c.columns
            elif c.kind in ("unique", "index"):
                # MySQL has no unique index apart from the unique constraint
                index = c.kind == "index" and self.d != "mysql"
                uniques.append(Unique(c.columns, c.name, index=index))
            elif c.kind == "check":
                checks.append(Check(normalize_check(c.expr, self.d), c.name))
            elif c.kind == "fk":
                ref_cols = c.ref_columns or self.primary_key_of(c.ref)
                fks.append(ForeignKey(c.columns, c.ref, ref_cols, c.name, c.deferrable))
        columns = d.columns
        if self.d != "sqlite":  # SQLite lets a (non-rowid) primary key hold NULL
            columns = [replace(col, nullable=False) if col.name in pk else col for col in columns]
        elif len(pk) == 1:  # SQLite: an INTEGER primary key is the rowid, numbered by SQLite
            columns = [replace(col, identity=True) if col.name == pk[0] and col.type.kind == "int"
                       else col for col in columns]
        return make_table(d.schema, d.name, columns, pk, fks, uniques, checks)

    def primary_key_of(self, ref: str) -> tuple[str, ...]:
        if ref in self.tables:
            for c in self.tables[ref].cons:
                if c.kind == "pk":
                    return c.columns
        raise SchemaError(f"REFERENCES {ref} without columns, and {ref!r} has no primary key here",
                          hint="name the referenced columns")


def make_table(schema, name, columns, pk, fks, uniques, checks) -> Table:
    """A Table with its constraints in the canonical order both readers use."""
    return Table(
        name=name, schema=schema, columns=tuple(columns), primary_key=tuple(pk),
        foreign_keys=tuple(sorted(fks, key=lambda f: (f.columns, f.name or "", f.ref_table))),
        uniques=tuple(sorted(uniques, key=lambda u: (u.columns, u.name or "", u.index))),
        checks=tuple(sorted(checks, key=lambda c: (c.sql, c.name or ""))),
    )


def parse_ddl(text: str, dialect: str) -> Schema:
    """The schema that ``text`` (CREATE TYPE/TABLE/UNIQUE INDEX, ALTER TABLE ADD
    CONSTRAINT) creates; other statements and non-unique indexes are ignored."""
    dialect = sqlglot_dialect(dialect)
    reader = _Reader(dialect)
    for stmt, tree in _parse_statements(text, dialect):
        reader.statement(stmt, tree)
    return reader.schema()


# -- PostgreSQL's names for unnamed constraints ---------------------------------------

def _object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: shorten the longer part until it fits 63 bytes."""
    avail = _NAMEDATALEN - 1 - (len(label) + 1 if label else 0) - (1 if name2 else 0)
    n1, n2 = len(name1), len(name2 or "")
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [name1[:n1]] + ([name2[:n2]] if name2 else []) + ([label] if label else [])
    return "_".join(parts)


def _choose(name1: str, name2: str | None, label: str, used: set[str]) -> str:
    """ChooseConstraintName / ChooseRelationName: append 1, 2, ... until unused."""
    candidate, n = _object_name(name1, name2, label), 0
    while candidate in used:
        n += 1
        candidate = _object_name(name1, name2, f"{label}{n}")
    used.add(candidate)
    return candidate


def _name_like_postgres(drafts) -> None:
    """Give unnamed constraints the names PostgreSQL would (same schema, same order)."""
    used: dict[str | None, set[str]] = {}
    for d in drafts:
        names = used.setdefault(d.schema, set())
        names.add(d.name)
        names.update(c.name for c in d.cons if c.name)
    for d in drafts:
        names = used[d.schema]
        # PostgreSQL names checks at table creation, then the indexes, then the FKs.
        for kind in ("check", "pk", "unique", "index", "fk"):
            for c in d.cons:
                if c.kind != kind or c.name:
                    continue
                if kind == "check":
                    cols = sorted({col.name if col.this.quoted else col.name.lower()
                                   for col in c.expr.find_all(exp.Column)})
                    c.name = _choose(d.name, cols[0] if len(cols) == 1 else None, "check", names)
                elif kind == "pk":
                    c.name = _choose(d.name, None, "pkey", names)
                else:
                    label = {"unique": "key", "index": "idx", "fk": "fkey"}[kind]
                    c.name = _choose(d.name, "_".join(c.columns), label, names)


# -- transpile_ddl -----------------------------------------------------------------

_CREATE_FIXES = [  # add IF NOT EXISTS (a named index only: PostgreSQL needs the name)
    (re.compile(r"^(CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE)\s+"
                r"(?!IF\s+NOT\s+EXISTS\b)", re.I), {"postgres", "mysql", "sqlite"}),
    (re.compile(r"^(CREATE\s+(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY)?)\s+"
                r"(?!IF\s+NOT\s+EXISTS\b)(?=(?!ON\b)\S+\s+ON\b)", re.I), {"postgres", "sqlite"}),
    (re.compile(r"^(CREATE\s+SCHEMA)\s+(?!IF\s+NOT\s+EXISTS\b)", re.I), {"postgres", "mysql"}),
]
_CREATE_TYPE = re.compile(r"^CREATE\s+TYPE\b", re.I)


def transpile_ddl(text: str, read: str, write: str) -> list[str]:
    """Statements that create the schema of ``text`` (dialect ``read``) on ``write``.

    Same dialect: the statements themselves, made re-runnable with IF NOT EXISTS
    where the dialect has it (PostgreSQL CREATE TYPE: in a DO block that skips an
    existing type). Another dialect: CREATE TABLEs generated from the
    parsed model (enum types dropped, types spelled for the target, see
    ``ddl_write``), then the file's indexes.
    """
    read, write = sqlglot_dialect(read), sqlglot_dialect(write)
    if read == write:
        out = []
        for stmt in split_statements(text, read):
            for rx, dialects in _CREATE_FIXES:
                if write in dialects:
                    stmt = rx.sub(r"\1 IF NOT EXISTS ", stmt, count=1)
            if write == "postgres" and _CREATE_TYPE.match(stmt):
                # no CREATE TYPE IF NOT EXISTS: an existing type is skipped this way
                stmt = (f"DO $seedbed$ BEGIN {stmt}; "
                        "EXCEPTION WHEN duplicate_object THEN NULL; END $seedbed$")
            out.append(stmt)
        return out
    reader = _Reader(read)
    indexes = []
    for stmt, tree in _parse_statements(text, read):
        reader.statement(stmt, tree)
        if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "INDEX":
            table = reader.qualified(tree.this.args["table"])
            params = tree.this.args.get("params")
            cols = params.args.get("columns") if params else None
            parts = [reader.ident(c) or "expr" for c in cols or []]
            name = reader.ident(tree.this.this) or "_".join(
                [table.rpartition(".")[2], *parts, "idx"])
            indexes.append((table, name, tree))
    return create_statements(reader.schema(), read, write, indexes)
