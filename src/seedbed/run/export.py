"""Export a plan's data to files, with no database at all."""

from __future__ import annotations

from pathlib import Path

from seedbed.errors import PlanError
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.source import Source
from seedbed.sinks.files import write_table


def export(source: Source, opts: SeedOptions, out: Path, fmt: str) -> dict[str, Path]:
    """Write every table of the plan to ``out`` as ``fmt`` files; paths per table."""
    if source.schema is None:
        raise PlanError("export needs a schema", hint="give --recipe, or --ddl with --dialect")
    if out.exists() and not out.is_dir():
        raise PlanError(f"{out} is a file, not a folder", where=str(out), hint="give --out a folder (it is created)")
    plan, ctx = plan_for(source, opts)
    paths = {}
    for name in plan.order:
        spec = ctx.spec(name)
        paths[name] = write_table(name, spec.arrow_schema, ctx.batches(name), out, fmt)
    return paths
