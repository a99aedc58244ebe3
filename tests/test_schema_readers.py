"""The two schema readers agree: DDL parsed by sqlglot == the database reflected.

The central property: run the recipe DDL on PostgreSQL, reflect it, and get
exactly the model ``parse_ddl`` built from the file.
"""

from __future__ import annotations

from importlib.resources import files

import pytest
import sqlalchemy as sa

from seedbed.errors import ConnectionFailed
from seedbed.schema import ddl as ddl_module
from seedbed.schema.ddl import normalize_check, parse_ddl, transpile_ddl
from seedbed.schema.model import Check, ForeignKey, Schema, Unique
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
        t.qualified: (tuple(c.name for c in t.columns), t.primary_key, t.foreign_keys, t.uniques)
        for t in schema.tables
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
    assert status.values == ("backlog", "todo", "in_progress", "in_review", "blocked", "done",
                             "cancelled")
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
    assert (audit.column("ip_address").type.kind, audit.column("ip_address").type.raw) == \
        ("other", "INET")


def test_recipe_uniques(recipe):
    assert recipe.table("users").uniques == (Unique(("email",), "users_email_key", index=True),)
    assert recipe.table("workspaces").uniques == (
        Unique(("organization_id", "slug"), "workspaces_org_slug_key"),)
    # a plain CREATE INDEX is not a uniqueness rule
    assert recipe.table("organizations").uniques == ()
    assert recipe.table("audit_events").uniques == ()


def test_recipe_foreign_keys(recipe):
    fks = recipe.table("user_organizations").foreign_keys
    assert fks == (
        ForeignKey(("organization_id",), "organizations", ("id",),
                   "user_organizations_organization_id_fkey"),
        ForeignKey(("user_id",), "users", ("id",), "user_organizations_user_id_fkey"),
    )
    assert recipe.table("work_tasks").fk_for("assignee_id").ref_table == "users"
    deps = recipe.table("work_task_dependencies")
    assert {fk.ref_table for fk in deps.foreign_keys} == {"work_tasks"}
    assert recipe.table("workspace_storage_usage").fk_for("workspace_id").ref_table == "workspaces"


def test_recipe_checks(recipe):
    assert recipe.table("projects").checks == (
        Check("budget >= 0", "projects_budget_check"),
        Check("status IN ('planned', 'active', 'on_hold', 'completed', 'archived')",
              "projects_status_check"),
        Check("target_end_date > start_date", "projects_dates_check"),
    )
    # BETWEEN is stored expanded, the way PostgreSQL prints it back
    assert Check("weekly_capacity_hours >= 0 AND weekly_capacity_hours <= 60",
                 "workspace_members_weekly_capacity_hours_check") \
        in recipe.table("workspace_members").checks


# -- normalisation ------------------------------------------------------------------

@pytest.mark.parametrize(("stored", "written"), [
    ("(role)::text = ANY ((ARRAY['owner'::character varying, 'admin'::character varying])::text[])",
     "role IN ('owner', 'admin')"),
    ("((priority >= 1) AND (priority <= 4))", "priority BETWEEN 1 AND 4"),
    ("(budget >= (0)::numeric)", "budget >= 0"),
    ("(x > '-1'::integer)", "x > -1"),
    ("((a = 1) OR (b = 2)) AND (c = 3)", "(a = 1 OR b = 2) AND c = 3"),
    ("(kind <> ALL (ARRAY['x'::text, 'y'::text]))", "kind NOT IN ('x', 'y')"),
    ('("order" > 0)', '"order" > 0'),
    ("(Total > 0)", "total > 0"),
])
def test_normalize_check_postgres(stored, written):
    assert normalize_check(stored, "postgres") == normalize_check(written, "postgres")


def test_normalize_check_keeps_needed_parentheses():
    assert normalize_check("(a = 1 OR b = 2) AND c = 3", "postgres") == \
        "(a = 1 OR b = 2) AND c = 3"
    assert normalize_check("a - (b - c) > 0", "postgres") == "a - (b - c) > 0"
    assert normalize_check("x NOT IN (1, 2)", "sqlite") == "x NOT IN (1, 2)"


def test_create_type_fallback_when_sqlglot_gives_up(monkeypatch):
    """Older sqlglot versions cannot parse CREATE TYPE ... AS ENUM: a regex reads it."""
    real = ddl_module.sqlglot.parse_one

    def parse_one(sql, *args, **kwargs):
        if sql.lstrip().upper().startswith("CREATE TYPE"):
            raise ddl_module.SqlglotError("unsupported")
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(ddl_module.sqlglot, "parse_one", parse_one)
    schema = parse_ddl("CREATE TYPE auth.mood AS ENUM ('ok', 'it''s bad');\n"
                       "CREATE TABLE t (m auth.mood);", "postgres")
    assert schema.enum("auth.mood").values == ("ok", "it's bad")
    assert schema.table("t").column("m").type.enum == "auth.mood"


# -- PostgreSQL: reflect == parse ------------------------------------------------------

def test_recipe_reflects_to_the_parsed_model(pg_recipe, recipe):
    assert_same(reflect_schema(pg_recipe), recipe)


def test_postgres_statements_are_rerunnable(pg_recipe):
    statements = transpile_ddl(RECIPE, "postgres", "postgres")
    assert all(s.startswith("CREATE TABLE IF NOT EXISTS") for s in statements
               if s.startswith("CREATE TABLE"))
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
    assert offices.foreign_keys == (ForeignKey(("country", "region_code"), "regions",
                                               ("country", "code"), "offices_region_fk", True),)
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
    assert parsed.table("auth.sessions").uniques == \
        (Unique(("token",), "sessions_token_idx", index=True),)
    pg_scratch(OTHER_SCHEMA, drop=["DROP TABLE account_notes", "DROP SCHEMA auth CASCADE"])
    reflected = reflect_schema(pg, schemas=["public", "auth"],
                               tables=["account_notes", "auth.accounts", "auth.sessions"])
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
    assert t.foreign_keys == (ForeignKey(("parent_id",), "categories", ("id",),
                                         "categories_parent_id_fkey"),)
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
    assert items.fk_for("parent_id") == ForeignKey(("parent_id",), "items", ("id",),
                                                   "items_parent_id_fkey")


def test_connection_failure_hides_the_password():
    engine = sa.create_engine("postgresql+psycopg://postgres:s3cr3t@127.0.0.1:1/nowhere",
                              connect_args={"connect_timeout": 2})
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
    assert any(c.sql.startswith("status IN ('backlog'")
               for c in reflected.table("work_tasks").checks)
    with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.exec_driver_sql(
            "INSERT INTO work_tasks (id, project_id, title, status, priority, rank, start_date,"
            " due_date, created_at) VALUES ('t', 'p', 'x', 'nope', 1, 1, '2024-01-01',"
            " '2024-01-02', '2024-01-01')")


@pytest.mark.parametrize("ddl", [COMPOSITE, SELF_REF, OTHER_SCHEMA.replace("auth.", "")
                                 .replace("CREATE SCHEMA auth;", "")])
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
        admin = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username,
                                password=url.password or "", autocommit=True, connect_timeout=5)
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
        return {name: (cols, pk, fks, {(u.columns, u.name) for u in uniques})
                for name, (cols, pk, fks, uniques) in structure(schema).items()}

    assert keys(reflected) == keys(recipe)
    assert reflected.table("work_tasks").column("status").type.kind == "enum"
    assert {t.name: t.checks for t in reflected.tables} == {t.name: t.checks for t in recipe.tables}
