"""The sink protocol: what a run asks of the database it fills, and the SQL they share.

``Sink`` is all the runner (``seedbed.run``) uses. ``DatabaseSink`` implements it once
(``connection.py`` for the connection, ``keysets.py`` for finding a run's rows); the
subclasses (``postgres.py``, ``mysql.py``, ``sqlite.py``) override only their bulk paths
and what their database does differently.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from seedbed.dialects import Dialect
from seedbed.dialects.names import join_name
from seedbed.errors import ConnectionFailed, LoadFailed, SeedbedError
from seedbed.sinks.keysets import KeySets
from seedbed.sinks.lock import holder_label
from seedbed.sinks.manifest import SEEDBED_TABLES, ManifestStore
from seedbed.sinks.sift import sift as sifted

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec
    from seedbed.schema.model import Schema


@dataclass(frozen=True)
class LoadResult:
    """What loading one table did."""

    rows: int  # rows inserted
    path: str  # how they went in: "copy binary", "copy csv", "load data", "insert"
    seconds: float
    index_seconds: float = 0.0  # of which rebuilding what was dropped for the load
    refused: tuple[int, ...] = ()  # positions of rows the database refused, when sifted (sift.py)
    refusal: str = ""  # the first refusal's message


@dataclass(frozen=True)
class Deferral:
    """Indexes and constraints of an empty table, dropped for its load and rebuilt after it
    in the load's own transaction (a table commits with every one of them, or not at all)."""

    drop: list[str]
    rebuild: list[str]


class Sink(Protocol):
    """A database a run writes to."""

    safe_url: str  # the URL with the password hidden
    manifests: ManifestStore  # the runs recorded in it

    @property
    def dialect(self) -> Dialect:
        """Its family: type spellings, errors, capabilities; recipe checks are looked up by its name."""
        ...

    @property
    def flavour(self) -> Dialect:
        """The server's own reading of DDL (MariaDB reads MySQL's versioned comments its way)."""
        ...

    def reflect(self) -> Schema:
        """The database's schema: every user schema's tables, less seedbed's own."""
        ...

    def existing_tables(self, schemas: Iterable[str | None]) -> set[str]: ...

    def execute(self, statements: Sequence[str], *, skip_existing: bool = False) -> None:
        """Run DDL in the current transaction (``skip_existing``: leave objects that exist)."""
        ...

    def deferrable(self, spec: TableSpec, keep: frozenset[str] = frozenset()) -> Deferral | None:
        """What of an empty table can be dropped for its load and rebuilt after (None: nothing);
        ``keep``: constraints to leave in place (foreign keys to tables not loaded yet)."""
        ...

    def load(
        self,
        spec: TableSpec,
        batches: Iterable[pa.RecordBatch],
        *,
        merge: bool,
        deferral: Deferral | None = None,
        sift: bool = False,
    ) -> LoadResult:
        """Write one table's batches in one transaction (``merge``: only rows whose key is missing);
        ``deferral``'s keys and indexes are dropped and rebuilt inside it, so the table commits
        with all of them or not at all. ``sift``: leave out the rows the database refuses
        (their positions in ``LoadResult.refused``) instead of failing."""
        ...

    def update(self, spec: TableSpec, columns: tuple[str, ...], batches: Iterable[pa.RecordBatch]) -> int: ...

    def delete(self, spec: TableSpec, keys: Iterable[pa.RecordBatch]) -> int: ...

    def count(self, spec: TableSpec, keys: pa.RecordBatch | Iterable[pa.RecordBatch]) -> int: ...

    def scalar(
        self,
        sql: str,
        params: Sequence[Any] | None = None,
        *,
        own: Sequence[tuple[TableSpec, Iterable[pa.RecordBatch]]] = (),
    ) -> Any:
        """The first value of a query (``params`` fill the driver's marks, ``dialect.param``);
        of each table in ``own`` (given with a run's keys) the query sees only those rows."""
        ...

    def trigger_feeds(self) -> dict[str, set[str]]:
        """Tables that INSERT triggers fill, and the tables whose inserts fire them."""
        ...

    def structure(self) -> list[tuple[str, str, str, bool]]:
        """(table, name, definition, valid) of every index and constraint of the user's tables."""
        ...

    def driver_values(self, col: pa.Array) -> list[Any]:
        """Values as the driver binds them."""
        ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def unchecked(self) -> AbstractContextManager[Any]:
        """A context in which foreign keys are not checked (cycles of NOT NULL keys)."""
        ...

    def close(self) -> None: ...


_INTEGERS = ("smallint", "int", "bigint")


