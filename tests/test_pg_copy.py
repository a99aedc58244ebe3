"""Binary COPY into PostgreSQL stores exactly what the CSV path stores.

Every value is sent both ways into twin tables and the tables are compared as the
server prints them; types without an exact binary encoding fall back to CSV.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import numpy as np
import pyarrow as pa
import pytest

from seedbed.errors import LoadFailed
from seedbed.run.options import SeedOptions
from seedbed.run.seed import seed
from seedbed.run.source import source_from
from seedbed.sinks import open_sink

pytestmark = pytest.mark.postgres

COLUMNS = """
    id int PRIMARY KEY, b bool, i2 smallint, i4 integer, i8 bigint, f8 float8, f4 real,
    n numeric, n2 numeric(12, 2), n5 numeric(20, 5), n0 numeric(18, 0), t text, v varchar(40), c char(6),
    u uuid, d date, ts timestamp, tz timestamptz, tm time, j json, jb jsonb, by bytea, ip inet,
    mood mood, pos positive, word label
"""


@pytest.fixture(scope="module")
def sink(pg_url):
    s = open_sink(pg_url)
    with s.conn.begin():
        s.conn.exec_driver_sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
        s.conn.exec_driver_sql("CREATE DOMAIN positive AS integer CHECK (VALUE > 0)")
        s.conn.exec_driver_sql("CREATE DOMAIN label AS varchar(10)")
    yield s
    s.close()


def _twins(sink, columns: str, batch: pa.RecordBatch, name: str) -> tuple[list, list]:
    """Load ``batch`` as CSV into NAME_csv and as binary into NAME_bin; both tables' rows as text."""
    out = []
    for fmt in ("csv", "binary"):
        table = f"{name}_{fmt}"
        sink.copy_format = fmt
        with sink.conn.begin():
            sink.conn.exec_driver_sql(f"CREATE TABLE {table} ({columns})")
            _, path = sink._copy_in(sink._raw().cursor(), table, tuple(batch.schema.names), [batch])
            assert path == f"copy {fmt}"
            out.append(sink.conn.exec_driver_sql(f"SELECT x::text FROM {table} x ORDER BY 1").scalars().all())
    sink.copy_format = "binary"
    return out[0], out[1]


