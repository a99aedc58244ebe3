"""The manifest of a run, and the store of manifests a database keeps.

A manifest says what was asked, what landed and how long it took. It is kept twice:
as a row of ``seedbed_runs`` in the target database (so rerun, verify and purge find
the run without any local file) and as a JSON file on disk. Timings are wall-clock
measurements of the run, never inputs to generated data.

The store speaks plain SQL through a DB-API executor, so the same code serves a sink
and the cheap rerun's bare driver connection (``probe.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedbed.dialects import Dialect
from seedbed.errors import PlanError

MANIFEST_VERSION = 1
MANIFEST_TABLE = "seedbed_runs"  # the manifests' table in each target database
ENVIRONMENT_TABLE = "seedbed_environment"  # the database's own mark: which environment it is (production)
# a table's load through several connections records its decision to commit here (sinks/mysqlsplit.py)
COMMITS_TABLE = "seedbed_commits"
SEEDBED_TABLES = frozenset({MANIFEST_TABLE, ENVIRONMENT_TABLE, COMMITS_TABLE})  # never planned, never the user's


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
    digest: str = ""  # of what decides the table's rows, and of what decides its keys: a run
    key_digest: str = ""  # that did not complete goes on after a fix (run/resume.py)
    updated: int | None = None  # an upsert: rows whose values it changed (None: not an upsert)


def file_name(run_id: str) -> str:
    """A file name for a run's manifest, safe for any plan name and seed string: characters
    outside [A-Za-z0-9._-] become '_', with a digest of the whole id when any did (two ids
    never share a file); never a path, never hidden."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", run_id.replace(":", "-")).lstrip(".") or "run"
    if safe != run_id.replace(":", "-"):
        safe = f"{safe[:80]}-{hashlib.sha256(run_id.encode()).hexdigest()[:10]}"
    return safe + ".json"


