"""Foreign-key dependency order on the parsed scale-seed recipe (no database)."""

from __future__ import annotations

from importlib.resources import files

import pytest

from seedbed.schema.ddl import parse_ddl
from seedbed.schema.order import dependency_order, load_order, purge_order

RECIPE = files("seedbed").joinpath("recipes/scale_seed/schema.sql").read_text()


@pytest.fixture(scope="module")
def schema():
    return parse_ddl(RECIPE, "postgres")


def test_every_table_comes_after_its_parents(schema):
    order = dependency_order(schema)
    assert sorted(order) == sorted(schema.names)
    pos = {name: i for i, name in enumerate(order)}
    for table in schema.tables:
        for fk in table.foreign_keys:
            if fk.ref_table != table.qualified:
                assert pos[fk.ref_table] < pos[table.qualified], (fk.ref_table, table.qualified)


def test_recipe_order_examples(schema):
    order = dependency_order(schema)
    pos = order.index
    assert pos("users") < pos("user_organizations")
    assert pos("organizations") < pos("user_organizations")
    assert pos("organizations") < pos("workspaces") < pos("projects") < pos("work_tasks")
    assert pos("work_tasks") < pos("work_task_dependencies")
    assert pos("workspace_members") < pos("workspace_member_capacity")
    # roots first, ties broken by name: the same order on every machine
    assert order[:2] == ["organizations", "users"]
    assert dependency_order(schema) == order


def test_purge_order_is_the_reverse(schema):
    assert purge_order(schema) == list(reversed(dependency_order(schema)))
    purge = purge_order(schema)
    assert purge.index("user_organizations") < purge.index("users")
    assert purge.index("attachments") < purge.index("work_tasks")


def test_subset_ignores_tables_outside_it(schema):
    assert dependency_order(schema, ["work_tasks", "projects", "users"]) == ["projects", "users", "work_tasks"]


def test_self_reference_does_not_block():
    schema = parse_ddl("CREATE TABLE node (id int PRIMARY KEY, parent int REFERENCES node (id));", "postgres")
    assert dependency_order(schema) == ["node"]


def test_cycle_is_cut_at_a_nullable_key():
    schema = parse_ddl(
        "CREATE TABLE a (id int PRIMARY KEY, b_id int);"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a (id));"
        "ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b (id);",
        "postgres",
    )
    order, cuts = load_order(schema)
    assert order == ["a", "b"]
    assert [(c.table, c.fk.columns, c.method) for c in cuts] == [("a", ("b_id",), "update")]


def test_not_null_cycle_is_loaded_unchecked():
    schema = parse_ddl(
        "CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL);"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a (id));"
        "ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b (id);",
        "postgres",
    )
    order, cuts = load_order(schema)
    assert len(order) == 2 and len(cuts) == 1 and cuts[0].method == "checks_off"
