"""The manifest of a run: what was asked, what landed, how long it took.

Kept twice: as a row of ``seedbed_runs`` in the target database (so rerun, verify
and purge find the run without any local file) and as a JSON file on disk.
Timings are wall-clock measurements of the run, never inputs to generated data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedbed.errors import PlanError

MANIFEST_VERSION = 1
MANIFEST_TABLE = "seedbed_runs"  # the manifests' table in each target database


def run_id(plan_name: str, seed: int | str) -> str:
    """One run per (plan, seed) in a database: seeds are the unit of ownership."""
    return f"{plan_name}:{seed}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class TableRecord:
    planned: int
    inserted: int = 0
    seconds: float = 0.0
    mode: str = ""  # "copy" (fresh), "merge" (rerun: only missing rows), "complete" (rerun of a complete run)
    path: str = ""  # how the rows went in: "copy binary", "copy csv", "load data", "insert"


@dataclass
class Manifest:
    run_id: str
    plan: str
    seed: int | str
    scale: float
    plan_hash: str
    database: str  # URL with the password hidden
    status: str = "running"  # running | completed | failed
    started_at: str = field(default_factory=now_iso)
    finished_at: str | None = None
    seconds: float = 0.0
    index_seconds: float = 0.0  # rebuilding the indexes and keys dropped for the load
    tables: dict[str, TableRecord] = field(default_factory=dict)
    error: str | None = None
    bases: dict[str, int] = field(default_factory=dict)  # where the run's keys start per table
    cuts: list[str] = field(default_factory=list)  # foreign keys cut to break cycles, and how
    # indexes and constraints dropped for a load and not yet rebuilt: a later run rebuilds
    # them first, so even a killed run never leaves a table without them
    pending_ddl: dict[str, list[str]] = field(default_factory=dict)
    # for a cheap rerun (run/rerun.py): a digest of what decided the rows, and the keys of
    # the first and last row of every table
    inputs: str | None = None
    probe: dict[str, dict[str, Any]] | None = None
    version: int = MANIFEST_VERSION

    @property
    def planned_total(self) -> int:
        return sum(t.planned for t in self.tables.values())

    @property
    def inserted_total(self) -> int:
        return sum(t.inserted for t in self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        tables = {k: TableRecord(**v) for k, v in data.get("tables", {}).items()}
        return cls(**{**data, "tables": tables})

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.run_id.replace(':', '-')}.json"
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path


def find_run(sink, plan_name: str, seed: int | str) -> Manifest | None:
    found = [Manifest.from_dict(m) for m in sink.load_manifests(plan_name, seed)]
    return found[0] if found else None


def require_run(sink, plan_name: str, seed: int | str) -> Manifest:
    m = find_run(sink, plan_name, seed)
    if m is None:
        raise PlanError(
            f"no run of {plan_name!r} with seed {seed} in {sink.safe_url}",
            hint="seed it first, or check --seed and --db",
        )
    return m
