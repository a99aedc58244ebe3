"""``seedbed mask``: every personal value of an existing database replaced by a fake.

The fakes are a function of the original (and the key): one customer's email gets one
fake in every table and in the foreign key that carries it; uniqueness, NULLs, empty
strings and length limits hold; each table changes in one transaction; a production
target is refused without confirmation; a dry run changes nothing.
"""

from __future__ import annotations

from contextlib import closing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import seedbed
from seedbed.errors import PlanError
from seedbed.masking.fakes import Fakes
from seedbed.sinks import open_sink
from seedbed.sinks.lock import LockHeld, locked
from tests.helpers import dialect_params, fresh_url
from tests.test_cli_errors import cli

SCHEMA = [
    """CREATE TABLE customers (
        id integer PRIMARY KEY,
        email varchar(40) NOT NULL UNIQUE,
        first_name varchar(30) NOT NULL,
        last_name varchar(30),
        phone varchar(20),
        address varchar(80),
        postcode varchar(10)
    )""",
    """CREATE TABLE orders (
        id integer PRIMARY KEY,
        customer_email varchar(40) NOT NULL REFERENCES customers (email),
        note varchar(80)
    )""",
    "CREATE TABLE contacts (id integer PRIMARY KEY, email varchar(60), name varchar(60))",
    "CREATE TABLE products (id integer PRIMARY KEY, name varchar(60) NOT NULL)",
]
CUSTOMERS = [
    (1, "ann.lee@corp.test", "Ann", "Lee", "+44 20 7946 0018", "1 High Street", "SW1A 1AA"),
    (2, "bob.ray@corp.test", "Bob", "Ray", None, "", "90210"),
    (3, "cy.fox@corp.test", "Ann", None, "(555) 010-2233", None, None),
]
ORDERS = [(1, "ann.lee@corp.test", "leave at the door"), (2, "ann.lee@corp.test", None), (3, "cy.fox@corp.test", "x")]
CONTACTS = [(1, "bob.ray@corp.test", "Bob Ray"), (2, None, "Ann Lee"), (3, "dee@else.test", "")]
PRODUCTS = [(1, "Blue Dream"), (2, "Gold Leaf")]
PERSONAL = {
    "customers": ["email", "first_name", "last_name", "phone", "address", "postcode"],
    "orders": ["customer_email"],
    "contacts": ["email", "name"],
}


def _insert(url: str, table: str, rows: list[tuple]) -> None:
    with closing(open_sink(url)) as sink:
        marks = ", ".join([sink.dialect.param] * len(rows[0]))
        sink.conn.exec_driver_sql(f"INSERT INTO {table} VALUES ({marks})", rows)
        sink.conn.commit()


def _rows(url: str, table: str) -> list[tuple]:
    with closing(open_sink(url)) as sink:
        return [tuple(r) for r in sink.conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]


def _database(dialect, request, tmp_path) -> str:
    url = fresh_url(dialect, request, tmp_path, SCHEMA)
    for table, rows in (("customers", CUSTOMERS), ("orders", ORDERS), ("contacts", CONTACTS), ("products", PRODUCTS)):
        _insert(url, table, rows)
    return url


