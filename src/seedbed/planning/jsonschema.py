"""Print the plan file's JSON Schema (published as docs/plan.schema.json)."""

from __future__ import annotations

import json

from seedbed.planning.model import PlanFile


def plan_json_schema() -> dict:
    schema = PlanFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "seedbed plan"
    return schema


if __name__ == "__main__":
    print(json.dumps(plan_json_schema(), indent=2, sort_keys=True))
