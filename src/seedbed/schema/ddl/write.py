"""CREATE statements for a schema model on a given dialect (used by ``transpile_ddl``).

Generating from the model rather than rewriting the source statements folds
ALTER TABLE ADD CONSTRAINT into the CREATE TABLE (SQLite cannot add constraints
later) and lets the target dialect's table of type spellings (``Dialect.TYPES``) decide what each logical kind
becomes. Names are quoted only when they must be: SQLAlchemy's SQLite
reflection finds constraint names by pattern and expects plain ones.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from seedbed.dialects import Dialect
from seedbed.dialects.names import split_name
from seedbed.errors import SchemaError
from seedbed.schema.model import Column, ColumnType, Schema, Table
from seedbed.schema.order import dependency_order
from seedbed.schema.sqlnorm import quote


def create_statements(
    schema: Schema, read: Dialect, write: Dialect, indexes: list[tuple[str, str, exp.Create]]
) -> list[str]:
    """CREATE SCHEMA/TABLE statements, then the ``indexes``: (table, index name, statement)."""
    w = _Writer(schema, read, write)
    out = []
    if write.caps.schemas:  # else tables land in the one namespace, unqualified
        for name in sorted({t.schema for t in schema.tables if t.schema}):
            out.append(f"CREATE SCHEMA IF NOT EXISTS {quote(name, write)}")
    by_name = {t.qualified: t for t in schema.tables}  # Schema.table() also matches bare names
    out += [w.table(by_name[name]) for name in w.order()]
    out += [sql for sql in (w.index(*ix) for ix in indexes) if sql]
    return out


class _Writer:
    def __init__(self, schema: Schema, read: Dialect, write: Dialect):
        self.schema, self.w = schema, write
        self.read, self.write = read.sqlglot, write.sqlglot  # sqlglot's names, for its calls
        if not write.caps.schemas:
            seen: dict[str, str] = {}
            for t in schema.tables:
                if seen.setdefault(t.name, t.qualified) != t.qualified:
                    raise SchemaError(
                        f"tables {seen[t.name]!r} and {t.qualified!r} would both be {t.name!r} "
                        f"on {write.label}, which has no schemas"
                    )

    def order(self) -> list[str]:
        """Parents first: MySQL checks that a referenced table exists. PostgreSQL
        partitions are left out: another dialect gets the partitioned table as one
        plain table holding all the rows."""
        try:
            names = dependency_order(self.schema)
        except SchemaError:  # a cycle: SQLite does not mind, MySQL will say so
            names = self.schema.names
        partitions = {t.qualified for t in self.schema.tables if t.is_partition}
        return [n for n in names if n not in partitions]

    def name(self, qualified: str) -> str:
        *rest, name = split_name(qualified)
        schema = rest[-1] if rest else ""
        if not self.w.caps.schemas or not schema:
            return quote(name, self.w)
        return f"{quote(schema, self.w)}.{quote(name, self.w)}"

    def cols(self, names: tuple[str, ...]) -> str:
        return ", ".join(quote(n, self.w) for n in names)

    def expr(self, sql: str) -> str:
        """Expression text (already normalised in the read dialect) for the target."""
        try:
            return sqlglot.transpile(sql, read=self.read, write=self.write)[0]
        except SqlglotError:
            return sql

    def spell(self, t: ColumnType) -> str:
        base = self.w.TYPES[t.kind]
        if t.kind == "numeric" and t.precision is not None:
            return f"{base}({t.precision}, {t.scale or 0})"
        if t.kind in ("varchar", "char") and (t.length is not None or self.w.varchar_needs_length):
            return f"{base}({t.length or 255})"
        if t.kind == "enum" and self.w.caps.inline_enums and t.enum:
            values = self.schema.enum(t.enum).values
            return "ENUM(" + ", ".join(exp.Literal.string(v).sql(self.write) for v in values) + ")"
        if t.kind == "array" and self.w.caps.typed_arrays:
            return f"{self.spell(t.item or ColumnType('text'))}[]"
        return base

    def column(self, table: Table, col: Column, rowid: bool) -> str:
        parts = [quote(col.name, self.w), "INTEGER PRIMARY KEY" if rowid else self.spell(col.type)]
        if col.identity and not rowid:
            parts.append(self.w.identity_clause)
        if col.generated:
            parts.append(f"GENERATED ALWAYS AS ({self.expr(col.generated)}) STORED")
        if not col.nullable:
            parts.append("NOT NULL")
        if col.default is not None:
            parts.append(f"DEFAULT {self.default(col.default)}")
        if col.type.kind == "enum" and col.type.enum and not self.w.caps.inline_enums:
            values = ", ".join(exp.Literal.string(v).sql(self.write) for v in self.schema.enum(col.type.enum).values)
            parts.append(f"CHECK ({quote(col.name, self.w)} IN ({values}))")
        return " ".join(p for p in parts if p)

    def default(self, sql: str) -> str:
        text = self.expr(sql)
        try:
            tree = sqlglot.parse_one(text, read=self.write)
        except SqlglotError:
            return f"({text})"
        simple = (exp.Literal, exp.Boolean, exp.Null, exp.CurrentTimestamp, exp.CurrentDate)
        if isinstance(tree, simple) or (isinstance(tree, exp.Neg) and isinstance(tree.this, exp.Literal)):
            return text
        return f"({text})"  # SQLite and MySQL want expression defaults in parentheses

    def table(self, t: Table) -> str:
        pk = t.primary_key
        rowid_col = None
        if (
            self.w.integer_pk_is_rowid
            and len(pk) == 1
            and t.column(pk[0]).identity
            and t.column(pk[0]).type.kind in ("smallint", "int", "bigint")
        ):
            rowid_col = pk[0]  # INTEGER PRIMARY KEY: the database numbers the rows
        lines = [self.column(t, c, c.name == rowid_col) for c in t.columns]
        if pk and not rowid_col:
            lines.append(f"PRIMARY KEY ({self.cols(pk)})")
        for u in t.uniques:
            if not u.index:
                lines.append(f"{self.named(u.name)}UNIQUE ({self.cols(u.columns)})")
        partitions = {p.qualified for p in self.schema.tables if p.is_partition}
        for fk in t.foreign_keys:
            if fk.ref_table in partitions:
                continue  # a reference to one partition: that table is not written
            line = (
                f"{self.named(fk.name)}FOREIGN KEY ({self.cols(fk.columns)}) "
                f"REFERENCES {self.name(fk.ref_table)} ({self.cols(fk.ref_columns)})"
            )
            if fk.deferrable and self.w.caps.deferrable_constraints:
                line += " DEFERRABLE"
            lines.append(line)
        for ck in t.checks:
            lines.append(f"{self.named(ck.name)}CHECK ({self.expr(ck.sql)})")
        body = ",\n    ".join(lines)
        return f"CREATE TABLE IF NOT EXISTS {self.name(t.qualified)} (\n    {body}\n)"

    def named(self, name: str | None) -> str:
        return f"CONSTRAINT {quote(name, self.w)} " if name else ""

    def index(self, table: str, name: str, create: exp.Create) -> str | None:
        """A source CREATE [UNIQUE] INDEX for the target; None if it cannot be had there."""
        index = create.this
        params = index.args.get("params")
        if params is None or not params.args.get("columns"):
            return None
        using = params.args.get("using")
        if using is not None and using.name.lower() != "btree" and not self.w.caps.index_methods:
            return None  # gin, gist ...
        where = params.args.get("where")
        if where is not None and not self.w.caps.partial_indexes:
            return None
        cols = []
        for o in params.args["columns"]:
            node = o.this if isinstance(o, exp.Ordered) else o
            text = self.expr(node.sql(self.read))
            desc = isinstance(o, exp.Ordered) and o.args.get("desc")
            cols.append(f"{text} DESC" if desc else text)
        unique = "UNIQUE " if create.args.get("unique") else ""
        exists = "IF NOT EXISTS " if "index" in self.w.if_not_exists else ""
        sql = f"CREATE {unique}INDEX {exists}{quote(name, self.w)} ON {self.name(table)} ({', '.join(cols)})"
        if where is not None:
            sql += f" WHERE {self.expr(where.this.sql(self.read))}"
        return sql
