"""``seedbed init``: print the inferred plan as an editable plan file."""

from __future__ import annotations

import typer

from seedbed.cli import common as c


def init(
    ddl: c.Ddl = None,
    dialect: c.Dialect = None,
    db: c.Db = None,
    db_env: c.DbEnv = None,
    rows: c.Rows = None,
    locale: c.Locale = None,
) -> None:
    """Write the plan seedbed infers (YAML, to stdout): `seedbed init --db URL > seedbed.yaml`."""
    db = c.maybe_database(db, db_env)
    import sys

    from seedbed import api
    from seedbed.planning.init import to_yaml

    sys.stdout.write(to_yaml(api.init(db, ddl=ddl, dialect=dialect, rows=rows, locale=locale)))


def register(app: typer.Typer) -> None:
    app.command("init")(c.handles_errors(init))
