"""``seedbed export``: a plan's data as Parquet or CSV files, no database needed."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli import common as c


def export(
    out: Annotated[
        str, typer.Option("--out", "-o", help="Folder to write into (with --part-rows or --engine dask: any URL).")
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet, csv, or sql (INSERT statements).")] = "parquet",
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
    target: Annotated[
        str | None, typer.Option("--target", help="The database the sql format is for: postgres, mysql, sqlite.")
    ] = None,
    engine: c.Engine = "local",
    scheduler: c.Scheduler = None,
    workers: c.Workers = None,
    part_rows: c.PartRows = None,
) -> None:
    """Write the plan's rows to files (the same rows `seed` would write)."""
    from seedbed import api

    paths = api.export(
        out, format=fmt, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, scale=scale,
        profile=profile, rows=rows, chunk_size=chunk_size, locale=locale, target=target, engine=engine,
        scheduler=scheduler, workers=workers, part_rows=part_rows,
    )  # fmt: skip
    console = c.console()
    for name, p in paths.items():
        where = f"{len(p)} files under {p[0].rsplit('/', 1)[0]}" if isinstance(p, list) and p else p
        console.print(f"{name}: {where}")
    console.print(f"exported {len(paths)} tables to {out}")


def register(app: typer.Typer) -> None:
    app.command("export")(c.handles_errors(export))
