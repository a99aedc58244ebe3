"""A DDL file as statements: split, non-ASCII names protected, each parsed by sqlglot.

Dump files of MySQL/MariaDB are client scripts (``DELIMITER``, executable comments);
they are read the way the server would run them before sqlglot sees a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect as SqlglotDialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.errors import SchemaError
from seedbed.schema.ddl.clauses import cut_partitioning
from seedbed.schema.ddl.recover import recover_create_table
from seedbed.schema.sqlnorm import quiet_sqlglot

_CREATE_TABLE_OR_ALTER = re.compile(r"^\s*(CREATE\s+(\w+\s+){0,2}TABLE|ALTER\s+(?:(?:ONLINE|IGNORE)\s+)*TABLE)\b", re.I)
_INDEX_ON_ONLY = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b.*?\bON)\s+ONLY\b", re.IGNORECASE | re.DOTALL)
_WITH_OPTIONS = re.compile(r"\bWITH\s+OPTIONS\b", re.IGNORECASE)


def split_statements(text: str, dialect: str | Dialect) -> list[str]:
    """The statements of ``text``, without the ``;`` and without leading comments.

    MySQL text first loses the client's ``DELIMITER`` command (a statement written
    under ``DELIMITER ;;``, a trigger or procedure body, is one statement) and the
    markers of its executable comments, whose content then counts as SQL when the
    server would run it: ``/*!NNNNN ... */`` on MySQL; on MariaDB (dialect
    "mariadb") the same except versions 50700-99999 (MySQL 5.7+ features MariaDB
    skips), and ``/*M!NNNNNN ... */``, which MySQL takes for a plain comment.
    """
    d = dialects.get(dialect)
    chunks = _script_chunks(text, d) if d.client_script else [(text, False)]
    statements: list[str] = []
    for chunk, whole in chunks:
        if whole:
            statements.append(chunk.strip())
        else:
            statements += _split(chunk, d.sqlglot)
    return [s for s in statements if s]


def _split(text: str, dialect: str) -> list[str]:
    try:
        tokens = SqlglotDialect.get_or_raise(dialect).tokenize(text)
    except SqlglotError as err:
        raise SchemaError(f"cannot read the DDL: {err}") from None
    statements: list[str] = []
    first = prev = None
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if first is not None and prev is not None:
                statements.append(text[first.start : prev.end + 1])
            first = None
        else:
            first = first or tok
            prev = tok
    if first is not None and prev is not None:
        statements.append(text[first.start : prev.end + 1])
    return statements


_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
_VERSIONED = re.compile(r"/\*(M?)!(\d*)")


def _script_chunks(text: str, d: Dialect) -> list[tuple[str, bool]]:
    """A client script as (chunk, is_one_statement) pieces: the text between DELIMITER
    commands, version-gated comments opened. Chunks under the default ``;`` are
    split by the tokenizer; a statement under another delimiter is returned whole."""
    out: list[tuple[str, bool]] = []
    buf: list[str] = []
    delimiter = ";"
    i, n = 0, len(text)
    line_start = True
    versioned = False  # inside /*! ... */: its closing */ is dropped

    def flush(whole: bool) -> None:
        if buf:
            out.append(("".join(buf), whole))
            buf.clear()

    while i < n:
        c = text[i]
        if line_start:
            m = _DELIMITER.match(text, i)
            if m:
                flush(delimiter != ";")
                delimiter = m.group(1)
                i = m.end()
                continue
        line_start = c == "\n"
        if c in "'\"`":  # a quoted string or name: copy it whole
            j = i + 1
            while j < n:
                if text[j] == "\\" and c != "`":
                    j += 2
                    continue
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            buf.append(text[i : j + 1])
            i = j + 1
            continue
        if text.startswith("/*", i):
            m = _VERSIONED.match(text, i)
            if m and not versioned and d.executed_comment(m.group(2), m.group(1) == "M"):
                versioned = True
                buf.append(" ")
                i = m.end()
                continue
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            buf.append(text[i:j])
            i = j
            continue
        if versioned and text.startswith("*/", i):
            versioned = False
            buf.append(" ")
            i += 2
            continue
        if text.startswith("--", i) or c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            buf.append(text[i:j])
            i = j
            continue
        if delimiter != ";" and text.startswith(delimiter, i):
            flush(True)
            i += len(delimiter)
            continue
        buf.append(c)
        i += 1
    flush(delimiter != ";")
    return out


def protect(stmt: str, d: Dialect) -> tuple[str, dict[str, str]]:
    """``stmt`` with every name that has non-ASCII letters replaced by an ASCII
    placeholder, and the map back (placeholder -> the name the database stores).

    sqlglot matches type names with ``str.upper``, which turns a domain named
    ``bıgınt`` (dotless ı), quoted or not, into the keyword BIGINT; PostgreSQL folds
    only ASCII letters of an unquoted name (see ``fold``).
    """
    if stmt.isascii():
        return stmt, {}
    try:
        tokens = SqlglotDialect.get_or_raise(d.sqlglot).tokenize(stmt)
    except SqlglotError:
        return stmt, {}
    q = d.quote_char
    mapping: dict[str, str] = {}
    out, last = [], 0
    for tok in tokens:
        src = stmt[tok.start : tok.end + 1]
        if src.isascii():
            continue
        if tok.token_type == TokenType.IDENTIFIER and src[:1] in '"`':
            name = tok.text  # a quoted name: as written
        elif src == tok.text and re.fullmatch(r"[\w$]+", src):
            name = d.fold(src)  # a bare word
        else:
            continue  # a string, a comment ...: left alone
        placeholder = next((k for k, v in mapping.items() if v == name), f"_sb_u{len(mapping)}_")
        mapping[placeholder] = name
        out.append(stmt[last : tok.start] + q + placeholder + q)
        last = tok.end + 1
    return "".join(out) + stmt[last:], mapping


def restore(tree: exp.Expr, mapping: dict[str, str]) -> exp.Expr:
    """Put the names :func:`protect` replaced back into a parsed tree."""
    if mapping:
        for node in tree.walk():
            for key, value in node.args.items():
                if isinstance(value, str) and "_sb_u" in value:
                    node.args[key] = unprotect(value, mapping)
    return tree


def unprotect(text: str, mapping: dict[str, str], quote: str = "") -> str:
    """``text`` with the placeholders of ``mapping`` replaced by the names (``quote``:
    the placeholders stand quoted in ``text``, and the names are quoted back)."""
    for placeholder, name in mapping.items():
        if quote:
            text = text.replace(quote + placeholder + quote, quote + name.replace(quote, quote * 2) + quote)
        else:
            text = text.replace(placeholder, name)
    return text


# Statements parse_ddl reads: failing to parse one of these costs something (a table,
# a key), so it is mended if it can be (``recover.py``) and reported if not.
_WANTED = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+INDEX|(\w+\s+){0,2}TABLE)\b"
    r"|ALTER\s+TABLE\b.*\bADD\s+(CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK|COLUMN)\b)",
    re.IGNORECASE | re.DOTALL,
)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED)\s+)*TABLE\b", re.IGNORECASE)


@dataclass
class Statement:
    """One statement of a file: its text, its tree (None: not read), and what reading
    it cost (``error``: sqlglot could not parse it; ``notes``: parts left out)."""

    number: int
    text: str
    tree: exp.Expr | None
    error: str = ""
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How a warning names the statement: its number and first line."""
        first = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"statement {self.number} ({first[:80]!r})"


