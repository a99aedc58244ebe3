"""MySQL's ``PARTITION BY`` clause, cut off a statement before sqlglot reads it and read here.

sqlglot parses only some of the clause's forms; seedbed needs the method, the key and
each partition's ``VALUES`` text, which ``schema.partitions`` turns into bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot.dialects.dialect import Dialect as SqlglotDialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from seedbed.errors import SchemaError


def _tokens(text: str) -> list:
    return list(SqlglotDialect.get_or_raise("mysql").tokenize(text))  # the clause is MySQL's syntax


def _closing(tokens: list, i: int) -> int:
    """Index of the parenthesis closing the one at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    raise SchemaError("unbalanced parentheses in a PARTITION BY clause")


def cut_partitioning(stmt: str) -> tuple[str, str | None]:
    """(statement without its top-level ``PARTITION BY ...``, that clause or None)."""
    try:
        tokens = _tokens(stmt)
    except SqlglotError:
        return stmt, None
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.token_type == TokenType.L_PAREN:
            depth += 1
        elif tok.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and _partition_by(tokens, i):
            return stmt[: tok.start].rstrip().rstrip(","), stmt[tok.start :]
    return stmt, None


def _partition_by(tokens: list, i: int) -> int:
    """How many tokens ``PARTITION BY`` takes at ``tokens[i]`` (0: it is not there);
    the tokenizer makes one token of it."""
    words = tokens[i].text.upper().split()
    if words == ["PARTITION", "BY"]:
        return 1
    if words == ["PARTITION"] and i + 1 < len(tokens) and tokens[i + 1].text.upper() == "BY":
        return 2
    return 0


@dataclass
class MySQLPartitioning:
    method: str  # as information_schema.PARTITIONS spells it: "RANGE COLUMNS", "LINEAR HASH" ...
    key: str  # the key text: "YEAR(from_date)", "from_date", "" (KEY (): the primary key)
    parts: list[tuple[str, str | None]]  # (name, VALUES text) per partition, in order


def read_partitioning(clause: str) -> MySQLPartitioning:
    """``PARTITION BY [LINEAR] {HASH|KEY|RANGE|LIST} [COLUMNS] (key) [PARTITIONS n]
    [SUBPARTITION BY ...] [(PARTITION p VALUES ..., ...)]``."""
    tokens = _tokens(clause)
    i, words = _partition_by(tokens, 0), []
    while i < len(tokens) and tokens[i].token_type != TokenType.L_PAREN:
        words.append(tokens[i].text.upper())
        i += 1
    if i == len(tokens):
        raise SchemaError(f"cannot read the partitioning {clause[:60]!r}")
    method = " ".join(w for w in words if w in ("LINEAR", "HASH", "KEY", "RANGE", "LIST", "COLUMNS"))
    close = _closing(tokens, i)
    key = clause[tokens[i].end + 1 : tokens[close].start] if close > i + 1 else ""
    i, count, parts = close + 1, 0, []
    while i < len(tokens):
        word = tokens[i].text.upper()
        if word == "PARTITIONS" and i + 1 < len(tokens):
            count = int(tokens[i + 1].text)
            i += 2
        elif word == "SUBPARTITION":  # BY [LINEAR] HASH|KEY (...): not recorded
            while i < len(tokens) and tokens[i].token_type != TokenType.L_PAREN:
                i += 1
            i = _closing(tokens, i) + 1 if i < len(tokens) else i
        elif tokens[i].token_type == TokenType.L_PAREN:
            close = _closing(tokens, i)
            parts = _partition_definitions(clause, tokens[i + 1 : close])
            i = close + 1
        else:
            i += 1
    if not parts and count:
        parts = [(f"p{k}", None) for k in range(count)]  # MySQL's names for them
    return MySQLPartitioning(method, key, parts)


def _partition_definitions(clause: str, tokens: list) -> list[tuple[str, str | None]]:
    defs: list[list[Any]] = []
    current: list[Any] = []
    depth = 0
    for tok in tokens:
        if tok.token_type == TokenType.COMMA and depth == 0:
            defs.append(current)
            current = []
            continue
        depth += tok.token_type == TokenType.L_PAREN
        depth -= tok.token_type == TokenType.R_PAREN
        current.append(tok)
    if current:
        defs.append(current)
    out = []
    for d in defs:
        if len(d) < 2 or d[0].text.upper() != "PARTITION":
            continue
        name, values = d[1].text, None
        for k, tok in enumerate(d):
            word = tok.text.upper()
            if word in ("THAN", "IN") and k + 1 < len(d):
                nxt = d[k + 1]
                if nxt.token_type == TokenType.L_PAREN:
                    values = clause[nxt.end + 1 : d[_closing(d, k + 1)].start]
                else:
                    values = nxt.text  # LESS THAN MAXVALUE
                break
        out.append((name, values))
    return out
