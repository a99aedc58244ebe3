"""Foreign-key dependency order: parents before children, and its reverse for purge.

Ties are broken by table name so the order is the same on every machine.
Self-references do not constrain the order (a tree is loaded parent rows first
within one table). Partitions are not loaded on their own (rows go through their
parent), so they are left out.

A cycle between tables is broken by cutting one of its foreign keys, preferring a
nullable one (loaded as NULL, then set by an UPDATE once its parent is there), then
a deferrable one, then any (loaded with checks off, then verified).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from seedbed.schema.model import ForeignKey, Schema

Edges = dict[str, list[tuple[str, ForeignKey]]]  # table -> (parent, the foreign key to it)


@dataclass(frozen=True)
class Cut:
    """A foreign key left out of the order to break a cycle, and how it is loaded."""

    table: str
    fk: ForeignKey
    method: str  # "update" (nullable: NULL first, then UPDATE) | "checks_off" (load unchecked, verify)

    def describe(self) -> str:
        cols = ", ".join(self.fk.columns)
        how = (
            "loaded as NULL, then set by UPDATE"
            if self.method == "update"
            else "loaded with foreign-key checks off, then verified"
        )
        return f"{self.table}({cols}) -> {self.fk.ref_table}: {how}"


def load_order(schema: Schema, tables: list[str] | None = None) -> tuple[list[str], list[Cut]]:
    """Qualified table names in load order, and the foreign keys cut to break cycles."""
    names = set(tables) if tables is not None else set(schema.names)
    names = {n for n in names if not getattr(schema.table(n), "partition_of", None)}
    edges: dict[str, list[tuple[str, ForeignKey]]] = {n: [] for n in names}
    for n in names:
        for fk in schema.table(n).foreign_keys:
            ref = _resolve(schema, fk.ref_table)
            if ref != n and ref in names:
                edges[n].append((ref, fk))
    cuts: list[Cut] = []
    while True:
        order, stuck = _kahn(names, edges)
        if not stuck:
            return order, cuts
        cut = _choose_cut(schema, stuck, edges)
        edges[cut.table] = [(r, fk) for r, fk in edges[cut.table] if fk is not cut.fk]
        cuts.append(cut)


def _resolve(schema: Schema, name: str) -> str:
    t = schema.table(name)
    return getattr(t, "partition_of", None) or t.qualified


def _kahn(names: set[str], edges: dict[str, list[tuple[str, ForeignKey]]]) -> tuple[list[str], list[str]]:
    parents = {n: {r for r, _ in edges[n]} for n in names}
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
        for c in sorted(children[n]):
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, c)
    return order, sorted(n for n in names if n not in order)


def _components(nodes: list[str], edges: Edges) -> dict[str, int]:
    """Strongly connected component of each node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    counter = 0
    node_set = set(nodes)
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(r for r, _ in edges[root] if r in node_set)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(r for r, _ in edges[nxt] if r in node_set))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp[w] = index[v]
                    if w == v:
                        break
    return comp


def _choose_cut(schema: Schema, stuck: list[str], edges: Edges) -> Cut:
    comp = _components(stuck, edges)
    candidates = []
    for n in stuck:
        table = schema.table(n)
        for ref, fk in edges[n]:
            if ref not in comp or comp[ref] != comp[n]:
                continue  # only an edge on a cycle can break it
            nullable = all(table.column(c).nullable for c in fk.columns)
            rank = (0 if nullable else 1 if fk.deferrable else 2, n, fk.columns)
            candidates.append((rank, Cut(n, fk, "update" if nullable else "checks_off")))
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1]


def dependency_order(schema: Schema, tables: list[str] | None = None) -> list[str]:
    """Qualified table names, every table after the tables it references (cycles cut)."""
    return load_order(schema, tables)[0]


def purge_order(schema: Schema, tables: list[str] | None = None) -> list[str]:
    """Children before parents: the order to delete in."""
    return list(reversed(dependency_order(schema, tables)))
