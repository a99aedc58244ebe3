"""``seedbed mask``: replace the personal data of an existing database with fakes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from seedbed.cli import common as c


def mask(
    db: c.Db = None,
    db_env: c.DbEnv = None,
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    tables: Annotated[list[str] | None, typer.Option("--table", help="Mask only this table (repeatable).")] = None,
    key_env: Annotated[
        str | None,
        typer.Option(
            "--key-env",
            help="Environment variable holding the secret the fakes derive from (default: SEEDBED_MASK_KEY).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be masked and change nothing.")] = False,
    force: c.Force = False,
    wait: c.Wait = None,
    env: c.Env = None,
) -> None:
    """Replace names, emails, phones and addresses with realistic fakes: the same value gets
    the same fake in every table, uniqueness and NULLs hold, one transaction per table."""
    import os

    from seedbed import api
    from seedbed.errors import PlanError

    db = c.database(db, db_env)
    out = c.console()
    key = None
    if key_env is not None:
        key = os.environ.get(key_env)
        if not key:
            raise PlanError(f"--key-env {key_env}: that environment variable is not set", hint=f"export {key_env}=...")
    elif not dry_run and not os.environ.get(api.MASK_KEY_VAR):
        c.console(stderr=True).print(
            f"[yellow]warning:[/] no secret key ({api.MASK_KEY_VAR} or --key-env): anyone holding an original "
            "value can recompute its fake"
        )
    if not dry_run:
        c.confirm_target(db, env, force, "mask")

    def progress(names: str, i: int, n: int, columns: list[Any], seconds: float) -> None:
        _print(out, columns, prefix=f"[{i}/{n}] ")

    report = api.mask(
        db, recipe=recipe, plan=plan_file, tables=tables, key=key, dry_run=dry_run, wait=wait,
        progress=None if dry_run else progress,
    )  # fmt: skip
    if dry_run:
        _print(out, report)
        out.print(f"dry run: {len(report)} columns would be masked; nothing changed")
    else:
        rows = sum(m.rows for m in report)
        out.print(f"masked [bold]{rows:,}[/] values in {len(report)} columns of "
                  f"{len({m.table for m in report})} tables")  # fmt: skip


def _print(out: Any, columns: list[Any], prefix: str = "") -> None:
    from rich.markup import escape

    for m in columns:
        where = f"{escape(m.table)}.{escape(m.column)}"
        out.print(f"{prefix}{where} ({m.kind}): {m.rows:,} rows, {m.values:,} distinct values")


def register(app: typer.Typer) -> None:
    app.command("mask")(c.handles_errors(mask))
