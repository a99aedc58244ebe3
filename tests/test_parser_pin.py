"""The SQL parser's trees for the CHECK shapes seedbed reads, pinned.

seedbed reads CHECK constraints from sqlglot's trees (``planning/checks.py``). A parser
release once changed ``x IS NOT NULL`` from ``Not(Is)`` to ``Is(negate=True)`` and
constraints seedbed used to read were misread. ``pyproject.toml`` pins sqlglot to the
release line these tests pass on; an upgrade that changes one of these trees fails
here first, before it can change what is generated.
"""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from seedbed.planning.checkparse import parse_check
from seedbed.planning.checks import read_checks
from seedbed.schema.model import Check, Column, ColumnType, make_table

COLUMNS = ["status", "qty", "price", "ends_at", "starts_at", "note", "deleted", "url", "code", "born", "kind", "a", "b"]

TREES = [
    ("status IN ('a', 'b')", "In(Column(Identifier), Literal, Literal)"),
    (
        "status = ANY (ARRAY['a'::text, 'b'::text])",
        "EQ(Column(Identifier), Any(Paren(Array(Cast(Literal, DataType), Cast(Literal, DataType)))))",
    ),
    ("qty BETWEEN 1 AND 10", "Between(Column(Identifier), Literal, Literal)"),
    ("qty >= 0 AND qty <= 100", "And(GTE(Column(Identifier), Literal), LTE(Column(Identifier), Literal))"),
    ("price > 0.5", "GT(Column(Identifier), Literal)"),
    ("ends_at > starts_at", "GT(Column(Identifier), Column(Identifier))"),
    ("note IS NOT NULL", "Not(Is(Column(Identifier), Null))"),
    (
        "note IS NULL OR char_length(note) <= 20",
        "Or(Is(Column(Identifier), Null), LTE(Length(Column(Identifier)), Literal))",
    ),
    ("deleted IS NOT TRUE", "Not(Is(Column(Identifier), Boolean))"),
    ("url LIKE 'https://%'", "Like(Column(Identifier), Literal)"),
    ("code ~ '^[a-z]{2}$'", "RegexpLike(Column(Identifier), Literal)"),
    ("length(trim(code)) >= 1", "GTE(Length(Trim(Column(Identifier))), Literal)"),
    (
        "born <= CURRENT_TIMESTAMP - '18 years'::interval",
        "LTE(Column(Identifier), Sub(CurrentTimestamp, Cast(Literal, DataType)))",
    ),
    ("born >= '1930-01-01'::date", "GTE(Column(Identifier), Cast(Literal, DataType))"),
    ("upper(kind) IN ('A', 'B')", "In(Upper(Column(Identifier)), Literal, Literal)"),
    ("NOT (a = b)", "Not(Paren(EQ(Column(Identifier), Column(Identifier))))"),
    ("a <> b", "NEQ(Column(Identifier), Column(Identifier))"),
    ("false", "Boolean"),
]


def shape(node: exp.Expr) -> str:
    """The tree's node classes, nested: what the reader walks."""
    kids = [shape(v) for v in node.args.values() if isinstance(v, exp.Expr)]
    kids += [shape(x) for v in node.args.values() if isinstance(v, list) for x in v if isinstance(x, exp.Expr)]
    name = type(node).__name__
    return f"{name}({', '.join(kids)})" if kids else name


@pytest.mark.parametrize(("sql", "tree"), TREES, ids=[s for s, _ in TREES])
def test_the_parser_gives_the_tree_the_reader_expects(sql: str, tree: str):
    parsed = parse_check(sql, COLUMNS)
    assert parsed is not None, f"sqlglot {sqlglot.__version__} no longer parses {sql!r}"
    assert shape(parsed) == tree, f"sqlglot {sqlglot.__version__} parses {sql!r} into another tree"


def _table(*checks: str):
    cols = [Column(n, ColumnType("text" if n in ("status", "note", "url", "code", "kind") else "int")) for n in COLUMNS]
    return make_table(None, "t", cols, [], [], [], [Check(sql, f"c{i}") for i, sql in enumerate(checks)])


def test_what_the_reader_makes_of_those_trees():
    r = read_checks(
        _table(
            "status IN ('a', 'b')",
            "qty BETWEEN 1 AND 10",
            "price > 0.5",
            "ends_at > starts_at",
            "note IS NULL OR char_length(note) <= 20",
            "deleted IS NOT TRUE",
            "url LIKE 'https://%'",
            "born >= '1930-01-01'::date",
            "upper(kind) IN ('A', 'B')",
        )
    )
    rules = r.rules
    assert rules["status"].values == ["a", "b"]
    assert (rules["qty"].lo, rules["qty"].hi) == (1, 10)
    assert rules["price"].lo == pytest.approx(0.5 + 1e-6)
    assert rules["ends_at"].after == [("starts_at", True)]
    assert rules["note"].max_len == 20
    assert rules["deleted"].values == [False]
    assert rules["url"].prefix == "https://"
    assert rules["born"].since == "1930-01-01"
    assert rules["kind"].values == ["A", "B"]
    assert not r.not_understood and not r.unsure


def test_is_not_null_is_read_as_not_null_whatever_the_tree():
    """Both spellings a parser may give are one shape to the reader."""
    r = read_checks(_table("note IS NOT NULL"))
    assert r.rules["note"].not_null and not r.not_understood
