"""Foreign-key dependency order: parents before children, and its reverse for purge.

Ties are broken by table name so the order is the same on every machine.
Self-references do not constrain the order (a tree is loaded parent rows first
within one table). A cycle between tables is reported with the tables on it.
"""

from __future__ import annotations

import heapq

from seedbed.errors import SchemaError
from seedbed.schema.model import Schema


def dependency_order(schema: Schema, tables: list[str] | None = None) -> list[str]:
    """Qualified table names, every table after the tables it references.

    >>> dependency_order(schema)  # doctest: +SKIP
    ['organizations', 'users', 'user_organizations', ...]
    """
    names = set(tables) if tables is not None else set(schema.names)
    parents: dict[str, set[str]] = {n: set() for n in names}
    for n in names:
        for fk in schema.table(n).foreign_keys:
            ref = schema.table(fk.ref_table).qualified
            if ref != n and ref in names:
                parents[n].add(ref)
    children: dict[str, set[str]] = {n: set() for n in names}
    for n, ps in parents.items():
        for p in ps:
            children[p].add(n)
    waiting = {n: len(ps) for n, ps in parents.items()}
    ready = [n for n, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for c in children[n]:
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, c)
    if len(order) != len(names):
        stuck = sorted(n for n in names if n not in order)
        raise SchemaError(
            f"foreign keys form a cycle between tables {', '.join(stuck)}",
            hint="make one of the foreign keys on the cycle nullable or deferrable",
        )
    return order


def purge_order(schema: Schema, tables: list[str] | None = None) -> list[str]:
    """Children before parents: the order to delete in."""
    return list(reversed(dependency_order(schema, tables)))
