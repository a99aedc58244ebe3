"""What a run is asked to do: kept apart from the engine so the CLI can read it cheaply."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from seedbed.errors import PlanError


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
    workers: int | None = None  # processes generating rows while the loader writes (None: the cores)
    # sessions one table's rows load through at once where the database gains from it
    # (MySQL/MariaDB); None: the cores, at most 4
    connections: int | None = None
    # a later increment of a run: its number (2, 3, ...) and the tables that grow, the only
    # ones it writes (run/grow.py)
    increment: int = 0
    grow: tuple[str, ...] | None = None
    # the increments before it, each (scale, increment, grow): a table laid out per a parent
    # that does not grow numbers its new rows after theirs
    earlier: tuple[tuple[float, int, tuple[str, ...] | None], ...] | None = None


# Besides seed and scale (recorded on their own), what decides which rows a run has:
# their count where the plan gives none, the vocabulary natural keys are drawn from, and
# the tables it was asked for.
DECIDING = ("rows", "locale", "tables", "anchor", "overrides", "increment", "grow", "earlier")
_OPTIONAL = ("anchor", "overrides", "increment", "grow", "earlier")  # recorded when given: older runs record as before


def run_options(opts: SeedOptions) -> dict[str, Any]:
    """What a run's manifest records of its options."""
    out = {name: getattr(opts, name) for name in DECIDING}
    out["tables"] = sorted(out["tables"]) if out["tables"] else None
    for optional in _OPTIONAL:
        if out[optional] is None or out[optional] == 0:
            del out[optional]
        elif optional in ("overrides", "grow"):
            out[optional] = list(out[optional])
        elif optional == "earlier":
            out[optional] = [[scale, k, list(grow) if grow else None] for scale, k, grow in out[optional]]
    return out


def as_recorded(opts: SeedOptions, seed: int | str, scale: float, recorded: dict[str, Any] | None) -> SeedOptions:
    """``opts`` for a later command on a recorded run: its seed, scale and deciding options
    as the run had them (a run recorded without them keeps the ones given now)."""
    out = replace(opts, seed=seed, scale=scale, profile=None)
    if recorded is None:
        return out
    kept = {k: recorded[k] for k in DECIDING if k in recorded}
    for name in ("tables", "overrides", "grow"):
        if kept.get(name) is not None:
            kept[name] = tuple(kept[name])
    if kept.get("earlier") is not None:
        kept["earlier"] = tuple((float(s), int(k), tuple(g) if g else None) for s, k, g in kept["earlier"])
    return replace(out, **kept)


def parse_seed(value: str | int | None) -> int | str | None:
    """A seed as given on a command line: digits are a number, anything else a string."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value.lstrip("-").isdigit() else value


def options_from(
    seed: int | str | None,
    scale: float | None,
    profile: str | None,
    rows: int | None,
    chunk_size: int,
    locale: str | None,
    **extra: Any,
) -> SeedOptions:
    """Options as the api and the command line take them, checked (errors name the option)."""
    if scale is not None and scale <= 0:
        raise PlanError(f"--scale must be greater than 0, got {scale}", hint="try --scale 0.1")
    if chunk_size <= 0:
        raise PlanError(f"--chunk-size must be at least 1, got {chunk_size}")
    if rows is not None and rows < 0:
        raise PlanError(f"--rows must be 0 or more, got {rows}")
    if extra.get("workers") is not None and extra["workers"] < 1:
        raise PlanError(f"--workers must be at least 1, got {extra['workers']}")
    if extra.get("connections") is not None and extra["connections"] < 1:
        raise PlanError(f"--connections must be at least 1, got {extra['connections']}")
    if extra.get("max_rows") is not None and extra["max_rows"] < 0:
        raise PlanError(f"--max-rows must be 0 or more, got {extra['max_rows']}")
    return SeedOptions(
        seed=parse_seed(seed), scale=scale, profile=profile, rows=rows, chunk_size=chunk_size, locale=locale, **extra
    )
