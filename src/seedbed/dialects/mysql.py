"""MySQL and MariaDB: backquotes, a database per schema, executable comments, errnos.

MariaDB is a flavour of the MySQL dialect: the same types, catalog and errors, but its
own reading of versioned comments in dump files and its own catalog of CHECKs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from seedbed.dialects.base import Capabilities, Code, Dialect, TableDraft, no_driver, password_free
from seedbed.dialects.urls import Parts, redact
from seedbed.errors import CannotWrite, ConnectionFailed, LoadFailed

# Session settings of every connection: UTC for TIMESTAMP columns, and errors (not
# silent truncation) for values that do not fit, in every storage engine.
SESSION_INIT = "SET time_zone = '+00:00', sql_mode = TRIM(BOTH ',' FROM CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'))"

_URL_OPTIONS = {  # query parameters of a mysql:// URL the driver takes, and their types
    "charset": str,
    "unix_socket": str,
    "connect_timeout": int,
    "read_timeout": int,
    "write_timeout": int,
    "ssl_ca": str,
    "ssl_cert": str,
    "ssl_key": str,
    "ssl_capath": str,
    "ssl_cipher": str,
}


def _errors(codes: dict[int, Code]) -> dict[str, Code]:
    return {str(k): v for k, v in codes.items()}


def _load(meaning: str) -> Code:
    return Code(LoadFailed, meaning)


class MySQL(Dialect):
    name = "mysql"
    aliases = ()
    family = "mysql"
    sqlglot = "mysql"
    url_schemes = ("mysql", "mariadb")
    sqlalchemy_url = "mysql+pymysql://"
    label = "MySQL/MariaDB"
    extra = "mysql"

    quote_char = "`"
    default_schema = None  # the database in the URL

    TYPES = {
        **Dialect.TYPES,
        "int": "INT",
        "numeric": "DECIMAL",
        "float": "DOUBLE",
        "text": "LONGTEXT",
        "timestamp": "DATETIME(6)",
        "timestamptz": "DATETIME(6)",
        "time": "TIME(6)",
        "interval": "VARCHAR(64)",
        "uuid": "CHAR(36)",
        "json": "JSON",
        "bytes": "LONGBLOB",
        "enum": "ENUM",
        "array": "JSON",
        "geometry": "GEOMETRY",
        "other": "LONGTEXT",
    }
    identity_clause = "AUTO_INCREMENT"
    varchar_needs_length = True
    bare_char_length = 1
    tinyint_one_is_bool = True
    geometry_types = frozenset(
        {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
         "geometrycollection", "geomcollection"}
    )  # fmt: skip
    booleans_are_numbers = True

    partition_clause = True
    unique_index_is_constraint = True
    keys_take_names = True
    default_may_hold_on_update = True
    client_script = True
    schema_is_database = True
    reread_on_server = True
    if_not_exists = frozenset({"table", "schema"})

    caps = Capabilities(
        transactional_ddl=False,  # CREATE/ALTER/DROP commit the open transaction
        deferrable_constraints=False,
        partial_indexes=False,
        inline_enums=True,
        max_bind_params=65_535,  # prepared statements count placeholders in 16 bits
        split_load=True,  # InnoDB takes a table's rows from several sessions at once, on as many cores
    )

    TABLE_PARTITIONS_SQL = """
SELECT TABLE_NAME AS name, PARTITION_NAME AS part, PARTITION_METHOD AS method,
       PARTITION_EXPRESSION AS expr, PARTITION_DESCRIPTION AS description
FROM information_schema.PARTITIONS
WHERE TABLE_SCHEMA = :schema AND PARTITION_NAME IS NOT NULL
ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION
"""
    TRIGGERS_SQL = (
        "SELECT EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS "
        "WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_MANIPULATION = 'INSERT'"
    )
    COLUMN_TYPES_SQL = (
        "SELECT TABLE_SCHEMA AS `schema`, TABLE_NAME AS name, COLUMN_NAME AS `column`, COLUMN_TYPE AS type "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
    )
    REFERENCE_ERRORS = frozenset({"1451"})
    DROP_TEMP_SQL = "DROP TEMPORARY TABLE {table}"
    # CREATE INDEX would commit the transaction: the index comes with the table
    MASK_PAIRS_SQL = (
        "CREATE TEMPORARY TABLE {temp} (INDEX {temp}_o ({part})) "  # fmt: skip
        "AS SELECT {col} AS o, {col} AS f FROM {table} WHERE 1 = 0"
    )
    MASK_INDEX_SQL = None
    RAISED = frozenset({"1644"})  # SIGNAL SQLSTATE '45000' in a trigger
    RETRY = frozenset({"1213", "1205"})  # deadlock, lock wait timeout
    TABLE_EXISTS_SQL = "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s"
    STRUCTURE_SQL = """
SELECT TABLE_NAME, INDEX_NAME,
       CONCAT(IF(MAX(NON_UNIQUE) = 0, 'UNIQUE ', ''), 'INDEX (',
              GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX), ')'), 1
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() GROUP BY TABLE_NAME, INDEX_NAME
UNION ALL
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME,
       CONCAT('FOREIGN KEY (', GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION), ') REFERENCES ',
              MAX(k.REFERENCED_TABLE_NAME)), 1
