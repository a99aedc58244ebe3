"""A trigger that refuses a row whose column disagrees with its parent's (``Schema.guards``).

``IF EXISTS (SELECT 1 FROM events WHERE events.event_id = NEW.event_id AND events.room_id
<> NEW.room_id) THEN RAISE ...`` is a constraint no catalog lists. seedbed reads it from the
trigger's text, the same from the database and from the DDL, and meets it by construction:
the column follows its parent's, and the parent's free column draws from the table the
column's own foreign key points at. Seeded on the three databases with the trigger live.
"""

from __future__ import annotations

from contextlib import closing

import pytest

import seedbed
from seedbed import dialects
from seedbed.schema import guards
from seedbed.schema.ddl import parse_ddl
from seedbed.schema.model import Guard
from seedbed.sinks import open_sink
from tests.helpers import fresh_url

GUARD = Guard("room_events", "room_id", "event_id", "room_id")

_TABLES = """
CREATE TABLE rooms (room_id varchar(40) NOT NULL PRIMARY KEY, name varchar(40) NOT NULL);
CREATE TABLE watched_rooms (room_id varchar(40) NOT NULL PRIMARY KEY REFERENCES rooms (room_id),
    since_event varchar(40));
CREATE TABLE events (event_id varchar(40) NOT NULL PRIMARY KEY, room_id varchar(40) NOT NULL,
    body varchar(80) NOT NULL);
CREATE TABLE room_events (event_id varchar(40) NOT NULL UNIQUE REFERENCES events (event_id),
    room_id varchar(40) NOT NULL REFERENCES watched_rooms (room_id));
"""
DDL = {
    "postgres": _TABLES
    + """
CREATE FUNCTION check_room_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM events AS e WHERE e.event_id = NEW.event_id AND e.room_id != NEW.room_id) THEN
        RAISE EXCEPTION 'Incorrect room_id in room_events';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER check_room_events BEFORE INSERT OR UPDATE ON room_events
    FOR EACH ROW EXECUTE FUNCTION check_room_events();
""",
    "sqlite": _TABLES
    + """
CREATE TRIGGER room_events_bad_room BEFORE INSERT ON room_events FOR EACH ROW
BEGIN
    SELECT RAISE(ABORT, 'Incorrect room_id in room_events')
    WHERE EXISTS (SELECT 1 FROM events WHERE events.event_id = NEW.event_id AND events.room_id <> NEW.room_id);
END;
""",
    "mysql": _TABLES
    + """
CREATE TRIGGER room_events_bad_room BEFORE INSERT ON room_events FOR EACH ROW
BEGIN
    IF EXISTS (SELECT 1 FROM `events` e WHERE NEW.event_id = e.event_id AND e.room_id <> NEW.room_id) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Incorrect room_id in room_events';
    END IF;
END;
""",
}


def _names(text: str, dialect: str = "postgres") -> list[tuple[str, str, str, str, str]]:
    read = guards.read(text, dialects.get(dialect).stored_name)
    return [(g.parent, g.via, g.key, g.column, g.parent_column) for g in read]


def test_a_guard_is_read_in_each_database_s_words():
    expected = [("events", "event_id", "event_id", "room_id", "room_id")]
    for dialect in DDL:
        assert _names(DDL[dialect].split("CREATE TABLE room_events")[1], dialect) == expected, dialect


def test_what_is_not_a_guard_is_not_read():
    # NOT EXISTS asks for the row to be there (a foreign key's job); no RAISE refuses nothing;
    # a condition on a constant, or two keys, is not one parent row's column
    assert _names("IF NOT EXISTS (SELECT 1 FROM e WHERE e.id = NEW.id AND e.r <> NEW.r) THEN RAISE x") == []
    assert _names("INSERT INTO log SELECT 1 WHERE EXISTS (SELECT 1 FROM e WHERE e.id = NEW.id AND e.r <> NEW.r)") == []
    assert _names("IF EXISTS (SELECT 1 FROM e WHERE e.id = NEW.id AND e.kind <> 'x') THEN RAISE y") == []
    assert _names("IF EXISTS (SELECT 1 FROM e WHERE e.a = NEW.a AND e.b = NEW.b AND e.r <> NEW.r) THEN RAISE y") == []
    assert _names("IF EXISTS (SELECT 1 FROM e WHERE e.id = NEW.id AND e.r IS DISTINCT FROM NEW.r) THEN RAISE y") == [
        ("e", "id", "id", "r", "r")
    ]


def test_a_guard_whose_key_is_no_foreign_key_is_dropped():
    ddl = DDL["postgres"].replace("REFERENCES events (event_id)", "")
    assert parse_ddl(ddl, "postgres").guards == ()


@pytest.mark.parametrize(
    "dialect",
    [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql), "sqlite"],
)
def test_a_guarded_table_fills_with_its_trigger_live(dialect, request, tmp_path):
    """The DDL and the database read the same guard; every table fills, the trigger refuses
    nothing, each watched event's room is its event's room, and a rerun adds nothing."""
    ddl = DDL[dialect]
    assert parse_ddl(ddl, dialect).guards == (GUARD,)
    url = fresh_url(dialect, request, tmp_path)
    with closing(open_sink(url)) as sink:
        raw = sink._raw()
        if dialect == "sqlite":
            raw.executescript(ddl)
        elif dialect == "mysql":  # one statement per execute; the trigger's body is one
            tables, trigger = ddl.split("CREATE TRIGGER")
            with raw.cursor() as cur:
                for statement in [s for s in tables.split(";") if s.strip()] + [
                    "CREATE TRIGGER " + trigger.strip()[:-1]
                ]:
                    cur.execute(statement)
        else:
            raw.execute(ddl)
        if dialect != "sqlite":
            raw.commit()
    with closing(open_sink(url)) as sink:
        assert sink.reflect().guards == (GUARD,)
    first = seedbed.seed(url, rows=30, manifest_dir=tmp_path / "runs")
    assert first.status == "completed", first.error
    assert not first.left_out
    with closing(open_sink(url)) as sink:
        for table in ("rooms", "watched_rooms", "events", "room_events"):
            assert sink.scalar(f"SELECT count(*) FROM {table}") > 0, table
        assert sink.scalar("SELECT count(*) FROM room_events r JOIN events e ON e.event_id = r.event_id "
                           "WHERE e.room_id <> r.room_id") == 0  # fmt: skip
    assert seedbed.seed(url, rows=30, manifest_dir=tmp_path / "runs").inserted_total == 0
    assert seedbed.verify(url, rows=30).ok
