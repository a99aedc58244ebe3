"""``plan --ddl`` and ``plan --db`` read the same schema, on every schema of the corpus.

Each corpus file (see tests/corpus.py: found in the folder tree, dialect from the folder
name) is read by ``parse_ddl`` in the server's flavour, as ``plan`` reads it, and loaded
into a fresh database by that database's own client, then reflected the way ``plan --db``
does (``open_sink(url).reflect()``). The two models are compared table by table and every
difference is reported, not only the first: tables, columns in order, their kinds,
lengths, precision, scale, nullability, identity, generated expressions and defaults
(plus what the planner reads from a type's name: an integer's width, a binary's length,
an unknown type's name), keys, foreign keys, uniques, CHECKs, partitioning, enums and
domains.

Where reflection is the one that reads the database wrong, the difference is listed in
``REFLECTION`` with where the fix belongs, and each case names the ones it shows in
``EXPECTED``; a listed difference that no longer shows fails too, so the list stays true.

The tests after those need no database: what the reader makes of the corpus files on
its own (its warnings, the tables it mends), and of small statements like theirs.
Under CI=true a missing server, client or schema file fails instead of skipping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from seedbed.schema.ddl import parse_ddl
from seedbed.schema.model import Column, Schema, Table
from seedbed.schema.types import byte_bounds, int_bounds
from seedbed.sinks import open_sink
from tests import corpus

CASES = [case for root in corpus.roots() for case in corpus.cases(root)]


def _params() -> list:
    marks = {"postgres": [pytest.mark.postgres], "mysql": [pytest.mark.mysql], "sqlite": []}
    return [pytest.param(case, id=case.id, marks=marks[case.dialect]) for case in CASES]


# -- the comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    where: str  # the table, or the enum / domain
    what: str  # "table", "column a.kind", "foreign key (a)", ...
    parsed: Any  # what the DDL says (None: it has none)
    reflected: Any  # what the database says (None: it has none)
    columns: tuple[Column, Column] | None = None  # (parsed, reflected) for a column fact

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: DDL {self.parsed!r}, database {self.reflected!r}"


def _type_name(raw: str) -> str:
    """A type's name as the planner matches it (``guess.py``): no schema, parameters, quotes."""
    return raw.lower().split("(")[0].strip().split(".")[-1].strip('"').strip()


def _facts(c: Column) -> dict[str, Any]:
    t = c.type
    facts = {
        "kind": t.kind,
        "length": t.length,
        "precision": t.precision,
        "scale": t.scale,
        "enum": t.enum,
        "item": t.item,
        "nullable": c.nullable,
        "identity": c.identity,
        "generated": c.generated,
        "default": c.default,
    }
    if t.kind in ("smallint", "int", "bigint"):
        facts["int bounds"] = int_bounds(t)
    if t.kind == "bytes":
        facts["byte bounds"] = byte_bounds(t)
    if t.kind in ("other", "geometry"):
        facts["type name"] = _type_name(t.raw)
    return facts


def _paired(where: str, what: str, parsed: Iterable, reflected: Iterable, key: Callable) -> list[Difference]:
    """Constraints matched by ``key``; a pair that differs, or one without a partner, differs."""
    ours, theirs = {key(x): x for x in parsed}, {key(x): x for x in reflected}
    out = []
    for k in sorted(ours.keys() | theirs.keys(), key=repr):
        a, b = ours.get(k), theirs.get(k)
        if a != b:
            out.append(Difference(where, f"{what} {k}", a, b))
    return out


def _table_differences(a: Table, b: Table) -> list[Difference]:
    name = a.qualified
    out = []
    if [c.name for c in a.columns] != [c.name for c in b.columns]:
        out.append(Difference(name, "columns", [c.name for c in a.columns], [c.name for c in b.columns]))
    for col in a.columns:
        if not b.has_column(col.name):
            continue
        other = b.column(col.name)
        ours, theirs = _facts(col), _facts(other)
        for fact in ours.keys() & theirs.keys():
            if ours[fact] != theirs[fact]:
                out.append(Difference(name, f"column {col.name}.{fact}", ours[fact], theirs[fact], (col, other)))
    if a.primary_key != b.primary_key:
        out.append(Difference(name, "primary key", a.primary_key, b.primary_key))
    out += _paired(name, "foreign key", a.foreign_keys, b.foreign_keys, lambda f: (f.columns, f.ref_table))
    out += _paired(name, "unique", a.uniques, b.uniques, lambda u: (u.columns, u.index))
    out += _paired(name, "check", a.checks, b.checks, lambda c: c.name or c.sql)
    for attr in ("partition_of", "partition_bound", "partition_kind", "partition_key", "partitions"):
        if getattr(a, attr) != getattr(b, attr):
            out.append(Difference(name, attr.replace("_", " "), getattr(a, attr), getattr(b, attr)))
    return out


