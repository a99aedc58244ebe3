"""Reading a DDL file into the schema model.

``parse_ddl`` must give the model ``reflect_schema`` gives after the same DDL ran,
so it mimics what the database does on the way: PostgreSQL folds unquoted names to
lower case and names unnamed constraints (``users_pkey``, ``t_col_fkey``, ...);
primary-key columns are NOT NULL (except on SQLite); serial and identity columns are
numbered by the database. What differs per database is asked of its dialect.

A file is read as far as it can be: a statement that cannot be read costs what it
would have created, never the rest of the file. A CREATE TABLE sqlglot cannot parse
is read again item by item (``recover.py``); what is still left out, and what that
costs (a table not planned, columns of a type with no generator), is said in
``Schema.warnings``.

SQLite's virtual tables (``CREATE VIRTUAL TABLE ... USING fts5``) are not tables of
the model: their module keeps the rows in shadow tables of its own, which must
never be written directly; an FTS table does accept INSERT, but not the
``ON CONFLICT`` a rerun needs, nor an index. They are left out with a warning.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.schema.ddl.clauses import read_partitioning
from seedbed.schema.ddl.commands import QNAME, Commands
from seedbed.schema.ddl.drafts import Draft
from seedbed.schema.ddl.statements import Statement, parse_statements, protect
from seedbed.schema.ddl.tables import VIRTUAL_TABLE
from seedbed.schema.model import Schema
from seedbed.schema.sqlnorm import normalize_default

_ONLY = re.compile(r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?ONLY\b", re.IGNORECASE)
# What a statement that cannot be read would have made, for the warning.
_CREATES_TABLE = re.compile(
    rf"^\s*CREATE\s+(?:\w+\s+){{0,2}}TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>{QNAME})", re.IGNORECASE
)
_CREATES_INDEX = re.compile(rf"^\s*CREATE\s+UNIQUE\s+INDEX\b.*?\bON\s+(?:ONLY\s+)?(?P<name>{QNAME})", re.I | re.S)
_VIRTUAL = re.compile(r"^\s*CREATE\s+VIRTUAL\s+TABLE\b", re.IGNORECASE)
_ALTERS_TABLE = re.compile(rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<name>{QNAME})", re.IGNORECASE)


class Reader(Commands):
    """Statement by statement, what a DDL file creates."""

    def read(self, st: Statement) -> None:
        self.number, self.label = st.number, st.label
        if st.tree is None:
            source, self.unicode = protect(st.text, self.d)
            self.types, self.no_inherit = {}, set()
            if not self.command(source, None) and st.error:
                self.skipped(st, source)
            return
        if st.notes:
            self.warn(f"{st.label}: read in part: {'; '.join(st.notes)}")
        self.statement(st.text, st.tree)

    def statement(self, text: str, tree: exp.Expr) -> None:
        source, self.unicode = tree.meta.get("source", text), tree.meta.get("unicode", {})
        self.types, self.no_inherit = tree.meta.get("types", {}), tree.meta.get("no_inherit", set())
        self.parsed = tree.meta.get("parsed", source)
        if isinstance(tree, exp.Command):
            self.command(source, tree)
        elif isinstance(tree, exp.Create):
            self.create_statement(tree)
        elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
            self.alter(tree, only=bool(_ONLY.match(text)))

    def create_statement(self, tree: exp.Create) -> None:
        kind = (tree.args.get("kind") or "").upper()
        if (
            kind == "TYPE"
            and isinstance(tree.expression, exp.DataType)
            and tree.expression.this == exp.DataType.Type.ENUM
        ):
            values = tuple(lit.this for lit in tree.expression.expressions)
            self.add_enum(self.qualified(tree.this), values)
        elif kind == "TYPE" and isinstance(tree.this, exp.Table):
            self.unread_type(self.qualified(tree.this), "a composite type")
        elif kind == "TABLE":
            self.create(tree)
        elif kind == "INDEX" and tree.args.get("unique"):
            self.unique_index(tree.this, only=tree.meta.get("only", False))

    def alter(self, tree: exp.Alter, *, only: bool) -> None:
        draft = self.draft(tree.this)
        if draft is None:
            return
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AddConstraint):
                for con in action.expressions:
                    before = len(draft.cons)
                    self.table_constraint(draft, con, only=only)
                    for added in draft.cons[before:]:
                        added.inherit = not self.no_inherit
            elif isinstance(action, exp.ColumnDef):  # ADD [COLUMN]
                if not (action.args.get("exists") and any(c.name == self.ident(action.this) for c in draft.columns)):
                    self.column(draft, action)
            elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
                self.drop_columns(draft, [self.ident(c) for c in action.args.get("tables") or []])
            elif isinstance(action, exp.AlterColumn):
                self.alter_column_action(draft, action)
        if tree.meta.get("partitioning"):
            draft.mysql_partitioning = read_partitioning(tree.meta["partitioning"])

    def alter_column_action(self, draft: Draft, action: exp.AlterColumn) -> None:
        name = self.ident(action.this)
        if action.args.get("default") is not None:
            # pg_dump gives serial columns their nextval() default this way
            default = action.args["default"]
            serial = "NEXTVAL(" in (normalize_default(default, self.d) or "").upper()
            self.alter_column(draft, name, identity=serial, default=None if serial else default)
        elif action.args.get("allow_null") is not None:  # SET / DROP NOT NULL
            nullable = bool(action.args["allow_null"])
            draft.columns = [replace(c, nullable=nullable) if c.name == name else c for c in draft.columns]
        elif action.args.get("drop"):  # DROP DEFAULT
            draft.columns = [replace(c, default=None) if c.name == name else c for c in draft.columns]

    def drop_columns(self, draft: Draft, names: list[str]) -> None:
        draft.columns = [c for c in draft.columns if c.name not in names]
        draft.cons = [c for c in draft.cons if not set(c.columns) & set(names) and c.column not in names]

    # what could not be read ------------------------------------------------------------
    def skipped(self, st: Statement, source: str) -> None:
        """A statement seedbed needs that cannot be read: say what that costs."""
        why = f"{st.label} cannot be read ({st.error})"
        m = _CREATES_TABLE.match(source)
        if m:
            name = self.qualified(self.parse_name(m["name"]))
            self.skipped_tables.add(name)
            if _VIRTUAL.match(source):
                self.warn(f"table {name} is not planned: {VIRTUAL_TABLE}")
            else:
                self.warn(f"{why}: table {name} is not planned, nor are foreign keys to it")
            return
        m = _CREATES_INDEX.match(source)
        if m:
            name = self.qualified(self.parse_name(m["name"]))
            self.warn(f"{why}: a unique index of {name} is not known, so values of its columns may repeat")
            return
        m = _ALTERS_TABLE.match(source)
        target = f"table {self.qualified(self.parse_name(m['name']))}" if m else "the table"
        self.warn(f"{why}: what it adds to {target} is not known, so generated rows may break it")


def parse_ddl(text: str, dialect: str | Dialect) -> Schema:
    """The schema that ``text`` (CREATE TYPE/DOMAIN/TABLE/UNIQUE INDEX, ALTER TABLE ADD
    CONSTRAINT / ADD COLUMN / ATTACH PARTITION) creates; other statements and non-unique
    indexes are ignored. ``dialect`` may be a flavour: ``mariadb`` reads executable
    comments as MariaDB does. What could not be read is in ``Schema.warnings``."""
    from seedbed.schema.ddl.triggers import bodies
    from seedbed.schema.feeds import with_triggers

    d = dialects.get(dialect)
    reader = Reader(d)
    statements = parse_statements(text, d)
    for st in statements:
        reader.read(st)
    return with_triggers(reader.schema(), bodies(text, d), d)
