"""Read a DDL file into the schema model, and rewrite DDL for another dialect.

``parse_ddl`` must give the model ``reflect_schema`` gives after the same DDL
ran, so it mimics what the database does on the way: PostgreSQL folds unquoted
names to lower case and names unnamed constraints (``users_pkey``,
``t_col_fkey``, ...); primary-key columns are NOT NULL (except on SQLite);
serial and identity columns are numbered by the database.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from seedbed.errors import SchemaError
from seedbed.schema.ddl_write import create_statements
from seedbed.schema.model import (
    Check,
    Column,
    ColumnType,
    Domain,
    EnumType,
    ForeignKey,
    Schema,
    Table,
    Unique,
)
from seedbed.schema.sqlnorm import (
    DEFAULT_SCHEMA,
    domain_check,
    fold,
    is_serial,
    key_types,
    map_type,
    mysql_key_nodes,
    mysql_partitions,
    normalize_check,
    normalize_default,
    normalize_sql,
    parse_pg_bound,
    partition_key,
    pg_partition_bound,
    pg_partition_spec,
    qualify,
    sqlglot_dialect,
    udt_name,
)

__all__ = ["parse_ddl", "transpile_ddl", "normalize_check", "split_statements"]

_NAMEDATALEN = 64  # PostgreSQL's identifier limit is NAMEDATALEN - 1 bytes
_NAME = r'(?:"(?:[^"]|"")+"|`[^`]+`|[\w$]+)'
_QNAME = rf"{_NAME}(?:\s*\.\s*{_NAME})?"
_ENUM_COMMAND = re.compile(
    rf"^\s*CREATE\s+TYPE\s+(?P<name>{_QNAME})"
    r"\s+AS\s+ENUM\s*\((?P<values>.*)\)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_DOMAIN_COMMAND = re.compile(
    rf"^\s*CREATE\s+DOMAIN\s+(?P<name>{_QNAME})\s+(?:AS\s+)?(?P<rest>.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ATTACH_COMMAND = re.compile(  # ALTER TABLE parent ATTACH PARTITION child FOR VALUES ... | DEFAULT
    rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<parent>{_QNAME})\s+"
    rf"ATTACH\s+PARTITION\s+(?P<child>{_QNAME})\s+(?P<bound>FOR\s+VALUES\b.*|DEFAULT)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TABLE = re.compile(
    rf"^\s*ALTER\s+(?:(?:ONLINE|IGNORE)\s+)*TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"
    rf"(?P<table>{_QNAME})",
    re.IGNORECASE,
)
_ONLY = re.compile(r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?ONLY\b", re.IGNORECASE)
_CREATE_TABLE_OR_ALTER = re.compile(r"^\s*(CREATE\s+(\w+\s+){0,2}TABLE|ALTER\s+(?:(?:ONLINE|IGNORE)\s+)*TABLE)\b", re.I)
_INDEX_ON_ONLY = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\b.*?\bON)\s+ONLY\b", re.IGNORECASE | re.DOTALL)
_WITH_OPTIONS = re.compile(r"\bWITH\s+OPTIONS\b", re.IGNORECASE)
_IDENTITY_COMMAND = re.compile(  # pg_dump: ALTER TABLE t ALTER COLUMN c ADD GENERATED ... IDENTITY
    r"^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?P<table>\S+)\s+ALTER\s+(?:COLUMN\s+)?(?P<column>\S+)"
    r"\s+ADD\s+GENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
    re.IGNORECASE,
)
_STRING = re.compile(r"'((?:[^']|'')*)'")


def expression_columns(expressions: list[str], dialect: str) -> tuple[str, ...]:
    """The columns an index's expressions read, in order of first appearance."""
    out: list[str] = []
    for text in expressions:
        try:
            tree = sqlglot.parse_one(text, read=dialect)
        except SqlglotError:
            continue
        for col in tree.find_all(exp.Column):
            name = col.name if col.this.quoted or dialect != "postgres" else col.name.lower()
            if name not in out:
                out.append(name)
    return tuple(out)


# -- statements ------------------------------------------------------------------


def split_statements(text: str, dialect: str) -> list[str]:
    """The statements of ``text``, without the ``;`` and without leading comments.

    MySQL text first loses the client's ``DELIMITER`` command (a statement written
    under ``DELIMITER ;;``, a trigger or procedure body, is one statement) and the
    markers of its executable comments, whose content then counts as SQL when the
    server would run it: ``/*!NNNNN ... */`` on MySQL; on MariaDB (dialect
    "mariadb") the same except versions 50700-99999 (MySQL 5.7+ features MariaDB
    skips), and ``/*M!NNNNNN ... */``, which MySQL takes for a plain comment.
    """
    flavor = dialect.lower()
    dialect = sqlglot_dialect(dialect)
    chunks = _mysql_chunks(text, mariadb=flavor == "mariadb") if dialect == "mysql" else [(text, False)]
    statements: list[str] = []
    for chunk, whole in chunks:
        if whole:
            statements.append(chunk.strip())
        else:
            statements += _split(chunk, dialect)
    return [s for s in statements if s]


def _split(text: str, dialect: str) -> list[str]:
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(text)
    except SqlglotError as err:
        raise SchemaError(f"cannot read the DDL: {err}") from None
    statements, first, prev = [], None, None
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if first is not None:
                statements.append(text[first.start : prev.end + 1])
            first = None
        else:
            first = first or tok
            prev = tok
    if first is not None:
        statements.append(text[first.start : prev.end + 1])
    return statements


_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
_VERSIONED = re.compile(r"/\*(M?)!(\d*)")


