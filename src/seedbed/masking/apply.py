"""Reading a database's personal values and writing fakes in their place.

Each column's distinct values are read, mapped (``fakes``) and loaded into an indexed
temporary table of (original, fake) pairs of the column's own type - so the join that
writes them back compares as the column does (a case-insensitive collation, citext) -
and one UPDATE joins it. A table's columns change in one transaction; tables a foreign
key ties through a masked column change together, with the key unchecked until both
sides carry the fakes. Empty strings and NULLs stay as they are.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from seedbed.errors import LoadFailed, SeedbedError
from seedbed.masking.detect import Group, Target
from seedbed.masking.fakes import Fakes
from seedbed.planning.resolved import TableSpec
from seedbed.schema.model import Column, ColumnType, Table
from seedbed.sinks.base import DatabaseSink, known_error

_ALNUM = re.compile(r"[^\W_]")
_TEMP = "seedbed_mask"
_CHUNK = 50_000  # (original, fake) pairs per batch sent
# the pairs table as the sink's key-set writer takes it: both columns are the key it sends
_PAIRS = TableSpec(
    name=_TEMP,
    table=Table(_TEMP, (Column("o", ColumnType("text")), Column("f", ColumnType("text")))),
    columns={},
    written=("o", "f"),
    key=("o", "f"),
    arrow_schema=pa.schema([("o", pa.string()), ("f", pa.string())]),
)


@dataclass(frozen=True)
class Masked:
    """One column's outcome: rows changed (or, in a dry run, rows that would be) and the
    distinct values among them."""

    table: str
    column: str
    kind: str
    rows: int
    values: int


Progress = Callable[[str, int, int, list[Masked], float], None]  # (table, i, n, its columns, seconds)


def mask(
    sink: DatabaseSink,
    targets: Sequence[Target],
    groups: Sequence[Group],
    *,
    key: bytes,
    locale: str = "en_US",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> list[Masked]:
    """Mask every target column; the per-column report, in table order."""
    if dry_run:
        return [_count(sink, t) for t in targets]
    fakes = [Fakes(g.kind, key, strict=g.strict, max_len=g.max_len, locale=locale) for g in groups]
    for t in targets:  # a strict kind's fakes avoid every original of its columns, so read all first
        if groups[t.group].strict:
            fakes[t.group].reserve(_read(sink, t))
    units = _units(targets)
    report: list[Masked] = []
    done: list[str] = []
    for i, unit in enumerate(units, 1):
        started = time.perf_counter()
        names = list(dict.fromkeys(t.table.qualified for t in unit))
        try:
            with _unchecked(sink, unit), sink.transaction():
                masked = [
                    m for name in names for m in _write(sink, [t for t in unit if t.table.qualified == name], fakes)
                ]
        except SeedbedError:
            raise
        except Exception as err:
            raise _failed(sink, err, names, done, [x.table.qualified for u in units[i:] for x in u]) from None
        done += names
        report += masked
        if progress:
            progress(", ".join(names), i, len(units), masked, time.perf_counter() - started)
    return report


def _units(targets: Sequence[Target]) -> list[list[Target]]:
    """Targets by table; tables a masked foreign key ties together form one unit."""
    unit_of: dict[str, int] = {}
    units: list[list[Target]] = []
    by_group: dict[int, int] = {}  # a linked group's unit
    for t in targets:
        name = t.table.qualified
        if name not in unit_of:
            linked = by_group.get(t.group) if t.linked else None
            unit_of[name] = linked if linked is not None else len(units)
            if unit_of[name] == len(units):
                units.append([])
        elif t.linked and t.group in by_group and by_group[t.group] != unit_of[name]:
            _merge(units, unit_of, by_group, by_group[t.group], unit_of[name])
        units[unit_of[name]].append(t)
        if t.linked:
            by_group.setdefault(t.group, unit_of[name])
    return [u for u in units if u]


def _merge(units: list[list[Target]], unit_of: dict[str, int], by_group: dict[int, int], keep: int, gone: int) -> None:
    units[keep] += units[gone]
    units[gone] = []
    for name, u in unit_of.items():
        if u == gone:
            unit_of[name] = keep
    for g, u in by_group.items():
        if u == gone:
            by_group[g] = keep


@contextlib.contextmanager
def _unchecked(sink: DatabaseSink, unit: list[Target]) -> Iterator[None]:
    if not any(t.linked for t in unit):
        yield
        return
    try:
        context = sink.unchecked()
        context.__enter__()
    except LoadFailed:
        tables = ", ".join(dict.fromkeys(t.table.qualified for t in unit))
        raise LoadFailed(
            f"{tables}: a foreign key carries masked values, so these tables change together with the key "
            "unchecked, which needs a superuser here",
            hint="run mask as a superuser, or keep those columns (mask: {TABLE.COLUMN: false} in --plan)",
        ) from None
    try:
        yield
    finally:
        context.__exit__(None, None, None)


def _source(sink: DatabaseSink, t: Target) -> str:
    return sink.dialect.OWN_ROWS_SQL.format(table=sink.qname(t.table.qualified))


def _read(sink: DatabaseSink, t: Target) -> dict[str, int]:
    """The column's distinct values, with the rows holding each."""
    col = sink.q(t.column)
    with sink.transaction():
        rows = sink.conn.exec_driver_sql(
            f"SELECT {col}, count(*) FROM {_source(sink, t)} WHERE {col} IS NOT NULL GROUP BY {col}"
        ).fetchall()
        # a value with no letter or digit ('', '-'; 'n/a' has some) identifies nobody: it stays
        return {v: int(n) for v, n in rows if isinstance(v, str) and _ALNUM.search(v)}


