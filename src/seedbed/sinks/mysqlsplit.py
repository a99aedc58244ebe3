"""One MySQL/MariaDB table's rows through several connections at once, committed as one.

InnoDB takes rows from several sessions at once, on as many cores: S1's audit log into
MariaDB (400,000 rows, its keys and foreign keys in place) loads in 9.3 s through one
connection and in 4.9 s through two. So a table of more than one batch is spread over
``connections`` sessions, each loading its share of the batches in a branch of one XA
transaction. Once every branch is prepared, the decision to commit is recorded (a row
in ``seedbed_commits``, committed), and then every branch commits: the table's rows go
in together or not at all, with every key checked as they arrive.

A run killed after the decision and before the last branch committed leaves prepared
branches in the server, holding their locks. The next command that takes the
database's run lock finds them (``XA RECOVER``, ``recover``): it commits those whose
decision was recorded and rolls back the others. A run killed before the decision
leaves nothing: the server rolls back the branches of a closed connection that were
not prepared, and those that were are rolled back by the next command.
"""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from seedbed.errors import SeedbedError
from seedbed.sinks.base import DatabaseSink, Deferral, Extremes, LoadResult
from seedbed.sinks.manifest import COMMITS_TABLE
from seedbed.sinks.mysqlcsv import mysql_batches

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

LOCK_WAIT = 5  # seconds a branch waits for a row lock before the table goes through one session
PREFIX = "seedbed-"  # of every transaction id seedbed starts: XA RECOVER lists other programs' too


class SplitLoading(DatabaseSink):
    """The MySQL sink's loads of more than one batch, spread over its ``connections``."""

    connections: int = 1
    local_infile: bool = True
    one_session: set[str]  # tables tried through several sessions that waited on one another

    def __init__(self, url: str) -> None:
        self.one_session = set()
        self._xa: bool | None = None
        super().__init__(url)

    def load(
        self,
        spec: TableSpec,
        batches: Iterable[pa.RecordBatch],
        *,
        merge: bool,
        deferral: Deferral | None = None,
        sift: bool = False,
    ) -> LoadResult:
        plain = merge or sift or deferral is not None or self.connections < 2 or not self.local_infile
        plain = plain or spec.name in self.one_session or not self._recoverable()
        if not plain:
            more, batches = peeked(batches)
            plain = not more or self._in_order_only(spec)
        if plain:
            return super().load(spec, batches, merge=merge, deferral=deferral, sift=sift)
        t0 = time.perf_counter()
        try:
            with self.conn.begin():
                sequences = self.sequences(spec)
            written = Extremes(sequences)
            rows, sessions = split_load(self, spec, mysql_batches(spec, written.watch(batches)), self.connections)
            with self.conn.begin():  # the application's next INSERT draws past the seeded keys
                for column, names in sequences.items():
                    if column in written.high:
                        for name in names:
                            self.advance_sequence(name, written.low[column], written.high[column])
        except SeedbedError:
            raise
        except Exception as err:
            if self.dialect.error_code(err) in self.dialect.RETRY:
                # the sessions waited on one another's rows (a key two of them hold): the
                # table is tried again through one session, which names the duplicate
                self.one_session.add(spec.name)
            self.reraise(spec, err)
        return LoadResult(rows, f"load data x{sessions}", round(time.perf_counter() - t0, 3))

    def _in_order_only(self, spec: TableSpec) -> bool:
        """A table whose rows must arrive one after another: one referring to itself (a
        parent row first), or one with a trigger (what it does to other tables is not
        known to bear sessions side by side)."""
        if any(fk.ref_table in (spec.name, spec.table.qualified) for fk in spec.table.foreign_keys):
            return True
        cur = self.raw_cursor()
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = COALESCE(%s, DATABASE()) "
            "AND EVENT_OBJECT_TABLE = %s",
            (spec.table.schema, spec.table.name),
        )
        found = bool(cur.fetchone()[0])
        cur.execute("COMMIT")
        return found

    def _recoverable(self) -> bool:
        """Whether this user may list prepared transactions (MySQL 8 asks XA_RECOVER_ADMIN):
        a load split over sessions is one a killed run's next command must be able to end."""
        if self._xa is None:
            cur = self.raw_cursor()
            try:
                cur.execute("XA RECOVER")
                cur.fetchall()
                self._xa = True
            except Exception:  # noqa: BLE001 - refused: one session per table, as before
                self._xa = False
            cur.execute("COMMIT")
        return self._xa

    def try_lock(self, command: str) -> bool:
        """The run lock; once held, what a killed run's load left prepared is ended."""
        if not super().try_lock(command):
            return False
        recover(self)
        return True

    def raw_cursor(self) -> Any:
        return self._raw().cursor()

    def order_of(self, spec: TableSpec) -> list[str]:
        """Columns to sort each batch by before it is sent (the primary key's)."""
        raise NotImplementedError

    def load_file(
        self, cur: Any, table: str, columns: tuple[str, ...], batch: pa.RecordBatch, path: str, con: Any = None
    ) -> int:
        raise NotImplementedError

    def refused_batch(self, spec: TableSpec, batch: pa.RecordBatch | None, err: BaseException) -> BaseException:
        raise NotImplementedError