def differences(parsed: Schema, reflected: Schema) -> list[Difference]:
    ours, theirs = {t.qualified: t for t in parsed.tables}, {t.qualified: t for t in reflected.tables}
    out = [
        Difference(n, "table", n if n in ours else None, n if n in theirs else None)
        for n in ours.keys() ^ theirs.keys()
    ]
    for name in sorted(ours.keys() & theirs.keys()):
        out += _table_differences(ours[name], theirs[name])
    out += _paired("enums", "enum", parsed.enums, reflected.enums, lambda e: e.name)
    out += _paired("domains", "domain", parsed.domains, reflected.domains, lambda d: d.name)
    if not out and parsed != reflected:  # a field the comparison above does not look at
        out.append(Difference("schema", "model", parsed, reflected))
    return sorted(out, key=str)


# -- where reflection is the one that is wrong ----------------------------------------------------


@dataclass(frozen=True)
class Reflection:
    why: str
    fix: str  # where the fix belongs
    matches: Callable[[Difference, Schema], bool]


REFLECTION = {
    "sqlite fk name": Reflection(
        "SQLAlchemy reads a SQLite foreign key's name from the table's text, and misses it with a comment "
        "inside the constraint",
        "schema/reflect.py _Reflector.foreign_key (SQLAlchemy's SQLite get_foreign_keys)",
        lambda d, _: d.what.startswith("foreign key ") and d.parsed and d.reflected and d.reflected.name is None,
    ),
}
EXPECTED: dict[str, tuple[str, ...]] = {
    "schemas_more/synapse_sqlite/schema.sql": ("sqlite fk name",),
}


def _reflect_and_parse(case: corpus.Case, tmp_path: Path) -> tuple[Schema, Schema]:
    with corpus.fresh_database(case, tmp_path) as url:
        sink = open_sink(url)
        try:
            # plan rereads the DDL in the server's flavour (MariaDB skips some MySQL comments)
            return parse_ddl(case.path.read_text(encoding="utf-8"), sink.flavour), sink.reflect()
        finally:
            sink.close()


@pytest.mark.filterwarnings("ignore:Did not recognize type")  # SQLAlchemy on types it has no class for
@pytest.mark.parametrize("case", _params())
def test_ddl_reads_what_the_database_reflects(case: corpus.Case, tmp_path: Path):
    parsed, reflected = _reflect_and_parse(case, tmp_path)
    known = {name: REFLECTION[name] for name in EXPECTED.get(case.id, ())}
    found = differences(parsed, reflected)
    unexplained = [d for d in found if not any(k.matches(d, parsed) for k in known.values())]
    gone = [name for name, k in known.items() if not any(k.matches(d, parsed) for d in found)]
    report = [f"{len(unexplained)} difference(s) between the DDL's model and the database's:"]
    report += [f"  {d}" for d in unexplained]
    report += [f"  '{name}' no longer shows: take it out of EXPECTED" for name in gone]
    assert not unexplained and not gone, "\n".join(report)


@pytest.mark.parametrize("root", corpus.roots(), ids=lambda root: root.name)
def test_corpus_root_holds_schemas(root: Path):
    if not corpus.cases(root):
        corpus.unavailable(f"{root} holds no schema (no <folder>/*.sql)")


# -- the reader alone, on the corpus ----------------------------------------------------------------

# What reading each file costs, as the reader says it (a part of each warning); any
# other file reads without a warning.
WARNINGS = {
    "schemas_more/hatchet/schema.sql": ["type uuidrange is not read (a range type)"],
    "schemas_more/synapse_sqlite/schema.sql": [
        "table user_directory_search is not planned: a virtual table",
        "table event_search is not planned: a virtual table",
    ],
}


def _parsed(case_id: str) -> Schema:
    case = next((c for c in CASES if c.id == case_id), None)
    if case is None or not case.path.is_file():
        corpus.unavailable(f"{case_id} is not in the corpus")
    return parse_ddl(case.path.read_text(encoding="utf-8"), case.dialect)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_corpus_file_reads_with_only_the_expected_warnings(case: corpus.Case):
    schema = parse_ddl(case.path.read_text(encoding="utf-8"), case.dialect)
    expected = WARNINGS.get(case.id, [])
    assert len(schema.warnings) == len(expected), schema.warnings
    for part, warning in zip(expected, schema.warnings):
        assert part in warning