def _executed(m: re.Match, mariadb: bool) -> bool:
    """Whether the server runs the executable comment ``m`` opens (a current server)."""
    mariadb_only, version = m.group(1) == "M", m.group(2)
    if not mariadb:
        return not mariadb_only and len(version) in (0, 5)
    return mariadb_only or not version or not 50700 <= int(version) < 100000


def _mysql_chunks(text: str, *, mariadb: bool = False) -> list[tuple[str, bool]]:
    """MySQL text as (chunk, is_one_statement) pieces: the text between DELIMITER
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
            if m and not versioned and _executed(m, mariadb):
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


def _protect(stmt: str, dialect: str) -> tuple[str, dict[str, str]]:
    """``stmt`` with every name that has non-ASCII letters replaced by an ASCII
    placeholder, and the map back (placeholder -> the name the database stores).

    sqlglot matches type names with ``str.upper``, which turns a domain named
    ``bıgınt`` (dotless ı), quoted or not, into the keyword BIGINT; PostgreSQL folds
    only ASCII letters of an unquoted name (see ``fold``).
    """
    if stmt.isascii():
        return stmt, {}
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(stmt)
    except SqlglotError:
        return stmt, {}
    q = "`" if dialect == "mysql" else '"'
    mapping: dict[str, str] = {}
    out, last = [], 0
    for tok in tokens:
        src = stmt[tok.start : tok.end + 1]
        if src.isascii():
            continue
        if tok.token_type == TokenType.IDENTIFIER and src[:1] in '"`':
            name = tok.text  # a quoted name: as written
        elif src == tok.text and re.fullmatch(r"[\w$]+", src):
            name = fold(src, dialect)  # a bare word
        else:
            continue  # a string, a comment ...: left alone
        placeholder = next((k for k, v in mapping.items() if v == name), f"_sb_u{len(mapping)}_")
        mapping[placeholder] = name
        out.append(stmt[last : tok.start] + q + placeholder + q)
        last = tok.end + 1
    return "".join(out) + stmt[last:], mapping


def _restore(tree: exp.Expression, mapping: dict[str, str]) -> exp.Expression:
    """Put the names :func:`_protect` replaced back into a parsed tree."""
    if mapping:
        for node in tree.walk():
            for key, value in node.args.items():
                if isinstance(value, str) and "_sb_u" in value:
                    node.args[key] = _unprotect(value, mapping)
    return tree


def _unprotect(text: str, mapping: dict[str, str], quote: str = "") -> str:
    """``text`` with the placeholders of ``mapping`` replaced by the names (``quote``:
    the placeholders stand quoted in ``text``, and the names are quoted back)."""
    for placeholder, name in mapping.items():
        if quote:
            text = text.replace(quote + placeholder + quote, quote + name.replace(quote, quote * 2) + quote)
        else:
            text = text.replace(placeholder, name)
    return text


# Statements parse_ddl reads: failing to parse one of these is an error, not a skip.
_WANTED = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+INDEX|(\w+\s+){0,2}TABLE)\b"
    r"|ALTER\s+TABLE\b.*\bADD\s+(CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK)\b)",
    re.IGNORECASE | re.DOTALL,
)


def _parse_statements(
    text: str,
    dialect: str,
    flavor: str | None = None,
) -> list[tuple[str, exp.Expression | None]]:
    """(text, tree) per statement; tree None for statements seedbed does not read.

    A statement sqlglot cannot parse is an error only if it is one we need
    (CREATE TABLE, CREATE UNIQUE INDEX, ALTER TABLE ... ADD constraint); anything
    else (functions, grants, SET ...) is skipped, and CREATE TYPE ... AS ENUM,
    CREATE DOMAIN and ATTACH PARTITION have regex fallbacks. A MySQL partitioning
    clause is cut off before parsing (sqlglot reads only some of its forms) and kept
    in ``tree.meta["partitioning"]``.
    """
    out: list[tuple[str, exp.Expression | None]] = []
    for n, stmt in enumerate(split_statements(text, flavor or dialect), 1):
        source, mapping = _protect(stmt, dialect)
        clause = None
        if dialect == "mysql" and _CREATE_TABLE_OR_ALTER.match(source):
            source, clause = _cut_partitioning(source)
        elif dialect == "postgres" and re.search(r"\bPARTITION\s+OF\b", source, re.I):
            source = _WITH_OPTIONS.sub("", source)  # col WITH OPTIONS DEFAULT 0 == col DEFAULT 0
        only = False
        if dialect == "postgres":  # pg_dump: CREATE INDEX ... ON ONLY parent (not its partitions)
            source, only = _INDEX_ON_ONLY.subn(r"\1", source, count=1)
        try:
            with _quiet_sqlglot():
                tree = sqlglot.parse_one(source, read=dialect)
        except SqlglotError as err:
            if clause is not None and source.lstrip()[:5].upper() == "ALTER":
                tree = exp.Command(this="ALTER", expression=exp.Literal.string(source))
            elif _WANTED.match(source):
                first_line = stmt.strip().splitlines()[0][:80]
                raise SchemaError(
                    f"cannot parse DDL statement {n} ({first_line!r}): {str(err).splitlines()[0]}",
                    hint="simplify the statement, or create the schema in the database and let seedbed reflect it",
                ) from None
            else:
                tree = None
        if tree is not None:
            tree = _restore(tree, mapping)
            tree.meta["source"] = source
            tree.meta["unicode"] = mapping
            tree.meta["only"] = bool(only)
            if clause is not None:
                q = "`" if dialect == "mysql" else '"'
                tree.meta["partitioning"] = _unprotect(clause, mapping, q)
        out.append((stmt, tree))
    return out


@contextmanager
def _quiet_sqlglot():
    """sqlglot logs a warning for each statement it keeps as a raw Command; a pg_dump
    file has dozens (SET, GRANT, ...) that seedbed ignores anyway."""
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


# -- MySQL partitioning clauses ---------------------------------------------------------


def _tokens(text: str, dialect: str = "mysql") -> list:
    return list(Dialect.get_or_raise(dialect).tokenize(text))


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


def _cut_partitioning(stmt: str) -> tuple[str, str | None]:
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
class _MySQLPartitioning:
    method: str  # as information_schema.PARTITIONS spells it: "RANGE COLUMNS", "LINEAR HASH" ...
    key: str  # the key text: "YEAR(from_date)", "from_date", "" (KEY (): the primary key)
    parts: list[tuple[str, str | None]]  # (name, VALUES text) per partition, in order


def _read_partitioning(clause: str) -> _MySQLPartitioning:
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
    return _MySQLPartitioning(method, key, parts)


def _partition_definitions(clause: str, tokens: list) -> list[tuple[str, str | None]]:
    defs, current, depth = [], [], 0
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


# -- parse_ddl -------------------------------------------------------------------


@dataclass
class _Con:
    """A constraint before naming: PostgreSQL names it from table, columns, kind."""

    kind: str  # "pk" | "unique" | "index" | "fk" | "check" | "key" (MySQL plain index: a name)
    columns: tuple[str, ...] = ()
    name: str | None = None
    ref: str | None = None
    ref_columns: tuple[str, ...] = ()
    deferrable: bool = False
    expr: exp.Expression | None = None
    column: str | None = None  # the column of a column-level constraint (MariaDB names checks so)
    only: bool = False  # ALTER TABLE ONLY: not added to the partitions


@dataclass
class _Draft:
    schema: str | None
    name: str
    columns: list[Column] = field(default_factory=list)
    cons: list[_Con] = field(default_factory=list)
    identity_columns: set[str] = field(default_factory=set)  # GENERATED ... AS IDENTITY
    domains: dict[str, str] = field(default_factory=dict)  # column -> its domain
    # PostgreSQL partitioning: of this table, and of its parent
    partition_kind: str | None = None
    partition_key: list[exp.Expression] = field(default_factory=list)
    partition_of: str | None = None
    bound: exp.Expression | None = None
    inherits_columns: bool = False  # CREATE TABLE ... PARTITION OF: the parent's columns
    column_options: list[exp.ColumnDef] = field(default_factory=list)  # PARTITION OF (c DEFAULT 1)
    mysql_partitioning: _MySQLPartitioning | None = None
    expression_uniques: list[Unique] = field(default_factory=list)  # CREATE UNIQUE INDEX ON t (lower(x))

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


class _Reader:
    def __init__(self, dialect: str):
        self.d = dialect
        self.enums: dict[str, EnumType] = {}
        self.domains: dict[str, Domain] = {}
        self.domain_base: dict[str, str | None] = {}  # domain -> the domain it is based on
        self.domain_constraints: dict[str | None, set[str]] = {}  # names used, per schema
        self.tables: dict[str, _Draft] = {}
        self.unicode: dict[str, str] = {}  # the current statement's non-ASCII names

    # names ----------------------------------------------------------------
    def ident(self, node: exp.Expression | str | None) -> str:
        if node is None:
            return ""
        if isinstance(node, str):
            return node
        if isinstance(node, (exp.Column, exp.Ordered)):
            return self.ident(node.this)
        name = node.name
        quoted = isinstance(node, exp.Identifier) and node.quoted
        name = name if quoted else fold(name, self.d)
        if self.d == "postgres" and len(name.encode()) >= _NAMEDATALEN:
            name = _clip(name, _NAMEDATALEN - 1)  # PostgreSQL truncates long names
        return name

    def table_name(self, table: exp.Table) -> tuple[str | None, str]:
        schema = self.ident(table.args.get("db")) or None
        if schema == DEFAULT_SCHEMA.get(self.d):
            schema = None
        return schema, self.ident(table.this)

    def qualified(self, table: exp.Table) -> str:
        schema, name = self.table_name(table)
        return qualify(schema, name, self.d)

    def parse(self, text: str, **kw) -> exp.Expression:
        """Text of the current statement parsed (its non-ASCII names put back)."""
        with _quiet_sqlglot():
            return _restore(sqlglot.parse_one(text, read=self.d, **kw), self.unicode)

    def parse_name(self, text: str) -> exp.Table:
        return self.parse(text, into=exp.Table)

    def names(self, nodes: list[exp.Expression]) -> tuple[str, ...]:
        return tuple(self.ident(n) for n in nodes)

    def draft(self, table: exp.Table) -> _Draft | None:
        """The table being built, or None for a relation that is not a table (a view,
        a materialized view): statements about those are skipped."""
        return self.tables.get(self.qualified(table))

    # statements -------------------------------------------------------------
    def statement(self, text: str, tree: exp.Expression | None) -> None:
        if tree is None:
            source, self.unicode = _protect(text, self.d)
        else:
            source, self.unicode = tree.meta.get("source", text), tree.meta.get("unicode", {})
        if tree is None or isinstance(tree, exp.Command):
            self.command(source, tree)
            return
        if isinstance(tree, exp.Create):
            kind = (tree.args.get("kind") or "").upper()
            if (
                kind == "TYPE"
                and isinstance(tree.expression, exp.DataType)
                and tree.expression.this == exp.DataType.Type.ENUM
            ):
                values = tuple(lit.this for lit in tree.expression.expressions)
                self.add_enum(self.qualified(tree.this), values)
            elif kind == "TABLE":
                self.create(tree)
            elif kind == "INDEX" and tree.args.get("unique"):
                self.unique_index(tree.this, only=tree.meta.get("only", False))
        elif isinstance(tree, exp.Alter) and (tree.args.get("kind") or "").upper() == "TABLE":
            draft = self.draft(tree.this)
            if draft is None:
                return
            only = bool(_ONLY.match(text))
            for action in tree.args.get("actions") or []:
                if isinstance(action, exp.AddConstraint):
                    for con in action.expressions:
                        self.table_constraint(draft, con, only=only)
                elif isinstance(action, exp.AlterColumn) and action.args.get("default") is not None:
                    # pg_dump gives serial columns their nextval() default this way
                    default = normalize_default(action.args["default"], self.d)
                    serial = "NEXTVAL(" in (default or "").upper()
                    self.alter_column(
                        draft, self.ident(action.this), identity=serial, default=None if serial else default
                    )
            if tree.meta.get("partitioning"):
                draft.mysql_partitioning = _read_partitioning(tree.meta["partitioning"])

    def command(self, source: str, tree: exp.Expression | None) -> None:
        """Statements sqlglot keeps as raw Commands (or cannot parse): regexes."""
        m = _ENUM_COMMAND.match(source)
        if m:  # an older sqlglot leaves CREATE TYPE ... AS ENUM a Command
            values = tuple(v.replace("''", "'") for v in _STRING.findall(m["values"]))
            self.add_enum(self.qualified(self.parse_name(m["name"])), values)
            return
        m = _IDENTITY_COMMAND.match(source)
        if m:
            column = self.parse(m["column"])
            draft = self.draft(self.parse_name(m["table"]))
            if draft is not None:
                self.alter_column(draft, self.ident(column), identity=True)
                draft.identity_columns.add(self.ident(column))
            return
        m = _DOMAIN_COMMAND.match(source)
        if m and self.d == "postgres":
            self.create_domain(m["name"], m["rest"])
            return
        m = _ATTACH_COMMAND.match(source)
        if m and self.d == "postgres":
            child = self.draft(self.parse_name(m["child"]))
            if child is not None:
                child.partition_of = self.qualified(self.parse_name(m["parent"]))
                child.bound = self.parse_bound(m["bound"])
            return
        clause = tree.meta.get("partitioning") if tree is not None else None
        m = _ALTER_TABLE.match(source)
        if clause and m:  # MySQL: ALTER TABLE t PARTITION BY ...
            draft = self.draft(self.parse_name(m["table"]))
            if draft is not None:
                draft.mysql_partitioning = _read_partitioning(clause)

    def parse_bound(self, text: str) -> exp.Expression:
        try:
            return parse_pg_bound(text)
        except SqlglotError as err:
            raise SchemaError(f"cannot read the partition bound {text[:80]!r}: {str(err).splitlines()[0]}") from None

    def alter_column(self, draft: _Draft, name: str, *, identity: bool, default: str | None = None) -> None:
        for i, col in enumerate(draft.columns):
            if col.name == name:
                nullable = col.nullable and not (identity and self.d == "postgres")
                draft.columns[i] = replace(
                    col, identity=col.identity or identity, default=None if identity else default, nullable=nullable
                )
                return
        raise SchemaError(f"ALTER TABLE {draft.qualified}: no column {name!r}")

    def add_enum(self, name: str, values: tuple[str, ...]) -> None:
        self.enums[name] = EnumType(name, values)

    # domains --------------------------------------------------------------------
    def create_domain(self, name_text: str, rest: str) -> None:
        """CREATE DOMAIN name [AS] type [DEFAULT ...] [[CONSTRAINT c] NOT NULL | CHECK (...)]:
        read as the column ``_v type ...`` of a table, which has the same grammar."""
        name = self.qualified(self.parse_name(name_text))
        try:
            tree = self.parse(f"CREATE TABLE _d (_v {rest})")
            coldef = tree.this.expressions[0]
            dt = coldef.args["kind"]
            assert isinstance(dt, exp.DataType)
        except (SqlglotError, AttributeError, IndexError, KeyError, AssertionError):
            raise SchemaError(
                f"cannot read CREATE DOMAIN {name}", hint="create the schema in the database and let seedbed reflect it"
            ) from None
        base, _ = map_type(dt, self.d, self.enums, domains=self.domain_bases)
        under = udt_name(dt, self.d) if dt.this == exp.DataType.Type.USERDEFINED else None
        nullable, default, checks = True, None, []
        for cc in coldef.constraints:
            kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = normalize_default(kind.this, self.d)
            elif isinstance(kind, exp.CheckColumnConstraint):
                checks.append((cname, kind.this))
        schema, _, bare = name.rpartition(".")
        used = self.domain_constraints.setdefault(schema or None, set())
        used.update(c for c, _ in checks if c)
        named = [
            Check(domain_check(expr, None, self.d), cname or _choose(bare, None, "check", used))
            for cname, expr in checks
        ]
        if default is None and under in self.domains:
            default = self.domains[under].default  # PostgreSQL copies the base domain's
        self.domains[name] = Domain(
            name, base, nullable, default, tuple(sorted(named, key=lambda c: (c.sql, c.name or "")))
        )
        self.domain_base[name] = under if under in self.domains else None

    @property
    def domain_bases(self) -> dict[str, ColumnType]:
        return {name: d.base for name, d in self.domains.items()}

    def domain_chain(self, name: str | None) -> list[Domain]:
        """The domain and the domains under it (a domain can be based on another)."""
        chain: list[Domain] = []
        while name is not None and name in self.domains and len(chain) < 32:
            chain.append(self.domains[name])
            name = self.domain_base.get(name)
        return chain

    def column_domain(self, dt: exp.Expression | None) -> str | None:
        if isinstance(dt, exp.DataType) and dt.this == exp.DataType.Type.USERDEFINED:
            name = udt_name(dt, self.d)
            if name in self.domains:
                return name
        return None

    # tables -------------------------------------------------------------------------
    def create(self, tree: exp.Create) -> None:
        props = tree.args.get("properties")
        props = props.expressions if props is not None else []
        if any(isinstance(p, exp.TemporaryProperty) for p in props):
            return  # gone with the session: never in the database
        of = next((p for p in props if isinstance(p, exp.PartitionedOfProperty)), None)
        if isinstance(tree.this, exp.Schema):
            draft = self.create_table(tree.this)
        elif of is not None and isinstance(tree.this, exp.Table):
            draft = self.create_partition(tree.this, of)
        else:
            return  # CREATE TABLE ... AS / LIKE: not read
        for prop in props:
            if isinstance(prop, exp.PartitionedByProperty) and self.d == "postgres":
                draft.partition_kind, draft.partition_key = pg_partition_spec(prop)
        if tree.meta.get("partitioning"):
            draft.mysql_partitioning = _read_partitioning(tree.meta["partitioning"])

    def create_table(self, node: exp.Schema) -> _Draft:
        schema, name = self.table_name(node.this)
        draft = _Draft(schema, name)
        self.tables[draft.qualified] = draft
        for item in node.expressions:
            if isinstance(item, exp.ColumnDef):
                self.column(draft, item)
            else:
                self.table_constraint(draft, item)
        return draft

    def create_partition(self, table: exp.Table, of: exp.PartitionedOfProperty) -> _Draft:
        """CREATE TABLE child PARTITION OF parent [(options)] FOR VALUES ...: the columns
        are the parent's, filled in once the whole file is read."""
        schema, name = self.table_name(table)
        draft = _Draft(schema, name, inherits_columns=True)
        self.tables[draft.qualified] = draft
        parent, items = of.this, []
        if isinstance(parent, exp.Schema):
            parent, items = parent.this, parent.expressions
        draft.partition_of = self.qualified(parent)
        draft.bound = of.expression
        for item in items:
            if isinstance(item, exp.ColumnDef):
                draft.column_options.append(item)
            else:
                self.table_constraint(draft, item)
        return draft

    def column(self, draft: _Draft, node: exp.ColumnDef) -> None:
        name = self.ident(node.this)
        dt = node.args.get("kind")
        enum_name = f"{draft.qualified}_{name}"
        domain = self.column_domain(dt)
        if isinstance(dt, exp.DataType):
            ctype, inline = map_type(dt, self.d, self.enums, enum_name, domains=self.domain_bases)
            identity = is_serial(dt)
        else:  # SQLite allows a column without a type
            ctype, inline, identity = ColumnType("other"), None, False
        if inline:
            self.add_enum(inline.name, inline.values)
        nullable, default, generated = True, None, None
        for cc in node.constraints:
            kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
            if isinstance(kind, exp.NotNullColumnConstraint):
                nullable = bool(kind.args.get("allow_null"))
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                draft.cons.append(_Con("pk", (name,), cname))
            elif isinstance(kind, exp.UniqueColumnConstraint):
                draft.cons.append(_Con("unique", (name,), cname))
            elif isinstance(kind, exp.CheckColumnConstraint):
                draft.cons.append(_Con("check", name=cname, expr=kind.this, column=name))
            elif isinstance(kind, exp.Reference):
                draft.cons.append(self.reference(kind, (name,), cname))
            elif isinstance(kind, exp.DefaultColumnConstraint):
                default = normalize_default(kind.this, self.d)
            elif isinstance(kind, exp.ComputedColumnConstraint):
                generated = normalize_sql(kind.this, self.d)
            elif isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
                if kind.args.get("expression") is not None:  # GENERATED ALWAYS AS (expr)
                    generated = normalize_sql(kind.args["expression"], self.d)
                else:
                    identity = True
                    draft.identity_columns.add(name)
            elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                identity = True
        if self.d == "postgres" and "NEXTVAL(" in (default or "").upper():
            identity = True  # serial written out: the sequence numbers it
        if domain is not None:
            chain = self.domain_chain(domain)
            nullable = nullable and all(d.nullable for d in chain)
            if default is None:
                default = next((d.default for d in chain if d.default is not None), None)
            draft.domains[name] = domain
        if identity:
            default = None
            nullable = nullable and self.d == "sqlite"  # elsewhere identity implies NOT NULL
        draft.columns.append(Column(name, ctype, nullable, default, identity, generated))

    def column_options(self, draft: _Draft, node: exp.ColumnDef) -> None:
        """``PARTITION OF parent (col [WITH OPTIONS] DEFAULT ... NOT NULL CHECK ...)``."""
        name = self.ident(node.this)
        for i, col in enumerate(draft.columns):
            if col.name != name:
                continue
            for cc in node.constraints:
                kind, cname = cc.args.get("kind"), self.ident(cc.this) or None
                if isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
                    col = replace(col, nullable=False)
                elif isinstance(kind, exp.DefaultColumnConstraint):
                    col = replace(col, default=normalize_default(kind.this, self.d))
                elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                    draft.cons.append(_Con("pk", (name,), cname))
                elif isinstance(kind, exp.UniqueColumnConstraint):
                    draft.cons.append(_Con("unique", (name,), cname))
                elif isinstance(kind, exp.CheckColumnConstraint):
                    draft.cons.append(_Con("check", name=cname, expr=kind.this, column=name))
                elif isinstance(kind, exp.Reference):
                    draft.cons.append(self.reference(kind, (name,), cname))
            draft.columns[i] = col
            return
        raise SchemaError(f"{draft.qualified}: PARTITION OF {draft.partition_of} has no column {name!r}")

    def reference(
        self, ref: exp.Reference, columns: tuple[str, ...], name: str | None, extra_options: list | None = None
    ) -> _Con:
        target = ref.this
        ref_columns: tuple[str, ...] = ()
        if isinstance(target, exp.Schema):
            ref_columns = self.names(target.expressions)
            target = target.this
        options = " ".join(str(o) for o in (ref.args.get("options") or []) + (extra_options or []))
        deferrable = bool(re.search(r"(?<!NOT )DEFERRABLE", options.upper()))
        return _Con("fk", columns, name, self.qualified(target), ref_columns, deferrable)

    def table_constraint(
        self, draft: _Draft, node: exp.Expression, name: str | None = None, *, only: bool = False
    ) -> None:
        before = len(draft.cons)
        if isinstance(node, exp.Constraint):
            for inner in node.expressions:
                self.table_constraint(draft, inner, self.ident(node.this) or None, only=only)
        elif isinstance(node, exp.PrimaryKey):
            draft.cons.append(_Con("pk", self.names(node.expressions), name))
        elif isinstance(node, exp.ForeignKey):
            draft.cons.append(
                self.reference(node.args["reference"], self.names(node.expressions), name, node.args.get("options"))
            )
        elif isinstance(node, exp.UniqueColumnConstraint):
            cols = node.this
            if isinstance(cols, exp.Schema):  # MySQL: UNIQUE KEY name (cols)
                name = name or (self.ident(cols.this) or None)
                draft.cons.append(_Con("unique", self.names(cols.expressions), name))
        elif isinstance(node, exp.CheckColumnConstraint):
            draft.cons.append(_Con("check", name=name, expr=node.this))
        elif isinstance(node, exp.IndexColumnConstraint) and self.d == "mysql":
            # KEY name (cols): not a rule, but its name is taken when MySQL names the rest
            draft.cons.append(_Con("key", self.names(node.expressions), self.ident(node.this) or None))
        for con in draft.cons[before:]:
            con.only = only

    def unique_index(self, index: exp.Index, *, only: bool = False) -> None:
        params = index.args.get("params")
        cols = params.args.get("columns") if params else None
        if not cols:
            return
        draft = self.draft(index.args["table"])
        if draft is None:
            return
        if not all(isinstance(c.this if isinstance(c, exp.Ordered) else c, exp.Column) for c in cols):
            # an expression index (lower(domain)): unique values of the columns it reads keep it
            read = expression_columns([c.sql(dialect=self.d) for c in cols], self.d)
            if read:
                draft.expression_uniques.append(
                    Unique(read, self.ident(index.this) or None, index=True, expression=True)
                )
            return
        draft.cons.append(_Con("index", self.names(cols), self.ident(index.this) or None, only=only))

    # partitions ------------------------------------------------------------------
    def inherit(self) -> None:
        """What PostgreSQL copies onto a partition: a PARTITION OF child's columns
        (defaults and NOT NULL, but not identity, as of PostgreSQL 15), and the
        parent's primary key, unique constraints and indexes (named for the child),
        foreign keys and checks (same names) unless the child has them already."""
        done: set[str] = set()

        def resolve(d: _Draft) -> None:
            if d.qualified in done:
                return
            done.add(d.qualified)
            parent = self.tables.get(d.partition_of or "")
            if parent is None:
                return
            resolve(parent)
            if d.inherits_columns:
                d.columns = [
                    replace(c, identity=False, default=None, nullable=False) if c.name in parent.identity_columns else c
                    for c in parent.columns
                ]
                d.domains = dict(parent.domains)
                for option in d.column_options:
                    self.column_options(d, option)
            for con in parent.cons:
                if con.only or con.kind == "key" or _has_like(d, con):
                    continue
                if con.kind in ("pk", "unique", "index"):
                    d.cons.append(_Con(con.kind, con.columns))  # named for the partition
                else:
                    d.cons.append(replace(con))  # foreign keys and checks keep their names

        for draft in list(self.tables.values()):
            resolve(draft)

    # result -------------------------------------------------------------------
    def schema(self) -> Schema:
        drafts = list(self.tables.values())
        if self.d == "postgres":
            _name_like_postgres(drafts, self.domain_constraints)
            self.inherit()
            _name_like_postgres(drafts, self.domain_constraints)  # what inherit() added
        elif self.d == "mysql":
            _name_like_mysql(drafts)
        tables = [self.table(d) for d in drafts]
        return Schema(
            tables=tuple(sorted(tables, key=lambda t: t.qualified)),
            enums=tuple(sorted(self.enums.values(), key=lambda e: e.name)),
            domains=tuple(sorted(self.domains.values(), key=lambda d: d.name)),
        )

    def table(self, d: _Draft) -> Table:
        pk: tuple[str, ...] = ()
        fks, uniques, checks = [], [], []
        for c in d.cons:
            if c.kind == "pk":
                pk = c.columns
            elif c.kind in ("unique", "index"):
                # MySQL has no unique index apart from the unique constraint
                index = c.kind == "index" and self.d != "mysql"
                uniques.append(Unique(c.columns, c.name, index=index))
            elif c.kind == "check":
                checks.append(Check(normalize_check(c.expr, self.d), c.name))
            elif c.kind == "fk":
                ref_cols = c.ref_columns or self.primary_key_of(c.ref)
                fks.append(ForeignKey(c.columns, c.ref, ref_cols, c.name, c.deferrable))
        uniques += d.expression_uniques
        for column, domain in d.domains.items():
            for dom in self.domain_chain(domain):
                checks += [Check(domain_check(ck.sql, column, self.d), ck.name) for ck in dom.checks]
        columns = d.columns
        if self.d != "sqlite":  # SQLite lets a (non-rowid) primary key hold NULL
            columns = [replace(col, nullable=False) if col.name in pk else col for col in columns]
        elif len(pk) == 1:  # SQLite: an INTEGER primary key is the rowid, numbered by SQLite
            columns = [
                replace(col, identity=True) if col.name == pk[0] and col.type.kind == "int" else col for col in columns
            ]
        return make_table(d.schema, d.name, columns, pk, fks, uniques, checks, **self.partitioning(d, columns, pk))

    def partitioning(self, d: _Draft, columns: list[Column], pk: tuple[str, ...]) -> dict:
        out: dict = {}
        types = {c.name: c.type for c in columns}
        if d.partition_kind:
            out["partition_kind"] = d.partition_kind
            out["partition_key"] = partition_key(d.partition_key, self.d)
        if d.partition_of is not None and d.bound is not None:
            parent = self.tables.get(d.partition_of)
            key = partition_key(parent.partition_key, self.d) if parent else ()
            if parent is not None:
                types = {c.name: c.type for c in parent.columns}
            out["partition_of"] = d.partition_of
            out["partition_bound"] = pg_partition_bound(d.bound, key_types(key, types))
        if d.mysql_partitioning is not None:
            mp = d.mysql_partitioning
            key = partition_key(mysql_key_nodes(mp.key), self.d, list(types)) or pk
            kind, bounds = mysql_partitions(mp.method, mp.parts, key_types(key, types))
            out.update(partition_kind=kind, partition_key=key, partitions=bounds)
        return out

    def primary_key_of(self, ref: str) -> tuple[str, ...]:
        if ref in self.tables:
            for c in self.tables[ref].cons:
                if c.kind == "pk":
                    return c.columns
        raise SchemaError(
            f"REFERENCES {ref} without columns, and {ref!r} has no primary key here", hint="name the referenced columns"
        )