FROM information_schema.KEY_COLUMN_USAGE k
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME
UNION ALL
SELECT TABLE_NAME, CONSTRAINT_NAME, 'CHECK', 1 FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK'
"""
    # a named lock held by the session; names are server-wide, so the database's is in it
    LOCK_SQL = "SELECT GET_LOCK(CONCAT('seedbed:', MD5(DATABASE())), 0)"
    UNLOCK_SQL = "SELECT RELEASE_LOCK(CONCAT('seedbed:', MD5(DATABASE())))"
    LOCK_HOLDER_SQL = (
        "SELECT CONCAT('connection ', ID, ' of ', USER, '@', HOST)"
        " FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(CONCAT('seedbed:', MD5(DATABASE())))"
    )
    # Columns whose default draws from a MariaDB sequence (DEFAULT nextval(s), reported as
    # nextval(`db`.`s`)): writing a value there leaves the sequence where it was. (AUTO_INCREMENT
    # moves past written values by itself; MySQL has no sequences and this finds nothing.)
    SEQUENCES_SQL = (
        "SELECT COLUMN_NAME AS `column`, SUBSTRING(COLUMN_DEFAULT, 9, CHAR_LENGTH(COLUMN_DEFAULT) - 9) AS `sequence` "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(%(schema)s, DATABASE()) "
        "AND TABLE_NAME = %(name)s AND COLUMN_DEFAULT LIKE 'nextval(%%)'"
    )

    ERRORS: ClassVar[dict[str, Code]] = _errors(
        {
            # connecting
            1045: Code(ConnectionFailed, "access denied", "the server refused this user name or password"),
            1698: Code(ConnectionFailed, "access denied", "the server refused this user name or password"),
            1044: Code(
                ConnectionFailed,
                "no access to the database",
                "this user may not use that database: GRANT it access or use another user",
            ),
            1049: Code(
                ConnectionFailed,
                "no such database",
                "the database does not exist: create it (CREATE DATABASE name) or fix the URL",
            ),
            2003: Code(
                ConnectionFailed,
                "no server",
                "nothing answers at that host and port: check that MySQL/MariaDB is running and the URL is right",
            ),
            2005: Code(ConnectionFailed, "unknown host", "the host name does not resolve: fix the URL"),
            2013: Code(
                ConnectionFailed,
                "connection lost",
                "the server closed the connection: check the port and the server's log",
            ),
            # rows the database rejects
            1062: _load("duplicate key"),
            1586: _load("duplicate key"),
            1022: _load("duplicate key"),
            1452: _load("foreign key violation (no such parent row)"),
            1216: _load("foreign key violation (no such parent row)"),
            1451: _load("foreign key violation (row still referenced)"),
            1217: _load("foreign key violation (row still referenced)"),
            3819: _load("check constraint violated"),
            4025: _load("check constraint violated"),
            1048: _load("NULL in a NOT NULL column"),
            1263: _load("NULL in a NOT NULL column"),
            1364: _load("no value for a column without a default"),
            1406: _load("value too long for its column"),
            1265: _load("value truncated"),
            1264: _load("value out of range"),
            1690: _load("value out of range"),
            1366: _load("incorrect value for the column type"),
            1292: _load("incorrect date or time value"),
            1367: _load("illegal value"),
            3140: _load("invalid JSON"),
            1261: _load("CSV row with too few fields"),
            1262: _load("CSV row with too many fields"),
            1205: _load("lock wait timeout"),
            1213: _load("deadlock"),
            1290: Code(CannotWrite, "the server runs read-only", "use a server this user can write to"),
            1142: Code(CannotWrite, "command denied", "GRANT this user the rights it needs, or use another"),
            1114: Code(CannotWrite, "the table is full", "free space on the server and run again"),
            1021: Code(CannotWrite, "the server's disk is full", "free space on the server and run again"),
        }
    )
    EXISTS = frozenset(
        str(code)
        for code in (
            1050,  # ER_TABLE_EXISTS_ERROR
            1061,  # ER_DUP_KEYNAME (index)
            1826,  # ER_FK_DUP_NAME
            1007,  # ER_DB_CREATE_EXISTS (CREATE SCHEMA without IF NOT EXISTS)
        )
    )
    # The server or the client refuses LOCAL INFILE: rows go in by INSERT instead.
    LOCAL_INFILE_REFUSED: ClassVar[frozenset[str]] = frozenset(
        str(code)
        for code in (
            1148,  # ER_NOT_ALLOWED_COMMAND (MySQL < 8, older MariaDB)
            2068,  # CR_LOAD_DATA_LOCAL_INFILE_REJECTED (client side)
            3948,  # ER_CLIENT_LOCAL_FILES_DISABLED (MySQL 8)
            4166,  # ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB 10.5+)
        )
    )

    def executed_comment(self, version: str, own_marker: bool) -> bool:
        # MySQL runs /*! ... */ and /*!NNNNN ... */; /*M! ... */ is MariaDB's and a comment here
        return not own_marker and len(version) in (0, 5)

    def name_constraints(self, drafts: Iterable[TableDraft], taken: dict[str | None, set[str]]) -> None:
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

    # -- connections ---------------------------------------------------------------------------
    def connect(
        self, url: str, *, timeout: float | None = None, read_only: bool = False, local_files: bool = False
    ) -> Any:
        """``local_files``: the connection may send files for LOAD DATA LOCAL INFILE, but only
        while the caller allows it (PyMySQL would send whatever file a server names)."""
        try:
            import pymysql
            from pymysql.constants import CLIENT
        except ModuleNotFoundError as err:
            raise no_driver(self, err) from None
        p = Parts(url)
        options: dict[str, Any] = {"charset": "utf8mb4"}
        ssl = {}
        for key, value in p.query.items():
            if key == "local_infile":  # ?local_infile=0: never offer the server local files
                local_files = local_files and value.lower() not in ("0", "false", "no", "off")
                continue
            kind = _URL_OPTIONS.get(key)
            if kind is None:
                raise ConnectionFailed(
                    f"unknown option {key!r} in {redact(url)}", hint=f"options: {', '.join(sorted(_URL_OPTIONS))}"
                )
            if key.startswith("ssl_"):
                ssl[key[4:]] = value
            else:
                options[key] = kind(value)
        if ssl:
            options["ssl"] = ssl
        if timeout:
            options["connect_timeout"] = max(1, int(timeout))
        try:
            con = pymysql.connect(
                host=p.host or "localhost",
                port=p.port or 3306,
                user=p.user or "root",
                password=p.password or "",
                database=p.database,
                init_command=SESSION_INIT,
                local_infile=local_files,
                # rows matched, not rows changed, as SQLAlchemy's MySQL dialects expect
                client_flag=CLIENT.FOUND_ROWS,
                **options,
            )
        except pymysql.err.MySQLError as err:
            failed = self.connection_failed(
                redact(url), err, "check that MySQL/MariaDB is running and the URL is right"
            )
            # can't connect (nothing listens yet), too many connections, lost during the handshake
            failed.transient = self.error_code(err) in ("2003", "1040", "2013")
            raise failed from None
        except (ValueError, TypeError, OSError) as err:
            reason = password_free(str(err), p.password)
            raise ConnectionFailed(
                f"cannot connect to {redact(url)}: {reason}",
                hint="check that MySQL/MariaDB is running and the URL is right",
            ) from None
        allow_local_files(con, False)
        return con

    def error_code(self, err: BaseException) -> str | None:
        import pymysql

        orig = getattr(err, "orig", None) or err
        if isinstance(orig, pymysql.err.MySQLError) and orig.args and isinstance(orig.args[0], int):
            return str(orig.args[0])
        return None

    # the client's own codes: gone away, lost during a query, out of sync, lost at the
    # handshake; 0: the socket closed under the driver (a signal, a kill)
    LOST = frozenset({"0", "2006", "2013", "2014", "2055"})

    def reflected_name(self, name: str) -> str:
        """The inspector reads names out of SHOW CREATE TABLE and leaves a backtick in one
        doubled (```a``b``` is reported as ``a``b``)."""
        return name.replace("``", "`")

    def code_suffix(self, code: str | None) -> str:
        return f" (error {code})" if code else ""

    def mask_update_sql(self, table: str, columns: list[tuple[str, str]]) -> str:
        """A multi-table UPDATE: a temporary table may appear only once in a MySQL statement."""
        joins = " ".join(f"LEFT JOIN {temp} m{i} ON t.{c} = m{i}.o" for i, (c, temp) in enumerate(columns))
        sets = ", ".join(f"t.{c} = coalesce(m{i}.f, t.{c})" for i, (c, _) in enumerate(columns))
        return f"UPDATE {table} t {joins} SET {sets}"

    def json_text(self, expr: str, path: list[str]) -> str:
        return f"JSON_UNQUOTE(JSON_EXTRACT({expr}, '$.{'.'.join(path)}'))"


class MariaDB(MySQL):
    """MySQL's dialect as a MariaDB server reads it."""

    name = "mariadb"
    family = "mysql"

    # MariaDB keeps a column-level CHECK in the column's definition, where SQLAlchemy
    # does not look; the catalog has every check (MariaDB: with its table).
    CHECKS_SQL = """
SELECT TABLE_NAME AS name, CONSTRAINT_NAME AS conname, CHECK_CLAUSE AS sqltext
FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = :schema
"""

    def executed_comment(self, version: str, own_marker: bool) -> bool:
        # MariaDB skips MySQL 5.7+ features (versions 50700-99999) and runs its own /*M! ... */
        return own_marker or not version or not 50700 <= int(version) < 100000


def allow_local_files(con: Any, allowed: bool) -> None:
    """PyMySQL's own switch, checked when the server asks for a local file."""
    if hasattr(con, "_local_infile"):
        con._local_infile = allowed
