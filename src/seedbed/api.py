"""seedbed as a library: one function per command, each owning its connection.

Every function takes where the data goes (a database URL, a SQLite file's path, or a
folder for ``export``) and keyword-only options named like the command line's. Each
validates its options, opens and closes the database itself, and raises a
``seedbed.errors.SeedbedError`` (with ``where`` and ``hint``) for anything it refuses::

    import seedbed

    manifest = seedbed.seed("demo.db", recipe="scale-seed", seed=123, scale=0.01)
    report = seedbed.verify("demo.db", recipe="scale-seed", seed=123)
    assert report.ok
    seedbed.purge("demo.db", recipe="scale-seed", seed=123)

The command line (``seedbed.cli``) is a thin layer over these: it parses, calls one of
them, and prints. Nothing heavy is imported until a function runs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.errors import PlanError
from seedbed.run.options import options_from
from seedbed.sinks.session import not_created, opened

if TYPE_CHECKING:
    from seedbed.masking.apply import Masked
    from seedbed.masking.apply import Progress as MaskProgress
    from seedbed.planning.resolved import ResolvedPlan
    from seedbed.run.source import Source
    from seedbed.sinks.manifest import Manifest, TableRecord
    from seedbed.verification.checks import Report

Where = str | os.PathLike[str]
Progress = Callable[[str, int, int, "TableRecord"], None]  # (table, i, n, its record) after each table

CHUNK = 20_000  # rows per batch: memory grows with it, speed hardly does past ~10k (see bench/)
FORMATS = ("parquet", "csv", "sql")
MASK_KEY_VAR = "SEEDBED_MASK_KEY"

__all__ = ["CHUNK", "FORMATS", "Planned", "export", "init", "mark", "mask", "plan", "purge", "seed", "verify"]


@dataclass(frozen=True)
class Planned:
    """What a seed would write: the resolved plan and every table's row count, in load order."""

    plan: ResolvedPlan
    rows: dict[str, int]
    existing: Manifest | None = None  # this seed's run in the database asked about, if there is one

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def seed(
    db: Where,
    *,
    recipe: str | None = None,
    plan: Where | None = None,
    ddl: Where | None = None,
    dialect: str | None = None,
    seed: int | str | None = None,
    scale: float | None = None,
    profile: str | None = None,
    rows: int | None = None,
    chunk_size: int = CHUNK,
    locale: str | None = None,
    create_schema: bool | None = None,
    manifest_dir: Where | None = "seedbed-runs",
    full: bool = False,
    progress: Progress | None = None,
    wait: float | None = None,
    max_rows: int | None = None,
    tables: Sequence[str] | None = None,
    clean: bool = False,
    new_tenant: bool = False,
    upsert: bool = False,
    overrides: Sequence[str] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    part_rows: int | None = None,
    connections: int | None = None,
) -> Manifest:
    """Seed the database at ``db``; rerunning the same seed adds only missing rows.

    ``tables``: only these (and the tables they refer to, present or seeded); ``clean``:
    first remove this seed's rows of them (all, without ``tables``) and of the tables
    referring to them. ``new_tenant``: refuse when the plan's tenant is in the database.
    ``upsert``: rows already there (found by key) take the plan's values; each table's record
    says how many it changed (``updated``) besides those it added (``inserted``).
    ``overrides``: plan values as ``NAME=VALUE`` (``orders.rows=5000``, ``scale=2``), recorded.

    ``create_schema``: create missing tables from the DDL (a recipe does by default).
    ``full``: on a rerun of a completed seed, check every row, not a sample of keys.
    ``wait``: seconds to wait for another seed or purge of the database to end (None: fail at once).
    ``max_rows``: the most rows the run may make (default: the plan's limit, else 50 million).
    ``engine="dask"``: a Dask cluster's workers load the rows, ``part_rows`` per task (the
    ``scheduler`` at that address, else a local cluster of ``workers`` processes).
    ``connections``: sessions one table's rows load through at once on MySQL/MariaDB.
    Returns the run's manifest (also written to ``manifest_dir`` and the database).
    """
    url = database_url(db)
    from seedbed.run import engines

    engines.check(engine, url)
    opts = options_from(
        seed, scale, profile, rows, chunk_size, locale, create_schema=create_schema,
        manifest_dir=Path(manifest_dir) if manifest_dir is not None else None, full=full, max_rows=max_rows,
        tables=tuple(tables) if tables else None, upsert=upsert, overrides=tuple(overrides) if overrides else None,
        workers=workers, connections=connections,
    )  # fmt: skip
    if opts.manifest_dir is not None:
        from seedbed.sinks.manifest import check_writable

        check_writable(opts.manifest_dir)
    from seedbed.run.shortcuts import prevalidate, quick_rerun

    quick = (
        None
        if full or clean or new_tenant or upsert
        else quick_rerun(url, recipe, _path(plan), _path(ddl), dialect, opts)
    )
    if quick is not None:
        if opts.manifest_dir is not None:
            quick.write(opts.manifest_dir)
        return quick
    from seedbed.run.seed import seed as run_seed

    src = _source(recipe, plan, ddl, dialect)
    prevalidate(src, opts, url)
    with opened(url, lock="seed", wait=wait, connections=opts.connections) as sink:
        if new_tenant:
            from seedbed.run.tenant import refuse_existing

            refuse_existing(sink, src)
        if clean:
            from seedbed.run.purge import clean as clean_run

            clean_run(sink, src, opts)
        with engines.remote(engine, url, scheduler, workers, part_rows) as remote:
            return run_seed(sink, src, opts, progress, remote)


