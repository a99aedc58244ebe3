"""MySQL and MariaDB: batches stream in through ``LOAD DATA LOCAL INFILE`` (PyMySQL).

Each batch is written to a temporary CSV file that the server reads back over the
connection. The CSV encoding is the one MySQL reads with ``ENCLOSED BY '"'
ESCAPED BY ''``: every value is quoted (quotes doubled, nothing else escaped, so
backslashes, commas and newlines pass through as they are) and NULL is the bare
word ``NULL`` - which a quoted ``"NULL"`` is not. Instants are sent as UTC wall
time without a zone suffix, booleans as 1/0, decimals as text and binary values
as hex decoded by ``UNHEX`` on the server.

``LOAD DATA LOCAL`` turns every rejected row (duplicate key, foreign key, check,
truncation) into a warning instead of an error, whatever the sql_mode. So every
load is followed by a look at its warnings, and the first one is raised as the
error it would have been; the table's transaction then rolls back.

Where LOCAL INFILE is refused (by the server or the client) rows go in through
multi-row INSERTs with bound parameters instead. A rerun loads into a temporary
staging table and inserts the rows whose key is missing with ``INSERT ... SELECT
... WHERE NOT EXISTS``.

Only ``CREATE``/``DROP TEMPORARY TABLE`` leave a transaction open on MySQL (plain
DROP TABLE and CREATE INDEX commit it), so the key-set table is created with its
index in one statement and dropped with the TEMPORARY keyword: a purge stays one
transaction.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

from seedbed.errors import ConnectionFailed, SeedbedError
from seedbed.sinks.base import Capabilities, DatabaseSink

if TYPE_CHECKING:
    from seedbed.plan.resolved import TableSpec

_CSV = pacsv.WriteOptions(include_header=False, quoting_style="all_valid", null_string="NULL", eol="\n")

# Session settings of every connection: UTC for TIMESTAMP columns, and errors
# (not silent truncation) for values that do not fit, in every storage engine.
_INIT = "SET time_zone = '+00:00', sql_mode = TRIM(BOTH ',' FROM CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'))"

# The server or the client refuses LOCAL INFILE: fall back to INSERTs.
_LOCAL_REFUSED = {
    1148,  # ER_NOT_ALLOWED_COMMAND (MySQL < 8, older MariaDB)
    2068,  # CR_LOAD_DATA_LOCAL_INFILE_REJECTED (client side)
    3948,  # ER_CLIENT_LOCAL_FILES_DISABLED (MySQL 8)
    4166,  # ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB 10.5+)
}

# Objects that already exist: execute_ddl leaves them as they are.
_ALREADY_EXISTS = {
    1050,  # ER_TABLE_EXISTS_ERROR
    1061,  # ER_DUP_KEYNAME (index)
    1826,  # ER_FK_DUP_NAME
    1007,  # ER_DB_CREATE_EXISTS (CREATE SCHEMA without IF NOT EXISTS)
}

# What a server error means, by error number.
_ERRNO = {
    1062: "duplicate key",
    1586: "duplicate key",
    1022: "duplicate key",
    1452: "foreign key violation (no such parent row)",
    1216: "foreign key violation (no such parent row)",
    1451: "foreign key violation (row still referenced)",
    1217: "foreign key violation (row still referenced)",
    3819: "check constraint violated",
    4025: "check constraint violated",
    1048: "NULL in a NOT NULL column",
    1263: "NULL in a NOT NULL column",
    1364: "no value for a column without a default",
    1406: "value too long for its column",
    1265: "value truncated",
    1264: "value out of range",
    1690: "value out of range",
    1366: "incorrect value for the column type",
    1292: "incorrect date or time value",
    1367: "illegal value",
    3140: "invalid JSON",
    1261: "CSV row with too few fields",
    1262: "CSV row with too many fields",
    1205: "lock wait timeout",
    1213: "deadlock",
}

_CONNECT_HINTS = {
    1045: "the server refused this user name or password",
    1698: "the server refused this user name or password",
    1044: "this user may not use that database: GRANT it access or use another user",
    1049: "the database does not exist: create it (CREATE DATABASE name) or fix the URL",
    2003: "nothing answers at that host and port: check that MySQL/MariaDB is running and the URL is right",
    2005: "the host name does not resolve: fix the URL",
    2013: "the server closed the connection: check the port and the server's log",
}

_HEX = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8)


def _errno(err: BaseException) -> int | None:
    import pymysql

    orig = getattr(err, "orig", err)
    if isinstance(orig, pymysql.err.MySQLError) and orig.args and isinstance(orig.args[0], int):
        return orig.args[0]
    return None


def _no_local_files(raw, allowed: bool = False) -> None:
    if hasattr(raw, "_local_infile"):  # PyMySQL's own switch, checked when the server asks
        raw._local_infile = allowed


def hex_text(col: pa.Array) -> pa.Array:
    """A binary column as lower-case hex text (vectorised; nulls stay null)."""
    if len(col) == 0:
        return pa.array([], pa.large_string())
    if pa.types.is_fixed_size_binary(col.type):
        col = pa.array([None if v is None else v for v in col.to_pylist()], pa.binary())
    if pa.types.is_binary(col.type):
        col = col.cast(pa.large_binary())
    if col.offset:
        col = pa.concat_arrays([col, pa.array([], col.type)])  # a copy without a slice offset
    _, offsets_buf, data_buf = col.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[: len(col) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    start = int(offsets[0]) if len(offsets) else 0
    hexed = _HEX[data[start : int(offsets[-1]) if len(offsets) else 0]].reshape(-1)
    out = pa.Array.from_buffers(
        pa.large_string(), len(col), [None, pa.py_buffer((offsets - start) * 2), pa.py_buffer(hexed.tobytes())]
    )
    return pc.if_else(col.is_valid(), out, pa.scalar(None, pa.large_string())) if col.null_count else out


def _bit_columns_as_ints(spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """MySQL's BIT(n) takes numbers: '0101' becomes 5 (PostgreSQL takes the text itself)."""
    import numpy as np
    import pyarrow.compute as pc

    def is_bit(c: str) -> bool:
        return spec.table.has_column(c) and (spec.table.column(c).type.raw or "").lower().startswith("bit")

    for b in batches:
        bits = [i for i, c in enumerate(b.schema.names) if is_bit(c)]
        if bits and b.num_rows:
            arrays = list(b.columns)
            for i in bits:
                col = arrays[i]
                if not pa.types.is_string(col.type):
                    continue
                text = col.fill_null("0")
                width = int(pc.max(pc.utf8_length(text)).as_py() or 1)
                padded = pc.utf8_lpad(text, width=width, padding="0")
                digits = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[: len(col) * width]
                values = (digits.reshape(len(col), width) - 48).astype(np.int64) @ (1 << np.arange(width - 1, -1, -1))
                arrays[i] = pa.array(values, pa.int64(), mask=col.is_null().to_numpy(zero_copy_only=False))
            fields = [
                pa.field(f.name, arrays[i].type, metadata={b"mysql_bit": b"1"}) if i in bits else f
                for i, f in enumerate(b.schema)
            ]
            b = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
        yield b