class Extremes:
    """The lowest and highest value written to each of some integer columns, taken from the
    batches as they stream past (no query of the table afterwards: its indexes may be dropped)."""

    def __init__(self, columns: Iterable[str]):
        self.columns = list(columns)
        self.low: dict[str, int] = {}
        self.high: dict[str, int] = {}

    def watch(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for name in self.columns:
                col = batch.column(name)
                if not pa.types.is_integer(col.type) or col.null_count == len(col):
                    continue
                both = pc.min_max(col).as_py()
                self.low[name] = min(both["min"], self.low.get(name, both["min"]))
                self.high[name] = max(both["max"], self.high.get(name, both["max"]))
            yield batch


def known_error(sink: Sink, err: Exception) -> SeedbedError | None:
    """A driver's error the dialect knows (read-only, disk full, not a database, the
    connection lost), as seedbed's message naming the database and the next step."""
    d = sink.dialect
    if d.connection_lost(err):
        return ConnectionFailed(
            f"lost the connection to {sink.safe_url}",
            hint="what was in progress was rolled back; run the same command again once the database is back",
        )
    code = d.error_code(err)
    known = d.ERRORS.get(code) if code is not None else None
    if known is None:
        return None
    first = (str(getattr(err, "orig", err)).strip().splitlines() or [""])[0]
    return known.error(f"{sink.safe_url}: {known.meaning}{d.code_suffix(code)}: {first}", hint=known.hint)


def interrupt_in(err: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM (a KeyboardInterrupt) an error was raised while handling, if any:
    a driver whose socket it closed fails the rollback, and that error must not pass for
    the database refusing the rows."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return seen
        seen = seen.__context__
    return None


class DatabaseSink(KeySets):
    """Shared behaviour of database sinks; subclasses set ``dialect`` and the bulk paths."""

    @property
    def flavour(self) -> Dialect:
        return self.dialect

    # -- hooks for subclasses -------------------------------------------------
    def write_batches(self, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool) -> tuple[int, str]:
        """Insert the batches in the current transaction: (rows inserted, how)."""
        raise NotImplementedError

    def advance_sequence(self, sequence: str, low: int, high: int) -> None:
        """Move ``sequence`` past the values ``low``..``high`` written to a column it numbers
        (the dialect's ``SEQUENCES_SQL`` names them), never back: it may be ahead already, or
        number other tables too."""
        raise NotImplementedError

    def describe_error(self, err: BaseException) -> tuple[str | None, str]:
        """(error code, first line of the message) of a driver error; (None, ..) if not one."""
        code = self.dialect.error_code(err)
        orig = getattr(err, "orig", None) or err
        lines = str(orig).strip().splitlines()
        return code, lines[0] if lines else ""

    # -- schema ---------------------------------------------------------------
    def reflect(self) -> Schema:
        from seedbed.schema.reflect import reflect_schema

        found = reflect_schema(self.engine, schemas=self.user_schemas())
        return replace(found, tables=tuple(t for t in found.tables if t.name not in SEEDBED_TABLES))

    def user_schemas(self) -> list[str] | None:
        """Schemas holding the application's tables (None: the connection's default)."""
        return None

    def existing_tables(self, schemas: Iterable[str | None] = (None,)) -> set[str]:
        insp = sa.inspect(self.engine)  # its own connection: no transaction left open here
        out: set[str] = set()
        for schema in schemas:
            names = insp.get_table_names(schema=schema)
            out |= {join_name(schema, n) for n in names}
        return out

    def execute(self, statements: Sequence[str], *, skip_existing: bool = False) -> None:
        # through the driver without parameters: DDL may hold a '%' (LIKE 'a%') a
        # parameter-parsing driver would choke on
        with self.transaction():
            for stmt in statements:
                if not skip_existing:
                    self._raw_execute(stmt)
                    continue
                try:
                    with self.transaction():  # a savepoint per statement
                        self._raw_execute(stmt)
                except Exception as err:
                    if not self.dialect.exists_error(err):
                        raise

    def deferrable(self, spec: TableSpec, keep: frozenset[str] = frozenset()) -> Deferral | None:
        return None

    def structure(self) -> list[tuple[str, str, str, bool]]:
        """(table, name, definition, valid) of every index and constraint of the user's
        tables, from the database's own catalog (seedbed's manifest table left out)."""
        sql = self.dialect.STRUCTURE_SQL
        if not sql:
            return []
        with self.transaction():
            cur = self._raw().cursor()
            try:
                cur.execute(sql)  # no parameters: the text's '%' are LIKE's
                rows = cur.fetchall()
            finally:
                cur.close()
        return sorted((str(t), str(n), str(d), bool(v)) for t, n, d, v in rows if str(t) not in SEEDBED_TABLES)

    # -- the run lock (sinks/lock.py) -------------------------------------------
    def try_lock(self, command: str) -> bool:
        d = self.dialect
        if d.LOCK_SQL is None:
            return True
        if not self.scalar(d.LOCK_SQL):
            return False
        if d.LABEL_SQL:
            self.scalar(d.LABEL_SQL, [holder_label(command)])
        return True

    def unlock(self) -> None:
        if self.dialect.UNLOCK_SQL:
            self.scalar(self.dialect.UNLOCK_SQL)

    def lock_holder(self) -> str | None:
        return self.scalar(self.dialect.LOCK_HOLDER_SQL) if self.dialect.LOCK_HOLDER_SQL else None

    # -- loading ---------------------------------------------------------------
    def load(
        self,
        spec: TableSpec,
        batches: Iterable[pa.RecordBatch],
        *,
        merge: bool,
        deferral: Deferral | None = None,
        sift: bool = False,
    ) -> LoadResult:
        t0 = time.perf_counter()
        refused: list[int] = []
        why = ""
        index_seconds = 0.0
        try:
            with self.conn.begin():
                for stmt in deferral.drop if deferral else ():
                    self._raw_execute(stmt)
                sequences = self.sequences(spec)
                written = Extremes(sequences)
                if sift:  # every key in place: a refused row is found by its own statement
                    assert deferral is None
                    rows, path, refused, why = sifted(self, spec, written.watch(batches), merge=merge)
                else:
                    rows, path = self.write_batches(spec, written.watch(batches), merge=merge)
                # the application's next INSERT draws from these: past the seeded keys, or it collides
                for column, names in sequences.items():
                    if column in written.high:
                        for name in names:
                            self.advance_sequence(name, written.low[column], written.high[column])
                # before the commit: a duplicate or an orphan rolls back the rows and the drop
                t1 = time.perf_counter()
                for stmt in deferral.rebuild if deferral else ():
                    self._raw_execute(stmt)
                index_seconds = time.perf_counter() - t1
        except SeedbedError:
            raise
        except Exception as err:
            self.reraise(spec, err)
        return LoadResult(rows, path, round(time.perf_counter() - t0, 3), round(index_seconds, 3), tuple(refused), why)

    def reraise(self, spec: TableSpec, err: Exception) -> NoReturn:
        """Raise the error a table's load raised as seedbed says it (the driver's own when unknown)."""
        out = self.translated(spec, err)
        if out is err:
            raise err
        raise out from (err if isinstance(out, LoadFailed) else None)

    def translated(self, spec: TableSpec, err: Exception) -> BaseException:
        """The error a table's load raised, as seedbed says it (the driver's own when unknown)."""
        stop = interrupt_in(err)
        if stop is not None:  # a rollback that failed on the way out of Ctrl-C or SIGTERM
            return stop
        if self.dialect.connection_lost(err):
            return ConnectionFailed(
                f"lost the connection to {self.safe_url} while loading {spec.name}",
                where=spec.name,
                hint="the server rolls the table back; run the same command again once the database is back",
            )
        code, detail = self.describe_error(err)
        if code is None:
            return err
        return self.dialect.load_failed(spec.name, code, detail)

    def sequences(self, spec: TableSpec) -> dict[str, list[str]]:
        """The written columns a sequence numbers, and their sequences (in the open transaction).

        Asked of the database, not the model: a column the model calls identity may have no
        sequence (AUTO_INCREMENT, SQLite's rowid), and a MariaDB ``DEFAULT nextval(s)`` is not
        reflected as one."""
        numbered = [c for c in spec.written if spec.table.column(c).type.kind in _INTEGERS]
        if not numbered or not self.dialect.SEQUENCES_SQL:
            return {}
        params = {"table": self.qt(spec), "schema": spec.table.schema, "name": spec.table.name}
        out: dict[str, list[str]] = {}
        for column, sequence in self._execute(self.dialect.SEQUENCES_SQL, params):
            if column in numbered:
                out.setdefault(column, []).append(sequence)
        return out

    def trigger_feeds(self) -> dict[str, set[str]]:
        from seedbed.schema.feeds import read

        with self.conn.begin():
            pairs = read(self.conn, self.dialect)
        feeds: dict[str, set[str]] = {}
        for target, source in pairs:
            feeds.setdefault(target, set()).add(source)
        return feeds

    def unchecked(self) -> AbstractContextManager[Any]:
        raise LoadFailed(
            f"{self.dialect.name} cannot load a cycle of NOT NULL foreign keys here",
            hint="make one foreign key on the cycle nullable or deferrable",
        )

    def __enter__(self) -> DatabaseSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
