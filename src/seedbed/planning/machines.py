"""The checks a state machine's history must pass, written for ``seedbed verify``.

For every table whose columns come from a machine (``state`` entries): each history row
is a transition the machine allows (the first one from nothing to the initial state);
an entity's rows, in time order, form one chain (each starts where the one before
ended: no transition skipped, none out of order); and the entity's status is the state
its history ends in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seedbed.planning.model import Checked, Machine
from seedbed.planning.resolved import TableSpec
from seedbed.schema.model import Schema


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _parts(spec: TableSpec) -> dict[str, tuple[str, str]]:
    """part -> (column, machine) of the table's ``state`` entries."""
    out = {}
    for col, planned in spec.columns.items():
        entry: Any = planned.entry
        if isinstance(entry, dict) and isinstance(entry.get("state"), dict):
            out[entry["state"].get("part", "current")] = (col, str(entry["state"]["machine"]))
    return out


def machine_checks(specs: Mapping[str, TableSpec], machines: Mapping[str, Machine], schema: Schema) -> list[Checked]:
    out: list[Checked] = []
    for spec in specs.values():
        parts = _parts(spec)
        if not {"from", "to", "at"} <= set(parts) or spec.per is None or spec.per_fk is None:
            continue
        (src, name), (dst, _), (at, _) = parts["from"], parts["to"], parts["at"]
        m = machines[name]
        allowed = [f"({src} IS NULL AND {dst} = {_lit(m.initial)})"]
        for state, targets in m.transitions.items():
            to = [t for t in targets if t != "stay"]
            if to:
                allowed.append(f"({src} = {_lit(state)} AND {dst} IN ({', '.join(map(_lit, to))}))")
        table, fk = spec.table.name, spec.per_fk
        out.append(Checked(name=f"{table}: every transition is one {name} allows",
                           sql=f"SELECT count(*) FROM {table} WHERE NOT ({' OR '.join(allowed)})"))  # fmt: skip
        out.append(Checked(
            name=f"{table}: each history is one chain in time order",
            sql=f"SELECT count(*) FROM (SELECT {src} AS s, LAG({dst}) OVER (PARTITION BY {fk} ORDER BY {at}) AS p, "
                f"LAG({at}) OVER (PARTITION BY {fk} ORDER BY {at}) AS pa, {at} AS a FROM {table}) x "
                "WHERE NOT ((s IS NULL AND p IS NULL) OR s = p) OR a = pa",
        ))  # fmt: skip
        entity = schema.table(spec.per)
        current = _parts(specs[entity.qualified]) if entity.qualified in specs else {}
        if "current" in current and len(entity.primary_key) == 1:
            status, key = current["current"][0], entity.primary_key[0]
            out.append(Checked(
                name=f"{entity.name}.{status} is where its history ends",
                sql=f"SELECT count(*) FROM {entity.name} e WHERE e.{status} <> (SELECT h.{dst} FROM {table} h "
                    f"WHERE h.{fk} = e.{key} ORDER BY h.{at} DESC LIMIT 1)",
            ))  # fmt: skip
    return out
