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
    from seedbed.run.purge import purge as run_purge
    from seedbed.sinks import open_sink

    src = c.source(recipe, plan_file, ddl, dialect)
    opts = c.options(seed, None, None, rows, chunk_size, locale)
    sink = open_sink(db)
    try:
        deleted = run_purge(sink, src, opts, force=force)
    finally:
        sink.close()
    out = c.console()
    for name, n in deleted.items():
        out.print(f"{name}: {n:,} rows deleted")
    out.print(f"purged [bold]{sum(deleted.values()):,}[/] rows")


def register(app: typer.Typer) -> None:
    app.command("purge")(c.handles_errors(purge))