def _count(sink: DatabaseSink, t: Target) -> Masked:
    col = sink.q(t.column)
    with sink.transaction():
        rows, values = sink.conn.exec_driver_sql(
            f"SELECT count({col}), count(DISTINCT {col}) FROM {_source(sink, t)}"
        ).one()
    return Masked(t.table.qualified, t.column, t.kind, int(rows), int(values))


def _write(sink: DatabaseSink, columns: list[Target], fakes: list[Fakes]) -> list[Masked]:
    """One table's columns replaced by their fakes in one UPDATE (one new version of each row,
    not one per column), in the caller's transaction."""
    d, exec_ = sink.dialect, sink.conn.exec_driver_sql
    table = _source(sink, columns[0])
    pairs: list[tuple[str, str]] = []
    out = []
    for i, t in enumerate(columns):
        found = _read(sink, t)  # read again inside the transaction: what is there now
        values = list(found)
        mapping = fakes[t.group].of(values)
        temp, col = f"{_TEMP}_{i}", sink.q(t.column)
        exec_(d.DROP_TEMP_SQL.format(table=temp).replace("TABLE ", "TABLE IF EXISTS ", 1))  # a failed one's (MySQL)
        length = t.table.column(t.column).type.length
        part = "o" if length is not None and length <= 100 else "o(100)"  # an index of a long text takes a prefix
        exec_(d.MASK_PAIRS_SQL.format(temp=temp, col=col, table=table, part=part))
        sink.write_keys(_PAIRS, temp, _batches(values, mapping))  # COPY, LOAD DATA, or batched INSERTs
        if d.MASK_INDEX_SQL:
            exec_(d.MASK_INDEX_SQL.format(temp=temp))
        if d.ANALYZE_SQL:  # without statistics the planner would probe the index once per row
            exec_(d.ANALYZE_SQL.format(table=temp))
        pairs.append((col, temp))
        out.append(Masked(t.table.qualified, t.column, t.kind, sum(found.values()), len(values)))
    exec_(d.mask_update_sql(table, pairs))
    for _, temp in pairs:
        exec_(d.DROP_TEMP_SQL.format(table=temp))
    return out


def _batches(values: list[str], mapping: dict[str, str]) -> Iterator[pa.RecordBatch]:
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        fakes = pa.array([mapping[v] for v in chunk], pa.string())
        yield pa.RecordBatch.from_arrays([pa.array(chunk, pa.string()), fakes], names=["o", "f"])


def _failed(sink: DatabaseSink, err: Exception, names: list[str], done: list[str], left: list[str]) -> SeedbedError:
    known = known_error(sink, err)
    _, detail = sink.describe_error(err)
    what = known.args[0] if known is not None else detail
    rest = list(dict.fromkeys(names + left))
    return LoadFailed(
        f"masking {', '.join(names)} failed and was rolled back: {what}"
        + (f"; masked already (committed): {', '.join(done)}" if done else ""),
        where=names[0],
        hint="fix the cause, then mask the rest: seedbed mask ... " + " ".join(f"--table {n}" for n in rest),
    )