class Branch:
    """One connection's share of a table's load: an XA branch, begun on connecting."""

    def __init__(self, sink: SplitLoading, gtrid: str, number: int, checks: int):
        self.sink, self.state = sink, "active"
        self.xid = f"'{gtrid}','{number}'"  # hex and digits: nothing of the user's in the SQL
        self.con = sink.dialect.connect(sink.url, **sink.url_options)  # LOAD DATA LOCAL allowed
        self.cur = self.con.cursor()
        # two sessions holding the same key wait for each other until one gives up: soon
        self.cur.execute(f"SET SESSION innodb_lock_wait_timeout = {LOCK_WAIT}")
        # as the run's own session checks foreign keys: off while a cycle's rows go in (unchecked)
        self.cur.execute(f"SET SESSION foreign_key_checks = {int(checks)}")
        self.folder = tempfile.mkdtemp(prefix="seedbed-")
        self.rows = 0
        self.batch: pa.RecordBatch | None = None  # the one in flight: an orphan in it is named
        # one batch waiting per session: S1 at scale 0.2 loads as fast as with two (12.1-14.5 s
        # against 13.3-14.0 s) and peaks 25 MB lower (292 MB against 317 MB)
        self.todo: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=1)
        self.thread: threading.Thread | None = None
        self.cur.execute(f"XA START {self.xid}")

    def start(self, work: Callable[[Branch], None]) -> None:
        self.thread = threading.Thread(target=work, args=(self,), daemon=True, name=f"seedbed-load-{self.xid}")
        self.thread.start()

    def load(self, spec: TableSpec, batch: pa.RecordBatch, order: list[str]) -> None:
        self.batch = batch
        if order and batch.num_rows > 1:
            batch = batch.take(pc.sort_indices(batch, [(c, "ascending") for c in order]))
        path = str(Path(self.folder) / "batch.csv")
        self.rows += self.sink.load_file(self.cur, self.sink.qt(spec), spec.written, batch, path, self.con)

    def prepare(self) -> None:
        self.cur.execute(f"XA END {self.xid}")
        self.state = "idle"
        self.cur.execute(f"XA PREPARE {self.xid}")
        self.state = "prepared"

    def commit(self) -> None:
        self.cur.execute(f"XA COMMIT {self.xid}")
        self.state = "committed"

    def abandon(self) -> None:
        """Roll the branch back; a connection that cannot is closed (the server rolls back
        a branch that was not prepared; one that was is left to ``recover``)."""
        with suppress(Exception):
            if self.state == "active":
                self.cur.execute(f"XA END {self.xid}")
                self.state = "idle"
            if self.state in ("idle", "prepared"):
                self.cur.execute(f"XA ROLLBACK {self.xid}")
                self.state = "rolled back"

    def close(self) -> None:
        with suppress(Exception):
            self.con.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def split_load(
    sink: SplitLoading, spec: TableSpec, batches: Iterable[pa.RecordBatch], connections: int
) -> tuple[int, int]:
    """Load the batches through up to ``connections`` sessions in one XA transaction, the
    i-th batch through session i mod ``connections``; (rows written, sessions). A failure
    rolls every branch back and is raised as the driver's."""
    gtrid = f"{own_prefix(sink)}{uuid.uuid4().hex[:24]}"
    order = sink.order_of(spec)
    cur = sink.raw_cursor()
    cur.execute("SELECT @@SESSION.foreign_key_checks")
    checks = int(cur.fetchone()[0])
    cur.execute("COMMIT")
    branches: list[Branch] = []
    failed: list[tuple[BaseException, pa.RecordBatch | None]] = []

    def work(branch: Branch) -> None:
        while (batch := branch.todo.get()) is not None:
            if failed:
                continue  # drained, so the feeder never blocks
            try:
                branch.load(spec, batch, order)
            except BaseException as err:  # noqa: BLE001 - handed to the feeding thread
                failed.append((err, branch.batch))

    try:
        for i, batch in enumerate(b for b in batches if b.num_rows):
            if failed:
                break
            if len(branches) < connections:  # a session per batch, up to ``connections``
                branches.append(Branch(sink, gtrid, len(branches), checks))
                branches[-1].start(work)
            branches[i % connections].todo.put(batch)
        _stop(branches)
        if failed:
            err, batch = failed[0]
            named = sink.refused_batch(spec, batch, err)
            if named is err:
                raise err
            raise named from err
        for branch in branches:
            branch.prepare()
        _decide(sink, gtrid)
        for branch in branches:
            branch.commit()
        _forget(sink, gtrid)
        return sum(b.rows for b in branches), len(branches)
    except BaseException:
        _stop(branches, failed)
        if not any(b.state == "committed" for b in branches):  # else the decision stands: recover() ends it
            for branch in reversed(branches):
                branch.abandon()
            with suppress(Exception):
                _forget(sink, gtrid)
        raise
    finally:
        for branch in branches:
            branch.close()


