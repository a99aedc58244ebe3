"""A connection to one database: SQLAlchemy over the dialect's own driver connection.

Every connection, SQLAlchemy's own (reflection, inspection) included, comes from the
dialect's ``connect`` (SQLAlchemy gets it as its ``creator``), so a URL is read and a
database reached in one way only. Statements seedbed writes itself go to the driver
directly; SQLAlchemy keeps the transactions and savepoints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import pyarrow as pa
import sqlalchemy as sa

from seedbed.dialects import Dialect, redact
from seedbed.dialects.names import split_name
from seedbed.errors import ConnectionFailed
from seedbed.sinks.manifest import ManifestStore

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

T = TypeVar("T")


ATTEMPTS = 3  # tries to reach a server that does not answer, the pauses between them doubling
FIRST_PAUSE = 0.5  # seconds


def connect_with_retries(connect: Callable[[], T]) -> T:
    """``connect()``, tried again after a pause when the server did not answer (a server
    restarting, too many connections); a refusal that will not change (a wrong password, a
    missing database) fails at once. The last failure says how often it was tried."""
    pause, waited = FIRST_PAUSE, 0.0
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return connect()
        except ConnectionFailed as err:
            if not err.transient:
                raise
            if attempt == ATTEMPTS:
                message = f"{err.message} (tried {ATTEMPTS} times over {waited:g} s)"
                raise ConnectionFailed(message, hint=err.hint, where=err.where) from None
            time.sleep(pause)
            waited, pause = waited + pause, pause * 2
    raise AssertionError("unreachable")


class Connected:
    """One open connection, its manifest store, and the SQL helpers every sink shares."""

    dialect: ClassVar[Dialect]
    url_options: ClassVar[dict[str, Any]] = {}  # extra keywords for dialect.connect

    def __init__(self, url: str):
        self.url = url
        self.safe_url = redact(url)
        d = self.dialect
        # no pool, and no ROLLBACK when a connection is handed back: it is closed at once (the
        # server rolls back what was open), and a connection a signal stopped in the middle of
        # a COPY would answer that ROLLBACK with an error the pool prints as a traceback
        self.engine = sa.create_engine(
            d.sqlalchemy_url,
            creator=lambda: d.connect(url, **self.url_options),
            poolclass=sa.pool.NullPool,
            pool_reset_on_return=None,
        )
        self.prepare_engine(self.engine)
        self.conn = connect_with_retries(self.engine.connect)
        self.manifests = ManifestStore(d, self._execute, self.safe_url, self.transaction)

    def prepare_engine(self, engine: sa.Engine) -> None:
        """Set up the engine before its first connection (event listeners); nothing by default."""

    def transaction(self) -> AbstractContextManager[Any]:
        """A transaction, or a savepoint within the one already open."""
        return self.conn.begin_nested() if self.conn.in_transaction() else self.conn.begin()

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """The first value of a query's first row (None when no row); ``params`` fill the
        driver's marks (``dialect.param``). Without params the text goes to the driver as it
        is: a '%' or ':' in it means nothing."""
        with self.transaction():
            cur = self._raw().cursor()
            try:
                if params is None:
                    cur.execute(sql)
                else:
                    cur.execute(sql, tuple(params))
                row = cur.fetchone()
            finally:
                cur.close()
        return row[0] if row else None

    def driver_values(self, col: pa.Array) -> list[Any]:
        return col.to_pylist()

    def _execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """One statement with driver parameter marks (``%(name)s`` for a mapping), in the
        current transaction."""
        cur = self._raw().cursor()
        try:
            cur.execute(sql, params if isinstance(params, Mapping) else tuple(params))
            return list(cur.fetchall()) if cur.description else []
        finally:
            cur.close()

    def _raw_execute(self, sql: str) -> None:
        """One statement, no parameters: DDL may hold a '%' (LIKE 'a%') a parameter-parsing
        driver would choke on."""
        cur = self._raw().cursor()
        try:
            cur.execute(sql)
        finally:
            cur.close()

    def _raw(self) -> Any:
        return self.conn.connection.driver_connection

    def q(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def qname(self, qualified: str) -> str:
        return ".".join(self.q(p) for p in split_name(qualified))

    def qt(self, spec: TableSpec) -> str:
        return self.qname(spec.name)

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()
