"""``seedbed plan``: the dry run - table order, rows per table, total. Writes nothing."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli import common as c


def plan(
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    db: c.Db = None,
    seed: c.Seed = None,
    scale: c.Scale = None,
    profile: c.Profile = None,
    rows: c.Rows = None,
    chunk_size: c.Chunk = c.CHUNK,
    locale: c.Locale = None,
    columns: Annotated[bool, typer.Option("--columns", help="Show the generator of every column.")] = False,
) -> None:
    """Show what a seed would write, without writing anything."""
    from rich.table import Table

    from seedbed.run.seed import plan_for

    src = c.source(recipe, plan_file, ddl, dialect)
    opts = c.options(seed, scale, profile, rows, chunk_size, locale)
    if src.schema is None:
        if db is None:
            from seedbed.errors import PlanError

            raise PlanError("nothing to plan", hint="give --recipe, --ddl FILE --dialect D, or --db URL")
        from seedbed.sinks import open_sink

        sink = open_sink(db)
        try:
            src = src.with_schema(sink.reflect())
        finally:
            sink.close()
    resolved, ctx = plan_for(src, opts)
    out = c.console()
    out.print(f"plan [bold]{resolved.name}[/]  seed {resolved.seed}  scale {resolved.scale}  hash {resolved.plan_hash}")
    t = Table("#", "table", "rows", "layout", box=None)
    total = 0
    for i, name in enumerate(resolved.order, 1):
        spec = ctx.spec(name)
        n = ctx.rows(name)
        total += n
        layout = "flat" if spec.per is None else f"per {spec.per}"
        t.add_row(str(i), name, f"{n:,}", layout)
        if columns:
            for col in spec.written:
                gen = spec.columns[col]
                t.add_row(
                    "", f"  {col}", "", f"{getattr(gen, 'spec_key', type(gen).__name__)} ({spec.sources.get(col, '')})"
                )
    out.print(t)
    out.print(f"total: [bold]{total:,}[/] rows in {len(resolved.order)} tables (dry run: nothing written)")
    for cut in resolved.cuts:
        out.print(f"cycle: {cut.describe()}")
    for w in resolved.warnings:
        out.print(f"[yellow]warning:[/] {w}")


def register(app: typer.Typer) -> None:
    app.command("plan")(c.handles_errors(plan))
