"""Foreign-key columns loaded as NULL and set once their table and its parents are in.

Two kinds: a nullable key cut to break a cycle (its parent loads later), and a hierarchy
laid out by tiers (``ref: {tiers: ...}``), whose parent row may load after its child.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from seedbed.planning.resolved import TableSpec
from seedbed.schema.order import Cut


def with_deferred(specs: Mapping[str, TableSpec], cuts: Sequence[Cut]) -> dict[str, TableSpec]:
    """``specs`` with each table's deferred columns set."""
    deferred: dict[str, list[str]] = {}
    for cut in cuts:
        if cut.method == "update":
            deferred.setdefault(cut.table, []).extend(cut.fk.columns)
    out = dict(specs)
    for name, spec in out.items():
        for col, planned in spec.columns.items():
            ref = planned.entry.get("ref") if isinstance(planned.entry, dict) else None
            if isinstance(ref, dict) and "tiers" in ref and spec.table.column(col).nullable:
                deferred.setdefault(name, []).append(col)
    for name, cols in deferred.items():
        out[name] = replace(out[name], deferred=tuple(c for c in out[name].written if c in cols))
    return out
