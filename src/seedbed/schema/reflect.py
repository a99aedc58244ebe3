"""Read the schema model from a live database with SQLAlchemy's batch inspector.

The ``get_multi_*`` methods read a whole schema in a handful of catalog queries
instead of several per table, which matters on schemas with hundreds of tables.
Types, CHECK and DEFAULT text go through the same normalisation as ``ddl.py`` so
that a database and the DDL that built it give equal models.

What the inspector does not expose is read with a few catalog queries of our
own: PostgreSQL domains (the inspector drops a domain's type modifiers), declarative
partitioning (pg_partitioned_table, pg_inherits, relpartbound), the internal
foreign keys PostgreSQL adds to a table referencing a partitioned table (one per
partition, left out of the model), and MySQL partitions (information_schema).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Inspector

from seedbed.errors import ConnectionFailed, SchemaError
from seedbed.schema.ddl import make_table
from seedbed.schema.model import (
    Check,
    Column,
    ColumnType,
    Domain,
    EnumType,
    ForeignKey,
    Schema,
    Unique,
)
from seedbed.schema.sqlnorm import (
    domain_check,
    key_types,
    map_type,
    mysql_key_nodes,
    mysql_partitions,
    normalize_check,
    normalize_default,
    normalize_sql,
    parse_pg_bound,
    parse_pg_partkey,
    parse_type,
    partition_key,
    pg_partition_bound,
    qualify,
    sqlglot_dialect,
)

try:  # SQLAlchemy 2.0+: a column of a domain type is reported with this type
    from sqlalchemy.dialects.postgresql import DOMAIN
except ImportError:  # pragma: no cover
    DOMAIN = ()


def reflect_schema(
    engine: sa.Engine,
    *,
    schemas: list[str] | None = None,
    tables: list[str] | None = None,
) -> Schema:
    """The schema model of the tables in ``schemas`` (default: the connection's schema).

    ``tables`` narrows to those names; a qualified name (``auth.users``) also
    selects its schema.
    """
    try:
        conn = engine.connect()
    except sa.exc.DBAPIError as err:
        raise _connection_failed(engine, err) from None
    with conn:
        return _Reflector(sa.inspect(conn), engine.dialect).schema(schemas, tables)


def _connection_failed(engine: sa.Engine, err: Exception) -> ConnectionFailed:
    url = engine.url.render_as_string(hide_password=True)
    reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
    if engine.url.password:  # drivers sometimes echo the DSN back
        reason = reason.replace(str(engine.url.password), "***")
    return ConnectionFailed(
        f"cannot reflect the schema of {url}: {reason}", hint="check that the server is running and the URL is right"
    )


_PG_DOMAINS = """
SELECT n.nspname AS schema, t.typname AS name,
       format_type(t.typbasetype, t.typtypmod) AS base,
       bn.nspname AS base_schema, bt.typname AS base_name, bt.typtype = 'd' AS base_is_domain,
       t.typnotnull AS notnull, pg_get_expr(t.typdefaultbin, 0) AS "default",
       ARRAY(SELECT c.conname FROM pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) AS connames,
       ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) AS condefs
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type bt ON bt.oid = t.typbasetype
JOIN pg_namespace bn ON bn.oid = bt.typnamespace
WHERE t.typtype = 'd' AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'
"""
_PG_PARTITIONED = """
SELECT n.nspname AS schema, c.relname AS name, pg_get_partkeydef(c.oid) AS key
FROM pg_partitioned_table pt
JOIN pg_class c ON c.oid = pt.partrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
"""
_PG_PARTITIONS = """
SELECT n.nspname AS schema, c.relname AS name, pn.nspname AS parent_schema,
       p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE c.relispartition
"""
# A foreign key that references a partitioned table gets one internal copy per
# partition on the same referencing table (conparentid set): not the user's rule.
_PG_INTERNAL_FKS = """
SELECT n.nspname AS schema, c.relname AS name, con.conname AS conname
FROM pg_constraint con
JOIN pg_constraint parent ON parent.oid = con.conparentid
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'f' AND con.conrelid = parent.conrelid
"""
_MYSQL_PARTITIONS = """
SELECT TABLE_NAME AS name, PARTITION_NAME AS part, PARTITION_METHOD AS method,
       PARTITION_EXPRESSION AS expr, PARTITION_DESCRIPTION AS description
