"""Which tables the INSERT triggers (and PostgreSQL's INSERT rules) of other tables fill:
``Schema.feeds``, the same whether read from the database or from the DDL that made it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from seedbed.dialects import Dialect
from seedbed.schema import guards
from seedbed.schema.guards import with_guards
from seedbed.schema.model import Schema


def bodies(conn: Any, d: Dialect) -> list[tuple[str, str]]:
    """(table, text) of each INSERT trigger (and rule) in the database's own catalog: bare
    names, the text as ``Dialect.trigger_targets`` reads it."""
    if not d.TRIGGERS_SQL:
        return []
    return [(source, text or "") for source, text in conn.exec_driver_sql(d.TRIGGERS_SQL).fetchall()]


def read(conn: Any, d: Dialect) -> list[tuple[str, str]]:
    """(target, source) bare names from the database's own catalog of triggers."""
    return targets(bodies(conn, d), d)


def targets(found: Iterable[tuple[str, str]], d: Dialect) -> list[tuple[str, str]]:
    """(target, source) bare names: the tables each trigger's text inserts into."""
    return [(target, source) for source, text in found for target in d.trigger_targets(text) if target != source]


def with_triggers(schema: Schema, found: Iterable[tuple[str, str]], d: Dialect) -> Schema:
    """``schema`` knowing what its triggers, given as (table, text), fill and insist on."""
    texts = list(found)
    fed = with_feeds(schema, targets(texts, d))
    return with_guards(fed, [(source, g) for source, text in texts for g in guards.read(text, d.stored_name)])


def with_feeds(schema: Schema, bare: Iterable[tuple[str, str]]) -> Schema:
    """``schema`` knowing its trigger feeds, given by bare table names (as triggers name them):
    each name taken for the one table of the schema called so (an ambiguous one is left out)."""
    unique = schema.bare_names()
    found = {(unique[a], unique[b]) for a, b in bare if a in unique and b in unique}
    return replace(schema, feeds=tuple(sorted(found)))
