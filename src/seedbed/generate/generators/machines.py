"""State machines: each entity's walk through its states, and the history rows it leaves.

``{state: {machine: workflow}}`` on an entity's status column gives the state its walk
ended in (``part: since``: when it got there). On a history table laid out per that
entity (``rows: {per: workflow_items, each: 9}`` - at most max_steps + 1 rows each),
``part: from`` / ``to`` / ``at`` give one row per state entered: the first from NULL to
the initial state at the start, then one per transition, in time order. The walk is a
pure function of the seed and the entity's row, so the status and its history agree by
construction, and the history table holds exactly as many rows per entity as its walk
has states (``capacity``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Run, Values
from seedbed.generate.timeutil import duration_or_fail, micros_of

_STAY = -1
PARTS = ("current", "since", "from", "to", "at")


class Walks:
    """Every entity's walk: states (index into the machine's states, -1 past the end),
    times (microseconds) and length (states entered, at least 1)."""

    def __init__(self, states: np.ndarray, times: np.ndarray, length: np.ndarray):
        self.states, self.times, self.length = states, times, length


class State(Gen):
    def __init__(self, name: str, machine: Any, entity: str, part: str, anchor_us: int):
        self.name, self.machine, self.entity, self.part, self.anchor = name, machine, entity, part, anchor_us
        self.names = list(machine.states)

    def redrawable(self) -> bool:
        return False

    def walks(self, ctx: Run) -> Walks:
        return ctx.memo(("machine", self.name, self.entity), lambda: self._walk(ctx))

    def _walk(self, ctx: Run) -> Walks:
        m, n = self.machine, ctx.rows(self.entity)
        steps = m.max_steps
        idx = np.arange(n, dtype=np.int64)
        anchor = self.anchor
        if m.start:
            start, _ = micros_of(ctx.frame(self.entity, idx).col(m.start))
        else:
            start = np.full(n, anchor - 365 * 86_400_000_000, dtype=np.int64)
        index = {s: i for i, s in enumerate(m.states)}
        options = [[(index[t] if t != "stay" else _STAY, w) for t, w in m.transitions.get(s, {}).items()]
                   for s in m.states]  # fmt: skip
        dwell = [[duration_or_fail(d, f"machines.{self.name}.dwell") for d in m.dwell.get(s, ["1h", "3d"])]
                 for s in m.states]  # fmt: skip
        states = np.full((n, steps + 1), -1, dtype=np.int64)
        times = np.zeros((n, steps + 1), dtype=np.int64)
        states[:, 0], times[:, 0] = index[m.initial], start
        length = np.ones(n, dtype=np.int64)
        alive = np.ones(n, dtype=bool)
        u64 = idx.astype(np.uint64)
        for s in range(1, steps + 1):
            cur = states[:, s - 1]
            pick = rng.uniform(u64, ctx.key(self.entity, self.name, f"step{s}"))
            wait = rng.uniform(u64, ctx.key(self.entity, self.name, f"dwell{s}"))
            nxt = np.full(n, _STAY, dtype=np.int64)
            lo = np.zeros(n, dtype=np.int64)
            hi = np.zeros(n, dtype=np.int64)
            for i, opts in enumerate(options):
                here = cur == i
                if not here.any():
                    continue
                lo[here], hi[here] = dwell[i]
                if not opts:
                    continue
                weights = np.array([w for _, w in opts], dtype=np.float64)
                cum = np.cumsum(weights) / weights.sum()
                choice = np.minimum(np.searchsorted(cum, pick[here], side="right"), len(opts) - 1)
                nxt[here] = np.array([t for t, _ in opts], dtype=np.int64)[choice]
            seconds = np.floor(wait * ((hi - lo) // 1_000_000 + 1)).astype(np.int64)  # whole seconds
            at = times[:, s - 1] + lo + seconds * 1_000_000
            ok = alive & (nxt != _STAY) & (at <= anchor)
            states[ok, s], times[ok, s] = nxt[ok], at[ok]
            length += ok
            alive = ok
        return Walks(states, times, length)

    def capacity(self, ctx: Run, n_parents: int) -> np.ndarray | None:
        return self.walks(ctx).length if self.part in ("from", "to", "at") else None

    def values(self, f: Rows) -> Values:
        w = self.walks(f.ctx)
        if self.part in ("current", "since"):
            row, k = f.idx, w.length[f.idx] - 1
        else:
            row, k = f.group(), f.ordinal()
            if self.part == "from":
                k = k - 1
        if self.part in ("since", "at"):
            return w.times[row, np.maximum(k, 0)]
        picked = w.states[row, np.maximum(k, 0)]
        out = pa.array(self.names, pa.string()).take(pa.array(np.maximum(picked, 0)))
        if self.part == "from":
            return pc.if_else(pa.array(k < 0), pa.nulls(f.n, pa.string()), out)
        return out


@register("state")
def _state(arg: Any, info: BuildInfo) -> Gen:
    if not isinstance(arg, dict) or "machine" not in arg:
        raise info.fail("state needs {machine: NAME}, and part: from|to|at on a history table")
    require_keys(arg, {"machine", "part"}, info, "state")
    name = str(arg["machine"])
    machine = info.machines.get(name)
    if machine is None:
        raise info.fail(f"no state machine {name!r} in the plan's machines:", hint=f"machines: {sorted(info.machines)}")
    check_machine(name, machine, info)
    part = arg.get("part", "current")
    if part not in PARTS:
        raise info.fail(f"state.part is one of {', '.join(PARTS)}")
    if part in ("from", "to", "at"):
        if info.per is None:
            raise info.fail("a history is laid out per its entity: rows: {per: ENTITY, each: MAX_STEPS + 1}")
        return State(name, machine, info.schema.table(info.per).qualified, part, info.anchor_us)
    return State(name, machine, info.table.qualified, part, info.anchor_us)


def check_machine(name: str, m: Any, info: BuildInfo) -> None:
    where = f"machines.{name}"
    known = set(m.states)
    if m.initial not in known:
        raise info.fail(f"{where}: initial state {m.initial!r} is not among its states")
    for source, targets in m.transitions.items():
        bad = [t for t in [source, *targets] if t not in known and t != "stay"]
        if bad:
            raise info.fail(f"{where}: transition names unknown state(s) {', '.join(map(repr, bad))}")
        if any(w < 0 for w in targets.values()) or not sum(targets.values()) > 0:
            raise info.fail(f"{where}: the weights leaving {source!r} must be >= 0 and not all 0")
    for state, pair in m.dwell.items():
        if state not in known or len(pair) != 2:
            raise info.fail(f"{where}: dwell {state!r} needs a known state and [min, max]")
        lo, hi = (duration_or_fail(d, where) for d in pair)
        if not 0 < lo <= hi:
            raise info.fail(f"{where}: dwell {state!r} is 0 < min <= max (each step takes time)")
    if m.start:
        info.schema.table(info.per or info.table.qualified)  # the entity's column is checked when read
