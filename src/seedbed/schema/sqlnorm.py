"""Normalisation shared by the two schema readers (``reflect.py`` and ``ddl.py``).

A database hands back what it stored, not what was written: PostgreSQL turns
``role IN ('a', 'b')`` into ``(role)::text = ANY (ARRAY['a'::character varying, ...])``,
expands ``BETWEEN`` and adds casts and parentheses. Both readers pass CHECK,
DEFAULT and generated-column text through :func:`normalize_sql`, and both map
types through :func:`map_type`, so that the two models of one schema are equal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from seedbed.errors import SchemaError
from seedbed.schema.model import MAXVALUE, MINVALUE, ColumnType, EnumType, PartitionBound

# SQLAlchemy dialect names (and our own) -> sqlglot dialect names.
_SQLGLOT_NAMES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
# The schema a connection lands in; tables there get Table.schema = None.
DEFAULT_SCHEMA = {"postgres": "public", "sqlite": "main"}

# Words that must be quoted to be used as identifiers (PostgreSQL's reserved list,
# which covers what MySQL and SQLite reserve in practice). Normalised SQL quotes an
# identifier only when it is one of these or is not a plain lower-case name, which is
# what PostgreSQL itself does when it prints a constraint back.
RESERVED = frozenset(
    (
        "as",
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "authorization",
        "between",
        "binary",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "into",
        "is",
        "isnull",
        "join",
        "key",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "natural",
        "not",
        "notnull",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "overlaps",
        "placing",
        "primary",
        "references",
        "returning",
        "right",
        "select",
        "session_user",
        "similar",
        "some",
        "symmetric",
        "system_user",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "verbose",
        "when",
        "where",
        "window",
        "with",
    )
)
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def sqlglot_dialect(name: str) -> str:
    """The sqlglot spelling of a dialect name ("postgresql" -> "postgres")."""
    try:
        return _SQLGLOT_NAMES[name.lower()]
    except KeyError:
        raise SchemaError(
            f"unsupported SQL dialect {name!r}",
            hint=f"use one of: {', '.join(sorted(set(_SQLGLOT_NAMES.values())))}",
        ) from None


def fold(name: str, dialect: str) -> str:
    """An unquoted identifier as the dialect stores it: PostgreSQL folds ASCII letters
    to lower case and leaves every other character alone (``BIGİNT`` -> ``bigİnt``,
    where ``str.lower`` would also change the İ); MySQL and SQLite keep the case."""
    if dialect != "postgres":
        return name
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def needs_quotes(name: str) -> bool:
    return not _PLAIN.fullmatch(name) or name in RESERVED


def quote(name: str, dialect: str) -> str:
    """``name`` as an identifier, quoted only when it has to be."""
    return exp.to_identifier(name, quoted=needs_quotes(name)).sql(dialect=dialect)


# -- SQL expression text ------------------------------------------------------


def normalize_sql(sql: str | exp.Expression, dialect: str) -> str:
    """A canonical spelling of a boolean or scalar SQL expression.

    Casts and parentheses are dropped (then re-added only where precedence needs
    them), ``BETWEEN`` becomes ``>= AND <=``, ``= ANY (ARRAY[...])`` becomes
    ``IN (...)``, unquoted identifiers are case-folded the way the dialect folds
    them, and keywords are upper case. The result is meant for comparing and for
    reading (``plan.infer`` pulls IN-lists and bounds out of it), not for
    re-executing where a dropped cast mattered.
    """
    if isinstance(sql, exp.Expression):
        tree = sql.copy()
    else:
        try:
            tree = sqlglot.parse_one(sql, read=dialect)
        except SqlglotError:
            return " ".join(sql.split())  # not parseable: compare on collapsed whitespace
    tree = normalize_identifiers(tree, dialect=dialect)
    tree = _rewrite(tree)
    _add_parens(tree)
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", needs_quotes(ident.name))
    return _generate(tree, dialect)


def _generate(tree: exp.Expression, dialect: str) -> str:
    """SQL text of ``tree``; ``NOT (x IN ...)`` is spelled ``x NOT IN ...``.

    sqlglot prints ``NOT x IN (...)``, which a reader scanning for ``x IN (...)``
    (as ``plan.infer`` does) would take for an allow-list.
    """
    return _generator(dialect)(dialect=Dialect.get_or_raise(dialect)).generate(tree, copy=False)


@functools.cache
def _generator(dialect: str) -> type:
    base = Dialect.get_or_raise(dialect).generator_class

    class Generator(base):  # type: ignore[misc, valid-type]
        def not_sql(self, expression: exp.Not) -> str:
            inner = expression.this
            if isinstance(inner, exp.In):
                left = self.sql(inner, "this")
                whole = self.sql(inner)
                if whole.startswith(left + " IN "):
                    return f"{left} NOT{whole[len(left) :]}"
            return super().not_sql(expression)

    return Generator


def normalize_check(sql: str | exp.Expression, dialect: str) -> str:
    """The text stored in ``Check.sql`` by both readers (see :func:`normalize_sql`)."""
    return normalize_sql(sql, dialect)


def normalize_default(sql: str | exp.Expression, dialect: str) -> str | None:
    """The text stored in ``Column.default``: :func:`normalize_sql`, with a plain
    number written canonically (MySQL reports ``DEFAULT 0`` of a DECIMAL(12, 2)
    as ``0.00``) and ``NULL`` as no default at all."""
    text = normalize_sql(sql, dialect)
    if text.upper() == "NULL":
        return None
    if dialect == "mysql" and text.upper() in ("TRUE", "FALSE"):
        return "1" if text.upper() == "TRUE" else "0"  # MySQL's booleans are 1 and 0
    if _NUMBER.fullmatch(text):
        text = format(Decimal(text).normalize(), "f")  # 0.00 -> 0, 1.50 -> 1.5
    return text


_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?([eE][-+]?\d+)?\s*")


def _rewrite(node: exp.Expression) -> exp.Expression:
    """Bottom-up rewrite onto the canonical tree (children first, then the node)."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _rewrite(value))
        elif isinstance(value, list):
            node.set(key, [_rewrite(v) if isinstance(v, exp.Expression) else v for v in value])
    return _rewrite_one(node)


