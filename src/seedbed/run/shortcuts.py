"""What ``seedbed.api`` does before a run opens its database: answer a completed rerun
from its manifest, and check a plan before connecting would create a database file.

Light on imports: the cheap rerun must not pay for the engine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.errors import PlanError
from seedbed.run.options import SeedOptions

if TYPE_CHECKING:
    from seedbed.run.source import Source
    from seedbed.sinks.manifest import Manifest


def quick_rerun(
    url: str, recipe: str | None, plan: Path | None, ddl: Path | None, dialect: str | None, opts: SeedOptions
) -> Manifest | None:
    """A completed run answered from its manifest, before the engine is even imported."""
    from seedbed import dialects
    from seedbed.run.digest import input_files, run_digest
    from seedbed.sinks.probe import quick_rerun as probe

    if bool(recipe) == bool(plan or ddl):
        return None  # not one source: the full path says why
    try:
        family = dialects.for_url(url).family
    except PlanError:
        return None
    files = input_files(recipe, plan, ddl, dialect)
    return probe(url, run_digest(files, family, opts))


def prevalidate(src: Source, opts: SeedOptions, url: str) -> None:
    """Resolve and probe the plan before connecting where connecting creates the database
    (a SQLite file), so bad input never leaves an empty file behind. Elsewhere the run
    checks everything itself before any write (and a source without a schema is
    reflected from the database, so it is checked after connecting)."""
    from seedbed import dialects

    if src.schema is None or not dialects.for_url(url).caps.creates_on_connect:
        return
    from seedbed.run.prepare import plan_for

    plan_for(src, opts)
