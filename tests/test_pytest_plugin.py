"""The pytest plugin, run the way a user's suite runs it (pytester): a database seeded once
per session, and every test its own fresh copy of it - what one test writes no other sees."""

from __future__ import annotations

import pytest

from tests.helpers import dialect_params

pytest_plugins = ["pytester"]

USER_TESTS = """
from contextlib import closing
from seedbed.sinks import open_sink

def _count(url, table):
    with closing(open_sink(url)) as sink:
        return sink.scalar(f"SELECT count(*) FROM {table}")

def test_one_writes(seedbed_db):
    assert _count(seedbed_db, "orders") == 50
    with closing(open_sink(seedbed_db)) as sink:
        sink.conn.exec_driver_sql("DELETE FROM payments")
        sink.conn.commit()
    assert _count(seedbed_db, "payments") == 0

def test_two_sees_a_fresh_copy(seedbed_db):
    assert _count(seedbed_db, "payments") == 30

def test_the_template_is_the_seeded_one(seedbed_template, seedbed_db):
    assert seedbed_template != seedbed_db and _count(seedbed_template, "clients") == 10
"""


def _template_url(dialect: str, request, tmp_path) -> str | None:
    if dialect == "sqlite":
        return None  # the plugin's default: a SQLite file in the session's temporary folder
    base = request.getfixturevalue({"postgres": "fresh_pg_url", "mysql": "fresh_mysql_url"}[dialect])
    return base + "_tpl"


@pytest.mark.parametrize("dialect", dialect_params())
def test_each_test_gets_a_fresh_copy(pytester, dialect, request, tmp_path):
    pytester.makepyfile(test_user=USER_TESTS)
    args = ["-p", "no:cacheprovider", "--seedbed-recipe", "rollout", "-v"]
    url = _template_url(dialect, request, tmp_path)
    if url is not None:
        args += ["--seedbed-db", url]
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=3)


def test_options_come_from_the_ini_file_too(pytester):
    pytester.makeini("[pytest]\nseedbed_recipe = rollout\nseedbed_scale = 2\n")
    pytester.makepyfile(test_ini="""
from contextlib import closing
from seedbed.sinks import open_sink

def test_scaled(seedbed_db):
    with closing(open_sink(seedbed_db)) as sink:
        assert sink.scalar("SELECT count(*) FROM orders") == 100
""")  # fmt: skip
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
