"""What a run is asked to do: kept apart from the engine so the CLI can read it cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