def test_ledgersmb_reads_no_inherit_checks_and_inherited_tables():
    s = _parsed("schemas_more/ledgersmb/schema.sql")
    base, eca = s.table("file_base"), s.table("file_eca")
    assert [c.name for c in base.columns] == [c.name for c in eca.columns]  # INHERITS: the parent's columns
    assert "file_base_check" in {c.name for c in base.checks}
    assert "file_base_check" not in {c.name for c in eca.checks}  # CHECK (false) NO INHERIT
    assert "file_eca_file_class_check" in {c.name for c in eca.checks}


def test_zabbix_column_named_like_a_keyword():
    column = _parsed("schemas_more/zabbix/schema.sql").table("report_user").column("exclude")
    assert (column.type.kind, column.nullable, column.default) == ("int", False, "0")


# -- the reader alone, on statements like the corpus's ------------------------------------------------


def test_an_unreadable_table_is_skipped_with_what_it_costs():
    s = parse_ddl(
        "CREATE TABLE a (id int PRIMARY KEY);\n"
        "CREATE TABLE broken (id int PRIMARY KEY, x int WHAT IS THIS (;\n"
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a, broken_id int REFERENCES broken (id));",
        "postgres",
    )
    assert s.names == ["a", "b"]
    assert s.table("b").has_column("broken_id") and [fk.ref_table for fk in s.table("b").foreign_keys] == ["a"]
    first, second = s.warnings
    assert first.startswith("statement 2 ('CREATE TABLE broken (id int PRIMARY KEY, x int WHAT IS THIS (') cannot be")
    assert "table broken is not planned" in first
    assert second == "foreign key b (broken_id) -> broken left out: broken was not read"


def test_a_type_sqlglot_cannot_parse_is_kept_by_its_name():
    s = parse_ddl("CREATE TABLE t (id int PRIMARY KEY, flags bit varying(5) NOT NULL DEFAULT B'0')", "postgres")
    flags = s.table("t").column("flags")
    assert (flags.type.kind, flags.type.raw, flags.nullable) == ("other", "bit varying(5)", False)
    [warning] = s.warnings
    assert warning.startswith("statement 1 (") and warning.endswith(
        "read in part: type 'bit varying(5)' read by its name in \"flags bit varying(5) NOT NULL DEFAULT B'0'\""
    )
    point = parse_ddl("CREATE TABLE m (id INT PRIMARY KEY, p POINT NOT NULL SRID 4326)", "mysql").table("m")
    assert (point.column("p").type.kind, point.column("p").nullable) == ("geometry", False)


def test_words_sqlglot_has_no_grammar_for_cost_only_those_words():
    s = parse_ddl("CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0) NOT ENFORCED LATER)", "postgres")
    assert [c.sql for c in s.table("t").checks] == ["a > 0"]
    assert s.warnings[0].endswith(
        "read in part: 'NOT ENFORCED LATER' left out of 'CONSTRAINT c CHECK (a > 0) NOT ENFORCED LATER'"
    )


def test_inherits_copies_columns_and_checks_but_not_no_inherit_ones():
    s = parse_ddl(
        "CREATE TABLE base (id serial PRIMARY KEY, kind int NOT NULL DEFAULT '1',"
        " CONSTRAINT never CHECK (false) NO INHERIT, CONSTRAINT pos CHECK (id > 0));\n"
        "CREATE TABLE child (extra text, kind int) INHERITS (base);",
        "postgres",
    )
    child = s.table("child")
    assert [(c.name, c.nullable, c.default) for c in child.columns] == [
        ("id", False, None),
        ("kind", False, "1"),
        ("extra", True, None),
    ]
    assert child.column("id").identity and child.primary_key == ()  # keys are not inherited
    assert [c.name for c in child.checks] == ["pos"] and [c.name for c in s.table("base").checks] == ["never", "pos"]
    assert not s.warnings


def test_types_the_model_has_no_place_for():
    s = parse_ddl(
        "CREATE EXTENSION IF NOT EXISTS btree_gist;\n"
        "CREATE TYPE span AS RANGE (subtype = uuid);\n"
        "CREATE TYPE pair AS (a int, b int);\n"
        "CREATE DOMAIN odd AS int CHECK (VALUE >>>> 0);\n"
        "CREATE TABLE t (id int PRIMARY KEY, s span, o odd, p pair);",
        "postgres",
    )
    assert [c.type.kind for c in s.table("t").columns] == ["int", "other", "other", "other"]
    assert s.warnings == (
        "type span is not read (a range type): its columns get a generator only from the plan (t.s)",
        "type odd is not read (a domain whose definition cannot be read): its columns get a generator only from "
        "the plan (t.o)",
        "type pair is not read (a composite type): its columns get a generator only from the plan (t.p)",
    )
    assert not parse_ddl("CREATE TYPE unused AS RANGE (subtype = uuid)", "postgres").warnings  # it costs nothing


