"""``seedbed export``: a plan's data as Parquet or CSV files, no database needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seedbed.cli import common as c


def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write one file per table into.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="parquet or csv.")] = "parquet",
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
) -> None:
    """Write the plan's rows to files (the same rows `seed` would write)."""
    from seedbed.errors import PlanError
    from seedbed.run.export import export as run_export
    from seedbed.sinks.files import FORMATS

    if fmt not in FORMATS:
        raise PlanError(f"unknown format {fmt!r}", hint=f"formats: {', '.join(FORMATS)}")
    src = c.source(recipe, plan_file, ddl, dialect)
    paths = run_export(src, c.options(seed, scale, profile, rows, chunk_size, locale), out, fmt)
    console = c.console()
    for name, p in paths.items():
        console.print(f"{name}: {p}")
    console.print(f"exported {len(paths)} tables to {out}")


def register(app: typer.Typer) -> None:
    app.command("export")(c.handles_errors(export))