def _has_like(d: _Draft, con: _Con) -> bool:
    """Whether partition ``d`` has what PostgreSQL would attach ``con`` (its parent's) to."""
    if con.kind == "pk":
        return any(c.kind == "pk" for c in d.cons)
    if con.kind in ("unique", "index"):
        return any(c.kind in ("pk", "unique", "index") and c.columns == con.columns for c in d.cons)
    if con.kind == "fk":
        return any(c.kind == "fk" and (c.columns, c.ref) == (con.columns, con.ref) for c in d.cons)
    return any(c.kind == "check" and c.name == con.name for c in d.cons)


def make_table(schema, name, columns, pk, fks, uniques, checks, **partitioning) -> Table:
    """A Table with its constraints in the canonical order both readers use;
    ``partitioning``: the Table's partition_* fields."""
    return Table(
        name=name,
        schema=schema,
        columns=tuple(columns),
        primary_key=tuple(pk),
        foreign_keys=tuple(sorted(fks, key=lambda f: (f.columns, f.name or "", f.ref_table))),
        uniques=tuple(sorted(uniques, key=lambda u: (u.columns, u.name or "", u.index))),
        checks=tuple(sorted(checks, key=lambda c: (c.sql, c.name or ""))),
        **partitioning,
    )


def parse_ddl(text: str, dialect: str) -> Schema:
    """The schema that ``text`` (CREATE TYPE/DOMAIN/TABLE/UNIQUE INDEX, ALTER TABLE ADD
    CONSTRAINT / ATTACH PARTITION) creates; other statements and non-unique indexes
    are ignored."""
    flavor = dialect
    dialect = sqlglot_dialect(dialect)
    reader = _Reader(dialect)
    for stmt, tree in _parse_statements(text, dialect, flavor):
        reader.statement(stmt, tree)
    return reader.schema()


