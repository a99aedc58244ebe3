"""Qualified table names as one string: ``schema.table``, a part quoted when it holds a
dot or a double quote (``"my.table"``, ``app."a""b"``), so any name survives the round trip.

A name without either character is written as it is, so the names (and everything
derived from them: keys, digests) of ordinary schemas are what they always were.
"""

from __future__ import annotations


def _part(name: str) -> str:
    return '"' + name.replace('"', '""') + '"' if "." in name or '"' in name else name


def join_name(schema: str | None, name: str) -> str:
    """``schema.name`` (just ``name`` without a schema), quoting a part that needs it."""
    return f"{_part(schema)}.{_part(name)}" if schema else _part(name)


def split_name(qualified: str) -> list[str]:
    """The parts of a qualified name: ``app."my.table"`` -> ``["app", "my.table"]``."""
    parts: list[str] = []
    cur: list[str] = []
    i, quoted = 0, False
    while i < len(qualified):
        ch = qualified[i]
        if quoted:
            if ch == '"' and qualified[i + 1 : i + 2] == '"':
                cur.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cur.append(ch)
        elif ch == '"' and not cur:
            quoted = True
        elif ch == ".":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def short_name(qualified: str) -> str:
    """The table's own name, without its schema."""
    return split_name(qualified)[-1]


def schema_of(qualified: str) -> str | None:
    parts = split_name(qualified)
    return parts[-2] if len(parts) > 1 else None
