"""The MySQL/MariaDB sink against a real server: both load paths, merge, errors, key sets.

Every load test runs three ways: LOAD DATA LOCAL INFILE; INSERTs forced by the
sink's flag; and a connection whose client refuses LOCAL INFILE, where the sink
must notice the refusal and fall back to INSERTs by itself.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

from seedbed import dialects
from seedbed.errors import ConnectionFailed, LoadFailed
from seedbed.planning.resolved import TableSpec
from seedbed.sinks import open_sink
from seedbed.sinks.mysql import MySQLSink
from seedbed.sinks.mysqlcsv import hex_text
from seedbed.verification.queries import orphans

pytestmark = pytest.mark.mysql

TRICKY = [
    None,
    "",
    "NULL",
    "null",
    "\\N",
    "\\",
    "a\\",
    "\\\\",
    'a"b',
    'a",b',
    '"',
    '""',
    '",',
    ',"',
    '"",""',
    "x\ny",
    "x\r\ny",
    "\r",
    "\n",
    '"\n"',
    "\t",
    ",",
    ",,",
    "a,b",
    " padded ",
    "ünï cödé",
    "😀 emoji",
    "日本語",
    "end\\",
    "'single'",
    "--",
    "/* */",
    "%s",
    "\x01ctl",
]


def _mode_url(url: str, mode: str) -> str:
    return url + "?local_infile=0" if mode == "refused" else url


def _open(url: str, mode: str) -> MySQLSink:
    sink = MySQLSink(_mode_url(url, mode), local_infile=(mode != "insert"))
    assert sink.dialect.name == "mysql"
    return sink


def _spec(sink: MySQLSink, table: str, schema: pa.Schema, key=("id",)) -> TableSpec:
    return TableSpec(
        name=table,
        table=sink.reflect().table(table),
        columns={},
        written=tuple(schema.names),
        key=tuple(key),
        arrow_schema=schema,
    )


def _ddl(url: str, *statements: str) -> None:
    con = dialects.for_url(url).connect(url)
    try:
        with con.cursor() as cur:
            for s in statements:
                cur.execute(s)
        con.commit()
    finally:
        con.close()


def _rows(sink: MySQLSink, sql: str) -> list[tuple]:
    rows = [tuple(r) for r in sink.conn.exec_driver_sql(sql).fetchall()]
    sink.conn.commit()
    return rows


@pytest.fixture(params=["load", "insert", "refused"])
def mode(request) -> str:
    return request.param


@pytest.fixture()
def spy(monkeypatch):
    """Fails the test if a load takes the path it should not."""

    def watch(sink: MySQLSink, mode: str) -> None:
        def boom(*a, **k):
            raise AssertionError(f"the {mode} path should not use this")

        if mode == "load":
            monkeypatch.setattr(sink, "_insert", boom)
        elif mode == "insert":
            monkeypatch.setattr(sink, "load_file", boom)

    return watch


# -- values ---------------------------------------------------------------------------------

VALUES_DDL = """CREATE TABLE vals (
    id INT PRIMARY KEY, s LONGTEXT NULL, v VARCHAR(40) NULL, i BIGINT NULL, f DOUBLE NULL,
    d DECIMAL(14, 2) NULL, b BOOLEAN NULL, dt DATE NULL, ts DATETIME(6) NULL, ts0 DATETIME NULL,
    tm TIME(6) NULL, bin LONGBLOB NULL, j JSON NULL, e ENUM('a', 'b,c', 'd"e') NULL
)"""

VALUES_SCHEMA = pa.schema(
    [
        ("id", pa.int32()),
        ("s", pa.string()),
        ("v", pa.string()),
        ("i", pa.int64()),
        ("f", pa.float64()),
        ("d", pa.decimal128(14, 2)),
        ("b", pa.bool_()),
        ("dt", pa.date32()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("ts0", pa.timestamp("us")),
        ("tm", pa.time64("us")),
        ("bin", pa.binary()),
        ("j", pa.string()),
        ("e", pa.string()),
    ]
)


def _values() -> dict[str, list]:
    n = len(TRICKY)
    cyc = lambda xs: [xs[k % len(xs)] for k in range(n)]  # noqa: E731
    utc = dt.UTC
    return {
        "id": list(range(n)),
        "s": TRICKY,
        "v": [None if s is None else s[:40] for s in reversed(TRICKY)],
        "i": cyc([None, 0, -1, 2**63 - 1, -(2**63)]),
        "f": cyc([0.1, None, -1.5e-7, 1e300, 123456.789]),
        "d": cyc([Decimal("123.45"), Decimal("-0.01"), None, Decimal("999999999999.99"), Decimal("0.00")]),
        "b": cyc([True, False, None]),
        "dt": cyc([dt.date(2024, 2, 29), None, dt.date(1000, 1, 1), dt.date(9999, 12, 31)]),
        "ts": cyc(
            [
                dt.datetime(2024, 3, 31, 1, 30, 5, 123456, tzinfo=utc),
                None,
                dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=utc),
                dt.datetime(2040, 1, 1, tzinfo=utc),
            ]
        ),
        "ts0": cyc([dt.datetime(2024, 1, 2, 3, 4, 5), None]),
        "tm": cyc([dt.time(0, 0), dt.time(23, 59, 59, 999999), None]),
        "bin": cyc([b"", None, bytes(range(256)), b"\x00\\'\",\n\r", "ü".encode()]),
        "j": cyc([json.dumps({"k": 'a"b\\c\n', "u": "ü"}, ensure_ascii=False), None, "[]", '"NULL"']),
        "e": cyc(["a", "b,c", 'd"e', None]),
    }


def _expected_rows(values: dict[str, list]) -> list[tuple]:
    out = []
    for row in zip(*values.values(), strict=True):
        r = dict(zip(values, row, strict=True))
        r["b"] = None if r["b"] is None else int(r["b"])
        r["ts"] = None if r["ts"] is None else r["ts"].replace(tzinfo=None)
        r["tm"] = (
            None
            if r["tm"] is None
            else dt.timedelta(
                hours=r["tm"].hour, minutes=r["tm"].minute, seconds=r["tm"].second, microseconds=r["tm"].microsecond
            )
        )
        out.append(tuple(r.values()))
    return out


def test_tricky_values_round_trip(mysql_url, mode, spy):
    table = f"vals_{mode}"
    _ddl(mysql_url, VALUES_DDL.replace("vals", table))
    values = _values()
    batch = pa.RecordBatch.from_pydict(values, schema=VALUES_SCHEMA)
    sink = _open(mysql_url, mode)
    try:
        spy(sink, mode)
        spec = _spec(sink, table, VALUES_SCHEMA)
        # two batches, the second a slice (offsets into shared buffers)
        n = sink.load(spec, [batch.slice(0, 10), batch.slice(10)], merge=False).rows
        assert n == batch.num_rows
        assert sink.local_infile is (mode == "load")  # a refusal switches the sink to INSERTs
        got = _rows(sink, f"SELECT {', '.join(VALUES_SCHEMA.names)} FROM {table} ORDER BY id")
    finally:
        sink.close()
    want = _expected_rows(values)
    for g, w in zip(got, want, strict=True):
        assert g == w
    # the literal word NULL, the empty string and a real NULL stay three different things
    by_s = {r[1] for r in got[:4]}
    assert by_s == {None, "", "NULL", "null"}


def test_hex_text_vectorised():
    arr = pa.array([b"\x00\xff", None, b"", b"ab"], pa.binary())
    assert hex_text(arr).to_pylist() == ["00ff", None, "", "6162"]
    assert hex_text(arr.slice(1)).to_pylist() == [None, "", "6162"]
    assert hex_text(pa.array([b"\x01\x02"], pa.large_binary())).to_pylist() == ["0102"]
    assert hex_text(pa.array([b"\x01\x02", None], pa.binary(2))).to_pylist() == ["0102", None]


# -- merge ----------------------------------------------------------------------------------

ITEMS_SCHEMA = pa.schema([("id", pa.string()), ("n", pa.int32()), ("note", pa.string())])


def _items(rows: range) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {
            "id": [f"k{i:04d}" for i in rows],
            "n": list(rows),
            "note": [None if i % 3 == 0 else f'row "{i}", ok\n' for i in rows],
        },
        schema=ITEMS_SCHEMA,
    )


def _keys(rows: range) -> pa.RecordBatch:
    return _items(rows).select(["id"])


def test_merge_inserts_only_missing_rows(mysql_url, mode, spy):
    table = f"items_{mode}"
    _ddl(
        mysql_url,
        f"CREATE TABLE {table} (id CHAR(5) PRIMARY KEY, n INT NOT NULL, note TEXT NULL)",
        f"INSERT INTO {table} VALUES ('zz999', -1, 'not seeded')",
    )
    sink = _open(mysql_url, mode)
    try:
        spy(sink, mode)
        spec = _spec(sink, table, ITEMS_SCHEMA)
        assert sink.load(spec, [_items(range(0, 10)), _items(range(30, 40))], merge=False).rows == 20
        before = _rows(sink, f"SELECT * FROM {table} ORDER BY id")
        assert sink.load(spec, [_items(range(0, 25)), _items(range(25, 50))], merge=True).rows == 30
        after = _rows(sink, f"SELECT * FROM {table} ORDER BY id")
        assert set(before) < set(after) and len(after) == 51
        assert sink.load(spec, [_items(range(0, 50))], merge=True).rows == 0  # a complete rerun adds nothing
        assert _rows(sink, f"SELECT * FROM {table} ORDER BY id") == after
        assert ("k0003", 3, None) in after and ("k0004", 4, 'row "4", ok\n') in after
        # the key set: counted, then deleted exactly, leaving the row nobody seeded
        assert sink.count(spec, [_keys(range(40, 60))]) == 10
        with sink.transaction():
            assert sink.delete(spec, [_keys(range(0, 50))]) == 50
        assert _rows(sink, f"SELECT id FROM {table}") == [("zz999",)]
    finally:
        sink.close()


def test_insert_fallback_respects_max_bind_params(mysql_url, monkeypatch):
    import dataclasses

    import pymysql

    table = "bind_items"
    _ddl(mysql_url, f"CREATE TABLE {table} (id CHAR(5) PRIMARY KEY, n INT NOT NULL, note TEXT NULL)")
    calls: list[int] = []
    real = pymysql.cursors.Cursor.executemany
    monkeypatch.setattr(
        pymysql.cursors.Cursor, "executemany", lambda self, q, rows: calls.append(len(rows)) or real(self, q, rows)
    )
    sink = MySQLSink(mysql_url, local_infile=False)
    try:
        # 3 columns: 2 rows a statement
        monkeypatch.setattr(sink.dialect, "caps", dataclasses.replace(sink.dialect.caps, max_bind_params=7))
        spec = _spec(sink, table, ITEMS_SCHEMA)
        assert sink.load(spec, [_items(range(9))], merge=False).rows == 9
        assert calls == [2, 2, 2, 2, 1]
    finally:
        sink.close()


# -- errors ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def family(mysql_url) -> str:
    _ddl(
        mysql_url,
        "CREATE TABLE parent (id INT PRIMARY KEY)",
        "INSERT INTO parent VALUES (1), (2)",
        "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, label VARCHAR(5) NULL, "
        "qty INT NULL, CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id), "
        "CONSTRAINT child_qty_check CHECK (qty >= 0))",
    )
    return mysql_url


CHILD_SCHEMA = pa.schema([("id", pa.int32()), ("parent_id", pa.int32()), ("label", pa.string()), ("qty", pa.int32())])


@pytest.mark.parametrize(
    ("rows", "codes"),
    [
        pytest.param([(1, 1, "ok", 1), (2, 99, "ok", 1)], {"1452"}, id="foreign-key"),
        pytest.param([(1, 1, "ok", 1), (1, 2, "ok", 1)], {"1062"}, id="duplicate"),
        pytest.param([(1, 1, "toolong", 1)], {"1406", "1265"}, id="too-long"),
        pytest.param([(1, 1, "ok", -5)], {"4025", "3819"}, id="check"),
        pytest.param([(1, None, "ok", 1)], {"1048", "1263"}, id="null"),
    ],
)
def test_rejected_rows_raise_load_failed_naming_the_table(family, mode, rows, codes):
    batch = pa.RecordBatch.from_pylist(
        [dict(zip(CHILD_SCHEMA.names, r, strict=True)) for r in rows], schema=CHILD_SCHEMA
    )
    sink = _open(family, mode)
    try:
        spec = _spec(sink, "child", CHILD_SCHEMA)
        with pytest.raises(LoadFailed) as info:
            sink.load(spec, [batch], merge=False)
        err = info.value
        assert err.where == "child" and "child" in str(err)
        code = str(err.message).split("(", 1)[1].split(")", 1)[0]
        assert code in codes, str(err)
        assert _rows(sink, "SELECT count(*) FROM child") == [(0,)]  # rolled back, nothing half-loaded
        # the connection is still usable, and a merge reports the same error
        with pytest.raises(LoadFailed):
            sink.load(spec, [batch], merge=True)
    finally:
        sink.close()


@pytest.mark.parametrize("user", ["root", "seedbed_nobody"])
def test_bad_password_is_connection_failed_without_the_password(mysql_url, user):
    u = sa.engine.make_url(mysql_url).set(username=user, password="Hunter2-s3cret")
    with pytest.raises(ConnectionFailed) as info:
        open_sink(u.render_as_string(hide_password=False))
    text = f"{info.value} {info.value!r} {info.value.hint} {info.value.__cause__!r} {info.value.__context__!r}"
    assert "Hunter2-s3cret" not in text
    # 1045; MariaDB answers 1698 for some unknown users
    assert ("1045" in text or "1698" in text) and "password" in info.value.hint


def test_unknown_database_and_closed_port_have_hints(mysql_url):
    with pytest.raises(ConnectionFailed) as info:
        open_sink(sa.engine.make_url(mysql_url).set(database="sb_no_such_db").render_as_string(False))
    assert "1049" in str(info.value) and "CREATE DATABASE" in info.value.hint
    with pytest.raises(ConnectionFailed) as info:
        open_sink("mysql://root:pw@127.0.0.1:1/x")
    assert "2003" in str(info.value) and "running" in info.value.hint and ":pw@" not in str(info.value)


# -- DDL, key sets, sessions ----------------------------------------------------------------


def test_execute_ddl_twice_leaves_existing_objects(mysql_url):
    stmts = [
        "CREATE TABLE IF NOT EXISTS d_parent (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL)",
        "CREATE TABLE d_child (id INT PRIMARY KEY, p INT NOT NULL)",
        "CREATE INDEX d_parent_code_idx ON d_parent (code)",
        "ALTER TABLE d_child ADD CONSTRAINT d_child_p_fk FOREIGN KEY (p) REFERENCES d_parent (id)",
        "CREATE TABLE IF NOT EXISTS d_pct (s VARCHAR(10) CHECK (s LIKE 'a%'))",
    ]
    sink = open_sink(mysql_url)
    try:
        sink.execute(stmts, skip_existing=True)
        sink.execute(stmts, skip_existing=True)
        assert {"d_parent", "d_child", "d_pct"} <= sink.existing_tables()
        with pytest.raises(Exception) as info:
            sink.execute(["CREATE TABLE d_bad (id INT REFERENCES nowhere)x"])
        assert sink.describe_error(info.value)[0] == "1064"
    finally:
        sink.close()


def test_purge_of_a_tree_is_one_transaction(mysql_url, mode):
    """Key-set tables do not commit the caller's transaction (CREATE INDEX or DROP TABLE
    would), and rows of a self-referencing table can be deleted together."""
    table = f"tree_{mode}"
    _ddl(
        mysql_url,
        f"CREATE TABLE {table} (id INT PRIMARY KEY, parent_id INT NULL, "
        f"FOREIGN KEY (parent_id) REFERENCES {table} (id))",
    )
    schema = pa.schema([("id", pa.int32()), ("parent_id", pa.int32())])
    batch = pa.RecordBatch.from_pydict({"id": [1, 2, 3, 4, 5, 6], "parent_id": [None, 1, 2, 3, None, 5]}, schema=schema)
    sink = _open(mysql_url, mode)
    try:
        spec = _spec(sink, table, schema)
        assert sink.load(spec, [batch], merge=False).rows == 6
        keys = pa.RecordBatch.from_pydict({"id": [1, 2, 3, 4]}, schema=pa.schema([("id", pa.int32())]))
        with sink.transaction():
            assert sink.delete(spec, [keys]) == 4
        assert _rows(sink, f"SELECT id, parent_id FROM {table}") == [(5, None), (6, 5)]
    finally:
        sink.close()


def test_delete_keys_rolls_back_with_the_transaction(mysql_url):
    table = "rollback_items"
    _ddl(mysql_url, f"CREATE TABLE {table} (id CHAR(5) PRIMARY KEY, n INT NOT NULL, note TEXT NULL)")
    sink = open_sink(mysql_url)
    try:
        spec = _spec(sink, table, ITEMS_SCHEMA)
        sink.load(spec, [_items(range(10))], merge=False)
        tx = sink.transaction()
        assert sink.delete(spec, [_keys(range(5))]) == 5
        tx.rollback()
        assert _rows(sink, f"SELECT count(*) FROM {table}") == [(10,)]
    finally:
        sink.close()


def test_session_is_utc_and_strict(mysql_url):
    sink = open_sink(mysql_url)
    try:
        zone, mode = _rows(sink, "SELECT @@session.time_zone, @@session.sql_mode")[0]
        assert zone == "+00:00" and "STRICT_ALL_TABLES" in mode.split(",")
        assert _rows(sink, "SELECT @@character_set_client")[0][0] == "utf8mb4"
        assert sink.engine.dialect.name in ("mysql", "mariadb")
        # LOCAL INFILE is off on the client except during seedbed's own LOAD DATA
        assert sink.conn.connection.driver_connection._local_infile is False
    finally:
        sink.close()


def test_urls_are_read_by_the_dialect():
    from seedbed.dialects.urls import Parts

    p = Parts("mariadb://u:p%40ss@h:3307/db?local_infile=0")
    assert (p.user, p.password, p.host, p.port, p.database) == ("u", "p@ss", "h", 3307, "db")
    assert dialects.for_url("mysql+mysqldb://u@h/db") is dialects.get("mysql")
    assert dialects.for_url("mariadb://u@h/db") is dialects.get("mysql")
    assert dialects.redact("mariadb://u:p%40ss@h:3307/db") == "mariadb://u:***@h:3307/db"
    with pytest.raises(ConnectionFailed) as err:
        dialects.get("mysql").connect("mysql://u:secret@127.0.0.1:3306/db?colour=blue")
    assert "'colour'" in err.value.message and "secret" not in str(err.value)


# -- tables without a key, cut cycles -------------------------------------------------------

LOOSE_SCHEMA = pa.schema(
    [("a", pa.int32()), ("b", pa.string()), ("j", pa.string()), ("bin", pa.binary()), ("v", pa.string())]
)


def _loose(rows: range) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {
            "a": [None if i % 4 == 0 else i for i in rows],
            "b": [None if i % 5 == 0 else "long text " * 20 + str(i) for i in rows],
            "j": [None if i % 2 else json.dumps({"i": i}) for i in rows],
            "bin": [bytes([i % 256]) * 70 for i in rows],
            "v": [f"v{i}" for i in rows],
        },
        schema=LOOSE_SCHEMA,
    )


def test_table_without_a_key_merges_and_purges_null_matching_null(mysql_url, mode):
    """The key is every column: NULLs match NULLs (<=>), and the key-set index fits MySQL's
    limits (long text and blobs by prefix, JSON left out)."""
    import dataclasses

    table = f"loose_{mode}"
    _ddl(
        mysql_url,
        f"CREATE TABLE {table} (a INT NULL, b LONGTEXT NULL, j JSON NULL, bin BLOB NOT NULL, v VARCHAR(300) NOT NULL)",
        f"INSERT INTO {table} VALUES (NULL, NULL, NULL, 'x', 'not seeded')",
    )
    sink = _open(mysql_url, mode)
    try:
        spec = dataclasses.replace(_spec(sink, table, LOOSE_SCHEMA, key=LOOSE_SCHEMA.names), key_is_constraint=False)
        assert sink.load(spec, [_loose(range(0, 10))], merge=False).rows == 10
        assert sink.load(spec, [_loose(range(0, 20))], merge=True).rows == 10
        assert sink.load(spec, [_loose(range(0, 20))], merge=True).rows == 0
        assert sink.count(spec, [_loose(range(0, 30))]) == 20
        with sink.transaction():
            assert sink.delete(spec, [_loose(range(0, 20))]) == 20
        assert _rows(sink, f"SELECT v FROM {table}") == [("not seeded",)]
    finally:
        sink.close()


def test_update_columns_and_checks_off(mysql_url, mode):
    """A cut cycle: rows load with the foreign key NULL, which is set once the parents
    exist and cleared again before a purge; checks_off loads unchecked and restores."""
    _ddl(
        mysql_url,
        f"CREATE TABLE emp_{mode} (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, boss INT NULL, "
        f"FOREIGN KEY (boss) REFERENCES emp_{mode} (id))",
    )
    schema = pa.schema([("id", pa.int32()), ("name", pa.string()), ("boss", pa.int32())])
    sink = _open(mysql_url, mode)
    try:
        spec = _spec(sink, f"emp_{mode}", schema)
        rows = {"id": [1, 2, 3], "name": ["a", "b", "c"], "boss": [3, 1, 2]}  # a cycle
        assert (
            sink.load(spec, [pa.RecordBatch.from_pydict({**rows, "boss": [None] * 3}, schema=schema)], merge=False).rows
            == 3
        )
        bosses = pa.RecordBatch.from_pydict({"id": rows["id"], "boss": rows["boss"]})
        with sink.transaction():
            assert sink.update(spec, ("boss",), [bosses]) == 3
        assert _rows(sink, f"SELECT id, boss FROM emp_{mode} ORDER BY id") == [(1, 3), (2, 1), (3, 2)]
        cleared = pa.RecordBatch.from_arrays(
            [pa.array([1, 2, 3], pa.int32()), pa.nulls(3, pa.int32())], names=["id", "boss"]
        )
        with sink.transaction():
            sink.update(spec, ("boss",), [cleared])
            assert sink.delete(spec, [bosses.select(["id"])]) == 3
        with sink.unchecked():
            orphan = pa.RecordBatch.from_pydict({"id": [9], "name": ["z"], "boss": [42]}, schema=schema)
            assert sink.load(spec, [orphan], merge=False).rows == 1
        assert _rows(sink, "SELECT @@session.foreign_key_checks") == [(1,)]
        assert orphans(sink, spec, spec.table.foreign_keys[0], f"emp_{mode}") == 1
    finally:
        sink.close()
