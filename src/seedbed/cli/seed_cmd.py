"""``seedbed seed``: generate and load a plan's rows into a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seedbed.cli import common as c


def seed(
    db: c.Db = None,
    db_env: c.DbEnv = None,
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    seed: c.Seed = None,
    scale: c.Scale = None,
    profile: c.Profile = None,
    rows: c.Rows = None,
    chunk_size: c.Chunk = c.CHUNK,
    locale: c.Locale = None,
    create_schema: Annotated[
        bool | None,
        typer.Option(
            "--create-schema/--no-create-schema", help="Create missing tables from the DDL (recipes do by default)."
        ),
    ] = None,
    manifest_dir: Annotated[Path, typer.Option("--manifest-dir", help="Folder for the run's JSON manifest.")] = Path(
        "seedbed-runs"
    ),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the summary line.")] = False,
    full: Annotated[
        bool,
        typer.Option("--full", help="On a rerun of a completed seed, check every row (not just a sample of keys)."),
    ] = False,
    wait: c.Wait = None,
    max_rows: c.MaxRows = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written and write nothing (not even a manifest).")
    ] = False,
    log_format: c.LogFormat = "human",
    env: c.Env = None,
    force: c.Force = False,
    table: Annotated[
        list[str] | None,
        typer.Option("--table", help="Seed only this table (repeatable), with the tables it refers to."),
    ] = None,
    sets: c.Sets = None,
    backup_dir: Annotated[
        Path, typer.Option("--backup-dir", help="Where a production target's backup is written before the run.")
    ] = Path("seedbed-backups"),
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="On a production target, go on without a backup first.")
    ] = False,
    upsert: Annotated[
        bool, typer.Option("--upsert", help="Rows already there take the plan's values (a renamed workspace).")
    ] = False,
    new_tenant: Annotated[
        bool, typer.Option("--new-tenant", help="Refuse when the plan's tenant is in the database already.")
    ] = False,
    clean: Annotated[
        bool,
        typer.Option(
            "--clean", help="First remove this seed's rows of those tables and of the ones referring to them."
        ),
    ] = False,
    engine: c.Engine = "local",
    scheduler: c.Scheduler = None,
    workers: c.Workers = None,
    part_rows: c.PartRows = None,
    connections: Annotated[
        int | None,
        typer.Option(
            "--connections",
            help="Sessions one table's rows load through at once, committed as one (MySQL/MariaDB; default: "
            "the cores, at most 4). PostgreSQL and SQLite load a table through one.",
        ),
    ] = None,
) -> None:
    """Seed a database. Rerunning the same seed adds only missing rows."""
    from seedbed.cli import logs

    log = logs.start("seed", log_format)
    db = c.database(db, db_env)
    from rich.markup import escape

    from seedbed import api

    out = c.console()
    if dry_run:
        planned = api.plan(
            db, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, scale=scale, profile=profile,
            rows=rows, chunk_size=chunk_size, locale=locale, max_rows=max_rows, look=True, tables=table,
            overrides=sets,
        )  # fmt: skip
        _dry_run(out, planned, db)
        return
    production = c.confirm_target(db, env, force, "seed")
    if production and not no_backup:  # a copy first, with the database's own tool
        saved, restore = api.backup(db, folder=backup_dir)
        c.console(stderr=True).print(f"backup: {escape(str(saved))} (restore: {escape(restore)})")

    bar = _Bar(out) if out.is_terminal and not quiet and log is None else None

    def progress(name: str, i: int, n: int, rec: Any) -> None:
        if log is not None:
            _log_table(log, name, i, n, rec)
        elif bar is not None:
            bar.show(name, i, n, rec)
        elif quiet or rec.mode == "starting":
            return
        elif rec.mode == "loading":  # inside a long table
            rate = rec.inserted / rec.seconds if rec.seconds else 0.0
            left = f", about {(rec.planned - rec.inserted) / rate:.0f}s left" if rate else ""
            out.print(f"[{i}/{n}] {escape(name)}: {rec.inserted:,} of {rec.planned:,} rows ({rate:,.0f} rows/s{left})")
        else:
            out.print(f"[{i}/{n}] {escape(name)}: {rec.inserted:,} rows inserted in {rec.seconds:.2f}s")

    if log is not None:
        from seedbed.dialects.urls import redact

        log.emit("run_start", db=redact(db), recipe=recipe, plan=str(plan_file) if plan_file else None,
                 ddl=str(ddl) if ddl else None, seed=seed, scale=scale, size=profile, rows=rows)  # fmt: skip
    try:
        m = api.seed(
            db, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, scale=scale, profile=profile,
            rows=rows, chunk_size=chunk_size, locale=locale, create_schema=create_schema, manifest_dir=manifest_dir,
            full=full, progress=progress, wait=wait, max_rows=max_rows, tables=table, clean=clean,
            new_tenant=new_tenant, upsert=upsert, overrides=sets, engine=engine, scheduler=scheduler, workers=workers,
            part_rows=part_rows, connections=connections,
        )  # fmt: skip
    finally:
        if bar is not None:
            bar.stop()
    if log is not None:
        for w in m.warnings:
            log.emit("warning", message=w)
        for name, why in m.left_out.items():
            log.emit("left_out", table=name, reason=why)
        log.emit("run_end", status=m.status, plan=m.plan, seed=m.seed, scale=m.scale, inserted=m.inserted_total,
                 planned=m.planned_total, seconds=m.seconds)  # fmt: skip
    _summary(out, m, quiet or log is not None)
    if production:  # the one command that takes this run out again, row by row
        from seedbed.dialects.urls import redact

        source = f"--recipe {recipe}" if recipe else (f"--plan {plan_file}" if plan_file else f"--ddl {ddl}")
        c.console(stderr=True).print(
            f"to undo this run: seedbed purge {escape(source)} --db {escape(redact(db))} --seed {escape(str(m.seed))}"
        )
    if m.status == "partial":
        raise typer.Exit(PARTIAL)


PARTIAL = 3  # exit status of a run that seeded every table it could but left some out


class _Bar:
    """At a terminal: a progress bar per table while it loads (rows, rows/s, time left), and
    the table's line once it is in. Elsewhere plain lines are printed instead."""

    def __init__(self, out: Any):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
            console=out, transient=True,
        )  # fmt: skip
        self.task: Any = None
        self.progress.start()

    def show(self, name: str, i: int, n: int, rec: Any) -> None:
        from rich.markup import escape

        if rec.mode == "starting":
            self.task = self.progress.add_task(f"[{i}/{n}] {escape(name)}", total=max(rec.planned, 1), rate="")
        elif rec.mode == "loading" and self.task is not None:
            rate = f"{rec.inserted / rec.seconds:,.0f} rows/s" if rec.seconds else ""
            self.progress.update(self.task, completed=rec.inserted, rate=rate)
        else:
            if self.task is not None:
                self.progress.remove_task(self.task)
                self.task = None
            self.progress.console.print(
                f"[{i}/{n}] {escape(name)}: {rec.inserted:,} rows inserted in {rec.seconds:.2f}s"
            )

    def stop(self) -> None:
        self.progress.stop()


