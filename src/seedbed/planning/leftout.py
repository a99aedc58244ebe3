"""Tables a run leaves out, and the tables that cannot be filled without them.

One table that cannot be generated (a type with no generator in a NOT NULL column,
a CHECK no drawn value meets, a generator failing) must not stop the others. It is
left out with its reason; a table whose NOT NULL foreign key needs its rows is left
out too (saying so), and a nullable foreign key to it is loaded as NULL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from seedbed.schema.model import ForeignKey, Schema, Table


def exclude(schema: Schema, chosen: list[str], left_out: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """``chosen`` without the tables left out and those that need their rows; the reasons."""
    reasons = {t: r for t, r in left_out.items() if t in chosen}
    changed = True
    while changed:  # needing a left-out table's rows is transitive
        changed = False
        for name in chosen:
            if name in reasons:
                continue
            table = schema.table(name)
            needed = next((fk.ref_table for fk in table.foreign_keys if _needs(table, fk, reasons)), None)
            if needed is not None:
                reasons[name] = f"its NOT NULL foreign key needs rows of {needed}, which is left out"
                changed = True
    return [t for t in chosen if t not in reasons], reasons


def _needs(table: Table, fk: ForeignKey, gone: Mapping[str, str]) -> bool:
    return (
        fk.ref_table in gone
        and fk.ref_table != table.qualified
        and any(not table.column(c).nullable for c in fk.columns)
    )


def dropped_references(table: Table, gone: Mapping[str, str]) -> set[str]:
    """Columns of ``table`` that reference a left-out table: loaded as NULL."""
    return {c for fk in table.foreign_keys if fk.ref_table in gone for c in fk.columns}


def left_to_triggers(schema: Schema) -> tuple[Schema, dict[str, str]]:
    """Tables an INSERT trigger of another table fills, where that table's foreign key points
    back at them and no other table's does (a lock's mode row, written by the lock's own
    trigger): they are not seeded - the trigger makes their rows as their source's rows go in -
    and the source's key into them is drawn as plain values. The schema without those keys,
    and why each table is not seeded."""
    referrers: dict[str, set[str]] = {}
    for t in schema.tables:
        for fk in t.foreign_keys:
            if fk.ref_table != t.qualified:
                referrers.setdefault(fk.ref_table, set()).add(t.qualified)
    fed: dict[str, str] = {}
    for target, source in schema.feeds:
        back = any(fk.ref_table == target for fk in schema.table(source).foreign_keys)
        if back and referrers.get(target, set()) <= {source} and source not in fed:
            fed[target] = source
    if not fed:
        return schema, {}
    tables = tuple(
        replace(t, foreign_keys=tuple(fk for fk in t.foreign_keys if fed.get(fk.ref_table) != t.qualified))
        for t in schema.tables
    )
    why = {t: f"its rows are made by the INSERT trigger of {s}, whose rows point at them" for t, s in fed.items()}
    return replace(schema, tables=tables), why