@dataclass
class Manifest:
    run_id: str
    plan: str
    seed: int | str
    scale: float
    plan_hash: str
    database: str  # URL with the password hidden
    status: str = "running"  # running | completed | partial (some tables left out) | failed
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
    # for a cheap rerun (probe.py): a digest of what decided the rows, and the keys of
    # the first and last row of every table
    inputs: str | None = None
    probe: dict[str, dict[str, Any]] | None = None
    # tables not seeded (status "partial"), and why: one that cannot be generated, one the
    # database refused, one that needs either's rows
    left_out: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what planning noticed (a column left NULL, ...)
    # rows (by index) of a table the database kept refusing, left out (run/refusals.py)
    refused: dict[str, list[int]] = field(default_factory=dict)
    # the options besides seed and scale that decide which rows exist ({"rows": 50, "locale":
    # "de_DE"}): purge and verify take them from here, whatever they are given later
    # (None: a run recorded before they were)
    options: dict[str, Any] | None = None
    # [table, name, definition, valid] of each index and constraint of the run's tables when
    # it began: verify checks every one is still there (and valid where it was)
    structure: list[list[Any]] | None = None
    version: int = MANIFEST_VERSION

    @property
    def planned_total(self) -> int:
        return sum(t.planned for t in self.tables.values())

    @property
    def inserted_total(self) -> int:
        return sum(t.inserted for t in self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for rec in data["tables"].values():  # a table's count of updates only where an upsert made one
            if rec.get("updated") is None:
                rec.pop("updated", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        tables = {k: TableRecord(**v) for k, v in data.get("tables", {}).items()}
        return cls(**{**data, "tables": tables})

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / file_name(self.run_id)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return path


Execute = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]  # (SQL with driver marks, params) -> rows


class ManifestStore:
    """The runs recorded in one database: its ``seedbed_runs`` table.

    ``execute`` runs one statement on the database's connection; ``transaction``
    opens a transaction (or a savepoint in the caller's), so a save can commit
    together with other work (an index drop and its record).
    """

    def __init__(
        self,
        dialect: Dialect,
        execute: Execute,
        where: str,
        transaction: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
    ):
        self.d, self.execute, self.where, self.transaction = dialect, execute, where, transaction
        self._exists: bool | None = None

    def exists(self) -> bool:
        if not self._exists:
            with self.transaction():
                self._exists = bool(self.execute(self.d.TABLE_EXISTS_SQL, (MANIFEST_TABLE,)))
        return self._exists

    def _create(self) -> None:
        # only when missing: MySQL commits the open transaction on any CREATE TABLE
        if self.exists():
            return
        varchar, text = self.d.TYPES["varchar"], self.d.TYPES["text"]
        cols = [
            f"run_id {varchar}(120) NOT NULL",
            f"plan_name {varchar}(200) NOT NULL",
            f"seed {varchar}(100) NOT NULL",
            f"scale {varchar}(40) NOT NULL",
            f"plan_hash {varchar}(64) NOT NULL",
            f"status {varchar}(20) NOT NULL",
            f"started_at {varchar}(40)",
            f"finished_at {varchar}(40)",
            f"manifest {text} NOT NULL",
            "PRIMARY KEY (run_id)",
        ]
        self.execute(f"CREATE TABLE IF NOT EXISTS {MANIFEST_TABLE} ({', '.join(cols)})", ())
        self._exists = True

    def save(self, record: Manifest | dict[str, Any]) -> None:
        data = record.to_dict() if isinstance(record, Manifest) else record
        mark = self.d.param
        with self.transaction():
            self._create()
            self.execute(f"DELETE FROM {MANIFEST_TABLE} WHERE run_id = {mark}", (data["run_id"],))
            values = (
                data["run_id"],
                data["plan"],
                str(data["seed"]),
                str(data["scale"]),
                data["plan_hash"],
                data["status"],
                data.get("started_at"),
                data.get("finished_at"),
                json.dumps(data, sort_keys=True),
            )
            self.execute(
                f"INSERT INTO {MANIFEST_TABLE} (run_id, plan_name, seed, scale, plan_hash, status, started_at, "
                f"finished_at, manifest) VALUES ({', '.join([mark] * len(values))})",
                values,
            )

    def records(self, plan_name: str | None = None, seed: int | str | None = None) -> list[dict[str, Any]]:
        """The manifests of ``plan_name``'s runs (every plan's when None), by run id."""
        if not self.exists():
            return []
        mark, where, params = self.d.param, [], []
        if plan_name is not None:
            where.append(f"plan_name = {mark}")
            params.append(plan_name)
        if seed is not None:
            where.append(f"seed = {mark}")
            params.append(str(seed))
        sql = f"SELECT manifest FROM {MANIFEST_TABLE}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.transaction():
            rows = self.execute(sql + " ORDER BY run_id", tuple(params))
        return [json.loads(r[0]) for r in rows]

    def find(self, plan_name: str, seed: int | str) -> Manifest | None:
        found = self.records(plan_name, seed)
        return Manifest.from_dict(found[0]) if found else None

    def require(self, plan_name: str, seed: int | str) -> Manifest:
        m = self.find(plan_name, seed)
        if m is None:
            raise PlanError(
                f"no run of {plan_name!r} with seed {seed} in {self.where}",
                hint="seed it first, or check --seed and --db",
            )
        return m

    def environment(self) -> str | None:
        """The environment the database is marked as (``production``, ...), None when unmarked."""
        with self.transaction():
            if not self.execute(self.d.TABLE_EXISTS_SQL, (ENVIRONMENT_TABLE,)):
                return None
            rows = self.execute(f"SELECT name FROM {ENVIRONMENT_TABLE}", ())
        return str(rows[0][0]) if rows else None

    def set_environment(self, name: str | None) -> None:
        """Mark the database as environment ``name`` (None: unmark it)."""
        with self.transaction():
            if not self.execute(self.d.TABLE_EXISTS_SQL, (ENVIRONMENT_TABLE,)):
                self.execute(f"CREATE TABLE {ENVIRONMENT_TABLE} (name {self.d.TYPES['varchar']}(32) NOT NULL)", ())
            self.execute(f"DELETE FROM {ENVIRONMENT_TABLE}", ())
            if name:
                self.execute(f"INSERT INTO {ENVIRONMENT_TABLE} (name) VALUES ({self.d.param})", (name,))

    def delete(self, run_id: str) -> None:
        if not self.exists():
            return
        with self.transaction():
            self.execute(f"DELETE FROM {MANIFEST_TABLE} WHERE run_id = {self.d.param}", (run_id,))


def check_writable(folder: Path) -> None:
    """The manifest folder can take the run's file, checked before anything is written (a
    run must not end failed after the database says it completed). Nothing is created."""
    import os

    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    problem = None
    if not probe.is_dir():
        problem = f"{probe} is not a folder"
    elif not os.access(probe, os.W_OK | os.X_OK):
        problem = f"{probe} is not writable"
    if problem:
        raise PlanError(
            f"cannot write the run's manifest to {folder}: {problem}",
            where=str(folder),
            hint="give --manifest-dir a folder this user can write to",
        )