def _log_table(log: Any, name: str, i: int, n: int, rec: Any) -> None:
    if rec.mode == "starting":
        log.emit("table_start", table=name, step=i, of=n, planned=rec.planned)
    elif rec.mode == "loading":
        log.emit("table_progress", table=name, step=i, of=n, planned=rec.planned, rows=rec.inserted,
                 seconds=rec.seconds)  # fmt: skip
    else:
        log.emit("table_end", table=name, step=i, of=n, planned=rec.planned, inserted=rec.inserted,
                 seconds=rec.seconds, path=rec.path, mode=rec.mode)  # fmt: skip


def _dry_run(out: Any, planned: Any, db: str) -> None:
    from rich.markup import escape

    from seedbed.cli.plan_cmd import show, show_notes
    from seedbed.dialects.urls import redact

    show(out, planned)
    run, where = planned.existing, escape(redact(db))
    if run is None:
        out.print(f"a run would write [bold]{planned.total:,}[/] rows in {len(planned.rows)} tables into {where}")
    elif run.status == "completed":
        out.print(f"this seed is already in {where} (completed): a run would add 0 rows")
    else:
        out.print(f"this seed is in {where} ({run.status}): a run would add what is missing of {planned.total:,} rows")
    show_notes(out, planned)
    out.print("dry run: nothing written")


def _summary(out: Any, m: Any, quiet: bool) -> None:
    from rich.markup import escape  # names may hold [brackets]: printed as they are
    from rich.table import Table

    upsert = any(r.updated is not None for r in m.tables.values())
    if not quiet and upsert:  # inserted / updated / unchanged
        t = Table("table", "planned", "inserted", "updated", "unchanged", "seconds", box=None)
        for name, rec in m.tables.items():
            same = rec.planned - rec.inserted - (rec.updated or 0)
            t.add_row(escape(name), f"{rec.planned:,}", f"{rec.inserted:,}", f"{rec.updated or 0:,}", f"{same:,}",
                      f"{rec.seconds:.2f}")  # fmt: skip
        out.print(t)
    elif not quiet:
        t = Table("table", "planned", "inserted", "seconds", box=None)
        for name, rec in m.tables.items():
            t.add_row(escape(name), f"{rec.planned:,}", f"{rec.inserted:,}", f"{rec.seconds:.2f}")
        out.print(t)
    verb = "rerun" if any(r.mode in ("merge", "complete") for r in m.tables.values()) else "seeded"
    earlier = (m.options or {}).get("earlier")
    if earlier:  # an increment: say what the run has grown to
        grown = sum(float(e[0]) for e in earlier) + m.scale
        out.print(f"{escape(m.plan)} adds scale {m.scale} to seed {escape(str(m.seed))}: it now has scale {grown:g}")
    out.print(
        f"{verb} {escape(m.plan)} seed {escape(str(m.seed))} scale {m.scale} into {escape(m.database)}: "
        f"[bold]{m.inserted_total:,}[/] rows added of {m.planned_total:,} planned in {m.seconds:.1f}s"
        + (f", {sum(r.updated or 0 for r in m.tables.values()):,} updated" if upsert else "")
    )
    if m.planned_total == 0:
        out.print("the plan makes no rows: give its tables rows (--rows N, or rows: in a plan file)")
    elif m.inserted_total == 0 and not m.left_out and not upsert:
        out.print("nothing to add: every planned row is already there")
    for w in m.warnings:
        out.print(f"[yellow]warning:[/] {escape(w)}")
    if m.left_out:
        out.print(f"[bold red]{len(m.left_out)} table(s) left out[/] (the others are complete):")
        for table, why in m.left_out.items():
            out.print(f"  {escape(table)}: {escape(why)}")
        out.print("give them what they need in a plan file (seedbed init writes one to start from) and run again")


def register(app: typer.Typer) -> None:
    app.command("seed")(c.handles_errors(seed))
