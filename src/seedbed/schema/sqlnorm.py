"""Canonical SQL text, shared by the two schema readers (``reflect.py`` and ``ddl/``).

A database hands back what it stored, not what was written: PostgreSQL turns
``role IN ('a', 'b')`` into ``(role)::text = ANY (ARRAY['a'::character varying, ...])``,
expands ``BETWEEN`` and adds casts and parentheses. Both readers pass CHECK,
DEFAULT and generated-column text through :func:`normalize_sql` (and map types
through ``types.map_type``), so that the two models of one schema are equal.

Functions take a dialect object or its name (``"postgres"``).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect as SqlglotDialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from seedbed import dialects
from seedbed.dialects import Dialect

# Words that must be quoted to be used as identifiers (PostgreSQL's reserved list,
# which covers what MySQL and SQLite reserve in practice). Normalised SQL quotes an
# identifier only when it is one of these or is not a plain lower-case name, which is
# what PostgreSQL itself does when it prints a constraint back.
RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between binary both case cast
    check collate collation column concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign freeze from full grant group having ilike in
    initially inner intersect into is isnull join key lateral leading left like limit localtime
    localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
    references returning right select session_user similar some symmetric system_user table tablesample
    then to trailing true union unique user using variadic verbose when where window with
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def needs_quotes(name: str) -> bool:
    return not _PLAIN.fullmatch(name) or name in RESERVED


def quote(name: str, dialect: str | Dialect) -> str:
    """``name`` as an identifier, quoted only when it has to be."""
    return exp.to_identifier(name, quoted=needs_quotes(name)).sql(dialect=dialects.get(dialect).sqlglot)


# -- SQL expression text ------------------------------------------------------


def normalize_sql(sql: str | exp.Expr, dialect: str | Dialect) -> str:
    """A canonical spelling of a boolean or scalar SQL expression.

    Casts and parentheses are dropped (then re-added only where precedence needs
    them), ``BETWEEN`` becomes ``>= AND <=``, ``= ANY (ARRAY[...])`` becomes
    ``IN (...)``, unquoted identifiers are case-folded the way the dialect folds
    them, and keywords are upper case. The result is meant for comparing and for
    reading (``planning.infer`` pulls IN-lists and bounds out of it), not for
    re-executing where a dropped cast mattered.
    """
    read = dialects.get(dialect).sqlglot
    tree: exp.Expr
    if isinstance(sql, exp.Expr):
        tree = sql.copy()
    else:
        try:
            tree = parse_expression(sql, read)
        except SqlglotError:
            return " ".join(sql.split())  # not parseable: compare on collapsed whitespace
    tree = normalize_identifiers(tree, dialect=read)
    tree = _rewrite(tree)
    tree = _unqualify_functions(tree, dialects.get(dialect).default_schema)
    _add_parens(tree)
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", needs_quotes(ident.name))
    return _generate(tree, read)


def parse_expression(sql: str, read: str) -> exp.Expr:
    """``sql`` parsed as an expression. Text that begins like a statement (a column
    named ``lock`` or ``set``: ``lock = 'X'``) would be a raw command: read it as what
    ``SELECT`` would select."""
    with quiet_sqlglot():
        tree = sqlglot.parse_one(sql, read=read)
        if isinstance(tree, exp.Command):
            select = sqlglot.parse_one(f"SELECT {sql}", read=read)
            if isinstance(select, exp.Select) and len(select.expressions) == 1:
                tree = select.expressions[0]
    return tree


@contextmanager
def quiet_sqlglot() -> Iterator[None]:
    """sqlglot logs a warning for each statement it keeps as a raw Command; a pg_dump
    file has dozens (SET, GRANT, ...) that seedbed ignores anyway."""
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _generate(tree: exp.Expr, dialect: str) -> str:
    """SQL text of ``tree``; ``NOT (x IN ...)`` is spelled ``x NOT IN ...``.

    sqlglot prints ``NOT x IN (...)``, which a reader scanning for ``x IN (...)``
    (as ``planning.infer`` does) would take for an allow-list.
    """
    # comments are not part of the expression (SQLite reports a default without its /* ... */)
    generator = _generator(dialect)(dialect=SqlglotDialect.get_or_raise(dialect), comments=False)
    return generator.generate(tree, copy=False)


@functools.cache
def _generator(dialect: str) -> type:
    base = SqlglotDialect.get_or_raise(dialect).generator_class

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


def normalize_check(sql: str | exp.Expr, dialect: str | Dialect) -> str:
    """The text stored in ``Check.sql`` by both readers (see :func:`normalize_sql`)."""
    return normalize_sql(sql, dialect)


def normalize_default(sql: str | exp.Expr, dialect: str | Dialect) -> str | None:
    """The text stored in ``Column.default``: :func:`normalize_sql`, with a plain
    number written canonically (MySQL reports ``DEFAULT 0`` of a DECIMAL(12, 2)
    as ``0.00``) and ``NULL`` as no default at all."""
    text = normalize_sql(sql, dialect)
    if text.upper() == "NULL":
        return None
    if dialects.get(dialect).booleans_are_numbers and text.upper() in ("TRUE", "FALSE"):
        return "1" if text.upper() == "TRUE" else "0"
    if _NUMBER.fullmatch(text):
        text = format(Decimal(text).normalize(), "f")  # 0.00 -> 0, 1.50 -> 1.5
    return text


_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?([eE][-+]?\d+)?\s*")

# PostgreSQL's spellings of a boolean literal (boolin), as TRUE / FALSE.
_BOOLEAN_WORDS = {
    **dict.fromkeys(("t", "true", "y", "yes", "on", "1"), "TRUE"),
    **dict.fromkeys(("f", "false", "n", "no", "off", "0"), "FALSE"),
}
_BINARY_LENGTH = re.compile(r"^\s*BINARY\s*\(\s*(\d+)\s*\)\s*$", re.IGNORECASE)


def converts_defaults(dialect: str | Dialect) -> bool:
    """Whether the database stores a literal default converted to its column's type, and
    reports it so (PostgreSQL, MySQL: ``INT DEFAULT '0'`` is ``0``). SQLite keeps the text
    as written: its column types are only affinities, which is also why any INTEGER
    PRIMARY KEY is its row id (the flag this is read from)."""
    return not dialects.get(dialect).integer_pk_is_rowid


def typed_default(default: exp.Expr, kind: str, raw: str, dialect: str | Dialect) -> exp.Expr:
    """A string literal default as the database stores it in a column of ``kind``
    (``raw``: the type as written): a number for a number column, TRUE / FALSE for a
    boolean, a BINARY(n) value padded with zero bytes to n. Anything else as it is."""
    if not (isinstance(default, exp.Literal) and default.is_string and converts_defaults(dialect)):
        return default
    text: str = default.this
    numeric = kind in ("smallint", "int", "bigint", "numeric", "float")
    if (numeric or (kind == "bool" and dialects.get(dialect).booleans_are_numbers)) and _NUMBER.fullmatch(text):
        return exp.Literal.number(text.strip())
    if kind == "bool" and text.strip().lower() in _BOOLEAN_WORDS:
        return exp.Boolean(this=_BOOLEAN_WORDS[text.strip().lower()] == "TRUE")
    m = _BINARY_LENGTH.match(raw)
    if kind == "bytes" and m and len(text) < int(m.group(1)):
        return exp.Literal.string(text + "\0" * (int(m.group(1)) - len(text)))
    if kind == "bytes" and raw.strip().lower() == "bytea" and not text.startswith("\\x"):
        return exp.Literal.string("\\x" + _bytea_escaped(text).hex())  # PostgreSQL prints bytea in hex
    return default


def _bytea_escaped(text: str) -> bytes:
    """The bytes of a bytea literal in PostgreSQL's escape format (``\\\\`` and ``\\ooo``)."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text.startswith("\\\\", i):
            out += b"\\"
            i += 2
        elif text[i] == "\\" and re.fullmatch(r"[0-7]{3}", text[i + 1 : i + 4]):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        else:
            out += text[i].encode()
            i += 1
    return bytes(out)


