"""``seedbed purge``: delete exactly one seed's rows."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli import common as c


def purge(
    db: c.DbRequired,
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    seed: c.Seed = None,
    rows: c.Rows = None,
    chunk_size: c.Chunk = c.CHUNK,
    locale: c.Locale = None,
    force: Annotated[bool, typer.Option("--force", help="Purge even if the plan changed since the run.")] = False,
) -> None:
    """Remove the rows one seed created, children before parents; nothing else."""
    from seedbed import api

    deleted = api.purge(
        db, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, rows=rows, chunk_size=chunk_size,
        locale=locale, force=force,
    )  # fmt: skip
    out = c.console()
    for name, n in deleted.items():
        out.print(f"{name}: {n:,} rows deleted")
    out.print(f"purged [bold]{sum(deleted.values()):,}[/] rows")


def register(app: typer.Typer) -> None:
    app.command("purge")(c.handles_errors(purge))
