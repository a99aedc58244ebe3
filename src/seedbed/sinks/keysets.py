"""Key sets: a run's keys (recomputed, never stored) loaded into the database and joined.

Rerun, verify and purge find a run's rows by its keys: generated again from the plan
and seed, loaded into an indexed temporary table, and joined with the table. A few
keys (the first and last rows) are asked for directly (``probe.presence_sql``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from seedbed.errors import StillReferenced
from seedbed.sinks.connection import Connected
from seedbed.sinks.probe import presence_sql

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

_NUMBERS = itertools.count()
_FEW = 64  # up to this many keys are asked for in one statement, without a temporary table


class KeySets(Connected):
    """Key-set operations over SQLAlchemy; MySQL overrides what its DDL would commit."""

    null_safe_eq = "IS NOT DISTINCT FROM"  # equality where NULL matches NULL

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        """Load key batches into the temporary table ``temp``."""
        raise NotImplementedError

    def _with_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> str:
        temp = "seedbed_keys"
        cols = ", ".join(self.q(c) for c in spec.key)
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {temp}")
        self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {temp} AS SELECT {cols} FROM {self.qt(spec)} WHERE 1 = 0")
        self.write_keys(spec, temp, batches)
        # without an index every probe of the key set would scan it
        self.conn.exec_driver_sql(f"CREATE INDEX {temp}_idx ON {temp} ({cols})")
        if self.dialect.ANALYZE_SQL:  # a temporary table has no statistics: the planner would
            # guess a few hundred keys and probe an index once per key instead of hashing
            self.conn.exec_driver_sql(self.dialect.ANALYZE_SQL.format(table=temp))
        return temp

    def _match(self, spec: TableSpec, outer: str, inner: str = "k") -> str:
        parts = []
        for c in spec.key:
            op = "=" if not spec.table.column(c).nullable else self.null_safe_eq
            parts.append(f"{inner}.{self.q(c)} {op} {outer}.{self.q(c)}")
        return " AND ".join(parts)

    def scalar(
        self,
        sql: str,
        params: Sequence[Any] | None = None,
        *,
        own: Sequence[tuple[TableSpec, Iterable[pa.RecordBatch]]] = (),
    ) -> Any:
        """The first value of a query; ``own`` names tables (with their run's keys) of which
        the query sees only the run's rows.

        Each such table is shadowed for the query by a temporary table of the same name
        holding just those rows: every database seedbed writes to looks a bare name up
        among the session's temporary tables first, so the query runs as written (a
        recipe's checks stay the SQL its users wrote) and rows the application or another
        seed put beside the run's neither help nor hurt. Dropped again before returning.
        """
        if not own:
            return super().scalar(sql, params)
        shadows: list[str] = []
        with self.transaction():
            try:
                for spec, batches in own:
                    shadows.append(self._shadow(spec, batches))
                value = super().scalar(sql, params)
            except BaseException:
                self._unshadow(shadows, quietly=True)  # PostgreSQL's rollback drops them anyway
                raise
            self._unshadow(shadows)
        return value

    def _shadow(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> str:
        """A temporary table named as ``spec``'s own name holding the rows of the given keys,
        indexed on the key and on each foreign key (the joins a check makes); its name."""
        keys = self._with_keys(spec, batches)
        built = "seedbed_own"
        self._raw_execute(
            f"CREATE TEMPORARY TABLE {built} AS SELECT t.* FROM {self.qt(spec)} t "
            f"WHERE EXISTS (SELECT 1 FROM {keys} k WHERE {self._match(spec, 't')})"
        )
        self._raw_execute(f"DROP TABLE {keys}")
        for cols in self._shadow_indexes(spec):  # named anew each time: a name stays with its table
            index = f"{built}_{next(_NUMBERS)}"
            self._raw_execute(f"CREATE INDEX {index} ON {built} ({', '.join(self.q(c) for c in cols)})")
        if self.dialect.ANALYZE_SQL:
            self._raw_execute(self.dialect.ANALYZE_SQL.format(table=built))
        name = self.q(spec.table.name)
        self._raw_execute(f"ALTER TABLE {built} RENAME TO {name}")
        return name

    @staticmethod
    def _shadow_indexes(spec: TableSpec) -> list[tuple[str, ...]]:
        out = [spec.key] if spec.key else []
        for fk in spec.table.foreign_keys:
            if fk.columns not in out:
                out.append(fk.columns)
        return out

    def _unshadow(self, names: list[str], *, quietly: bool = False) -> None:
        for name in names:
            try:
                self._raw_execute(self.dialect.DROP_TEMP_SQL.format(table=name))
            except Exception:
                if not quietly:
                    raise

    def insert_missing_sql(self, spec: TableSpec, stage: str) -> str:
        """Insert the staged rows whose key is not in the table yet (reruns)."""
        cols = ", ".join(self.q(c) for c in spec.written)
        return (
            f"INSERT INTO {self.qt(spec)} ({cols}) {self.dialect.identity_override} "
            f"SELECT {cols} FROM {stage} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {self.qt(spec)} t WHERE {self._match(spec, 't', 's')})"
        )

    def count(self, spec: TableSpec, keys: pa.RecordBatch | Iterable[pa.RecordBatch]) -> int:
        """How many of the given keys are present in the table."""
        if isinstance(keys, pa.RecordBatch) and keys.num_rows <= _FEW:
            return self._count_few(spec, keys)
        return self._count_many(spec, [keys] if isinstance(keys, pa.RecordBatch) else keys)

    def _count_few(self, spec: TableSpec, keys: pa.RecordBatch) -> int:
        cols = [self.driver_values(keys.column(c)) for c in spec.key]
        params = [v for row in zip(*cols, strict=True) for v in row]
        sql = presence_sql(self.dialect, spec.table.schema, spec.table.name, spec.key, keys.num_rows)
        with self.transaction():
            return int(self.conn.exec_driver_sql(sql, tuple(params)).scalar_one())

    def _count_many(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
        with self.conn.begin():
            temp = self._with_keys(spec, batches)
            n = self.conn.exec_driver_sql(
                f"SELECT count(*) FROM {temp} k WHERE EXISTS "
                f"(SELECT 1 FROM {self.qt(spec)} t WHERE {self._match(spec, 't')})"
            ).scalar_one()
            self.conn.exec_driver_sql(f"DROP TABLE {temp}")
        return int(n)

    def delete(self, spec: TableSpec, keys: Iterable[pa.RecordBatch]) -> int:
        """Delete exactly the rows with the given keys (nothing else); rows deleted.

        Runs in the caller's transaction, so a purge of many tables is all or nothing.
        """
        temp = self._with_keys(spec, keys)
        n = self._delete_keyed(spec, temp)
        self.conn.exec_driver_sql(f"DROP TABLE {temp}")
        return n

    def _delete_keyed(self, spec: TableSpec, temp: str) -> int:
        """Delete the rows whose keys are in ``temp``; rows deleted."""
        helpers = self._lookup_indexes(spec)
        for create, _ in helpers:
            self.conn.exec_driver_sql(create)
        try:
            res = self.conn.exec_driver_sql(
                f"DELETE FROM {self.qt(spec)} WHERE EXISTS "
                f"(SELECT 1 FROM {temp} k WHERE {self._match(spec, self.qt(spec))})"
            )
        except Exception as err:
            raise self._still_referenced(spec, err) from None
        for _, drop in helpers:
            self.conn.exec_driver_sql(drop)
        return int(res.rowcount)

    def _lookup_indexes(self, spec: TableSpec) -> list[tuple[str, str]]:
        """(create, drop) of an index for each foreign key into the table whose columns lead
        no index of its child: without one, deleting each parent row scans the child table.
        Made and dropped inside the purge's transaction (a failed purge drops them too)."""
        sql = self.dialect.UNINDEXED_REFERENCES_SQL
        if sql is None:
            return []
        out = []
        for i, (child, schema, cols) in enumerate(self._execute(sql, {"table": self.qt(spec)})):
            name = f"seedbed_lookup_{i}"  # made in the child's schema, dropped from there
            out.append(
                (
                    f"CREATE INDEX {name} ON {child} ({', '.join(self.q(c) for c in cols)})",
                    f"DROP INDEX {schema}.{name}",
                )
            )
        return out

    def _still_referenced(self, spec: TableSpec, err: Exception) -> Exception:
        """A delete a foreign key refused, as a message naming the referencing rows; any
        other error as it is."""
        code, detail = self.describe_error(err)
        if code is None or code not in self.dialect.REFERENCE_ERRORS:
            return err
        return StillReferenced(
            f"cannot purge {spec.name}: rows that are not this seed's refer to its rows: {detail}",
            where=spec.name,
            hint="nothing was deleted: delete or re-point those rows, or purge the seed that made them, first",
        )

    def describe_error(self, err: BaseException) -> tuple[str | None, str]:
        raise NotImplementedError

    def update(self, spec: TableSpec, columns: tuple[str, ...], batches: Iterable[pa.RecordBatch]) -> int:
        """Set ``columns`` of the rows identified by the key (batches hold key + columns).

        Used for foreign keys cut from a cycle: loaded as NULL, set once the parent exists.
        Runs in the caller's transaction.
        """
        wide = replace(spec, key=spec.key + tuple(c for c in columns if c not in spec.key))
        temp = self._with_keys(wide, batches)
        res = self.conn.exec_driver_sql(self.update_sql(spec, temp, columns))
        self.conn.exec_driver_sql(f"DROP TABLE {temp}")
        return int(res.rowcount)

    def update_sql(self, spec: TableSpec, temp: str, columns: tuple[str, ...]) -> str:
        sets = ", ".join(f"{self.q(c)} = k.{self.q(c)}" for c in columns)
        where = f"{self._match(spec, self.qt(spec))} AND {self.differs(spec, self.qt(spec), columns)}"
        return f"UPDATE {self.qt(spec)} SET {sets} FROM {temp} k WHERE {where}"

    def differs(self, spec: TableSpec, outer: str, columns: tuple[str, ...]) -> str:
        """SQL: the row ``outer`` holds another value than ``k`` in one of ``columns`` (NULL
        equal to NULL): an update counts only the rows it changes."""
        same = " AND ".join(
            f"{self.comparable(spec, f'{outer}.{self.q(c)}', c)} {self.null_safe_eq} "
            f"{self.comparable(spec, f'k.{self.q(c)}', c)}"
            for c in columns
        )
        return f"NOT ({same})"

    def comparable(self, spec: TableSpec, expr: str, column: str) -> str:
        """``expr`` in a form ``=`` compares (PostgreSQL's json has no equality: as text)."""
        return expr
