"""Logical column types from sqlglot's type trees, the same for both schema readers."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace

from sqlglot import exp
from sqlglot.errors import SqlglotError

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.schema.model import ColumnType, EnumType

_T = exp.DataType.Type


def _kinds(*pairs: tuple[str, tuple[str, ...]]) -> dict[object, str]:
    table = {}
    for kind, names in pairs:
        for name in names:
            member = getattr(_T, name, None)  # tolerate sqlglot versions without a member
            if member is not None:
                table[member] = kind
    return table


_KIND_OF = _kinds(
    ("smallint", ("SMALLINT", "TINYINT", "UTINYINT", "SMALLSERIAL")),
    ("int", ("INT", "MEDIUMINT", "UMEDIUMINT", "USMALLINT", "SERIAL")),
    ("bigint", ("BIGINT", "UINT", "UBIGINT", "BIGSERIAL")),
    ("numeric", ("DECIMAL", "UDECIMAL", "BIGDECIMAL")),
    ("float", ("FLOAT", "DOUBLE", "UDOUBLE")),
    ("bool", ("BOOLEAN",)),
    ("text", ("TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "CITEXT")),
    # PostgreSQL's name (an identifier, up to 63 bytes) reads as VARCHAR through SQLAlchemy
    ("varchar", ("VARCHAR", "NVARCHAR", "NAME")),
    ("char", ("CHAR", "NCHAR", "BPCHAR")),
    ("date", ("DATE", "DATE32")),
    ("timestamp", ("TIMESTAMP", "DATETIME", "DATETIME2", "DATETIME64", "SMALLDATETIME")),
    ("timestamptz", ("TIMESTAMPTZ", "TIMESTAMPLTZ")),
    ("time", ("TIME", "TIMETZ")),
    ("interval", ("INTERVAL",)),
    ("uuid", ("UUID",)),
    ("json", ("JSON", "JSONB")),
    ("bytes", ("BINARY", "VARBINARY", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB")),
    ("enum", ("ENUM", "SET")),
    ("array", ("ARRAY",)),
)
_SERIALS = {getattr(_T, n) for n in ("SMALLSERIAL", "SERIAL", "BIGSERIAL") if hasattr(_T, n)}


def parse_type(raw: str, dialect: str | Dialect) -> exp.DataType | None:
    try:
        return exp.DataType.build(raw, dialect=dialects.get(dialect).sqlglot, udt=True)
    except (SqlglotError, ValueError):
        return None


def is_serial(dt: exp.DataType) -> bool:
    return dt.this in _SERIALS


def udt_name(dt: exp.DataType, dialect: str | Dialect) -> str:
    """The qualified name of a user-defined type, case-folded like the dialect does."""
    d = dialects.get(dialect)
    kind = dt.args.get("kind")
    parts = kind.sql(dialect=d.sqlglot) if isinstance(kind, exp.Expression) else str(kind)
    names = []
    for part in parts.split("."):
        if part[:1] in '"`':
            names.append(part[1:-1])
        else:
            names.append(d.fold(part))
    return d.qualify(names[-2] if len(names) > 1 else None, names[-1])


def map_type(
    dt: exp.DataType,
    dialect: str | Dialect,
    enums: Collection[str],
    inline_enum: str | None = None,
    raw: str | None = None,
    domains: Mapping[str, ColumnType] | None = None,
) -> tuple[ColumnType, EnumType | None]:
    """The logical type of a sqlglot type, plus the EnumType an inline ENUM/SET defines.

    ``enums`` are the qualified names of the known named enum types (PostgreSQL
    CREATE TYPE); ``domains`` maps the qualified names of known domains to their base
    types; ``inline_enum`` names an inline MySQL ENUM/SET column's enum; ``raw`` is
    the type as the database spells it (default: sqlglot's spelling).
    """
    d = dialects.get(dialect)
    raw = raw or dt.sql(dialect=d.sqlglot)
    kind = _KIND_OF.get(dt.this, "other")
    params = [
        int(p.this.this)
        for p in dt.expressions
        if isinstance(p, exp.DataTypeParam) and isinstance(p.this, exp.Literal) and p.this.is_int
    ]
    if _base_name(dt, raw) in d.geometry_types:
        return ColumnType("geometry", raw=raw), None
    if dt.this == _T.USERDEFINED:
        name = udt_name(dt, d)
        if domains and name in domains:
            return replace(domains[name], raw=name), None
        if name in enums:
            return ColumnType("enum", enum=name, raw=raw), None
        return ColumnType("other", raw=raw), None
    if kind == "array":
        items = [e for e in dt.expressions if isinstance(e, exp.DataType)]
        item = map_type(items[0], d, enums, domains=domains)[0] if items else ColumnType("other")
        return ColumnType("array", item=item, raw=raw), None
    if d.tinyint_one_is_bool and dt.this == _T.TINYINT and params == [1]:
        return ColumnType("bool", raw=raw), None
    if kind == "enum":
        values = tuple(lit.this for lit in dt.expressions if isinstance(lit, exp.Literal))
        name = inline_enum or "enum"
        return ColumnType("enum", enum=name, raw=raw), EnumType(name, values)
    if kind == "numeric":
        precision = params[0] if params else None
        scale = params[1] if len(params) > 1 else (0 if params else None)
        return ColumnType("numeric", precision=precision, scale=scale, raw=raw), None
    if kind in ("varchar", "char"):
        length = params[0] if params else None
        if kind == "char" and length is None:
            length = d.bare_char_length  # what reflection then reports
        return ColumnType(kind, length=length, raw=raw), None
    return ColumnType(kind, raw=raw), None


def _base_name(dt: exp.DataType, raw: str) -> str:
    """A type's name without schema, parameters or quotes, lower case (``geometry``)."""
    name = dt.this.name if dt.this != _T.USERDEFINED else str(dt.args.get("kind") or raw)
    return name.split("(")[0].split(".")[-1].strip('"`').strip().lower()


_INT_BITS = (("tinyint", 8), ("mediumint", 24), ("smallint", 16), ("bigint", 64), ("int", 32))


def int_bounds(t: ColumnType) -> tuple[int, int]:
    """The smallest and largest value an integer column holds (TINYINT, MEDIUMINT, UNSIGNED too)."""
    raw = (t.raw or "").lower()
    unsigned = "unsigned" in raw
    bits = next((b for name, b in _INT_BITS if raw.startswith(name)), None)
    if bits is None:
        bits = {"smallint": 16, "int": 32}.get(t.kind, 64)
    if unsigned:
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


_BINARY = re.compile(r"^\s*(var)?binary\s*\(\s*(\d+)\s*\)", re.IGNORECASE)
_BLOB_MAX = {"tinyblob": 255, "blob": 65_535}


def byte_bounds(t: ColumnType) -> tuple[int, int] | None:
    """(shortest, longest) byte string a binary column takes, when its type limits it:
    ``BINARY(n)`` holds exactly n bytes, ``VARBINARY(n)`` up to n."""
    raw = (t.raw or "").strip()
    m = _BINARY.match(raw)
    if m:
        n = int(m.group(2))
        return (min(1, n), n) if m.group(1) else (n, n)
    limit = _BLOB_MAX.get(raw.lower())
    return (0, limit) if limit else None
