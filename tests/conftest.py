"""Shared fixtures: real databases, one fresh database per test module.

URLs come from SEEDBED_TEST_PG / SEEDBED_TEST_MYSQL with this machine's defaults.
Under CI=true a missing server fails the run instead of skipping the tests.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("SEEDBED_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("SEEDBED_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(what: str, err: Exception) -> None:
    msg = f"{what} is not reachable ({type(err).__name__}: {err})"
    if IN_CI:
        pytest.fail(msg + " — CI requires it", pytrace=False)
    pytest.skip(msg)


def _module_db_name(request: pytest.FixtureRequest) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", request.module.__name__.lower())[-40:]
    return f"sb_{base}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh PostgreSQL database, dropped after the module."""
    yield from _fresh_pg(_module_db_name(request))


@pytest.fixture()
def fresh_pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh PostgreSQL database for one test."""
    yield from _fresh_pg(_module_db_name(request))


def _fresh_pg(name: str) -> Iterator[str]:
    import psycopg

    admin = PG_URL
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as err:
        _unavailable("PostgreSQL", err)
    url = admin.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'seed.db'}"


@pytest.fixture(scope="module")
def mysql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh MySQL/MariaDB database (utf8mb4), dropped after the module."""
    yield from _fresh_mysql(_module_db_name(request))


@pytest.fixture()
def fresh_mysql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh MySQL/MariaDB database for one test."""
    yield from _fresh_mysql(_module_db_name(request))


def _mysql_admin(url: str):
    import pymysql
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return pymysql.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        autocommit=True,
        connect_timeout=5,
    )


def _fresh_mysql(name: str) -> Iterator[str]:
    try:
        import pymysql
    except ModuleNotFoundError as err:
        _unavailable("MySQL (the pymysql driver)", err)
    admin = MYSQL_URL
    try:
        with _mysql_admin(admin) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    except pymysql.err.OperationalError as err:
        _unavailable("MySQL", err)
    from sqlalchemy.engine import make_url

    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    with _mysql_admin(admin) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
