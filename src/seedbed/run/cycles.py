"""Foreign-key cycles at load time: keys loaded as NULL and set after, or loaded unchecked.

``schema.order`` cuts one foreign key of each cycle; a nullable one is loaded as NULL
and set by an UPDATE once its parents exist, any other is loaded with the database's
checks off and verified once everything is in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa

from seedbed.engine import Context
from seedbed.errors import LoadFailed
from seedbed.planning.resolved import TableSpec
from seedbed.sinks.base import Sink
from seedbed.verification.queries import orphans


def nulled(batches: Iterable[pa.RecordBatch], columns: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """Batches with the cut foreign-key columns set to NULL (they are set after the load)."""
    for b in batches:
        if columns:
            arrays = [
                pa.nulls(b.num_rows, f.type) if f.name in columns else b.column(i) for i, f in enumerate(b.schema)
            ]
            b = pa.RecordBatch.from_arrays(arrays, schema=b.schema)
        yield b


def set_deferred(sink: Sink, ctx: Context) -> None:
    """Second pass of a cut cycle: set the foreign keys loaded as NULL, now that parents exist."""
    for name in ctx.plan.written:
        spec = ctx.spec(name)
        if not spec.deferred:
            continue
        with sink.transaction():
            sink.update(spec, spec.deferred, key_and(ctx, spec, spec.deferred))


def key_and(ctx: Context, spec: TableSpec, columns: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    """The run's rows of ``spec`` as key + ``columns`` batches (what ``Sink.update`` takes)."""
    cols = spec.key + tuple(c for c in columns if c not in spec.key)
    for b in ctx.batches(spec.name):
        yield pa.RecordBatch.from_arrays([b.column(c) for c in cols], names=list(cols))


def check_cuts(sink: Sink, ctx: Context) -> None:
    """Foreign keys loaded unchecked must hold once everything is in."""
    for cut in ctx.plan.cuts:
        if cut.method != "checks_off":
            continue
        parent = ctx.plan.schema.table(cut.fk.ref_table).qualified
        n = orphans(sink, ctx.spec(cut.table), cut.fk, parent)
        if n:
            raise LoadFailed(
                f"{n} rows of {cut.table} point at no {parent} row after an unchecked load",
                where=cut.table,
                hint="purge this seed and report the schema",
            )


def null_keys(ctx: Context, spec: TableSpec) -> Iterator[pa.RecordBatch]:
    """The key of every row, with the cut columns NULL: what purge sets first, to untie a cycle."""
    for b in ctx.key_batches(spec.name):
        extra = [c for c in spec.deferred if c not in spec.key]
        nulls = [pa.nulls(b.num_rows, spec.arrow_schema.field(c).type) for c in extra]
        yield pa.RecordBatch.from_arrays(list(b.columns) + nulls, names=list(spec.key) + extra)
