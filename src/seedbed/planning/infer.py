"""The inferred default plan of a table: its row layout and each column's generator.

Everything here produces ordinary plan entries (what a user would write), so
``seedbed init`` can print the inferred plan for editing, and a plan file overrides
any part of it. Rules are ordered; the first that matches wins:

1. keys: uuid keys → UUIDv5; integer keys → a sequence after the run's base;
   text keys → distinct codes; a composite key containing a foreign key lays the
   table out per that parent, with the other key columns distinct within it;
2. foreign keys → references (composite ones take every column from one parent row);
3. unique columns → values unique by construction (they carry the row's key);
4. CHECK constraints → allowed lists, ranges, lengths, prefixes, orderings;
5. names and types → realistic values (emails, cities, prices, timestamps …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from seedbed.generate.generators.patterns import can_generate
from seedbed.planning.checkparse import check_columns
from seedbed.planning.checks import Rules, read_checks
from seedbed.planning.coherence import coherent_address, coherent_people
from seedbed.planning.guarded import follow_guards, reachable
from seedbed.planning.guess import (
    INT_KINDS,
    TEXT_KINDS,
    TIME_KINDS,
    array,
    geometry,
    max_len,
    number,
    other,
    text,
    time_entry,
)
from seedbed.planning.keys import distinct_columns, fk_columns, group_key, one_to_one
from seedbed.schema.model import Check, Column, Schema, Table
from seedbed.schema.types import byte_bounds


@dataclass
class Inferred:
    rows: Any  # an int (scaled) or {per: ..., total|each: ...}
    columns: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    unsure: list[Check] = field(default_factory=list)  # CHECKs the engine evaluates and redraws for
    unread: list[str] = field(default_factory=list)  # ... of which these could not be read at all


def infer_table(schema: Schema, table: Table, default_rows: int, *, uniform: bool = False) -> Inferred:
    """``uniform``: every table gets ``default_rows`` (--rows); else sizes follow the
    table's role (lookup tables small, link and fact tables larger)."""
    reading = read_checks(table)
    out = Inferred(rows=_rows(schema, table, default_rows, uniform), columns={})
    out.unsure, out.unread = list(reading.unsure), list(reading.not_understood)
    if reading.never is not None:  # rows go to the tables that inherit from it
        out.rows = 0
        out.warnings.append(f"{table.qualified}: CHECK {reading.never!r} admits no row; it is left empty")
    per_fk = out.rows.get("per") if isinstance(out.rows, dict) else None
    fks = fk_columns(table)
    carriers = distinct_columns(table, per_fk)
    # a column the database numbers is still generated when it is the key, or when other rows point at it
    key = set(table.primary_key) | _referenced(schema, table)
    for col in table.columns:
        rules = reading.rules.get(col.name, Rules())
        entry = _column(schema, table, col, rules, fks, key, per_fk, carriers.get(col.name), out.warnings)
        if entry is not None:
            out.columns[col.name] = entry
    for name in table.disjoint:  # EXCLUDE ... WITH &&: no two rows' ranges overlap
        entry = out.columns.get(name)
        if isinstance(entry, dict) and isinstance(entry.get("range"), dict):
            out.columns[name] = {"range": {**entry["range"], "disjoint": True}}
    _after_parents(schema, table, out.columns)
    coherent_people(out.columns)
    coherent_address(out.columns)
    _agree_with_parents(schema, table, out.columns, per_fk)
    follow_guards(schema, table, out.columns, per_fk)
    # a foreign key picks among the parent's rows whatever a CHECK says of its values
    # (entity_class IN (1, 2)): such a CHECK is evaluated and the picks redrawn
    picked = {c for c, e in out.columns.items() if isinstance(e, dict) and "ref" in e}
    names = [c.name for c in table.columns]
    out.unsure += [c for c in table.checks if c not in out.unsure and check_columns(c, names) & picked]
    return out