def is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def mysql_columns(batch: pa.RecordBatch, *, binary_as_hex: bool = True) -> list[pa.Array]:
    """Each column in the form MySQL reads: instants as UTC 'YYYY-MM-DD HH:MM:SS.ffffff',
    times as 'HH:MM:SS.ffffff', booleans as 1/0, binary as hex (or left as bytes)."""
    out = []
    for col in batch.columns:
        t = col.type
        if pa.types.is_dictionary(t):
            col, t = col.cast(t.value_type), t.value_type
        if pa.types.is_timestamp(t):
            # dropping the zone keeps the UTC values: the text is UTC wall time, no suffix
            col = col.cast(pa.timestamp("us"), safe=False).cast(pa.string())
        elif pa.types.is_time(t):
            col = col.cast(pa.time64("us"), safe=False).cast(pa.string())
        elif pa.types.is_boolean(t):
            col = col.cast(pa.int8())
        elif is_binary(t) and binary_as_hex:
            col = hex_text(col)
        out.append(col)
    return out


def csv_bytes_to(path: str, batch: pa.RecordBatch) -> None:
    """Write ``batch`` to ``path`` as the CSV that ``LOAD DATA`` below reads."""
    names = [f"c{i}" for i in range(batch.num_columns)]
    pacsv.write_csv(pa.RecordBatch.from_arrays(mysql_columns(batch), names=names), path, _CSV)


