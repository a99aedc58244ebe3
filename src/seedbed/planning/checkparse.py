"""CHECK constraints as sqlglot trees, in one shape whatever the parser version.

The SQL is normalised in one of the dialects' grammars (``schema/sqlnorm.py``); this reads
it back as a tree, quoting columns named like keywords (``lock``) when that is what it
takes, and giving ``x IS NOT NULL`` one shape across sqlglot releases (``canonical``).
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp

from seedbed import dialects
from seedbed.schema.model import Check


def parse_check(sql: str, columns: list[str] | tuple[str, ...] = ()) -> exp.Expr | None:
    """The CHECK's tree, in one shape whatever the parser version (``canonical``); None
    when no grammar reads it. A column named like a keyword (``lock``) is quoted first."""
    tree = _parse(sql)
    if tree is None and columns:
        quoted = _quote_columns(sql, columns)
        if quoted != sql:
            tree = _parse(quoted)
    return tree


def _parse(sql: str) -> exp.Expr | None:
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)  # "falling back to a Command" is an answer here, not news for the user
    try:
        for d in dialects.all_dialects():  # the SQL is normalised in one of their grammars
            try:
                tree = sqlglot.parse_one(sql, read=d.sqlglot)
            except Exception:  # noqa: BLE001 - try the next dialect's grammar
                continue
            if not isinstance(tree, exp.Command):
                return canonical(tree)
        return None
    finally:
        log.setLevel(level)


_STRING = re.compile(r"('(?:[^']|'')*'|\"[^\"]*\"|`[^`]*`)")


def _quote_columns(sql: str, columns: list[str] | tuple[str, ...]) -> str:
    """``sql`` with every bare word that is one of ``columns`` double-quoted (outside string
    literals and quoted names, and not a function name)."""
    names = {c.lower(): c for c in columns}
    word = re.compile(r"(?<![\w.:$])([A-Za-z_][A-Za-z_0-9$]*)(?![\w$]|\s*\()")

    def fix(m: re.Match[str]) -> str:
        real = names.get(m.group(1).lower())
        return f'"{real}"' if real is not None else m.group(1)

    parts = _STRING.split(sql)
    return "".join(p if i % 2 else word.sub(fix, p) for i, p in enumerate(parts))


def canonical(tree: exp.Expr) -> exp.Expr:
    """One tree shape for what parser versions spell apart: ``x IS NOT NULL`` is read as
    ``NOT (x IS NULL)`` (sqlglot 30 gives ``Is(negate=True)``, earlier ones ``Not(Is)``)."""

    def fix(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Is) and node.args.get("negate"):
            return exp.Not(this=exp.Is(this=node.this, expression=node.expression))
        return node

    return tree.transform(fix)


def check_columns(chk: Check, names: list[str]) -> set[str]:
    """The columns (of ``names``) a CHECK reads; all of them when it cannot be parsed."""
    tree = parse_check(chk.sql, names)
    if tree is None:
        return set(names)
    real = {n.lower(): n for n in names}
    return {real[c.name.lower()] for c in tree.find_all(exp.Column) if c.name.lower() in real}
