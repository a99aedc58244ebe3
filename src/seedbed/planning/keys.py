"""Multi-column keys: how inference makes their tuples unique by construction.

A tuple is unique when one of its columns is unique on its own, or, in a table laid
out per parent, when one column is distinct among the parent's rows. So for each
multi-column primary key or unique constraint, inference picks *one* column to carry
the uniqueness (``distinct_columns``) and leaves the others free to look natural:

- a key made of exactly one foreign key's columns is a 1:1 extension of the parent
  (one row per parent row, ``one_to_one``);
- a key containing a foreign key lays the table out per that parent (``group_key``);
  a non-key column of it is numbered within the parent, or else its first other
  foreign key picks distinct parents;
- any other key gets one column unique alone: a number, text or instant carries the
  row's key; failing that, a foreign key picks distinct parent rows.
"""

from __future__ import annotations

from typing import Any

from seedbed.schema.model import Table

# the kinds a value unique on its own can take, best first: a number carries the key
# plainly; an instant is last (stepped through time, it may leave the range rows need)
CARRIER_KINDS: tuple[str, ...] = ("bigint", "int", "smallint", "numeric", "uuid", "text", "varchar", "citext")
CARRIER_KINDS += ("char", "timestamptz", "timestamp", "date")


def fk_columns(table: Table) -> dict[str, tuple[Any, int]]:
    """column → (its foreign key, position in it). A column in several foreign keys takes the
    widest: (class_id, bu_id) → business_unit(class_id, id) implies class_id's own key."""
    out: dict[str, tuple[Any, int]] = {}
    for fk in sorted(table.foreign_keys, key=lambda k: -len(k.columns)):
        for i, c in enumerate(fk.columns):
            out.setdefault(c, (fk, i))
    return out


def _keys(table: Table) -> list[tuple[str, ...]]:
    keys = [table.primary_key] if table.primary_key else []
    return keys + [u.columns for u in table.uniques if not u.expression]


def group_key(table: Table) -> tuple[str, ...] | None:
    """A multi-column key that contains a foreign key: the table is laid out per it."""
    fks = fk_columns(table)
    for k in _keys(table):
        if len(k) >= 2 and any(c in fks and fks[c][0].ref_table != table.qualified for c in k):
            return k
    return None


def one_to_one(table: Table) -> str | None:
    """The first column of a foreign key whose columns are the whole primary key (or a
    NOT NULL unique key): each row extends one parent row."""
    for k in _keys(table):
        for fk in table.foreign_keys:
            same = set(fk.columns) == set(k) and fk.ref_table != table.qualified
            if same and all(not table.column(c).nullable for c in k):
                return fk.columns[0]
    return None


def distinct_columns(table: Table, per_fk: str | None) -> dict[str, str]:
    """column → how it carries a multi-column key's uniqueness: ``"ref"`` (a foreign key
    picking distinct parents, within the parent row when laid out per one) or ``"unique"``
    (a value unique on its own). Keys already carried by a unique column need nothing."""
    fks = fk_columns(table)
    alone = {k[0] for k in _keys(table) if len(k) == 1}
    out: dict[str, str] = {}
    for k in _keys(table):
        if len(k) < 2 or alone & set(k) or set(k) & set(out):
            continue
        if per_fk is not None and per_fk in k and per_fk in fks:
            if set(k) == set(fks[per_fk][0].columns):
                continue  # the parent's own key: one row per parent row makes it unique
            if any(c not in fks for c in k if c != per_fk):
                continue  # numbered within the parent (infer's key-group entries)
            first = next((c for c in k if c != per_fk and fks[c][1] == 0 and c not in fks[per_fk][0].columns), None)
            if first is not None:
                out[first] = "ref"
            continue
        own = _own_carrier(table, k, fks)
        if own is not None:
            out[own] = "unique"
            continue
        first = next((c for c in k if c in fks and fks[c][1] == 0), None)
        if first is not None:
            out[first] = "ref"
    return out


def _own_carrier(table: Table, key: tuple[str, ...], fks: dict[str, tuple[Any, int]]) -> str | None:
    """The key's column that best carries its uniqueness alone; never a partition key (its
    values must stay inside the partitions' bounds)."""
    free = [c for c in key if c not in fks and c not in table.partition_key]
    ranked = sorted(
        (CARRIER_KINDS.index(table.column(c).type.kind), i, c)
        for i, c in enumerate(free)
        if table.column(c).type.kind in CARRIER_KINDS
    )
    return ranked[0][2] if ranked else None
