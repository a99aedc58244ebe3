"""A DDL file's INSERT triggers, read as the database's catalog keeps them: what they fill
(``Schema.feeds``) and insist on (``Schema.guards``), as the database says.

A trigger is read for its table, its events and its body: on PostgreSQL the body of the
function it executes (``CREATE FUNCTION … AS $$ … $$`` in the same file), on SQLite and
MySQL its own text. Each text is then read as the database's own are
(``feeds.with_triggers``), so a DDL file and the database it made report the same.
"""

from __future__ import annotations

import re

from seedbed.dialects import Dialect
from seedbed.schema.ddl.commands import QNAME

_FUNCTION = re.compile(
    rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?P<name>{QNAME})\s*\(.*?\bAS\s+(?P<tag>\$\w*\$)(?P<body>.*?)(?P=tag)",
    re.IGNORECASE | re.DOTALL,
)
# a trigger's head, up to its table; what follows runs to the statement's end
_TRIGGER = re.compile(
    rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"{QNAME}\s+(?P<when>BEFORE|AFTER|INSTEAD\s+OF)\s+(?P<events>[^;]*?)\s+ON\s+(?:ONLY\s+)?(?P<table>{QNAME})",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_END = re.compile(r"\bEND\s*;", re.IGNORECASE)  # a BEGIN ... END body (SQLite, MySQL)
_STATEMENT_END = re.compile(r";")
_EXECUTES = re.compile(
    rf"^[^;]*?\bEXECUTE\s+(?:FUNCTION|PROCEDURE)\s+(?P<name>{QNAME})\s*\(", re.IGNORECASE | re.DOTALL
)
_BEGIN = re.compile(r"^[^;]*?\bBEGIN\b", re.IGNORECASE | re.DOTALL)
_EACH_ROW = re.compile(r"\bFOR\s+EACH\s+ROW\b", re.IGNORECASE)
# PostgreSQL's rules: CREATE RULE r AS ON INSERT TO t [WHERE ...] DO [ALSO | INSTEAD] (...)
_RULE = re.compile(
    rf"\bCREATE\s+(?:OR\s+REPLACE\s+)?RULE\s+{QNAME}\s+AS\s+ON\s+INSERT\s+TO\s+(?P<table>{QNAME})\b",
    re.IGNORECASE,
)


def _statement(rest: str) -> str:
    """``rest`` up to its statement's end: the first ';' outside parentheses and quotes."""
    depth, quote = 0, ""
    for i, ch in enumerate(rest):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";" and depth <= 0:
            return rest[:i]
    return rest


def bodies(text: str, d: Dialect) -> list[tuple[str, str]]:
    """(table, text) of each INSERT trigger and rule, bare names as stored, the text as the
    database's catalog keeps it (``feeds.bodies``). Read from the whole file, not statement
    by statement: a trigger's BEGIN ... END body holds semicolons of its own."""
    functions = {d.stored_name(m["name"]): m["body"] for m in _FUNCTION.finditer(text)}
    out: list[tuple[str, str]] = []
    for m in _TRIGGER.finditer(text):
        if "INSERT" not in m["events"].upper():
            continue
        source = d.stored_name(m["table"])
        rest = text[m.end() :]
        called = _EXECUTES.match(rest)
        if called is not None:
            body = functions.get(d.stored_name(called["name"]), "")
        elif _BEGIN.match(rest):
            end = _BLOCK_END.search(rest)
            tail = rest[: end.end()] if end else rest
            body = text[m.start() : m.end()] + tail  # the whole trigger, as SQLite's catalog keeps it
        else:  # one statement (MySQL: FOR EACH ROW INSERT INTO ...)
            end = _STATEMENT_END.search(rest)
            tail = rest[: end.start()] if end else rest
            each = _EACH_ROW.search(tail)
            body = tail[each.end() :] if each else tail
        out.append((source, body))
    for m in _RULE.finditer(text):
        out.append((d.stored_name(m["table"]), _statement(text[m.end() :])))
    return out
