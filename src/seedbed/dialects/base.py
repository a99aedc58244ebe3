"""What every database does alike, and the attributes in which one differs.

A dialect is a class whose class attributes are tables of what its database does
differently (``TYPES = {**Dialect.TYPES, ...}``), as sqlglot's dialects are. Code
outside ``dialects/`` and ``sinks/`` asks the object (``dialect.caps.schemas``,
``dialect.fold(name)``) and never tests a dialect's name; a test enforces that.

Nothing heavy is imported here or in the subclasses' modules: the command line and
the cheap rerun read these classes before numpy, pyarrow, sqlglot or SQLAlchemy
load. Drivers are imported only by ``connect``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from seedbed.dialects.names import join_name
from seedbed.errors import CannotWrite, ConnectionFailed, LoadFailed, SeedbedError


@dataclass(frozen=True)
class Capabilities:
    """What a database can do; every flag is read somewhere, for the reason given."""

    # tables live in named schemas (SQLite: one namespace) - DDL written for it qualifies names
    schemas: bool = True
    # CREATE/DROP/ALTER run inside a transaction - index deferral records and drops atomically
    transactional_ddl: bool = True
    # foreign keys can be DEFERRABLE - written DDL keeps the clause
    deferrable_constraints: bool = True
    # CREATE INDEX ... WHERE - written DDL keeps partial indexes
    partial_indexes: bool = True
    # index access methods other than btree (gin, gist) - written DDL keeps them
    index_methods: bool = False
    # ARRAY column types - written DDL spells item[] instead of a text fallback
    typed_arrays: bool = False
    # ENUM(...) as a column type - written DDL inlines enums instead of a CHECK
    inline_enums: bool = False
    # bound parameters one statement may carry - INSERT fallbacks chunk rows to fit
    max_bind_params: int = 32_766
    # opening the URL creates the database (a file) - input is validated before connecting
    creates_on_connect: bool = False
    # one connection writes at a time (a file lock) - no loading through several workers
    one_writer: bool = False
    # one table's rows go in through several sessions, one XA transaction (sinks/mysqlsplit.py)
    split_load: bool = False


@dataclass(frozen=True)
class Code:
    """What one server error code means to seedbed: the error it becomes, and why."""

    error: type[SeedbedError]
    meaning: str
    hint: str | None = None


class Constraint(Protocol):
    """A constraint as the DDL reader drafts it, before the database has named it."""

    kind: str  # "pk" | "unique" | "index" | "fk" | "check" | "key"
    columns: tuple[str, ...]
    name: str | None
    column: str | None  # the column of a column-level constraint
    expr: Any  # the CHECK expression (a sqlglot tree)


class TableDraft(Protocol):
    """A table as the DDL reader drafts it: its name and its constraints, named or not."""

    @property
    def schema(self) -> str | None: ...

    @property
    def name(self) -> str: ...

    @property
    def cons(self) -> Sequence[Constraint]: ...


class Dialect:
    """A database family: seedbed's knowledge of it, as class attributes and small methods."""

    # -- names -------------------------------------------------------------------------
    name: ClassVar[str] = ""  # seedbed's name: "postgres", "mysql", "sqlite"
    aliases: ClassVar[tuple[str, ...]] = ()  # other spellings of --dialect and URL schemes
    family: ClassVar[str] = ""  # the dialect a flavour belongs to (MariaDB: mysql); its own name otherwise
    sqlglot: ClassVar[str] = ""  # sqlglot's name for it
    url_schemes: ClassVar[tuple[str, ...]] = ()
    sqlalchemy_url: ClassVar[str] = ""  # names SQLAlchemy's dialect and driver; connections come from connect()
    label: ClassVar[str] = ""  # how messages name the server: "PostgreSQL", "MySQL/MariaDB"
    extra: ClassVar[str | None] = None  # the pip extra that installs the driver

    # -- identifiers -------------------------------------------------------------------
    quote_char: ClassVar[str] = '"'
    folds_to_lower: ClassVar[bool] = False  # an unquoted name is stored in lower case (ASCII letters only)
    max_identifier_bytes: ClassVar[int | None] = None  # longer names are truncated by the database
    default_schema: ClassVar[str | None] = None  # the schema a connection lands in: Table.schema None there
    columns_case_insensitive: ClassVar[bool] = True  # a column is found whatever the case it is written in
    unqualified_refs_on_search_path: ClassVar[bool] = False  # REFERENCES t means t on the search path

    # -- types -------------------------------------------------------------------------
    # How each logical kind (schema.model.KINDS) is spelled in DDL seedbed writes.
    TYPES: ClassVar[dict[str, str]] = {  # the SQL standard's spellings; dialects override what differs
        "smallint": "SMALLINT",
        "int": "INTEGER",
        "bigint": "BIGINT",
        "numeric": "NUMERIC",
        "float": "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "text": "TEXT",
        "varchar": "VARCHAR",
        "char": "CHAR",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
        "timestamptz": "TIMESTAMP WITH TIME ZONE",
        "time": "TIME",
        "interval": "INTERVAL",
        "uuid": "UUID",
        "json": "JSON",
        "bytes": "BLOB",
        "enum": "TEXT",
        "array": "TEXT",
        "geometry": "TEXT",
        "other": "TEXT",
    }
    identity_clause: ClassVar[str] = ""  # how written DDL says "the database numbers this column"
    # what an INSERT ... SELECT adds to store its own values in identity columns the database
    # numbers (COPY and LOAD DATA store them as they are)
    identity_override: ClassVar[str] = ""
    varchar_needs_length: ClassVar[bool] = False  # VARCHAR must say its length
    bare_char_length: ClassVar[int | None] = None  # CHAR without a length means CHAR(n)
    tinyint_one_is_bool: ClassVar[bool] = False  # TINYINT(1) is how BOOLEAN is stored
    booleans_are_numbers: ClassVar[bool] = False  # TRUE and FALSE are stored (and reported) as 1 and 0
    geometry_types: ClassVar[frozenset[str]] = frozenset()  # type names that hold spatial shapes

    # -- how the database reads a schema ---------------------------------------------------
    pk_nullable: ClassVar[bool] = False  # a (non-rowid) primary-key column may hold NULL
    identity_nullable: ClassVar[bool] = False  # an identity column may be declared nullable
    integer_pk_is_rowid: ClassVar[bool] = False  # INTEGER PRIMARY KEY is the row id, numbered by the database
    serial_defaults: ClassVar[bool] = False  # a nextval() default means a sequence numbers the column
    declarative_partitions: ClassVar[bool] = False  # PARTITION OF / ATTACH PARTITION / PARTITION BY (tables)
    partition_clause: ClassVar[bool] = False  # PARTITION BY ... (partitions) at the end of CREATE TABLE
    domains: ClassVar[bool] = False  # CREATE DOMAIN and CREATE TYPE ... AS ENUM
    unique_index_is_constraint: ClassVar[bool] = False  # a unique index is the unique constraint itself
    keys_take_names: ClassVar[bool] = False  # a plain KEY name (cols) takes its name from the ones to come
    default_may_hold_on_update: ClassVar[bool] = False  # reflection reports ON UPDATE inside the default
    client_script: ClassVar[bool] = False  # dump files use DELIMITER and /*! executable comments */
    schema_is_database: ClassVar[bool] = False  # CREATE SCHEMA creates a database: never run from a DDL file
    reread_on_server: ClassVar[bool] = False  # DDL is read again in the connected server's own flavour
    if_not_exists: ClassVar[frozenset[str]] = frozenset({"table", "index", "schema"})  # CREATE ... IF NOT EXISTS

    # -- catalog queries beyond SQLAlchemy's inspector (None: nothing to ask) ----------------
    DOMAINS_SQL: ClassVar[str | None] = None
    PARTITIONED_SQL: ClassVar[str | None] = None
    PARTITIONS_SQL: ClassVar[str | None] = None
    INTERNAL_FKS_SQL: ClassVar[str | None] = None
    TABLE_PARTITIONS_SQL: ClassVar[str | None] = None  # partitions of one schema's tables (:schema)
    CHECKS_SQL: ClassVar[str | None] = None  # every CHECK of one schema (:schema), where the inspector misses some
    # (table, text) of the triggers (and rules) that fire on INSERT; trigger_targets() reads the text
    TRIGGERS_SQL: ClassVar[str | None] = None
    # (column, sequence) of one table's columns a sequence numbers, where writing a value does
    # not move the sequence past it (identity, serial, a nextval() default); parameters
    # %(table)s (quoted, qualified), %(schema)s (None: the connection's) and %(name)s
    SEQUENCES_SQL: ClassVar[str | None] = None
    # (schema, name) of the tables an extension created (PostGIS's spatial_ref_sys): not the
    # application's, never seeded
    EXTENSION_TABLES_SQL: ClassVar[str | None] = None
    CREATE_TEXT_SQL: ClassVar[str | None] = None  # (name, sql) of each table's CREATE TABLE, where kept
    # (schema, name, definition) of each EXCLUDE constraint: its ``col WITH &&`` ranges must not overlap
    EXCLUSIONS_SQL: ClassVar[str | None] = None
    # (schema, name, column, type) as the database spells each column's type, for the types
    # SQLAlchemy does not know (PostGIS, ranges, ltree, MySQL's spatial types, ...)
    COLUMN_TYPES_SQL: ClassVar[str | None] = None
    TABLE_EXISTS_SQL: ClassVar[str] = ""  # one row when the table (one parameter) exists
    # (table's own name, name, definition, valid) of every index and constraint of the user's tables:
    # what a run found before it began, and verify checks is all still there and valid
    STRUCTURE_SQL: ClassVar[str | None] = None
    # statistics for a table just filled ({table}), where the planner has none until asked
    ANALYZE_SQL: ClassVar[str | None] = None
    # drops the temporary table {table} and never a real one of that name (a recipe check's
    # shadow of a table, sinks/keysets.py)
    DROP_TEMP_SQL: ClassVar[str] = "DROP TABLE {table}"
    # seedbed mask: a table's own rows ({table}; PostgreSQL's ONLY leaves an inheriting child's
    # rows to its own pass), a temporary (original, fake) table of the column's type indexed on
    # the original ({part}: the column, or a prefix of a long one), and the UPDATE joining it
    # (the table's column on the left: its collation decides, as SQLite's NOCASE)
    OWN_ROWS_SQL: ClassVar[str] = "{table}"
    MASK_PAIRS_SQL: ClassVar[str] = (
        "CREATE TEMPORARY TABLE {temp} AS SELECT {col} AS o, {col} AS f FROM {table} WHERE 1 = 0"
    )
    MASK_INDEX_SQL: ClassVar[str | None] = "CREATE INDEX {temp}_o ON {temp} (o)"
    # (child table, its schema, child columns) of each foreign key into one table (%(table)s, quoted)
    # whose columns lead no index of the child: deleting a parent row scans the child then
    UNINDEXED_REFERENCES_SQL: ClassVar[str | None] = None
    # the lock one writing run holds on a database (sinks/lock.py): take it without waiting
    # (true when taken), label the session with who holds it (one parameter), release it,
    # and describe its holder (one row, or none when it is free)
    LOCK_SQL: ClassVar[str | None] = None
    LABEL_SQL: ClassVar[str | None] = None
    UNLOCK_SQL: ClassVar[str | None] = None
    LOCK_HOLDER_SQL: ClassVar[str | None] = None

    # -- errors ---------------------------------------------------------------------------
    ERRORS: ClassVar[dict[str, Code]] = {}  # error code (SQLSTATE, errno, SQLite name) -> meaning
    EXISTS: ClassVar[frozenset[str]] = frozenset()  # codes meaning "that object exists already"

    caps: ClassVar[Capabilities] = Capabilities()
    param: ClassVar[str] = "%s"  # the driver's parameter mark

    # -- identifiers ------------------------------------------------------------------------
    def fold(self, name: str) -> str:
        """An unquoted identifier as the database stores it. PostgreSQL folds ASCII
        letters only (``BIGİNT`` -> ``bigİnt``, where ``str.lower`` would change the İ)."""
        return name.translate(_ASCII_LOWER) if self.folds_to_lower else name

    def clip(self, name: str) -> str:
        """``name`` as the database keeps it: cut to its identifier limit (whole characters)."""
        limit = self.max_identifier_bytes
        if limit is None or len(name.encode()) <= limit:
            return name
        return name.encode()[:limit].decode(errors="ignore")

    def quote(self, name: str) -> str:
        """``name`` quoted, always (for SQL seedbed runs itself)."""
        q = self.quote_char
        return q + name.replace(q, q * 2) + q

    def quoted(self, schema: str | None, name: str) -> str:
        """``schema.name`` quoted for SQL seedbed writes out (the default schema left off)."""
        return ".".join(self.quote(p) for p in (schema if schema != self.default_schema else None, name) if p)

    def qualify(self, schema: str | None, name: str) -> str:
        """``schema.name``, or just ``name`` in the connection's default schema."""
        return join_name(schema if schema != self.default_schema else None, name)

    # -- DDL text ----------------------------------------------------------------------------
    def executed_comment(self, version: str, own_marker: bool) -> bool:
        """Whether the server runs ``/*!version ... */`` (``own_marker``: ``/*M!``)."""
        return False

    def guard_create_type(self, statement: str) -> str:
        """A CREATE TYPE/DOMAIN statement made harmless when the type exists already."""
        return statement

    def name_constraints(self, drafts: Iterable[TableDraft], taken: dict[str | None, set[str]]) -> None:
        """Give unnamed constraints the names the database would (none by default)."""

    def choose_name(self, name1: str, name2: str | None, label: str, used: set[str]) -> str:
        """The name the database gives a new object from its parts (PostgreSQL's rule)."""
        raise NotImplementedError(f"{self.name} does not name objects this way")

    def trigger_targets(self, text: str) -> list[str]:
        """The tables (bare names, as stored) a trigger's text, from ``TRIGGERS_SQL``, inserts into
        (comments left out: "-- insert into the lookup table" names none)."""
        code = _COMMENT.sub(" ", text)
        return [self.stored_name(m.group(1)) for m in _INSERT_INTO.finditer(code)]

    def reflected_name(self, name: str) -> str:
        """A column or constraint name as SQLAlchemy's inspector reports it, as stored."""
        return name

    def stored_name(self, written: str) -> str:
        """The last part of a (qualified) name as written in SQL, as the database stores it:
        quotes taken off, an unquoted name folded."""
        last = _NAME_PART.findall(written)[-1]
        if last[0] == "[":  # SQLite also takes SQL Server's brackets
            return last[1:-1]
        if last[0] in '"`':
            return last[1:-1].replace(last[0] * 2, last[0])
        return self.fold(last)

    # -- connections ---------------------------------------------------------------------------
    def connect(self, url: str, *, timeout: float | None = None, read_only: bool = False) -> Any:
        """A DB-API connection to ``url``: the one way seedbed reaches a database (sinks hand
        this to SQLAlchemy as its ``creator``). Raises ConnectionFailed, never a driver error.
        ``read_only``: only look (SQLite: never create the file)."""
        raise NotImplementedError

    def error_code(self, err: BaseException) -> str | None:
        """The server's code for a driver error (or a SQLAlchemy error wrapping one)."""
        return None

    #: error codes meaning the session is gone (server restarted, network cut), not a refusal
    LOST: ClassVar[frozenset[str]] = frozenset()

    def connection_lost(self, err: BaseException) -> bool:
        """The error says the connection died under the statement (nothing was refused)."""
        return self.error_code(err) in self.LOST

    #: error codes meaning code of the schema's own refused a row (a trigger raising an error):
    #: a rule no constraint declares, so the rows it refuses are left out one by one (run/sift.py)
    RAISED: ClassVar[frozenset[str]] = frozenset()
    # a transaction that lost to another one (deadlock, lock wait timeout, serialization
    # failure): the same transaction run again may well pass (run/retry.py)
    RETRY: ClassVar[frozenset[str]] = frozenset()

    #: error codes meaning a foreign key refused the statement (a delete that would orphan a row)
    REFERENCE_ERRORS: ClassVar[frozenset[str]] = frozenset()

    def exists_error(self, err: BaseException) -> bool:
        """The error says the object being created exists already."""
        return self.error_code(err) in self.EXISTS

    def connection_failed(self, safe_url: str, err: BaseException | None, default_hint: str) -> ConnectionFailed:
        code = self.error_code(err) if err is not None else None
        known = self.ERRORS.get(code) if code is not None else None
        hint = known.hint if known is not None and known.error is ConnectionFailed and known.hint else default_hint
        return ConnectionFailed(f"cannot connect to {safe_url}{self.code_suffix(code)}", hint=hint)

    def code_suffix(self, code: str | None) -> str:
        """How a connection message shows the server's code (MySQL: ``(error 1045)``)."""
        return ""

    def data_error(self, code: str) -> bool:
        """The code says a value or row broke a rule (not the server, the disk or a right)."""
        known = self.ERRORS.get(code)
        return known is not None and known.error is LoadFailed and not known.hint

    def load_failed(self, table: str, code: str, detail: str) -> LoadFailed | CannotWrite:
        """The error a load of ``table`` raises for the server's ``code``: rows refused
        (LoadFailed: the run leaves the table out and goes on), or a database that takes no
        more writes (CannotWrite: the run stops, keeping what it committed)."""
        known = self.ERRORS.get(code)
        if known is not None and known.error is CannotWrite:
            return CannotWrite(
                f"the database takes no more rows ({self.name}): {known.meaning}{self.code_suffix(code)}: {detail}",
                where=table,
                hint=f"{known.hint}: {table} was rolled back and the tables loaded before it are kept, so the "
                "same command goes on where this run stopped (seedbed purge with the same options takes "
                "them out instead)",
            )
        if known is not None and known.error is LoadFailed and known.hint:
            hint = f"the table was rolled back; {known.hint}"
        elif not self.data_error(code):
            hint = "the table was rolled back; fix what the database reports and run again"
        else:
            hint = (
                "the table was rolled back; give the offending column a generator in the plan "
                "(seedbed plan --columns shows what each column gets)"
            )
        failed = LoadFailed(f"{self.name} rejected rows of {table} ({code}): {detail}", where=table, hint=hint)
        failed.code = code
        return failed

    def json_text(self, expr: str, path: list[str]) -> str:
        """SQL for the text at ``path`` inside the JSON value ``expr``."""
        inner = "".join(f"->'{p}'" for p in path[:-1])
        return f"{expr}{inner}->>'{path[-1]}'"

    def mask_update_sql(self, table: str, columns: list[tuple[str, str]]) -> str:
        """One UPDATE setting each (column, pairs table) to its fake where the pairs have one
        (the table's column on the left of the match: its collation decides, as SQLite's NOCASE)."""
        sets = ", ".join(f"{c} = coalesce((SELECT m.f FROM {temp} m WHERE t.{c} = m.o), t.{c})" for c, temp in columns)
        return f"UPDATE {table} AS t SET {sets} WHERE " + " OR ".join(f"t.{c} IS NOT NULL" for c, _ in columns)

    def __repr__(self) -> str:
        return f"<dialect {self.name}>"


# one part of a name as SQL writes it: "quoted" (quotes doubled inside), `backquoted`, [bracketed] or bare
_NAME_PART = re.compile(r'"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[^\s."`\[(),;]+')
SQL_NAME = rf"(?:{_NAME_PART.pattern})(?:\s*\.\s*(?:{_NAME_PART.pattern}))*"  # a name, qualified or not
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
# INSERT [IGNORE | OR REPLACE ...] INTO name, and REPLACE INTO name (MySQL, SQLite)
_INSERT_INTO = re.compile(rf"\b(?:INSERT\s+(?:IGNORE\s+|OR\s+\w+\s+)?|REPLACE\s+)INTO\s+({SQL_NAME})", re.IGNORECASE)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def password_free(text: str, password: str | None) -> str:
    """A driver's message with the password taken out (some echo the DSN back)."""
    return text.replace(password, "***") if password else text


def no_driver(dialect: Dialect, err: ModuleNotFoundError) -> ConnectionFailed:
    return ConnectionFailed(
        f"the driver for {dialect.label} is not installed ({err.name})",
        hint=f"pip install 'seedbed[{dialect.extra}]'",
    )
