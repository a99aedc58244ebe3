"""Columns a trigger's guard ties to a parent's (``Schema.guards``), met by construction.

A guard says ``table.column`` equals ``parent_column`` of the row ``table.via`` refers to.
The column then follows its parent (``path: via.parent_column``). When the column is also
a foreign key of its own (``partial_state_events.room_id`` into ``partial_state_rooms``)
and the parent's column is free text, the parent's column draws its values from that same
key's table, so the value followed is one the foreign key accepts too.
"""

from __future__ import annotations

from typing import Any

from seedbed.schema.model import Schema, Table


def follow_guards(schema: Schema, table: Table, columns: dict[str, Any], per_fk: str | None) -> None:
    """Rewrite the inferred entries of ``table`` that guards decide: its guarded columns, and
    its own columns that other tables' guarded columns follow."""
    keyed = _keyed(table) | {per_fk}
    for g in schema.guards:
        fk = table.fk_for(g.via) if g.table == table.qualified else None
        if fk is None or g.column in keyed or g.column not in columns:
            continue
        if table.qualified not in reachable(schema, fk.ref_table) and _agrees(
            schema, table, g.column, g.via, g.parent_column
        ):
            columns[g.column] = {"path": f"{g.via}.{g.parent_column}"}
    for g in schema.guards:
        child = schema.table(g.table)
        fk = child.fk_for(g.via)
        if fk is None or fk.ref_table != table.qualified or g.parent_column not in columns:
            continue
        own = child.fk_for(g.column)
        if own is None or own.ref_table in (table.qualified, child.qualified):
            continue
        free = table.fk_for(g.parent_column) is None and g.parent_column not in _keyed(table)
        if free:
            columns[g.parent_column] = {"ref": {"table": own.ref_table, "column": own.ref_columns[0]}}


def _agrees(schema: Schema, table: Table, column: str, via: str, parent_column: str) -> bool:
    """True when the value followed is one ``column``'s own foreign key accepts: it has none,
    or the parent's column refers where it does, or is free to be drawn from there."""
    own = table.fk_for(column)
    if own is None:
        return True
    parent = schema.table(table.fk_for(via).ref_table)  # type: ignore[union-attr]
    theirs = parent.fk_for(parent_column)
    if theirs is not None:
        return (theirs.ref_table, theirs.ref_columns) == (own.ref_table, own.ref_columns)
    return own.ref_table not in (parent.qualified, table.qualified) and parent_column not in _keyed(parent)


def _keyed(table: Table) -> set[str]:
    return set(table.primary_key) | {c for u in table.uniques for c in u.columns}


def reachable(schema: Schema, start: str) -> set[str]:
    """Tables ``start`` reaches through foreign keys (a parent that refers back is skipped:
    its time would follow the child's)."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        t = schema.table(stack.pop())
        for fk in t.foreign_keys:
            if fk.ref_table not in seen:
                seen.add(fk.ref_table)
                stack.append(fk.ref_table)
    return seen