def _rewrite_one(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Paren):
        return node.this
    if isinstance(node, (exp.Cast, exp.TryCast)):
        inner = node.this
        # PostgreSQL prints negative constants as '-1'::integer: keep them numbers.
        if (
            isinstance(inner, exp.Literal)
            and inner.is_string
            and _NUMBER.fullmatch(inner.this)
            and node.to.is_type(*exp.DataType.NUMERIC_TYPES)
        ):
            return sqlglot.parse_one(inner.this.strip())
        return inner
    if isinstance(node, exp.Between):
        return exp.and_(
            exp.GTE(this=node.this.copy(), expression=node.args["low"]),
            exp.LTE(this=node.this.copy(), expression=node.args["high"]),
            copy=False,
        )
    if isinstance(node, (exp.EQ, exp.NEQ)):
        items = _array_items(node.expression, "ANY" if isinstance(node, exp.EQ) else "ALL")
        if items is not None:
            found = exp.In(this=node.this, expressions=items)
            return found if isinstance(node, exp.EQ) else exp.Not(this=found)
    return node


def _array_items(node: exp.Expression, quantifier: str) -> list[exp.Expression] | None:
    """The elements of ``ANY (ARRAY[...])`` / ``ALL (ARRAY[...])``, else None."""
    if quantifier == "ANY" and isinstance(node, exp.Any):
        arg = node.this
    elif isinstance(node, exp.Anonymous) and node.name.upper() == quantifier and len(node.expressions) == 1:
        arg = node.expressions[0]  # sqlglot reads ALL (...) as a function call
    elif quantifier == "ALL" and isinstance(node, exp.All):
        arg = node.this
    else:
        return None
    return list(arg.expressions) if isinstance(arg, exp.Array) else None


# Operator precedence, loosest first, as in PostgreSQL's grammar.
_PRECEDENCE: list[tuple[tuple[type[exp.Expression], ...], int]] = [
    ((exp.Or,), 1),
    ((exp.And,), 2),
    ((exp.Not,), 3),
    (
        (
            exp.EQ,
            exp.NEQ,
            exp.GT,
            exp.GTE,
            exp.LT,
            exp.LTE,
            exp.Is,
            exp.In,
            exp.Like,
            exp.ILike,
            exp.NullSafeEQ,
            exp.NullSafeNEQ,
            exp.SimilarTo,
            exp.Glob,
        ),
        4,
    ),
    ((exp.DPipe,), 5),
    ((exp.Add, exp.Sub), 6),
    ((exp.Mul, exp.Div, exp.Mod, exp.IntDiv), 7),
    ((exp.Neg,), 8),
]
_ATOM = 9
_UNKNOWN = 0  # an operator not in the table: parenthesise everything around it
_ASSOCIATIVE = (exp.And, exp.Or, exp.Add, exp.Mul, exp.DPipe)


def _precedence(node: exp.Expression) -> int:
    for classes, level in _PRECEDENCE:
        if isinstance(node, classes):
            return level
    if isinstance(node, exp.Binary) and not isinstance(node, exp.Dot):
        return _UNKNOWN
    return _ATOM


