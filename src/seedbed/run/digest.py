"""A digest of everything that decides a run's rows, computed without the engine.

The plan and DDL files (their bytes), the options as given, the database family and
seedbed's own code. A completed run's manifest records it, so a rerun with the same
digest can be answered from the manifest (``sinks/probe.py``) before numpy, pyarrow,
sqlglot or SQLAlchemy are even imported.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from seedbed.run.options import SeedOptions


def input_files(
    recipe: str | None, plan: str | Path | None, ddl: str | Path | None, dialect: str | None = None
) -> list[bytes] | None:
    """The bytes of every file a source is built from (and the dialect it is read in);
    None when the schema is reflected from the database (a rerun then has to look at
    the database anyway)."""
    files = _files(recipe, plan, ddl)
    return None if files is None else [*files, b"dialect\0" + (dialect or "").encode()]


def _files(recipe: str | None, plan: str | Path | None, ddl: str | Path | None) -> list[bytes] | None:
    try:
        if recipe:
            from seedbed.recipes import folder_of

            folder = folder_of(recipe)
            if folder is None:
                return None
            return [p.name.encode() + b"\0" + p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]
        files = [Path(plan).read_bytes()] if plan else []
        if ddl:
            return [*files, b"ddl\0" + Path(ddl).read_bytes()]
        if plan:
            schema_file = _schema_file(files[0])
            if schema_file:
                return [*files, b"ddl\0" + (Path(plan).parent / schema_file).read_bytes()]
    except OSError:
        return None
    return None


def _schema_file(plan_text: bytes) -> str | None:
    import yaml

    try:
        data = yaml.load(plan_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    value = data.get("schema") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


@lru_cache(maxsize=1)
def code_digest() -> str:
    """seedbed's own files: another version may make other rows from the same plan."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.blake2b(digest_size=16)
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".json", ".yaml", ".sql") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def run_digest(files: list[bytes] | None, backend_name: str | None, opts: SeedOptions) -> str | None:
    """What decides a run's rows, as given (so ``--seed`` left out and given differ);
    ``backend_name``: the database family (``Dialect.family``)."""
    if files is None or backend_name is None:
        return None
    h = hashlib.blake2b(digest_size=16)
    for f in files:
        h.update(hashlib.blake2b(f, digest_size=16).digest())
    asked: list[Any] = [backend_name, opts.seed, opts.scale, opts.profile, opts.rows, opts.locale, code_digest()]
    if opts.tables:  # (absent otherwise: a digest recorded before --table stays the same)
        asked.append(sorted(opts.tables))
    if opts.overrides:
        asked.append(list(opts.overrides))
    h.update(json.dumps(asked, default=str).encode())
    return h.hexdigest()
