"""Real public schemas: the live database and the DDL file give the same model.

Each schema in shared/schemas is loaded into a fresh database of its dialect by
that database's own client (psql, mariadb) or by sqlite3, reflected, and compared
with ``parse_ddl`` of the same text: tables, columns (name, kind, nullability,
identity, generated), keys, uniques, partitions, enums, domains and CHECKs.
Under CI=true a missing server, client or schema file fails instead of skipping.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from seedbed.schema.ddl import parse_ddl
from seedbed.schema.model import MAXVALUE, MINVALUE, Schema, Table
from seedbed.schema.order import load_order
from seedbed.schema.reflect import reflect_schema
from tests.conftest import IN_CI, MYSQL_URL, PG_URL

SCHEMAS = Path(os.environ.get("SEEDBED_SCHEMAS", Path(__file__).resolve().parents[2] / "shared" / "schemas"))

PG_CASES = [
    "pagila/schema.sql",
    "northwind_pg/schema.sql",
    "pgbench/schema.sql",
    "pgbench/schema_partitioned.sql",
    "supabase_auth_gotrue/schema.sql",
]
MYSQL_CASES = ["sakila_mysql/schema.sql", "employees_mysql/schema.sql", "employees_mysql/schema_partitioned.sql"]
SQLITE_CASES = ["chinook_sqlite/schema.sql"]

# CHECKs that the two readers cannot normalise to the same text, per case:
# {(table, check name): why}. For these only the count is compared. There are none
# today; add one here, with the reason, rather than loosening the comparison.
CHECK_EXCEPTIONS: dict[str, dict[tuple[str, str], str]] = {}


def _unavailable(msg: str) -> None:
    if IN_CI:
        pytest.fail(msg + " — CI requires it", pytrace=False)
    pytest.skip(msg)


def _read(case: str) -> str:
    path = SCHEMAS / case
    if not path.is_file():
        _unavailable(f"{path} is missing")
    return path.read_text(encoding="utf-8")


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        _unavailable(f"{tool} is not installed")


def _load(cmd: list[str], **kw) -> None:
    done = subprocess.run(cmd, capture_output=True, timeout=120, **kw)
    if done.returncode:
        pytest.fail(
            f"{' '.join(cmd[:1])} could not load the schema:\n{done.stderr.decode(errors='replace')[-2000:]}",
            pytrace=False,
        )


# -- databases ----------------------------------------------------------------------------


@contextmanager
def _pg_database(case: str) -> Iterator[str]:
    """A fresh PostgreSQL database with ``case`` loaded by psql; yields its URL."""
    import psycopg

    _need("psql")
    name = f"sb_real_{re.sub(r'[^a-z0-9]+', '_', case.lower())[:30]}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as err:
        _unavailable(f"PostgreSQL is not reachable ({err})")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        _load(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(SCHEMAS / case)])
        yield url
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def mysql_schema_text(text: str) -> str:
    """The schema part of a MySQL file, to load into a database of our choosing: no
    DROP/CREATE DATABASE, no USE, no ``source`` of data files, and no ``db.`` before
    table names (sakila's views say ``sakila.film``)."""
    text = re.sub(r"(?im)^[ \t]*(DROP|CREATE)[ \t]+(DATABASE|SCHEMA)\b[^;]*;", "", text)
    text = re.sub(r"(?im)^[ \t]*USE[ \t]+\w+[ \t]*;", "", text)
    text = re.sub(r"(?im)^[ \t]*source[ \t]+\S+.*$", "", text)
    return re.sub(r"\b(sakila|employees)\.(?=\w)", "", text)


@contextmanager
def _mysql_database(text: str) -> Iterator[str]:
    """A fresh MariaDB/MySQL database with ``text`` loaded by the mariadb client."""
    pymysql = pytest.importorskip("pymysql")
    _need("mariadb")
    url = sa.make_url(MYSQL_URL)
    name = f"sb_real_{uuid.uuid4().hex[:10]}"
    try:
        admin = pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            autocommit=True,
            connect_timeout=5,
        )
    except pymysql.err.OperationalError as err:
        _unavailable(f"MySQL is not reachable ({err})")
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
        client = ["mariadb", "-h", url.host or "127.0.0.1", "-P", str(url.port or 3306), f"-u{url.username}"] + (
            [f"-p{url.password}"] if url.password else []
        )
        try:
            _load([*client, name], input=text.encode())
            yield url.set(drivername="mysql+pymysql", database=name).render_as_string(False)
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        admin.close()