@pytest.mark.parametrize("dialect", dialect_params())
def test_every_personal_value_gets_one_fake_everywhere(dialect, request, tmp_path, monkeypatch):
    url = _database(dialect, request, tmp_path)
    monkeypatch.setenv("SEEDBED_MASK_KEY", "k1")
    run = cli("mask", "--db", url)
    assert run.code == 0, run.output
    assert "customers.email (email): 3 rows, 3 distinct values" in run.flat
    customers, orders, contacts = (_rows(url, t) for t in ("customers", "orders", "contacts"))
    before = {"customers": CUSTOMERS, "orders": ORDERS, "contacts": CONTACTS}
    after = {"customers": customers, "orders": orders, "contacts": contacts}
    fake_of: dict[str, str] = {}
    for table, columns in PERSONAL.items():
        names = _columns(table)
        for column in columns:
            i = names.index(column)
            for old, new in zip(before[table], after[table], strict=True):
                if old[i] is None or old[i] == "":
                    assert new[i] == old[i], f"{table}.{column}: NULL and '' stay"
                    continue
                assert new[i] != old[i], f"{table}.{column} kept {old[i]!r}"
                if "email" in column:  # one original, one fake: in every table and through the key
                    assert fake_of.setdefault(old[i], new[i]) == new[i]
    assert {c[1] for c in customers} >= {o[1] for o in orders}  # the foreign key still matches
    assert len({c[1] for c in customers}) == 3 and all(len(c[1]) <= 40 for c in customers)
    assert not {c[1] for c in customers} & {c[1] for c in CUSTOMERS}
    assert _rows(url, "products") == PRODUCTS  # a product's name is nobody's
    assert [o[2] for o in orders] == [o[2] for o in ORDERS]
    assert customers[0][4].startswith("+44 ") and len(customers[0][4]) == len(CUSTOMERS[0][4])
    assert len(customers[0][6]) == len("SW1A 1AA") and customers[0][6][4] == " "


def _columns(table: str) -> list[str]:
    return {"customers": ["id", "email", "first_name", "last_name", "phone", "address", "postcode"],
            "orders": ["id", "customer_email", "note"], "contacts": ["id", "email", "name"]}[table]  # fmt: skip


def test_the_same_key_gives_the_same_fakes_in_another_database(request, tmp_path, monkeypatch):
    monkeypatch.setenv("SEEDBED_MASK_KEY", "k1")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    a, b = _database("sqlite", request, tmp_path / "a"), _database("sqlite", request, tmp_path / "b")
    seedbed.mask(a)
    seedbed.mask(b, key="k1")
    assert _rows(a, "customers") == _rows(b, "customers")
    (tmp_path / "c").mkdir()
    c = _database("sqlite", request, tmp_path / "c")
    seedbed.mask(c, key="another")
    assert {r[1] for r in _rows(c, "customers")}.isdisjoint({r[1] for r in _rows(a, "customers")})


def test_dry_run_lists_and_changes_nothing(request, tmp_path):
    url = _database("sqlite", request, tmp_path)
    run = cli("mask", "--db", url, "--dry-run")
    assert run.code == 0, run.output
    assert "contacts.name (full_name): 3 rows, 3 distinct values" in run.flat
    assert "products" not in run.flat and "7 columns would be masked" not in run.flat
    assert "9 columns would be masked; nothing changed" in run.flat
    assert _rows(url, "customers") == CUSTOMERS and _rows(url, "contacts") == CONTACTS


def test_the_plan_names_more_columns_and_keeps_others(request, tmp_path):
    url = _database("sqlite", request, tmp_path)
    plan = tmp_path / "mask.yaml"
    plan.write_text("mask:\n  orders.note: full_name\n  contacts.name: false\n")
    report = seedbed.mask(url, plan=plan, key="k")
    masked = {(m.table, m.column) for m in report}
    assert ("orders", "note") in masked and ("contacts", "name") not in masked
    assert [r[2] for r in _rows(url, "contacts")] == [r[2] for r in CONTACTS]
    assert all(r[2] != o[2] for r, o in zip(_rows(url, "orders"), ORDERS, strict=True) if o[2])
    plan.write_text("mask:\n  orders.note: passport\n")
    bad = cli("mask", "--db", url, "--plan", str(plan))
    assert bad.code == 2 and "unknown kind 'passport'" in bad.flat and "Traceback" not in bad.output
    plan.write_text("mask:\n  order.note: email\n")
    bad = cli("mask", "--db", url, "--plan", str(plan))
    assert bad.code == 2 and "unknown table 'order'" in bad.flat and "did you mean" in bad.flat


