"""``seedbed`` - the command-line entry point."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli import export_cmd, init_cmd, mark_cmd, mask_cmd, plan_cmd, purge_cmd, seed_cmd, verify_cmd

app = typer.Typer(
    name="seedbed",
    help="Fill databases with realistic, interconnected, reproducible data - and take it back out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for module in (plan_cmd, init_cmd, seed_cmd, verify_cmd, purge_cmd, export_cmd, mark_cmd, mask_cmd):
    module.register(app)


def _version(value: bool) -> None:
    if value:
        from seedbed.version import __version__

        typer.echo(f"seedbed {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Fill databases with realistic, interconnected, reproducible data - and take it back out."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
