"""Which columns hold personal data, and which must share one mapping.

A column is personal by its name (``planning/personal.py``, the rules inference fills
columns by) or because the plan says so (``mask: {users.nickname: username}``; ``false``
keeps a column as it is). A column a foreign key ties to a personal one (an
``orders.customer_email`` referring to ``customers.email``) carries the same values, so
it is masked too, with the same mapping: the key still matches after masking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from seedbed.errors import PlanError, did_you_mean
from seedbed.masking.fakes import KINDS, STRICT
from seedbed.planning.personal import kind_of
from seedbed.schema.model import Column, Schema, Table

_TEXT = ("text", "varchar", "char")
Where = tuple[str, str]  # (qualified table, column)


@dataclass(frozen=True)
class Target:
    table: Table
    column: str
    kind: str
    group: int  # columns of one group share one mapping
    linked: bool  # a foreign key ties it to another masked column


@dataclass(frozen=True)
class Group:
    kind: str
    strict: bool  # distinct originals get distinct fakes, none of them an original
    max_len: int | None  # the shortest column of the group: every fake fits each of them


def find(
    schema: Schema, named: Mapping[str, str | bool] | None = None, only: frozenset[str] | None = None
) -> tuple[list[Target], list[Group]]:
    """The personal columns of ``schema`` (``only``: of these tables), in table order."""
    named = dict(named or {})
    tables = {t.qualified: t for t in schema.tables if not t.is_partitioned}
    found: dict[Where, str] = {}
    for t in tables.values():
        for col in t.columns:
            guessed = kind_of(t.name, col.name)
            if guessed and _textual(col) and not col.generated:
                found[(t.qualified, col.name)] = guessed
    for spec, kind in named.items():
        where = _named(schema, spec)
        if kind is False:
            found.pop(where, None)
        elif kind is True or kind not in KINDS:
            raise PlanError(f"mask: {spec}: unknown kind {kind!r}", hint=did_you_mean(str(kind), KINDS) or
                            f"kinds: {', '.join(KINDS)}, or false to keep the column")  # fmt: skip
        else:
            found[where] = str(kind)
    parent = {c: c for c in found}

    def root(c: Where) -> Where:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    links: set[Where] = set()
    changed = True
    while changed:  # a chain of keys (a -> b -> c) spreads a kind along all of it
        changed = False
        for t in tables.values():
            for fk in t.foreign_keys:
                for mine, theirs in zip(fk.columns, fk.ref_columns, strict=True):
                    a, b = (t.qualified, mine), (fk.ref_table, theirs)
                    if a not in found and b not in found:
                        continue
                    for c, other in ((a, b), (b, a)):
                        if c not in found and c[0] in tables:
                            found[c], parent[c], changed = found[other], c, True
                    if b[0] in tables:
                        links.update((a, b))
                        ra, rb = root(a), root(b)
                        if ra != rb:
                            parent[max(ra, rb)] = min(ra, rb)
    roots = {c: root(c) for c in found}
    return _targets(schema, tables, found, roots, links, only)


def _targets(
    schema: Schema,
    tables: dict[str, Table],
    found: dict[Where, str],
    roots: dict[Where, Where],
    links: set[Where],
    only: frozenset[str] | None,
) -> tuple[list[Target], list[Group]]:
    order = {t.qualified: i for i, t in enumerate(schema.tables)}

    def place(c: Where) -> tuple[int, int]:
        return order.get(c[0], 0), [col.name for col in tables[c[0]].columns].index(c[1])

    numbers = {r: i for i, r in enumerate(sorted(set(roots.values()), key=place))}
    groups: list[Group] = []
    for r in sorted(numbers, key=numbers.__getitem__):
        members = [c for c in found if roots[c] == r]
        kind = found[r]
        unique = any(_unique(tables[t], col) for t, col in members)
        lengths = [n for t, col in members if (n := tables[t].column(col).type.length)]
        groups.append(Group(kind, kind in STRICT or unique or len(members) > 1, min(lengths) if lengths else None))
    targets = [
        Target(tables[c[0]], c[1], groups[numbers[roots[c]]].kind, numbers[roots[c]], c in links)
        for c in sorted(found, key=place)
        if only is None or c[0] in only
    ]
    return targets, groups


def _textual(col: Column) -> bool:
    return col.type.kind in _TEXT or (col.type.raw or "").lower().split(".")[-1].strip('"') == "citext"


def _unique(table: Table, column: str) -> bool:
    keys = [table.primary_key, *(u.columns for u in table.uniques)]
    return any(column in k for k in keys if k)


def _named(schema: Schema, spec: str) -> Where:
    table_name, _, column = spec.rpartition(".")
    if not table_name:
        raise PlanError(f"mask: {spec!r} is not TABLE.COLUMN", hint="name columns as table.column")
    table = schema.table(table_name)  # raises naming the unknown table
    table.column(column)
    return table.qualified, column
