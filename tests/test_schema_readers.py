"""The two schema readers agree: DDL parsed by sqlglot == the database reflected.

The central property: run the recipe DDL on PostgreSQL, reflect it, and get
exactly the model ``parse_ddl`` built from the file.
"""

from __future__ import annotations

from importlib.resources import files

import pytest
import sqlalchemy as sa

from seedbed.errors import ConnectionFailed
from seedbed.schema.ddl import normalize_check, parse_ddl, split_statements, transpile_ddl
from seedbed.schema.model import (
    MAXVALUE,
    MINVALUE,
    Check,
    ColumnType,
    ForeignKey,
    PartitionBound,
    Schema,
    Unique,
)
from seedbed.schema.order import load_order
from seedbed.schema.reflect import reflect_schema

RECIPE = files("seedbed").joinpath("recipes/scale_seed/schema.sql").read_text()


def sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def assert_same(reflected: Schema, parsed: Schema) -> None:
    """Whole-model equality, but fail table by table so the diff is readable."""
    assert reflected.names == parsed.names
    for got, want in zip(reflected.tables, parsed.tables, strict=True):
        assert got == want, got.qualified
    assert reflected.enums == parsed.enums
    assert reflected == parsed


def structure(schema: Schema) -> dict:
    """What survives a trip to SQLite: tables, keys, uniques (not types or enums)."""
    return {
        t.qualified: (tuple(c.name for c in t.columns), t.primary_key, t.foreign_keys, t.uniques) for t in schema.tables
    }


@pytest.fixture(scope="module")
def pg(pg_url):
    engine = sa.create_engine(sa_url(pg_url))
    yield engine
    engine.dispose()


def run(engine: sa.Engine, statements: list[str]) -> None:
    with engine.begin() as conn:
        for stmt in statements:
            conn.exec_driver_sql(stmt)


@pytest.fixture(scope="module")
def pg_recipe(pg) -> sa.Engine:
    """The module database with the recipe created in it (once)."""
    run(pg, transpile_ddl(RECIPE, "postgres", "postgres"))
    return pg


@pytest.fixture()
def pg_scratch(pg):
    """Create a small schema for one test and drop it afterwards, so that the recipe
    test (which reflects the whole database) sees the recipe alone in any test order."""
    drops: list[str] = []

    def create(ddl: str, *, drop: list[str]) -> None:
        drops.extend(drop)
        run(pg, transpile_ddl(ddl, "postgres", "postgres"))

    yield create
    run(pg, drops)


# -- parsing the recipe ----------------------------------------------------------


@pytest.fixture(scope="module")
def recipe() -> Schema:
    return parse_ddl(RECIPE, "postgres")


def test_recipe_tables_and_keys(recipe):
    assert len(recipe.tables) == 15
    assert recipe.names == sorted(recipe.names)
    assert recipe.table("user_organizations").primary_key == ("user_id", "organization_id")
    assert recipe.table("users").primary_key == ("id",)
    # primary-key columns are NOT NULL even where the DDL does not say so
    assert recipe.table("users").column("id").nullable is False
    assert recipe.table("users").column("job_title").nullable is True


def test_recipe_enum(recipe):
    (status,) = recipe.enums
    assert status.name == "task_status"
    assert status.values == ("backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled")
    col = recipe.table("work_tasks").column("status")
    assert (col.type.kind, col.type.enum) == ("enum", "task_status")


def test_recipe_types(recipe):
    t = recipe.table("work_tasks")
    assert t.column("priority").type.kind == "smallint"
    assert t.column("rank").type.kind == "int"
    est = t.column("estimate_hours").type
    assert (est.kind, est.precision, est.scale) == ("numeric", 6, 1)
    assert t.column("created_at").type.kind == "timestamptz"
    assert t.column("start_date").type.kind == "date"
    title = t.column("title").type
    assert (title.kind, title.length) == ("varchar", 300)
    audit = recipe.table("audit_events")
    assert audit.column("id").type.kind == "uuid"
    assert audit.column("details").type.kind == "json"
    assert (audit.column("ip_address").type.kind, audit.column("ip_address").type.raw) == ("other", "INET")


def test_recipe_uniques(recipe):
    assert recipe.table("users").uniques == (Unique(("email",), "users_email_key", index=True),)
    assert recipe.table("workspaces").uniques == (Unique(("organization_id", "slug"), "workspaces_org_slug_key"),)
    # a plain CREATE INDEX is not a uniqueness rule
    assert recipe.table("organizations").uniques == ()
    assert recipe.table("audit_events").uniques == ()