# -- MySQL's names for unnamed constraints ---------------------------------------------


def _name_like_mysql(drafts) -> None:
    """Unnamed keys are named after their first column (``col``, ``col_2``, ...),
    foreign keys ``table_ibfk_N``; checks as MariaDB does: a column's check after the
    column, a table's ``CONSTRAINT_N`` (MySQL 8 would say ``table_chk_N``)."""
    for d in drafts:
        used = {"primary"} | {c.name.lower() for c in d.cons if c.name and c.kind in ("unique", "index", "key")}
        fk_n = check_n = 0
        for c in d.cons:
            if c.name:
                continue
            if c.kind in ("unique", "index", "key"):
                base = c.columns[0] if c.columns else "key"
                name, n = base, 2
                while name.lower() in used:
                    name, n = f"{base}_{n}", n + 1
                used.add(name.lower())
                c.name = name
            elif c.kind == "fk":
                fk_n += 1
                c.name = f"{d.name}_ibfk_{fk_n}"
            elif c.kind == "check":
                if c.column:
                    c.name = c.column
                else:
                    check_n += 1
                    c.name = f"CONSTRAINT_{check_n}"


# -- PostgreSQL's names for unnamed constraints ---------------------------------------


def _object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: shorten the longer part until it fits 63 bytes
    (counted in UTF-8 bytes, cut at a character boundary, as pg_mbcliplen does)."""

    def size(text: str) -> int:
        return len(text.encode())

    avail = _NAMEDATALEN - 1 - (size(label) + 1 if label else 0) - (1 if name2 else 0)
    n1, n2 = size(name1), size(name2 or "")
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    parts = [_clip(name1, n1)] + ([_clip(name2, n2)] if name2 else []) + ([label] if label else [])
    return "_".join(parts)


def _clip(text: str, nbytes: int) -> str:
    """The longest prefix of ``text`` of at most ``nbytes`` UTF-8 bytes."""
    return text.encode()[:nbytes].decode(errors="ignore")


def _choose(name1: str, name2: str | None, label: str, used: set[str]) -> str:
    """ChooseConstraintName / ChooseRelationName: append 1, 2, ... until unused."""
    candidate, n = _object_name(name1, name2, label), 0
    while candidate in used:
        n += 1
        candidate = _object_name(name1, name2, f"{label}{n}")
    used.add(candidate)
    return candidate


def _name_like_postgres(drafts, taken: dict[str | None, set[str]] | None = None) -> None:
    """Give unnamed constraints the names PostgreSQL would: table by table in the
    order they were created, avoiding the names used so far in the schema (domain
    constraints: ``taken``) and the table's own explicit ones."""
    used: dict[str | None, set[str]] = {k: set(v) for k, v in (taken or {}).items()}
    for d in drafts:
        names = used.setdefault(d.schema, set())
        names.add(d.name)
        names.update(c.name for c in d.cons if c.name)
        # PostgreSQL names checks at table creation, then the indexes, then the FKs.
        for kind in ("check", "pk", "unique", "index", "fk"):
            for c in d.cons:
                if c.kind != kind or c.name:
                    continue
                if kind == "check":
                    cols = sorted(
                        {
                            col.name if col.this.quoted else fold(col.name, "postgres")
                            for col in c.expr.find_all(exp.Column)
                        }
                    )
                    c.name = _choose(d.name, cols[0] if len(cols) == 1 else None, "check", names)
                elif kind == "pk":
                    c.name = _choose(d.name, None, "pkey", names)
                else:
                    label = {"unique": "key", "index": "idx", "fk": "fkey"}[kind]
                    c.name = _choose(d.name, "_".join(c.columns), label, names)


