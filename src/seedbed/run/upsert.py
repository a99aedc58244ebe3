"""Upserts: a rerun after the plan changed values (a workspace renamed, a status changed)
updates the rows already there in place, adds the missing ones, and counts both.

Rows are found by their key - the natural key when the plan pins ids to one (UUIDv5 of a
slug), else the primary key or unique constraint the run identifies rows by - so rows of
another tenant or seed, whose keys differ, are never touched. Missing rows go in first
(the run's merge load); then, once every table holds its rows (a foreign key may now point
at a row added later in the run), each table's other columns are set where they differ,
one transaction per table. A row whose key itself changed is a new row: it is added, and
the old one stays (purge it with the plan that made it).
"""

from __future__ import annotations

from seedbed.engine import Context
from seedbed.run.cycles import key_and
from seedbed.run.retry import with_retries
from seedbed.sinks.base import Sink
from seedbed.sinks.manifest import Manifest


def update_changed(sink: Sink, ctx: Context, m: Manifest, order: list[str]) -> None:
    """Set every non-key column of the run's rows to the plan's values where they differ;
    ``updated`` per table in ``m``."""
    for name in order:
        if name in m.left_out:
            continue
        spec = ctx.spec(name)
        columns = tuple(c for c in spec.written if c not in spec.key)
        rec = m.tables[name]
        if not columns:
            rec.updated = 0
            continue

        def attempt(name: str = name, columns: tuple[str, ...] = columns) -> int:
            with sink.transaction():
                return sink.update(ctx.spec(name), columns, key_and(ctx, ctx.spec(name), columns))

        rec.updated = with_retries(sink, name, attempt, note=m.warnings.append)
