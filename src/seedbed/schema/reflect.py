"""Read the schema model from a live database with SQLAlchemy's batch inspector.

The ``get_multi_*`` methods read a whole schema in a handful of catalog queries
instead of several per table, which matters on schemas with hundreds of tables.
Types, CHECK and DEFAULT text go through the same normalisation as ``ddl/`` so
that a database and the DDL that built it give equal models. What the inspector
does not expose is read by ``catalog.py`` with the dialect's own queries.

Tables an extension created (PostGIS's ``spatial_ref_sys``, pg_partman's ``part_config``)
are not the application's and are left out, so they are never planned or seeded. A
foreign key from an application's table to one of them cannot be a foreign key of the
model (its table is not there); it becomes what it means for data that is generated
while that table stays as it is: a CHECK that the column holds one of the keys present
there (``IN`` of up to ``PROVIDED_KEYS`` of them, smallest first; ``IS NULL`` when the
table is empty), named like the foreign key. A multi-column one is dropped (the load
then names it if the generated values miss).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Inspector

from seedbed import dialects
from seedbed.dialects.names import join_name, schema_of, short_name
from seedbed.errors import ConnectionFailed, SchemaError, SeedbedError
from seedbed.schema.catalog import Catalog, Key, stored_names
from seedbed.schema.ddl import expression_columns
from seedbed.schema.feeds import bodies, with_triggers
from seedbed.schema.model import Check, Column, ColumnType, EnumType, ForeignKey, Schema, Table, Unique, make_table
from seedbed.schema.partitions import (
    key_types,
    mysql_key_nodes,
    mysql_partitions,
    parse_pg_bound,
    parse_pg_partkey,
    partition_key,
    pg_partition_bound,
)
from seedbed.schema.sqlnorm import domain_check, normalize_check, normalize_default, normalize_sql
from seedbed.schema.types import map_type, parse_type

try:  # SQLAlchemy 2.0+: a column of a domain type is reported with this type
    from sqlalchemy.dialects.postgresql import DOMAIN
except ImportError:  # pragma: no cover
    DOMAIN = None  # type: ignore[assignment, misc]

_ON_UPDATE = re.compile(r"\s+ON\s+UPDATE\s+.*$", re.IGNORECASE | re.DOTALL)
PROVIDED_KEYS = 100  # keys of an extension's table read for a foreign key into it


def reflect_schema(engine: sa.Engine, *, schemas: list[str] | None = None, tables: list[str] | None = None) -> Schema:
    """The schema model of the tables in ``schemas`` (default: the connection's schema).

    ``tables`` narrows to those names; a qualified name (``auth.users``) also
    selects its schema.
    """
    try:
        conn = engine.connect()
    except SeedbedError:
        raise
    except sa.exc.DBAPIError as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise ConnectionFailed(
            f"cannot reflect the schema: {reason}", hint="check that the server is running and the URL is right"
        ) from None
    with conn:
        found = _Reflector(sa.inspect(conn), engine.dialect).schema(schemas, tables)
        d = dialects.for_sqlalchemy(engine.dialect)
        return with_triggers(found, bodies(conn, d), d)


class _Reflector:
    def __init__(self, insp: Inspector, sa_dialect: sa.Dialect):
        self.insp = insp
        self.sa_dialect = sa_dialect
        try:
            self.d = dialects.for_sqlalchemy(sa_dialect)
        except SchemaError:
            raise SchemaError(f"reflection is not supported for {sa_dialect.name!r} databases") from None
        self.default = insp.default_schema_name
        self.enums: dict[str, EnumType] = {}
        self.used_domains: set[str] = set()
        self.catalog = Catalog(insp, self.d, self.qualify)

    def qualify(self, schema: str | None, name: str | None) -> str:
        assert name is not None
        return join_name(None, name) if schema in (None, self.default) else self.d.qualify(schema, name)

    def schema(self, schemas: list[str] | None, tables: list[str] | None) -> Schema:
        wanted = list(schemas or [])
        for name in tables or []:
            if "." in name and name.split(".", 1)[0] not in wanted:
                wanted.append(name.split(".", 1)[0])
        if not wanted and self.default is not None:
            wanted = [self.default]
        self.catalog.read()
        out = []
        for schema in dict.fromkeys(wanted):
            query = None if schema == self.default else schema
            names = None
            if tables is not None:
                names = [short_name(t) for t in tables if schema_of(t) in (None, schema)]
                if not names:
                    continue
            self.read_enums(query)
            out += self.read_tables(query, names)
        cat = self.catalog
        enums = self.enums
        domains = {k: d for k, d in cat.domains.items() if k in self.used_domains or cat.domain_schema[k] in wanted}
        for d in domains.values():  # an enum under a domain is part of the schema too
            for t in _types(d.base):
                if t.enum in cat.enum_pool:
                    self.enums.setdefault(t.enum, cat.enum_pool[t.enum])
        if tables is not None:  # only the enums and domains the chosen tables use
            used = {t.enum for table in out for c in table.columns for t in _types(c.type)}
            used |= {d.base.enum for d in domains.values()}
            enums = {k: v for k, v in enums.items() if k in used}
            domains = {k: d for k, d in domains.items() if k in self.used_domains}
        # tables an extension or a virtual table owns are left out: say so, as the DDL reader does
        notes = [
            f"table {self.qualify(s if s != self.default else None, n)} is not planned: {owner} owns it"
            for (s, n), owner in sorted(cat.extension_tables.items())
            if (s or self.default) in wanted and owner != "virtual table"
        ] + [
            f"table {self.qualify(s if s != self.default else None, n)} is not planned: a virtual table"
            for (s, n), owner in sorted(cat.extension_tables.items())
            if owner == "virtual table"
        ]
        return Schema(
            warnings=tuple(notes),
            tables=tuple(sorted(out, key=lambda t: t.qualified)),
            enums=tuple(sorted(enums.values(), key=lambda e: e.name)),
            domains=tuple(sorted(domains.values(), key=lambda d: d.name)),
        )

    def read_enums(self, schema: str | None) -> None:
        get_enums = getattr(self.insp, "get_enums", None)  # named enum types: the inspectors that have them
        if get_enums is None:
            return
        for e in get_enums(schema=schema or self.default):
            name = self.qualify(e["schema"], e["name"])
            self.enums[name] = EnumType(name, tuple(e["labels"]))

    # tables ------------------------------------------------------------------------------
    def read_tables(self, schema: str | None, names: list[str] | None) -> list[Table]:
        kw: dict[str, Any] = {"schema": schema, "filter_names": names}
        # the inspector's results, keyed by (schema or None, table)
        fix = self.d.reflected_name
        columns: dict[Any, Any] = stored_names(self.insp.get_multi_columns(**kw), fix)
        pks: dict[Any, Any] = stored_names(self.insp.get_multi_pk_constraint(**kw), fix)
        fks: dict[Any, Any] = stored_names(self.insp.get_multi_foreign_keys(**kw), fix)
        uniques: dict[Any, Any] = stored_names(self.insp.get_multi_unique_constraints(**kw), fix)
        indexes: dict[Any, Any] = stored_names(self.insp.get_multi_indexes(**kw), fix)
        checks: dict[Any, Any] = dict(self.insp.get_multi_check_constraints(**kw))
        table_parts = self.catalog.table_partitions(schema)
        checks, json_columns = self.catalog.all_checks(schema, list(columns), checks)
        models: dict[Any, list[tuple[Column, str | None]]] = {}
        owned = self.catalog.extension_tables
        columns = {k: v for k, v in columns.items() if (k[0] or self.default, k[1]) not in owned}
        for key, cols in columns.items():
            qualified = self.qualify(key[0], key[1])
            pk = tuple((pks.get(key) or {}).get("constrained_columns") or ())
            schema_name = key[0] or self.default
            spelled = {c: t for (s, n, c), t in self.catalog.type_names.items() if n == key[1] and s == schema_name}
            models[key] = [self.column(qualified, c, pk, spelled.get(c["name"], "")) for c in cols]
            if json_columns.get(key):
                models[key] = [
                    (replace(c, type=ColumnType("json", raw="JSON")) if c.name in json_columns[key] else c, d)
                    for c, d in models[key]
                ]
        for key, tcols in models.items():  # where the database keeps the CREATE text, its types are the truth
            written = self.catalog.written.get(key[1])
            if written is not None:
                models[key] = [(_as_written(col, written), domain) for col, domain in tcols]
        out = []
        for key, tcols in models.items():
            table_schema = key[0] if key[0] != self.default else None
            pk = tuple((pks.get(key) or {}).get("constrained_columns") or ())
            full: Key = (key[0] or self.default or "", key[1])
            table_checks = [Check(normalize_check(c["sqltext"], self.d), c.get("name")) for c in checks.get(key, [])]
            for col, domain in tcols:
                for dom in self.catalog.domain_chain(domain):
                    table_checks += [Check(domain_check(ck.sql, col.name, self.d), ck.name) for ck in dom.checks]
            columns_ = [col for col, _ in tcols]
            table_uniques = self.uniques(uniques.get(key, []), indexes.get(key, []))
            more_uniques, more_checks = self.catalog.written_constraints(key[1])
            have = {u.columns for u in table_uniques} | ({pk} if pk else set())
            table_uniques += [u for u in more_uniques if u.columns not in have]
            sqls = {c.sql for c in table_checks}
            table_checks += [c for c in more_checks if c.sql not in sqls]
            table_fks = []
            for fk in fks.get(key, []):
                if (*full, fk.get("name")) in self.catalog.internal_fks:
                    continue
                model = self.foreign_key(fk, schema)
                target = self.owned_target(fk)
                if target is None:
                    table_fks.append(model)
                else:
                    table_checks += self.provided_keys(model, target)
            out.append(
                make_table(
                    table_schema,
                    key[1],
                    columns_,
                    pk,
                    table_fks,
                    table_uniques,
                    table_checks,
                    disjoint=self.catalog.disjoint.get(full, ()),
                    **self.partitioning(full, columns_, pk, models, table_parts.get(key[1])),
                )
            )
        return out

    def column(self, table: str, col: Any, pk: tuple[str, ...], spelled: str = "") -> tuple[Column, str | None]:
        """The column model, and the domain of its type (None if it has none); ``spelled``:
        the type as the catalog spells it, for a type SQLAlchemy does not know."""
        ctype = self.column_type(col["type"], f"{table}_{col['name']}", spelled)
        domain = None
        if DOMAIN is not None and isinstance(col["type"], DOMAIN):
            domain = self.qualify(col["type"].schema, col["type"].name)
            domain = domain if domain in self.catalog.domains else None
        default = col.get("default")
        if default is not None and self.d.default_may_hold_on_update:
            default = _ON_UPDATE.sub("", default)  # ON UPDATE is not a default
        identity = bool(col.get("identity")) or col.get("autoincrement") is True
        if default is not None and "nextval(" in default.lower():
            identity = True  # serial: the sequence numbers it
        if self.d.integer_pk_is_rowid and len(pk) == 1 and pk[0] == col["name"] and ctype.kind == "int":
            identity = True
        if default is not None:
            default = normalize_default(default, self.d)
        nullable = bool(col["nullable"])
        if domain is not None:
            chain = self.catalog.domain_chain(domain)
            nullable = nullable and all(d.nullable for d in chain)
            if default is None:
                default = next((d.default for d in chain if d.default is not None), None)
        if identity:
            default = None
        computed = col.get("computed")
        generated = normalize_sql(computed["sqltext"], self.d) if computed else None
        return Column(col["name"], ctype, nullable, default, identity, generated), domain

    def column_type(self, sa_type: Any, inline_name: str, spelled: str = "") -> ColumnType:
        if DOMAIN is not None and isinstance(sa_type, DOMAIN):
            name = self.qualify(sa_type.schema, sa_type.name)
            if name in self.catalog.domains:
                self.used_domains.add(name)
                return replace(self.catalog.domains[name].base, raw=name)
            return self.column_type(sa_type.data_type, inline_name)
        raw = self.compile(sa_type)
        if isinstance(sa_type, sa.ARRAY):
            item_spelled = spelled[:-2] if spelled.endswith("[]") else ""
            item = self.column_type(sa_type.item_type, inline_name, item_spelled)
            return ColumnType("array", item=item, raw=raw or spelled)
        if isinstance(sa_type, sa.types.NullType) and spelled:
            raw = spelled  # a type SQLAlchemy does not know: the catalog's spelling
        if isinstance(sa_type, sa.Enum) and getattr(sa_type, "name", None):
            # a named enum type, possibly from a schema we did not list
            name = self.qualify(getattr(sa_type, "schema", None), str(sa_type.name))
            self.enums.setdefault(name, EnumType(name, tuple(sa_type.enums)))
            return ColumnType("enum", enum=name, raw=raw)
        dt = parse_type(raw, self.d) if raw else None
        if dt is None:
            return ColumnType("other", raw=raw)
        ctype, inline = map_type(dt, self.d, self.enums, inline_name, raw)
        if inline:  # MySQL ENUM(...) / SET(...)
            self.enums[inline.name] = inline
        return ctype

    def compile(self, sa_type: Any) -> str:
        try:
            return str(sa_type.compile(dialect=self.sa_dialect))
        except sa.exc.CompileError:  # NullType: SQLite column without a known type
            return ""

    # partitions ------------------------------------------------------------------------
    def partitioning(
        self,
        key: Key,
        columns: list[Column],
        pk: tuple[str, ...],
        models: dict[Any, list[tuple[Column, str | None]]],
        table_parts: tuple[str, str, list[tuple[str, str | None]]] | None,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        cat = self.catalog
        types = {c.name: c.type for c in columns}
        if key in cat.partitioned:
            kind, nodes = parse_pg_partkey(cat.partitioned[key])
            out.update(partition_kind=kind, partition_key=partition_key(nodes, self.d))
        if key in cat.partition_parent:
            parent, bound = cat.partition_parent[key]
            parent_key: tuple[str, ...] = ()
            if parent in cat.partitioned:
                parent_key = partition_key(parse_pg_partkey(cat.partitioned[parent])[1], self.d)
            parent_types = self.column_types(parent, models)
            out["partition_of"] = self.qualify(*parent)
            out["partition_bound"] = pg_partition_bound(parse_pg_bound(bound), key_types(parent_key, parent_types))
        if table_parts is not None:
            method, expr, parts = table_parts
            key_ = partition_key(mysql_key_nodes(expr or ""), self.d, list(types)) or pk
            kind, bounds = mysql_partitions(method, parts, key_types(key_, types))
            out.update(partition_kind=kind, partition_key=key_, partitions=bounds)
        return out

    def column_types(self, table: Key, models: dict[Any, list[tuple[Column, str | None]]]) -> dict[str, ColumnType]:
        """Column types of ``table`` (a partition's parent), reflected if not at hand."""
        for key, cols in models.items():
            if (key[0] or self.default, key[1]) == table:
                return {c.name: c.type for c, _ in cols}
        schema = None if table[0] == self.default else table[0]
        qualified = self.qualify(*table)
        return {
            c["name"]: self.column(qualified, c, ())[0].type for c in self.insp.get_columns(table[1], schema=schema)
        }

    # constraints -----------------------------------------------------------------------
    def foreign_key(self, fk: Any, schema: str | None) -> ForeignKey:
        # A missing referred_schema means "visible on the search path" where references
        # resolve that way, and "the schema we asked about" elsewhere.
        ref_schema = fk.get("referred_schema") or (None if self.d.unqualified_refs_on_search_path else schema)
        return ForeignKey(
            columns=tuple(fk["constrained_columns"]),
            ref_table=self.qualify(ref_schema, fk["referred_table"]),
            ref_columns=tuple(fk["referred_columns"]),
            name=fk.get("name"),
            deferrable=bool((fk.get("options") or {}).get("deferrable")),
        )

    def owned_target(self, fk: Any) -> Key | None:
        """The table an extension owns that a foreign key (as the inspector gives it) points
        at; None for an application's table."""
        owned = self.catalog.extension_tables
        if not owned:
            return None
        name, ref_schema = fk["referred_table"], fk.get("referred_schema")
        if ref_schema or (self.default, name) in owned:
            key = (ref_schema or self.default or "", name)
            return key if key in owned else None
        # unqualified: the one on the search path, found in another schema than the default
        found = [k for k in owned if k[1] == name]
        return found[0] if len(found) == 1 and not self.insp.has_table(name) else None

    def provided_keys(self, fk: ForeignKey, target: Key) -> list[Check]:
        """A foreign key into a table seedbed does not fill, as a CHECK over the keys there."""
        if len(fk.columns) != 1:
            return []
        col = self.d.quote(fk.columns[0])
        values = self.catalog.present_values(target, fk.ref_columns[0], PROVIDED_KEYS)
        sql = f"{col} IN ({', '.join(_literal(v) for v in values)})" if values else f"{col} IS NULL"
        return [Check(normalize_check(sql, self.d), fk.name)]

    def uniques(self, constraints: list[Any], indexes: list[Any]) -> list[Unique]:
        out = [Unique(tuple(u["column_names"]), u.get("name")) for u in constraints]
        seen = {(u.columns, u.name) for u in out}
        for ix in indexes:
            cols = tuple(ix.get("column_names") or ())
            if not ix.get("unique") or ix.get("duplicates_constraint") or (cols, ix.get("name")) in seen:
                continue  # plain index, or the index behind a UNIQUE constraint (MySQL lists both)
            if cols and all(cols):
                out.append(Unique(cols, ix.get("name"), index=True))
            elif ix.get("expressions"):  # lower(domain): unique values of what it reads keep it
                read = expression_columns([e for e in ix["expressions"] if e], self.d)
                if read:
                    out.append(Unique(read, ix.get("name"), index=True, expression=True))
        return out


def _literal(value: Any) -> str:
    """A value read from the database as an SQL literal (numbers bare, anything else quoted)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _types(t: ColumnType | None) -> Iterator[ColumnType]:
    """A type and, for arrays, its element types."""
    while t is not None:
        yield t
        t = t.item


def _as_written(col: Column, written: Table) -> Column:
    """``col`` with the type, numbering and default its CREATE statement declares."""
    if not written.has_column(col.name):
        return col
    w = written.column(col.name)
    return replace(col, type=w.type, identity=w.identity, default=w.default)
