"""CHECKs planning cannot read are met anyway: evaluated on the rows, failing rows redrawn."""

from __future__ import annotations

import numpy as np
import pytest

from seedbed.engine import Context
from seedbed.errors import PlanError
from seedbed.planning.load import parse_plan
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.seed import seed
from seedbed.run.source import Source
from seedbed.schema.ddl import parse_ddl
from seedbed.sinks import open_sink

MOD3 = """CREATE TABLE t (
  id int PRIMARY KEY,
  x int NOT NULL,
  y int NOT NULL,
  note text,
  CONSTRAINT mod3 CHECK ((x + y) % 3 = 0)
);"""


def _plan(ddl: str, rows: int = 2000, plan: dict | None = None, chunk: int = 20_000):
    schema = parse_ddl(ddl, "postgres")
    return plan_for(Source("g", parse_plan(plan or {}, "p"), schema), SeedOptions(rows=rows, chunk_size=chunk))


def _rows(ctx: Context, table: str = "t") -> list[tuple]:
    out: list[tuple] = []
    for b in ctx.batches(table):
        out += list(zip(*(b.column(i).to_pylist() for i in range(b.num_columns)), strict=True))
    return out


def test_an_unread_check_is_met_by_redrawing():
    plan, ctx = _plan(MOD3)
    spec = ctx.spec("t")
    assert spec.unread == ("mod3",) and "t" in ctx.guards
    rows = _rows(ctx)
    assert len(rows) == 2000
    assert all((x + y) % 3 == 0 for _, x, y, _ in rows)
    assert not any("mod3" in w for w in plan.warnings)


def test_redrawn_rows_do_not_depend_on_chunks_or_neighbours():
    _, whole = _plan(MOD3, rows=400)
    _, chunked = _plan(MOD3, rows=400, chunk=7)
    assert _rows(whole) == _rows(chunked)
    picked = np.array([5, 399, 3, 150])
    frame = whole.frame("t", picked)
    alone = list(zip(frame.col("x").to_pylist(), frame.col("y").to_pylist(), strict=True))
    every = {r[0]: (r[1], r[2]) for r in _rows(whole)}
    assert alone == [every[int(i) + 1] for i in picked]  # ids are a sequence from 1


def test_rows_that_pass_keep_their_first_draw():
    """A guard changes only the rows that fail it: the others are what they were without it."""
    _, guarded = _plan(MOD3)
    _, plain = _plan(MOD3.replace(",\n  CONSTRAINT mod3 CHECK ((x + y) % 3 = 0)", ""))
    a, b = _rows(guarded), _rows(plain)
    same = [i for i, r in enumerate(b) if (r[1] + r[2]) % 3 == 0]
    assert same and all(a[i] == b[i] for i in same)
    assert any(a[i] != b[i] for i in range(len(b)) if i not in set(same))


def test_a_check_rows_never_meet_leaves_the_table_out_naming_it():
    ddl = """CREATE TABLE t (id int PRIMARY KEY, x text NOT NULL, CONSTRAINT exact CHECK (md5(x) = 'abc'));
    CREATE TABLE c (id int PRIMARY KEY, t_id int NOT NULL REFERENCES t(id));
    CREATE TABLE n (id int PRIMARY KEY, t_id int REFERENCES t(id));"""
    plan, ctx = _plan(ddl)
    assert plan.order == ["n"]
    why = plan.left_out["t"]
    assert "exact" in why and "md5(x) = 'abc'" in why.lower() and "x=" in why and "choices" in why
    assert "needs rows of t" in plan.left_out["c"]
    assert "t_id" not in ctx.spec("n").columns  # a nullable reference to a table left out: NULL


def test_a_check_a_described_table_never_meets_is_a_plan_error():
    ddl = "CREATE TABLE t (id int PRIMARY KEY, x text NOT NULL, CONSTRAINT exact CHECK (md5(x) = 'abc'));"
    with pytest.raises(PlanError) as info:
        _plan(ddl, plan={"tables": {"t": {"rows": 10}}})
    assert "exact" in str(info.value) and "choices" in (info.value.hint or "")


def test_a_check_that_cannot_be_evaluated_leaves_the_table_out():
    ddl = "CREATE TABLE t (id int PRIMARY KEY, x int NOT NULL, CONSTRAINT custom CHECK (my_rule(x) > 0));"
    plan, _ = _plan(ddl)
    assert "neither be read nor evaluated" in plan.left_out["t"] and "custom" in plan.left_out["t"]


def test_keys_are_never_redrawn():
    ddl = """CREATE TABLE p (id int PRIMARY KEY);
    CREATE TABLE t (id int PRIMARY KEY, code text UNIQUE NOT NULL, p_id int NOT NULL REFERENCES p(id),
      CONSTRAINT spread CHECK (length(code) + p_id % 2 > 0 AND (p_id * 7 + id) % 2 = 0));"""
    _, ctx = _plan(ddl, rows=500)
    rows = _rows(ctx)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert len({r[1] for r in rows}) == len(rows)
    assert all((p * 7 + i) % 2 == 0 for i, _, p in rows)


def test_seeded_rows_meet_unread_checks_in_the_database(tmp_path):
    ddl = (
        MOD3
        + "\nCREATE TABLE u (id int PRIMARY KEY, a text NOT NULL, CHECK (substr(a, 1, 1) IN ('a','b','c','d','e')));"
    )
    schema = parse_ddl(ddl, "sqlite")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    sink = open_sink(url)
    try:
        sink.execute([s for s in ddl.split(";") if s.strip()])
        m = seed(sink, Source("g", parse_plan({}, "p"), schema), SeedOptions(seed=2, rows=300, manifest_dir=None))
        assert m.status == "completed" and m.inserted_total == 600
        assert sink.scalar("SELECT count(*) FROM t WHERE (x + y) % 3 <> 0") == 0
    finally:
        sink.close()