def test_recipe_foreign_keys(recipe):
    fks = recipe.table("user_organizations").foreign_keys
    assert fks == (
        ForeignKey(("organization_id",), "organizations", ("id",), "user_organizations_organization_id_fkey"),
        ForeignKey(("user_id",), "users", ("id",), "user_organizations_user_id_fkey"),
    )
    assert recipe.table("work_tasks").fk_for("assignee_id").ref_table == "users"
    deps = recipe.table("work_task_dependencies")
    assert {fk.ref_table for fk in deps.foreign_keys} == {"work_tasks", "projects", "organizations"}
    assert recipe.table("workspace_storage_usage").fk_for("workspace_id").ref_table == "workspaces"


def test_recipe_checks(recipe):
    assert recipe.table("projects").checks == (
        Check("budget >= 0", "projects_budget_check"),
        Check("status IN ('planned', 'active', 'on_hold', 'completed', 'archived')", "projects_status_check"),
        Check("target_end_date > start_date", "projects_dates_check"),
    )
    # BETWEEN is stored expanded, the way PostgreSQL prints it back
    assert (
        Check(
            "weekly_capacity_hours >= 0 AND weekly_capacity_hours <= 60",
            "workspace_members_weekly_capacity_hours_check",
        )
        in recipe.table("workspace_members").checks
    )


# -- normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        (
            "(role)::text = ANY ((ARRAY['owner'::character varying, 'admin'::character varying])::text[])",
            "role IN ('owner', 'admin')",
        ),
        ("((priority >= 1) AND (priority <= 4))", "priority BETWEEN 1 AND 4"),
        ("(budget >= (0)::numeric)", "budget >= 0"),
        ("(x > '-1'::integer)", "x > -1"),
        ("((a = 1) OR (b = 2)) AND (c = 3)", "(a = 1 OR b = 2) AND c = 3"),
        ("(kind <> ALL (ARRAY['x'::text, 'y'::text]))", "kind NOT IN ('x', 'y')"),
        ('("order" > 0)', '"order" > 0'),
        ("(Total > 0)", "total > 0"),
    ],
)
def test_normalize_check_postgres(stored, written):
    assert normalize_check(stored, "postgres") == normalize_check(written, "postgres")


def test_normalize_check_keeps_needed_parentheses():
    assert normalize_check("(a = 1 OR b = 2) AND c = 3", "postgres") == "(a = 1 OR b = 2) AND c = 3"
    assert normalize_check("a - (b - c) > 0", "postgres") == "a - (b - c) > 0"
    assert normalize_check("x NOT IN (1, 2)", "sqlite") == "x NOT IN (1, 2)"


def test_create_type_fallback_when_sqlglot_gives_up(monkeypatch):
    """Older sqlglot versions cannot parse CREATE TYPE ... AS ENUM: a regex reads it."""
    import sqlglot
    from sqlglot.errors import SqlglotError

    real = sqlglot.parse_one

    def parse_one(sql, *args, **kwargs):
        if sql.lstrip().upper().startswith("CREATE TYPE"):
            raise SqlglotError("unsupported")
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(sqlglot, "parse_one", parse_one)
    schema = parse_ddl("CREATE TYPE auth.mood AS ENUM ('ok', 'it''s bad');\nCREATE TABLE t (m auth.mood);", "postgres")
    assert schema.enum("auth.mood").values == ("ok", "it's bad")
    assert schema.table("t").column("m").type.enum == "auth.mood"


# -- PostgreSQL: reflect == parse ------------------------------------------------------


def test_recipe_reflects_to_the_parsed_model(pg_recipe, recipe):
    assert_same(reflect_schema(pg_recipe), recipe)


def test_postgres_statements_are_rerunnable(pg_recipe):
    statements = transpile_ddl(RECIPE, "postgres", "postgres")
    assert all(s.startswith("CREATE TABLE IF NOT EXISTS") for s in statements if s.startswith("CREATE TABLE"))
    assert statements[0].startswith("DO $seedbed$ BEGIN CREATE TYPE task_status AS ENUM")
    run(pg_recipe, statements)  # a second time: no error
    assert_same(reflect_schema(pg_recipe), parse_ddl(RECIPE, "postgres"))


COMPOSITE = """
CREATE TABLE regions (
    country char(2),
    code varchar(10),
    name text NOT NULL,
    PRIMARY KEY (country, code)
);
CREATE TABLE offices (
    id bigserial PRIMARY KEY,
    country char(2) NOT NULL,
    region_code varchar(10) NOT NULL,
    opened date DEFAULT CURRENT_DATE,
    CONSTRAINT offices_region_fk FOREIGN KEY (country, region_code)
        REFERENCES regions (country, code) DEFERRABLE INITIALLY DEFERRED
);
"""


