"""``seedbed plan``: the dry run - table order, rows per table, total. Writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from seedbed.cli import common as c


def plan(
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    db: c.Db = None,
    db_env: c.DbEnv = None,
    seed: c.Seed = None,
    scale: c.Scale = None,
    profile: c.Profile = None,
    rows: c.Rows = None,
    chunk_size: c.Chunk = c.CHUNK,
    locale: c.Locale = None,
    columns: Annotated[bool, typer.Option("--columns", help="Show the generator of every column.")] = False,
    max_rows: c.MaxRows = None,
    sets: c.Sets = None,
    graph: Annotated[
        str | None, typer.Option("--graph", help="Print the tables' dependency tiers instead: mermaid or dot.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the plan as a Markdown report to this file.")
    ] = None,
) -> None:
    """Show what a seed would write, without writing anything."""
    db = c.maybe_database(db, db_env)
    from seedbed import api

    planned = api.plan(
        db, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, scale=scale, profile=profile,
        rows=rows, chunk_size=chunk_size, locale=locale, max_rows=max_rows, overrides=sets,
    )  # fmt: skip
    out = c.console()
    if graph is not None:
        from seedbed.planning.graph import draw

        print(draw(planned.plan, graph), end="")  # as it is: for a file or a pipe, no markup
        return
    show(out, planned, columns)
    out.print(f"total: [bold]{planned.total:,}[/] rows in {len(planned.rows)} tables (dry run: nothing written)")
    show_notes(out, planned)
    if report is not None:
        from seedbed.planning.report import markdown

        command = _command(recipe, plan_file, ddl, dialect, db, seed, scale, profile, rows)
        try:
            report.write_text(markdown(planned.plan, planned.rows, command), encoding="utf-8")
        except OSError as err:
            from seedbed.errors import PlanError

            raise PlanError(f"cannot write the report: {err.strerror}", where=str(report)) from None
        out.print(f"report: {report}")


def _command(*given: Any) -> str:
    """The seed command for the plan as it was given here (the database's password hidden)."""
    import shlex

    from seedbed.dialects.urls import redact

    recipe, plan_file, ddl, dialect, db, seed, scale, profile, rows = given
    words = ["seedbed", "seed"]
    for flag, value in (("--recipe", recipe), ("--plan", plan_file), ("--ddl", ddl), ("--dialect", dialect)):
        if value is not None:
            words += [flag, str(value)]
    words += ["--db", redact(db) if db else "DATABASE_URL"]
    for flag, value in (("--seed", seed), ("--scale", scale), ("--profile", profile), ("--rows", rows)):
        if value is not None:
            words += [flag, str(value)]
    return " ".join(shlex.quote(w) for w in words)


def show(out: Any, planned: Any, columns: bool = False) -> None:
    """The plan's header and its tables in load order, with their rows (and generators)."""
    from rich.markup import escape  # names may hold [brackets]
    from rich.table import Table

    resolved = planned.plan

    out.print(
        f"plan [bold]{escape(resolved.name)}[/]  seed {escape(str(resolved.seed))}  scale {resolved.scale}  "
        f"hash {resolved.plan_hash}"
    )
    t = Table("#", "table", "rows", "layout", box=None)
    for i, (name, n) in enumerate(planned.rows.items(), 1):
        spec = resolved.table(name)
        layout = "flat" if spec.per is None else f"per {spec.per}"
        t.add_row(str(i), escape(name), f"{n:,}", escape(layout))
        if columns:
            for col in spec.written:
                entry = spec.columns[col]
                t.add_row("", escape(f"  {col}"), "", escape(f"{entry.generator} ({entry.origin})"))
    out.print(t)


def show_notes(out: Any, planned: Any) -> None:
    """The cycles the plan cut and its warnings."""
    from rich.markup import escape

    for cut in planned.plan.cuts:
        out.print(f"cycle: {escape(cut.describe())}")
    for w in planned.plan.warnings:
        out.print(f"[yellow]warning:[/] {escape(w)}")


def register(app: typer.Typer) -> None:
    app.command("plan")(c.handles_errors(plan))
