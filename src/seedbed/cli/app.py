"""``seedbed`` - the command-line entry point."""

from __future__ import annotations

import gc
import os
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
    """The ``seedbed`` program (the process's entry point: it ends when this returns)."""
    # A command spends its first half second importing and reading its input: hundreds of
    # thousands of objects that live until it ends. At the default thresholds the collector
    # scanned them again and again as they came, and once more at exit: a quarter of a
    # second of a one-second seed. It runs less often here (a batch's garbage still goes
    # at the next young collection), and the exit skips the last scan.
    gc.set_threshold(100_000, 50, 100)
    # Arrow's default allocator (mimalloc) kept pages of batches long gone: a seed of S1 at
    # scale 10 peaked at 337 MB with it and at 296 MB with the C library's, in the same
    # time. Set before pyarrow is imported; the worker processes a run starts inherit it.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
