"""DDL for the target database: the file's own statements made re-runnable, or, for
another database, CREATE statements written from the parsed model."""

from __future__ import annotations

import re

from sqlglot import exp

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.schema.ddl.reader import Reader
from seedbed.schema.ddl.statements import parse_statements, split_statements
from seedbed.schema.ddl.write import create_statements

_CREATE_FIXES = [  # add IF NOT EXISTS (a named index only: PostgreSQL needs the name)
    (
        re.compile(
            r"^(CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE)\s+"
            r"(?!IF\s+NOT\s+EXISTS\b)",
            re.I,
        ),
        "table",
    ),
    (
        re.compile(
            r"^(CREATE\s+(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY)?)\s+"
            r"(?!IF\s+NOT\s+EXISTS\b)(?=(?!ON\b)\S+\s+ON\b)",
            re.I,
        ),
        "index",
    ),
    (re.compile(r"^(CREATE\s+SCHEMA)\s+(?!IF\s+NOT\s+EXISTS\b)", re.I), "schema"),
]
_CREATE_TYPE = re.compile(r"^CREATE\s+(TYPE|DOMAIN)\b", re.I)


_UNSAFE = re.compile(
    r"^\s*(DROP|USE|TRUNCATE|DELETE|UPDATE|INSERT|GRANT|REVOKE|ALTER\s+(DATABASE|SCHEMA)|"
    r"CREATE\s+DATABASE)\b",
    re.IGNORECASE,
)
_CREATE_SCHEMA = re.compile(r"^\s*CREATE\s+SCHEMA\b", re.IGNORECASE)


def _strip_comments(stmt: str) -> str:
    return re.sub(r"^(\s*(--[^\n]*\n|/\*(?!!).*?\*/))*", "", stmt, flags=re.DOTALL)


def transpile_ddl(text: str, read: str | Dialect, write: str | Dialect) -> list[str]:
    """Statements that create the schema of ``text`` (dialect ``read``) on ``write``.

    Same dialect: the statements themselves, made re-runnable with IF NOT EXISTS
    where the dialect has it (PostgreSQL CREATE TYPE / DOMAIN: in a DO block that
    skips an existing type). Another dialect: CREATE TABLEs generated from the
    parsed model (enum types dropped, types spelled for the target, see
    ``write.py``), then the file's indexes.
    """
    r, w = dialects.get(read), dialects.get(write)
    if r.sqlglot == w.sqlglot:
        out = []
        for stmt in split_statements(text, r):
            bare = _strip_comments(stmt)
            if _UNSAFE.match(bare) or (w.schema_is_database and _CREATE_SCHEMA.match(bare)):
                continue  # never drop anything, never switch or create databases: the URL names the target
            for rx, kind in _CREATE_FIXES:
                if kind in w.if_not_exists:
                    stmt = rx.sub(r"\1 IF NOT EXISTS ", stmt, count=1)
            if _CREATE_TYPE.match(stmt):
                stmt = w.guard_create_type(stmt)
            out.append(stmt)
        return out
    reader = Reader(r)
    indexes = []
    for st in parse_statements(text, r):
        reader.read(st)
        tree = st.tree
        if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "INDEX":
            table = reader.qualified(tree.this.args["table"])
            params = tree.this.args.get("params")
            cols = params.args.get("columns") if params else None
            parts = [reader.ident(c) or "expr" for c in cols or []]
            name = reader.ident(tree.this.this) or "_".join([table.rpartition(".")[2], *parts, "idx"])
            indexes.append((table, name, tree))
    return create_statements(reader.schema(), r, w, indexes)