def _pg_user_schemas(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                sa.text(
                    "SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema' "
                    "AND left(nspname, 3) <> 'pg_' ORDER BY nspname"
                )
            )
        ]


def _reflect(url: str, *, all_schemas: bool = False) -> Schema:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        return reflect_schema(engine, schemas=_pg_user_schemas(engine) if all_schemas else None)
    finally:
        engine.dispose()


# -- the comparison ---------------------------------------------------------------------------


def _columns(t: Table) -> list[tuple]:
    return [(c.name, c.type.kind, c.nullable, c.identity, c.generated) for c in t.columns]


def _partitioning(t: Table) -> tuple:
    return (t.partition_of, t.partition_bound, t.partition_kind, t.partition_key, t.partitions)


def assert_same_model(reflected: Schema, parsed: Schema, case: str) -> None:
    """Field by field (readable failures), then the whole model."""
    assert reflected.names == parsed.names
    exceptions = CHECK_EXCEPTIONS.get(case, {})
    for got, want in zip(reflected.tables, parsed.tables, strict=True):
        name = got.qualified
        assert _columns(got) == _columns(want), name
        assert got.primary_key == want.primary_key, name
        assert got.foreign_keys == want.foreign_keys, name
        assert got.uniques == want.uniques, name
        assert _partitioning(got) == _partitioning(want), name
        assert len(got.checks) == len(want.checks), name
        skip = {ck for (table, ck) in exceptions if table == name}
        assert {c for c in got.checks if c.name not in skip} == {c for c in want.checks if c.name not in skip}, name
    assert {e.name: e.values for e in reflected.enums} == {e.name: e.values for e in parsed.enums}
    assert reflected.domains == parsed.domains
    if not exceptions:
        assert reflected == parsed  # types, defaults, everything


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=PG_CASES)
def pg_case(request) -> tuple[str, Schema, Schema]:
    case = request.param
    parsed = parse_ddl(_read(case), "postgres")
    with _pg_database(case) as url:
        reflected = _reflect(url, all_schemas=True)
    return case, reflected, parsed


def test_postgres_schema_reflects_to_the_parsed_model(pg_case):
    case, reflected, parsed = pg_case
    assert_same_model(reflected, parsed, case)
    assert load_order(parsed)[0] == load_order(reflected)[0]


def test_pagila_partitions_and_domains():
    s = parse_ddl(_read("pagila/schema.sql"), "postgres")
    payment = s.table("payment")
    assert (payment.partition_kind, payment.partition_key) == ("range", ("payment_date",))
    assert payment.is_partitioned and not payment.is_partition
    parts = s.partitions_of("payment")
    assert [p.name for p in parts] == [f"payment_p2022_0{m}" for m in range(1, 8)]
    first = parts[0]
    assert first.is_partition and first.partition_of == "payment"
    assert first.partition_bound.kind == "range"
    assert first.partition_bound.lower == ("2022-01-01 00:00:00+00",)
    # written '2022-04-01 01:00:00+01' in the dump: the same instant, in UTC
    assert parts[2].partition_bound.upper == ("2022-04-01 00:00:00+00",)
    # the parent's primary key is created on each attached partition
    assert all(p.primary_key == ("payment_date", "payment_id") for p in parts)
    assert [p.name for p in parts if not p.foreign_keys] == ["payment_p2022_07"]
    assert first.column("payment_id").identity  # the parent's serial default, written out
    assert [d.name for d in s.domains] == ["bıgınt", "year"]
    year = s.domain("year")
    assert (year.base.kind, year.nullable) == ("int", True)
    assert [(c.sql, c.name) for c in year.checks] == [("VALUE >= 1901 AND VALUE <= 2155", "year_check")]
    film = s.table("film")
    assert (film.column("release_year").type.kind, film.column("release_year").type.raw) == ("int", "year")
    assert ("release_year >= 1901 AND release_year <= 2155", "year_check") in [(c.sql, c.name) for c in film.checks]
    assert s.domain("bıgınt").base.kind == "bigint"


