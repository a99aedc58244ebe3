"""``--set`` overrides of a plan's values from the command line.

``--set orders.rows=5000`` (a table's rows, count, scaled, skip or a column's entry:
``--set clients.columns.credit_limit={int: [1000, 9000]}``) or a plan-wide value
(``--set scale=2``, ``--set limits.max_total_rows=1000000``). Values are read as YAML, so
numbers, lists and mappings come as they would in the file. The plan with its overrides
is validated as a whole; a run records its overrides, so verify and purge use them too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from seedbed.errors import PlanError
from seedbed.planning.model import PlanFile

_TABLE_PART = re.compile(r"^(?P<table>.+?)\.(?P<rest>(?:rows|count|scaled|skip|columns)(?:\..+)?)$")


def apply(plan: PlanFile, sets: Sequence[str]) -> PlanFile:
    if not sets:
        return plan
    data = plan.model_dump(by_alias=True, exclude_unset=True)
    for item in sets:
        path, eq, text = item.partition("=")
        if not eq or not path.strip():
            raise PlanError(f"--set {item!r} is not NAME=VALUE", hint="e.g. --set orders.rows=5000 or --set scale=2")
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            raise PlanError(f"--set {item!r}: the value is not YAML", hint="quote it, or write {key: value}") from None
        m = _TABLE_PART.match(path.strip())
        if m and m.group("table") not in PlanFile.model_fields:
            table, rest = m.group("table"), m.group("rest")
            keys = ["tables", table, *(["columns", rest[8:]] if rest.startswith("columns.") else [rest])]
        else:
            keys = path.strip().split(".")
        _put(data, keys, value)
    try:
        return PlanFile.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanError(f"--set: {where}: {first['msg']}", hint=f"given: {' '.join(sets)}") from None


def _put(data: dict[str, Any], keys: list[str], value: Any) -> None:
    node = data
    for key in keys[:-1]:
        nxt = node.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            node[key] = nxt
        node = nxt
    node[keys[-1]] = value
