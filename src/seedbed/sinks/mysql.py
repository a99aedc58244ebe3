"""MySQL and MariaDB: batches stream in through ``LOAD DATA LOCAL INFILE`` (PyMySQL).

Each batch is written to a temporary CSV file that the server reads back over the
connection, in the encoding MySQL reads with ``ENCLOSED BY '"' ESCAPED BY ''``
(``mysqlcsv.py``). A table of more than one batch goes in through several sessions
at once, committed as one (``mysqlsplit.py``).

``LOAD DATA LOCAL`` turns every rejected row (duplicate key, foreign key, check,
truncation) into a warning instead of an error, whatever the sql_mode. So every
load is followed by a look at its warnings, and the first one is raised as the
error it would have been; the table's transaction then rolls back.

Where LOCAL INFILE is refused (by the server or the client) rows go in through
multi-row INSERTs with bound parameters instead. A rerun loads into a temporary
staging table and inserts the rows whose key is missing with ``INSERT ... SELECT
... WHERE NOT EXISTS``.

Only ``CREATE``/``DROP TEMPORARY TABLE`` leave a transaction open on MySQL, so the
key-set table is created with its index in one statement and dropped with the
TEMPORARY keyword: a purge stays one transaction.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from seedbed import dialects
from seedbed.dialects import Dialect, MySQL
from seedbed.dialects.mysql import allow_local_files
from seedbed.sinks.mysqlcsv import csv_bytes_to, is_binary, mysql_batches, mysql_columns
from seedbed.sinks.mysqlsplit import SplitLoading

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

_MARIADB, _MYSQL = dialects.get("mariadb"), dialects.get("mysql")
# a shape from (E)WKT text: the SRID prefix, if any, is PostGIS's and left out
_GEOMETRY = "ST_GeomFromText(SUBSTRING_INDEX({}, ';', -1))"


class MySQLSink(SplitLoading):
    dialect: ClassVar[Dialect] = _MYSQL
    url_options: ClassVar[dict[str, Any]] = {"local_files": True}  # for LOAD DATA LOCAL, allowed only while it runs

    def __init__(self, url: str, *, local_infile: bool = True, connections: int = 1):
        """``local_infile=False`` never tries LOAD DATA LOCAL: rows go in by INSERT.
        ``connections``: sessions one table's rows may go in through (sinks/mysqlsplit.py)."""
        self.local_infile = local_infile
        self.connections = connections
        self.path = ""  # how the last rows went in
        self._flavour: Dialect | None = None
        super().__init__(url)

    @property
    def flavour(self) -> Dialect:
        """MariaDB or MySQL, as the server says: they read versioned comments differently."""
        if self._flavour is None:
            with self.conn.begin():
                version = str(self.conn.exec_driver_sql("SELECT VERSION()").scalar())
            self._flavour = _MARIADB if "mariadb" in version.lower() else _MYSQL
        return self._flavour

    def describe_error(self, err: BaseException) -> tuple[str | None, str]:
        code = self.dialect.error_code(err)
        if code is None:
            return None, str(err)
        orig = getattr(err, "orig", None) or err
        text = str(orig.args[1]) if len(orig.args) > 1 else ""
        first = text.strip().splitlines()[0] if text.strip() else ""
        known = self.dialect.ERRORS.get(code)
        return code, f"{known.meaning}: {first}" if known else first

    # -- DDL ----------------------------------------------------------------------
    def execute(self, statements: Sequence[str], *, skip_existing: bool = False) -> None:
        """Run DDL statement by statement (each commits on MySQL); ``skip_existing``
        leaves objects that already exist as they are. Inside an open transaction (a
        statement that changes rows, as a tenant's purge runs) it joins that one."""
        with contextlib.nullcontext() if self.conn.in_transaction() else self.conn.begin():
            cur = self._raw().cursor()
            for stmt in statements:
                try:
                    cur.execute(stmt)
                except Exception as err:
                    exists = self.dialect.exists_error(err) or self._duplicate_constraint(cur, err)
                    if not (skip_existing and exists):
                        raise

    def _duplicate_constraint(self, cur: Any, err: BaseException) -> bool:
        """MariaDB reports a foreign key name that exists as 1005 "can't create table",
        with the storage engine's duplicate-key code (121 / 1022) among the warnings."""
        if self.dialect.error_code(err) != "1005":
            return False
        cur.execute("SHOW WARNINGS")
        return any(code in (121, 1022) for _, code, _ in cur.fetchall())

    # -- loading --------------------------------------------------------------------
    def write_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> tuple[int, str]:
        batches = mysql_batches(spec, batches)
        cur = self._raw().cursor()
        if not merge:
            seen: list[pa.RecordBatch] = []
            try:
                n = self._copy(cur, self.qt(spec), spec.written, _last(batches, seen), self._order(spec, spec.written))
            except Exception as err:
                if self.dialect.error_code(err) != "1452" or not seen:
                    raise
                raise self._orphan(spec, seen[0], err) from err
            return n, self.path
        stage = "seedbed_stage"
        cols = ", ".join(self.q(c) for c in spec.written)
        cur.execute(f"DROP TEMPORARY TABLE IF EXISTS {stage}")
        cur.execute(f"CREATE TEMPORARY TABLE {stage} AS SELECT {cols} FROM {self.qt(spec)} WHERE 1 = 0")
        self._copy(cur, stage, spec.written, batches, self._order(spec, spec.written))
        # NOT EXISTS, not INSERT IGNORE (which would hide every other error too); it also
        # serves tables whose key is no constraint, NULL matching NULL through <=>
        inserted = cur.execute(self.insert_missing_sql(spec, stage))
        cur.execute(f"DROP TEMPORARY TABLE {stage}")  # after a failure the next load drops it
        return int(inserted), self.path

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        batches = mysql_batches(spec, batches)
        self._copy(self._raw().cursor(), temp, spec.key, batches, self._order(spec, spec.key))

    def order_of(self, spec: TableSpec) -> list[str]:
        return self._order(spec, spec.written)

    def refused_batch(self, spec: TableSpec, batch: pa.RecordBatch | None, err: BaseException) -> BaseException:
        """A batch's refusal; an orphan in it named (MySQL names only the foreign key)."""
        return self._orphan(spec, batch, err) if batch is not None and self.dialect.error_code(err) == "1452" else err

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
        cur: Any,
        table: str,
        columns: tuple[str, ...],
        batches: Iterable[pa.RecordBatch],
        order: list[str] | None = None,
    ) -> int:
        """Append the batches to ``table``; rows written. LOAD DATA while it is allowed
        (``self.path`` says which went)."""
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
                        n += self.load_file(cur, table, columns, batch, path)
                        self.path = "load data"
                        continue
                    except Exception as err:
                        if self.dialect.error_code(err) not in MySQL.LOCAL_INFILE_REFUSED:
                            raise
                        self.local_infile = False  # refused: INSERTs from now on
                n += self._insert(cur, table, columns, batch)
                self.path = "insert"
        return n

    def load_file(
        self, cur: Any, table: str, columns: tuple[str, ...], batch: pa.RecordBatch, path: str, con: Any = None
    ) -> int:
        """One batch through LOAD DATA LOCAL on ``con`` (the sink's own connection when None)."""
        con = con if con is not None else self._raw()
        csv_bytes_to(path, batch)
        targets, sets = [], []
        for i, (name, field) in enumerate(zip(columns, batch.schema, strict=True)):
            if is_binary(field.type):
                targets.append(f"@v{i}")
                sets.append(f"{self.q(name)} = UNHEX(@v{i})")
            elif field.metadata and b"mysql_bit" in field.metadata:  # text '5' would be one byte 0x35
                targets.append(f"@v{i}")
                sets.append(f"{self.q(name)} = CAST(@v{i} AS UNSIGNED)")
            elif field.metadata and b"mysql_geometry" in field.metadata:  # WKT text into a shape
                targets.append(f"@v{i}")
                sets.append(f"{self.q(name)} = {_GEOMETRY.format(f'@v{i}')}")
            else:
                targets.append(self.q(name))
        sql = (
            f"LOAD DATA LOCAL INFILE {con.escape(path)} INTO TABLE {table} "
            "CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' "
            f"LINES TERMINATED BY '\\n' ({', '.join(targets)})"
        )
        if sets:
            sql += " SET " + ", ".join(sets)
        allow_local_files(con, True)
        try:
            loaded = cur.execute(sql)
        finally:
            allow_local_files(con, False)
        self._check_load(cur, table, batch.num_rows, loaded)
        return loaded

    def _orphan(self, spec: TableSpec, batch: pa.RecordBatch, err: BaseException) -> BaseException:
        """MySQL names the foreign key a row broke, not the row: the first value of the
        refused batch that its parent table does not hold, looked up and named."""
        _, detail = self.describe_error(err)
        found = re.search(r"CONSTRAINT `((?:[^`]|``)+)` FOREIGN KEY", detail)
        name = found.group(1).replace("``", "`") if found else None
        for fk in spec.table.foreign_keys:
            if fk.name != name or len(fk.columns) != 1 or fk.columns[0] not in batch.schema.names:
                continue
            values = [v for v in dict.fromkeys(batch.column(fk.columns[0]).to_pylist()) if v is not None]
            cur = self._raw().cursor()
            parent = self.qname(fk.ref_table)
            for a in range(0, len(values), 1000):
                chunk = values[a : a + 1000]
                marks = ", ".join(["%s"] * len(chunk))
                cur.execute(f"SELECT {self.q(fk.ref_columns[0])} FROM {parent} WHERE {self.q(fk.ref_columns[0])} "
                            f"IN ({marks})", chunk)  # fmt: skip
                there = {row[0] for row in cur.fetchall()}
                missing = next((v for v in chunk if v not in there), None)
                if missing is not None:
                    detail = f"{detail}; a row has {fk.columns[0]}={missing!r}, which no {fk.ref_table} row has"
                    return self.dialect.load_failed(spec.name, "1452", detail)
        return err

    @staticmethod
    def _check_load(cur: Any, table: str, sent: int, loaded: int) -> None:
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

    def _insert(self, cur: Any, table: str, columns: tuple[str, ...], batch: pa.RecordBatch) -> int:
        """Multi-row INSERTs with bound parameters, at most max_bind_params per chunk
        (PyMySQL further splits a chunk into statements of about 1 MB)."""
        marks = ", ".join(
            _GEOMETRY.format("%s") if f.metadata and b"mysql_geometry" in f.metadata else "%s" for f in batch.schema
        )
        sql = f"INSERT INTO {table} ({', '.join(self.q(c) for c in columns)}) VALUES ({marks})"
        values = [c.to_pylist() for c in mysql_columns(batch, binary_as_hex=False)]
        rows = list(zip(*values, strict=True))
        step = max(1, self.dialect.caps.max_bind_params // max(1, len(columns)))
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

    def _shadow(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> str:
        """As on the other databases, in statements that leave the transaction open: the
        indexes are declared in the CREATE, and the shadow is made under its own name (a
        temporary table may take a real one's name; the SELECT still reads the real one)."""
        keys = self._with_keys(spec, batches)
        name = self.q(spec.table.name)
        indexed = [self._index_columns(spec, cols) for cols in self._shadow_indexes(spec)]
        indexes = ", ".join(f"INDEX seedbed_own_{i} ({cols})" for i, cols in enumerate(indexed) if cols)
        cur = self._raw().cursor()
        try:
            cur.execute(
                f"CREATE TEMPORARY TABLE {name} {f'({indexes}) ' if indexes else ''}"
                f"AS SELECT t.* FROM {self.qt(spec)} t "
                f"WHERE EXISTS (SELECT 1 FROM {keys} k WHERE {self._match(spec, 't')})"
            )
            cur.execute(f"DROP TEMPORARY TABLE {keys}")
        finally:
            cur.close()
        return name

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

    def _count_many(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
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

    def delete(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
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
        try:
            deleted = cur.execute(f"DELETE t FROM {join}")
        except Exception as err:
            raise self._still_referenced(spec, err) from None
        cur.execute(f"DROP TEMPORARY TABLE {temp}")
        return int(deleted)

    def update(self, spec: TableSpec, columns: tuple[str, ...], batches: Iterable[pa.RecordBatch]) -> int:
        """Set ``columns`` of the rows identified by the key (batches: key + columns), in
        the caller's transaction: a multi-table UPDATE against the loaded key set."""
        wide = replace(spec, key=spec.key + tuple(c for c in columns if c not in spec.key))
        temp = self._with_keys(wide, batches, index=len(spec.key))
        cur = self._raw().cursor()
        sets = ", ".join(f"t.{self.q(c)} = k.{self.q(c)}" for c in columns)
        on = f"{self._match(spec, 't')} AND {self.differs(spec, 't', columns)}"
        changed = cur.execute(f"UPDATE {self.qt(spec)} AS t JOIN {temp} k ON {on} SET {sets}")
        cur.execute(f"DROP TEMPORARY TABLE {temp}")
        return int(changed)

    @contextlib.contextmanager
    def unchecked(self) -> Iterator[None]:
        """Foreign keys unchecked for this session (foreign_key_checks = 0); seed verifies
        the cut keys itself once everything is in."""
        cur = self._raw().cursor()
        cur.execute("SET SESSION foreign_key_checks = 0")
        try:
            yield
        finally:
            self._raw().cursor().execute("SET SESSION foreign_key_checks = 1")

    def advance_sequence(self, sequence: str, low: int, high: int) -> None:
        """A MariaDB sequence a column's default draws from; SETVAL ignores a value behind the
        sequence. (AUTO_INCREMENT needs nothing: InnoDB moves it past written values itself.)"""
        self._raw().cursor().execute(f"SELECT SETVAL({sequence}, %s)", (high,))


def _last(batches: Iterable[pa.RecordBatch], seen: list[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches, keeping the one in flight in ``seen`` (to name a row it held if refused)."""
    for batch in batches:
        seen[:] = [batch]
        yield batch