# -- transpile_ddl -----------------------------------------------------------------

_CREATE_FIXES = [  # add IF NOT EXISTS (a named index only: PostgreSQL needs the name)
    (
        re.compile(
            r"^(CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE)\s+"
            r"(?!IF\s+NOT\s+EXISTS\b)",
            re.I,
        ),
        {"postgres", "mysql", "sqlite"},
    ),
    (
        re.compile(
            r"^(CREATE\s+(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY)?)\s+"
            r"(?!IF\s+NOT\s+EXISTS\b)(?=(?!ON\b)\S+\s+ON\b)",
            re.I,
        ),
        {"postgres", "sqlite"},
    ),
    (re.compile(r"^(CREATE\s+SCHEMA)\s+(?!IF\s+NOT\s+EXISTS\b)", re.I), {"postgres", "mysql"}),
]
_CREATE_TYPE = re.compile(r"^CREATE\s+(TYPE|DOMAIN)\b", re.I)


_UNSAFE = re.compile(
    r"^\s*(DROP|USE|TRUNCATE|DELETE|UPDATE|INSERT|GRANT|REVOKE|ALTER\s+(DATABASE|SCHEMA)|"
    r"CREATE\s+DATABASE)\b",
    re.IGNORECASE,
)
_MYSQL_DATABASE = re.compile(r"^\s*CREATE\s+SCHEMA\b", re.IGNORECASE)  # a database, in MySQL