def _unqualify_functions(tree: exp.Expr, default_schema: str | None) -> exp.Expr:
    """``public.f()`` as ``f()``: a function of the default schema is found unqualified, and
    the database prints it so (a dump qualifies every name: it runs with an empty path)."""
    if default_schema is None:
        return tree

    def strip(node: exp.Expr) -> exp.Expr:
        if (
            isinstance(node, exp.Dot)
            and isinstance(node.this, exp.Identifier)
            and node.this.name == default_schema
            and isinstance(node.expression, exp.Func)
        ):
            return node.expression.pop()  # detached: printed as a call, no longer a qualified name
        return node

    return tree.transform(strip, copy=False)


def _rewrite(node: exp.Expr) -> exp.Expr:
    """Bottom-up rewrite onto the canonical tree (children first, then the node)."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _rewrite(value))
        elif isinstance(value, list):
            node.set(key, [_rewrite(v) if isinstance(v, exp.Expression) else v for v in value])
    return _rewrite_one(node)


def _rewrite_one(node: exp.Expr) -> exp.Expr:
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


def _array_items(node: exp.Expr, quantifier: str) -> list[exp.Expr] | None:
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
_PRECEDENCE: list[tuple[tuple[type[exp.Expr], ...], int]] = [
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
_COMPARISON = 4
_UNKNOWN = 0  # an operator not in the table: parenthesise everything around it
_ASSOCIATIVE = (exp.And, exp.Or, exp.Add, exp.Mul, exp.DPipe)


def _precedence(node: exp.Expr) -> int:
    for classes, level in _PRECEDENCE:
        if isinstance(node, classes):
            return level
    if isinstance(node, exp.Binary) and not isinstance(node, exp.Dot):
        return _UNKNOWN
    return _ATOM


def _add_parens(tree: exp.Expr) -> None:
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
                or (inner == level == _COMPARISON)  # comparisons do not chain: (a = b) = (c IS NULL)
            )
            if wrap:
                node.set(key, exp.Paren(this=child))


# -- domains --------------------------------------------------------------------------


def domain_check(sql: str | exp.Expr, column: str | None, dialect: str | Dialect) -> str:
    """A domain CHECK as a column check: ``VALUE`` becomes ``column`` (None: keep
    ``VALUE``, the spelling stored in ``Domain.checks``), then :func:`normalize_check`."""
    tree: exp.Expr
    if isinstance(sql, exp.Expr):
        tree = sql.copy()
    else:
        try:
            tree = parse_expression(sql, dialects.get(dialect).sqlglot)
        except SqlglotError:
            text = re.sub(r"\bVALUE\b", quote(column, dialect) if column else "VALUE", sql, flags=re.I)
            return normalize_check(text, dialect)

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and not node.this.quoted and node.name.upper() == "VALUE":
            return exp.column(column, quoted=True) if column else exp.var("VALUE")
        return node

    return normalize_check(tree.transform(swap), dialect)