def _stop(branches: list[Branch], failed: list[Any] | None = None) -> None:
    """The loading threads told to finish, and waited for (a load in flight ends first)."""
    if failed is not None and not failed:
        failed.append((RuntimeError("stopped"), None))  # the threads skip what is left
    for branch in branches:
        if branch.thread is not None and branch.thread.is_alive():
            branch.todo.put(None)
    for branch in branches:
        if branch.thread is not None:
            branch.thread.join(timeout=60)


def own_prefix(sink: SplitLoading) -> str:
    """``seedbed-`` and the database's mark: XA transactions are the server's, and another
    database's run (with a run lock of its own) may be between its prepare and commit."""
    cur = sink.raw_cursor()
    cur.execute("SELECT LEFT(MD5(DATABASE()), 12)")
    mark = str(cur.fetchone()[0])
    cur.execute("COMMIT")
    return f"{PREFIX}{mark}-"


def _decide(sink: SplitLoading, gtrid: str) -> None:
    """Record the decision to commit ``gtrid``, committed, before any branch commits."""
    cur = sink.raw_cursor()
    cur.execute(f"CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} (gtrid VARCHAR(64) NOT NULL PRIMARY KEY)")
    cur.execute(f"INSERT INTO {COMMITS_TABLE} (gtrid) VALUES (%s)", (gtrid,))
    cur.execute("COMMIT")


def _forget(sink: SplitLoading, gtrid: str | None) -> None:
    """Every branch ended: the decision goes, and its table with the last one (None: only
    a table a run killed between the two left empty)."""
    cur = sink.raw_cursor()
    if gtrid is not None:
        cur.execute(f"DELETE FROM {COMMITS_TABLE} WHERE gtrid = %s", (gtrid,))
        cur.execute("COMMIT")
    cur.execute(f"SELECT COUNT(*) FROM {COMMITS_TABLE}")
    if not cur.fetchone()[0]:
        cur.execute(f"DROP TABLE IF EXISTS {COMMITS_TABLE}")
    cur.execute("COMMIT")


def recover(sink: SplitLoading) -> list[str]:
    """End the branches a killed run left prepared: committed where its decision was
    recorded, rolled back elsewhere. Returns what was done, one line per transaction.
    Called with the database's run lock held, so no run of seedbed is deciding now."""
    cur = sink.raw_cursor()
    cur.execute("COMMIT")  # XA statements refuse to run inside a transaction of the session's own
    try:
        cur.execute("XA RECOVER")
    except Exception:  # noqa: BLE001 - not allowed to look (MySQL 8: XA_RECOVER_ADMIN): nothing to end
        return []
    found = cur.fetchall()
    ours = own_prefix(sink)
    pending: dict[str, list[str]] = {}
    for _fmt, glen, _blen, data in found:
        raw = data if isinstance(data, bytes) else str(data).encode()
        gtrid, bqual = raw[:glen].decode(errors="replace"), raw[glen:].decode(errors="replace")
        if gtrid.startswith(ours) and gtrid[len(ours) :].isalnum() and bqual.isdigit():
            pending.setdefault(gtrid, []).append(bqual)
    cur.execute(f"SHOW TABLES LIKE '{COMMITS_TABLE}'")
    decided = set()
    has_table = bool(cur.fetchall())
    if has_table:
        cur.execute(f"SELECT gtrid FROM {COMMITS_TABLE}")
        decided = {str(r[0]) for r in cur.fetchall()}
    cur.execute("COMMIT")  # (the reads above began one)
    done = []
    cur.execute("SET autocommit = 1")  # else the server counts the session as working outside them
    try:
        for gtrid, branches in sorted(pending.items()):
            verb = "COMMIT" if gtrid in decided else "ROLLBACK"
            for bqual in sorted(branches, key=int):
                cur.execute(f"XA {verb} '{gtrid}','{bqual}'")
            done.append(f"{'committed' if verb == 'COMMIT' else 'rolled back'} the {len(branches)} prepared "
                        f"part(s) of an interrupted load ({gtrid})")  # fmt: skip
    finally:
        cur.execute("SET autocommit = 0")
    for gtrid in decided:
        _forget(sink, gtrid)
    if has_table and not decided:
        _forget(sink, None)
    return done


def peeked(batches: Iterable[pa.RecordBatch]) -> tuple[bool, Iterator[pa.RecordBatch]]:
    """(more than one batch?, the same batches): a table of one batch loads as before."""
    it = iter(batches)
    head = [b for _, b in zip(range(2), it, strict=False)]

    def again() -> Iterator[pa.RecordBatch]:
        yield from head
        yield from it

    return len(head) > 1, again()