def test_composite_foreign_key(pg_scratch, pg):
    parsed = parse_ddl(COMPOSITE, "postgres")
    offices = parsed.table("offices")
    assert offices.foreign_keys == (
        ForeignKey(("country", "region_code"), "regions", ("country", "code"), "offices_region_fk", True),
    )
    assert offices.fk_for("country") is None  # not a single-column key
    assert offices.column("id").identity and offices.column("id").default is None
    pg_scratch(COMPOSITE, drop=["DROP TABLE offices, regions"])
    assert_same(reflect_schema(pg, tables=["regions", "offices"]), parsed)


OTHER_SCHEMA = """
CREATE SCHEMA auth;
CREATE TYPE auth.role AS ENUM ('admin', 'member');
CREATE TABLE auth.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    role auth.role NOT NULL DEFAULT 'member',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE auth.sessions (
    id uuid PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
    token text
);
CREATE TABLE account_notes (
    id serial PRIMARY KEY,
    account_id bigint REFERENCES auth.accounts,
    body text CHECK (length(body) < 1000)
);
CREATE UNIQUE INDEX ON auth.sessions (token);
"""


def test_table_in_a_non_default_schema(pg_scratch, pg):
    parsed = parse_ddl(OTHER_SCHEMA, "postgres")
    assert parsed.names == ["account_notes", "auth.accounts", "auth.sessions"]
    accounts = parsed.table("auth.accounts")
    assert accounts.schema == "auth" and accounts.name == "accounts"
    assert accounts.column("role").type.enum == "auth.role"
    assert accounts.column("role").default == "'member'"
    assert accounts.column("id").identity
    assert accounts.uniques == (Unique(("email",), "accounts_email_key"),)
    assert parsed.table("auth.sessions").fk_for("account_id").ref_table == "auth.accounts"
    # REFERENCES without columns means the primary key
    assert parsed.table("account_notes").fk_for("account_id").ref_columns == ("id",)
    assert parsed.table("auth.sessions").uniques == (Unique(("token",), "sessions_token_idx", index=True),)
    pg_scratch(OTHER_SCHEMA, drop=["DROP TABLE account_notes", "DROP SCHEMA auth CASCADE"])
    reflected = reflect_schema(
        pg, schemas=["public", "auth"], tables=["account_notes", "auth.accounts", "auth.sessions"]
    )
    assert_same(reflected, parsed)


SELF_REF = """
CREATE TABLE categories (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES categories (id),
    name text NOT NULL,
    UNIQUE (parent_id, name)
);
"""


def test_self_reference(pg_scratch, pg):
    parsed = parse_ddl(SELF_REF, "postgres")
    t = parsed.table("categories")
    assert t.foreign_keys == (ForeignKey(("parent_id",), "categories", ("id",), "categories_parent_id_fkey"),)
    assert t.uniques == (Unique(("parent_id", "name"), "categories_parent_id_name_key"),)
    pg_scratch(SELF_REF, drop=["DROP TABLE categories"])
    assert_same(reflect_schema(pg, tables=["categories"]), parsed)


PG_DUMP = """
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END; $$;
CREATE TABLE public.items (
    id integer NOT NULL,
    seq bigint NOT NULL,
    "Label" text DEFAULT 'x'::text,
    parent_id integer
);
CREATE SEQUENCE public.items_id_seq AS integer START WITH 1 INCREMENT BY 1 CACHE 1;
ALTER SEQUENCE public.items_id_seq OWNED BY public.items.id;
ALTER TABLE public.items ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.items_seq_seq START WITH 1 INCREMENT BY 1 CACHE 1);
ALTER TABLE ONLY public.items ALTER COLUMN id SET DEFAULT nextval('public.items_id_seq'::regclass);
ALTER TABLE ONLY public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.items
    ADD CONSTRAINT items_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.items(id);
CREATE INDEX items_parent_idx ON public.items USING btree (parent_id);
GRANT ALL ON TABLE public.items TO PUBLIC;
"""


def test_pg_dump_style_ddl():
    """Constraints and serial defaults that pg_dump adds with ALTER TABLE are read;
    functions, sequences, grants are skipped."""
    items = parse_ddl(PG_DUMP, "postgres").table("items")
    assert items.schema is None and items.primary_key == ("id",)
    assert [c.name for c in items.columns] == ["id", "seq", "Label", "parent_id"]
    assert items.column("id").identity and items.column("id").default is None
    assert items.column("seq").identity
    assert items.column("Label").default == "'x'"
    assert items.fk_for("parent_id") == ForeignKey(("parent_id",), "items", ("id",), "items_parent_id_fkey")


