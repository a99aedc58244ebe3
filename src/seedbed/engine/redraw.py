"""Meeting the guards of a frame: rows that fail a CHECK are drawn again, up to ``REDRAWS`` times.

Attempt ``k`` of a row is the same row evaluated with ``k`` mixed into every random
key (``Frame.key``), so it does not depend on which other rows failed, on the chunk
size or on the order batches are made in. Columns that must not change (keys, values
distinct by construction) are the first draw's in every attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from seedbed.engine.checking import REDRAWS, Guards
from seedbed.errors import PlanError

Preset = list[tuple[str, pa.DataType, Callable[[int, pa.DataType], pa.Array]]]  # column, type, values


@dataclass(frozen=True)
class Redraw:
    rows: np.ndarray  # positions in the settled frame that take this attempt's values
    frame: Any  # the attempt's frame (a Frame over the rows still failing before it)
    inner: np.ndarray  # positions of ``rows`` in that frame


def settle(f: Any, guards: Guards) -> list[Redraw]:
    """The redraws that make every row of frame ``f`` meet ``guards``; a plan error when
    some row still fails after the last attempt."""
    names = [fl.name for fl in guards.schema]
    first = {c: f.col(c) for c in names}
    pos = np.flatnonzero(guards.failing(first, f.n))
    out: list[Redraw] = []
    attempts: list[Preset] = [[] for _ in range(REDRAWS)] + _plain_values(f, guards)
    for k, preset in enumerate(attempts, 1):
        if not len(pos):
            return out
        sub = type(f)(f.ctx, f.spec, f.gens, f.idx[pos], attempt=k, origin=(f, pos), fixed=f._fixed_cols)
        for c, typ, value in preset:
            sub.preset(c, value(len(pos), typ))
        still = guards.failing({c: sub.col(c) for c in names}, len(pos))
        ok = np.flatnonzero(~still)
        if len(ok):
            out.append(Redraw(pos[ok], sub, ok))
        pos = pos[still]
    if not len(pos):
        return out
    raise unmet(f, guards, first, int(pos[0]))


def _plain_values(f: Any, guards: Guards) -> list[Preset]:
    """Last attempts, for CHECKs random values almost never meet (``-allocated`` between 0
    and ``qty``): one column at a time, then all at once, takes its plainest value - NULL
    where it may, else zero, false or the empty string."""
    one: Preset = []
    for fl in guards.schema:
        if fl.name in f._fixed_cols or fl.name not in f.gens:
            continue
        column = f.spec.table.column(fl.name)
        if column.nullable:
            one.append((fl.name, fl.type, lambda n, t: pa.nulls(n, t)))
        elif pa.types.is_integer(fl.type) or pa.types.is_floating(fl.type) or pa.types.is_decimal(fl.type):
            one.append((fl.name, fl.type, lambda n, t: pa.array(np.zeros(n, dtype=np.int64)).cast(t)))
        elif pa.types.is_boolean(fl.type):
            one.append((fl.name, fl.type, lambda n, t: pa.array(np.zeros(n, dtype=bool))))
        elif pa.types.is_string(fl.type) or pa.types.is_large_string(fl.type):
            one.append((fl.name, fl.type, lambda n, t: pa.array([""] * n, t)))
    return [[p] for p in one] + ([one] if len(one) > 1 else [])


def unmet(f: Any, guards: Guards, values: dict[str, pa.Array], row: int) -> PlanError:
    """A CHECK generated rows keep failing: name it, its columns, one row, and the fix."""
    g = guards.which(values, f.n, row)
    shown = ", ".join(f"{c}={values[c][row].as_py()!r}" for c in g.columns) or "(no column)"
    fixed = [c for c in g.columns if c in f._fixed_cols]
    free = [c for c in g.columns if c not in fixed]
    why = f"; {', '.join(fixed)} cannot be redrawn (keys or distinct values)" if fixed and not free else ""
    target = (free or list(g.columns) or ["COLUMN"])[0]
    return PlanError(
        f"CHECK {g.name!r} ({g.sql}) is not met by the generated rows, even drawn {REDRAWS + 1} times: "
        f"row {int(f.idx[row])} has {shown}{why}",
        where=f"tables.{f.table}",
        table=f.table,
        hint=(
            f"give {', '.join(g.columns) or 'its columns'} values that meet it, e.g. in the plan:\n"
            f"  tables:\n    {f.table}:\n      columns:\n        {target}: {{choices: [...]}}"
        ),
    )
