"""Seeding schemas with no plan: types, keys, uniques, CHECKs, cycles, composite keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from seedbed.planning.checks import read_checks
from seedbed.planning.init import inferred_plan, to_yaml
from seedbed.planning.load import parse_plan
from seedbed.run.export import export
from seedbed.run.options import SeedOptions
from seedbed.run.prepare import plan_for
from seedbed.run.seed import seed
from seedbed.run.source import Source, source_from
from seedbed.run.verify import verify
from seedbed.schema.ddl import parse_ddl
from seedbed.sinks import open_sink

FIXTURES = Path(__file__).parent / "fixtures"


def _seed_ddl(url: str, ddl: str, dialect: str, tmp_path: Path, **opts):
    path = tmp_path / "schema.sql"
    path.write_text(ddl)
    src = source_from(ddl=path, dialect=dialect)
    o = SeedOptions(seed=3, create_schema=True, manifest_dir=None, **opts)
    sink = open_sink(url)
    try:
        m = seed(sink, src, o)
        report = verify(sink, src, o)
        return m, report, sink
    except Exception:
        sink.close()
        raise


def test_every_postgres_type_gets_valid_values(fresh_pg_url, tmp_path):
    m, report, sink = _seed_ddl(fresh_pg_url, (FIXTURES / "types_pg.sql").read_text(), "postgres", tmp_path)
    try:
        assert m.tables["Everything"].inserted == 100 and report.ok
        # the serial sequence was moved past the seeded keys: the application's next insert works
        new_id = sink.conn.exec_driver_sql(
            'INSERT INTO "Everything" SELECT nextval(\'"Everything_id_seq"\'), s, i, b, n, r, d, m, flag, c, v, t, '
            'day, ts, tstz, tm, iv, u, j, jb, "by", ia, ta, mo, ip, net, mac, bits, vb, tsv, x, p, "select", '
            '"MixedCase", start_at, end_at, \'ZZZZZZ\' FROM "Everything" LIMIT 1 RETURNING id'
        ).scalar_one()
        assert new_id == 101
    finally:
        sink.close()


CONSTRAINED = """
CREATE TABLE team (
  id integer PRIMARY KEY,
  slug varchar(12) NOT NULL UNIQUE,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  budget numeric(8, 2) NOT NULL CHECK (budget BETWEEN 100 AND 5000),
  tier text NOT NULL CHECK (tier IN ('free', 'pro', 'enterprise')),
  website text CHECK (website IS NULL OR website LIKE 'https://%'),
  code text NOT NULL CHECK (char_length(code) <= 6 AND char_length(code) > 0),
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  CHECK (ends_on > starts_on)
);
CREATE TABLE member (
  team_id integer NOT NULL REFERENCES team (id),
  seat integer NOT NULL,
  joined date NOT NULL,
  PRIMARY KEY (team_id, seat)
);
CREATE TABLE region (a integer NOT NULL, b integer NOT NULL, label text, PRIMARY KEY (a, b));
CREATE TABLE office (
  id integer PRIMARY KEY,
  region_a integer NOT NULL,
  region_b integer NOT NULL,
  boss integer REFERENCES office (id),
  FOREIGN KEY (region_a, region_b) REFERENCES region (a, b)
);
CREATE TABLE log (office_id integer REFERENCES office (id), message text, at timestamp);
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_constraints_hold_by_construction(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'c.db'}" if backend == "sqlite" else request.getfixturevalue("fresh_pg_url")
    m, report, sink = _seed_ddl(url, CONSTRAINED, "postgres", tmp_path)
    try:
        assert report.ok, [(r.name, r.actual) for r in report.failures]
        assert all(r.inserted > 0 for r in m.tables.values())
        # composite foreign key: both columns come from one region row
        bad = sink.conn.exec_driver_sql(
            "SELECT count(*) FROM office o LEFT JOIN region r ON r.a = o.region_a AND r.b = o.region_b "
            "WHERE r.a IS NULL"
        ).scalar_one()
        assert bad == 0
        # a self-reference forms a tree: every boss was loaded before the office
        assert sink.conn.exec_driver_sql("SELECT count(*) FROM office WHERE boss >= id").scalar_one() == 0
        # a table without a key: a rerun adds nothing
        sink.conn.commit()
    finally:
        sink.close()
    src = source_from(ddl=tmp_path / "schema.sql", dialect="postgres")
    sink = open_sink(url)
    try:
        assert seed(sink, src, SeedOptions(seed=3, manifest_dir=None)).inserted_total == 0
        second = seed(sink, src, SeedOptions(seed=4, manifest_dir=None))  # a second run: new keys after the first
        assert second.inserted_total == second.planned_total
        assert verify(sink, src, SeedOptions(seed=4, manifest_dir=None)).ok
    finally:
        sink.close()