def test_connection_failure_hides_the_password():
    engine = sa.create_engine(
        "postgresql+psycopg://postgres:s3cr3t@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(ConnectionFailed) as info:
        reflect_schema(engine)
    assert "s3cr3t" not in str(info.value)
    assert "127.0.0.1" in str(info.value)


# -- SQLite ----------------------------------------------------------------------------


def test_recipe_on_sqlite(sqlite_url, recipe):
    statements = transpile_ddl(RECIPE, "postgres", "sqlite")
    assert not any("TYPE" in s.split("(")[0] for s in statements)
    engine = sa.create_engine(sqlite_url)
    run(engine, statements)
    run(engine, statements)  # IF NOT EXISTS: harmless the second time
    reflected = reflect_schema(engine)
    assert structure(reflected) == structure(recipe)
    # what SQLite stores is also what parse_ddl makes of the SQLite statements
    assert reflected == parse_ddl(";\n".join(statements), "sqlite")
    status = reflected.table("work_tasks").column("status")
    assert status.type.kind == "text"  # the enum became text with an IN check
    assert any(c.sql.startswith("status IN ('backlog'") for c in reflected.table("work_tasks").checks)
    with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.exec_driver_sql(
            "INSERT INTO work_tasks (id, project_id, organization_id, title, status, priority, rank, start_date,"
            " due_date, created_at) VALUES ('t', 'p', 'o', 'x', 'nope', 1, 1, '2024-01-01',"
            " '2024-01-02', '2024-01-01')"
        )


@pytest.mark.parametrize(
    "ddl", [COMPOSITE, SELF_REF, OTHER_SCHEMA.replace("auth.", "").replace("CREATE SCHEMA auth;", "")]
)
def test_small_schemas_on_sqlite(tmp_path, ddl):
    parsed = parse_ddl(ddl, "postgres")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'small.db'}")
    run(engine, transpile_ddl(ddl, "postgres", "sqlite"))
    reflected = reflect_schema(engine)
    assert structure(reflected) == structure(parsed)
    for table in parsed.tables:  # the database still numbers identity keys
        for col in table.columns:
            if col.identity:  # (SQLite also numbers any INTEGER PRIMARY KEY: not the converse)
                assert reflected.table(table.name).column(col.name).identity


# -- MySQL / MariaDB -------------------------------------------------------------------

MYSQL_DDL = """
CREATE TABLE customers (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  tier ENUM('free', 'pro', 'enterprise') NOT NULL DEFAULT 'free',
  flags SET('a', 'b') NULL,
  balance DECIMAL(12, 2) NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY customers_email (email),
  CONSTRAINT customers_balance_ok CHECK (balance >= 0)
) ENGINE=InnoDB;
CREATE TABLE orders (
  id BIGINT NOT NULL AUTO_INCREMENT,
  customer_id INT NOT NULL,
  status VARCHAR(10) NOT NULL,
  qty SMALLINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT orders_status_ok CHECK (status IN ('new', 'paid')),
  CONSTRAINT orders_qty_ok CHECK (qty BETWEEN 1 AND 99)
);
CREATE UNIQUE INDEX orders_customer_status ON orders (customer_id, status);
"""


@pytest.fixture(scope="module")
def mysql():
    """A fresh MySQL/MariaDB database for this module (conftest has no MySQL fixture)."""
    import os
    import uuid

    pymysql = pytest.importorskip("pymysql")
    url = sa.make_url(os.environ.get("SEEDBED_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test"))
    name = f"sb_readers_{uuid.uuid4().hex[:8]}"
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
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"MySQL is not reachable ({err}) — CI requires it", pytrace=False)
        pytest.skip(f"MySQL is not reachable ({err})")
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    engine = sa.create_engine(url.set(drivername="mysql+pymysql", database=name))
    yield engine
    engine.dispose()
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    admin.close()


def test_mysql_reflects_to_the_parsed_model(mysql):
    parsed = parse_ddl(MYSQL_DDL, "mysql")
    customers = parsed.table("customers")
    assert customers.column("tier").type.enum == "customers_tier"
    assert parsed.enum("customers_tier").values == ("free", "pro", "enterprise")
    assert parsed.enum("customers_flags").values == ("a", "b")  # SET: one member per row
    assert customers.column("id").identity
    assert customers.column("balance").default == "0"
    run(mysql, transpile_ddl(MYSQL_DDL, "mysql", "mysql"))
    assert_same(reflect_schema(mysql, tables=["customers", "orders"]), parsed)