@pytest.mark.parametrize("dialect", dialect_params())
def test_a_table_the_database_refuses_is_rolled_back_and_named(dialect, request, tmp_path):
    """A CHECK the fakes break: that table stays as it was, the tables before it stay
    masked, and the message says which and how to go on."""
    url = fresh_url(dialect, request, tmp_path, [
        "CREATE TABLE staff (id integer PRIMARY KEY, email varchar(40) NOT NULL)",
        "CREATE TABLE users (id integer PRIMARY KEY, email varchar(40) NOT NULL CHECK (email LIKE '%@corp.test'),"
        " phone varchar(20))",
    ])  # fmt: skip
    _insert(url, "staff", [(1, "s@corp.test")])
    _insert(url, "users", [(1, "u@corp.test", "555-1234")])
    run = cli("mask", "--db", url, "--key-env", "HOME")
    assert run.code != 0 and "Traceback" not in run.output
    assert "masking users failed and was rolled back" in run.flat and "masked already (committed): staff" in run.flat
    assert "--table users" in run.flat
    assert _rows(url, "users") == [(1, "u@corp.test", "555-1234")]
    assert _rows(url, "staff")[0][1] != "s@corp.test"


def test_a_production_database_is_refused_without_force(request, tmp_path, monkeypatch):
    url = _database("sqlite", request, tmp_path)
    seedbed.mark(url, environment="production")
    run = cli("mask", "--db", url)
    assert run.code == 2 and "refusing to mask a production database" in run.flat and "--force" in run.flat
    assert _rows(url, "customers") == CUSTOMERS
    monkeypatch.setenv("SEEDBED_COUNTDOWN", "0")
    forced = cli("mask", "--db", url, "--force")
    assert forced.code == 0, forced.output
    assert _rows(url, "customers") != CUSTOMERS


def test_an_unset_key_variable_is_a_message(request, tmp_path):
    url = _database("sqlite", request, tmp_path)
    run = cli("mask", "--db", url, "--key-env", "SEEDBED_NO_SUCH_VARIABLE")
    assert run.code == 2 and "SEEDBED_NO_SUCH_VARIABLE" in run.flat and "not set" in run.flat
    assert _rows(url, "customers") == CUSTOMERS


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(
    originals=st.lists(_TEXT.filter(lambda t: any(c.isalnum() for c in t)), min_size=1, max_size=40, unique=True),
    kind=st.sampled_from(["email", "phone", "first_name", "full_name", "username", "postcode", "street_address"]),
    strict=st.booleans(),
    limit=st.sampled_from([None, 8, 30]),
)
def test_fakes_are_a_function_of_the_original(originals, kind, strict, limit):
    """Any originals: none keeps its value; strict kinds give distinct fakes that are none of
    the originals (case aside); fakes fit the length; the order they come in changes nothing.
    A strict kind whose values are too short to have enough others is refused by name."""
    strict = strict or kind in ("email", "phone", "username", "full_name", "street_address")
    try:
        one = Fakes(kind, b"k", strict=strict, max_len=limit).of(originals)
    except PlanError as err:
        assert strict and kind in ("phone", "postcode") and "too few distinct values" in err.hint
        assert min(sum(c.isalnum() for c in o) for o in originals) <= 3
        return
    assert one == Fakes(kind, b"k", strict=strict, max_len=limit).of(list(reversed(originals)))
    for original, fake in one.items():
        assert fake.casefold() != original.casefold()
        assert limit is None or len(fake) <= limit
    if strict:
        folded = [f.casefold() for f in one.values()]
        assert len(set(folded)) == len(folded)
        assert not set(folded) & {o.casefold() for o in originals}


@pytest.mark.parametrize("dialect", dialect_params())
def test_mask_waits_for_no_one_while_a_seed_runs(dialect, request, tmp_path):
    """Masking takes the database's run lock: beside a running seed it is refused, changing nothing."""
    url = _database(dialect, request, tmp_path)
    holder = open_sink(url)
    try:
        with locked(holder, "seed"):
            run = cli("mask", "--db", url, "--key-env", "HOME")
    finally:
        holder.close()
    assert run.code == LockHeld.exit_code and "another seeding operation is in progress" in run.flat.lower(), run.output
    assert _rows(url, "customers") == CUSTOMERS