CYCLES = """
CREATE TABLE store (id integer PRIMARY KEY, manager_id integer NOT NULL, name text NOT NULL);
CREATE TABLE staff (id integer PRIMARY KEY, store_id integer NOT NULL REFERENCES store (id), name text);
CREATE TABLE dept (id integer PRIMARY KEY, head_id integer);
CREATE TABLE emp (id integer PRIMARY KEY, dept_id integer NOT NULL REFERENCES dept (id));
ALTER TABLE store ADD CONSTRAINT store_manager_fk FOREIGN KEY (manager_id) REFERENCES staff (id);
ALTER TABLE dept ADD CONSTRAINT dept_head_fk FOREIGN KEY (head_id) REFERENCES emp (id);
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_foreign_key_cycles(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'c.db'}" if backend == "sqlite" else request.getfixturevalue("fresh_pg_url")
    m, report, sink = _seed_ddl(url, CYCLES, "postgres", tmp_path)
    try:
        assert report.ok, [(r.name, r.actual) for r in report.failures]
        assert sorted(m.cuts) == [
            "dept(head_id) -> emp: loaded as NULL, then set by UPDATE",
            "staff(store_id) -> store: loaded with foreign-key checks off, then verified",
        ]
        heads = sink.conn.exec_driver_sql("SELECT count(*) FROM dept WHERE head_id IS NULL").scalar_one()
        assert heads == 0  # set by the second pass
        sink.conn.commit()
        from seedbed.run.purge import purge

        src = source_from(ddl=tmp_path / "schema.sql", dialect="postgres")
        deleted = purge(sink, src, SeedOptions(seed=3))
        assert sum(deleted.values()) == m.planned_total
    finally:
        sink.close()


def test_check_reading():
    table = parse_ddl(CONSTRAINED, "postgres").table("team")
    r = read_checks(table)
    assert r.rules["budget"].lo == 100 and r.rules["budget"].hi == 5000
    assert r.rules["tier"].values == ["free", "pro", "enterprise"]
    assert r.rules["website"].prefix == "https://"
    assert r.rules["code"].max_len == 6 and r.rules["code"].min_len == 1
    assert r.rules["ends_on"].after == [("starts_on", True)]
    assert not r.not_understood


def test_init_round_trip_gives_the_same_data(tmp_path):
    schema = parse_ddl(CONSTRAINED, "postgres")
    text = to_yaml(inferred_plan(schema, name="c"))
    import yaml

    plan_file = parse_plan(yaml.safe_load(text), "seedbed.yaml")
    a = export(Source("c", parse_plan({"name": "c"}, "p"), schema), SeedOptions(seed=2), tmp_path / "a", "csv")
    b = export(Source("c", plan_file, schema), SeedOptions(seed=2), tmp_path / "b", "csv")
    assert all(a[t].read_bytes() == b[t].read_bytes() for t in a)


def test_rows_option_sizes_every_table():
    schema = parse_ddl(CONSTRAINED, "postgres")
    _, ctx = plan_for(Source("c", parse_plan({}, "p"), schema), SeedOptions(rows=37))
    assert {ctx.rows(t) for t in ("team", "region", "office", "log")} == {37}


MYSQL_TYPES = """
CREATE TABLE gadget (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tiny TINYINT NOT NULL, flag TINYINT(1) NOT NULL, medium MEDIUMINT NOT NULL, big BIGINT UNSIGNED NOT NULL,
  price DECIMAL(8,2) NOT NULL, ratio DOUBLE NOT NULL, made YEAR NOT NULL, bits BIT(6) NOT NULL,
  size ENUM('S','M','L') NOT NULL, tags SET('red','green','blue') NOT NULL,
  name VARCHAR(40) NOT NULL UNIQUE, notes TEXT, doc JSON NOT NULL, blobby BLOB NOT NULL,
  made_on DATE NOT NULL, made_at DATETIME NOT NULL, seen TIMESTAMP NOT NULL, tm TIME NOT NULL,
  `order` INT NOT NULL, `Mixed Case` VARCHAR(10) NOT NULL
) ENGINE=InnoDB;
"""


def test_every_mysql_type_gets_valid_values(fresh_mysql_url, tmp_path):
    m, report, sink = _seed_ddl(fresh_mysql_url, MYSQL_TYPES, "mysql", tmp_path)
    try:
        assert m.tables["gadget"].inserted == 100 and report.ok
        sizes = {r[0] for r in sink.conn.exec_driver_sql("SELECT DISTINCT size FROM gadget").fetchall()}
        assert sizes <= {"S", "M", "L"} and sizes
    finally:
        sink.close()


def test_locale_changes_the_vocabulary(tmp_path):
    schema = parse_ddl("CREATE TABLE person (id int PRIMARY KEY, first_name text NOT NULL);", "postgres")
    src = Source("p", parse_plan({}, "p"), schema)
    a = export(src, SeedOptions(seed=1, locale="en_US"), tmp_path / "a", "csv")["person"].read_text()
    b = export(src, SeedOptions(seed=1, locale="de_DE"), tmp_path / "b", "csv")["person"].read_text()
    assert a != b


MULTI_KEYS = """
CREATE TABLE person (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE kind (id integer PRIMARY KEY, label text NOT NULL);
CREATE TABLE contact (
  person_id integer NOT NULL REFERENCES person(id),
  other_id integer NOT NULL REFERENCES person(id),
  kind_id integer NOT NULL REFERENCES kind(id),
  PRIMARY KEY (person_id, other_id, kind_id)
);
CREATE TABLE leg (ticket text NOT NULL, flight integer NOT NULL, seat text, PRIMARY KEY (ticket, flight));
CREATE TABLE pass (
  ticket text NOT NULL, flight integer NOT NULL, gate text,
  PRIMARY KEY (ticket, flight), FOREIGN KEY (ticket, flight) REFERENCES leg (ticket, flight)
);
CREATE TABLE restriction (id integer PRIMARY KEY, page integer NOT NULL, kind text NOT NULL, UNIQUE (page, kind));
"""


def test_multi_column_keys_are_unique_by_construction(tmp_path):
    """Three foreign keys in one key, a key that is a whole composite foreign key (one row
    per parent row), a unique pair with no foreign key: one column carries the uniqueness."""
    m, report, sink = _seed_ddl(f"sqlite:///{tmp_path / 'k.db'}", MULTI_KEYS, "sqlite", tmp_path, rows=200)
    try:
        assert m.status == "completed" and report.ok
        for table, cols in [("contact", "person_id, other_id, kind_id"), ("pass", "ticket, flight")]:
            distinct = sink.scalar(f"SELECT count(*) FROM (SELECT DISTINCT {cols} FROM {table})")
            assert distinct == m.tables[table].inserted
        assert m.tables["pass"].inserted == m.tables["leg"].inserted  # one pass per leg
        assert sink.scalar("SELECT count(*) FROM (SELECT DISTINCT page, kind FROM restriction)") == 200
    finally:
        sink.close()


REALISTIC = """
CREATE TABLE customer (id integer PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL,
  full_name text, email text NOT NULL, username text, created_at timestamp NOT NULL,
  city text, state text, postal_code text, country text);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customer (id),
  ordered_at timestamp NOT NULL, note text);