def plan(
    db: Where | None = None,
    *,
    recipe: str | None = None,
    plan: Where | None = None,
    ddl: Where | None = None,
    dialect: str | None = None,
    seed: int | str | None = None,
    scale: float | None = None,
    profile: str | None = None,
    rows: int | None = None,
    chunk_size: int = CHUNK,
    locale: str | None = None,
    max_rows: int | None = None,
    look: bool = False,
    tables: Sequence[str] | None = None,
    overrides: Sequence[str] | None = None,
) -> Planned:
    """What a seed would write, without writing anything: the plan and its row counts.

    The schema comes from the recipe or DDL, else it is read from ``db``. ``look``: also
    find this seed's run in ``db`` (``seedbed seed --dry-run``), read-only; a database
    that does not exist yet holds none.
    """
    from seedbed.run.prepare import plan_for

    src = _source(recipe, plan, ddl, dialect)
    opts = options_from(
        seed, scale, profile, rows, chunk_size, locale, max_rows=max_rows, tables=tuple(tables) if tables else None,
        overrides=tuple(overrides) if overrides else None,
    )  # fmt: skip
    if src.schema is None:
        if db is None:
            raise PlanError("nothing to plan", hint="give --recipe, --ddl FILE --dialect D, or --db URL")
        with opened(database_url(db), existing=True) as sink:
            src = src.with_schema(sink.reflect())
    resolved, ctx = plan_for(src, opts)
    existing = None
    if look and db is not None and not not_created(database_url(db)):
        with opened(database_url(db), existing=True) as sink:
            existing = sink.manifests.find(resolved.name, resolved.seed)
    return Planned(resolved, {name: ctx.rows(name) for name in resolved.written}, existing)


