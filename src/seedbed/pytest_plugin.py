"""seedbed for test suites: a database seeded once per session, a fresh copy for every test.

Installed with seedbed (an entry point: nothing to configure)::

    # conftest.py or pytest.ini: which data, and where
    #   pytest --seedbed-recipe rollout --seedbed-db postgresql://postgres@127.0.0.1/app_tpl
    def test_orders_have_clients(seedbed_db):      # the URL of this test's own copy
        engine = sqlalchemy.create_engine(seedbed_db.replace("postgresql://", "postgresql+psycopg://"))
        ...

``seedbed_template`` (session) seeds the database ``--seedbed-db`` names (dropped and made
again first; default: a SQLite file in the session's temporary folder) from a recipe, a plan
or DDL. ``seedbed_db`` gives each test a copy made from it - PostgreSQL clones it as a
template, SQLite copies the file, MySQL/MariaDB recreates its tables and copies the rows
inside the server - and drops the copy after the test, so what one test writes no other sees.
Every option has an ini twin (``seedbed_recipe = rollout``) and the URL may come from
``SEEDBED_TEST_DB``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest

_OPTIONS = {  # option -> help
    "db": "Database to seed once per session (a URL, or a SQLite path); each test gets a copy",
    "recipe": "Bundled recipe to seed (e.g. rollout)",
    "plan": "Plan file to seed",
    "ddl": "DDL file of the schema (with --seedbed-dialect)",
    "dialect": "Dialect of --seedbed-ddl",
    "seed": "Seed of the data",
    "scale": "Scale of the data",
}
_COPIES = itertools.count(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seedbed", "seeded databases for tests")
    for name, text in _OPTIONS.items():
        group.addoption(f"--seedbed-{name}", dest=f"seedbed_{name}", default=None, help=text)
        parser.addini(f"seedbed_{name}", text, default=None)


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"seedbed_{name}") or config.getini(f"seedbed_{name}")
    return value or None


@pytest.fixture(scope="session")
def seedbed_template(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the database seeded once for the session (the copies' template)."""
    from seedbed import api
    from seedbed.sinks.clone import create, drop

    given = _option(pytestconfig, "db") or os.environ.get("SEEDBED_TEST_DB")
    url = api.database_url(given) if given else f"sqlite:///{tmp_path_factory.mktemp('seedbed') / 'template.db'}"
    scale = _option(pytestconfig, "scale")
    create(url)
    api.seed(
        url, recipe=_option(pytestconfig, "recipe"), plan=_option(pytestconfig, "plan"),
        ddl=_option(pytestconfig, "ddl"), dialect=_option(pytestconfig, "dialect"), seed=_option(pytestconfig, "seed"),
        scale=float(scale) if scale else None, create_schema=True, manifest_dir=None,
    )  # fmt: skip
    yield url
    drop(url)


@pytest.fixture
def seedbed_db(seedbed_template: str) -> Iterator[str]:
    """The URL of a fresh copy of the seeded database, this test's alone."""
    from seedbed.sinks.clone import clone, copy_name, drop

    url = clone(seedbed_template, copy_name(seedbed_template, f"{os.getpid()}_{next(_COPIES)}"))
    yield url
    drop(url)
