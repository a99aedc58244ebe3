"""Tables whose rows the database refuses by a rule seedbed cannot read: loaded without them.

A trigger may enforce what no constraint declares ("open_item_id only on open-item
accounts", "an item and its collection in one library"). When one refuses a table's
rows, the table is loaded again in slices (``sinks/sift.py``): the rows the database
accepts are kept; each refused row is drawn again (``Context.redrawn``: attempt ``k``
in every random key, its key kept), up to ``REDRAWS`` times, then once more with its
optional columns empty; a row still refused is left out.

A table referring to rows left out is loaded the same way, but its rows that point at
them are found without asking the database (a reference is a parent row index) and
drawn again until they point elsewhere; those that cannot are left out with them.

The rows left out are recorded in the manifest by row index: verify expects the others,
and a rerun, which tries them again, finds the same answer (the database decides them,
from the same values).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from seedbed.engine import Context
from seedbed.errors import LoadFailed
from seedbed.generate.generators.base import Reference
from seedbed.planning.resolved import TableSpec
from seedbed.run.cycles import nulled
from seedbed.sinks.base import LoadResult, Sink
from seedbed.sinks.manifest import Manifest

REDRAWS = 12  # draws of a refused row after the first (fewer when they stop gaining rows)


def load_refusing(
    sink: Sink,
    ctx: Context,
    spec: TableSpec,
    *,
    merge: bool,
    optional: tuple[str, ...] = (),
    refused: dict[str, list[int]] | None = None,
) -> LoadResult:
    """Load ``spec``'s rows, leaving out those the database keeps refusing (LoadResult.refused:
    their row indices). ``refused``: rows of other tables left out (by table). Each attempt
    is a transaction of its own: a table keeps what a finished attempt committed, and a
    rerun goes on from it."""
    name = spec.name
    gone = _gone_parents(ctx, spec, refused or {})
    empty = tuple(sorted(set(optional)))
    planned = ctx.rows(name)
    pending = np.arange(planned, dtype=np.int64)
    rows, seconds, why, path = 0, 0.0, "", "insert"
    # the first draw; then the first draw with what may be empty left empty (rules are mostly
    # about optional values); then redraws
    attempts = [(0, ())] + ([(0, empty)] if empty else []) + [(k, ()) for k in range(1, REDRAWS + 1)]
    idle = 0
    for n, (attempt, blank) in enumerate(attempts):
        if not len(pending):
            break
        sent: list[np.ndarray] = []
        dangling: list[np.ndarray] = []
        result = sink.load(
            spec, _batches(ctx, spec, pending, attempt, blank, gone, sent, dangling), merge=merge, sift=True
        )
        rows, seconds, why, path = rows + result.rows, seconds + result.seconds, why or result.refusal, result.path
        tried = np.concatenate(sent) if sent else np.zeros(0, dtype=np.int64)
        back = tried[np.asarray(result.refused, dtype=np.int64)]
        if merge and n == 0:  # a row already there may be refused as a new one now (the rule reads other tables)
            back = _absent(sink, ctx, spec, back)
        before = len(pending)
        pending = np.sort(np.concatenate([back, *dangling])).astype(np.int64)
        if dangling and not why:
            why = "they refer to rows left out"
        # two attempts in a row that gain almost nothing, for a table that has rows: the rule
        # hardly depends on what a redraw changes, and each try of a refused row costs a statement
        idle = idle + 1 if n and before - len(pending) < max(1, before // 100) else 0
        if idle >= 2 and len(pending) < planned:
            break
    return LoadResult(rows, path, round(seconds, 3), 0.0, tuple(int(r) for r in pending), why)


def _batches(
    ctx: Context,
    spec: TableSpec,
    idx: np.ndarray,
    attempt: int,
    blank: tuple[str, ...],
    gone: dict[str, np.ndarray],
    sent: list[np.ndarray],
    dangling: list[np.ndarray],
) -> Iterator[pa.RecordBatch]:
    """Rows ``idx`` at ``attempt``, chunk by chunk, less those pointing at a parent row left
    out (into ``dangling``); the row indices of what is yielded go into ``sent``."""
    for a in range(0, len(idx), ctx.chunk_size):
        part = idx[a : a + ctx.chunk_size]
        f = ctx.redrawn(spec.name, part, attempt)
        bad = np.zeros(len(part), dtype=bool)
        for column, rows in gone.items():
            bad |= np.isin(f.ref(column), rows)
        batch = pa.RecordBatch.from_arrays([f.col(c) for c in spec.written], schema=spec.arrow_schema)
        if bad.any():
            dangling.append(part[bad])
            batch = batch.filter(pa.array(~bad))
            part = part[~bad]
        sent.append(part)
        yield next(nulled([batch], tuple(sorted(set(blank) | set(spec.deferred)))))


def _gone_parents(ctx: Context, spec: TableSpec, refused: dict[str, list[int]]) -> dict[str, np.ndarray]:
    """For each reference column of ``spec`` leading to a table with rows left out, those rows."""
    out: dict[str, np.ndarray] = {}
    gens = ctx.generators.get(spec.name, {})
    for fk in spec.table.foreign_keys:
        if fk.ref_table not in refused:
            continue
        for column in fk.columns:
            gen = gens.get(column)
            if isinstance(gen, Reference) and gen.target == fk.ref_table:
                out[column] = np.asarray(refused[fk.ref_table], dtype=np.int64)
                break
    return out


def _absent(sink: Sink, ctx: Context, spec: TableSpec, rows: np.ndarray) -> np.ndarray:
    """Those of ``rows`` whose key is not in the table. Their keys are counted a group at a
    time, and a group is halved only when some of its rows are there and some are not: one
    query when none (or all) are, as after a rerun of a table whose rule refused them."""
    out: list[np.ndarray] = []
    todo = [rows]
    while todo:
        part = todo.pop()
        if not len(part):
            continue
        f = ctx.frame(spec.name, part)
        found = sink.count(spec, pa.RecordBatch.from_arrays([f.col(c) for c in spec.key], names=list(spec.key)))
        if found == 0:
            out.append(part)
        elif found < len(part):
            half = len(part) // 2
            todo += [part[:half], part[half:]]
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)


def record_refused(m: Manifest, name: str, planned: int, result: LoadResult) -> LoadFailed | None:
    """Note in the manifest the rows of ``name`` the database refused (none: forget earlier
    ones); when it refused every row, the error to leave the table out with."""
    m.refused.pop(name, None)
    if not result.refused:
        return None
    m.refused[name] = list(result.refused)
    m.warnings.append(
        f"{name}: {len(result.refused):,} of {planned:,} rows left out, refused by the database however "
        f"drawn: {result.refusal}"
    )
    if len(result.refused) < planned:
        return None
    return LoadFailed(
        f"the database refused every row: {result.refusal}",
        where=name,
        hint="a rule of the database's own (a trigger) refuses what seedbed draws: give the columns it reads "
        "values it accepts in a plan file (seedbed init writes one to start from)",
    )
