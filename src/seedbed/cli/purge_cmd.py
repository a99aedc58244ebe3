"""``seedbed purge``: delete exactly one seed's rows."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli import common as c


def purge(
    db: c.Db = None,
    db_env: c.DbEnv = None,
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    seed: c.Seed = None,
    rows: c.Rows = None,
    chunk_size: c.Chunk = c.CHUNK,
    locale: c.Locale = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Skip the confirmation a production database asks for, and purge even if the plan changed.",
        ),
    ] = False,
    wait: c.Wait = None,
    env: c.Env = None,
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="The tenant to remove, when the plan names a tenant table.")
    ] = None,
) -> None:
    """Remove the rows one seed created, children before parents; nothing else."""
    db = c.database(db, db_env)
    from rich.markup import escape  # names may hold [brackets]

    from seedbed import api

    out = c.console()
    c.confirm_target(db, env, force, "purge")

    def progress(name: str, i: int, n: int, rows: int, seconds: float) -> None:
        out.print(f"[{i}/{n}] {escape(name)}: {rows:,} rows deleted in {seconds:.2f}s")

    deleted = api.purge(
        db, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, rows=rows, chunk_size=chunk_size,
        locale=locale, force=force, wait=wait, progress=progress, tenant=tenant,
    )  # fmt: skip
    out.print(f"purged [bold]{sum(deleted.values()):,}[/] rows (committed together)")


def register(app: typer.Typer) -> None:
    app.command("purge")(c.handles_errors(purge))
