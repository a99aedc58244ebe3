"""Options shared by commands, and turning them into library calls.

Nothing heavy (numpy, pyarrow, drivers) is imported at module level, so
``seedbed --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Recipe = Annotated[str | None, typer.Option("--recipe", "-r", help="A bundled recipe, e.g. scale-seed.")]
PlanPath = Annotated[Path | None, typer.Option("--plan", "-p", help="A plan file (YAML or JSON).")]
Ddl = Annotated[Path | None, typer.Option("--ddl", help="A DDL file to read the schema from.")]
Dialect = Annotated[str | None, typer.Option("--dialect", help="Dialect of --ddl: postgres, mysql, sqlite.")]
Db = Annotated[str | None, typer.Option("--db", help="Database URL: postgresql://…, sqlite:///file.db, mysql://…")]
DbRequired = Annotated[str, typer.Option("--db", help="Database URL: postgresql://…, sqlite:///file.db, mysql://…")]
Seed = Annotated[str | None, typer.Option("--seed", help="Seed of the run (default: the plan's).")]
Scale = Annotated[float | None, typer.Option("--scale", help="Multiplies every row count (> 0).")]
Profile = Annotated[str | None, typer.Option("--profile", help="A named scale from the plan (small, medium, large).")]
Rows = Annotated[int | None, typer.Option("--rows", help="Rows per table when the plan gives none.")]
Chunk = Annotated[int, typer.Option("--chunk-size", help="Rows generated and written per batch.")]
Locale = Annotated[str | None, typer.Option("--locale", help="Vocabulary locale, e.g. en_US, de_DE.")]

DIALECTS = ("postgres", "mysql", "sqlite")
CHUNK = 20_000  # rows per batch: memory grows with it, speed hardly does past ~10k (see bench/)


def parse_seed(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.lstrip("-").isdigit() else value


def options(seed, scale, profile, rows, chunk_size, locale, **extra):
    from seedbed.errors import PlanError
    from seedbed.run.options import SeedOptions

    if scale is not None and scale <= 0:
        raise PlanError(f"--scale must be greater than 0, got {scale}", hint="try --scale 0.1")
    if chunk_size <= 0:
        raise PlanError(f"--chunk-size must be at least 1, got {chunk_size}")
    if rows is not None and rows < 0:
        raise PlanError(f"--rows must be 0 or more, got {rows}")
    return SeedOptions(
        seed=parse_seed(seed), scale=scale, profile=profile, rows=rows, chunk_size=chunk_size, locale=locale, **extra
    )


def source(recipe, plan, ddl, dialect):
    from seedbed.errors import PlanError
    from seedbed.run.source import source_from

    if dialect is not None and dialect not in DIALECTS:
        raise PlanError(f"unknown dialect {dialect!r}", hint=f"dialects: {', '.join(DIALECTS)}")
    if dialect and not ddl:
        raise PlanError("--dialect describes a --ddl file", hint="add --ddl FILE or drop --dialect")
    return source_from(recipe=recipe, plan=plan, ddl=ddl, dialect=dialect)


def valid_source(recipe, plan, ddl) -> bool:
    """The options name one source (which ``source`` checks fully, with messages)."""
    return bool(recipe) != bool(plan or ddl)


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def handles_errors(fn):
    """Turn seedbed's own errors into a message on stderr and the error's exit code."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from seedbed.errors import SeedbedError

        try:
            return fn(*args, **kwargs)
        except SeedbedError as err:
            from rich.markup import escape

            out = console(stderr=True)
            where = f"{err.where}: " if err.where else ""
            out.print(f"[bold red]error:[/] {escape(where + err.message)}")
            if err.hint:
                out.print(f"  [yellow]hint:[/] {escape(err.hint)}")
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None

    return wrapper


def prevalidate(src, opts, db: str | None = None) -> None:
    """Resolve and probe the plan before connecting, so bad input never creates a SQLite file.

    Server databases are checked by the library itself before any write (and a source
    without a schema is reflected from the database, so it is checked after connecting).
    """
    if db is not None and not db.lower().startswith("sqlite"):
        return
    # MySQL DDL is reread in the server's flavour once connected (MariaDB differs), and
    # validated then, still before anything is written
    if src.schema is not None and src.ddl_dialect != "mysql":
        from seedbed.run.seed import plan_for

        plan_for(src, opts)
