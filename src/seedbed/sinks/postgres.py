"""PostgreSQL: batches stream in through COPY (psycopg 3).

New rows go straight to the table with ``COPY ... FROM STDIN``; a rerun copies into
a temporary staging table and inserts what is missing with ``ON CONFLICT (key) DO
NOTHING``. COPY is binary (``pgcopy.py``) when every column's type has an exact
binary encoding, CSV otherwise; both store the same values.

COPY stores the values it is given in identity columns, GENERATED ALWAYS ones too; an
INSERT needs ``OVERRIDING SYSTEM VALUE`` for those. Neither moves the sequence behind a
column, so after each table the sequences of the keys written are set past them.
COPY fires triggers (which may fill other tables: ``trigger_feeds``) but not rules.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

from seedbed import dialects
from seedbed.dialects import Dialect
from seedbed.errors import LoadFailed
from seedbed.sinks.base import DatabaseSink, Deferral
from seedbed.sinks.pgcopy import SIGNATURE, TRAILER, BinaryCopy

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

_CSV = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")

# Each column's base type (domains resolved) and the function that receives its binary form.
_COLUMN_TYPES = """
WITH RECURSIVE t AS (
    SELECT a.attname, ty.typname, ty.typtype, ty.typreceive::text AS recv, ty.typbasetype
    FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
    WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
    SELECT t.attname, ty.typname, ty.typtype, ty.typreceive::text, ty.typbasetype
    FROM t JOIN pg_type ty ON ty.oid = t.typbasetype WHERE t.typtype = 'd'
)
SELECT attname, recv FROM t WHERE typtype <> 'd'
"""

# the other tables whose foreign keys point at a table (TRUNCATE must name them too)
_REFERRERS = (
    "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
    "WHERE contype = 'f' AND confrelid = %(t)s::regclass AND conrelid <> confrelid"
)
# user triggers that fire on DELETE (tgtype bit 3), which TRUNCATE would skip; also rules
_DELETE_TRIGGERS = (
    "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %(t)s::regclass AND NOT tgisinternal "
    "AND tgtype & 8 <> 0) OR EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = %(t)s::regclass AND ev_type = '4')"
)

_HAS_RULES = "SELECT EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = %s::regclass AND ev_type IN ('2', '3'))"


def csv_bytes(batch: pa.RecordBatch) -> bytes:
    """A batch as CSV that PostgreSQL's COPY reads: nulls unquoted, bytea as \\x hex."""
    cols = []
    for col in batch.columns:
        if pa.types.is_binary(col.type):
            col = pc.binary_join_element_wise(pa.scalar("\\x"), pc.utf8_lower(_hex(col)), "")
        elif pa.types.is_timestamp(col.type) and col.type.tz is not None:
            col = _utc_text(col)
        cols.append(col)
    buf = io.BytesIO()
    pacsv.write_csv(pa.RecordBatch.from_arrays(cols, names=batch.schema.names), buf, _CSV)
    return buf.getvalue()


def _utc_text(col: pa.Array) -> pa.Array:
    """Instants as ``YYYY-MM-DD HH:MM:SS[.ffffff]+00``: Arrow's CSV writer looks up the
    zone of every zoned value (10x slower); the values are UTC already."""
    naive = col.cast(pa.timestamp(col.type.unit))
    return pc.binary_join_element_wise(naive.cast(pa.string()), pa.scalar("+00"), "")


def _hex(col: pa.Array) -> pa.Array:
    return pa.array([None if v is None else v.hex() for v in col.to_pylist()], pa.string())


