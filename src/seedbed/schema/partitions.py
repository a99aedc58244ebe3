"""Partitions: keys and bounds in one canonical form, from DDL text and catalogs alike.

PostgreSQL declares partitions as tables (``PARTITION OF ... FOR VALUES``), MySQL as a
``PARTITION BY`` clause; both end as ``PartitionBound`` values a key generator can
stay inside.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.errors import SchemaError
from seedbed.schema.model import MAXVALUE, MINVALUE, ColumnType, PartitionBound
from seedbed.schema.sqlnorm import normalize_sql

_PG = dialects.get("postgres")  # the partition syntax below is PostgreSQL's
_MYSQL = dialects.get("mysql")  # ... and this is MySQL's

_INT_KINDS = ("smallint", "int", "bigint")
_TRUE = ("t", "true", "y", "yes", "on", "1")


def _strip(node: exp.Expr) -> exp.Expr:
    while isinstance(node, (exp.Paren, exp.Cast, exp.TryCast)):
        node = node.this
    return node


def partition_key(nodes: Sequence[exp.Expr], dialect: str | Dialect, columns: Sequence[str] = ()) -> tuple[str, ...]:
    """The partition key items: a column's name, or an expression's normalised SQL.

    PostgreSQL treats ``((col))`` as the column; a COLLATE or operator class on an
    item does not change which values go where, and is dropped. ``columns`` (the
    table's column names) give a MySQL column its declared spelling.
    """
    d = dialects.get(dialect)
    out = []
    for node in nodes:
        node = node.this if isinstance(node, exp.Collate) else node
        node = _strip(node)
        if isinstance(node, exp.Column) and not node.table:
            name = node.name if node.this.quoted else d.fold(node.name)
            if d.columns_case_insensitive:
                name = next((c for c in columns if c.lower() == name.lower()), name)
            out.append(name)
        else:
            if d.columns_case_insensitive and columns:
                spelled = {c.lower(): c for c in columns}
                node = node.copy()
                for col in node.find_all(exp.Column):
                    if not col.table and col.name.lower() in spelled:
                        col.set("this", exp.to_identifier(spelled[col.name.lower()], quoted=True))
            out.append(normalize_sql(node, d))
    return tuple(out)


def key_types(key: Sequence[str], columns: Mapping[str, ColumnType]) -> list[ColumnType | None]:
    """The type of each key item: a column's type, None for an expression."""
    return [columns.get(k) for k in key]


def bound_value(node: exp.Expr, ctype: ColumnType | None, dialect: str | Dialect) -> object:
    """One literal of a partition bound in the canonical form of ``PartitionBound``."""
    node = _strip(node)
    if isinstance(node, (exp.Column, exp.Var)) and not (
        isinstance(node, exp.Column) and (node.table or node.this.quoted)
    ):
        word = node.name.upper()
        if word == "MINVALUE":
            return MINVALUE
        if word == "MAXVALUE":
            return MAXVALUE
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    negative = isinstance(node, exp.Neg)
    if negative:
        node = _strip(node.this)
    if not isinstance(node, exp.Literal):
        return normalize_sql(node, dialect)
    text = f"-{node.this}" if negative else str(node.this)
    return canonical_value(text, ctype.kind if ctype else None, number=not node.is_string)


def canonical_value(text: str, kind: str | None, *, number: bool = False) -> object:
    """``text`` (a literal's value) in the canonical form for a key of type ``kind``."""
    try:
        if kind in _INT_KINDS or kind in ("numeric", "float") or (kind is None and number):
            value = Decimal(text.strip())
            if value == value.to_integral_value():
                return int(value)
            return format(value.normalize(), "f")
        if kind == "bool":
            return text.strip().lower() in _TRUE
        if kind == "date":
            return date.fromisoformat(text.strip()).isoformat()
        if kind in ("timestamp", "timestamptz"):
            moment = datetime.fromisoformat(text.strip())
            if kind == "timestamp":
                return _timestamp(moment.replace(tzinfo=None))
            if moment.tzinfo is None:  # PostgreSQL would read it in the session's time zone
                moment = moment.replace(tzinfo=UTC)
            return _timestamp(moment.astimezone(UTC).replace(tzinfo=None)) + "+00"
    except (ValueError, InvalidOperation):
        pass  # 'infinity', an expression ...: keep the text
    return text


def _timestamp(moment: datetime) -> str:
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text


def pg_partition_bound(spec: exp.Expr, types: Sequence[ColumnType | None]) -> PartitionBound:
    """A PostgreSQL ``FOR VALUES ...`` / ``DEFAULT`` (sqlglot's PartitionBoundSpec)."""
    dialect = _PG

    def values(nodes: Sequence[exp.Expr]) -> tuple[object, ...]:
        return tuple(bound_value(n, types[i] if i < len(types) else None, dialect) for i, n in enumerate(nodes))

    if isinstance(spec, exp.Var) and spec.name.upper() == "DEFAULT":
        return PartitionBound("default")
    if not isinstance(spec, exp.PartitionBoundSpec):
        raise SchemaError(f"unsupported partition bound {spec.sql(dialect.sqlglot)!r}")
    if spec.args.get("from_expressions") is not None:
        return PartitionBound(
            "range", lower=values(spec.args["from_expressions"]), upper=values(spec.args["to_expressions"])
        )
    this = spec.args.get("this")
    if isinstance(this, list):
        ctype = types[0] if types else None
        return PartitionBound("list", values=tuple(bound_value(n, ctype, dialect) for n in this))
    if not isinstance(this, exp.Expr):
        raise SchemaError(f"unsupported partition bound {spec.sql(dialect.sqlglot)!r}")
    modulus, remainder = bound_value(this, None, dialect), bound_value(spec.expression, None, dialect)
    if not isinstance(modulus, int) or not isinstance(remainder, int):
        raise SchemaError(f"unsupported partition bound {spec.sql(dialect.sqlglot)!r}")
    return PartitionBound("hash", modulus=modulus, remainder=remainder)


def parse_pg_bound(text: str) -> exp.Expr:
    """The PartitionBoundSpec of ``FOR VALUES ...`` / ``DEFAULT`` text (what
    ``pg_get_expr(relpartbound)`` prints and what ATTACH PARTITION says)."""
    tree = sqlglot.parse_one(f"CREATE TABLE _p PARTITION OF _t {text}", read=_PG.sqlglot)
    of = tree.find(exp.PartitionedOfProperty)
    if of is None:
        raise SchemaError(f"cannot read the partition bound {text[:80]!r}")
    return of.expression


def pg_partition_spec(prop: exp.Expr) -> tuple[str, list[exp.Expr]]:
    """(kind, key expressions) of sqlglot's PartitionedByProperty."""
    node = prop.this
    if isinstance(node, exp.List):
        return "list", list(node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.upper() in ("RANGE", "HASH", "LIST"):
        return node.name.lower(), list(node.expressions)
    raise SchemaError(f"unsupported PARTITION BY {node.sql(_PG.sqlglot)}")


def parse_pg_partkey(text: str) -> tuple[str, list[exp.Expr]]:
    """(kind, key expressions) of ``pg_get_partkeydef`` text: ``RANGE (payment_date)``."""
    for attempt in (text, _OPCLASS.sub("", text)):
        try:
            tree = sqlglot.parse_one(f"CREATE TABLE _t (_c int) PARTITION BY {attempt}", read=_PG.sqlglot)
        except SqlglotError:
            continue
        prop = tree.find(exp.PartitionedByProperty)
        if prop is not None:
            return pg_partition_spec(prop)
    raise SchemaError(f"cannot read partition key {text!r}")


_OPCLASS = re.compile(r"\s+(?:\w+\.)?\w+_ops\b")  # a non-default operator class: not the key


def mysql_partitions(
    method: str, parts: Sequence[tuple[str, str | None]], types: Sequence[ColumnType | None]
) -> tuple[str, tuple[PartitionBound, ...]]:
    """(kind, bounds) of MySQL partitions given as (name, VALUES text) in order.

    ``method`` is MySQL's (``RANGE``, ``RANGE COLUMNS``, ``LIST``, ``LINEAR HASH``,
    ``KEY`` ...); the VALUES text is what ``information_schema.PARTITIONS`` calls
    PARTITION_DESCRIPTION: ``1990``, ``'1985-12-31','a'``, ``MAXVALUE``, ``(1,'x'),(2,'y')``.
    """
    method = method.upper()
    kind = "range" if "RANGE" in method else "list" if "LIST" in method else "hash"

    def items(text: str | None) -> list[exp.Expr]:
        if not text:
            return []
        return list(sqlglot.parse_one(f"SELECT {text}", read=_MYSQL.sqlglot).expressions)

    def value(node: exp.Expr, i: int) -> object:
        return bound_value(node, types[i] if i < len(types) else None, _MYSQL)

    out = []
    lower: tuple = tuple(MINVALUE for _ in types) or (MINVALUE,)
    for n, (name, text) in enumerate(parts):
        nodes = items(text)
        if kind == "range":
            upper = tuple(value(node, i) for i, node in enumerate(nodes))
            out.append(PartitionBound("range", lower=lower, upper=upper, name=name))
            lower = upper
        elif kind == "list":
            vals = tuple(
                tuple(value(x, i) for i, x in enumerate(node.expressions))
                if isinstance(node, exp.Tuple)
                else value(node, 0)
                for node in nodes
            )
            out.append(PartitionBound("list", values=vals, name=name))
        else:
            out.append(PartitionBound("hash", modulus=len(parts), remainder=n, name=name))
    return kind, tuple(out)


def mysql_key_nodes(text: str) -> list[exp.Expr]:
    """The key expressions of MySQL partitioning text (``year(`d`)``, ```a`,`b```)."""
    if not text.strip():
        return []
    return list(sqlglot.parse_one(f"SELECT {text}", read=_MYSQL.sqlglot).expressions)