def _every_type_batch() -> pa.RecordBatch:
    rows = 7
    utc = dt.UTC
    cols = {
        "id": pa.array(range(rows), pa.int32()),
        "b": pa.array([True, False, None, True, False, True, False]),
        "i2": pa.array([0, -32768, 32767, None, 1, -1, 12], pa.int16()),
        "i4": pa.array([0, -(2**31), 2**31 - 1, None, 5, -5, 7], pa.int32()),
        "i8": pa.array([0, -(2**63), 2**63 - 1, None, 9, -9, 10**15], pa.int64()),
        "f8": pa.array([0.1, -0.0, 1e-300, None, float("inf"), 123456.789, -2.5e10]),
        "f4": pa.array([0.1, -0.0, 3.4e38, None, 1.5, -7.25, 1e-7], pa.float32()),
        "n": pa.array(
            [
                decimal.Decimal(x)
                for x in ("0", "-1.5", "123456789012.123456", "0.000001", "-999999999999.999999", "42", "7.1")
            ],
            pa.decimal128(38, 6),
        ),
        "n2": pa.array(
            [
                None if x is None else decimal.Decimal(x)
                for x in ("0.00", "-0.01", "9999999999.99", None, "16877.86", "100.00", "0.10")
            ],
            pa.decimal128(12, 2),
        ),
        "n5": pa.array(
            [
                decimal.Decimal(x)
                for x in (
                    "0.00001",
                    "-123456789012345.12345",
                    "1.10000",
                    "10000.00000",
                    "99999999999999.99999",
                    "-0.50000",
                    "3.14159",
                )
            ],
            pa.decimal128(20, 5),
        ),
        "n0": pa.array(
            [decimal.Decimal(x) for x in ("0", "-1", "999999999999999999", "10000", "100000000", "-123456789", "5")],
            pa.decimal128(18, 0),
        ),
        "t": pa.array(["plain", "", None, 'quote " and , comma', "line\nbreak\\back", "ünïcødé ✓", "tab\there"]),
        "v": pa.array(["a", "b" * 40, None, "x,y", "", "é", "z"]),
        "c": pa.array(["ab", "abcdef", None, "", "é", "x", "yz"]),
        "u": pa.array([str(uuid.UUID(int=i * 2**100 + i)) for i in range(6)] + [None]),
        "d": pa.array(
            [
                dt.date(2000, 1, 1),
                dt.date(1970, 1, 1),
                dt.date(1999, 12, 31),
                None,
                dt.date(2026, 2, 28),
                dt.date(1900, 3, 1),
                dt.date(2400, 12, 31),
            ],
            pa.date32(),
        ),
        "ts": pa.array(
            [
                dt.datetime(2000, 1, 1),
                dt.datetime(1969, 12, 31, 23, 59, 59, 999999),
                None,
                dt.datetime(2026, 12, 1, 12, 0, 1, 5),
                dt.datetime(1900, 1, 1),
                dt.datetime(2100, 6, 1),
                dt.datetime(2000, 1, 1, 0, 0, 0, 1),
            ],
            pa.timestamp("us"),
        ),
        "tz": pa.array(
            [
                dt.datetime(2000, 1, 1, tzinfo=utc),
                None,
                dt.datetime(1960, 5, 5, 5, 5, 5, tzinfo=utc),
                dt.datetime(2026, 12, 1, 23, 59, 59, tzinfo=utc),
                dt.datetime(2030, 1, 1, tzinfo=utc),
                dt.datetime(2001, 2, 3, 4, 5, 6, 789000, tzinfo=utc),
                dt.datetime(1999, 1, 1, tzinfo=utc),
            ],
            pa.timestamp("us", tz="UTC"),
        ),
        "tm": pa.array(
            [
                dt.time(0),
                dt.time(23, 59, 59, 999999),
                None,
                dt.time(12, 30),
                dt.time(1, 2, 3),
                dt.time(4, 5, 6, 7),
                dt.time(8),
            ],
            pa.time64("us"),
        ),
        "j": pa.array(['{"a": 1}', "[1, 2.50, null]", None, '"x"', '{"b": {"c": "ü"}}', "3", "{}"]),
        "jb": pa.array(['{"a": 1, "a": 2}', "[1, 2.50, null]", None, '"x"', '{"z": 1, "b": [true]}', "3", "{}"]),
        "by": pa.array([b"", b"\x00\xff", None, b"abc", bytes(range(256)), b"\\x", b","], pa.binary()),
        "ip": pa.array(["10.0.0.1", "255.255.255.255", None, "0.0.0.0", "192.168.1.20", "1.2.3.4", "8.8.8.8"]),
        "mood": pa.array(["sad", "ok", None, "happy", "ok", "sad", "happy"]),
        "pos": pa.array([1, 2, None, 2**31 - 1, 5, 6, 7], pa.int32()),
        "word": pa.array(["a", "bb", None, "", "ten chars!", "x", "y"]),
    }
    return pa.RecordBatch.from_arrays(list(cols.values()), names=list(cols))


def test_every_supported_type_is_stored_as_the_csv_path_stores_it(sink):
    csv, binary = _twins(sink, COLUMNS, _every_type_batch(), "every")
    assert len(csv) == 7
    assert binary == csv


def test_a_batch_without_nulls_and_a_sliced_batch(sink):
    batch = _every_type_batch()
    full = pa.RecordBatch.from_arrays([c.fill_null(c[0]) for c in batch.columns], names=batch.schema.names)
    csv, binary = _twins(sink, COLUMNS, full, "nonull")
    assert binary == csv
    csv, binary = _twins(sink, COLUMNS, batch.slice(2, 4), "sliced")
    assert binary == csv and len(csv) == 4


def test_numeric_values_of_every_size_and_scale(sink):
    """Values within 64 bits take the vectorised path; one beyond sends its batch value by value."""
    rng = np.random.default_rng(5)
    for scale in (0, 1, 2, 3, 4, 5, 8, 17, 20, 30):
        digits = rng.integers(1, 19, 400)
        values = [
            decimal.Decimal(int(rng.integers(0, 10 ** int(d))) * int(rng.choice([-1, 1]))).scaleb(-scale)
            for d in digits
        ] + [decimal.Decimal(2**63 - 1).scaleb(-scale), None]
        wide = values + [decimal.Decimal(10**30 + 7).scaleb(-scale), decimal.Decimal(-(2**63)).scaleb(-scale)]
        for name, vals in ((f"num{scale}", values), (f"wide{scale}", wide)):
            batch = pa.RecordBatch.from_arrays(
                [pa.array(range(len(vals)), pa.int32()), pa.array(vals, pa.decimal128(38, scale))], names=["id", "n"]
            )
            csv, binary = _twins(sink, "id int, n numeric", batch, name)
            assert binary == csv, name


