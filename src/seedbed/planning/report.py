"""A plan as a Markdown document: what a seed would write, for review before it runs.

``seedbed plan ... --report FILE`` writes it: the tables in load order with their rows and
how each is laid out, the cycles cut, the namespaces ids are derived in, the checks
``verify`` will run, the warnings, and the command that seeds it. The text depends only on
the plan (never on the clock or the machine), so it can be reviewed and diffed.
"""

from __future__ import annotations

import json
from typing import Any

from seedbed.planning.resolved import ResolvedPlan


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _layout(plan: ResolvedPlan, name: str) -> str:
    spec = plan.table(name)
    if spec.per is None:
        return "flat"
    if spec.each is not None:
        return f"{spec.each} per {spec.per} row"
    if spec.total is not None:
        return f"{spec.total:,} over {spec.per} ({spec.spread})"
    return f"per {spec.per}"


def markdown(plan: ResolvedPlan, rows: dict[str, int], command: str) -> str:
    """The report for ``plan`` (``rows``: each table's planned count, in load order)."""
    src = plan.source
    out = [f"# Seed plan: {plan.name}", ""]
    if src.description:
        out += [src.description, ""]
    out += [
        f"- seed: `{plan.seed}`, scale {plan.scale}",
        f"- anchor (the dataset's now): {_anchor(src.anchor)}, time zone {src.timezone}",
        f"- {sum(rows.values()):,} rows in {len(rows)} tables; plan hash `{plan.plan_hash}`",
    ]
    if src.tenant is not None:
        out.append(f"- tenant: a row of `{src.tenant.table}` by its `{src.tenant.column}`; purge removes its tree")
    out += ["", "## Tables, in load order", "", "| # | table | rows | layout | key |", "|---:|---|---:|---|---|"]
    for i, (name, n) in enumerate(rows.items(), 1):
        spec = plan.table(name)
        key = ", ".join(spec.key) if spec.key_is_constraint else "every written column"
        out.append(f"| {i} | {_cell(name)} | {n:,} | {_cell(_layout(plan, name))} | {_cell(key)} |")
    out += ["", "## Ids derived from natural keys", ""]
    named = [(name, col, e["uuid"]) for name in rows for col, e in _entries(plan, name) if _pinned(e)]
    if named:
        out += ["| column | namespace | name |", "|---|---|---|"]
        out += [f"| {_cell(f'{n}.{c}')} | `{u['namespace']}` | `{_cell(u['name'])}` |" for n, c, u in named]
    else:
        out.append("none: keys come from the seed and the row")
    out += ["", "## Cycles cut", ""]
    out += [f"- {_cell(cut.describe())}" for cut in plan.cuts] or ["none"]
    cut_columns = {(cut.table, c) for cut in plan.cuts for c in cut.fk.columns}
    later = [(n, c) for n in rows for c in plan.table(n).deferred if (n, c) not in cut_columns]
    if later:
        out += ["", "Set after their table is in (a hierarchy whose parents may load after their children):", ""]
        out += [f"- {_cell(f'{n}.{c}')}: `{_cell(json.dumps(plan.table(n).columns[c].entry))}`" for n, c in later]
    out += ["", "## Checks `seedbed verify` runs", "",
            "- every table holds its planned rows; no foreign key points at a missing row; unique keys hold",
            "- every index and constraint the schema had is there and valid"]  # fmt: skip
    out += [f"- {_cell(c.name)} (expects {_cell(c.expect)})" for c in plan.checks]
    out += ["", "## Warnings", ""]
    out += [f"- {_cell(w)}" for w in plan.warnings] or ["none"]
    out += ["", "## Seed it", "", "```sh", command, "```", ""]
    return "\n".join(out)


def _entries(plan: ResolvedPlan, name: str) -> list[tuple[str, Any]]:
    spec = plan.table(name)
    return [(col, spec.columns[col].entry) for col in spec.written]


def _pinned(entry: Any) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("uuid"), dict) and "namespace" in entry["uuid"]


def _anchor(anchor: Any) -> str:
    return "the wall clock when the run starts" if anchor == "now" else anchor.isoformat()