def _add_parens(tree: exp.Expression) -> None:
    """Put back the parentheses that precedence needs (and only those)."""
    for node in list(tree.walk()):
        level = _precedence(node)
        if level == _ATOM:
            continue
        operands = [("this", False)]
        if isinstance(node, exp.Binary):
            operands.append(("expression", True))
        for key, right in operands:
            child = node.args.get(key)
            if not isinstance(child, exp.Expression):
                continue
            inner = _precedence(child)
            if inner == _ATOM:
                continue
            wrap = (
                level == _UNKNOWN
                or inner == _UNKNOWN
                or inner < level
                or (inner == level and right and not (type(child) is type(node) and isinstance(node, _ASSOCIATIVE)))
            )
            if wrap:
                node.set(key, exp.Paren(this=child))


# -- types ----------------------------------------------------------------------

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
    ("text", ("TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "NAME", "CITEXT")),
    ("varchar", ("VARCHAR", "NVARCHAR")),
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


def parse_type(raw: str, dialect: str) -> exp.DataType | None:
    try:
        return exp.DataType.build(raw, dialect=dialect, udt=True)
    except (SqlglotError, ValueError):
        return None


def is_serial(dt: exp.DataType) -> bool:
    return dt.this in _SERIALS


def qualify(schema: str | None, name: str, dialect: str) -> str:
    """``schema.name``, or just ``name`` in the connection's default schema."""
    if schema and schema != DEFAULT_SCHEMA.get(dialect):
        return f"{schema}.{name}"
    return name


def udt_name(dt: exp.DataType, dialect: str) -> str:
    """The qualified name of a user-defined type, case-folded like the dialect does."""
    kind = dt.args.get("kind")
    parts = kind.sql(dialect=dialect) if isinstance(kind, exp.Expression) else str(kind)
    names = []
    for part in parts.split("."):
        if part[:1] in '"`':
            names.append(part[1:-1])
        else:
            names.append(fold(part, dialect))
    return qualify(names[-2] if len(names) > 1 else None, names[-1], dialect)


def map_type(
    dt: exp.DataType,
    dialect: str,
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
    raw = raw or dt.sql(dialect=dialect)
    kind = _KIND_OF.get(dt.this, "other")
    params = [
        int(p.this.this)
        for p in dt.expressions
        if isinstance(p, exp.DataTypeParam) and isinstance(p.this, exp.Literal) and p.this.is_int
    ]
    if dt.this == _T.USERDEFINED:
        name = udt_name(dt, dialect)
        if domains and name in domains:
            return replace(domains[name], raw=name), None
        if name in enums:
            return ColumnType("enum", enum=name, raw=raw), None
        return ColumnType("other", raw=raw), None
    if kind == "array":
        items = [e for e in dt.expressions if isinstance(e, exp.DataType)]
        item = map_type(items[0], dialect, enums, domains=domains)[0] if items else ColumnType("other")
        return ColumnType("array", item=item, raw=raw), None
    if dialect == "mysql" and dt.this == _T.TINYINT and params == [1]:
        return ColumnType("bool", raw=raw), None  # BOOLEAN is TINYINT(1) there
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
        if kind == "char" and length is None and dialect in ("postgres", "mysql"):
            length = 1  # bare CHAR means CHAR(1) there, and that is what reflection reports
        return ColumnType(kind, length=length, raw=raw), None
    return ColumnType(kind, raw=raw), None


# -- domains --------------------------------------------------------------------------


def domain_check(sql: str | exp.Expression, column: str | None, dialect: str) -> str:
    """A domain CHECK as a column check: ``VALUE`` becomes ``column`` (None: keep
    ``VALUE``, the spelling stored in ``Domain.checks``), then :func:`normalize_check`."""
    if isinstance(sql, exp.Expression):
        tree = sql.copy()
    else:
        try:
            tree = sqlglot.parse_one(sql, read=dialect)
        except SqlglotError:
            text = re.sub(r"\bVALUE\b", quote(column, dialect) if column else "VALUE", sql, flags=re.I)
            return normalize_check(text, dialect)

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and not node.this.quoted and node.name.upper() == "VALUE":
            return exp.column(column, quoted=True) if column else exp.var("VALUE")
        return node

    return normalize_check(tree.transform(swap), dialect)


# -- partitions -----------------------------------------------------------------------

_INT_KINDS = ("smallint", "int", "bigint")
_TRUE = ("t", "true", "y", "yes", "on", "1")


def _strip(node: exp.Expression) -> exp.Expression:
    while isinstance(node, (exp.Paren, exp.Cast, exp.TryCast)):
        node = node.this
    return node


def partition_key(nodes: Sequence[exp.Expression], dialect: str, columns: Sequence[str] = ()) -> tuple[str, ...]:
    """The partition key items: a column's name, or an expression's normalised SQL.

    PostgreSQL treats ``((col))`` as the column; a COLLATE or operator class on an
    item does not change which values go where, and is dropped. ``columns`` (the
    table's column names) give a MySQL column its declared spelling.
    """
    out = []
    for node in nodes:
        node = node.this if isinstance(node, exp.Collate) else node
        node = _strip(node)
        if isinstance(node, exp.Column) and not node.table:
            name = node.name if node.this.quoted else fold(node.name, dialect)
            if dialect != "postgres":
                name = next((c for c in columns if c.lower() == name.lower()), name)
            out.append(name)
        else:
            if dialect != "postgres" and columns:  # MySQL resolves names case-insensitively
                spelled = {c.lower(): c for c in columns}
                node = node.copy()
                for col in node.find_all(exp.Column):
                    if not col.table and col.name.lower() in spelled:
                        col.set("this", exp.to_identifier(spelled[col.name.lower()], quoted=True))
            out.append(normalize_sql(node, dialect))
    return tuple(out)


def key_types(key: Sequence[str], columns: Mapping[str, ColumnType]) -> list[ColumnType | None]:
    """The type of each key item: a column's type, None for an expression."""
    return [columns.get(k) for k in key]


def bound_value(node: exp.Expression, ctype: ColumnType | None, dialect: str) -> object:
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


def pg_partition_bound(
    spec: exp.Expression, types: Sequence[ColumnType | None], dialect: str = "postgres"
) -> PartitionBound:
    """A PostgreSQL ``FOR VALUES ...`` / ``DEFAULT`` (sqlglot's PartitionBoundSpec)."""

    def values(nodes):
        return tuple(bound_value(n, types[i] if i < len(types) else None, dialect) for i, n in enumerate(nodes))

    if isinstance(spec, exp.Var) and spec.name.upper() == "DEFAULT":
        return PartitionBound("default")
    if not isinstance(spec, exp.PartitionBoundSpec):
        raise SchemaError(f"unsupported partition bound {spec.sql(dialect)!r}")
    if spec.args.get("from_expressions") is not None:
        return PartitionBound(
            "range", lower=values(spec.args["from_expressions"]), upper=values(spec.args["to_expressions"])
        )
    this = spec.args.get("this")
    if isinstance(this, list):
        ctype = types[0] if types else None
        return PartitionBound("list", values=tuple(bound_value(n, ctype, dialect) for n in this))
    return PartitionBound(
        "hash",
        modulus=int(bound_value(this, None, dialect)),
        remainder=int(bound_value(spec.expression, None, dialect)),
    )


def parse_pg_bound(text: str) -> exp.Expression:
    """The PartitionBoundSpec of ``FOR VALUES ...`` / ``DEFAULT`` text (what
    ``pg_get_expr(relpartbound)`` prints and what ATTACH PARTITION says)."""
    tree = sqlglot.parse_one(f"CREATE TABLE _p PARTITION OF _t {text}", read="postgres")
    return tree.find(exp.PartitionedOfProperty).expression


def pg_partition_spec(prop: exp.Expression) -> tuple[str, list[exp.Expression]]:
    """(kind, key expressions) of sqlglot's PartitionedByProperty."""
    node = prop.this
    if isinstance(node, exp.List):
        return "list", list(node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.upper() in ("RANGE", "HASH", "LIST"):
        return node.name.lower(), list(node.expressions)
    raise SchemaError(f"unsupported PARTITION BY {node.sql('postgres')}")


def parse_pg_partkey(text: str) -> tuple[str, list[exp.Expression]]:
    """(kind, key expressions) of ``pg_get_partkeydef`` text: ``RANGE (payment_date)``."""
    for attempt in (text, _OPCLASS.sub("", text)):
        try:
            tree = sqlglot.parse_one(f"CREATE TABLE _t (_c int) PARTITION BY {attempt}", read="postgres")
        except SqlglotError:
            continue
        return pg_partition_spec(tree.find(exp.PartitionedByProperty))
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

    def items(text: str | None) -> list[exp.Expression]:
        if not text:
            return []
        return list(sqlglot.parse_one(f"SELECT {text}", read="mysql").expressions)

    def value(node: exp.Expression, i: int) -> object:
        return bound_value(node, types[i] if i < len(types) else None, "mysql")

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


def mysql_key_nodes(text: str) -> list[exp.Expression]:
    """The key expressions of MySQL partitioning text (``year(`d`)``, ```a`,`b```)."""
    if not text.strip():
        return []
    return list(sqlglot.parse_one(f"SELECT {text}", read="mysql").expressions)
