"""SQLite: a file per database, one namespace, the rowid, error names instead of codes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from seedbed.dialects.base import SQL_NAME, Capabilities, Code, Dialect
from seedbed.dialects.urls import redact, sqlite_path, sqlite_query
from seedbed.errors import CannotWrite, ConnectionFailed, LoadFailed

_OPEN_HINT = "check that the folder exists and is writable"
# CREATE TRIGGER's head up to its body: the event it fires on is group 1
_TRIGGER_HEAD = re.compile(
    rf"^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?{SQL_NAME}\s+"
    r"(?:BEFORE\s+|AFTER\s+|INSTEAD\s+OF\s+)?(\w+)\b.*?\bBEGIN\b",
    re.IGNORECASE | re.DOTALL,
)


class SQLite(Dialect):
    name = "sqlite"
    family = "sqlite"
    sqlglot = "sqlite"
    url_schemes = ("sqlite",)
    sqlalchemy_url = "sqlite://"
    label = "SQLite"

    default_schema = "main"

    # Lossy on purpose: SQLite stores uuid, json, enum and array values as text.
    TYPES = {
        **Dialect.TYPES,
        "float": "REAL",
        "timestamptz": "TIMESTAMP",
        "interval": "TEXT",
        "uuid": "TEXT",
        "json": "TEXT",
    }

    pk_nullable = True  # SQLite lets a (non-rowid) primary key hold NULL
    identity_nullable = True
    integer_pk_is_rowid = True
    if_not_exists = frozenset({"table", "index"})  # (no CREATE SCHEMA at all)

    caps = Capabilities(
        schemas=False,
        max_bind_params=32_766,  # SQLITE_MAX_VARIABLE_NUMBER since 3.32
        creates_on_connect=True,
        one_writer=True,
    )
    param = "?"

    REFERENCE_ERRORS = frozenset({"SQLITE_CONSTRAINT_FOREIGNKEY"})
    TABLE_EXISTS_SQL = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    DROP_TEMP_SQL = "DROP TABLE temp.{table}"
    RAISED = frozenset({"SQLITE_CONSTRAINT_TRIGGER"})  # SELECT RAISE(ABORT, ...) in a trigger
    RETRY = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})  # another connection holds the file
    # a table's own keys and CHECKs live in its CREATE TABLE text, so that is recorded too
    STRUCTURE_SQL = (
        "SELECT tbl_name, type || ' ' || name, coalesce(sql, ''), 1 FROM sqlite_master "
        "WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    # each table's CREATE statement as written: reflection reads the inline UNIQUE and the
    # unnamed CHECKs the inspector misses from it, and each column's declared type (the
    # inspector gives SQLite's affinity: bytea as NUMERIC) and whether SQLite numbers it
    # (only a key declared exactly INTEGER is the rowid)
    CREATE_TEXT_SQL = "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
    # the shadow tables a virtual table keeps its data in (an FTS index's _content,
    # _segments, _segdir, ...): written by the virtual table itself, never planned
    EXTENSION_TABLES_SQL = """
SELECT 'main' AS schema, t.name AS name, v.name AS extension
FROM sqlite_master t JOIN sqlite_master v
  ON v.type = 'table' AND upper(v.sql) LIKE 'CREATE VIRTUAL TABLE%'
 AND substr(t.name, 1, length(v.name) + 1) = v.name || '_'
WHERE t.type = 'table' AND t.name <> v.name
UNION ALL  -- and the virtual tables themselves: their module takes rows its own way
SELECT 'main', name, 'virtual table' FROM sqlite_master WHERE type = 'table' AND upper(sql) LIKE 'CREATE VIRTUAL TABLE%'
"""
    # every trigger on a table, as its CREATE TRIGGER text (trigger_targets keeps the INSERT ones)
    TRIGGERS_SQL = (
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name IN (SELECT name FROM sqlite_master WHERE type = 'table')"
    )

    ERRORS: ClassVar[dict[str, Code]] = {
        "SQLITE_CANTOPEN": Code(ConnectionFailed, "cannot open the file", _OPEN_HINT),
        "SQLITE_NOTADB": Code(
            ConnectionFailed,
            "the file is not a SQLite database",
            "point --db at a SQLite database file, or at a file name that does not exist yet to create one",
        ),
        "SQLITE_READONLY": Code(CannotWrite, "the database file is read-only", "use a file this user can write to"),
        "SQLITE_FULL": Code(CannotWrite, "the disk is full", "free space and run again"),
        "SQLITE_CONSTRAINT_UNIQUE": Code(LoadFailed, "duplicate key"),
        "SQLITE_CONSTRAINT_PRIMARYKEY": Code(LoadFailed, "duplicate key"),
        "SQLITE_CONSTRAINT_FOREIGNKEY": Code(LoadFailed, "foreign key violation"),
        "SQLITE_CONSTRAINT_CHECK": Code(LoadFailed, "check constraint violated"),
        "SQLITE_CONSTRAINT_NOTNULL": Code(LoadFailed, "NULL in a NOT NULL column"),
        "SQLITE_BUSY": Code(LoadFailed, "the database file is locked by another connection"),
    }

    def trigger_targets(self, text: str) -> list[str]:
        """The tables the body of an INSERT trigger inserts into (other triggers: none)."""
        head = _TRIGGER_HEAD.match(text)
        if head is None or head.group(1).upper() != "INSERT":
            return []
        return super().trigger_targets(text[head.end() :])

    def connect(self, url: str, *, timeout: float | None = None, read_only: bool = False) -> Any:
        """``sqlite:///path`` (query parameters are SQLite's URI parameters: ``mode``,
        ``cache``, ``immutable``); foreign keys are enforced on every connection (SQLite's
        default is off, and seeded data must satisfy them)."""
        import sqlite3

        path, query = sqlite_path(url), sqlite_query(url)
        if read_only:
            if path == ":memory:" or not Path(path).is_file():
                raise ConnectionFailed(f"no database file at {redact(url)}", hint="seed it first")
            query = {**query, "mode": "ro"}
        target: str = path
        uri = bool(query)
        if uri:
            params = "&".join(f"{k}={v}" for k, v in query.items())
            target = f"file:{Path(path).resolve() if path != ':memory:' else path}?{params}"
        try:
            # autocommit at the driver (isolation_level None): transactions are begun
            # explicitly, DDL included (see SQLiteSink.prepare_engine)
            con = sqlite3.connect(target, uri=uri, timeout=timeout or 5.0, isolation_level=None)
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as err:
            raise self.connection_failed(redact(url), err, _OPEN_HINT) from None
        return con

    def connection_failed(self, safe_url: str, err: BaseException | None, default_hint: str) -> ConnectionFailed:
        return ConnectionFailed(f"cannot open {safe_url}", hint=default_hint)

    def error_code(self, err: BaseException) -> str | None:
        import sqlite3

        orig = getattr(err, "orig", None) or err
        if not isinstance(orig, sqlite3.Error):
            return None
        return getattr(orig, "sqlite_errorname", None) or "SQLITE_ERROR"