def test_pgbench_partitioned_bounds():
    s = parse_ddl(_read("pgbench/schema_partitioned.sql"), "postgres")
    bounds = [p.partition_bound for p in s.partitions_of("pgbench_accounts")]
    assert [(b.lower, b.upper) for b in bounds] == [
        ((MINVALUE,), (25001,)),
        ((25001,), (50001,)),
        ((50001,), (75001,)),
        ((75001,), (MAXVALUE,)),
    ]
    assert math.isinf(bounds[0].lower[0]) and bounds[0].lower[0] < 0
    # the parent's foreign key is on every partition, under the parent's name
    assert {fk.name for p in s.partitions_of("pgbench_accounts") for fk in p.foreign_keys} == {
        "pgbench_accounts_bid_fkey"
    }
    # pgbench_history -> pgbench_accounts is one foreign key (PostgreSQL's per-partition
    # copies on pgbench_history are not the user's rules and are not in the model)
    assert [fk.ref_table for fk in s.table("pgbench_history").foreign_keys] == [
        "pgbench_accounts",
        "pgbench_branches",
        "pgbench_tellers",
    ]
    order, cuts = load_order(s)
    assert order == ["pgbench_branches", "pgbench_accounts", "pgbench_tellers", "pgbench_history"]
    assert not cuts


def test_supabase_auth_shape():
    s = parse_ddl(_read("supabase_auth_gotrue/schema.sql"), "postgres")
    assert sum(t.schema == "auth" for t in s.tables) == 23
    assert len(s.enums) == 9
    assert sum(len(t.checks) for t in s.tables) == 43
    assert s.table("auth.users").column("confirmed_at").generated
    assert s.table("auth.identities").column("email").generated


# -- MySQL / MariaDB ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=MYSQL_CASES)
def mysql_case(request) -> tuple[str, Schema, Schema]:
    case = request.param
    text = mysql_schema_text(_read(case))
    # "mariadb": its executable comments are MariaDB's (/*!50705 ...*/ is skipped there)
    parsed = parse_ddl(text, "mariadb")
    with _mysql_database(text) as url:
        reflected = _reflect(url)
    return case, reflected, parsed


def test_mysql_schema_reflects_to_the_parsed_model(mysql_case):
    case, reflected, parsed = mysql_case
    assert_same_model(reflected, parsed, case)


def test_sakila_details():
    text = mysql_schema_text(_read("sakila_mysql/schema.sql"))
    s = parse_ddl(text, "mariadb")
    # the procedure's CREATE TEMPORARY TABLE (inside DELIMITER //) is not a table
    assert "tmpCustomer" not in s.names
    assert not s.table("address").has_column("location")  # /*!50705 ...*/: not on MariaDB
    assert parse_ddl(text, "mysql").table("address").has_column("location")  # MySQL 5.7+
    assert s.table("staff").column("active").type.kind == "bool"  # BOOLEAN is TINYINT(1)
    assert s.table("staff").column("active").default == "1"
    assert s.table("staff").fk_for("store_id").ref_table == "store"
    assert s.table("store").fk_for("manager_staff_id").ref_table == "staff"
    assert s.table("actor").column("last_update").default == "CURRENT_TIMESTAMP()"
    assert s.enum("film_rating").values == ("G", "PG", "PG-13", "R", "NC-17")


def test_employees_partitions():
    s = parse_ddl(mysql_schema_text(_read("employees_mysql/schema_partitioned.sql")), "mariadb")
    for name in ("titles", "salaries"):
        t = s.table(name)
        assert (t.partition_kind, t.partition_key, t.partition_of) == ("range", ("from_date",), None)
        assert len(t.partitions) == 19
        assert t.partitions[0].name == "p01"
        assert t.partitions[0].lower == (MINVALUE,)
        assert t.partitions[0].upper == ("1985-12-31",)
        assert t.partitions[1].lower == ("1985-12-31",)
        assert t.partitions[-1].upper == (MAXVALUE,)
    assert s.names == parse_ddl(mysql_schema_text(_read("employees_mysql/schema.sql")), "mariadb").names


# -- SQLite ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", SQLITE_CASES)
def test_sqlite_schema_reflects_to_the_parsed_model(case, tmp_path):
    text = _read(case)
    db = tmp_path / "real.db"
    con = sqlite3.connect(db)
    try:
        con.executescript(text)
    finally:
        con.close()
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        reflected = reflect_schema(engine)
    finally:
        engine.dispose()
    parsed = parse_ddl(text, "sqlite")
    assert_same_model(reflected, parsed, case)
    assert parsed.table("Employee").fk_for("ReportsTo").ref_table == "Employee"
