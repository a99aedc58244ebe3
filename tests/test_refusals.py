"""Rows the database refuses by a rule no constraint declares (a trigger): the table is
filled with the rows it accepts, refused rows are drawn again or left out, the tables that
refer to them lose only the rows pointing at rows left out, and the run stays a run:
rerun adds nothing, verify passes, purge takes out exactly what went in.
"""

from __future__ import annotations

from contextlib import closing

import pytest

import seedbed
from seedbed.sinks import open_sink
from tests.helpers import dialect_params, fresh_url

TABLES = [
    "CREATE TABLE lib (id integer PRIMARY KEY, name text NOT NULL)",
    "CREATE TABLE coll (id integer PRIMARY KEY, lib_id integer NOT NULL REFERENCES lib (id))",
    "CREATE TABLE item (id integer PRIMARY KEY, lib_id integer NOT NULL REFERENCES lib (id))",
    "CREATE TABLE coll_item (id integer PRIMARY KEY, coll_id integer NOT NULL REFERENCES coll (id),"
    " item_id integer NOT NULL REFERENCES item (id), position integer)",
    "CREATE TABLE note (id integer PRIMARY KEY, coll_item_id integer NOT NULL REFERENCES coll_item (id), body text)",
]
# an item and its collection are in one library: said only by a trigger
RULE = {
    "sqlite": [
        "CREATE TRIGGER same_lib BEFORE INSERT ON coll_item BEGIN SELECT RAISE(ABORT, 'not one library')"
        " WHERE (SELECT lib_id FROM coll WHERE id = NEW.coll_id) <> (SELECT lib_id FROM item WHERE id = NEW.item_id);"
        " END"
    ],
    "postgres": [
        "CREATE FUNCTION same_lib() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF (SELECT lib_id FROM coll WHERE id = NEW.coll_id) <> (SELECT lib_id FROM item WHERE id = NEW.item_id)"
        " THEN RAISE EXCEPTION 'not one library'; END IF; RETURN NEW; END $$",
        "CREATE TRIGGER same_lib BEFORE INSERT ON coll_item FOR EACH ROW EXECUTE FUNCTION same_lib()",
    ],
    "mysql": [
        "CREATE TRIGGER same_lib BEFORE INSERT ON coll_item FOR EACH ROW BEGIN"
        " IF (SELECT lib_id FROM coll WHERE id = NEW.coll_id) <> (SELECT lib_id FROM item WHERE id = NEW.item_id)"
        " THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'not one library'; END IF; END"
    ],
}
MISMATCHED = (
    "SELECT count(*) FROM coll_item ci JOIN coll c ON c.id = ci.coll_id JOIN item i ON i.id = ci.item_id"
    " WHERE c.lib_id <> i.lib_id"
)


def _counts(sink) -> dict[str, int]:
    return {t: int(sink.scalar(f"SELECT count(*) FROM {t}")) for t in ("lib", "coll", "item", "coll_item", "note")}


@pytest.mark.parametrize("dialect", dialect_params())
def test_rows_a_trigger_refuses_are_drawn_again_or_left_out(dialect, request, tmp_path):
    url = fresh_url(dialect, request, tmp_path, TABLES + RULE[dialect])
    m = seedbed.seed(url, rows=40, seed=5, manifest_dir=None)
    assert m.status == "completed", m.left_out
    with closing(open_sink(url)) as sink:
        counts = _counts(sink)
        assert sink.scalar(MISMATCHED) == 0
        # some rows meet the rule (the first draw or a redraw), the rest are left out, recorded by index
        assert 0 < counts["coll_item"] < 40, counts
        assert len(m.refused["coll_item"]) == 40 - counts["coll_item"]
        # a note of a left-out row is drawn again to point at a row that is there, or left out
        assert 0 < counts["note"] == 40 - len(m.refused.get("note", [])), counts
        content = sorted(sink.conn.exec_driver_sql("SELECT id, coll_id, item_id FROM coll_item").fetchall())
    again = seedbed.seed(url, rows=40, seed=5, manifest_dir=None)
    assert again.inserted_total == 0 and again.status == "completed"
    report = seedbed.verify(url, seed=5)
    assert report.ok, [(r.name, r.expected, r.actual) for r in report.failures]
    # the same rows in a fresh database: what the database refuses is decided by the same values
    if dialect == "sqlite":
        (tmp_path / "other").mkdir()
        other = fresh_url(dialect, request, tmp_path / "other", TABLES + RULE[dialect])
        seedbed.seed(other, rows=40, seed=5, manifest_dir=None)
        with closing(open_sink(other)) as sink:
            assert sorted(sink.conn.exec_driver_sql("SELECT id, coll_id, item_id FROM coll_item").fetchall()) == content
    deleted = seedbed.purge(url, seed=5)
    assert sum(deleted.values()) == sum(counts.values())
    with closing(open_sink(url)) as sink:
        assert set(_counts(sink).values()) == {0}