def test_recipe_on_mysql(mysql, recipe):
    run(mysql, transpile_ddl(RECIPE, "postgres", "mysql"))
    reflected = reflect_schema(mysql, tables=recipe.names)

    def keys(schema: Schema) -> dict:
        # MySQL has no unique index apart from the unique constraint: ignore the flag
        return {
            name: (cols, pk, fks, {(u.columns, u.name) for u in uniques})
            for name, (cols, pk, fks, uniques) in structure(schema).items()
        }

    assert keys(reflected) == keys(recipe)
    assert reflected.table("work_tasks").column("status").type.kind == "enum"
    assert {t.name: t.checks for t in reflected.tables} == {t.name: t.checks for t in recipe.tables}


# -- partitions and domains ------------------------------------------------------------

PARTITIONED = """
CREATE SCHEMA app;
CREATE DOMAIN app.positive AS integer DEFAULT 7 NOT NULL
    CONSTRAINT positive_check CHECK (VALUE > 0) CHECK (VALUE < 100);
CREATE DOMAIN small_positive AS app.positive CHECK (VALUE < 10);
CREATE DOMAIN code AS varchar(12) COLLATE "C" CHECK (VALUE ~ '^[A-Z]+$');
CREATE DOMAIN "bıgınt" AS bigint CHECK (VALUE <> 0);
CREATE DOMAIN Year AS int CHECK (VALUE BETWEEN 1901 AND 2155);
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE DOMAIN good_mood AS mood DEFAULT 'ok';
CREATE TABLE ref (id int PRIMARY KEY);
CREATE TABLE events (
    id serial,
    k int GENERATED BY DEFAULT AS IDENTITY,
    a int DEFAULT 3,
    b text CHECK (b <> ''),
    d app.positive,
    e small_positive DEFAULT 5,
    big bıgınt,
    y year,
    c code,
    m good_mood,
    codes code[],
    ts timestamptz NOT NULL,
    r int REFERENCES ref,
    g int GENERATED ALWAYS AS (a * 2) STORED,
    PRIMARY KEY (id, ts),
    UNIQUE (a, ts)
) PARTITION BY RANGE (ts);
CREATE UNIQUE INDEX ON events (b, ts);
CREATE TABLE events_2022_01 PARTITION OF events FOR VALUES FROM ('2022-01-01') TO ('2022-02-01');
CREATE TABLE events_2022_02 PARTITION OF events (
    a WITH OPTIONS DEFAULT 4 NOT NULL,
    CONSTRAINT feb_b CHECK (length(b) < 10)
) FOR VALUES FROM ('2022-02-01 01:00+01') TO ('2022-03-01T00:00:00Z');
CREATE TABLE events_rest (
    id int NOT NULL, k int NOT NULL, a int, b text CONSTRAINT events_b_check CHECK (b <> ''),
    d app.positive, e small_positive, big bıgınt, y year, c code, m good_mood, codes code[],
    ts timestamptz NOT NULL, r int, g int GENERATED ALWAYS AS (a * 2) STORED
);
ALTER TABLE ONLY events ATTACH PARTITION events_rest
    FOR VALUES FROM ('2022-03-01 00:00:00+00') TO (MAXVALUE);
CREATE TABLE hashed (a int, b text, c date) PARTITION BY HASH ((a + 1), lower(b));
CREATE TABLE hashed_0 PARTITION OF hashed FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE hashed_1 PARTITION OF hashed FOR VALUES WITH (modulus 2, remainder 1);
CREATE TABLE listed (a int, "B" text COLLATE "C", PRIMARY KEY (a, "B")) PARTITION BY LIST ("B");
CREATE TABLE listed_x PARTITION OF listed FOR VALUES IN ('x', 'it''s');
CREATE TABLE listed_other PARTITION OF listed DEFAULT;
CREATE TABLE listed_y PARTITION OF listed FOR VALUES IN ('y') PARTITION BY RANGE (a);
CREATE TABLE listed_y_low PARTITION OF listed_y FOR VALUES FROM (MINVALUE) TO (-10);
CREATE TABLE listed_y_high PARTITION OF listed_y FOR VALUES FROM ('-10') TO (MAXVALUE);
CREATE TABLE flags (f boolean, n numeric(6, 2)) PARTITION BY LIST (f);
CREATE TABLE flags_t PARTITION OF flags FOR VALUES IN (true);
CREATE TABLE flags_null PARTITION OF flags FOR VALUES IN (NULL, false);
CREATE TABLE days (d date, n numeric(6, 2)) PARTITION BY RANGE (d, n);
CREATE TABLE days_1 PARTITION OF days FOR VALUES FROM ('2020-01-01', 0) TO ('2020-12-31', 1.50);
CREATE TABLE app.history (eid int, ets timestamptz, FOREIGN KEY (eid, ets) REFERENCES events (id, ts));
"""


@pytest.fixture(scope="module")
def partitioned() -> Schema:
    return parse_ddl(PARTITIONED, "postgres")


