"""What SQLAlchemy's inspector does not tell, read with the dialect's own catalog queries.

PostgreSQL domains (the inspector drops a domain's type modifiers), declarative
partitioning (pg_partitioned_table, pg_inherits, relpartbound), the internal foreign
keys PostgreSQL adds to a table referencing a partitioned table (one per partition,
left out of the model), the tables extensions own (left out too), MySQL partitions and
MariaDB's column-level CHECKs. A dialect without one of these queries
(``Dialect.DOMAINS_SQL is None``) simply has none of it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Inspector

from seedbed.dialects import Dialect
from seedbed.schema.model import Check, ColumnType, Domain, EnumType, Table, Unique, domain_chain
from seedbed.schema.sqlnorm import domain_check, normalize_check, normalize_default
from seedbed.schema.types import map_type, parse_type

_CHECK_DEF = re.compile(r"^\s*CHECK\s*(.*?)(?:\s+NOT\s+VALID)?\s*$", re.IGNORECASE | re.DOTALL)

Key = tuple[str, str]  # (schema, table) as the catalog names them


class Catalog:
    """The catalog facts of one database, read once per reflection."""

    def __init__(self, insp: Inspector, dialect: Dialect, qualify: Callable[[str | None, str], str]):
        self.insp, self.d, self.qualify = insp, dialect, qualify
        self.default = insp.default_schema_name
        self.domains: dict[str, Domain] = {}
        self.domain_base: dict[str, str | None] = {}
        self.domain_schema: dict[str, str] = {}
        self.enum_pool: dict[str, EnumType] = {}  # the enums of every schema
        self.partitioned: dict[Key, str] = {}  # (schema, table) -> key definition
        self.partition_parent: dict[Key, tuple[Key, str]] = {}
        self.internal_fks: set[tuple[str, str, str]] = set()
        self.type_names: dict[tuple[str, str, str], str] = {}  # (schema, table, column) -> type as spelled
        self.extension_tables: dict[Key, str] = {}  # (schema, table) -> the extension that created it
        self.written: dict[str, Table | None] = {}  # table -> its CREATE statement, read (CREATE_TEXT_SQL)
        self.disjoint: dict[Key, tuple[str, ...]] = {}  # (schema, table) -> ranges an EXCLUDE keeps apart

    def sql(self, query: str, **params: Any) -> list[Any]:
        bind = self.insp.bind
        assert isinstance(bind, sa.Connection)  # reflect_schema inspects a connection
        return list(bind.execute(sa.text(query), params).mappings())

    def read(self) -> None:
        """Domains, partitioning and internal foreign keys of every schema (small)."""
        if self.d.domains:
            for e in self.insp.get_enums(schema="*"):  # type: ignore[attr-defined]  # a domain may be based on an enum
                name = self.qualify(e["schema"], e["name"])
                self.enum_pool[name] = EnumType(name, tuple(e["labels"]))
        if self.d.DOMAINS_SQL:
            rows = {(r["schema"], r["name"]): r for r in self.sql(self.d.DOMAINS_SQL)}
            for key in rows:
                self.read_domain(key, rows, set())
        if self.d.PARTITIONED_SQL:
            for r in self.sql(self.d.PARTITIONED_SQL):
                self.partitioned[(r["schema"], r["name"])] = r["key"]
        if self.d.PARTITIONS_SQL:
            for r in self.sql(self.d.PARTITIONS_SQL):
                self.partition_parent[(r["schema"], r["name"])] = ((r["parent_schema"], r["parent"]), r["bound"])
        if self.d.COLUMN_TYPES_SQL:
            spelled = self.sql(self.d.COLUMN_TYPES_SQL)
            self.type_names = {(r["schema"], r["name"], r["column"]): r["type"] for r in spelled}
        if self.d.INTERNAL_FKS_SQL:
            self.internal_fks = {(r["schema"], r["name"], r["conname"]) for r in self.sql(self.d.INTERNAL_FKS_SQL)}
        if self.d.EXTENSION_TABLES_SQL:
            owned = self.sql(self.d.EXTENSION_TABLES_SQL)
            self.extension_tables = {(r["schema"], r["name"]): r["extension"] for r in owned}
        if self.d.EXCLUSIONS_SQL:
            found: dict[Key, set[str]] = defaultdict(set)
            for r in self.sql(self.d.EXCLUSIONS_SQL):
                for name in _OVERLAP.findall(r["definition"]):
                    found[(r["schema"], r["name"])].add(self.d.stored_name(name))
            self.disjoint = {k: tuple(sorted(v)) for k, v in found.items()}
        if self.d.CREATE_TEXT_SQL:
            self.written = {r["name"]: _read_create(r["sql"], self.d) for r in self.sql(self.d.CREATE_TEXT_SQL)}

    def written_constraints(self, table: str) -> tuple[list[Unique], list[Check]]:
        """The uniques and CHECKs a table's CREATE statement declares (where the database
        keeps it): what the inspector misses is added from here."""
        t = self.written.get(table)
        return (list(t.uniques), list(t.checks)) if t is not None else ([], [])

    def present_values(self, table: Key, column: str, limit: int) -> list[Any]:
        """Up to ``limit`` distinct values of ``column`` in ``table``, smallest first."""
        bind = self.insp.bind
        assert isinstance(bind, sa.Connection)
        rel = ".".join(self.d.quote(p) for p in table)
        col = self.d.quote(column)
        sql = f"SELECT DISTINCT {col} FROM {rel} WHERE {col} IS NOT NULL ORDER BY 1 LIMIT {int(limit)}"
        return [r[0] for r in bind.exec_driver_sql(sql)]

    def read_domain(self, key: Key, rows: dict[Key, Any], seen: set[Key]) -> None:
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
        """The domain and the domains under it (a domain can be based on another)."""
        return domain_chain(self.domains, self.domain_base, name)

    def table_partitions(self, schema: str | None) -> dict[str, tuple[str, str, list[tuple[str, str | None]]]]:
        """table -> (method, key expression, [(partition, description), ...]) (MySQL)."""
        out: dict[str, tuple[str, str, list[tuple[str, str | None]]]] = {}
        if not self.d.TABLE_PARTITIONS_SQL:
            return out
        parts: dict[str, dict[str, str | None]] = defaultdict(dict)
        for r in self.sql(self.d.TABLE_PARTITIONS_SQL, schema=schema or self.default):
            method = (r["method"] or "").upper()
            if not any(m in method for m in ("RANGE", "LIST", "HASH", "KEY")):
                continue  # MariaDB's SYSTEM_TIME history partitions: no value ranges
            out[r["name"]] = (method, r["expr"] or "", [])
            parts[r["name"]].setdefault(r["part"], r["description"])  # subpartitions repeat
        for name, (_, _, lst) in out.items():
            lst.extend(parts[name].items())
        return out

    def all_checks(
        self, schema: str | None, tables: list[Any], checks: dict[Any, Any]
    ) -> tuple[dict[Any, Any], dict[Any, set[str]]]:
        """``checks`` plus the ones SQLAlchemy missed (MariaDB's column-level checks), and
        the JSON columns (table -> column names) that MariaDB's own checks reveal."""
        if not self.d.CHECKS_SQL:
            return checks, {}
        out = {key: list(checks.get(key, [])) for key in tables}
        json_columns: dict[Any, set[str]] = defaultdict(set)
        keys = {key[1]: key for key in tables}
        for r in self.sql(self.d.CHECKS_SQL, schema=schema or self.default):
            key = keys.get(r["name"])
            if key is None:
                continue  # a table not asked for
            auto = normalize_check(f"json_valid({self.d.quote(r['conname'])})", self.d)
            if normalize_check(r["sqltext"], self.d) == auto:
                json_columns[key].add(r["conname"])  # MariaDB's JSON is LONGTEXT with a JSON_VALID check
                out[key] = [c for c in out[key] if c.get("name") != r["conname"]]
                continue
            if not any(c.get("name") == r["conname"] for c in out[key]):
                out[key].append({"name": r["conname"], "sqltext": r["sqltext"]})
        return out, json_columns


_OVERLAP = re.compile(r'("(?:[^"]|"")+"|[\w$]+)\s+WITH\s+&&')  # EXCLUDE USING gist (..., r WITH &&)


def _read_create(sql: str, d: Dialect) -> Table | None:
    from seedbed.schema.ddl import parse_ddl

    try:
        found = parse_ddl(sql, d.name)
    except Exception:  # noqa: BLE001 - a statement the reader cannot parse adds nothing
        return None
    return found.tables[0] if found.tables else None


_NAMED = ("name", "column_names", "constrained_columns", "referred_columns")


def stored_names(found: Any, fix: Any) -> Any:
    """The inspector's results with every column and constraint name as the database stores
    it (``fix``: the dialect's ``reflected_name``)."""
    for items in found.values():
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, dict):
                continue
            for key in _NAMED:
                value = item.get(key)
                if isinstance(value, str):
                    item[key] = fix(value)
                elif isinstance(value, list):
                    item[key] = [fix(v) if isinstance(v, str) else v for v in value]
    return found
