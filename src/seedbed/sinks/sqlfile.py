"""A table's rows as INSERT statements in a database's own SQL (``export --format sql``).

Literals are spelled per dialect: strings quoted (MySQL also escapes backslashes),
booleans as TRUE/FALSE (SQLite 1/0), binary as hex, timestamps in UTC. Rows go 500 to a
statement; the text does not depend on how the rows were batched.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from seedbed.dialects.base import Dialect
from seedbed.sinks.files import fixed_tables

ROWS_PER_INSERT = 500


def _literals(col: pa.Array, d: Dialect) -> pa.Array:
    """Each value of ``col`` as a SQL literal of dialect ``d`` (NULL for a null)."""
    t = col.type
    if pa.types.is_boolean(t):
        yes, no = ("1", "0") if d.name == "sqlite" else ("TRUE", "FALSE")
        text = pc.if_else(col, yes, no)
    elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        text = col.cast(pa.string())
    elif pa.types.is_binary(t) or pa.types.is_large_binary(t):
        text = pa.array([None if v is None else (f"'\\x{v.hex()}'" if d.name == "postgres" else f"X'{v.hex()}'")
                         for v in col.to_pylist()], pa.string())  # fmt: skip
    else:
        if pa.types.is_timestamp(t):  # an instant says UTC (MySQL: the file sets the session's zone)
            text = pc.strftime(col.cast(pa.timestamp("us", t.tz)), format="%Y-%m-%d %H:%M:%S")
            if t.tz is not None and d.name != "mysql":
                text = pc.binary_join_element_wise(text, "+00:00", "")
        else:  # text, dates, JSON, uuids: their text
            text = col.cast(pa.string())
        text = pc.replace_substring(text, "'", "''")
        if d.name == "mysql":
            text = pc.replace_substring(text, "\\", "\\\\")
        text = pc.binary_join_element_wise("'", text, "'", "")
    return pc.fill_null(text, "NULL")


def write_sql(table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], path: Path, d: Dialect) -> Path:
    names = ", ".join(d.quote(c) for c in schema.names)
    head = f"INSERT INTO {table} ({names}) VALUES\n"
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"-- {table}: INSERT statements for {d.name}, written by seedbed export\n")
        if d.name == "mysql":
            f.write("SET time_zone = '+00:00';\n")
        for t in fixed_tables(batches, ROWS_PER_INSERT):
            cols = [_literals(t.column(i).combine_chunks(), d) for i in range(t.num_columns)]
            rows = pc.binary_join_element_wise("(", *[x for c in cols for x in (c, ", ")][:-1], ")", "")
            f.write(head + ",\n".join(rows.to_pylist()) + ";\n")
    return path


def write_updates(tables: list[tuple[str, tuple[str, ...], tuple[str, ...], Iterable[pa.RecordBatch]]], path: Path,
                  d: Dialect) -> Path:  # fmt: skip
    """UPDATE statements setting columns loaded as NULL (``(table, key, columns, batches)``)
    once every row is in: run after the INSERT files."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f"-- keys set once every row is in: UPDATE statements for {d.name}, written by seedbed export\n")
        if d.name == "mysql":
            f.write("SET time_zone = '+00:00';\n")
        for table, key, columns, batches in tables:
            for b in batches:
                sets = [pc.binary_join_element_wise(f"{d.quote(c)} = ", _literals(b.column(c), d), "")
                        for c in columns]  # fmt: skip
                where = [pc.binary_join_element_wise(f"{d.quote(c)} = ", _literals(b.column(c), d), "")
                         for c in key]  # fmt: skip
                set_text = pc.binary_join_element_wise(*[x for s in sets for x in (s, ", ")][:-1], "")
                where_text = pc.binary_join_element_wise(*[x for w in where for x in (w, " AND ")][:-1], "")
                lines = pc.binary_join_element_wise(f"UPDATE {table} SET ", set_text, " WHERE ", where_text, ";", "")
                f.write("\n".join(lines.to_pylist()) + "\n")
    return path
