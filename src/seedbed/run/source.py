"""Where a run's schema and plan come from: a recipe, a DDL file, or a live database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.errors import PlanError, SchemaError, SeedbedError
from seedbed.planning.load import load_plan_file
from seedbed.planning.model import PlanFile
from seedbed.planning.resolve import resolve_plan
from seedbed.planning.resolved import ResolvedPlan
from seedbed.schema.model import Schema


@dataclass(frozen=True)
class Source:
    """A schema and plan, plus the DDL that creates the schema when there is one."""

    name: str  # what errors and manifests call it
    plan: PlanFile
    schema: Schema | None  # None: reflect it from the target database
    ddl: str | None = None
    ddl_dialect: str | None = None
    create_by_default: bool = False  # a recipe creates its schema when it is absent
    origin: str = ""  # the file errors point at: the plan file, else the DDL or recipe
    files: tuple[bytes, ...] | None = None  # what it was read from (run/digest.py digests it)

    def with_schema(self, schema: Schema) -> Source:
        """The same source with the schema reflected from a live database."""
        from dataclasses import replace

        return replace(self, schema=schema)


def source_from(
    *,
    recipe: str | None = None,
    plan: str | Path | None = None,
    ddl: str | Path | None = None,
    dialect: str | None = None,
) -> Source:
    """Build the run's source from the options a user gave (validated before any connection)."""
    from dataclasses import replace

    from seedbed.run.digest import input_files

    source = _source_from(recipe=recipe, plan=plan, ddl=ddl, dialect=dialect)
    files = input_files(recipe, plan, ddl, dialect) if source.schema is not None else None
    return replace(source, files=tuple(files) if files is not None else None)


def _source_from(
    *,
    recipe: str | None = None,
    plan: str | Path | None = None,
    ddl: str | Path | None = None,
    dialect: str | None = None,
) -> Source:
    from seedbed.schema.ddl import parse_ddl

    if recipe and (ddl or plan):
        raise PlanError("--recipe brings its own schema and plan", hint="drop --ddl/--plan, or drop --recipe")
    if recipe:
        from seedbed.recipes import load_recipe

        r = load_recipe(recipe)
        return Source(r.name, r.plan, parse_ddl(r.ddl, r.dialect), r.ddl, r.dialect, create_by_default=True)
    plan_file = load_plan_file(plan) if plan else PlanFile()
    if ddl:
        path = Path(ddl)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise PlanError(f"cannot read DDL file: {err.strerror}", where=str(path)) from None
        d = dialect or plan_file.dialect
        schema = _read_ddl(text, d, path)
        return Source(plan_file.name or path.stem, plan_file, schema, text, d, origin=str(plan) if plan else str(path))
    if plan and plan_file.schema_file:
        base = Path(plan).parent / plan_file.schema_file
        return _source_from(plan=plan, ddl=base, dialect=dialect or plan_file.dialect)
    return Source(plan_file.name or "database", plan_file, None, origin=str(plan) if plan else "database")


def _read_ddl(text: str, dialect: str, path: Path) -> Schema:
    """The schema a DDL file defines, read in ``dialect``. A file that yields fewer tables
    than another dialect reads from it was written in that one: refused with that hint
    (read in the wrong dialect, statements are dropped or misread)."""
    from seedbed import dialects
    from seedbed.schema.ddl import parse_ddl

    schema = parse_ddl(text, dialect)
    if schema.tables and not schema.warnings:
        return schema  # read whole: nothing to compare
    if not re.search(r"\bCREATE\s+(?:\w+\s+)*TABLE\b", text, re.IGNORECASE):
        return schema  # types or views only: what it holds is read as it is
    best, best_n = dialect, len(schema.tables)
    for other in dialects.names():
        if dialects.get(other).family == dialects.get(dialect).family:
            continue
        try:
            n = len(parse_ddl(text, other).tables)
        except SeedbedError:
            continue
        if n > best_n:
            best, best_n = other, n
    if best != dialect:
        raise SchemaError(
            f"read as {dialect} DDL it defines {len(schema.tables)} of the {best_n} tables it defines as {best} DDL",
            where=str(path),
            hint=f"pass --dialect {best} (or dialect: {best} in the plan)",
        )
    if not schema.tables:
        raise SchemaError(f"no CREATE TABLE statement could be read as {dialect} DDL", where=str(path),
                          hint="check the file and its --dialect")  # fmt: skip
    return schema


def resolve(source: Source, schema: Schema | None = None, **options: Any) -> ResolvedPlan:
    schema = schema or source.schema
    assert schema is not None, "reflect the database before resolving a plan without a schema"
    plan = source.plan if source.plan.name else source.plan.model_copy(update={"name": source.name})
    return resolve_plan(schema, plan, source=source.origin or source.name, **options)