def infer_column(schema: Schema, table: Table, column: Column) -> Any:
    """The inferred entry of one column (see ``infer_table``)."""
    return infer_table(schema, table, 100).columns.get(column.name)


# -- rows ------------------------------------------------------------------------


def _referenced(schema: Schema, table: Table) -> set[str]:
    """The columns of ``table`` that foreign keys (its own included) point at."""
    out: set[str] = set()
    for t in schema.tables:
        for fk in t.foreign_keys:
            if fk.ref_table == table.qualified:  # the readers qualify references as they qualify tables
                out.update(fk.ref_columns)
    return out


def _rows(schema: Schema, table: Table, n: int, uniform: bool) -> Any:
    fks = fk_columns(table)
    pk = table.primary_key
    if len(pk) == 1 and pk[0] in fks and len(fks[pk[0]][0].columns) == 1:
        return {"per": pk[0], "each": 1}  # a 1:1 extension of its parent
    extends = one_to_one(table)
    if extends is not None:
        return {"per": extends, "each": 1}
    k = group_key(table)
    if k is not None:
        # the first key column that is a one-column foreign key to another table
        first = next(
            (c for c in k if c in fks and len(fks[c][0].columns) == 1 and fks[c][0].ref_table != table.qualified), None
        )
        if first is not None:
            return {"per": first, "total": n if uniform else n * 3}
    if uniform:
        return n
    outgoing = {fk.ref_table for fk in table.foreign_keys if fk.ref_table != table.qualified}
    referenced = any(
        fk.ref_table == table.qualified
        for t in schema.tables
        for fk in t.foreign_keys
        if t.qualified != table.qualified
    )
    if not outgoing and referenced and len(table.columns) <= 4:
        return max(5, n // 5)  # a lookup table
    return n * min(1 + len(outgoing), 5)


# -- columns ---------------------------------------------------------------------


def _column(
    schema: Schema,
    table: Table,
    col: Column,
    rules: Rules,
    fks: dict[str, tuple[Any, int]],
    key: set[str],
    per_fk: str | None,
    carries: str | None,
    warnings: list[str],
) -> Any:
    t = col.type
    name = col.name.lower()
    if col.generated is not None:
        return None
    if col.identity and col.name not in key:
        return None  # numbered by the database, and nothing refers to it
    if col.name in fks:
        fk, pos = fks[col.name]
        if pos == 0:
            if carries == "ref":
                return {"ref": {"distinct": True}}
            if rules.values and len(fk.columns) == 1 and col.name != per_fk:
                return {"ref": {"among": rules.values}}  # a CHECK's list of the parent's keys
            return {"ref": {}}
        return {"ref": {"sibling": fk.columns[0]}}
    unique_alone = (table.primary_key == (col.name,)) or any(u.columns == (col.name,) for u in table.uniques)
    unique_alone = unique_alone or carries == "unique"  # it carries a multi-column key's uniqueness
    in_key_group = _in_group_key(table, col.name, per_fk)
    if in_key_group and not unique_alone:
        allowed = rules.values or (list(schema.enum(t.enum).values) if t.kind == "enum" and t.enum else None)
        if allowed is None and t.kind == "bool":
            allowed = [False, True]
        if allowed:
            return {"choices": {"distinct": allowed}}
    if unique_alone or in_key_group:
        entry = _unique(schema, table, col, rules, by_ordinal=in_key_group and not unique_alone)
        if entry is not None:
            return entry
        warnings.append(f"{table.qualified}.{col.name}: cannot make {t.raw or t.kind} values unique")
    part = _partition_entry(schema, table, col)
    if part is not None:
        return part
    if rules.values:
        return {"choices": rules.values}
    if t.kind == "enum" and t.enum:
        return {"choices": list(schema.enum(t.enum).values)}
    if t.kind in INT_KINDS or t.kind in ("numeric", "float"):
        return number(table, col, rules)
    if t.kind == "bool":
        return {"bool": 0.5}
    if t.kind in TIME_KINDS:
        return time_entry(table, col, rules)
    if t.kind == "time":
        return {"int": [0, 86_399_000_000]}  # microseconds since midnight
    if t.kind == "uuid":
        return {"uuid": {"name": f"{col.name}:{{index}}"}}
    if t.kind == "json":
        return {"json": {"source": "seedbed", "ref": "{index}"}}
    if t.kind == "bytes":
        low, high = byte_bounds(t) or (0, 2**31)
        lo = min(max(low, 8), high)  # BINARY(14): exactly 14 bytes; VARBINARY(50): 8 to 50
        return {"bytes": [lo, max(lo, min(64, high))]}
    if t.kind == "interval":
        return {"interval": [0, 90]}
    if t.kind == "array":
        return array(schema, col)
    if t.kind in TEXT_KINDS:
        return text(col, rules, name)
    if t.kind == "geometry":
        return geometry(col)
    return other(table, col, warnings)


def _partition_entry(schema: Schema, table: Table, col: Column) -> Any:
    """Values inside the declared partitions, when ``col`` is a one-column partition key.

    Rows of a partitioned table must fall in some partition: range keys are drawn
    between the lowest and highest bound, list keys from the listed values. A hash
    or DEFAULT partition takes anything.
    """
    if table.partition_key != (col.name,):
        return None
    bounds = list(table.partitions) or [t.partition_bound for t in schema.partitions_of(table) if t.partition_bound]
    kinds = {b.kind for b in bounds}
    if not bounds or "default" in kinds or "hash" in kinds:
        return None
    if kinds == {"list"}:
        values = [v[0] if isinstance(v, tuple) else v for b in bounds for v in (b.values or ())]
        return {"choices": sorted({v for v in values if v is not None}, key=str)} if values else None
    lows = [b.lower[0] for b in bounds if b.lower and isinstance(b.lower[0], (str, int))]
    highs = [b.upper[0] for b in bounds if b.upper and isinstance(b.upper[0], (str, int))]
    if not highs or any(b.upper and not isinstance(b.upper[0], (str, int)) for b in bounds):
        return None  # some partition runs to MAXVALUE: no upper limit to keep to
    hi = max(highs, key=_sortable)
    lo = min(lows, key=_sortable) if lows and len(lows) == len(bounds) else None
    if col.type.kind in TIME_KINDS:
        end = f"{hi}".replace("+00", "")
        start = f"{lo}".replace("+00", "") if lo is not None else "1970-01-01"
        return {"time": {"between": [start, _minus_one_second(end)]}}
    if col.type.kind in INT_KINDS and isinstance(hi, int):
        return {"int": [int(lo) if isinstance(lo, int) else 1, hi - 1]}
    return None


def _sortable(v: Any) -> str:
    return f"{v:020d}" if isinstance(v, int) else str(v)


def _minus_one_second(text: str) -> str:
    from datetime import datetime, timedelta

    dt = datetime.fromisoformat(text.strip())
    return (dt - timedelta(seconds=1)).isoformat(sep=" ")


def _in_group_key(table: Table, col: str, per_fk: str | None) -> bool:
    """``col`` is in a multi-column key with the column the table is laid out per."""
    if per_fk is None or col == per_fk:
        return False
    keys = [table.primary_key] + [u.columns for u in table.uniques if not u.expression]
    return any(len(k) >= 2 and per_fk in k and col in k for k in keys)


def _unique(schema: Schema, table: Table, col: Column, rules: Rules, by_ordinal: bool) -> Any:
    """An entry whose values never repeat (within the parent when ``by_ordinal``)."""
    t = col.type
    counter = "{ordinal}" if by_ordinal else "{key}"
    labels = rules.values or (list(schema.enum(t.enum).values) if t.kind == "enum" and t.enum else None)
    if labels or t.kind == "bool":  # a unique enum or flag: each label once, so at most that many rows
        return {"choices": {"distinct": labels or [False, True]}}
    if t.kind == "uuid":
        return {"uuid": {}} if table.primary_key == (col.name,) else {"uuid": {"name": f"{col.name}:{{index}}"}}
    if t.kind in INT_KINDS or (t.kind == "numeric" and (t.scale or 0) == 0):
        return {"ordinal": {"start": 1}} if by_ordinal else {"sequence": {"start": 1}}
    if t.kind in TIME_KINDS:
        step = "1d" if t.kind == "date" else "1h"
        return {"time": {"series" if by_ordinal else "steps": {"start": "-3650d", "step": step}}}
    if t.kind in TEXT_KINDS and rules.pattern and can_generate(rules.pattern):
        return {"pattern": {"regex": rules.pattern, "unique": True}}
    if t.kind in TEXT_KINDS:
        limit = max_len(col, rules)
        if re.search(r"e?mail", col.name.lower()):
            return {"format": f"{{@first_name|lower}}.{{@last_name|lower}}.{counter}@example.com"}
        if limit is not None and limit < 30:
            return (
                {"code": {"length": max(1, min(limit, 10)), "alphabet": "upper"}}
                if not by_ordinal
                else {"format": "{ordinal}"}
            )
        base = text(col, rules, col.name.lower())
        template = base.get("format") if isinstance(base, dict) and "format" in base else "{@word}"
        return {"format": f"{template}-{counter}"}
    return None


# -- time follows the parents ------------------------------------------------------

_CREATED = re.compile(
    r"^(created|creation|create|inserted|registered|signup|joined)(_?(at|on|date|time|ts))?$|^date_?created$"
)
_PLAIN_TIME = {"between": ["-730d", "0d"]}


def _after_parents(schema: Schema, table: Table, columns: dict[str, Any]) -> None:
    """A row is not older than the rows it belongs to: an order is placed after its customer
    signed up. Each instant inference drew anywhere in the last two years is drawn instead
    between the latest creation time of its parents (through NOT NULL foreign keys) and now."""
    paths = []
    for fk in table.foreign_keys:
        if len(fk.columns) != 1 or fk.ref_table == table.qualified or table.column(fk.columns[0]).nullable:
            continue
        parent = schema.table(fk.ref_table)
        created = next((c.name for c in parent.columns if _created_column(c)), None)
        if created is not None and table.qualified not in reachable(schema, parent.qualified):
            paths.append(f"{fk.columns[0]}.{created}")
    if not paths:
        return
    for name, entry in columns.items():
        if isinstance(entry, dict) and entry.get("time") == _PLAIN_TIME and table.column(name).type.kind in TIME_KINDS:
            columns[name] = {"time": {"between": [[*paths, "-730d"], "0d"]}}


def _created_column(col: Column) -> bool:
    return (
        col.type.kind in TIME_KINDS
        and not col.identity
        and col.generated is None
        and bool(_CREATED.match(col.name.lower()))
    )


def _agree_with_parents(schema: Schema, table: Table, columns: dict[str, Any], per_fk: str | None) -> None:
    """A reference its other parent already makes: a membership event's room_id is the room
    of its event_id (triggers often insist). Such a column follows that parent instead of
    picking on its own, when it is in no key."""
    keyed = set(table.primary_key) | {c for u in table.uniques for c in u.columns} | {per_fk}
    single = [fk for fk in table.foreign_keys if len(fk.columns) == 1 and fk.ref_table != table.qualified]
    for fk in single:
        col = fk.columns[0]
        if col in keyed or columns.get(col) != {"ref": {}}:
            continue
        for second in single:
            via = second.columns[0]
            if via == col or table.column(via).nullable:
                continue
            middle = schema.table(second.ref_table)
            hop = next(
                (
                    m.columns[0]
                    for m in middle.foreign_keys
                    if len(m.columns) == 1
                    and m.ref_table == fk.ref_table
                    and m.ref_columns == fk.ref_columns
                    and not middle.column(m.columns[0]).nullable
                ),
                None,
            )
            if hop is not None and table.qualified not in reachable(schema, middle.qualified):
                columns[col] = {"path": f"{via}.{hop}"}
                break
