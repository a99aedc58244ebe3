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
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from seedbed.errors import LoadFailed, SeedbedError
from seedbed.masking.detect import Group, Target
from seedbed.masking.fakes import Fakes
from seedbed.sinks.base import DatabaseSink, known_error

_TEMP = "seedbed_mask"
_CHUNK = 10_000  # pairs per INSERT batch


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
            fakes[t.group].reserve(_values(sink, t))
    units = _units(targets)
    report: list[Masked] = []
    done: list[str] = []
    for i, unit in enumerate(units, 1):
        started = time.perf_counter()
        names = list(dict.fromkeys(t.table.qualified for t in unit))
        try:
            with _unchecked(sink, unit), sink.transaction():
                masked = [_write(sink, t, fakes[t.group]) for t in unit]
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


def _values(sink: DatabaseSink, t: Target) -> list[str]:
    col = sink.q(t.column)
    with sink.transaction():
        rows = sink.conn.exec_driver_sql(f"SELECT DISTINCT {col} FROM {_source(sink, t)} WHERE {col} IS NOT NULL")
        # a value with no letter or digit ('', '-', 'n/a' has some) identifies nobody: it stays
        return [v for (v,) in rows if isinstance(v, str) and any(c.isalnum() for c in v)]


def _count(sink: DatabaseSink, t: Target) -> Masked:
    col = sink.q(t.column)
    with sink.transaction():
        rows, values = sink.conn.exec_driver_sql(
            f"SELECT count({col}), count(DISTINCT {col}) FROM {_source(sink, t)}"
        ).one()
    return Masked(t.table.qualified, t.column, t.kind, int(rows), int(values))


def _write(sink: DatabaseSink, t: Target, fakes: Fakes) -> Masked:
    """The column's values replaced by their fakes, in the caller's transaction."""
    values = _values(sink, t)  # read again inside the transaction: what is there now
    mapping = fakes.of(values)
    d = sink.dialect
    col, table = sink.q(t.column), _source(sink, t)
    exec_ = sink.conn.exec_driver_sql
    exec_(d.DROP_TEMP_SQL.format(table=_TEMP).replace("TABLE ", "TABLE IF EXISTS ", 1))  # a failed one's (MySQL)
    length = t.table.column(t.column).type.length
    part = "o" if length is not None and length <= 100 else "o(100)"  # an index of a long text takes a prefix
    exec_(d.MASK_PAIRS_SQL.format(temp=_TEMP, col=col, table=table, part=part))
    pairs = [(v, mapping[v]) for v in values]
    for start in range(0, len(pairs), _CHUNK):
        exec_(f"INSERT INTO {_TEMP} (o, f) VALUES ({d.param}, {d.param})", pairs[start : start + _CHUNK])
    if d.MASK_INDEX_SQL:
        exec_(d.MASK_INDEX_SQL.format(temp=_TEMP))
    if d.ANALYZE_SQL:  # without statistics the planner would probe the index once per row
        exec_(d.ANALYZE_SQL.format(table=_TEMP))
    sql = d.MASK_UPDATE_SQL.format(table=table, temp=_TEMP, col=col)
    rows = exec_(sql).rowcount
    exec_(sink.dialect.DROP_TEMP_SQL.format(table=_TEMP))
    return Masked(t.table.qualified, t.column, t.kind, int(rows), len(values))


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
