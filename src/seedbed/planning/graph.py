"""The plan's tables as a dependency graph in tiers, for Mermaid or Graphviz (dot).

Tier 0 holds the tables that refer to no other seeded table; a table's tier is one more
than its highest parent's. Edges run from a child to the parent its foreign key names
(a cycle's cut key is drawn dashed: it is set after the load).
"""

from __future__ import annotations

import re

from seedbed.errors import PlanError
from seedbed.planning.resolved import ResolvedPlan

KINDS = ("mermaid", "dot")


def tiers(plan: ResolvedPlan) -> dict[str, int]:
    cut = {(c.table, c.fk.ref_table) for c in plan.cuts}
    out: dict[str, int] = {}
    for name in plan.written:  # parents first
        parents = [fk.ref_table for fk in plan.table(name).table.foreign_keys]
        levels = [out[p] for p in parents if p in out and p != name and (name, p) not in cut]
        out[name] = 1 + max(levels) if levels else 0
    return out


def _edges(plan: ResolvedPlan) -> list[tuple[str, str, bool]]:
    cut = {(c.table, c.fk.ref_table) for c in plan.cuts}
    seen = set()
    out = []
    for name in plan.written:
        for fk in plan.table(name).table.foreign_keys:
            if fk.ref_table in plan.written and fk.ref_table != name and (name, fk.ref_table) not in seen:
                seen.add((name, fk.ref_table))
                out.append((name, fk.ref_table, (name, fk.ref_table) in cut))
    return out


def _id(name: str) -> str:
    return re.sub(r"\W", "_", name)


def draw(plan: ResolvedPlan, kind: str) -> str:
    if kind not in KINDS:
        raise PlanError(f"unknown graph format {kind!r}", hint=f"formats: {', '.join(KINDS)}")
    levels = tiers(plan)
    by_tier: dict[int, list[str]] = {}
    for name, level in levels.items():
        by_tier.setdefault(level, []).append(name)
    edges = _edges(plan)
    if kind == "mermaid":
        lines = ["flowchart BT"]
        for level in sorted(by_tier):
            lines.append(f"  subgraph tier{level} [tier {level}]")
            lines += [f'    {_id(n)}["{n}"]' for n in by_tier[level]]
            lines.append("  end")
        lines += [f"  {_id(a)} {'-.->' if dashed else '-->'} {_id(b)}" for a, b, dashed in edges]
        return "\n".join(lines) + "\n"
    lines = ["digraph plan {", "  rankdir=BT;", "  node [shape=box];"]
    for level in sorted(by_tier):
        lines.append(f'  subgraph cluster_tier{level} {{ label="tier {level}"; rank=same;')
        lines += [f'    "{n}";' for n in by_tier[level]]
        lines.append("  }")
    lines += [f'  "{a}" -> "{b}"{" [style=dashed]" if dashed else ""};' for a, b, dashed in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
