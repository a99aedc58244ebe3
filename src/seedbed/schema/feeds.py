"""Which tables the INSERT triggers (and PostgreSQL's INSERT rules) of other tables fill:
``Schema.feeds``, the same whether read from the database or from the DDL that made it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from seedbed.dialects import Dialect
from seedbed.schema.model import Schema


def read(conn: Any, d: Dialect) -> list[tuple[str, str]]:
    """(target, source) bare names from the database's own catalog of triggers."""
    if not d.TRIGGERS_SQL:
        return []
    rows = conn.exec_driver_sql(d.TRIGGERS_SQL).fetchall()
    return [(target, source) for source, text in rows for target in d.trigger_targets(text or "") if target != source]


def with_feeds(schema: Schema, bare: Iterable[tuple[str, str]]) -> Schema:
    """``schema`` knowing its trigger feeds, given by bare table names (as triggers name them):
    each name taken for the one table of the schema called so (an ambiguous one is left out)."""
    by_name: dict[str, list[str]] = {}
    for t in schema.tables:
        by_name.setdefault(t.name, []).append(t.qualified)
    unique = {name: qualified[0] for name, qualified in by_name.items() if len(qualified) == 1}
    found = {(unique[a], unique[b]) for a, b in bare if a in unique and b in unique}
    return replace(schema, feeds=tuple(sorted(found)))
