"""Drafts made into the schema model: partitions inherit, constraints get their names."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from seedbed.errors import SchemaError
from seedbed.schema.ddl.drafts import Con, Draft, has_like
from seedbed.schema.ddl.tables import TableStatements
from seedbed.schema.model import Check, Column, ForeignKey, Schema, Table, Unique, make_table
from seedbed.schema.partitions import key_types, mysql_key_nodes, mysql_partitions, partition_key, pg_partition_bound
from seedbed.schema.sqlnorm import domain_check, normalize_check


class SchemaBuilder(TableStatements):
    """Turns what was read into a ``Schema``, as the database would hold it."""

    def inherit(self) -> None:
        """What PostgreSQL copies onto a partition: a PARTITION OF child's columns
        (defaults and NOT NULL, but not identity, as of PostgreSQL 15), and the
        parent's primary key, unique constraints and indexes (named for the child),
        foreign keys and checks (same names) unless the child has them already."""
        done: set[str] = set()

        def resolve(d: Draft) -> None:
            if d.qualified in done:
                return
            done.add(d.qualified)
            parents = [self.tables[p] for p in d.inherits if p in self.tables]
            for p in parents:
                resolve(p)
            if parents:
                self.inherit_tables(d, parents)
            parent = self.tables.get(d.partition_of or "")
            if parent is None:
                return
            resolve(parent)
            if d.inherits_columns:
                d.columns = [
                    replace(c, identity=False, default=None, nullable=False) if c.name in parent.identity_columns else c
                    for c in parent.columns
                ]
                d.domains = dict(parent.domains)
                for option in d.column_options:
                    self.column_options(d, option)
            for con in parent.cons:
                if con.only or con.kind == "key" or has_like(d, con):
                    continue
                if con.kind in ("pk", "unique", "index"):
                    d.cons.append(Con(con.kind, con.columns))  # named for the partition
                else:
                    d.cons.append(replace(con))  # foreign keys and checks keep their names

        for draft in list(self.tables.values()):
            resolve(draft)

    def inherit_tables(self, d: Draft, parents: list[Draft]) -> None:
        """CREATE TABLE ... INHERITS (parents): the parents' CHECKs are the child's too
        (under their names), except NO INHERIT ones; keys, unique constraints and
        foreign keys are not inherited. (Columns are, when the child is created.)"""
        for p in parents:
            d.cons += [
                replace(c) for c in p.cons if c.kind == "check" and c.inherit and not c.only and not has_like(d, c)
            ]

    # result -------------------------------------------------------------------
    def schema(self) -> Schema:
        drafts = list(self.tables.values())
        self.d.name_constraints(drafts, self.domain_constraints)
        if self.d.declarative_partitions or any(d.inherits for d in drafts):
            self.inherit()
            self.d.name_constraints(drafts, self.domain_constraints)  # what inherit() added
        tables = [self.table(d) for d in drafts]
        for name, users in self.type_users.items():
            self.warn(
                f"type {name} is not read ({self.unread_types[name]}): its columns get a generator "
                f"only from the plan ({', '.join(users)})"
            )
        return Schema(
            tables=tuple(sorted(tables, key=lambda t: t.qualified)),
            enums=tuple(sorted(self.enums.values(), key=lambda e: e.name)),
            domains=tuple(sorted(self.domains.values(), key=lambda d: d.name)),
            warnings=tuple(self.warnings),
        )

    def table(self, d: Draft) -> Table:
        pk: tuple[str, ...] = ()
        fks: list[ForeignKey] = []
        uniques: list[Unique] = []
        checks: list[Check] = []
        for c in d.cons:
            if c.kind == "pk":
                pk = c.columns
            elif c.kind in ("unique", "index"):
                index = c.kind == "index" and not self.d.unique_index_is_constraint
                uniques.append(Unique(c.columns, c.name, index=index))
            elif c.kind == "check" and c.expr is not None:
                checks.append(Check(normalize_check(c.expr, self.d), c.name))
            elif c.kind == "fk" and c.ref in self.skipped_tables:
                self.warn(
                    f"foreign key {d.qualified} ({', '.join(c.columns)}) -> {c.ref} left out: {c.ref} was not read"
                )
            elif c.kind == "fk" and c.ref is not None:
                ref_cols = c.ref_columns or self.primary_key_of(c.ref)
                fks.append(ForeignKey(c.columns, c.ref, ref_cols, c.name, c.deferrable))
        uniques += d.expression_uniques
        for column, domain in d.domains.items():
            for dom in self.domain_chain(domain):
                checks += [Check(domain_check(ck.sql, column, self.d), ck.name) for ck in dom.checks]
        columns = d.columns
        if not self.d.pk_nullable:
            columns = [replace(col, nullable=False) if col.name in pk else col for col in columns]
        if self.d.integer_pk_is_rowid and len(pk) == 1:
            columns = [
                replace(col, identity=True) if col.name == pk[0] and col.name in d.declared_integer else col
                for col in columns
            ]
        return make_table(
            d.schema, d.name, columns, pk, fks, uniques, checks, disjoint=tuple(sorted(set(d.disjoint))),
            **self.partitioning(d, columns, pk),
        )  # fmt: skip

    def partitioning(self, d: Draft, columns: list[Column], pk: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        types = {c.name: c.type for c in columns}
        if d.partition_kind:
            out["partition_kind"] = d.partition_kind
            out["partition_key"] = partition_key(d.partition_key, self.d)
        if d.partition_of is not None and d.bound is not None:
            parent = self.tables.get(d.partition_of)
            key = partition_key(parent.partition_key, self.d) if parent else ()
            if parent is not None:
                types = {c.name: c.type for c in parent.columns}
            out["partition_of"] = d.partition_of
            out["partition_bound"] = pg_partition_bound(d.bound, key_types(key, types))
        if d.mysql_partitioning is not None:
            mp = d.mysql_partitioning
            key = partition_key(mysql_key_nodes(mp.key), self.d, list(types)) or pk
            kind, bounds = mysql_partitions(mp.method, mp.parts, key_types(key, types))
            out.update(partition_kind=kind, partition_key=key, partitions=bounds)
        return out

    def primary_key_of(self, ref: str) -> tuple[str, ...]:
        if ref in self.tables:
            for c in self.tables[ref].cons:
                if c.kind == "pk":
                    return c.columns
        raise SchemaError(
            f"REFERENCES {ref} without columns, and {ref!r} has no primary key here", hint="name the referenced columns"
        )