class PostgresSink(DatabaseSink):
    dialect: ClassVar[Dialect] = dialects.get("postgres")

    def describe_error(self, err: BaseException) -> tuple[str | None, str]:
        import psycopg

        orig = getattr(err, "orig", err)
        if not isinstance(orig, psycopg.Error) or orig.sqlstate is None:
            return None, str(err)
        diag = orig.diag
        where = ", ".join(
            x
            for x in (
                diag.constraint_name and f"constraint {diag.constraint_name}",
                diag.column_name and f"column {diag.column_name}",
            )
            if x
        )
        text = (diag.message_primary or str(orig)).splitlines()[0]
        # the offending row or key ("Failing row contains (...)", "Key (id)=(5) already exists")
        detail = (diag.message_detail or "").splitlines()[0][:300] if diag.message_detail else ""
        return orig.sqlstate, f"{text}{' [' + where + ']' if where else ''}{'; ' + detail if detail else ''}"

    def user_schemas(self) -> list[str] | None:
        names = sa.inspect(self.engine).get_schema_names()
        return [n for n in names if not n.startswith("pg_") and n != "information_schema"]

    def advance_sequence(self, sequence: str, low: int, high: int) -> None:
        """setval() past the values written, if the sequence's next value is not past them
        already (a descending sequence: below them)."""
        cur = self._raw().cursor()
        last, called, step = cur.execute(
            f"SELECT last_value, is_called, (SELECT seqincrement FROM pg_sequence WHERE seqrelid = %s::regclass) "
            f"FROM {sequence}",
            (sequence,),
        ).fetchone()
        upcoming = last + step if called else last
        edge = high if step > 0 else low
        if (edge - upcoming) * step >= 0:
            cur.execute("SELECT setval(%s::regclass, %s)", (sequence, edge))

    def deferrable(self, spec: TableSpec, keep: frozenset[str] = frozenset()) -> Deferral | None:
        """(drop, recreate) statements for an empty table's indexes and constraints.

        Loading first and building indexes after is several times cheaper than keeping
        b-trees up to date row by row. Only for an empty, non-partitioned table; its
        primary and unique keys only when the tables whose foreign keys point at it are
        empty too (as its children are in a first seed: they load after it), those keys then
        going and coming back with them; never the constraints in ``keep``. Recreating a
        foreign key validates every loaded row (an empty table's, instantly).
        """
        if spec.table.partition_kind or spec.table.partition_of:
            return None
        rel = self.qt(spec)
        with self.conn.begin():
            if self.conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {rel})").scalar():
                return None
            oid = self.conn.exec_driver_sql("SELECT %(t)s::regclass::oid", {"t": rel}).scalar()
            # other tables' foreign keys into it: when every such table is still empty (its
            # children load after it), they go for the load too and come back instantly
            referrers = self.conn.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND confrelid = %(o)s AND conrelid <> %(o)s AND conparentid = 0 ORDER BY 1, 2",
                {"o": oid},
            ).fetchall()
            children = sorted({r[0] for r in referrers})
            empty = all(not self.conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {c})").scalar() for c in children)
            # a foreign key of its own into itself that stays for the load keeps its key in place
            own = self.conn.exec_driver_sql(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND confrelid = %(o)s AND conrelid = %(o)s",
                {"o": oid},
            ).fetchall()
            referenced = bool(referrers and not empty) or any(name in keep for (name,) in own)
            kinds = "('f')" if referenced else "('f', 'p', 'u')"
            cons = self.conn.exec_driver_sql(
                f"SELECT conname, pg_get_constraintdef(oid), contype, conindid FROM pg_constraint "
                f"WHERE conrelid = %(o)s AND conparentid = 0 AND contype IN {kinds} ORDER BY contype DESC, conname",
                {"o": oid},
            ).fetchall()
            # indexes behind a constraint stay, and so does a unique index another table's
            # foreign key leans on while that key stays (dropping it would need the key gone too)
            leaned = "OR (contype = 'f' AND confrelid = %(o)s)" if referenced else ""
            kept = self.conn.exec_driver_sql(
                f"SELECT conindid FROM pg_constraint WHERE conindid <> 0 AND (conrelid = %(o)s {leaned})",
                {"o": oid},
            ).fetchall()
            idx = self.conn.exec_driver_sql(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %(o)s AND NOT (i.indexrelid = ANY(%(k)s)) ORDER BY 1",
                {"o": oid, "k": [k[0] for k in kept]},
            ).fetchall()
        drop, create = [], []
        if not referenced:
            for child, name, definition in referrers:
                drop.append(f"ALTER TABLE {child} DROP CONSTRAINT {self.q(name)}")
                create.append(f"ALTER TABLE {child} ADD CONSTRAINT {self.q(name)} {definition}")
        for name, definition, _kind, _index in sorted(cons, key=lambda c: c[2] != "f"):  # its foreign keys first
            if name in keep:
                continue
            drop.append(f"ALTER TABLE {rel} DROP CONSTRAINT {self.q(name)}")
            create.append(f"ALTER TABLE {rel} ADD CONSTRAINT {self.q(name)} {definition}")
        for name, definition in idx:
            drop.append(f"DROP INDEX {name}")
            create.append(definition)
        # keys before foreign keys when recreating (a unique key may back another table's FK)
        create.sort(key=lambda sql: 1 if "FOREIGN KEY" in sql else 0)
        return Deferral(drop, create) if drop else None

    @contextlib.contextmanager
    def unchecked(self) -> Iterator[None]:
        """Foreign-key triggers off for this session (needs a superuser or replication role)."""
        try:
            with self.conn.begin():
                self.conn.exec_driver_sql("SET session_replication_role = replica")
        except sa.exc.DBAPIError as err:
            if self.dialect.error_code(err) != "42501":
                raise
            raise LoadFailed(
                "this plan loads a cycle of NOT NULL foreign keys, which needs the foreign-key checks off for the "
                "load: only a superuser may turn them off (session_replication_role)",
                hint="run as a superuser, make one foreign key of the cycle DEFERRABLE or nullable, "
                "or skip one table of the cycle in the plan (skip: true)",
            ) from None
        try:
            yield
        finally:
            with self.conn.begin():
                self.conn.exec_driver_sql("SET session_replication_role = DEFAULT")

    def _delete_keyed(self, spec: TableSpec, temp: str) -> int:
        """A table that holds the run's rows and nothing else is emptied by TRUNCATE (in the
        purge's transaction, so it still rolls back): deleting millions of rows one heap
        tuple at a time costs several times what loading them did. Not when the table has
        DELETE triggers (TRUNCATE fires none) or a table referring to it still has rows."""
        rel = self.qt(spec)
        c = self.conn
        total = int(c.exec_driver_sql(f"SELECT count(*) FROM {rel}").scalar_one())
        keys = int(c.exec_driver_sql(f"SELECT count(*) FROM {temp}").scalar_one())
        if 0 < total <= keys:  # more rows than the run has keys: others' rows too, no need to look
            ours = c.exec_driver_sql(
                f"SELECT count(*) FROM {temp} k WHERE EXISTS (SELECT 1 FROM {rel} t WHERE {self._match(spec, 't')})"
            ).scalar_one()
            triggers = c.exec_driver_sql(_DELETE_TRIGGERS, {"t": rel}).scalar_one()
            referrers = self._empty_referrers(rel) if ours == total and not triggers else None
            if referrers is not None:
                c.exec_driver_sql(f"TRUNCATE {', '.join([rel, *referrers])}")
                return total
        return super()._delete_keyed(spec, temp)

    def _empty_referrers(self, rel: str) -> list[str] | None:
        """Every table that refers to ``rel``, directly or through others (TRUNCATE must
        name them all), when all of them are empty; None when one holds rows."""
        found: list[str] = []
        todo = [rel]
        while todo:
            for (child,) in self.conn.exec_driver_sql(_REFERRERS, {"t": todo.pop()}).fetchall():
                if child == rel or child in found:
                    continue
                if self.conn.exec_driver_sql(f"SELECT EXISTS (SELECT 1 FROM {child})").scalar_one():
                    return None
                found.append(child)
                todo.append(child)
        return found

    #: "binary" where every column allows it (else CSV), or "csv" always
    copy_format = "binary"

    def _copy_in(
        self, cur: Any, relation: str, columns: tuple[str, ...], batches: Iterable[pa.RecordBatch]
    ) -> tuple[int, str]:
        """COPY the batches into ``relation``: (rows sent, "copy binary" | "copy csv")."""
        it = iter(batches)
        first = next(it, None)
        if first is None:
            return 0, ""
        enc = None
        if self.copy_format == "binary":
            receives = dict(cur.execute(_COLUMN_TYPES, (relation,)).fetchall())
            enc = BinaryCopy.for_table(list(columns), receives, first.schema, relation.replace('"', ""))
        fmt = "binary" if enc else "csv"
        cols = ", ".join(self.q(c) for c in columns)
        n = 0
        with cur.copy(f"COPY {relation} ({cols}) FROM STDIN (FORMAT {fmt})") as cp:
            if enc:
                cp.write(SIGNATURE)
            for batch in itertools.chain([first], it):
                if enc:
                    for buf in enc.encode(batch):
                        cp.write(memoryview(buf))
                else:
                    cp.write(csv_bytes(batch))
                n += batch.num_rows
            if enc:
                cp.write(TRAILER)
        return n, f"copy {fmt}"

    def write_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> tuple[int, str]:
        cols = ", ".join(self.q(c) for c in spec.written)
        cur = self._raw().cursor()
        if not merge:
            return self._copy_in(cur, self.qt(spec), spec.written, batches)
        stage = "seedbed_stage"
        cur.execute(f"DROP TABLE IF EXISTS {stage}")
        cur.execute(f"CREATE TEMPORARY TABLE {stage} AS SELECT {cols} FROM {self.qt(spec)} WHERE false")
        _, path = self._copy_in(cur, stage, spec.written, batches)
        key = ", ".join(self.q(c) for c in spec.key)
        # ON CONFLICT is refused on a table with INSERT or UPDATE rules
        if spec.key_is_constraint and not cur.execute(_HAS_RULES, (self.qt(spec),)).fetchone()[0]:
            cur.execute(
                f"INSERT INTO {self.qt(spec)} ({cols}) {self.dialect.identity_override} "
                f"SELECT {cols} FROM {stage} ON CONFLICT ({key}) DO NOTHING"
            )
        else:  # no unique key to conflict on (or rules): skip rows already present, NULL matching NULL
            cur.execute(self.insert_missing_sql(spec, stage))
        inserted = cur.rowcount
        cur.execute(f"DROP TABLE {stage}")
        return inserted, path

    def comparable(self, spec: TableSpec, expr: str, column: str) -> str:
        raw = (spec.table.column(column).type.raw or "").lower() if spec.table.has_column(column) else ""
        return (
            f"{expr}::text" if raw in ("json", "xml") or raw.startswith(("point", "polygon", "box", "circle")) else expr
        )

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        self._copy_in(self._raw().cursor(), temp, spec.key, batches)
