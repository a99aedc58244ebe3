"""``seedbed verify``: counts, referential integrity, uniqueness and the recipe's checks."""

from __future__ import annotations

import typer

from seedbed.cli import common as c


def verify(
    db: c.Db = None,
    db_env: c.DbEnv = None,
    recipe: c.Recipe = None,
    plan_file: c.PlanPath = None,
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    seed: c.Seed = None,
    rows: c.Rows = None,
    chunk_size: c.Chunk = c.CHUNK,
    locale: c.Locale = None,
) -> None:
    """Check a seeded run; exits 1 when any check fails."""
    db = c.database(db, db_env)
    from seedbed import api
    from seedbed.errors import VerificationFailed

    report = api.verify(
        db, recipe=recipe, plan=plan_file, ddl=ddl, dialect=dialect, seed=seed, rows=rows, chunk_size=chunk_size,
        locale=locale,
    )  # fmt: skip
    from rich.markup import escape  # names may hold [brackets]

    out = c.console()
    for r in report.results:
        mark = "[green]ok[/]  " if r.ok else "[red]FAIL[/]"
        detail = "" if r.ok else f"  (expected {r.expected}, got {r.actual})"
        out.print(f"{mark} {escape(r.name + detail)}")
    n_fail = len(report.failures)
    out.print(f"{len(report.results) - n_fail} passed, {n_fail} failed")
    if n_fail:
        raise VerificationFailed(f"{n_fail} check(s) failed", hint="see the FAIL lines above")


def register(app: typer.Typer) -> None:
    app.command("verify")(c.handles_errors(verify))
