"""What a run is asked to do: kept apart from the engine so the CLI can read it cheaply."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SeedOptions:
    seed: int | str | None = None
    scale: float | None = None
    profile: str | None = None
    rows: int | None = None  # default rows per table when the plan gives none
    chunk_size: int = 20_000
    create_schema: bool | None = None  # None: create a recipe's schema when it is absent
    manifest_dir: Path | None = Path("seedbed-runs")
    locale: str | None = None
    full: bool = False  # rerun of a completed run: re-check every row instead of sampling keys
    max_rows: int | None = None  # the most rows a run may make (None: the plan's limit, else seedbed's)
    tables: tuple[str, ...] | None = None  # only these tables (and the tables they refer to); None: all
    anchor: str | None = None  # the instant a plan's ``anchor: now`` stood for (ISO 8601)
    upsert: bool = False  # rows already there take the plan's values (found by their keys)
    overrides: tuple[str, ...] | None = None  # --set NAME=VALUE, applied to the plan


# Besides seed and scale (recorded on their own), what decides which rows a run has:
# their count where the plan gives none, the vocabulary natural keys are drawn from, and
# the tables it was asked for.
DECIDING = ("rows", "locale", "tables", "anchor", "overrides")


def run_options(opts: SeedOptions) -> dict[str, Any]:
    """What a run's manifest records of its options."""
    out = {name: getattr(opts, name) for name in DECIDING}
    out["tables"] = sorted(out["tables"]) if out["tables"] else None
    for optional in ("anchor", "overrides"):  # recorded when given (a run without them records as before)
        if out[optional] is None:
            del out[optional]
        elif optional == "overrides":
            out[optional] = list(out[optional])
    return out


def as_recorded(opts: SeedOptions, seed: int | str, scale: float, recorded: dict[str, Any] | None) -> SeedOptions:
    """``opts`` for a later command on a recorded run: its seed, scale and deciding options
    as the run had them (a run recorded without them keeps the ones given now)."""
    out = replace(opts, seed=seed, scale=scale, profile=None)
    if recorded is None:
        return out
    kept = {k: recorded[k] for k in DECIDING if k in recorded}
    for name in ("tables", "overrides"):
        if kept.get(name) is not None:
            kept[name] = tuple(kept[name])
    return replace(out, **kept)
