"""CHECK constraints that generated rows are not sure to meet, evaluated on the rows.

Planning reads most CHECKs into rules that generators meet by construction. The rest
(a function call, a boolean equality between expressions, a regular expression, an
excluded value) are *guards*: each batch's candidate values are evaluated against them
by an embedded SQL engine (DuckDB, reading the Arrow columns in place), and the rows
that fail are drawn again (``Frame`` does the redrawing). The expression is the
constraint's own SQL, transpiled by sqlglot, with the run's anchor standing in for
"now" so that the result is a pure function of the values.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
from sqlglot import exp

from seedbed.errors import PlanError
from seedbed.generate.coerce import arrow_type
from seedbed.planning.checkparse import parse_check
from seedbed.planning.resolved import TableSpec
from seedbed.schema.model import Check

_INTERVAL = re.compile(r"^\s*-?\d+(\.\d+)?\s*(year|mon|week|day|hour|min|sec)", re.IGNORECASE)
REDRAWS = 48  # attempts after the first draw: a CHECK met by 1 draw in 3 is missed by 1 row in 10**8


@dataclass(frozen=True)
class Guard:
    """One CHECK to evaluate: its name, DuckDB condition and the columns it reads."""

    name: str
    condition: str
    columns: tuple[str, ...]
    sql: str  # as the schema spells it, for messages


@dataclass(frozen=True)
class Guards:
    """The guards of one table and the columns a redraw may change."""

    table: str
    guards: tuple[Guard, ...]
    schema: pa.Schema  # every column a guard reads, with the type it is generated in

    def failing(self, columns: dict[str, pa.Array], n: int) -> np.ndarray:
        """For each of ``n`` rows, whether some guard is false (NULL passes, as in the database)."""
        return self._bad(self.guards, columns, n)

    def which(self, columns: dict[str, pa.Array], n: int, row: int) -> Guard:
        """The first guard row ``row`` fails (for messages)."""
        one_row = {c: a.slice(row, 1) for c, a in columns.items()}
        return next((g for g in self.guards if self._bad((g,), one_row, 1)[0]), self.guards[0])

    def _bad(self, guards: tuple[Guard, ...], columns: dict[str, pa.Array], n: int) -> np.ndarray:
        query = " OR ".join(f"COALESCE(NOT ({g.condition}), FALSE)" for g in guards)
        con = _connection()
        if not len(self.schema):  # a CHECK on no column (CHECK (false)): the same for every row
            got = con.execute(f"SELECT {query} AS bad FROM range({n})").fetchnumpy()["bad"]
            return np.asarray(got, dtype=bool)
        con.register("rows_", pa.table({f.name: columns[f.name] for f in self.schema}))
        try:
            got = con.execute(f"SELECT {query} AS bad FROM rows_").fetchnumpy()["bad"]
        except Exception as err:  # noqa: BLE001 - a value the expression cannot take: this table's problem
            names = ", ".join(g.name for g in guards)
            raise PlanError(
                f"CHECK {names} cannot be evaluated on the generated rows: {str(err).splitlines()[0][:200]}",
                where=f"tables.{self.table}",
                hint="give the columns it reads generators in the plan",
                table=self.table,
            ) from None
        finally:
            con.unregister("rows_")
        return np.asarray(got, dtype=bool)


_local = threading.local()


def _connection():  # type: ignore[no-untyped-def]
    """One in-memory DuckDB per thread (batches may be generated on a prefetch thread)."""
    con = getattr(_local, "con", None)
    if con is None:
        import duckdb

        con = duckdb.connect(":memory:")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET threads = 1")  # rows come back in order, batches are small
        _local.con = con
    return con


def compile_guards(
    spec: TableSpec, anchor_us: int, unsure: list[Check], required: set[str], fixed: frozenset[str]
) -> Guards | None:
    """The table's guards. A CHECK in ``required`` (one planning could not read at all)
    that the engine cannot evaluate either is a plan-time error; another is left to the
    rules planning read from it, as is one on columns a redraw could not change anyway."""
    table = spec.table
    anchor = datetime.fromtimestamp(anchor_us / 1e6, tz=UTC).replace(tzinfo=None).isoformat(sep=" ")
    fields: dict[str, pa.Field] = {}
    guards: list[Guard] = []
    for chk in unsure:
        label = chk.name or chk.sql
        condition, columns = _transpile(chk.sql, [c.name for c in table.columns], anchor)
        schema = {c: pa.field(c, arrow_type(table.column(c).type)) for c in columns} if condition else {}
        problem = _try(condition, schema) if condition else "its SQL could not be parsed"
        if problem is None and label not in required and set(columns) <= fixed:
            continue
        if problem is None:
            fields.update(schema)
            guards.append(Guard(label, condition, columns, chk.sql))
        elif label in required:
            cols = ", ".join(columns) or "its columns"
            first = columns[0] if columns else "COLUMN"
            raise PlanError(
                f"CHECK {label!r} ({chk.sql}) can neither be read nor evaluated on generated rows ({problem})",
                where=f"tables.{spec.name}",
                table=spec.name,
                hint=(
                    f"give {cols} values that meet it, e.g. in the plan:\n"
                    f"  tables:\n    {spec.name}:\n      columns:\n        {first}: {{choices: [...]}}"
                ),
            )
    if not guards:
        return None
    return Guards(spec.name, tuple(guards), pa.schema(list(fields.values())))


def _transpile(sql: str, names: list[str], anchor: str) -> tuple[str, tuple[str, ...]]:
    """The CHECK as a DuckDB condition over quoted column names, and the columns it reads."""
    tree = parse_check(sql, names)
    if tree is None:
        return "", ()
    real = {n.lower(): n for n in names}
    seen: list[str] = []

    def fix(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            name = real.get(node.name.lower(), node.name)
            if name in real.values() and name not in seen:
                seen.append(name)
            return exp.column(name, quoted=True)
        if isinstance(node, (exp.CurrentTimestamp, exp.CurrentDatetime)) or (
            isinstance(node, exp.Anonymous) and node.name.lower() in ("now", "statement_timestamp", "clock_timestamp")
        ):
            return exp.cast(exp.Literal.string(anchor), exp.DataType.build("TIMESTAMP"))
        if isinstance(node, exp.CurrentDate):
            return exp.cast(exp.Literal.string(anchor[:10]), exp.DataType.build("DATE"))
        if isinstance(node, (exp.Add, exp.Sub)):  # now() - '18 years': the text is an interval
            for side in ("this", "expression"):
                lit = node.args.get(side)
                if isinstance(lit, exp.Literal) and lit.is_string and _INTERVAL.match(lit.this):
                    node.set(side, exp.cast(lit.copy(), exp.DataType.build("INTERVAL")))
            return node
        if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.USERDEFINED):
            return node.this  # an enum or domain: DuckDB compares its text
        return node

    tree = tree.transform(fix)
    try:
        return tree.sql(dialect="duckdb"), tuple(seen)
    except Exception:  # noqa: BLE001 - a tree DuckDB's generator cannot spell
        return "", tuple(seen)


def _try(condition: str, schema: dict[str, pa.Field]) -> str | None:
    """None when DuckDB can evaluate ``condition`` on columns of these types; else why not."""
    # one row of NULLs, not none: DuckDB casts a literal ('NaN' to a decimal) only when there is a row
    empty = pa.table({c: pa.nulls(1, f.type) for c, f in schema.items()}) if schema else None
    con = _connection()
    try:
        if empty is None:
            con.execute(f"SELECT ({condition})::BOOLEAN").fetchall()
        else:
            con.register("probe_", empty)
            try:
                con.execute(f"SELECT ({condition})::BOOLEAN FROM probe_").fetchall()
            finally:
                con.unregister("probe_")
    except Exception as err:  # noqa: BLE001 - any DuckDB error means it cannot be evaluated here
        return str(err).splitlines()[0][:200]
    return None
