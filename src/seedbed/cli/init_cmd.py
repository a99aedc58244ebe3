"""``seedbed init``: print the inferred plan as an editable plan file."""

from __future__ import annotations

import typer

from seedbed.cli import common as c


def init(
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    db: c.Db = None,
    rows: c.Rows = None,
    locale: c.Locale = None,
) -> None:
    """Write the plan seedbed infers (YAML, to stdout): `seedbed init --db URL > seedbed.yaml`."""
    import sys

    from seedbed.errors import PlanError
    from seedbed.plan.init import inferred_plan, to_yaml
    from seedbed.plan.model import PlanFile

    src = c.source(None, None, ddl, dialect)
    schema = src.schema
    if schema is None:
        if db is None:
            raise PlanError("nothing to describe", hint="give --db URL, or --ddl FILE --dialect D")
        from seedbed.sinks import open_sink

        sink = open_sink(db)
        try:
            schema = sink.reflect()
        finally:
            sink.close()
    base = PlanFile(locale=locale) if locale else PlanFile()
    plan = inferred_plan(
        schema, name=src.name if ddl else "database", default_rows=rows or 100, uniform=rows is not None, base=base
    )
    sys.stdout.write(to_yaml(plan))


def register(app: typer.Typer) -> None:
    app.command("init")(c.handles_errors(init))
