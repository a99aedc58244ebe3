"""Same seed + plan ⇒ byte-identical data, whatever the chunk size or chunk order.

The golden digests in tests/golden/ pin the data itself: a change to them changes
every user's dataset and is a breaking change (CHANGELOG.md).
UPDATE_GOLDEN=1 pytest tests/test_determinism.py rewrites them on purpose.
"""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path

import pytest

from seedbed.engine import Context
from seedbed.run.export import export
from seedbed.run.options import SeedOptions
from seedbed.run.source import source_from
from tests.helpers import digest, recipe_context, table_of

GOLDEN = Path(__file__).parent / "golden" / "scale_seed_123_0.01.json"


@pytest.fixture(scope="module")
def reference():
    ctx = recipe_context(scale=0.1, chunk_size=100_000)
    return {name: digest(table_of(ctx, name)) for name in ctx.plan.order}


@pytest.mark.slow
@pytest.mark.parametrize("chunk_size", [1_000, 7_777, 100_000])
@pytest.mark.parametrize("reverse", [False, True])
def test_identical_across_chunk_sizes_and_order(reference, chunk_size, reverse):
    ctx = recipe_context(scale=0.1, chunk_size=chunk_size)
    for name in ctx.plan.order:
        assert digest(table_of(ctx, name, reverse=reverse)) == reference[name], name


def test_any_row_range_alone_matches_the_whole():
    ctx = recipe_context(scale=0.1)
    whole = table_of(ctx, "work_tasks")
    part = ctx.batch("work_tasks", 4_321, 4_400)
    assert part.to_pylist() == whole.slice(4_321, 79).to_pylist()


def test_seed_changes_every_table():
    a, b = recipe_context(seed=123, scale=0.01), recipe_context(seed=456, scale=0.01)
    for name in a.plan.order:
        assert digest(table_of(a, name)) != digest(table_of(b, name)), name


def test_golden_digests():
    ctx = recipe_context(scale=0.01)
    got = {name: digest(table_of(ctx, name)) for name in ctx.plan.order}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n")
    assert got == json.loads(GOLDEN.read_text())


def test_golden_values():
    ctx = recipe_context(scale=0.01)
    org = ctx.batch("organizations", 0, 1).to_pylist()[0]
    assert org["id"] == "c2c3f07d-a8e9-565d-a583-f85230adbd2c"
    assert org["slug"] == "scale-seed"
    assert json.loads(org["plan_metadata"]) == {"scaleSeed": {"seed": "123", "scale": "0.01"}}
    user = ctx.batch("users", 0, 1).to_pylist()[0]
    assert user["email"] == "todd-cline.0@s123.example.com"
    task = ctx.batch("work_tasks", 0, 1).to_pylist()[0]
    assert (task["status"], task["rank"], str(task["start_date"])) == ("todo", 1, "2025-09-05")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_exported_files_identical_across_chunk_sizes(tmp_path, fmt):
    src = source_from(recipe="scale-seed")
    a = export(src, SeedOptions(seed=7, scale=0.02, chunk_size=999), tmp_path / "a", fmt)
    b = export(src, SeedOptions(seed=7, scale=0.02, chunk_size=70_000), tmp_path / "b", fmt)
    for name, path in a.items():
        assert path.read_bytes() == b[name].read_bytes(), name


def test_paths_through_one_reference_share_the_rows_it_points_to(monkeypatch):
    """An audit log reaches its entity three times per row (entity_id; organization_id by
    entity_id.organization_id; occurred_at after entity_id.created_at): a batch computes
    the entity rows once, not once per path."""
    ctx = recipe_context(scale=0.01)
    made: collections.Counter = collections.Counter()
    real = Context.frame

    def frame(self, table, idx):
        made[table] += 1
        return real(self, table, idx)

    monkeypatch.setattr(Context, "frame", frame)
    ctx.batch("audit_events", 0, 500)
    assert made["audit_events"] == made["attachments"] == 1
    assert made["work_tasks"] == 2  # the log's tasks, and the tasks its attachments belong to
