"""``seedbed mark``: say which environment a database is, in the database itself."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli import common as c


def mark(
    environment: Annotated[str | None, typer.Argument(help="The environment, e.g. production.")] = None,
    db: c.Db = None,
    db_env: c.DbEnv = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the mark.")] = False,
) -> None:
    """Mark a database as an environment (production: seed and purge then ask first); without
    one, show its mark."""
    db = c.database(db, db_env)
    from seedbed import api
    from seedbed.errors import PlanError

    if clear and environment:
        raise PlanError("give an environment or --clear, not both")
    found = api.mark(db, environment="" if clear else environment)
    c.console().print(f"marked as {found}" if found else "not marked")


def register(app: typer.Typer) -> None:
    app.command("mark")(c.handles_errors(mark))