def _strip_comments(stmt: str) -> str:
    return re.sub(r"^(\s*(--[^\n]*\n|/\*(?!!).*?\*/))*", "", stmt, flags=re.DOTALL)


def transpile_ddl(text: str, read: str, write: str) -> list[str]:
    """Statements that create the schema of ``text`` (dialect ``read``) on ``write``.

    Same dialect: the statements themselves, made re-runnable with IF NOT EXISTS
    where the dialect has it (PostgreSQL CREATE TYPE / DOMAIN: in a DO block that
    skips an existing type). Another dialect: CREATE TABLEs generated from the
    parsed model (enum types dropped, types spelled for the target, see
    ``ddl_write``), then the file's indexes.
    """
    flavor = read
    read, write = sqlglot_dialect(read), sqlglot_dialect(write)
    if read == write:
        out = []
        for stmt in split_statements(text, flavor):
            bare = _strip_comments(stmt)
            if _UNSAFE.match(bare) or (write == "mysql" and _MYSQL_DATABASE.match(bare)):
                continue  # never drop anything, never switch or create databases: the URL names the target
            for rx, dialects in _CREATE_FIXES:
                if write in dialects:
                    stmt = rx.sub(r"\1 IF NOT EXISTS ", stmt, count=1)
            if write == "postgres" and _CREATE_TYPE.match(stmt):
                # no CREATE TYPE/DOMAIN IF NOT EXISTS: an existing type is skipped this way
                stmt = f"DO $seedbed$ BEGIN {stmt}; EXCEPTION WHEN duplicate_object THEN NULL; END $seedbed$"
            out.append(stmt)
        return out
    reader = _Reader(read)
    indexes = []
    for stmt, tree in _parse_statements(text, read, flavor):
        reader.statement(stmt, tree)
        if isinstance(tree, exp.Create) and (tree.args.get("kind") or "").upper() == "INDEX":
            table = reader.qualified(tree.this.args["table"])
            params = tree.this.args.get("params")
            cols = params.args.get("columns") if params else None
            parts = [reader.ident(c) or "expr" for c in cols or []]
            name = reader.ident(tree.this.this) or "_".join([table.rpartition(".")[2], *parts, "idx"])
            indexes.append((table, name, tree))
    return create_statements(reader.schema(), read, write, indexes)
