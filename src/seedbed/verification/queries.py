"""The SQL of checks: rows that point nowhere, values that repeat, and recipe checks' binds.

Written once for every database, with its quoting and parameter marks (``Dialect``).
"""

from __future__ import annotations

import re
from typing import Any

from seedbed.dialects import Dialect
from seedbed.dialects.names import split_name
from seedbed.planning.resolved import TableSpec
from seedbed.schema.model import ForeignKey
from seedbed.sinks.base import Sink


def quoted_name(d: Dialect, qualified: str) -> str:
    return ".".join(d.quote(p) for p in split_name(qualified))


def orphans(sink: Sink, spec: TableSpec, fk: ForeignKey, parent: str) -> int:
    """Rows of ``spec`` whose foreign key points at no row of ``parent``."""
    d = sink.dialect
    cond = " AND ".join(f"p.{d.quote(pc)} = c.{d.quote(cc)}" for cc, pc in zip(fk.columns, fk.ref_columns, strict=True))
    notnull = " AND ".join(f"c.{d.quote(c)} IS NOT NULL" for c in fk.columns)
    sql = (
        f"SELECT count(*) FROM {quoted_name(d, spec.name)} c WHERE {notnull} AND NOT EXISTS "
        f"(SELECT 1 FROM {quoted_name(d, parent)} p WHERE {cond})"
    )
    return int(sink.scalar(sql))


def duplicates(sink: Sink, spec: TableSpec, columns: tuple[str, ...]) -> int:
    """Values of ``columns`` (all set) that more than one row holds."""
    d = sink.dialect
    cols = ", ".join(d.quote(c) for c in columns)
    notnull = " AND ".join(f"{d.quote(c)} IS NOT NULL" for c in columns)
    sql = (
        f"SELECT count(*) FROM (SELECT {cols} FROM {quoted_name(d, spec.name)} WHERE {notnull} "
        f"GROUP BY {cols} HAVING count(*) > 1) d"
    )
    return int(sink.scalar(sql))


def bind(sql: str, params: dict[str, Any], dialect: Dialect) -> tuple[str, list[Any]]:
    """A recipe check's ``:name`` binds as the driver's marks, and the values in their order.

    A ``%`` in the text is doubled where the driver's marks are ``%s`` (it would read
    ``LIKE 'a%'`` as a mark otherwise).
    """
    values: list[Any] = []
    if dialect.param == "%s":
        sql = sql.replace("%", "%%")

    def mark(m: re.Match[str]) -> str:
        values.append(params[m.group(1)])
        return dialect.param

    pattern = r"(?<![:\w\\]):(" + "|".join(re.escape(k) for k in params) + r")\b"
    return (re.sub(pattern, mark, sql) if params else sql), values
