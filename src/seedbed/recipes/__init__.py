"""Bundled recipes: a schema (DDL), a plan and checks, run through the same engine
as a user's own database. Each recipe is a folder holding ``plan.yaml`` and the DDL
file its ``schema:`` names."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.errors import PlanError, did_you_mean

if TYPE_CHECKING:
    from seedbed.planning.model import PlanFile


@dataclass(frozen=True)
class Recipe:
    name: str
    folder: Path
    plan: PlanFile

    @property
    def ddl(self) -> str:
        return (self.folder / (self.plan.schema_file or "schema.sql")).read_text(encoding="utf-8")

    @property
    def dialect(self) -> str:
        return self.plan.dialect


def _folders() -> dict[str, Path]:
    root = Path(str(resources.files("seedbed.recipes")))
    return {p.name.replace("_", "-"): p for p in sorted(root.iterdir()) if (p / "plan.yaml").is_file()}


def names() -> list[str]:
    return list(_folders())


def folder_of(name: str) -> Path | None:
    """The folder of the bundled recipe ``name``, or None."""
    return _folders().get(name.replace("_", "-"))


def load_recipe(name: str) -> Recipe:
    """The bundled recipe ``name`` (``scale-seed``; underscores work too)."""
    folders = _folders()
    key = name.replace("_", "-")
    if key not in folders:
        raise PlanError(
            f"unknown recipe {name!r}",
            hint=did_you_mean(key, folders) or f"recipes: {', '.join(folders)}",
        )
    folder = folders[key]
    from seedbed.planning.load import load_plan_file

    return Recipe(name=key, folder=folder, plan=load_plan_file(folder / "plan.yaml"))