def test_partitioned_parent_and_partitions(partitioned):
    s = partitioned
    events = s.table("events")
    assert (events.partition_kind, events.partition_key, events.is_partitioned) == ("range", ("ts",), True)
    assert [t.name for t in s.partitions_of("events")] == ["events_2022_01", "events_2022_02", "events_rest"]
    jan, feb, rest = s.partitions_of(events)
    assert jan.partition_bound == PartitionBound(
        "range", lower=("2022-01-01 00:00:00+00",), upper=("2022-02-01 00:00:00+00",)
    )
    assert feb.partition_bound.lower == ("2022-02-01 00:00:00+00",)  # 01:00+01 is 00:00 UTC
    assert rest.partition_bound.upper == (MAXVALUE,)
    # PARTITION OF: the parent's columns; serial defaults come along, identity does not
    assert [c.name for c in jan.columns] == [c.name for c in events.columns]
    assert jan.column("id").identity and events.column("k").identity
    assert not jan.column("k").identity and not jan.column("k").nullable
    assert (feb.column("a").default, feb.column("a").nullable) == ("4", False)
    # keys and uniques are created on each partition under its own name; foreign keys
    # and checks keep the parent's
    assert jan.primary_key == ("id", "ts")
    assert [u.name for u in jan.uniques] == ["events_2022_01_a_ts_key", "events_2022_01_b_ts_idx"]
    assert [fk.name for fk in rest.foreign_keys] == ["events_r_fkey"]
    assert ("LENGTH(b) < 10", "feb_b") in [(c.sql, c.name) for c in feb.checks]
    assert sum(c.name == "events_b_check" for c in rest.checks) == 1
    # a foreign key to a partitioned table is one rule, to the parent
    assert [fk.ref_table for fk in s.table("app.history").foreign_keys] == ["events"]


def test_partition_bound_kinds(partitioned):
    s = partitioned
    assert s.table("hashed").partition_key == ("a + 1", "LOWER(b)")
    assert s.table("hashed_1").partition_bound == PartitionBound("hash", modulus=2, remainder=1)
    assert s.table("listed").partition_key == ("B",)
    assert s.table("listed_x").partition_bound == PartitionBound("list", values=("x", "it's"))
    assert s.table("listed_other").partition_bound == PartitionBound("default")
    sub = s.table("listed_y")  # a partition that is partitioned again
    assert (sub.is_partition, sub.partition_kind, sub.partition_key) == (True, "range", ("a",))
    assert s.table("listed_y_low").partition_bound.lower == (MINVALUE,)
    assert s.table("listed_y_high").partition_bound.lower == (-10,)
    assert s.table("flags_null").partition_bound.values == (None, False)
    assert s.table("days_1").partition_bound == PartitionBound(
        "range", lower=("2020-01-01", 0), upper=("2020-12-31", "1.5")
    )
    # partitions are loaded through their parent
    order, _ = load_order(s)
    assert not any(s.table(n).is_partition for n in order)
    assert order.index("events") < order.index("app.history")


def test_domains(partitioned):
    s = partitioned
    assert [d.name for d in s.domains] == ["app.positive", "bıgınt", "code", "good_mood", "small_positive", "year"]
    positive = s.domain("app.positive")
    assert (positive.base.kind, positive.nullable, positive.default) == ("int", False, "7")
    assert [(c.sql, c.name) for c in positive.checks] == [
        ("VALUE < 100", "positive_check1"),
        ("VALUE > 0", "positive_check"),
    ]
    small = s.domain("small_positive")  # a domain over a domain: its default is copied
    assert (small.base.kind, small.nullable, small.default) == ("int", True, "7")
    assert s.domain("code").base == ColumnType("varchar", length=12)
    assert s.domain("good_mood").base.enum == "mood"
    events = s.table("events")
    d, e = events.column("d"), events.column("e")
    assert (d.type.kind, d.type.raw, d.nullable, d.default) == ("int", "app.positive", False, "7")
    assert (e.nullable, e.default) == (False, "5")  # the base domain's NOT NULL holds
    assert events.column("big").type.kind == "bigint"  # unquoted bıgınt is the domain
    assert events.column("codes").type == ColumnType("array", item=ColumnType("varchar", length=12))
    assert events.column("m").type.enum == "mood"
    checks = {(c.sql, c.name) for c in events.checks}
    assert {
        ("d > 0", "positive_check"),
        ("d < 100", "positive_check1"),
        ("e < 10", "small_positive_check"),
        ("e > 0", "positive_check"),
        ("big <> 0", "bıgınt_check"),
        ("y >= 1901 AND y <= 2155", "year_check"),
    } <= checks