def parse_statements(text: str, d: Dialect) -> list[Statement]:
    """Each statement parsed; tree None for statements seedbed does not read.

    A statement sqlglot cannot parse is worth a second try only if it is one we
    need (CREATE TABLE, CREATE UNIQUE INDEX, ALTER TABLE ... ADD): a CREATE TABLE
    is read again item by item, and what still fails keeps its ``error``. Anything
    else (functions, grants, SET ...) is skipped, and CREATE TYPE ... AS ENUM,
    CREATE DOMAIN and ATTACH PARTITION have regex fallbacks. A MySQL partitioning
    clause is cut off before parsing (sqlglot reads only some of its forms) and kept
    in ``tree.meta["partitioning"]``.
    """
    return [parse_statement(n, stmt, d) for n, stmt in enumerate(split_statements(text, d), 1)]


def parse_statement(n: int, stmt: str, d: Dialect) -> Statement:
    source, mapping = protect(stmt, d)
    clause = None
    if d.partition_clause and _CREATE_TABLE_OR_ALTER.match(source):
        source, clause = cut_partitioning(source)
    elif d.declarative_partitions and re.search(r"\bPARTITION\s+OF\b", source, re.I):
        source = _WITH_OPTIONS.sub("", source)  # col WITH OPTIONS DEFAULT 0 == col DEFAULT 0
    only = 0
    if d.declarative_partitions:  # pg_dump: CREATE INDEX ... ON ONLY parent (not its partitions)
        source, only = _INDEX_ON_ONLY.subn(r"\1", source, count=1)
    no_inherit: set[int] = set()
    if _CREATE_TABLE_OR_ALTER.match(source):
        source, no_inherit = cut_no_inherit(source)
    tree: exp.Expr | None
    error, notes, types, parsed = "", [], {}, source
    try:
        with quiet_sqlglot():
            tree = sqlglot.parse_one(source, read=d.sqlglot)
    except SqlglotError as err:
        tree = None
        if clause is not None and source.lstrip()[:5].upper() == "ALTER":
            tree = exp.Command(this="ALTER", expression=exp.Literal.string(source))
        elif _WANTED.match(source):
            error = str(err).splitlines()[0]
            if _CREATE_TABLE.match(source):
                with quiet_sqlglot():
                    mended = recover_create_table(source, d)
                if mended is not None:
                    tree, notes, types, parsed = mended.tree, mended.notes, mended.types, mended.text
    if tree is not None:
        tree = restore(tree, mapping)
        # parsed: the text the tree's positions point into (a mended statement's own)
        tree.meta.update(source=source, parsed=parsed, unicode=mapping, only=bool(only))
        tree.meta.update(types=types, no_inherit=no_inherit)
        if clause is not None:
            tree.meta["partitioning"] = unprotect(clause, mapping, d.quote_char)
        error = ""
    return Statement(n, stmt, tree, error, tuple(notes))


_NO_INHERIT = re.compile(r"\bNO\s+INHERIT\b", re.IGNORECASE)


def cut_no_inherit(source: str) -> tuple[str, set[int]]:
    """PostgreSQL's ``CHECK (...) NO INHERIT`` (a check the table's children do not get),
    which sqlglot has no grammar for: cut out, and the items of the column list (or the
    ALTER TABLE's constraint: item 0) that said it."""
    if not _NO_INHERIT.search(source):
        return source, set()
    items: set[int] = set()
    out, last, depth, item = [], 0, 0, 0
    for m in re.finditer(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[(),]|\bNO\s+INHERIT\b", source, re.I | re.S):
        token = m.group(0)
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "," and depth == 1:
            item += 1
        elif token[:1] not in "'\"" and token.upper().startswith("NO"):
            out.append(source[last : m.start()])
            last = m.end()
            items.add(item)
    return "".join(out) + source[last:], items
