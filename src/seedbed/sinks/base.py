"""The sink protocol: where record batches go, and the SQL every database shares.

A database sink owns one connection. Dialect differences live in the subclasses
(``postgres.py``, ``sqlite.py``), which override only the bulk paths. Portable
statements (counts, checks, the manifest table, key-set operations) are written
once here through SQLAlchemy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import sqlalchemy as sa

from seedbed.errors import ConnectionFailed, LoadFailed, SeedbedError
from seedbed.run.manifest import MANIFEST_TABLE

if TYPE_CHECKING:
    from seedbed.plan.resolved import TableSpec
    from seedbed.schema.model import Schema


@dataclass(frozen=True)
class Capabilities:
    """What a database can do, declared where each sink is defined."""

    supports_copy: bool  # a bulk path faster than prepared inserts
    max_bind_params: int  # bound parameters per statement
    supports_advisory_lock: bool  # a server-wide named lock for one run at a time
    transactional_ddl: bool  # CREATE TABLE can be rolled back


def redact(url: str) -> str:
    """The URL with any password hidden, for messages and manifests."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown without its userinfo
        return url.split("@")[-1]


class DatabaseSink:
    """Shared behaviour of database sinks; subclasses set the class attributes."""

    dialect: ClassVar[str]  # seedbed's name: postgres, sqlite, mysql
    sqlglot_dialect: ClassVar[str]
    caps: ClassVar[Capabilities]
    load_path = ""  # how the last batches went in ("copy binary", "load data", ...), for the manifest

    def __init__(self, url: str):
        self.url = url
        self.safe_url = redact(url)
        self.engine = sa.create_engine(self.sqlalchemy_url(url), poolclass=sa.pool.NullPool)
        try:
            self.conn = self.engine.connect()
        except sa.exc.DBAPIError as err:
            raise self.connection_error(err) from None

    # -- hooks for subclasses -------------------------------------------------
    @staticmethod
    def sqlalchemy_url(url: str) -> str:
        return url

    def connection_error(self, err: Exception) -> SeedbedError:
        return ConnectionFailed(
            f"cannot connect to {self.safe_url}",
            hint="check that the server is running and the URL is right",
        )

    def write_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> int:
        """Insert the batches in the current transaction; return rows inserted."""
        raise NotImplementedError

    def write_keys(self, spec: TableSpec, temp: str, batches: Iterable[pa.RecordBatch]) -> None:
        """Load key batches into the temporary table ``temp``."""
        raise NotImplementedError

    # -- schema ---------------------------------------------------------------
    def reflect(self, *, schemas: list[str] | None = None) -> Schema:
        """The database's schema: every user schema's tables, less seedbed's own."""
        from dataclasses import replace

        from seedbed.schema.reflect import reflect_schema

        found = reflect_schema(self.engine, schemas=schemas or self.user_schemas())
        return replace(found, tables=tuple(t for t in found.tables if t.name != MANIFEST_TABLE))

    def user_schemas(self) -> list[str] | None:
        """Schemas holding the application's tables (None: the connection's default)."""
        return None

    def existing_tables(self, schema: str | None = None) -> set[str]:
        insp = sa.inspect(self.engine)  # its own connection: no transaction left open here
        names = set(insp.get_table_names(schema=schema))
        return {f"{schema}.{n}" for n in names} if schema else names

    def execute_ddl(self, statements: list[str]) -> None:
        with self.conn.begin():
            for stmt in statements:
                self.conn.exec_driver_sql(stmt)

    # -- loading ---------------------------------------------------------------
    def load(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> int:
        """Write one table's batches in one transaction; rows inserted.

        ``merge`` skips rows whose key already exists (a rerun inserts only what
        is missing); without it rows are appended by the fastest path.
        """
        try:
            with self.conn.begin():
                return self.write_batches(spec, batches, merge=merge)
        except SeedbedError:
            raise
        except Exception as err:
            code, detail = self.describe_error(err)
            if code is None:
                raise
            raise LoadFailed(
                f"{self.dialect} rejected rows of {spec.name} ({code}): {detail}",
                where=spec.name,
                hint="the table was rolled back; give the offending column a generator in the plan "
                "(seedbed plan --columns shows what each column gets)",
            ) from err

    def describe_error(self, err: Exception) -> tuple[str | None, str]:
        """(error code, first line of the message) of a driver error; (None, ..) if not one."""
        return None, str(err)

    # -- key sets: rerun, verify and purge recompute keys instead of storing them ---
    def _with_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> str:
        temp = "seedbed_keys"
        cols = ", ".join(self.q(c) for c in spec.key)
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {temp}")
        self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {temp} AS SELECT {cols} FROM {self.qt(spec)} WHERE 1 = 0")
        self.write_keys(spec, temp, batches)
        # without an index every probe of the key set would scan it
        self.conn.exec_driver_sql(f"CREATE INDEX {temp}_idx ON {temp} ({cols})")
        return temp

    null_safe_eq = "IS NOT DISTINCT FROM"  # equality where NULL matches NULL

    def _match(self, spec: TableSpec, outer: str, inner: str = "k") -> str:
        parts = []
        for c in spec.key:
            op = "=" if not spec.table.column(c).nullable else self.null_safe_eq
            parts.append(f"{inner}.{self.q(c)} {op} {outer}.{self.q(c)}")
        return " AND ".join(parts)

    def insert_missing_sql(self, spec: TableSpec, stage: str) -> str:
        """Insert the staged rows whose key is not in the table yet (reruns)."""
        cols = ", ".join(self.q(c) for c in spec.written)
        return (
            f"INSERT INTO {self.qt(spec)} ({cols}) SELECT {cols} FROM {stage} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {self.qt(spec)} t WHERE {self._match(spec, 't', 's')})"
        )

    def count_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
        """How many of the given keys are present in the table."""
        with self.conn.begin():
            temp = self._with_keys(spec, batches)
            n = self.conn.exec_driver_sql(
                f"SELECT count(*) FROM {temp} k WHERE EXISTS "
                f"(SELECT 1 FROM {self.qt(spec)} t WHERE {self._match(spec, 't')})"
            ).scalar_one()
            self.conn.exec_driver_sql(f"DROP TABLE {temp}")
        return int(n)

    def transaction(self):
        """A transaction, or a savepoint within the one already open."""
        return self.conn.begin_nested() if self.conn.in_transaction() else self.conn.begin()

    def delete_keys(self, spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> int:
        """Delete exactly the rows with the given keys (nothing else); rows deleted.

        Runs in the caller's transaction, so a purge of many tables is all or nothing.
        """
        temp = self._with_keys(spec, batches)
        res = self.conn.exec_driver_sql(
            f"DELETE FROM {self.qt(spec)} WHERE EXISTS "
            f"(SELECT 1 FROM {temp} k WHERE {self._match(spec, self.qt(spec))})"
        )
        self.conn.exec_driver_sql(f"DROP TABLE {temp}")
        return int(res.rowcount)

    def update_columns(self, spec: TableSpec, columns: tuple[str, ...], batches: Iterable[pa.RecordBatch]) -> int:
        """Set ``columns`` of the rows identified by the key (batches hold key + columns).

        Used for foreign keys cut from a cycle: loaded as NULL, set once the parent exists.
        Runs in the caller's transaction.
        """
        from dataclasses import replace

        wide = replace(spec, key=spec.key + tuple(c for c in columns if c not in spec.key))
        temp = self._with_keys(wide, batches)
        res = self.conn.exec_driver_sql(self.update_sql(spec, temp, columns))
        self.conn.exec_driver_sql(f"DROP TABLE {temp}")
        return int(res.rowcount)

    def update_sql(self, spec: TableSpec, temp: str, columns: tuple[str, ...]) -> str:
        sets = ", ".join(f"{self.q(c)} = k.{self.q(c)}" for c in columns)
        return f"UPDATE {self.qt(spec)} SET {sets} FROM {temp} k WHERE {self._match(spec, self.qt(spec))}"

    def trigger_feeds(self) -> dict[str, set[str]]:
        """Tables that triggers insert into, and the tables whose inserts fire them."""
        return {}

    def ddl_flavour(self, dialect: str) -> str:
        """The dialect to read DDL in for this server (MariaDB reads MySQL's version comments
        its own way)."""
        return dialect

    def json_text(self, expr: str, path: list[str]) -> str:
        """SQL for the text at ``path`` inside the JSON value ``expr`` (PostgreSQL, SQLite)."""
        inner = "".join(f"->'{p}'" for p in path[:-1])
        return f"{expr}{inner}->>'{path[-1]}'"

    def checks_off(self):
        """A context in which foreign keys are not checked (cycles of NOT NULL keys)."""
        raise LoadFailed(
            f"{self.dialect} cannot load a cycle of NOT NULL foreign keys here",
            hint="make one foreign key on the cycle nullable or deferrable",
        )

    def max_value(self, spec: TableSpec, column: str) -> int:
        """The largest value of an integer column (0 for an empty table)."""
        with self.conn.begin():
            v = self.conn.exec_driver_sql(f"SELECT max({self.q(column)}) FROM {self.qt(spec)}").scalar()
        return max(int(v or 0), 0)

    def index_ddl_to_defer(self, spec: TableSpec) -> tuple[list[str], list[str]] | None:
        """Statements to drop an empty table's indexes before a load and recreate them
        after; None where the sink does not do that."""
        return None

    def run_ddl(self, statements: list[str]) -> None:
        with self.transaction():
            for stmt in statements:
                self.conn.exec_driver_sql(stmt)

    def restore_ddl(self, statements: list[str]) -> None:
        """Recreate indexes and constraints dropped for a load; one that exists already (the
        drop never happened, or it was rebuilt before) is left as it is."""
        for stmt in statements:
            try:
                with self.transaction():
                    self.conn.exec_driver_sql(stmt)
            except sa.exc.DBAPIError as err:
                if not self.already_exists(err):
                    raise

    def already_exists(self, err: sa.exc.DBAPIError) -> bool:
        return "already exists" in str(err.orig)

    def after_load(self, spec: TableSpec) -> None:
        """Hook after a table is loaded (PostgreSQL moves its sequences past the new keys)."""

    def keys_present(self, spec: TableSpec, keys: pa.RecordBatch) -> int:
        """How many of a few keys are in the table: one query, no temporary table."""
        cols = [self.python_values(keys.column(c)) for c in spec.key]
        params, tuples = {}, []
        for i, row in enumerate(zip(*cols, strict=True)):
            names = []
            for j, value in enumerate(row):
                params[f"k{i}_{j}"] = value
                names.append(f":k{i}_{j}")
            tuples.append(f"({', '.join(names)})")
        target = ", ".join(self.q(c) for c in spec.key)
        sql = f"SELECT count(*) FROM {self.qt(spec)} WHERE ({target}) IN ({', '.join(tuples)})"
        with self.conn.begin():
            return int(self.conn.execute(sa.text(sql), params).scalar_one())

    def python_values(self, col: pa.Array) -> list[Any]:
        """Values as the driver binds them (SQLite overrides: it has no date types)."""
        return col.to_pylist()

    def count_rows(self, spec: TableSpec) -> int:
        with self.conn.begin():
            return int(self.conn.exec_driver_sql(f"SELECT count(*) FROM {self.qt(spec)}").scalar_one())

    # -- queries ---------------------------------------------------------------
    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        with self.conn.begin():
            return self.conn.execute(sa.text(sql), params or {}).scalar()

    def orphans(self, spec: TableSpec, fk, parent_key: tuple[str, ...], parent: str) -> int:
        """Rows of ``spec`` whose foreign key points at no row of ``parent``."""
        pairs = zip(fk.columns, fk.ref_columns, strict=True)
        cond = " AND ".join(f"p.{self.q(pc)} = c.{self.q(cc)}" for cc, pc in pairs)
        notnull = " AND ".join(f"c.{self.q(c)} IS NOT NULL" for c in fk.columns)
        sql = (
            f"SELECT count(*) FROM {self.qt(spec)} c WHERE {notnull} AND NOT EXISTS "
            f"(SELECT 1 FROM {self.qname(parent)} p WHERE {cond})"
        )
        with self.conn.begin():
            return int(self.conn.exec_driver_sql(sql).scalar_one())

    def duplicates(self, spec: TableSpec, columns: tuple[str, ...]) -> int:
        cols = ", ".join(self.q(c) for c in columns)
        notnull = " AND ".join(f"{self.q(c)} IS NOT NULL" for c in columns)
        sql = (
            f"SELECT count(*) FROM (SELECT {cols} FROM {self.qt(spec)} WHERE {notnull} "
            f"GROUP BY {cols} HAVING count(*) > 1) d"
        )
        with self.conn.begin():
            return int(self.conn.exec_driver_sql(sql).scalar_one())

    # -- quoting ---------------------------------------------------------------
    def q(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def qname(self, qualified: str) -> str:
        return ".".join(self.q(p) for p in qualified.split("."))

    def qt(self, spec: TableSpec) -> str:
        return self.qname(spec.name)

    # -- the run manifest ------------------------------------------------------
    def _manifest_table(self) -> sa.Table:
        md = sa.MetaData()
        return sa.Table(
            MANIFEST_TABLE,
            md,
            sa.Column("run_id", sa.String(120), primary_key=True),
            sa.Column("plan_name", sa.String(200), nullable=False),
            sa.Column("seed", sa.String(100), nullable=False),
            sa.Column("scale", sa.String(40), nullable=False),
            sa.Column("plan_hash", sa.String(64), nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("started_at", sa.String(40)),
            sa.Column("finished_at", sa.String(40)),
            sa.Column("manifest", sa.Text, nullable=False),
        )

    def save_manifest(self, record: dict[str, Any]) -> None:
        t = self._manifest_table()
        with self.transaction():
            t.create(self.conn, checkfirst=True)
            self.conn.execute(t.delete().where(t.c.run_id == record["run_id"]))
            self.conn.execute(
                t.insert().values(
                    run_id=record["run_id"],
                    plan_name=record["plan"],
                    seed=str(record["seed"]),
                    scale=str(record["scale"]),
                    plan_hash=record["plan_hash"],
                    status=record["status"],
                    started_at=record.get("started_at"),
                    finished_at=record.get("finished_at"),
                    manifest=json.dumps(record, sort_keys=True),
                )
            )

    def load_manifests(self, plan_name: str | None, seed: int | str | None = None) -> list[dict[str, Any]]:
        """Manifests of the runs of ``plan_name`` (every plan's when None) recorded here."""
        t = self._manifest_table()
        if MANIFEST_TABLE not in self.existing_tables():
            return []
        q = sa.select(t.c.manifest)
        if plan_name is not None:
            q = q.where(t.c.plan_name == plan_name)
        if seed is not None:
            q = q.where(t.c.seed == str(seed))
        with self.conn.begin():
            rows = self.conn.execute(q.order_by(t.c.run_id)).scalars().all()
        return [json.loads(r) for r in rows]

    def delete_manifest(self, run_id: str) -> None:
        t = self._manifest_table()
        with self.conn.begin():
            self.conn.execute(t.delete().where(t.c.run_id == run_id))

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()