class MySQLSink(DatabaseSink):
    dialect = "mysql"
    sqlglot_dialect = "mysql"
    caps = Capabilities(
        supports_copy=True,  # LOAD DATA LOCAL INFILE streams a CSV file without per-row statements
        max_bind_params=65_535,  # prepared statements count placeholders in 16 bits
        supports_advisory_lock=True,  # GET_LOCK(name, timeout) is a server-wide named lock
        transactional_ddl=False,  # CREATE/ALTER/DROP TABLE commit the open transaction
    )

    def trigger_feeds(self) -> dict[str, set[str]]:
        """INSERT triggers that write into other tables (sakila's ins_film fills film_text)."""
        import re

        with self.conn.begin():
            rows = self.conn.exec_driver_sql(
                "SELECT EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS "
                "WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_MANIPULATION = 'INSERT'"
            ).fetchall()
        feeds: dict[str, set[str]] = {}
        for source, body in rows:
            for target in re.findall(r"INSERT\s+(?:IGNORE\s+)?INTO\s+`?(\w+)`?", body or "", re.IGNORECASE):
                if target != source:
                    feeds.setdefault(target, set()).add(source)
        return feeds

    def ddl_flavour(self, dialect: str) -> str:
        if dialect != "mysql":
            return dialect
        with self.conn.begin():
            version = str(self.conn.exec_driver_sql("SELECT VERSION()").scalar())
        return "mariadb" if "mariadb" in version.lower() else "mysql"

    def json_text(self, expr: str, path: list[str]) -> str:
        return f"JSON_UNQUOTE(JSON_EXTRACT({expr}, '$.{'.'.join(path)}'))"

    def __init__(self, url: str, *, local_infile: bool = True):
        """``local_infile=False`` never tries LOAD DATA LOCAL: rows go in by INSERT."""
        self.local_infile = local_infile
        super().__init__(url)
        self._guard_local_files(False)
        # the same for connections the engine opens later (reflection, inspection)
        sa.event.listen(self.engine, "connect", lambda dbapi_conn, _: _no_local_files(dbapi_conn))

    # -- connection -------------------------------------------------------------
    @staticmethod
    def sqlalchemy_url(url: str) -> str:
        u = sa.engine.make_url(url)
        if u.get_backend_name() in ("mysql", "mariadb"):
            u = u.set(drivername="mysql+pymysql")  # the sink uses PyMySQL's LOCAL INFILE and errors
        query = {"charset": "utf8mb4", "local_infile": "1", **dict(u.query), "init_command": _INIT}
        return u.set(query=query).render_as_string(hide_password=False)

    def connection_error(self, err: Exception) -> SeedbedError:
        code = _errno(err)
        what = f" (error {code})" if code else ""
        return ConnectionFailed(
            f"cannot connect to {self.safe_url}{what}",
            hint=_CONNECT_HINTS.get(code or 0, "check that MySQL/MariaDB is running and the URL is right"),
        )

    def describe_error(self, err: Exception) -> tuple[str | None, str]:
        code = _errno(err)
        if code is None:
            return None, str(err)
        orig = getattr(err, "orig", err)
        text = str(orig.args[1]) if len(orig.args) > 1 else ""
        first = text.strip().splitlines()[0] if text.strip() else ""
        label = _ERRNO.get(code)
        return str(code), f"{label}: {first}" if label else first

    def _raw(self):
        return self.conn.connection.driver_connection

    def _guard_local_files(self, allowed: bool) -> None:
        """PyMySQL sends whatever file the server names once local_infile is on; keep
        that off except while one of our own LOAD DATA statements runs."""
        _no_local_files(self._raw(), allowed)

    @contextlib.contextmanager
    def _local_files(self) -> Iterator[None]:
        self._guard_local_files(True)
        try:
            yield
        finally:
            self._guard_local_files(False)

    # -- DDL ----------------------------------------------------------------------
    def execute_ddl(self, statements: list[str]) -> None:
        """Run DDL statement by statement (each commits on MySQL); objects that already
        exist are left as they are."""
        import pymysql

        with self.conn.begin():
            cur = self._raw().cursor()
            for stmt in statements:
                try:
                    cur.execute(stmt)
                except pymysql.err.MySQLError as err:
                    if _errno(err) not in _ALREADY_EXISTS and not self._duplicate_constraint(cur, err):
                        raise

    @staticmethod
    def _duplicate_constraint(cur, err: Exception) -> bool:
        """MariaDB reports a foreign key name that exists as 1005 "can't create table",
        with the storage engine's duplicate-key code (121 / 1022) among the warnings."""
        if _errno(err) != 1005:
            return False
        cur.execute("SHOW WARNINGS")
        return any(code in (121, 1022) for _, code, _ in cur.fetchall())

    # -- loading --------------------------------------------------------------------
    def write_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> int:
        batches = _bit_columns_as_ints(spec, batches)
        cur = self._raw().cursor()
        if not merge:
            return self._copy(cur, self.qt(spec), spec.written, batches, self._order(spec, spec.written))
        stage = "seedbed_stage"
        cols = ", ".join(self.q(c) for c in spec.written)
        cur.execute(f"DROP TEMPORARY TABLE IF EXISTS {stage}")
        cur.execute(f"CREATE TEMPORARY TABLE {stage} AS SELECT {cols} FROM {self.qt(spec)} WHERE 1 = 0")
        self._copy(cur, stage, spec.written, batches, self._order(spec, spec.written))
        # NOT EXISTS, not INSERT IGNORE (which would hide every other error too); it also
        # serves tables whose key is no constraint, NULL matching NULL through <=>
        inserted = cur.execute(self.insert_missing_sql(spec, stage))
        cur.execute(f"DROP TEMPORARY TABLE {stage}")  # after a failure the next load drops it
        return int(inserted)

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        batches = _bit_columns_as_ints(spec, batches)
        self._copy(self._raw().cursor(), temp, spec.key, batches, self._order(spec, spec.key))

    @staticmethod
    def _order(spec: TableSpec, columns: tuple[str, ...]) -> list[str]:
        """Columns to sort each batch by before it is sent: InnoDB stores rows in primary-key
        order, and appending in that order instead of at random (UUIDs) saves page splits:
        a fifth of the load time of a large table. Not for a table that references itself:
        its rows must arrive in generation order, parents first."""
        pk = spec.table.primary_key
        if not pk or not set(pk) <= set(columns):
            return []
        own = {spec.name, spec.table.qualified}
        if any(fk.ref_table in own for fk in spec.table.foreign_keys):
            return []
        return list(pk)

    def _copy(
        self,
        cur,
        table: str,
        columns: tuple[str, ...],
        batches: Iterable[pa.RecordBatch],
        order: list[str] | None = None,
    ) -> int:
        """Append the batches to ``table``; rows written. LOAD DATA while it is allowed."""
        n = 0
        with tempfile.TemporaryDirectory(prefix="seedbed-") as tmp:
            path = os.path.join(tmp, "batch.csv")
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                if order and batch.num_rows > 1:
                    batch = batch.take(pc.sort_indices(batch, [(c, "ascending") for c in order]))
                if self.local_infile:
                    try:
                        n += self._load_file(cur, table, columns, batch, path)
                        self.load_path = "load data"
                        continue
                    except Exception as err:
                        if _errno(err) not in _LOCAL_REFUSED:
                            raise
                        self.local_infile = False  # refused: INSERTs from now on
                n += self._insert(cur, table, columns, batch)
                self.load_path = "insert"
        return n

    def _load_file(self, cur, table: str, columns: tuple[str, ...], batch: pa.RecordBatch, path: str) -> int:
        csv_bytes_to(path, batch)
        targets, sets = [], []
        for i, (name, field) in enumerate(zip(columns, batch.schema, strict=True)):
            if is_binary(field.type):
                targets.append(f"@v{i}")
                sets.append(f"{self.q(name)} = UNHEX(@v{i})")
            elif field.metadata and b"mysql_bit" in field.metadata:  # text '5' would be one byte 0x35
                targets.append(f"@v{i}")
                sets.append(f"{self.q(name)} = CAST(@v{i} AS UNSIGNED)")
            else:
                targets.append(self.q(name))
        sql = (
            f"LOAD DATA LOCAL INFILE {self._raw().escape(path)} INTO TABLE {table} "
            "CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' "
            f"LINES TERMINATED BY '\\n' ({', '.join(targets)})"
        )
        if sets:
            sql += " SET " + ", ".join(sets)
        with self._local_files():
            loaded = cur.execute(sql)
        self._check_load(cur, table, batch.num_rows, loaded)
        return loaded

    @staticmethod
    def _check_load(cur, table: str, sent: int, loaded: int) -> None:
        """LOAD DATA LOCAL reports rejected rows as warnings: raise the first as its error."""
        import pymysql

        warnings = getattr(getattr(cur, "_result", None), "warning_count", None)
        if warnings is None or warnings > 0:  # (None: this PyMySQL does not say; look)
            cur.execute("SHOW WARNINGS")
            for level, code, message in cur.fetchall():
                if level in ("Warning", "Error"):
                    cls = pymysql.err.error_map.get(code, pymysql.err.DataError)
                    raise cls(code, message)
        if loaded != sent:
            raise pymysql.err.DataError(1261, f"LOAD DATA stored {loaded} of {sent} rows into {table}")

    def _insert(self, cur, table: str, columns: tuple[str, ...], batch: pa.RecordBatch) -> int:
        """Multi-row INSERTs with bound parameters, at most max_bind_params per chunk
        (PyMySQL further splits a chunk into statements of about 1 MB)."""
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(self.q(c) for c in columns)}) VALUES ({marks})"
        values = [c.to_pylist() for c in mysql_columns(batch, binary_as_hex=False)]
        rows = list(zip(*values, strict=True))
        step = max(1, self.caps.max_bind_params // max(1, len(columns)))
        n = 0
        for a in range(0, len(rows), step):
            n += cur.executemany(sql, rows[a : a + step])
        return n

    # -- key sets -----------------------------------------------------------------------
    null_safe_eq = "<=>"  # MySQL's IS NOT DISTINCT FROM

    def _with_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], index: int | None = None) -> str:
        """The key set as an indexed temporary table, created in one statement: CREATE
        INDEX (and a DROP TABLE without TEMPORARY) would commit the open transaction.

        The columns keep their types but not NOT NULL (they come from the inner side
        of an outer join), so a batch may carry NULLs for columns to be cleared.
        ``index`` limits the index to the first columns (the key proper).
        """
        temp = "seedbed_keys"
        cols = ", ".join(f"t.{self.q(c)}" for c in spec.key)
        indexed = self._index_columns(spec, spec.key[:index])
        cur = self._raw().cursor()
        cur.execute(f"DROP TEMPORARY TABLE IF EXISTS {temp}")
        cur.execute(
            f"CREATE TEMPORARY TABLE {temp} {f'(INDEX {temp}_idx ({indexed})) ' if indexed else ''}"
            f"AS SELECT {cols} FROM (SELECT 1) one LEFT JOIN {self.qt(spec)} t ON 1 = 0 WHERE 1 = 0"
        )
        self.write_keys(spec, temp, batches)
        return temp

    def _index_columns(self, spec: TableSpec, columns: tuple[str, ...]) -> str:
        """An index that fits MySQL's limits over a key that may be every column of a table
        without one: at most 8 columns, long text and binary by a 64-character prefix
        (whole they cannot be indexed), JSON left out."""
        parts = []
        for c in columns:
            t = spec.table.column(c).type
            if t.kind in ("json", "array", "other"):
                continue
            if t.kind == "bytes":
                fixed = re.match(r"\s*(?:VAR)?BINARY\s*\(\s*(\d+)\s*\)", t.raw or "", re.IGNORECASE)
                long = not fixed or int(fixed.group(1)) > 64  # BLOB (or bytea: LONGBLOB here)
            else:
                long = t.kind == "text" or (t.kind in ("varchar", "char") and (t.length or 255) > 64)
            parts.append(f"{self.q(c)}(64)" if long else self.q(c))
        return ", ".join(parts[:8])

    def count_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
        with self.conn.begin():
            temp = self._with_keys(spec, batches)
            cur = self._raw().cursor()
            cur.execute(
                f"SELECT count(*) FROM {temp} k WHERE EXISTS "
                f"(SELECT 1 FROM {self.qt(spec)} t WHERE {self._match(spec, 't')})"
            )
            (n,) = cur.fetchone()
            cur.execute(f"DROP TEMPORARY TABLE {temp}")
        return int(n)

    def delete_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
        """Delete exactly the rows with the given keys, in the caller's transaction.

        InnoDB checks a foreign key row by row, so rows of a self-referencing table
        (a tree) would block each other's deletion: their nullable self-references are
        cleared first, in the same transaction.
        """
        temp = self._with_keys(spec, batches)
        cur = self._raw().cursor()
        join = f"{self.qt(spec)} AS t JOIN {temp} k ON {self._match(spec, 't')}"
        own = {spec.name, spec.table.qualified}
        for fk in spec.table.foreign_keys:
            if fk.ref_table in own and all(spec.table.column(c).nullable for c in fk.columns):
                cur.execute(f"UPDATE {join} SET " + ", ".join(f"t.{self.q(c)} = NULL" for c in fk.columns))
        deleted = cur.execute(f"DELETE t FROM {join}")
        cur.execute(f"DROP TEMPORARY TABLE {temp}")
        return int(deleted)

    def update_columns(self, spec: TableSpec, columns: tuple[str, ...], batches: Iterable[pa.RecordBatch]) -> int:
        """Set ``columns`` of the rows identified by the key (batches: key + columns), in
        the caller's transaction: a multi-table UPDATE against the loaded key set."""
        from dataclasses import replace

        wide = replace(spec, key=spec.key + tuple(c for c in columns if c not in spec.key))
        temp = self._with_keys(wide, batches, index=len(spec.key))
        cur = self._raw().cursor()
        sets = ", ".join(f"t.{self.q(c)} = k.{self.q(c)}" for c in columns)
        changed = cur.execute(f"UPDATE {self.qt(spec)} AS t JOIN {temp} k ON {self._match(spec, 't')} SET {sets}")
        cur.execute(f"DROP TEMPORARY TABLE {temp}")
        return int(changed)

    def checks_off(self):
        """Foreign keys unchecked for this session (foreign_key_checks = 0); seed verifies
        the cut keys itself once everything is in."""

        @contextlib.contextmanager
        def unchecked() -> Iterator[None]:
            cur = self._raw().cursor()
            cur.execute("SET SESSION foreign_key_checks = 0")
            try:
                yield
            finally:
                self._raw().cursor().execute("SET SESSION foreign_key_checks = 1")

        return unchecked()

    # after_load: nothing to do - InnoDB moves AUTO_INCREMENT past explicit values itself

    # -- the run manifest -------------------------------------------------------------
    def _manifest_table(self) -> sa.Table:
        from sqlalchemy.dialects.mysql import LONGTEXT

        t = super()._manifest_table()
        t.c.manifest.type = LONGTEXT()  # TEXT holds 64 KB: a manifest of many tables is more
        return t
