"""SQLite: one transaction of prepared inserts per table.

SQLite has no bulk-load statement, so rows go through ``executemany`` on one
prepared INSERT. Values are converted column-wise first: instants become ISO-8601
text (which sorts and compares correctly), decimals text (numeric affinity stores
them as numbers), booleans 0/1.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.dialects.urls import sqlite_path
from seedbed.errors import ConnectionFailed, StillReferenced
from seedbed.sinks.base import DatabaseSink, Deferral, LoadResult
from seedbed.sinks.lock import FileLock, holder_label

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

# The page cache while a table's rows go in (at most; used as the load grows). S1 at scale 1
# loads as fast with 64 MiB as with 128 (19.6-20.2 s against 19.4-19.9 s) and peaks at
# 345-350 MB instead of 407-436 MB; at scale 5 it is 4% slower (141 s against 135 s) for
# 107 MB less. 32 MiB was slower at scale 1 (20.7-22.9 s).
CACHE_KIB = 64 * 1024
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

    def prepare_engine(self, engine: sa.Engine) -> None:
        """Every transaction begins with BEGIN, DDL included: the sqlite3 module on its own
        opens one only before INSERT/UPDATE/DELETE, so a DROP INDEX would commit at once and
        a failed load roll back its rows but not the drop. (Connections come in autocommit
        mode, isolation_level None, from the dialect; SQLAlchemy's documented recipe.)"""

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        @sa.event.listens_for(engine, "connect")
        def _threads(dbapi_con: sqlite3.Connection, _record: Any) -> None:
            # CREATE INDEX sorts in helper threads (a deferred index is rebuilt that way)
            dbapi_con.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")

    # the run lock: a file lock beside the database (a database in memory is this process's alone)
    _lock: FileLock | None = None

    def _lock_file(self) -> FileLock | None:
        path = sqlite_path(self.url)
        if path == ":memory:" or "mode=memory" in self.url:
            return None
        if self._lock is None:
            self._lock = FileLock(str(Path(path).resolve()))
        return self._lock

    def try_lock(self, command: str) -> bool:
        lock = self._lock_file()
        if lock is None:
            return True
        try:
            return lock.acquire(holder_label(command))
        except OSError as err:
            raise ConnectionFailed(
                f"cannot lock {self.safe_url}: {err.strerror} ({lock.path})",
                hint="seedbed keeps a lock file beside the database while it writes: the folder must be writable",
            ) from None

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def lock_holder(self) -> str | None:
        lock = self._lock_file()
        return lock.holder() if lock else None

    def driver_values(self, col: pa.Array) -> list[Any]:
        return python_columns(pa.RecordBatch.from_arrays([col], names=["v"]))[0]

    @contextlib.contextmanager
    def unchecked(self) -> Iterator[None]:
        """PRAGMA foreign_keys off between transactions (inside one it does nothing): sent
        to the driver directly, which is in autocommit between seedbed's transactions."""
        if self.conn.in_transaction():
            self.conn.commit()
        self._raw().execute("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            if self.conn.in_transaction():
                self.conn.commit()
            self._raw().execute("PRAGMA foreign_keys = ON")

    # foreign keys of a table being loaded are checked after its rows, not per row
    _check_after = False

    def load(
        self,
        spec: TableSpec,
        batches: Iterable[pa.RecordBatch],
        *,
        merge: bool,
        deferral: Deferral | None = None,
        sift: bool = False,
    ) -> LoadResult:
        """With foreign keys enforced, each inserted row looks up its parents, and each row of
        a table others refer to looks up its children: a fifth of a load's time. A table
        that has no trigger (whose rows are then the only ones the load changes) is loaded
        with enforcement off and checked whole by ``PRAGMA foreign_key_check`` before its
        commit, in the same transaction: an orphan still rolls it back, named."""
        if sift or not self._enforcing() or self._triggered(spec):
            return super().load(spec, batches, merge=merge, deferral=deferral, sift=sift)
        with self.unchecked():
            self._check_after = True
            try:
                return super().load(spec, batches, merge=merge, deferral=deferral)
            finally:
                self._check_after = False

    def _enforcing(self) -> bool:
        return not self.conn.in_transaction() and bool(self._raw().execute("PRAGMA foreign_keys").fetchone()[0])

    def _triggered(self, spec: TableSpec) -> bool:
        if spec.table.schema not in (None, "main"):
            return True  # checked per row, as it always was
        found = self._raw().execute(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?)", (spec.table.name,)
        )
        return bool(found.fetchone()[0])

    def deferrable(self, spec: TableSpec, keep: frozenset[str] = frozenset()) -> Deferral | None:
        """(drop, recreate) statements for an empty table's own CREATE INDEX indexes: one
        sorted build after the load instead of a B-tree insert per row. The keys declared in
        the table (PRIMARY KEY, UNIQUE) cannot be dropped in SQLite and stay, and so does a
        unique index a foreign key refers to: SQLite checks a key only against an index (its
        rows may come during the load, from a trigger)."""
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
            referred = self._referred_keys(spec.table.name)
            kept = [(str(n), str(sql)) for n, sql in rows if self._index_columns(n) not in referred]
        if not kept:
            return None
        # rebuilt with IF NOT EXISTS: an index that is back already (SQLite has no error code for it) stays
        return Deferral([f"DROP INDEX {self.q(name)}" for name, _ in kept], [_if_absent(sql) for _, sql in kept])

    def _referred_keys(self, table: str) -> set[frozenset[str]]:
        """The column sets of ``table`` other tables' foreign keys refer to."""
        found = self.conn.exec_driver_sql(
            'SELECT m.name, f.id, f."to" FROM sqlite_master m, pragma_foreign_key_list(m.name) f '
            "WHERE m.type = 'table' AND f.\"table\" = ?",
            (table,),
        ).fetchall()
        keys: dict[tuple[str, int], set[str]] = {}
        for child, fk_id, column in found:
            if column is not None:
                keys.setdefault((child, fk_id), set()).add(column)
        return {frozenset(cols) for cols in keys.values()}

    def _index_columns(self, index: str) -> frozenset[str]:
        rows = self.conn.exec_driver_sql("SELECT name FROM pragma_index_info(?)", (index,)).fetchall()
        return frozenset(r[0] for r in rows)

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
            if self._check_after:
                self._check_foreign_keys(spec)
            return inserted, "insert"
        with self._large_cache():
            return self._insert_batches(spec, batches, merge=merge)

    @contextlib.contextmanager
    def _large_cache(self) -> Iterator[None]:
        """A table's inserts touch every page of its key index: in SQLite's default 2 MB page
        cache, an index of random keys is written out and read back ~15 times per page. The
        cache is large while rows go in, and back to what it was for the index rebuild
        after them (whose sort is slower in a large cache). A connection's setting; nothing
        of it is stored in the file."""
        cur = self._raw().cursor()
        was = cur.execute("PRAGMA cache_size").fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        try:
            yield
        finally:
            cur.execute(f"PRAGMA cache_size = {int(was)}")

    def _insert_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> tuple[int, str]:
        raw = self._raw()
        cur = raw.cursor()
        sql = self._insert(spec, self.qt(spec), spec.written, merge)
        before = raw.total_changes
        # foreign keys checked once, before the commit, where the violating row can be named
        checked = self._check_after or cur.execute("PRAGMA foreign_keys").fetchone()[0]
        if checked and not self._check_after:
            cur.execute("PRAGMA defer_foreign_keys = ON")  # until this transaction ends
        for batch in batches:
            try:
                cur.executemany(sql, zip(*python_columns(batch), strict=True))
            except sqlite3.IntegrityError as err:
                raise self._refused(spec, sql, batch, err) from err
        if checked:
            self._check_foreign_keys(spec)
        return raw.total_changes - before, "insert"

    def _refused(self, spec: TableSpec, sql: str, batch: pa.RecordBatch, err: Exception) -> Exception:
        """The batch's first row the database refuses, named in the error: SQLite's message
        names the constraint's columns only. (The transaction is rolled back anyway.)"""
        rows = zip(*python_columns(batch), strict=True)
        cur = self._raw().cursor()
        cur.execute("SAVEPOINT seedbed_find")
        try:
            for row in rows:
                try:
                    cur.execute(sql, row)
                except sqlite3.IntegrityError as one:
                    shown = ", ".join(f"{c}={_shown(v)}" for c, v in zip(spec.written, row, strict=True))
                    return self.dialect.load_failed(
                        spec.name, self.dialect.error_code(one) or "", f"{one}; row ({shown})"
                    )
        finally:
            cur.execute("ROLLBACK TO seedbed_find")
            cur.execute("RELEASE seedbed_find")
        return err

    def _check_foreign_keys(self, spec: TableSpec) -> None:
        """The deferred foreign keys of the table, checked before its commit: the first row
        pointing at no parent row, with the key and its value."""
        cur = self._raw().cursor()
        bad = cur.execute(f"PRAGMA foreign_key_check({self.q(spec.table.name)})").fetchone()
        if bad is None:
            return
        _, rowid, parent, fkid = bad
        pairs = [
            (r[3], r[4]) for r in cur.execute(f"PRAGMA foreign_key_list({self.q(spec.table.name)})") if r[0] == fkid
        ]
        cols = [c for c, _ in pairs]
        values = ""
        if rowid is not None:
            found = cur.execute(
                f"SELECT {', '.join(self.q(c) for c in cols)} FROM {self.qt(spec)} WHERE rowid = ?", (rowid,)
            ).fetchone()
            values = "; row with " + ", ".join(f"{c}={_shown(v)}" for c, v in zip(cols, found or (), strict=False))
        target = f"{parent}({', '.join(str(t) for _, t in pairs)})"
        detail = f"FOREIGN KEY ({', '.join(cols)}) REFERENCES {target} failed{values}: no such {parent} row"
        raise self.dialect.load_failed(spec.name, "SQLITE_CONSTRAINT_FOREIGNKEY", detail)

    def _still_referenced(self, spec: TableSpec, err: Exception) -> Exception:
        """SQLite's refusal names no row: the first row of another table still pointing at
        one of the rows being deleted (those in the key set) is looked up and named."""
        out = super()._still_referenced(spec, err)
        if out is err:
            return err
        cur = self._raw().cursor()
        parent = spec.table.name
        for (child,) in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            fks: dict[int, list[tuple[str, str]]] = {}
            for row in cur.execute(f"PRAGMA foreign_key_list({self.q(child)})").fetchall():
                if row[2].lower() == parent.lower():
                    fks.setdefault(row[0], []).append((row[3], row[4] or spec.key[0]))
            for pairs in fks.values():
                on = " AND ".join(f"p.{self.q(to)} = c.{self.q(frm)}" for frm, to in pairs)
                cols = ", ".join(f"c.{self.q(frm)}" for frm, _ in pairs)
                found = cur.execute(
                    f"SELECT {cols} FROM {self.q(child)} c WHERE EXISTS (SELECT 1 FROM {self.qt(spec)} p "
                    f"JOIN seedbed_keys k ON {self._match(spec, 'p')} WHERE {on}) LIMIT 1"
                ).fetchone()
                if found:
                    shown = ", ".join(f"{frm}={_shown(v)}" for (frm, _), v in zip(pairs, found, strict=True))
                    return StillReferenced(
                        f"cannot purge {spec.name}: a row of {child} that is not this seed's refers to its rows "
                        f"({shown})",
                        where=spec.name,
                        hint=getattr(out, "hint", None),
                    )
        return out

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        sql = self._insert(spec, temp, spec.key, merge=False)
        cur = self._raw().cursor()
        for batch in batches:
            cur.executemany(sql, zip(*python_columns(batch), strict=True))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _if_absent(create_index: str) -> str:
    return _CREATE_INDEX.sub(r"\1 IF NOT EXISTS ", create_index, count=1)
