"""Reading a plan file (YAML or JSON) into a ``PlanFile``, with errors naming the spot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from seedbed.errors import PlanError
from seedbed.planning.model import PlanFile


def parse_plan(data: Any, source: str) -> PlanFile:
    """Validate already-parsed plan data; ``source`` names it in errors."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PlanError("a plan must be a mapping (name: ..., tables: ...)", where=source)
    if data and "tables" not in data and all(isinstance(v, dict) and "count" in v for v in data.values()):
        data = {"tables": data}  # a config of counts alone ({"setups": {"count": 8}}): its keys are tables
    try:
        return PlanFile.model_validate(data)
    except ValidationError as err:
        # for a union (rows: int | {per: ...}) report the branch that got furthest
        first = max(err.errors(), key=lambda e: len(e["loc"]))
        loc = ".".join(str(p) for p in first["loc"])
        more = f" (and {len(err.errors()) - 1} more)" if len(err.errors()) > 1 else ""
        raise PlanError(
            f"{loc}: {first['msg']}{more}",
            where=source,
            hint="see docs/plan-format.md for the plan file format",
        ) from None


# libyaml's loader when the wheel has it (10x faster on large plans), else the pure one
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_plan_file(path: str | Path) -> PlanFile:
    """Read and validate a plan file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise PlanError(f"cannot read plan file: {err.strerror}", where=str(p)) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise PlanError(f"not valid YAML{at}: {getattr(err, 'problem', err)}", where=str(p)) from None
    if data is None:  # an empty file (or comments alone) is a plan cut short more often than one meant
        raise PlanError(
            "the plan file is empty",
            where=str(p),
            hint="write the tables to seed under tables:, or leave out --plan to seed every table of the schema",
        )
    return parse_plan(data, str(p))
