"""The inferred plan written out as a plan file, for the user to edit (``seedbed init``).

Seeding with the written file gives the same data as seeding with no plan at all:
the file holds exactly the entries inference would have used.
"""

from __future__ import annotations

from typing import Any

import yaml

from seedbed.planning.infer import infer_table
from seedbed.planning.model import PlanFile
from seedbed.schema.model import Schema
from seedbed.schema.order import load_order


def inferred_plan(
    schema: Schema, *, name: str, default_rows: int = 100, uniform: bool = False, base: PlanFile | None = None
) -> dict[str, Any]:
    """A plan file's data: every table's rows and columns as seedbed would infer them."""
    base = base or PlanFile()
    order, _ = load_order(schema)
    tables: dict[str, Any] = {}
    for qualified in order:
        inf = infer_table(schema, schema.table(qualified), default_rows, uniform=uniform)
        tables[qualified] = {"rows": inf.rows, "columns": inf.columns}
    return {
        "name": name,
        "seed": base.seed if base.seed is not None else 1,
        "anchor": base.anchor if isinstance(base.anchor, str) else base.anchor.isoformat().replace("+00:00", "Z"),
        "locale": base.locale,
        "tables": tables,
    }


def to_yaml(plan: dict[str, Any]) -> str:
    header = (
        "# seedbed plan - inferred from the schema; edit freely.\n"
        "# rows are for scale 1.0; see docs/plan-format.md for every generator.\n"
    )
    return header + yaml.safe_dump(plan, sort_keys=False, allow_unicode=True, width=110)
