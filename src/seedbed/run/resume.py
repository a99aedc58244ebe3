"""Going on from a run that did not complete, after its plan or schema was fixed.

A run that stopped (a table left out, a load refused, a kill) keeps the tables it
finished. Once the user fixes the plan or the schema, the next run should go on from
there, not refuse because "the plan changed". Each table's record in the manifest holds
two digests: of everything that decides its rows (``rows``), and of what decides only
its keys (``keys``). Going on, a table whose rows digest is unchanged keeps its rows;
one whose rows changed but whose keys did not has its old rows deleted by key (exactly
the run's rows) and written again; one whose keys changed cannot be found again, and
the user is told to purge with the plan it was seeded with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from seedbed.engine import Context
from seedbed.errors import PlanError
from seedbed.planning.resolved import ResolvedPlan, TableSpec
from seedbed.schema.order import purge_order
from seedbed.sinks.base import Sink
from seedbed.sinks.manifest import Manifest


def digests(plan: ResolvedPlan) -> dict[str, tuple[str, str]]:
    """table -> (rows digest, keys digest). A table's rows follow its parents' keys and
    values, so its digests take in those of the tables its foreign keys point at."""
    out: dict[str, tuple[str, str]] = {}
    for name in plan.written:  # parents first
        spec = plan.tables[name]
        parents = sorted({fk.ref_table for fk in spec.table.foreign_keys if fk.ref_table != name})
        upstream = [out[p] for p in parents if p in out]
        rows = _hash([asdict(spec.table), _entries(spec, None), _layout(spec), upstream, plan.anchor_us, plan.locale])
        keys = _hash([spec.key, _entries(spec, spec.key), _layout(spec), [k for _, k in upstream]])
        out[name] = (rows, keys)
    return out


def _entries(spec: TableSpec, only: tuple[str, ...] | None) -> dict[str, Any]:
    return {c: p.entry for c, p in spec.columns.items() if only is None or c in only}


def _layout(spec: TableSpec) -> list[Any]:
    return [spec.rows, spec.per, spec.per_fk, spec.total, spec.each, spec.spread]


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def go_on(sink: Sink, previous: Manifest, plan: ResolvedPlan, ctx: Context) -> list[str]:
    """Make the tables ``previous`` wrote fit ``plan``: keep, or delete by key to rewrite.
    Returns the tables whose old rows were deleted. Raises when a table's keys changed."""
    now = digests(plan)
    stale: list[str] = []
    for name, rec in previous.tables.items():
        if not rec.inserted or name not in now or rec.digest == now[name][0]:
            continue
        if not rec.digest or rec.key_digest != now[name][1]:
            raise PlanError(
                f"seed {previous.seed} of {previous.plan!r} stopped before it completed, and the keys of "
                f"{name} changed since, so its rows cannot be found again",
                hint=f"purge it with the plan it was seeded with (seedbed purge ... --seed {previous.seed} --force), "
                "or use another --seed",
            )
        stale.append(name)
    if stale:
        with sink.transaction():
            for name in purge_order(plan.schema, stale):
                sink.delete(ctx.spec(name), ctx.key_batches(name))
    return stale
