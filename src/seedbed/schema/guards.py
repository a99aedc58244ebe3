"""Equalities a trigger insists on: ``Schema.guards``, read from a trigger's text.

A common trigger refuses a row whose column disagrees with the row its key refers to::

    IF EXISTS (SELECT 1 FROM events WHERE events.event_id = NEW.event_id
               AND events.room_id != NEW.room_id) THEN RAISE EXCEPTION ...

(SQLite: ``SELECT RAISE(ABORT, ...) WHERE EXISTS (...)``; MySQL: ``SIGNAL``). Such a
trigger is a constraint no catalog lists: ``partial_state_events.room_id`` must equal the
``room_id`` of the event its ``event_id`` names. Read as a guard, it is met by
construction: the column follows its parent's. The same text is read whether it comes
from the database's catalog of triggers or from the DDL that made them, so both readings
agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from seedbed.schema.model import Guard, Schema

_NAME = r'(?:"[^"]+"|`[^`]+`|\w+)'
# EXISTS (SELECT ... FROM parent [AS alias] WHERE conditions): a NOT EXISTS asks the opposite
_EXISTS = re.compile(
    rf"(?<!NOT\s)\bEXISTS\s*\(\s*SELECT\s+[^;]*?\bFROM\s+(?P<parent>{_NAME}(?:\s*\.\s*{_NAME})?)"
    rf"(?:\s+(?:AS\s+)?(?P<alias>(?!WHERE\b){_NAME}))?\s+WHERE\s+(?P<cond>[^;]*?)\)",
    re.IGNORECASE | re.DOTALL,
)
# one condition: [alias.]column OP NEW.column, either way round
_TERM = re.compile(
    rf"^\s*\(?\s*(?:(?P<q1>{_NAME})\s*\.\s*)?(?P<a>{_NAME})\s*(?P<op>=|<>|!=|\bIS\s+DISTINCT\s+FROM\b)\s*"
    rf"(?:(?P<q2>{_NAME})\s*\.\s*)?(?P<b>{_NAME})\s*\)?\s*$",
    re.IGNORECASE,
)
_AND = re.compile(r"\bAND\b", re.IGNORECASE)
_RAISES = re.compile(r"\bRAISE\b|\bSIGNAL\b", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


@dataclass(frozen=True)
class _Read:
    """One guard as a trigger's text says it, names as stored, the parent's bare."""

    parent: str
    via: str
    key: str  # the parent's column ``via`` matches
    column: str
    parent_column: str


def read(text: str, stored: Callable[[str], str]) -> list[_Read]:
    """The guards in one trigger's text; ``stored`` turns a written name into a stored one."""
    code = _COMMENT.sub(" ", text)
    if not _RAISES.search(code):
        return []
    out: list[_Read] = []
    for m in _EXISTS.finditer(code):
        parent = stored(m["parent"])
        own = {parent, stored(m["alias"])} if m["alias"] else {parent}
        keys: list[tuple[str, str]] = []
        differ: list[tuple[str, str]] = []
        for term in _AND.split(m["cond"]):
            t = _TERM.match(term)
            if t is None:
                break
            sides = [(t["q1"], t["a"]), (t["q2"], t["b"])]
            new = [stored(c) for q, c in sides if q and stored(q).upper() == "NEW"]
            mine = [stored(c) for q, c in sides if not q or stored(q) in own]
            if len(new) != 1 or len(mine) != 1:
                break
            (keys if t["op"] == "=" else differ).append((new[0], mine[0]))
        else:
            if len(keys) == 1:
                via, key = keys[0]
                out += [_Read(parent, via, key, col, pcol) for col, pcol in differ]
    return out


def with_guards(schema: Schema, found: Iterable[tuple[str, _Read]]) -> Schema:
    """``schema`` knowing the guards of its triggers, given as (source table's bare name,
    reading): kept where ``via`` is a foreign key of the source into the parent's ``key``."""
    unique = schema.bare_names()
    guards: set[Guard] = set()
    for source, g in found:
        if source not in unique or g.parent not in unique:
            continue
        table, parent = schema.table(unique[source]), unique[g.parent]
        fk = table.fk_for(g.via)
        if fk is None or fk.ref_table != parent or fk.ref_columns != (g.key,):
            continue
        if table.has_column(g.column) and schema.table(parent).has_column(g.parent_column):
            guards.add(Guard(table.qualified, g.column, g.via, g.parent_column))
    return replace(schema, guards=tuple(sorted(guards, key=lambda g: (g.table, g.column))))
