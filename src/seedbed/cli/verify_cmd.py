"""``seedbed verify``: counts, referential integrity, uniqueness and the recipe's checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    report_file: Annotated[
        Path | None,
        typer.Option("--report", help="Also write a Markdown completion report (counts, invariants, time)."),
    ] = None,
) -> None:
    """Check a seeded run; exits 1 when any check fails."""
    import time

    db = c.database(db, db_env)
    from seedbed import api
    from seedbed.errors import VerificationFailed

    t0 = time.perf_counter()
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
    if report_file is not None:
        from seedbed.dialects.urls import redact
        from seedbed.errors import PlanError
        from seedbed.verification.report import markdown

        title = recipe or (str(plan_file) if plan_file else (str(ddl) if ddl else "database"))
        try:
            report_file.write_text(markdown(report, title, redact(db), time.perf_counter() - t0), encoding="utf-8")
        except OSError as err:
            raise PlanError(f"cannot write the report: {err.strerror}", where=str(report_file)) from None
        out.print(f"report: {escape(str(report_file))}")
    if n_fail:
        raise VerificationFailed(f"{n_fail} check(s) failed", hint="see the FAIL lines above")


def register(app: typer.Typer) -> None:
    app.command("verify")(c.handles_errors(verify))
