"""SQLite: one transaction of prepared inserts per table.

SQLite has no bulk-load statement, so rows go through ``executemany`` on one
prepared INSERT. Values are converted column-wise first: instants become ISO-8601
text (which sorts and compares correctly), decimals text (numeric affinity stores
them as numbers), booleans 0/1.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.sinks.base import DatabaseSink, Deferral

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

_CREATE_INDEX = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\s+(?!IF\s+NOT\s+EXISTS\b)", re.IGNORECASE)


def python_columns(batch: pa.RecordBatch) -> list[list[Any]]:
    """Each column as a list of values the sqlite3 module binds directly."""
    out = []
    for col in batch.columns:
        t = col.type
        if pa.types.is_timestamp(t):
            text = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
            col = pc.binary_join_element_wise(text, pa.scalar("+00:00"), "") if t.tz else text
        elif pa.types.is_date(t) or pa.types.is_time(t) or pa.types.is_decimal(t):
            col = col.cast(pa.string())
        elif pa.types.is_boolean(t):
            col = col.cast(pa.int8())
        out.append(col.to_pylist())
    return out


class SQLiteSink(DatabaseSink):
    dialect: ClassVar[Dialect] = dialects.get("sqlite")
    null_safe_eq = "IS"

    def driver_values(self, col: pa.Array) -> list[Any]:
        return python_columns(pa.RecordBatch.from_arrays([col], names=["v"]))[0]

    @contextlib.contextmanager
    def unchecked(self) -> Iterator[None]:
        """PRAGMA foreign_keys off between transactions (it cannot change inside one)."""
        self.conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        self.conn.commit()
        try:
            yield
        finally:
            self.conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            self.conn.commit()

    def deferrable(self, spec: TableSpec) -> Deferral | None:
        """(drop, recreate) statements for an empty table's own CREATE INDEX indexes: one
        sorted build after the load instead of a B-tree insert per row. The keys declared in
        the table (PRIMARY KEY, UNIQUE) cannot be dropped in SQLite and stay."""
        if spec.table.schema not in (None, "main"):
            return None
        with self.conn.begin():
            if self.conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {self.qt(spec)})").scalar():
                return None
            rows = self.conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                "ORDER BY name",
                (spec.table.name,),
            ).fetchall()
        if not rows:
            return None
        # rebuilt with IF NOT EXISTS: an index that is back already (SQLite has no error code for it) stays
        return Deferral([f"DROP INDEX {self.q(name)}" for name, _ in rows], [_if_absent(sql) for _, sql in rows])

    def _insert(self, spec: TableSpec, table: str, columns: tuple[str, ...], merge: bool) -> str:
        cols = ", ".join(self.q(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        if merge:
            sql += f" ON CONFLICT ({', '.join(self.q(c) for c in spec.key)}) DO NOTHING"
        return sql

    def write_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> tuple[int, str]:
        raw = self._raw()
        cur = raw.cursor()
        if merge and not spec.key_is_constraint:
            # no unique key to conflict on: stage, then insert the rows not present yet
            cols = ", ".join(self.q(c) for c in spec.written)
            cur.execute("DROP TABLE IF EXISTS temp.seedbed_stage")
            cur.execute(f"CREATE TEMPORARY TABLE seedbed_stage AS SELECT {cols} FROM {self.qt(spec)} WHERE 0")
            stage_sql = self._insert(spec, "seedbed_stage", spec.written, False)
            for batch in batches:
                cur.executemany(stage_sql, zip(*python_columns(batch), strict=True))
            before = raw.total_changes
            cur.execute(self.insert_missing_sql(spec, "seedbed_stage"))
            inserted = raw.total_changes - before
            cur.execute("DROP TABLE seedbed_stage")
            return inserted, "insert"
        sql = self._insert(spec, self.qt(spec), spec.written, merge)
        before = raw.total_changes
        for batch in batches:
            cur.executemany(sql, zip(*python_columns(batch), strict=True))
        return raw.total_changes - before, "insert"

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        sql = self._insert(spec, temp, spec.key, merge=False)
        cur = self._raw().cursor()
        for batch in batches:
            cur.executemany(sql, zip(*python_columns(batch), strict=True))


def _if_absent(create_index: str) -> str:
    return _CREATE_INDEX.sub(r"\1 IF NOT EXISTS ", create_index, count=1)