def init(
    db: Where | None = None,
    *,
    ddl: Where | None = None,
    dialect: str | None = None,
    rows: int | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """The plan seedbed infers, as plan-file data (``plan.init.to_yaml`` writes it out)."""
    from seedbed.planning.init import inferred_plan
    from seedbed.planning.model import PlanFile

    if rows is not None and rows < 0:
        raise PlanError(f"--rows must be 0 or more, got {rows}")
    src = _source(None, None, ddl, dialect)
    schema = src.schema
    if schema is None:
        if db is None:
            raise PlanError("nothing to describe", hint="give --db URL, or --ddl FILE --dialect D")
        with opened(database_url(db), existing=True) as sink:
            schema = sink.reflect()
    base = PlanFile(locale=locale) if locale else PlanFile()
    return inferred_plan(
        schema, name=src.name if ddl else "database", default_rows=rows or 100, uniform=rows is not None, base=base
    )


def verify(
    db: Where,
    *,
    recipe: str | None = None,
    plan: Where | None = None,
    ddl: Where | None = None,
    dialect: str | None = None,
    seed: int | str | None = None,
    rows: int | None = None,
    chunk_size: int = CHUNK,
    locale: str | None = None,
) -> Report:
    """Check a seeded run: its row counts, no orphans, uniqueness, the recipe's own checks.

    ``report.ok`` says whether all passed; ``report.failures`` lists the others.
    """
    from seedbed.run.verify import verify as run_verify

    src = _source(recipe, plan, ddl, dialect)
    opts = options_from(seed, None, None, rows, chunk_size, locale)
    with opened(database_url(db), existing=True) as sink:
        return run_verify(sink, src, opts)


def purge(
    db: Where,
    *,
    recipe: str | None = None,
    plan: Where | None = None,
    ddl: Where | None = None,
    dialect: str | None = None,
    seed: int | str | None = None,
    rows: int | None = None,
    chunk_size: int = CHUNK,
    locale: str | None = None,
    force: bool = False,
    wait: float | None = None,
    progress: Callable[[str, int, int, int, float], None] | None = None,
    tenant: str | None = None,
) -> dict[str, int]:
    """Remove exactly the rows one seed created, children before parents; rows deleted per table.

    A plan naming a tenant (``tenant: {table: organisations, column: slug}``) purges that
    tenant instead - its row and every row whose keys lead to it, whatever seed made them;
    ``tenant``: another tenant's name.
    ``force``: purge even if the plan changed since the run (its keys may differ).
    ``wait``: seconds to wait for another seed or purge of the database to end (None: fail at once).
    """
    from seedbed.run.purge import purge as run_purge
    from seedbed.run.tenant import purge_source_tenant

    src = _source(recipe, plan, ddl, dialect)
    opts = options_from(seed, None, None, rows, chunk_size, locale)
    with opened(database_url(db), lock="purge", wait=wait, existing=True) as sink:
        if src.plan.tenant is not None or tenant is not None:
            return purge_source_tenant(sink, src, tenant, progress)
        return run_purge(sink, src, opts, force=force, progress=progress)


def export(
    out: Where,
    *,
    format: str = "parquet",  # noqa: A002 - the command line's name for it
    recipe: str | None = None,
    plan: Where | None = None,
    ddl: Where | None = None,
    dialect: str | None = None,
    seed: int | str | None = None,
    scale: float | None = None,
    profile: str | None = None,
    rows: int | None = None,
    chunk_size: int = CHUNK,
    locale: str | None = None,
    target: str | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    part_rows: int | None = None,
) -> dict[str, Path] | dict[str, list[str]]:
    """Write the plan's rows (the same rows ``seed`` would write) as one file per table in ``out``;
    ``format="sql"``: INSERT statements for the ``target`` database (default: the DDL's dialect).
    ``part_rows`` (or ``engine="dask"``): one file per range of rows instead, ``out`` a path
    or any fsspec URL, the same files from either engine; the files per table."""
    if format not in FORMATS:
        raise PlanError(f"unknown format {format!r}", hint=f"formats: {', '.join(FORMATS)}")
    from seedbed import dialects
    from seedbed.run.export import export as run_export

    if target is not None and target not in dialects.names():
        raise PlanError(f"unknown --target {target!r}", hint=f"targets: {', '.join(dialects.names())}")
    src = _source(recipe, plan, ddl, dialect)
    opts = options_from(seed, scale, profile, rows, chunk_size, locale)
    if engine != "local" or part_rows is not None:
        from seedbed.run.export import export_parts

        return export_parts(src, opts, os.fspath(out), format, engine, scheduler, workers, part_rows)
    return run_export(src, opts, Path(out), format, target)


# -- shared ------------------------------------------------------------------------------


def database_url(db: Where) -> str:
    """A URL as it is; a path (``demo.db``) as the SQLite file there."""
    text = os.fspath(db)
    return text if "://" in text or text.startswith("sqlite:") else f"sqlite:///{text}"


def _path(where: Where | None) -> Path | None:
    return Path(where) if where is not None else None


def _source(recipe: str | None, plan: Where | None, ddl: Where | None, dialect: str | None) -> Source:
    from seedbed import dialects
    from seedbed.run.source import source_from

    if dialect is not None and dialect not in dialects.names():
        raise PlanError(f"unknown dialect {dialect!r}", hint=f"dialects: {', '.join(dialects.names())}")
    if dialect and not ddl:
        raise PlanError("--dialect describes a --ddl file", hint="add --ddl FILE or drop --dialect")
    return source_from(recipe=recipe, plan=_path(plan), ddl=_path(ddl), dialect=dialect)


def mask(
    db: Where,
    *,
    recipe: str | None = None,
    plan: Where | None = None,
    tables: Sequence[str] | None = None,
    key: str | None = None,
    dry_run: bool = False,
    wait: float | None = None,
    progress: MaskProgress | None = None,
) -> list[Masked]:
    """Replace the personal data in ``db`` (emails, phones, names, addresses, and the columns
    the plan's ``mask:`` names) with realistic fakes; the per-column report.

    The same original gets the same fake in every table (foreign keys still match),
    uniqueness, NULLs and length limits hold, and each table changes in one transaction.
    ``key``: the secret the fakes are derived from (default: ``SEEDBED_MASK_KEY``; without
    one, anyone holding an original can recompute its fake). ``dry_run``: count, change nothing.
    """
    from seedbed.masking import apply, detect

    src = _source(recipe, plan, None, None)
    secret = key if key is not None else os.environ.get(MASK_KEY_VAR, "seedbed")
    with opened(database_url(db), lock=None if dry_run else "mask", wait=wait, existing=True) as sink:
        schema = sink.reflect()
        only = frozenset(schema.table(t).qualified for t in tables) if tables else None
        targets, groups = detect.find(schema, src.plan.mask, only)
        return apply.mask(
            sink, targets, groups, key=hashlib.blake2b(secret.encode(), digest_size=32).digest(),
            locale=src.plan.locale, dry_run=dry_run, progress=progress,
        )  # fmt: skip


def backup(db: Where, *, folder: Where = "seedbed-backups") -> tuple[Path, str]:
    """A copy of the whole database at ``db`` in ``folder`` (pg_dump, mysqldump, SQLite's
    backup API): the file, and the command that restores it."""
    from seedbed.sinks.backup import backup as take

    return take(database_url(db), Path(folder))


def mark(db: Where, *, environment: str | None = None) -> str | None:
    """The environment ``db`` is marked as (``production``, ...; None: unmarked), as the
    database itself says; ``environment``: mark it so first (``""`` removes the mark)."""
    url = database_url(db)
    if environment is None and not_created(url):
        return None
    with opened(url, existing=environment is None) as sink:
        if environment is not None:
            sink.manifests.set_environment(environment or None)
        return sink.manifests.environment()