def test_partitions_and_domains_reflect_to_the_parsed_model(fresh_pg_url, partitioned):
    engine = sa.create_engine(sa_url(fresh_pg_url))
    try:
        run(engine, transpile_ddl(PARTITIONED, "postgres", "postgres"))
        assert_same(reflect_schema(engine, schemas=["public", "app"]), partitioned)
        assert reflect_schema(engine, schemas=["public", "app"]).domains == partitioned.domains
        # only some tables: the partition still knows its bound (parent read on the side)
        some = reflect_schema(engine, tables=["events_2022_02"])
        assert some.table("events_2022_02") == partitioned.table("events_2022_02")
        assert {d.name for d in some.domains} == {
            "app.positive",
            "small_positive",
            "bıgınt",
            "year",
            "code",
            "good_mood",
        }
    finally:
        engine.dispose()


def test_partitioned_schema_to_sqlite(partitioned, tmp_path):
    """Another dialect gets the partitioned table as one table; no partitions."""
    statements = transpile_ddl(
        PARTITIONED.replace("app.", "").replace("CREATE SCHEMA app;", "").replace(" ~ '^[A-Z]+$'", " <> ''"),
        "postgres",
        "sqlite",
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'p.db'}")
    run(engine, statements)
    names = reflect_schema(engine).names
    engine.dispose()
    assert "events" in names and "events_2022_01" not in names and "history" in names


# -- MySQL: partitions, constraint names, executable comments ------------------------

MYSQL_PARTITIONED = """
CREATE TABLE pa (id int PRIMARY KEY, x int CHECK (x > 0), y int, z int, CHECK (y > 0),
  CONSTRAINT pa_named CHECK (z > 0), CHECK (y < 100),
  UNIQUE KEY (y), UNIQUE (y, z), KEY (z), UNIQUE KEY (z), UNIQUE KEY (y),
  doc JSON, flag BOOLEAN DEFAULT TRUE, t TINYINT(1) NOT NULL DEFAULT 0,
  ts TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);
CREATE TABLE pb (id int, a_id int, a2 int, FOREIGN KEY (a_id) REFERENCES pa (id),
  CONSTRAINT pb_fkn FOREIGN KEY (a2) REFERENCES pa (id), FOREIGN KEY (id) REFERENCES pa (id));
ALTER TABLE pb ADD FOREIGN KEY (a2) REFERENCES pa (id);
CREATE TABLE pt (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d))
  (PARTITION p0 VALUES LESS THAN (1990), PARTITION p1 VALUES LESS THAN MAXVALUE);
CREATE TABLE pt2 (id int, d date, s varchar(3)) PARTITION BY RANGE COLUMNS (d, s)
  (PARTITION p0 VALUES LESS THAN ('1990-01-01', 'a'), PARTITION p1 VALUES LESS THAN (MAXVALUE, MAXVALUE));
CREATE TABLE pt3 (id int, s varchar(3)) PARTITION BY LIST COLUMNS (s)
  (PARTITION p0 VALUES IN ('a', 'b'), PARTITION p1 VALUES IN ('c', NULL));
CREATE TABLE pt4 (id int) ENGINE=InnoDB PARTITION BY LIST (id)
  (PARTITION p0 VALUES IN (1, 2) ENGINE = InnoDB, PARTITION p1 VALUES IN (3));
CREATE TABLE pt5 (id int PRIMARY KEY) PARTITION BY KEY () PARTITIONS 3;
CREATE TABLE pt6 (id int) PARTITION BY LINEAR HASH (id * 2) PARTITIONS 2;
CREATE TABLE pt7 (id int, d date) PARTITION BY RANGE (YEAR(d)) SUBPARTITION BY HASH (id)
  SUBPARTITIONS 2 (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE);
CREATE TABLE pt8 (a int, b varchar(2)) PARTITION BY LIST COLUMNS (a, b)
  (PARTITION p0 VALUES IN ((1, 'x'), (2, 'y')));
CREATE TABLE pt9 (id int CHECK (id <> 0), Created DATE) PARTITION BY HASH (TO_DAYS(created))
  (PARTITION h0, PARTITION h1);
CREATE TABLE pt10 (id int, d date, PRIMARY KEY (id, d));
ALTER TABLE pt10 PARTITION BY RANGE COLUMNS (d) (PARTITION p0 VALUES LESS THAN ('2000-01-01'),
  PARTITION p1 VALUES LESS THAN (MAXVALUE));
/*!40101 SET @x = 1 */;
CREATE TABLE pv (id int /*!50705 , mysql57 int */ /*M!100100 , mariadb_only int */
  /*!100200 , mariadb102 int */ /*!40000 , old int */);
DELIMITER ;;
CREATE TRIGGER pv_ins BEFORE INSERT ON pv FOR EACH ROW BEGIN
  SET NEW.id = 1;
END;;
CREATE PROCEDURE pv_proc() BEGIN CREATE TEMPORARY TABLE pv_tmp (x int); SELECT ';'; END ;;
DELIMITER ;
CREATE TABLE `pü` (`ä` int, ö int);
"""
MYSQL_PARTITIONED_TABLES = [
    "pa",
    "pb",
    "pt",
    "pt2",
    "pt3",
    "pt4",
    "pt5",
    "pt6",
    "pt7",
    "pt8",
    "pt9",
    "pt10",
    "pv",
    "pü",
]


