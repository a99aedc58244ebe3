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
DB_ENV = "SEEDBED_DB_URL"
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"Database URL: postgresql://…, sqlite:///file.db, mysql://… (default: ${DB_ENV}).",
        show_default=False,
    ),
]
DbEnv = Annotated[
    str | None,
    typer.Option("--db-env", help="Read the database URL from this environment variable (keeps a password off argv)."),
]
Seed = Annotated[str | None, typer.Option("--seed", help="Seed of the run (default: the plan's).")]
Scale = Annotated[float | None, typer.Option("--scale", help="Multiplies every row count (> 0).")]
Profile = Annotated[
    str | None,
    typer.Option("--profile", "--size", help="A named size from the plan's profiles (small, medium, large)."),
]
Rows = Annotated[int | None, typer.Option("--rows", help="Rows per table when the plan gives none.")]
Chunk = Annotated[int, typer.Option("--chunk-size", help="Rows generated and written per batch.")]
Locale = Annotated[str | None, typer.Option("--locale", help="Vocabulary locale, e.g. en_US, de_DE.")]
Engine = Annotated[
    str, typer.Option("--engine", help="local, or dask: a Dask cluster's workers do the (table, row range) tasks.")
]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="Address of a Dask scheduler (default: a local cluster).")
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", help="Worker processes (default: the cores; a local seed leaves one to its loader)."),
]
PartRows = Annotated[int | None, typer.Option("--part-rows", help="Rows per task and per file (default: 1,000,000).")]
MaxRows = Annotated[
    int | None,
    typer.Option(
        "--max-rows",
        "--max-total-rows",
        help="The most rows a run may make (default: the plan's limit, else 50,000,000).",
    ),
]
Env = Annotated[
    str | None,
    typer.Option("--env", help="The target's environment; production asks for confirmation (or SEEDBED_ENV)."),
]
Force = Annotated[
    bool, typer.Option("--force", help="Skip the confirmation a production database asks for (a countdown remains).")
]
ENV_VAR = "SEEDBED_ENV"
COUNTDOWN = 5  # seconds a production run waits after its warning (SEEDBED_COUNTDOWN), Ctrl-C to stop
LogFormat = Annotated[str, typer.Option("--log-format", help="human, or json: one JSON object per event on stderr.")]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a plan value, repeatable: --set orders.rows=5000, --set scale=2."),
]
Wait = Annotated[
    float | None,
    typer.Option("--wait", help="Seconds to wait for another seed or purge of the database to end (default: none)."),
]

__all__ = ["CHUNK", "console", "database", "handles_errors", "maybe_database"]


def database(db: str | None, db_env: str | None) -> str:
    """The database URL: --db, else the variable --db-env names, else $SEEDBED_DB_URL."""
    from seedbed.errors import PlanError

    found = maybe_database(db, db_env)
    if found is None:
        raise PlanError("no database given", hint=f"give --db URL, --db-env NAME, or set {DB_ENV}")
    return found


def maybe_database(db: str | None, db_env: str | None) -> str | None:
    """As ``database``, for a command that can do without one (None)."""
    import os

    from seedbed.errors import PlanError

    if db is not None and db_env is not None:
        raise PlanError("give --db or --db-env, not both")
    if db_env is not None:
        value = os.environ.get(db_env)
        if not value:
            raise PlanError(f"the environment variable {db_env} (--db-env) is not set", hint=f"export {db_env}=URL")
        return value
    return db if db is not None else (os.environ.get(DB_ENV) or None)


def confirm_target(db: str, env: str | None, force: bool, command: str) -> bool:
    """On a production target - the user says so (``--env``, ``SEEDBED_ENV``) or the database
    carries the mark (``seedbed mark``) - a writing command shows a warning, asks for the
    word ``production`` at a terminal unless ``--force`` confirms it already (with no terminal
    it refuses), then counts down. Anything else goes ahead silently."""
    import os
    import sys
    import time

    from seedbed import api
    from seedbed.dialects.urls import redact
    from seedbed.errors import PlanError

    said = env or os.environ.get(ENV_VAR)
    name = said or api.mark(db)
    if (name or "").strip().lower() != "production":
        return False
    why = "--env" if env else (ENV_VAR if said else "the database's own mark")
    if not force and not sys.stdin.isatty():
        raise PlanError(
            f"refusing to {command} a production database ({why}) without confirmation",
            where=redact(db),
            hint="pass --force to confirm (there is no terminal to ask)",
        )
    err = console(stderr=True)
    err.print(f"[bold yellow]warning:[/] {redact(db)} is a production database ({why}): {command} writes to it")
    if not force and typer.prompt("type production to go on").strip() != "production":
        raise PlanError("not confirmed: nothing was written", where=redact(db), hint="type production, or pass --force")
    for left in range(int(os.environ.get("SEEDBED_COUNTDOWN", COUNTDOWN)), 0, -1):
        err.print(f"{command} starts in {left} s (Ctrl-C stops it)")
        time.sleep(1)
    return True


F = TypeVar("F", bound=Callable[..., Any])


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


class Stopped(KeyboardInterrupt):
    """SIGTERM, raised where the run is like Ctrl-C: the open transaction rolls back (a
    driver waiting on the server cancels its statement) and the run is recorded as stopped."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: Any) -> None:
    raise Stopped(signum)


def handles_errors(fn: F) -> F:
    """Turn seedbed's own errors into a message on stderr and the error's exit code;
    SIGINT and SIGTERM stop the command cleanly with 130 and 143."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import signal
        import threading

        from seedbed.errors import SeedbedError

        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _stop) if main else None
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt as err:
            signum = err.signum if isinstance(err, Stopped) else signal.SIGINT
            name = signal.Signals(signum).name
            console(stderr=True).print(
                f"[bold red]stopped[/] by {name}: the transaction in progress was rolled back, nothing is half-done"
                "\n  [yellow]hint:[/] run the same command again to go on where it stopped"
            )
            raise typer.Exit(128 + signum) from None
        except SeedbedError as err:
            from rich.markup import escape

            from seedbed.cli.logs import JsonLog

            if JsonLog.active is not None:
                JsonLog.active.emit("error", message=err.message, where=err.where, hint=err.hint, exit=err.exit_code)
                raise typer.Exit(err.exit_code) from None
            out = console(stderr=True)
            where = f"{err.where}: " if err.where else ""
            out.print(f"[bold red]error:[/] {escape(where + err.message)}")
            if err.hint:
                out.print(f"  [yellow]hint:[/] {escape(err.hint)}")
            raise typer.Exit(err.exit_code) from None
        except typer.Exit:
            raise
        except Exception as err:  # noqa: BLE001 - never a traceback (SEEDBED_DEBUG=1 shows it)
            import os

            if os.environ.get("SEEDBED_DEBUG"):
                raise
            from rich.markup import escape

            from seedbed.dialects.urls import no_secrets

            out = console(stderr=True)
            first = (str(err).strip().splitlines() or [""])[0]
            out.print(f"[bold red]error:[/] {escape(type(err).__name__)}: {escape(no_secrets(first))}")
            out.print(
                "  [yellow]hint:[/] nothing is half-done (each table commits whole); if the database is fine, "
                "this is a bug: run again with SEEDBED_DEBUG=1 and report the traceback"
            )
            raise typer.Exit(1) from None
        finally:
            from seedbed.cli.logs import JsonLog

            JsonLog.active = None
            if previous is not None:  # a caller in the same process (tests) gets its own back
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]