"""


def _inferred_rows(ddl: str, table: str, n: int = 300) -> list[dict]:
    schema = parse_ddl(ddl, "postgres")
    _, ctx = plan_for(Source("r", parse_plan({}, "p"), schema), SeedOptions(rows=n))
    return ctx.batch(table, 0, ctx.rows(table)).to_pylist()


def test_a_persons_columns_agree():
    for row in _inferred_rows(REALISTIC, "customer"):
        first, last = row["first_name"], row["last_name"]
        assert row["full_name"] == f"{first} {last}"
        assert row["email"].startswith(f"{first.lower()}.{last.lower()}.")
        assert row["username"].startswith(f"{first.lower()}{last[0].lower()}")


def test_an_address_agrees_with_itself():
    import json
    from importlib import resources

    vocab = json.loads(resources.files("seedbed.generate").joinpath("vocab/en_US.json").read_text())
    ranges = {r.split("|")[0]: (int(r.split("|")[2]), int(r.split("|")[3])) for r in vocab["region"]}
    rows = _inferred_rows(REALISTIC, "customer")
    assert {r["country"] for r in rows} == {"United States"}
    assert len({r["state"] for r in rows}) > 10
    for r in rows:
        lo, hi = ranges[r["state"]]
        assert lo <= int(r["postal_code"]) <= hi, r


def test_a_child_is_not_older_than_its_parent():
    customers = {r["id"]: r["created_at"] for r in _inferred_rows(REALISTIC, "customer")}
    orders = _inferred_rows(REALISTIC, "orders", 300)
    assert orders and all(o["ordered_at"] >= customers[o["customer_id"]] for o in orders)


def test_ranges_an_exclude_constraint_keeps_apart_never_overlap():
    ddl = """CREATE TABLE booking (id integer PRIMARY KEY, room integer NOT NULL, during tsrange NOT NULL,
      span int4range NOT NULL, CONSTRAINT no_double EXCLUDE USING gist (room WITH =, during WITH &&));
    ALTER TABLE booking ADD CONSTRAINT apart EXCLUDE USING gist (span WITH &&);"""
    schema = parse_ddl(ddl, "postgres")
    assert schema.table("booking").disjoint == ("during", "span")
    rows = _inferred_rows(ddl, "booking", 400)
    spans = sorted(tuple(int(x) for x in r["span"].strip("[)").split(",")) for r in rows)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    during = sorted(tuple(x.strip('"') for x in r["during"].strip("[)").split(",")) for r in rows)
    assert all(a[1] <= b[0] for a, b in zip(during, during[1:], strict=False))


def test_time_ranges_lie_in_the_two_years_before_the_anchor():
    ddl = """CREATE TABLE stay (id integer PRIMARY KEY, during tstzrange NOT NULL, days daterange NOT NULL,
      span int4range NOT NULL);"""
    rows = _inferred_rows(ddl, "stay", 200)
    for r in rows:
        lo, hi = (x.strip('"') for x in r["during"].strip("[)").split(","))
        assert "2023-10-31" <= lo < hi <= "2026", r  # the plan's anchor is 2025-10-31
        dlo, dhi = r["days"].strip("[)").split(",")
        assert "2023-10-31" <= dlo < dhi <= "2026", r
        slo, shi = (int(x) for x in r["span"].strip("[)").split(","))
        assert 0 <= slo < shi, r