FROM information_schema.PARTITIONS
WHERE TABLE_SCHEMA = :schema AND PARTITION_NAME IS NOT NULL
ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION
"""
# MariaDB keeps a column-level CHECK in the column's definition, where SQLAlchemy
# does not look; the catalog has every check (MariaDB: with its table).
_MARIADB_CHECKS = """
SELECT TABLE_NAME AS name, CONSTRAINT_NAME AS conname, CHECK_CLAUSE AS sqltext
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = :schema
"""
_ON_UPDATE = re.compile(r"\s+ON\s+UPDATE\s+.*$", re.IGNORECASE | re.DOTALL)
_CHECK_DEF = re.compile(r"^\s*CHECK\s*(.*?)(?:\s+NOT\s+VALID)?\s*$", re.IGNORECASE | re.DOTALL)


class _Reflector:
    def __init__(self, insp: Inspector, sa_dialect: sa.Dialect):
        self.insp = insp
        self.sa_dialect = sa_dialect
        self.d = (
            sqlglot_dialect(sa_dialect.name)
            if sa_dialect.name in ("postgresql", "mysql", "mariadb", "sqlite")
            else None
        )
        if self.d is None:
            raise SchemaError(f"reflection is not supported for {sa_dialect.name!r} databases")
        self.default = insp.default_schema_name
        self.enums: dict[str, EnumType] = {}
        self.domains: dict[str, Domain] = {}
        self.domain_base: dict[str, str | None] = {}
        self.domain_schema: dict[str, str] = {}
        self.used_domains: set[str] = set()
        self.enum_pool: dict[str, EnumType] = {}  # the enums of every schema
        self.partitioned: dict[tuple[str, str], str] = {}  # (schema, table) -> key definition
        self.partition_parent: dict[tuple[str, str], tuple[tuple[str, str], str]] = {}
        self.internal_fks: set[tuple[str, str, str]] = set()

    def qualify(self, schema: str | None, name: str) -> str:
        return name if schema in (None, self.default) else qualify(schema, name, self.d)

    def sql(self, query: str, **params) -> list:
        return list(self.insp.bind.execute(sa.text(query), params).mappings())

    def schema(self, schemas: list[str] | None, tables: list[str] | None) -> Schema:
        wanted = list(schemas or [])
        for name in tables or []:
            if "." in name and name.split(".", 1)[0] not in wanted:
                wanted.append(name.split(".", 1)[0])
        if not wanted:
            wanted = [self.default]
        if self.d == "postgres":
            self.read_catalog()
        out = []
        for schema in dict.fromkeys(wanted):
            query = None if schema == self.default else schema
            names = None
            if tables is not None:
                names = [t.rsplit(".", 1)[-1] for t in tables if "." not in t or t.split(".", 1)[0] == schema]
                if not names:
                    continue
            self.read_enums(query)
            out += self.read_tables(query, names)
        enums = self.enums
        domains = {k: d for k, d in self.domains.items() if k in self.used_domains or self.domain_schema[k] in wanted}
        for d in domains.values():  # an enum under a domain is part of the schema too
            for t in _types(d.base):
                if t.enum in self.enum_pool:
                    self.enums.setdefault(t.enum, self.enum_pool[t.enum])
        if tables is not None:  # only the enums and domains the chosen tables use
            used = {t.enum for table in out for c in table.columns for t in _types(c.type)}
            used |= {d.base.enum for d in domains.values()}
            enums = {k: v for k, v in enums.items() if k in used}
            domains = {k: d for k, d in domains.items() if k in self.used_domains}
        return Schema(
            tables=tuple(sorted(out, key=lambda t: t.qualified)),
            enums=tuple(sorted(enums.values(), key=lambda e: e.name)),
            domains=tuple(sorted(domains.values(), key=lambda d: d.name)),
        )

    # PostgreSQL catalog ----------------------------------------------------------------
    def read_catalog(self) -> None:
        """Domains, partitioning and internal foreign keys of every schema (small)."""
        for e in self.insp.get_enums(schema="*"):  # a domain may be based on an enum
            name = self.qualify(e["schema"], e["name"])
            self.enum_pool[name] = EnumType(name, tuple(e["labels"]))
        rows = {(r["schema"], r["name"]): r for r in self.sql(_PG_DOMAINS)}
        for key in rows:
            self.read_domain(key, rows, set())
        for r in self.sql(_PG_PARTITIONED):
            self.partitioned[(r["schema"], r["name"])] = r["key"]
        for r in self.sql(_PG_PARTITIONS):
            self.partition_parent[(r["schema"], r["name"])] = ((r["parent_schema"], r["parent"]), r["bound"])
        self.internal_fks = {(r["schema"], r["name"], r["conname"]) for r in self.sql(_PG_INTERNAL_FKS)}

    def read_domain(self, key: tuple[str, str], rows: dict, seen: set) -> None:
        name = self.qualify(*key)
        if name in self.domains or key in seen:
            return
        seen.add(key)
        r = rows[key]
        under = None
        if r["base_is_domain"]:
            base_key = (r["base_schema"], r["base_name"])
            if base_key in rows:
                self.read_domain(base_key, rows, seen)
                under = self.qualify(*base_key)
        dt = parse_type(r["base"], self.d)
        bases = {n: d.base for n, d in self.domains.items()}
        if under is not None:
            base = replace(self.domains[under].base, raw=under)
        elif dt is not None:
            base = map_type(dt, self.d, self.enum_pool, domains=bases, raw=r["base"])[0]
        else:
            base = ColumnType("other", raw=r["base"])
        checks = []
        for conname, condef in zip(r["connames"] or [], r["condefs"] or []):
            m = _CHECK_DEF.match(condef)
            checks.append(Check(domain_check(m.group(1) if m else condef, None, self.d), conname))
        default = normalize_default(r["default"], self.d) if r["default"] is not None else None
        self.domains[name] = Domain(
            name, base, not r["notnull"], default, tuple(sorted(checks, key=lambda c: (c.sql, c.name or "")))
        )
        self.domain_base[name] = under
        self.domain_schema[name] = key[0]

    def domain_chain(self, name: str | None) -> list[Domain]:
        chain: list[Domain] = []
        while name is not None and name in self.domains and len(chain) < 32:
            chain.append(self.domains[name])
            name = self.domain_base.get(name)
        return chain

    def read_enums(self, schema: str | None) -> None:
        get_enums = getattr(self.insp, "get_enums", None)  # PostgreSQL only
        if get_enums is None:
            return
        for e in get_enums(schema=schema or self.default):
            name = self.qualify(e["schema"], e["name"])
            self.enums[name] = EnumType(name, tuple(e["labels"]))

    # tables ------------------------------------------------------------------------------
    def read_tables(self, schema: str | None, names: list[str] | None) -> list:
        kw = {"schema": schema, "filter_names": names}
        columns = self.insp.get_multi_columns(**kw)
        pks = self.insp.get_multi_pk_constraint(**kw)
        fks = self.insp.get_multi_foreign_keys(**kw)
        uniques = self.insp.get_multi_unique_constraints(**kw)
        indexes = self.insp.get_multi_indexes(**kw)
        checks = self.insp.get_multi_check_constraints(**kw)
        mysql_parts = self.mysql_partitions(schema) if self.d == "mysql" else {}
        json_columns: dict = {}
        if self.d == "mysql" and getattr(self.sa_dialect, "is_mariadb", False):
            checks, json_columns = self.mariadb_checks(schema, list(columns), checks)
        models: dict = {}
        for key, cols in columns.items():
            qualified = self.qualify(key[0], key[1])
            pk = tuple((pks.get(key) or {}).get("constrained_columns") or ())
            models[key] = [self.column(qualified, c, pk) for c in cols]
            if json_columns.get(key):  # MariaDB's JSON is LONGTEXT with a JSON_VALID check
                models[key] = [
                    (replace(c, type=ColumnType("json", raw="JSON")) if c.name in json_columns[key] else c, d)
                    for c, d in models[key]
                ]
        out = []
        for key, cols in models.items():
            table_schema = key[0] if key[0] != self.default else None
            pk = tuple((pks.get(key) or {}).get("constrained_columns") or ())
            full = (key[0] or self.default, key[1])
            table_checks = [Check(normalize_check(c["sqltext"], self.d), c.get("name")) for c in checks.get(key, [])]
            for col, domain in cols:
                for dom in self.domain_chain(domain):
                    table_checks += [Check(domain_check(ck.sql, col.name, self.d), ck.name) for ck in dom.checks]
            columns_ = [col for col, _ in cols]
            out.append(
                make_table(
                    table_schema,
                    key[1],
                    columns_,
                    pk,
                    [
                        self.foreign_key(fk, schema)
                        for fk in fks.get(key, [])
                        if (*full, fk.get("name")) not in self.internal_fks
                    ],
                    self.uniques(uniques.get(key, []), indexes.get(key, []), self.d or "postgres"),
                    table_checks,
                    **self.partitioning(full, columns_, pk, models, mysql_parts.get(key[1])),
                )
            )
        return out

    def column(self, table: str, col: dict, pk: tuple[str, ...]) -> tuple[Column, str | None]:
        """The column model, and the domain of its type (None if it has none)."""
        ctype = self.column_type(col["type"], f"{table}_{col['name']}")
        domain = None
        if DOMAIN and isinstance(col["type"], DOMAIN):
            domain = self.qualify(col["type"].schema, col["type"].name)
            domain = domain if domain in self.domains else None
        default = col.get("default")
        if default is not None and self.d == "mysql":
            default = _ON_UPDATE.sub("", default)  # MySQL's ON UPDATE is not a default
        identity = bool(col.get("identity")) or col.get("autoincrement") is True
        if default is not None and "nextval(" in default.lower():
            identity = True  # serial: the sequence numbers it
        if self.d == "sqlite" and len(pk) == 1 and pk[0] == col["name"] and ctype.kind == "int":
            identity = True  # SQLite's INTEGER PRIMARY KEY is the rowid
        if default is not None:
            default = normalize_default(default, self.d)
        nullable = bool(col["nullable"])
        if domain is not None:
            chain = self.domain_chain(domain)
            nullable = nullable and all(d.nullable for d in chain)
            if default is None:
                default = next((d.default for d in chain if d.default is not None), None)
        if identity:
            default = None
        computed = col.get("computed")
        generated = normalize_sql(computed["sqltext"], self.d) if computed else None
        return Column(col["name"], ctype, nullable, default, identity, generated), domain

    def column_type(self, sa_type: sa.types.TypeEngine, inline_name: str) -> ColumnType:
        if DOMAIN and isinstance(sa_type, DOMAIN):
            name = self.qualify(sa_type.schema, sa_type.name)
            if name in self.domains:
                self.used_domains.add(name)
                return replace(self.domains[name].base, raw=name)
            return self.column_type(sa_type.data_type, inline_name)
        raw = self.compile(sa_type)
        if isinstance(sa_type, sa.ARRAY):
            item = self.column_type(sa_type.item_type, inline_name)
            return ColumnType("array", item=item, raw=raw)
        if isinstance(sa_type, sa.Enum) and getattr(sa_type, "name", None):
            # a named (PostgreSQL) enum, possibly from a schema we did not list
            name = self.qualify(getattr(sa_type, "schema", None), sa_type.name)
            self.enums.setdefault(name, EnumType(name, tuple(sa_type.enums)))
            return ColumnType("enum", enum=name, raw=raw)
        dt = parse_type(raw, self.d) if raw else None
        if dt is None:
            return ColumnType("other", raw=raw)
        ctype, inline = map_type(dt, self.d, self.enums, inline_name, raw)
        if inline:  # MySQL ENUM(...) / SET(...)
            self.enums[inline.name] = inline
        return ctype

    def compile(self, sa_type: sa.types.TypeEngine) -> str:
        try:
            return str(sa_type.compile(dialect=self.sa_dialect))
        except sa.exc.CompileError:  # NullType: SQLite column without a known type
            return ""

    # partitions ------------------------------------------------------------------------
    def partitioning(
        self, key: tuple[str, str], columns: list[Column], pk: tuple[str, ...], models: dict, mysql_parts: tuple | None
    ) -> dict:
        out: dict = {}
        types = {c.name: c.type for c in columns}
        if key in self.partitioned:
            kind, nodes = parse_pg_partkey(self.partitioned[key])
            out.update(partition_kind=kind, partition_key=partition_key(nodes, self.d))
        if key in self.partition_parent:
            parent, bound = self.partition_parent[key]
            parent_key = ()
            if parent in self.partitioned:
                parent_key = partition_key(parse_pg_partkey(self.partitioned[parent])[1], self.d)
            parent_types = self.column_types(parent, models)
            out["partition_of"] = self.qualify(*parent)
            out["partition_bound"] = pg_partition_bound(parse_pg_bound(bound), key_types(parent_key, parent_types))
        if mysql_parts is not None:
            method, expr, parts = mysql_parts
            key_ = partition_key(mysql_key_nodes(expr or ""), self.d, list(types)) or pk
            kind, bounds = mysql_partitions(method, parts, key_types(key_, types))
            out.update(partition_kind=kind, partition_key=key_, partitions=bounds)
        return out

    def column_types(self, table: tuple[str, str], models: dict) -> dict[str, ColumnType]:
        """Column types of ``table`` (a partition's parent), reflected if not at hand."""
        for key, cols in models.items():
            if (key[0] or self.default, key[1]) == table:
                return {c.name: c.type for c, _ in cols}
        schema = None if table[0] == self.default else table[0]
        qualified = self.qualify(*table)
        return {
            c["name"]: self.column(qualified, c, ())[0].type for c in self.insp.get_columns(table[1], schema=schema)
        }

    def mariadb_checks(self, schema: str | None, tables: list, checks: dict) -> tuple[dict, dict]:
        """``checks`` plus the ones SQLAlchemy missed (column-level checks), and the
        JSON columns (table -> column names) that MariaDB's own checks reveal."""
        out = {key: list(checks.get(key, [])) for key in tables}
        json_columns: dict = defaultdict(set)
        keys = {key[1]: key for key in tables}
        for r in self.sql(_MARIADB_CHECKS, schema=schema or self.default):
            key = keys.get(r["name"])
            if key is None:
                continue  # a table not asked for
            auto = normalize_check(f"json_valid(`{r['conname']}`)", self.d)
            if normalize_check(r["sqltext"], self.d) == auto:
                json_columns[key].add(r["conname"])  # MariaDB's own check on a JSON column
                out[key] = [c for c in out[key] if c.get("name") != r["conname"]]
                continue
            if not any(c.get("name") == r["conname"] for c in out[key]):
                out[key].append({"name": r["conname"], "sqltext": r["sqltext"]})
        return out, json_columns

    def mysql_partitions(self, schema: str | None) -> dict[str, tuple]:
        """table -> (method, key expression, [(partition, description), ...])."""
        out: dict[str, tuple] = {}
        parts: dict[str, dict[str, str | None]] = defaultdict(dict)
        for r in self.sql(_MYSQL_PARTITIONS, schema=schema or self.default):
            method = (r["method"] or "").upper()
            if not any(m in method for m in ("RANGE", "LIST", "HASH", "KEY")):
                continue  # MariaDB's SYSTEM_TIME history partitions: no value ranges
            out[r["name"]] = (method, r["expr"] or "", [])
            parts[r["name"]].setdefault(r["part"], r["description"])  # subpartitions repeat
        for name, (_, _, lst) in out.items():
            lst.extend(parts[name].items())
        return out

    # constraints -----------------------------------------------------------------------
    def foreign_key(self, fk: dict, schema: str | None) -> ForeignKey:
        # A missing referred_schema means "visible on the search path" on PostgreSQL,
        # and "the schema we asked about" on MySQL and SQLite.
        ref_schema = fk.get("referred_schema") or (None if self.d == "postgres" else schema)
        return ForeignKey(
            columns=tuple(fk["constrained_columns"]),
            ref_table=self.qualify(ref_schema, fk["referred_table"]),
            ref_columns=tuple(fk["referred_columns"]),
            name=fk.get("name"),
            deferrable=bool((fk.get("options") or {}).get("deferrable")),
        )

    @staticmethod
    def uniques(constraints: list[dict], indexes: list[dict], dialect: str = "postgres") -> list[Unique]:
        out = [Unique(tuple(u["column_names"]), u.get("name")) for u in constraints]
        seen = {(u.columns, u.name) for u in out}
        for ix in indexes:
            cols = tuple(ix.get("column_names") or ())
            if not ix.get("unique") or ix.get("duplicates_constraint") or (cols, ix.get("name")) in seen:
                continue  # plain index, or the index behind a UNIQUE constraint (MySQL lists both)
            if cols and all(cols):
                out.append(Unique(cols, ix.get("name"), index=True))
            elif ix.get("expressions"):  # lower(domain): unique values of what it reads keep it
                from seedbed.schema.ddl import expression_columns

                read = expression_columns([e for e in ix["expressions"] if e], dialect)
                if read:
                    out.append(Unique(read, ix.get("name"), index=True, expression=True))
        return out


def _types(t: ColumnType):
    """A type and, for arrays, its element types."""
    while t is not None:
        yield t
        t = t.item
