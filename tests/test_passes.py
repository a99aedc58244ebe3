"""Each planning pass alone: given a frozen ``Planning``, what it adds (and nothing else)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from seedbed.errors import PlanError, SchemaError
from seedbed.planning import passes as p
from seedbed.planning.load import parse_plan
from seedbed.planning.resolve import resolve_plan
from seedbed.schema.ddl import parse_ddl

DDL = """
CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE people (
    id integer PRIMARY KEY,
    team_id integer NOT NULL REFERENCES teams (id),
    email text NOT NULL UNIQUE,
    boss_id integer REFERENCES people (id)
);
CREATE TABLE links (
    id integer PRIMARY KEY,
    src integer NOT NULL REFERENCES people (id),
    dst integer NOT NULL REFERENCES people (id)
);
CREATE TABLE a (id integer PRIMARY KEY, b_id integer REFERENCES b (id));
CREATE TABLE b (id integer PRIMARY KEY, a_id integer NOT NULL REFERENCES a (id));
"""


def start(plan: dict | None = None, **options) -> p.Planning:
    return p.Planning(
        schema=parse_ddl(DDL, "postgres"),
        plan=parse_plan(plan or {}, "t.yaml"),
        options=p.Options(**options),
        source="t.yaml",
    )


def run(state: p.Planning, until: p.Pass) -> p.Planning:
    """The passes before ``until``, then ``until`` itself."""
    for step in p.PASSES:
        state = step(state)
        if step is until:
            return state
    raise AssertionError(f"{until.__name__} is not a pass")


def changed(before: p.Planning, after: p.Planning) -> set[str]:
    return {f.name for f in fields(p.Planning) if getattr(before, f.name) != getattr(after, f.name)}


def test_the_passes_in_order():
    assert [step.__name__ for step in p.PASSES] == [
        "fold_partitions",
        "pick_scale",
        "check_names",
        "order_tables",
        "infer_tables",
        "lay_out_rows",
        "choose_columns",
        "build_specs",
        "defer_cut_columns",
        "hash_plan",
    ]


def test_planning_is_frozen():
    with pytest.raises(AttributeError):
        start().seed = 2  # type: ignore[misc]


def test_fold_partitions_gives_a_parent_its_partitions_foreign_keys():
    schema = parse_ddl(
        "CREATE TABLE c (id int PRIMARY KEY);"
        "CREATE TABLE pay (id int, c_id int, at date) PARTITION BY RANGE (at);"
        "CREATE TABLE pay_1 PARTITION OF pay FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');"
        "ALTER TABLE pay_1 ADD FOREIGN KEY (c_id) REFERENCES c (id);",
        "postgres",
    )
    before = p.Planning(schema=schema, plan=parse_plan({}, "t"))
    after = p.fold_partitions(before)
    assert [fk.columns for fk in after.schema.table("pay").foreign_keys] == [("c_id",)]
    assert changed(before, after) == {"schema"}
    assert p.fold_partitions(start()) == start()  # nothing to fold: the same state


@pytest.mark.parametrize(
    ("plan", "options", "seed", "scale"),
    [
        ({}, {}, 1, 1.0),
        ({"seed": 9, "scale": 0.5}, {}, 9, 0.5),
        ({"seed": 9, "scale": 0.5}, {"seed": "x", "scale": 2.0}, "x", 2.0),
        ({}, {"profile": "medium"}, 1, 0.1),
        ({"profiles": {"tiny": 0.001}}, {"profile": "tiny"}, 1, 0.001),
    ],
)
def test_pick_scale(plan, options, seed, scale):
    after = p.pick_scale(start(plan, **options))
    assert (after.seed, after.scale) == (seed, scale)


def test_pick_scale_refuses_what_cannot_be():
    with pytest.raises(PlanError, match="not both"):
        p.pick_scale(start(scale=1.0, profile="small"))
    with pytest.raises(PlanError, match="unknown profile 'smal'") as err:
        p.pick_scale(start(profile="smal"))
    assert err.value.hint == "did you mean 'small'?"


def test_check_names_says_which_name_is_wrong():
    with pytest.raises(SchemaError) as err:
        p.check_names(start({"tables": {"peple": {"rows": 1}}}))
    assert err.value.where == "t.yaml: tables" and "did you mean 'people'?" in (err.value.hint or "")
    with pytest.raises(PlanError) as err2:
        p.check_names(start({"tables": {"people": {"columns": {"emial": 1}}}}))
    assert err2.value.where == "t.yaml: tables.people.columns" and "'email'" in (err2.value.hint or "")
    ok = start({"tables": {"people": {"rows": 3}}})
    assert p.check_names(ok) is ok


def test_order_tables_puts_parents_first_and_cuts_cycles():
    before = start({"tables": {"links": {"skip": True}}})
    after = p.order_tables(before)
    assert "links" not in after.order
    assert after.order.index("teams") < after.order.index("people")
    assert [(c.table, c.fk.columns, c.method) for c in after.cuts] == [("a", ("b_id",), "update")]
    assert changed(before, after) == {"order", "cuts"}


def test_infer_tables_proposes_entries_and_warns():
    state = run(start(rows=10), p.order_tables)
    after = p.infer_tables(state)
    assert set(after.inferred) == set(state.order)
    assert after.inferred["people"].columns["team_id"] == {"ref": {}}
    assert after.inferred["people"].rows == 10  # --rows: every table the same
    assert changed(state, after) == {"inferred"}


def test_lay_out_rows_scales_flat_counts_and_spreads_totals():
    plan = {"tables": {"teams": {"rows": 4}, "people": {"rows": {"per": "teams", "total": 30}}}}
    state = run(start(plan, scale=0.5), p.infer_tables)
    after = p.lay_out_rows(state)
    assert after.layouts["teams"] == {"rows": 2}
    assert after.layouts["people"] == {"per": "teams", "per_fk": "team_id", "total": 15, "each": None,
                                       "spread": "even"}  # fmt: skip
    with pytest.raises(PlanError, match="exactly one of total or each"):
        p.lay_out_rows(run(start({"tables": {"people": {"rows": {"per": "teams"}}}}), p.infer_tables))


def test_choose_columns_takes_the_plan_over_inference():
    plan = {"tables": {"people": {"columns": {"email": {"format": "p{index}@x.org"}, "boss_id": {"default": True}}}}}
    state = run(start(plan), p.lay_out_rows)
    after = p.choose_columns(state)
    people = after.columns["people"]
    assert (people["email"].entry, people["email"].origin) == ({"format": "p{index}@x.org"}, "plan")
    assert people["team_id"].origin == "inferred"
    assert "boss_id" not in people  # left to its default (NULL)
    assert changed(state, after) == {"columns"}


def test_choose_columns_refuses_a_not_null_column_nothing_fills():
    plan = {"tables": {"teams": {"columns": {"name": {"default": True}}}}}
    with pytest.raises(PlanError, match="NOT NULL column 'name'") as err:
        p.choose_columns(run(start(plan), p.lay_out_rows))
    assert err.value.where == "t.yaml: tables.teams"


def test_choose_columns_writes_dag_edges_as_edge_entries():
    schema = parse_ddl(
        "CREATE TABLE g (id int PRIMARY KEY);"
        "CREATE TABLE n (id int PRIMARY KEY, g_id int NOT NULL REFERENCES g (id));"
        "CREATE TABLE e (id int PRIMARY KEY, g_id int NOT NULL REFERENCES g (id),"
        " a int NOT NULL REFERENCES n (id), b int NOT NULL REFERENCES n (id));",
        "postgres",
    )
    plan = parse_plan(
        {"tables": {"e": {"rows": {"per": "g", "total": 5}, "edges": {"from": "a", "to": "b", "within": "g_id"}}}},
        "t",
    )
    state = p.Planning(schema=schema, plan=plan)
    for step in p.PASSES[: p.PASSES.index(p.choose_columns) + 1]:
        state = step(state)
    cols = state.columns["e"]
    assert cols["a"].origin == "edges" and cols["a"].entry == {
        "edge": {"end": "from", "key": "a", "target": "n", "column": "id"}
    }
    assert cols["b"].entry["edge"]["end"] == "to"


def test_build_specs_finds_each_tables_key():
    after = run(start(), p.build_specs)
    assert after.specs["people"].key == ("id",) and after.specs["people"].key_is_constraint
    assert after.specs["people"].written == ("id", "team_id", "email", "boss_id")
    assert after.specs["people"].arrow_schema.names == list(after.specs["people"].written)


def test_defer_cut_columns_marks_the_cut_key():
    state = run(start(), p.build_specs)
    after = p.defer_cut_columns(state)
    assert after.specs["a"].deferred == ("b_id",)
    assert all(s.deferred == () for n, s in after.specs.items() if n != "a")


def test_hash_plan_follows_the_plan_not_the_seed():
    base = p.hash_plan(start()).plan_hash
    assert len(base) == 16
    assert p.hash_plan(start({"seed": 5, "scale": 2})).plan_hash == base
    assert p.hash_plan(start({"tables": {"teams": {"rows": 3}}})).plan_hash != base
    assert p.hash_plan(start()).plan_hash == base  # the same every time


def test_resolve_plan_is_the_passes_in_order():
    state = start({"tables": {"teams": {"rows": 3}}})
    for step in p.PASSES:
        state = step(state)
    resolved = resolve_plan(start().schema, state.plan, source="t.yaml")
    assert resolved.plan_hash == state.plan_hash and resolved.order == list(state.order)
    assert resolved.tables == dict(state.specs)
    assert state.warnings == tuple(resolved.warnings)
