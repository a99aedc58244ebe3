"""Read the schema model from a live database with SQLAlchemy's batch inspector.

The ``get_multi_*`` methods read a whole schema in a handful of catalog queries
instead of several per table, which matters on schemas with hundreds of tables.
Types, CHECK and DEFAULT text go through the same normalisation as ``ddl.py`` so
that a database and the DDL that built it give equal models.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Inspector

from seedbed.errors import ConnectionFailed, SchemaError
from seedbed.schema.ddl import make_table
from seedbed.schema.model import Check, Column, ColumnType, EnumType, ForeignKey, Schema, Unique
from seedbed.schema.sqlnorm import (
    map_type,
    normalize_check,
    normalize_default,
    normalize_sql,
    parse_type,
    qualify,
    sqlglot_dialect,
)


def reflect_schema(
    engine: sa.Engine, *, schemas: list[str] | None = None, tables: list[str] | None = None,
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
    return ConnectionFailed(f"cannot reflect the schema of {url}: {reason}",
                            hint="check that the server is running and the URL is right")


class _Reflector:
    def __init__(self, insp: Inspector, sa_dialect: sa.Dialect):
        self.insp = insp
        self.sa_dialect = sa_dialect
        self.d = sqlglot_dialect(sa_dialect.name) if sa_dialect.name in (
            "postgresql", "mysql", "mariadb", "sqlite") else None
        if self.d is None:
            raise SchemaError(f"reflection is not supported for {sa_dialect.name!r} databases")
        self.default = insp.default_schema_name
        self.enums: dict[str, EnumType] = {}

    def qualify(self, schema: str | None, name: str) -> str:
        return name if schema in (None, self.default) else qualify(schema, name, self.d)

    def schema(self, schemas: list[str] | None, tables: list[str] | None) -> Schema:
        wanted = list(schemas or [])
        for name in tables or []:
            if "." in name and name.split(".", 1)[0] not in wanted:
                wanted.append(name.split(".", 1)[0])
        if not wanted:
            wanted = [self.default]
        out = []
        for schema in dict.fromkeys(wanted):
            query = None if schema == self.default else schema
            names = None
            if tables is not None:
                names = [t.rsplit(".", 1)[-1] for t in tables
                         if "." not in t or t.split(".", 1)[0] == schema]
                if not names:
                    continue
            self.read_enums(query)
            out += self.read_tables(query, names)
        enums = self.enums
        if tables is not None:  # only the enums the chosen tables use
            used = {t.enum for table in out for c in table.columns for t in _types(c.type)}
            enums = {k: v for k, v in enums.items() if k in used}
        return Schema(tables=tuple(sorted(out, key=lambda t: t.qualified)),
                      enums=tuple(sorted(enums.values(), key=lambda e: e.name)))

    def read_enums(self, schema: str | None) -> None:
        get_enums = getattr(self.insp, "get_enums", None)  # PostgreSQL only
        if get_enums is None:
            return
        for e in get_enums(schema=schema or self.default):
            name = self.qualify(e["schema"], e["name"])
            self.enums[name] = EnumType(name, tuple(e["labels"]))

    def read_tables(self, schema: str | None, names: list[str] | None) -> list:
        kw = {"schema": schema, "filter_names": names}
        columns = self.insp.get_multi_columns(**kw)
        pks = self.insp.get_multi_pk_constraint(**kw)
        fks = self.insp.get_multi_foreign_keys(**kw)
        uniques = self.insp.get_multi_unique_constraints(**kw)
        indexes = self.insp.get_multi_indexes(**kw)
        checks = self.insp.get_multi_check_constraints(**kw)
        out = []
        for key, cols in columns.items():
            table_schema = key[0] if key[0] != self.default else None
            qualified = self.qualify(table_schema, key[1])
            pk = tuple((pks.get(key) or {}).get("constrained_columns") or ())
            out.append(make_table(
                table_schema, key[1],
                [self.column(qualified, c, pk) for c in cols], pk,
                [self.foreign_key(fk, schema) for fk in fks.get(key, [])],
                self.uniques(uniques.get(key, []), indexes.get(key, [])),
                [Check(normalize_check(c["sqltext"], self.d), c.get("name"))
                 for c in checks.get(key, [])],
            ))
        return out

    def column(self, table: str, col: dict, pk: tuple[str, ...]) -> Column:
        ctype = self.column_type(col["type"], f"{table}_{col['name']}")
        default = col.get("default")
        identity = bool(col.get("identity")) or col.get("autoincrement") is True
        if default is not None and "nextval(" in default.lower():
            identity = True  # serial: the sequence numbers it
        if (self.d == "sqlite" and len(pk) == 1 and pk[0] == col["name"]
                and ctype.kind == "int"):
            identity = True  # SQLite's INTEGER PRIMARY KEY is the rowid
        if identity:
            default = None
        if default is not None:
            default = normalize_default(default, self.d)
        computed = col.get("computed")
        generated = normalize_sql(computed["sqltext"], self.d) if computed else None
        return Column(col["name"], ctype, bool(col["nullable"]), default, identity, generated)

    def column_type(self, sa_type: sa.types.TypeEngine, inline_name: str) -> ColumnType:
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
    def uniques(constraints: list[dict], indexes: list[dict]) -> list[Unique]:
        out = [Unique(tuple(u["column_names"]), u.get("name")) for u in constraints]
        seen = {(u.columns, u.name) for u in out}
        for ix in indexes:
            cols = tuple(ix.get("column_names") or ())
            if not ix.get("unique") or ix.get("duplicates_constraint") \
                    or (cols, ix.get("name")) in seen:
                continue  # plain index, or the index behind a UNIQUE constraint (MySQL lists both)
            if cols and all(cols):  # expression indexes are not column uniqueness
                out.append(Unique(cols, ix.get("name"), index=True))
        return out


def _types(t: ColumnType):
    """A type and, for arrays, its element types."""
    while t is not None:
        yield t
        t = t.item