def test_uuid_and_inet_spellings(sink):
    u = "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array(range(4), pa.int32()),
            pa.array([u, "{" + u.lower() + "}", u.replace("-", ""), None]),
            pa.array(["2001:db8::1", "10.1.2.3/24", "::ffff:1.2.3.4", "fe80::/64"]),
        ],
        names=["id", "u", "ip"],
    )
    csv, binary = _twins(sink, "id int, u uuid, ip inet", batch, "spell")
    assert binary == csv


def test_types_without_an_exact_encoding_go_as_csv(sink):
    batch = pa.RecordBatch.from_arrays(
        [pa.array([1, 2], pa.int32()), pa.array(["{1,2}", "{}"]), pa.array([1.5, 2.25])], names=["id", "arr", "f4"]
    )
    with sink.conn.begin():
        sink.conn.exec_driver_sql("CREATE TABLE fallback (id int, arr int[], f4 real)")
        _, path = sink._copy_in(sink._raw().cursor(), "fallback", ("id", "arr", "f4"), [batch])
        rows = sink.conn.exec_driver_sql("SELECT id, arr, f4 FROM fallback ORDER BY id").all()
    assert path == "copy csv"
    assert [tuple(r) for r in rows] == [(1, [1, 2], 1.5), (2, [], 2.25)]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("i2 smallint", pa.array([1, 40000], pa.int64()), "out of range for type smallint"),
        ("ip inet", pa.array(["1.2.3.4", "1.2.3.4/255.0.0.0"]), "not an inet address"),
        ("u uuid", pa.array(["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "not-a-uuid"]), "is not a uuid"),
        # the canonical shape with a letter or a blank where a digit belongs
        ("v uuid", pa.array(["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g"]), "1g'"),
        ("w uuid", pa.array(["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd38 a11"]), "8 a"),
    ],
)
def test_a_value_the_type_cannot_hold_names_the_column_and_writes_nothing(sink, column, value, message):
    name = column.split()[0]
    batch = pa.RecordBatch.from_arrays([pa.array([1, 2], pa.int32()), value], names=["id", name])
    table = f"bad_{name}"
    with sink.conn.begin():
        sink.conn.exec_driver_sql(f"CREATE TABLE {table} (id int, {column})")
    with pytest.raises(LoadFailed, match=message) as err, sink.conn.begin():
        sink._copy_in(sink._raw().cursor(), table, ("id", name), [batch])
    assert f"{table}.{name}" in str(err.value)
    with sink.conn.begin():
        assert sink.conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0


def _contents(url: str) -> dict[str, str]:
    s = open_sink(url)
    try:
        with s.conn.begin():
            tables = (
                s.conn.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'seedbed_runs'"
                )
                .scalars()
                .all()
            )
            return {
                t: s.conn.exec_driver_sql(
                    f"SELECT count(*) || ':' || md5(string_agg(x::text, '|' ORDER BY x::text)) FROM {t} x"
                ).scalar()
                for t in tables
            }
    finally:
        s.close()


@pytest.mark.slow
def test_a_recipe_lands_identical_by_binary_and_by_csv(pg_url, fresh_pg_url):
    """The same run, once binary and once CSV, leaves the same rows in every table."""
    opts = SeedOptions(seed=123, scale=0.02, manifest_dir=None)
    formats = {}
    for url, fmt in ((fresh_pg_url, "csv"), (pg_url, "binary")):
        s = open_sink(url)
        s.copy_format = fmt
        try:
            m = seed(s, source_from(recipe="scale-seed"), opts)
            formats[fmt] = m.tables["audit_events"].path
        finally:
            s.close()
    assert formats == {"csv": "copy csv", "binary": "copy binary"}
    csv, binary = _contents(fresh_pg_url), _contents(pg_url)
    recipe = {t: v for t, v in binary.items() if t in csv}
    assert len(recipe) == 15 and recipe == csv
