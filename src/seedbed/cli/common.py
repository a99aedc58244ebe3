"""Options shared by commands, the console, and turning seedbed's errors into messages.

Nothing heavy (numpy, pyarrow, drivers) is imported at module level, so
``seedbed --help`` stays fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from seedbed.api import CHUNK

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

__all__ = ["CHUNK", "console", "handles_errors"]

F = TypeVar("F", bound=Callable[..., Any])


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def handles_errors(fn: F) -> F:
    """Turn seedbed's own errors into a message on stderr and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
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

    return wrapper  # type: ignore[return-value]