def test_a_do_block_is_read_for_what_it_creates():
    s = parse_ddl(
        "DO $$ BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n"
        "    CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
        "  END IF;\n"
        "  EXECUTE 'CREATE TABLE built (a int)';\n"
        "EXCEPTION WHEN duplicate_object THEN null;\n"
        "END $$;\n"
        "CREATE TABLE t (id int PRIMARY KEY, m mood);",
        "postgres",
    )
    assert s.enum("mood").values == ("sad", "ok") and s.table("t").column("m").type.kind == "enum"
    assert s.names == ["t"]
    assert s.warnings == (
        "statement 1 ('DO $$ BEGIN'): SQL the block builds (EXECUTE) is not read: "
        "\"EXECUTE 'CREATE TABLE built (a int)'\"",
    )


def test_an_sqlite_virtual_table_is_not_a_table_of_the_model():
    s = parse_ddl(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT);\n"
        "CREATE VIRTUAL TABLE search USING fts4 (tokenize=porter, body);\n"
        "CREATE VIRTUAL TABLE search5 USING fts5 (body);",
        "sqlite",
    )
    assert s.names == ["events"]
    assert [w.split(":")[0] for w in s.warnings] == ["table search is not planned", "table search5 is not planned"]


def test_alter_table_adds_and_drops_columns():
    s = parse_ddl(
        "CREATE TABLE page (id int PRIMARY KEY, title text);\n"
        "ALTER TABLE page ADD titlevector tsvector;\n"
        "ALTER TABLE page ADD COLUMN gone int, ADD COLUMN n int NOT NULL DEFAULT '5';\n"
        "ALTER TABLE page DROP COLUMN gone;\n"
        "ALTER TABLE page ALTER COLUMN title SET NOT NULL;",
        "postgres",
    )
    page = s.table("page")
    assert [(c.name, c.nullable, c.default) for c in page.columns] == [
        ("id", False, None),
        ("title", False, None),
        ("titlevector", True, None),
        ("n", False, "5"),
    ]


@pytest.mark.parametrize(
    ("dialect", "column", "default"),
    [
        ("postgres", "n int DEFAULT '0'", "0"),  # the database stores the number
        ("postgres", "n numeric(10, 2) DEFAULT '0.00'", "0"),
        ("postgres", "n boolean DEFAULT 'f'", "FALSE"),
        ("postgres", "n bytea DEFAULT ''", "'\\x'"),  # printed in hex
        ("postgres", "n text DEFAULT '0'", "'0'"),
        ("postgres", "n uuid DEFAULT public.gen_random_uuid()", "GEN_RANDOM_UUID()"),  # found on the path
        ("mysql", "n INT UNSIGNED DEFAULT '0'", "0"),
        ("mysql", "n TINYINT(1) DEFAULT '1'", "1"),
        ("mysql", "n BINARY(3) DEFAULT ''", "'\\0\\0\\0'"),  # padded to its length
        ("sqlite", "n INTEGER DEFAULT '0'", "'0'"),  # SQLite keeps the text as written
        ("sqlite", "n INTEGER DEFAULT 1 /* 1 == shown */", "1"),
    ],
)
def test_a_default_reads_as_the_database_stores_it(dialect, column, default):
    assert (
        parse_ddl(f"CREATE TABLE t (id int PRIMARY KEY, {column})", dialect).table("t").column("n").default == default
    )


@pytest.mark.parametrize(
    ("column", "rowid"),
    [("id INTEGER PRIMARY KEY", True), ("id INT PRIMARY KEY", False), ("id INTEGER UNSIGNED PRIMARY KEY", False)],
)
def test_only_a_column_written_integer_is_sqlites_row_id(column, rowid):
    assert parse_ddl(f"CREATE TABLE t ({column}, v)", "sqlite").table("t").column("id").identity is rowid


def test_sqlite_columns_without_a_type_and_their_spelled_widths():
    t = parse_ddl("CREATE TABLE t (a SMALLINT, b BIGINT, value, v UNIQUE, PRIMARY KEY (a))", "sqlite").table("t")
    assert [c.name for c in t.columns] == ["a", "b", "value", "v"]
    assert [int_bounds(c.type)[1] for c in t.columns[:2]] == [2**15 - 1, 2**63 - 1]
    assert t.uniques[0].columns == ("v",)


def test_a_check_on_a_column_named_like_a_statement():
    from seedbed.schema.sqlnorm import normalize_check

    assert normalize_check("(lock = 'X'::bpchar)", "postgres") == "lock = 'X'"


def test_warnings_are_not_part_of_the_schema():
    text = "CREATE TABLE t (id int PRIMARY KEY, x int WHAT (;\nCREATE TABLE u (id int PRIMARY KEY)"
    assert parse_ddl(text, "postgres") == parse_ddl("CREATE TABLE u (id int PRIMARY KEY)", "postgres")
