"""CREATE TABLE read into drafts: columns, their constraints, table constraints, unique indexes."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp

from seedbed.errors import SchemaError
from seedbed.schema.ddl.clauses import read_partitioning
from seedbed.schema.ddl.drafts import Con, Draft, ReaderState, expression_columns
from seedbed.schema.model import Column, ColumnType, Unique
from seedbed.schema.partitions import pg_partition_spec
from seedbed.schema.sqlnorm import normalize_default, normalize_sql
from seedbed.schema.types import is_serial, map_type


class TableStatements(ReaderState):
    """The parts of a DDL file that make tables."""

    def create(self, tree: exp.Create) -> None:
        props = tree.args.get("properties")
        props = props.expressions if props is not None else []
        if any(isinstance(p, exp.TemporaryProperty) for p in props):
            return  # gone with the session: never in the database
        of = next((p for p in props if isinstance(p, exp.PartitionedOfProperty)), None)
        if isinstance(tree.this, exp.Schema):
            draft = self.create_table(tree.this)
        elif of is not None and isinstance(tree.this, exp.Table):
            draft = self.create_partition(tree.this, of)
        else:
            return  # CREATE TABLE ... AS / LIKE: not read
        for prop in props:
            if isinstance(prop, exp.PartitionedByProperty) and self.d.declarative_partitions:
                draft.partition_kind, draft.partition_key = pg_partition_spec(prop)
        if tree.meta.get("partitioning"):
            draft.mysql_partitioning = read_partitioning(tree.meta["partitioning"])

    def create_table(self, node: exp.Schema) -> Draft:
        schema, name = self.table_name(node.this)
        draft = Draft(schema, name)
        self.tables[draft.qualified] = draft
        for item in node.expressions:
            if isinstance(item, exp.ColumnDef):
                self.column(draft, item)
            else:
                self.table_constraint(draft, item)
        return draft

    def create_partition(self, table: exp.Table, of: exp.PartitionedOfProperty) -> Draft:
        """CREATE TABLE child PARTITION OF parent [(options)] FOR VALUES ...: the columns
        are the parent's, filled in once the whole file is read."""
        schema, name = self.table_name(table)
        draft = Draft(schema, name, inherits_columns=True)
        self.tables[draft.qualified] = draft
        parent, items = of.this, []
        if isinstance(parent, exp.Schema):
            parent, items = parent.this, parent.expressions
        draft.partition_of = self.qualified(parent)
        draft.bound = of.expression
        for item in items:
            if isinstance(item, exp.ColumnDef):
                draft.column_options.append(item)
            else:
                self.table_constraint(draft, item)
        return draft

    def column(self, draft: Draft, node: exp.ColumnDef) -> None:
        name = self.ident(node.this)
        dt = node.args.get("kind")
        enum_name = f"{draft.qualified}_{name}"
        domain = self.column_domain(dt)
        if isinstance(dt, exp.DataType):
            ctype, inline = map_type(dt, self.d, self.enums, enum_name, domains=self.domain_bases)
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
            elif self.column_constraint(draft, name, kind, cname):
                pass
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = normalize_default(kind.this, self.d)
            elif isinstance(kind, exp.ComputedColumnConstraint):
                generated = normalize_sql(kind.this, self.d)
            elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
                if kind.args.get("expression") is not None:  # GENERATED ALWAYS AS (expr)
                    generated = normalize_sql(kind.args["expression"], self.d)
                else:
                    identity = True
                    draft.identity_columns.add(name)
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                identity = True
        if self.d.serial_defaults and "NEXTVAL(" in (default or "").upper():
            identity = True  # serial written out: the sequence numbers it
        if domain is not None:
            chain = self.domain_chain(domain)
            nullable = nullable and all(d.nullable for d in chain)
            if default is None:
                default = next((d.default for d in chain if d.default is not None), None)
            draft.domains[name] = domain
        if identity:
            default = None
            nullable = nullable and self.d.identity_nullable
        draft.columns.append(Column(name, ctype, nullable, default, identity, generated))

    def column_options(self, draft: Draft, node: exp.ColumnDef) -> None:
        """``PARTITION OF parent (col [WITH OPTIONS] DEFAULT ... NOT NULL CHECK ...)``."""
        name = self.ident(node.this)
        for i, col in enumerate(draft.columns):
            if col.name != name:
                continue
            for cc in node.constraints:
                kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
                if isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
                    col = replace(col, nullable=False)
                elif isinstance(kind, exp.DefaultColumnConstraint):
                    col = replace(col, default=normalize_default(kind.this, self.d))
                else:
                    self.column_constraint(draft, name, kind, cname)
            draft.columns[i] = col
            return
        raise SchemaError(f"{draft.qualified}: PARTITION OF {draft.partition_of} has no column {name!r}")

    def column_constraint(self, draft: Draft, column: str, kind: exp.Expr | None, name: str | None) -> bool:
        """A column's PRIMARY KEY, UNIQUE, CHECK or REFERENCES, as a table constraint on it."""
        if isinstance(kind, exp.PrimaryKeyColumnConstraint):
            draft.cons.append(Con("pk", (column,), name))
        elif isinstance(kind, exp.UniqueColumnConstraint):
            draft.cons.append(Con("unique", (column,), name))
        elif isinstance(kind, exp.CheckColumnConstraint):
            draft.cons.append(Con("check", name=name, expr=kind.this, column=column))
        elif isinstance(kind, exp.Reference):
            draft.cons.append(self.reference(kind, (column,), name))
        else:
            return False
        return True

    def reference(
        self,
        ref: exp.Reference,
        columns: tuple[str, ...],
        name: str | None,
        extra_options: list[exp.Expr] | None = None,
    ) -> Con:
        target = ref.this
        ref_columns: tuple[str, ...] = ()
        if isinstance(target, exp.Schema):
            ref_columns = self.names(target.expressions)
            target = target.this
        options = " ".join(str(o) for o in (ref.args.get("options") or []) + (extra_options or []))
        deferrable = bool(re.search(r"(?<!NOT )DEFERRABLE", options.upper()))
        return Con("fk", columns, name, self.qualified(target), ref_columns, deferrable)

    def table_constraint(self, draft: Draft, node: exp.Expr, name: str | None = None, *, only: bool = False) -> None:
        before = len(draft.cons)
        if isinstance(node, exp.Constraint):
            for inner in node.expressions:
                self.table_constraint(draft, inner, self.ident(node.this) or None, only=only)
        elif isinstance(node, exp.PrimaryKey):
            draft.cons.append(Con("pk", self.names(node.expressions), name))
        elif isinstance(node, exp.ForeignKey):
            draft.cons.append(
                self.reference(node.args["reference"], self.names(node.expressions), name, node.args.get("options"))
            )
        elif isinstance(node, exp.UniqueColumnConstraint):
            cols = node.this
            if isinstance(cols, exp.Schema):  # MySQL: UNIQUE KEY name (cols)
                name = name or (self.ident(cols.this) or None)
                draft.cons.append(Con("unique", self.names(cols.expressions), name))
        elif isinstance(node, exp.CheckColumnConstraint):
            draft.cons.append(Con("check", name=name, expr=node.this))
        elif isinstance(node, exp.IndexColumnConstraint) and self.d.keys_take_names:
            # KEY name (cols): not a rule, but its name is taken when the rest are named
            draft.cons.append(Con("key", self.names(node.expressions), self.ident(node.this) or None))
        for con in draft.cons[before:]:
            con.only = only

    def unique_index(self, index: exp.Index, *, only: bool = False) -> None:
        params = index.args.get("params")
        cols = params.args.get("columns") if params else None
        if not cols:
            return
        draft = self.draft(index.args["table"])
        if draft is None:
            return
        if not all(isinstance(c.this if isinstance(c, exp.Ordered) else c, exp.Column) for c in cols):
            # an expression index (lower(domain)): unique values of the columns it reads keep it
            read = expression_columns([c.sql(dialect=self.d.sqlglot) for c in cols], self.d)
            if read:
                draft.expression_uniques.append(
                    Unique(read, self.ident(index.this) or None, index=True, expression=True)
                )
            return
        draft.cons.append(Con("index", self.names(cols), self.ident(index.this) or None, only=only))
