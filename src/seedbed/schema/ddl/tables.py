"""CREATE TABLE read into drafts: columns, their constraints, table constraints, unique indexes."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp

from seedbed.errors import SchemaError
from seedbed.schema.ddl.clauses import read_partitioning
from seedbed.schema.ddl.drafts import Con, Draft, ReaderState, expression_columns
from seedbed.schema.ddl.recover import AFTER_TYPE
from seedbed.schema.model import Column, ColumnType, EnumType, Unique
from seedbed.schema.partitions import pg_partition_spec
from seedbed.schema.sqlnorm import normalize_default, normalize_sql, typed_default
from seedbed.schema.types import is_serial, map_type, parse_type, udt_name

_INTEGER_WRITTEN = re.compile(r"\s+INTEGER\s*(?:[,)]|$|(?:" + "|".join(sorted(AFTER_TYPE)) + r")\b)", re.I)
# Why a virtual table is left out (see reader.py).
VIRTUAL_TABLE = "a virtual table, whose module keeps its rows (in shadow tables that must not be written)"


class TableStatements(ReaderState):
    """The parts of a DDL file that make tables."""

    def create(self, tree: exp.Create) -> None:
        props = tree.args.get("properties")
        props = props.expressions if props is not None else []
        if any(isinstance(p, exp.TemporaryProperty) for p in props):
            return  # gone with the session: never in the database
        of = next((p for p in props if isinstance(p, exp.PartitionedOfProperty)), None)
        if any(isinstance(p, exp.VirtualProperty) for p in props):
            self.not_a_table(tree, VIRTUAL_TABLE)
            return
        like = isinstance(tree.this, exp.Schema) and any(isinstance(i, exp.LikeProperty) for i in tree.this.expressions)
        if isinstance(tree.this, exp.Schema) and not like:
            draft = self.create_table(tree.this)
        elif of is not None and isinstance(tree.this, exp.Table):
            draft = self.create_partition(tree.this, of)
        else:
            self.not_a_table(tree, "its columns come from a query or another table (AS / LIKE), which is not read")
            return
        for prop in props:
            if isinstance(prop, exp.PartitionedByProperty) and self.d.declarative_partitions:
                draft.partition_kind, draft.partition_key = pg_partition_spec(prop)
            elif isinstance(prop, exp.InheritsProperty):
                draft.inherits = [self.qualified(t) for t in prop.expressions if isinstance(t, exp.Table)]
                self.inherit_columns(draft)
        if tree.meta.get("partitioning"):
            draft.mysql_partitioning = read_partitioning(tree.meta["partitioning"])

    def not_a_table(self, tree: exp.Create, why: str) -> None:
        table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        if isinstance(table, exp.Table):
            name = self.qualified(table)
            self.skipped_tables.add(name)
            self.warn(f"table {name} is not planned: {why}")

    def create_table(self, node: exp.Schema) -> Draft:
        schema, name = self.table_name(node.this)
        draft = Draft(schema, name)
        self.tables[draft.qualified] = draft
        for i, item in enumerate(node.expressions):
            before = len(draft.cons)
            if isinstance(item, exp.ColumnDef):
                self.column(draft, item)
            elif isinstance(item, exp.Identifier):  # SQLite: a column with neither type nor constraint
                self.column(draft, exp.ColumnDef(this=item))
            else:
                self.table_constraint(draft, item)
            if i in self.no_inherit:
                for con in draft.cons[before:]:
                    con.inherit = False
        return draft

    def inherit_columns(self, d: Draft) -> None:
        """CREATE TABLE ... INHERITS (parents): the parents' columns as they are now come
        first (one per name, NOT NULL if any says so, the child's own default first),
        then the child's own."""
        own = {c.name: c for c in d.columns}
        columns: dict[str, Column] = {}
        for p in (self.tables[name] for name in d.inherits if name in self.tables):
            for c in p.columns:
                was = columns.get(c.name)
                columns[c.name] = c if was is None else replace(was, nullable=was.nullable and c.nullable)
            d.domains = {**p.domains, **d.domains}
        for name, c in columns.items():
            local = own.pop(name, None)
            if local is not None:
                columns[name] = replace(c, nullable=c.nullable and local.nullable, default=local.default or c.default)
        d.columns = [*columns.values(), *(c for c in d.columns if c.name in own)]

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
            ctype, inline = self.column_type(dt, enum_name, draft, name)
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
                default = normalize_default(typed_default(kind.this, ctype.kind, ctype.raw, self.d), self.d)
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
        if self.d.integer_pk_is_rowid and self.written_integer(node):
            draft.declared_integer.add(name)
        draft.columns.append(Column(name, ctype, nullable, default, identity, generated))

    def written_integer(self, node: exp.ColumnDef) -> bool:
        """Whether the column's type is written ``INTEGER`` exactly: only then is a
        one-column primary key SQLite's row id (not ``INT``, nor ``INTEGER UNSIGNED``,
        which sqlglot reads as the same type)."""
        end = node.this.meta.get("end")
        if end is None:
            return False
        return bool(_INTEGER_WRITTEN.match(self.parsed, end + 1))

    def column_type(
        self, dt: exp.DataType, enum_name: str, draft: Draft, column: str
    ) -> tuple[ColumnType, EnumType | None]:
        """A column's type; one the statement had to spell with a placeholder is read
        from its text, and one of a type that is not modelled is noted for the warning."""
        raw = self.types.get(column)
        if raw is not None:  # what the placeholder stands for: read alone, or kept by its name
            dt = parse_type(raw, self.d) or exp.DataType(this=exp.DataType.Type.USERDEFINED, kind=raw)
        if dt.this == exp.DataType.Type.USERDEFINED and udt_name(dt, self.d) in self.unread_types:
            self.type_users.setdefault(udt_name(dt, self.d), []).append(f"{draft.qualified}.{column}")
        return map_type(dt, self.d, self.enums, enum_name, raw=raw or self.spelling(dt), domains=self.domain_bases)

    def spelling(self, dt: exp.DataType) -> str:
        """The type as the database would name it. sqlglot writes SQLite's affinities
        (SMALLINT and BIGINT as INTEGER, VARCHAR(40) as TEXT(40)), which would lose
        what the planner reads from the name (an integer's width, a binary's length):
        where the dialect's spelling names another type, the generic one is kept."""
        spelled = dt.sql(dialect=self.d.sqlglot)
        back = parse_type(spelled, self.d)
        return spelled if back is not None and back.this == dt.this else dt.sql()

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
                    default = typed_default(kind.this, col.type.kind, col.type.raw, self.d)
                    col = replace(col, default=normalize_default(default, self.d))
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
        elif isinstance(node, exp.ExcludeColumnConstraint):
            params = node.this
            for item in params.args.get("columns") or [] if isinstance(params, exp.IndexParameters) else []:
                target = item.this.this if isinstance(item.this, exp.Ordered) else item.this
                op = item.args.get("op")
                if isinstance(target, exp.Column) and op is not None and op.name == "&&":
                    draft.disjoint.append(self.ident(target.this))
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