def test_mysql_statements_delimiter_and_executable_comments():
    statements = split_statements(MYSQL_PARTITIONED, "mariadb")
    trigger = next(s for s in statements if s.startswith("CREATE TRIGGER"))
    assert trigger.endswith("END") and "SET NEW.id = 1;" in trigger
    assert any(s.startswith("CREATE PROCEDURE") and s.endswith("END") for s in statements)
    assert "SET @x = 1" in statements
    mariadb = parse_ddl(MYSQL_PARTITIONED, "mariadb")
    mysql = parse_ddl(MYSQL_PARTITIONED, "mysql")
    assert [c.name for c in mariadb.table("pv").columns] == ["id", "mariadb_only", "mariadb102", "old"]
    assert [c.name for c in mysql.table("pv").columns] == ["id", "mysql57", "old"]
    assert "pv_tmp" not in mariadb.names  # a procedure's temporary table


def test_mysql_partitions_parsed():
    s = parse_ddl(MYSQL_PARTITIONED, "mariadb")
    pt = s.table("pt")
    assert (pt.partition_kind, pt.partition_key, pt.is_partition) == ("range", ("YEAR(d)",), False)
    assert pt.partitions == (
        PartitionBound("range", lower=(MINVALUE,), upper=(1990,), name="p0"),
        PartitionBound("range", lower=(1990,), upper=(MAXVALUE,), name="p1"),
    )
    assert s.table("pt2").partitions[0].upper == ("1990-01-01", "a")
    assert s.table("pt3").partitions[1].values == ("c", None)
    assert s.table("pt5").partition_key == ("id",)  # KEY (): the primary key
    assert [p.remainder for p in s.table("pt5").partitions] == [0, 1, 2]
    assert s.table("pt7").partition_key == ("YEAR(d)",)  # subpartitions are not recorded
    assert s.table("pt8").partitions[0].values == ((1, "x"), (2, "y"))
    assert s.table("pt10").partitions[-1].upper == (MAXVALUE,)
    pa = s.table("pa")
    assert [u.name for u in pa.uniques] == ["y", "y_3", "y_2", "z_2"]
    assert {c.name for c in pa.checks} == {"x", "CONSTRAINT_1", "CONSTRAINT_2", "pa_named"}
    assert {(fk.columns, fk.name) for fk in s.table("pb").foreign_keys} == {
        (("a_id",), "pb_ibfk_1"),
        (("a2",), "pb_fkn"),
        (("id",), "pb_ibfk_2"),
        (("a2",), "pb_ibfk_3"),
    }
    assert pa.column("doc").type.kind == "json"
    assert (pa.column("flag").type.kind, pa.column("flag").default) == ("bool", "1")


def test_mysql_partitions_reflect_to_the_parsed_model(mysql):
    flavor = "mariadb" if getattr(mysql.dialect, "is_mariadb", False) else "mysql"
    parsed = parse_ddl(MYSQL_PARTITIONED, flavor)
    run(mysql, transpile_ddl(MYSQL_PARTITIONED, flavor, flavor))
    reflected = reflect_schema(mysql, tables=MYSQL_PARTITIONED_TABLES)
    assert reflected.names == parsed.names
    for got in reflected.tables:
        assert got == parsed.table(got.qualified), got.qualified


def test_partition_bound_values_are_canonical():
    from seedbed.schema.partitions import canonical_value

    assert canonical_value("2022-04-01 01:00:00+01", "timestamptz") == "2022-04-01 00:00:00+00"
    assert canonical_value("2022-04-01", "timestamptz") == "2022-04-01 00:00:00+00"
    assert canonical_value("2022-04-01 10:00:00.500+02", "timestamp") == "2022-04-01 10:00:00.5"
    assert canonical_value("2022-04-01", "date") == "2022-04-01"
    assert canonical_value("1.50", "numeric") == "1.5"
    assert canonical_value("10.00", "numeric") == 10
    assert canonical_value("t", "bool") is True
    assert canonical_value("infinity", "timestamptz") == "infinity"
