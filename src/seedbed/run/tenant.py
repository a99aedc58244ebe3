"""A tenant: the row that owns a dataset (an organisation, by its slug) and every row whose
foreign keys lead to it.

Purging a tenant removes exactly that tree, children before parents, in one transaction,
whatever seed (or application) made its rows: the rows are found through the keys in the
database, not recomputed from the plan. Rows of another tenant, and tables whose keys lead
to no tenant, are never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlglot import exp

from seedbed.errors import PlanError
from seedbed.planning.model import TablePlan, Tenant
from seedbed.run.prepare import for_server
from seedbed.run.source import Source
from seedbed.schema.model import ForeignKey, Schema
from seedbed.schema.order import purge_order
from seedbed.sinks.base import Sink

Progress = Callable[[str, int, int, int, float], None]  # (table, i, n, rows deleted, seconds) after each


def tenant_value(tenant: Tenant, plan_tables: dict[str, TablePlan], given: str | None) -> str:
    """The tenant asked for: ``given``, else the plan's ``value``, else its constant for the column."""
    if given is not None:
        return given
    if tenant.value is not None:
        return tenant.value
    entry = plan_tables.get(tenant.table)
    constant = entry.columns.get(tenant.column) if entry is not None else None
    if isinstance(constant, (str, int)) and not isinstance(constant, bool):
        return str(constant)
    raise PlanError(
        f"which tenant? the plan gives {tenant.table}.{tenant.column} no constant value",
        hint="name it: --tenant VALUE",
    )


def paths(schema: Schema, root: str) -> dict[str, list[ForeignKey]]:
    """For each table whose foreign keys lead to ``root``, the shortest chain of them (the
    root itself: an empty chain). NOT NULL keys are preferred: every row has one."""
    out: dict[str, list[ForeignKey]] = {root: []}
    for required in (True, False):
        changed = True
        while changed:
            changed = False
            for t in schema.tables:
                if t.qualified in out:
                    continue
                for fk in t.foreign_keys:
                    nullable = any(t.column(c).nullable for c in fk.columns)
                    if fk.ref_table in out and fk.ref_table != t.qualified and not (required and nullable):
                        out[t.qualified] = [fk, *out[fk.ref_table]]
                        changed = True
                        break
    return out


def _name(sink: Sink, schema: Schema, table: str) -> str:
    t = schema.table(table)
    return sink.dialect.quoted(t.schema, t.name)


def _within(sink: Sink, schema: Schema, chain: list[ForeignKey], column: str, value: str) -> str:
    """SQL condition: a row of the chain's first table belongs to the tenant ``value``. Names
    are bare (MySQL's DELETE takes no alias): each resolves to the innermost table that has it.
    The value is a literal spelled by the dialect (a DELETE through ``Sink.execute`` takes no
    parameters)."""
    q = sink.dialect.quote
    sql = f"{q(column)} = {exp.Literal.string(value).sql(dialect=sink.dialect.sqlglot)}"
    for fk in reversed(chain):  # innermost (the root) first
        refs = ", ".join(q(c) for c in fk.ref_columns)
        sql = f"SELECT {refs} FROM {_name(sink, schema, fk.ref_table)} WHERE {sql}"
        sql = f"({', '.join(q(c) for c in fk.columns)}) IN ({sql})"
    return sql


def exists(sink: Sink, schema: Schema, tenant: Tenant, value: str) -> bool:
    return bool(sink.scalar(f"SELECT count(*) FROM {_name(sink, schema, tenant.table)} WHERE "
                            + _within(sink, schema, [], tenant.column, value)))  # fmt: skip


def purge_tenant(
    sink: Sink, schema: Schema, tenant: Tenant, value: str, progress: Progress | None = None
) -> dict[str, int]:
    """Delete the tenant named ``value`` and every row whose keys lead to it; rows per table."""
    root = schema.table(tenant.table)
    root.column(tenant.column)
    chains = paths(schema, root.qualified)
    order = purge_order(schema, list(chains))
    deleted: dict[str, int] = {}
    q = sink.dialect.quote
    with sink.transaction():
        for table in order:  # a self-reference (a manager) first let go, so no row waits on another
            t, cond = schema.table(table), _within(sink, schema, chains[table], tenant.column, value)
            for fk in t.foreign_keys:
                if fk.ref_table == t.qualified and all(t.column(c).nullable for c in fk.columns):
                    sets = ", ".join(f"{q(c)} = NULL" for c in fk.columns)
                    sink.execute([f"UPDATE {_name(sink, schema, table)} SET {sets} WHERE {cond}"])
        for i, table in enumerate(order, 1):
            t0 = time.perf_counter()
            cond = _within(sink, schema, chains[table], tenant.column, value)
            deleted[table] = int(sink.scalar(f"SELECT count(*) FROM {_name(sink, schema, table)} WHERE {cond}"))
            sink.execute([f"DELETE FROM {_name(sink, schema, table)} WHERE {cond}"])
            if progress:
                progress(table, i, len(order), deleted[table], time.perf_counter() - t0)
    return deleted


def purge_source_tenant(
    sink: Sink, source: Source, given: str | None, progress: Progress | None = None
) -> dict[str, int]:
    """``seedbed purge`` of a plan that names a tenant: that tenant's tree, and the records of
    the plan's runs (of every seed) when it was the plan's own tenant."""
    tenant = source.plan.tenant
    if tenant is None:
        raise PlanError("this plan names no tenant", hint="drop --tenant: purge removes one seed's rows")
    source = for_server(sink, source)
    assert source.schema is not None  # for_server reads it from the database when there was none
    value = tenant_value(tenant, dict(source.plan.tables), given)
    if not exists(sink, source.schema, tenant, value):
        raise PlanError(
            f"no tenant {value!r} in {tenant.table}.{tenant.column}",
            where=sink.safe_url,
            hint="nothing was deleted: check the tenant's name (--tenant VALUE)",
        )
    deleted = purge_tenant(sink, source.schema, tenant, value, progress)
    if value == tenant_value(tenant, dict(source.plan.tables), None):
        for record in sink.manifests.records(source.plan.name or source.name):
            sink.manifests.delete(str(record["run_id"]))
    return deleted


def refuse_existing(sink: Sink, source: Source) -> None:
    """``seed --new-tenant``: stop before anything is written when the plan's tenant exists."""
    tenant = source.plan.tenant
    if tenant is None:
        raise PlanError("--new-tenant: this plan names no tenant", hint="add tenant: {table: T, column: C} to the plan")
    source = for_server(sink, source)
    assert source.schema is not None
    if source.schema.table(tenant.table).qualified not in sink.existing_tables(
        {t.schema for t in source.schema.tables}
    ):
        return  # no table yet: no tenant either
    value = tenant_value(tenant, dict(source.plan.tables), None)
    if exists(sink, source.schema, tenant, value):
        raise PlanError(
            f"tenant {value!r} exists - purge it first",
            where=f"{tenant.table}.{tenant.column}",
            hint="seedbed purge (with the same --recipe/--plan and --db) removes it; or seed without --new-tenant",
        )
