"""Focused tests of the helpers generation and runs are built from.

Business days, durations, UUIDv5 keys, hex, slugs, weighted picks, templates and JSON
documents rendered through a small resolved plan, type coercion, the run manifest,
plan parsing and the SQL the SQLite sink builds. Databases are real SQLite files.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedbed.engine import Context
from seedbed.errors import PlanError, SchemaError, SeedbedError
from seedbed.generate import rng
from seedbed.generate.coerce import arrow_type, coerce
from seedbed.generate.generators.base import BuildInfo
from seedbed.generate.generators.basic import pick_weighted, weighted
from seedbed.generate.text import (
    SEEDBED_NS,
    KeyBytes,
    hex_fixed,
    namespace_for,
    slugify,
    uuid5_of_indices,
    uuid5_strings,
    uuid_strings_from_bytes,
)
from seedbed.generate.timeutil import (
    DAY_US,
    add_business_days,
    business_day_forward,
    duration_or_fail,
    parse_duration,
    to_micros,
)
from seedbed.planning.load import load_plan_file, parse_plan
from seedbed.planning.resolve import resolve_plan
from seedbed.schema.ddl import parse_ddl
from seedbed.schema.model import ColumnType
from seedbed.sinks.manifest import Manifest, TableRecord

UTC = UTC


def us(dt: datetime) -> int:
    return to_micros(dt)


def dt_of(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))


# -- business days ------------------------------------------------------------------------------

FRIDAY = datetime(2025, 10, 31, 15, 30, 12, tzinfo=UTC)
SATURDAY = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)
SUNDAY = datetime(2025, 11, 2, 23, 59, 59, tzinfo=UTC)
MONDAY = datetime(2025, 11, 3, tzinfo=UTC)


def test_friday_plus_one_business_day_is_monday_same_time():
    out = add_business_days(np.array([us(FRIDAY)]), np.array([1]))
    assert dt_of(out[0]) == datetime(2025, 11, 3, 15, 30, 12, tzinfo=UTC)


def test_friday_plus_five_business_days_is_next_friday():
    out = add_business_days(np.array([us(FRIDAY)]), np.array([5]))
    assert dt_of(out[0]) == FRIDAY + timedelta(days=7)


def test_weekend_rolls_forward_to_monday_keeping_time_of_day():
    out = business_day_forward(np.array([us(SATURDAY), us(SUNDAY)]))
    assert [dt_of(x) for x in out] == [
        datetime(2025, 11, 3, 9, 0, tzinfo=UTC),
        datetime(2025, 11, 3, 23, 59, 59, tzinfo=UTC),
    ]
    # add_business_days rolls a weekend start forward before adding
    out = add_business_days(np.array([us(SATURDAY), us(SATURDAY)]), np.array([0, 1]))
    assert [dt_of(x).date() for x in out] == [date(2025, 11, 3), date(2025, 11, 4)]


def test_business_day_forward_leaves_weekdays_alone():
    days = [MONDAY + timedelta(days=i, hours=i) for i in range(5)]  # Monday..Friday
    arr = np.array([us(d) for d in days])
    assert np.array_equal(business_day_forward(arr), arr)


def _reference_forward(d: datetime) -> datetime:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _reference_add(d: datetime, n: int) -> datetime:
    d = _reference_forward(d)
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        d += timedelta(days=step)
        while d.weekday() >= 5:
            d += timedelta(days=step)
    return d


def test_business_days_vectorised_match_a_day_by_day_reference():
    gen = np.random.default_rng(20251031)
    lo, hi = us(datetime(1965, 1, 1, tzinfo=UTC)), us(datetime(2035, 1, 1, tzinfo=UTC))
    instants = gen.integers(lo, hi, size=2000, dtype=np.int64)
    instants -= instants % 1_000_000  # whole seconds, like timestamps columns
    n = gen.integers(0, 30, size=2000)
    fwd = business_day_forward(instants)
    added = add_business_days(instants, n)
    assert fwd.dtype == np.int64 and added.dtype == np.int64
    assert fwd.shape == added.shape == instants.shape
    for i in range(len(instants)):
        d = dt_of(instants[i])
        assert dt_of(fwd[i]) == _reference_forward(d), d
        assert dt_of(added[i]) == _reference_add(d, int(n[i])), (d, n[i])


def test_add_business_days_negative_goes_back():
    out = add_business_days(np.array([us(MONDAY)]), np.array([-1]))
    assert dt_of(out[0]) == MONDAY - timedelta(days=3)  # the Friday before


# -- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-30d", -30 * DAY_US),
        ("2w", 14 * DAY_US),
        ("6h", 6 * 3_600_000_000),
        ("30m", 30 * 60_000_000),
        ("45s", 45_000_000),
        ("1.5d", 36 * 3_600_000_000),
        ("+3d", 3 * DAY_US),
        (" 7d ", 7 * DAY_US),
        ("0", 0),
        ("now", 0),
        ("anchor", 0),
        (0, 0),
        (0.0, 0),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "3x", "d", "30M", "--3d", "3 days", "", "2025-01-01", 5, 1.5, True, False, None, [1, "d"], {"d": 1}]
)
def test_parse_duration_rejects(text):
    assert parse_duration(text) is None


def test_duration_or_fail_names_the_place():
    assert duration_or_fail("-2w", "tables.t.columns.c") == -14 * DAY_US
    with pytest.raises(PlanError) as info:
        duration_or_fail("ten days", "tables.t.columns.c.time.between")
    err = info.value
    assert err.where == "tables.t.columns.c.time.between"
    assert "'ten days'" in err.message and "not a duration" in err.message
    assert "-365d" in err.hint
    assert "tables.t.columns.c.time.between" in str(err)


# -- UUIDv5, hex, slugs -------------------------------------------------------------------------

NAMES = [
    "",
    "0",
    "1",
    "42",
    "alice@example.com",
    "Jürgen Müller",
    "Émile Zola",
    "日本語テキスト",
    "emoji 🎉 party",
    "tab\there",
    'quote"and\\backslash',
    "x" * 1000,
] + [str(i) for i in range(200)]


@pytest.mark.parametrize(
    "namespace", [uuid.NAMESPACE_DNS, uuid.NAMESPACE_URL, SEEDBED_NS, uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")]
)
def test_uuid5_strings_equal_python_uuid5(namespace):
    expected = [str(uuid.uuid5(namespace, n)) for n in NAMES]
    from_bytes = uuid5_strings(namespace, [n.encode("utf-8") for n in NAMES])
    from_arrow = uuid5_strings(namespace, pa.array(NAMES, pa.string()))
    assert from_bytes.to_pylist() == expected
    assert from_arrow.to_pylist() == expected
    assert from_bytes.type == pa.string()


def test_uuid5_of_indices_is_uuid5_of_the_decimal_index():
    ns = namespace_for(123, "public.users")
    assert ns == uuid.uuid5(SEEDBED_NS, "123/public.users")
    idx = np.array([0, 1, 9, 10, 99_999, 2**40, 7], dtype=np.int64)
    assert uuid5_of_indices(ns, idx).to_pylist() == [str(uuid.uuid5(ns, str(i))) for i in idx.tolist()]


def test_parent_keys_kept_for_a_run_are_the_same_keys_and_bounded(monkeypatch):
    """A run keeps the keys its children look up (KeyBytes): the same strings as hashing
    each time, in any order and with repeats, and no more than its limit: a namespace
    that does not fit is hashed per batch, and none kept is dropped for it."""
    kept = KeyBytes()
    ns, other = namespace_for(1, "tasks"), namespace_for(1, "files")
    rng_ = np.random.default_rng(7)
    for idx in (rng_.integers(0, 5_000, 3_000), np.array([4_999, 0, 0, 17]), rng_.integers(0, 9_000, 50)):
        want = [str(uuid.uuid5(ns, str(i))) for i in idx.tolist()]
        assert uuid5_of_indices(ns, idx, kept=kept).to_pylist() == want
        assert uuid5_of_indices(ns, idx).to_pylist() == want
    monkeypatch.setattr(KeyBytes, "LIMIT", 17 * 10_000)
    small = KeyBytes()
    assert small.bytes_of(ns, np.array([8_000])) is not None
    assert small.bytes_of(other, np.array([5_000])) is None  # no room left: hashed per batch
    assert uuid5_of_indices(other, np.array([5_000]), kept=small).to_pylist() == [str(uuid.uuid5(other, "5000"))]
    assert small.bytes_of(ns, np.array([3])) is not None  # still kept
    assert sum(len(have) for _, have in small.kept.values()) * 17 <= KeyBytes.LIMIT


def test_uuid_strings_from_bytes_spell_every_byte_as_python_does():
    raw = ((np.arange(256)[:, None] + np.arange(16)[None, :]) % 256).astype(np.uint8)  # each value, each place
    got = uuid_strings_from_bytes(raw)
    assert got.to_pylist() == [str(uuid.UUID(bytes=row.tobytes())) for row in raw]
    assert uuid_strings_from_bytes(raw[5:9]).to_pylist() == got.to_pylist()[5:9]
    assert uuid_strings_from_bytes(np.empty((0, 16), np.uint8)).to_pylist() == []


def test_uuid5_of_no_names_is_empty():
    assert uuid5_of_indices(SEEDBED_NS, np.array([], dtype=np.int64)).to_pylist() == []


def test_namespaces_differ_per_seed_and_table():
    spaces = {namespace_for(s, t) for s in (1, 2, "1x") for t in ("a", "b")}
    assert len(spaces) == 6


@pytest.mark.parametrize("digits", [1, 2, 4, 8, 12, 16])
def test_hex_fixed_matches_format(digits):
    gen = np.random.default_rng(digits)
    values = np.concatenate(
        [
            np.array([0, 1, 15, 16, 255, 2**32 - 1, 2**63, 2**64 - 1], dtype=np.uint64),
            gen.integers(0, 2**63, size=500, dtype=np.uint64) * np.uint64(2),
        ]
    )
    expected = [format(int(v), "016x")[-digits:] for v in values]
    out = hex_fixed(values, digits)
    assert out.type == pa.string()
    assert out.to_pylist() == expected


@pytest.mark.parametrize(
    "text, slug",
    [
        ("Acme Cloud, Inc.", "acme-cloud-inc"),
        ("  --Hello__World--  ", "hello-world"),
        ("Already-a-slug-42", "already-a-slug-42"),
        ("MiXeD   CaSe!!!", "mixed-case"),
        ("a.b.c", "a-b-c"),
        ("", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(pa.array([text])).to_pylist() == [slug]


def test_slugify_keeps_nulls():
    assert slugify(pa.array(["A B", None])).to_pylist() == ["a-b", None]


def test_slugify_does_not_drop_accented_letters():
    out = slugify(pa.array(["Jürgen Müller", "Émile Zola"])).to_pylist()
    assert out[0] in {"jurgen-muller", "juergen-mueller", "jürgen-müller"}
    assert out[1] in {"emile-zola", "émile-zola"}


# -- weighted picks -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def info() -> BuildInfo:
    schema = parse_ddl("CREATE TABLE t (id integer PRIMARY KEY, status text);", "postgres")
    table = schema.table("t")
    return BuildInfo(
        schema=schema, table=table, column=table.column("status"), anchor_us=0, locale="en_US", per=None, per_fk=None
    )


N_DRAWS = 100_000


def draws(key: str) -> np.ndarray:
    return rng.uniform(np.arange(N_DRAWS, dtype=np.uint64), rng.stream_key(1, "t", "status", key))


def test_weighted_frequencies_follow_weights(info):
    vals, cum = weighted({"todo": 0.3, "doing": 0.1, "done": 0.6}, info)
    assert vals == ["todo", "doing", "done"]
    assert cum[-1] == 1.0 and np.all(np.diff(cum) >= 0)
    picks = pick_weighted(draws("a"), cum)
    freq = np.bincount(picks, minlength=3) / N_DRAWS
    assert np.allclose(freq, [0.3, 0.1, 0.6], atol=0.006), freq


def test_weighted_unnormalised_weights_and_zero_weight(info):
    vals, cum = weighted({"a": 0, "b": 3, "c": 0, "d": 1}, info)
    picks = pick_weighted(draws("b"), cum)
    freq = np.bincount(picks, minlength=4) / N_DRAWS
    assert freq[0] == 0 and freq[2] == 0, "a zero weight was picked"
    assert np.allclose(freq[[1, 3]], [0.75, 0.25], atol=0.006), freq


def test_weighted_list_is_uniform(info):
    vals, cum = weighted(["x", "y", "z", "w"], info)
    assert vals == ["x", "y", "z", "w"]
    freq = np.bincount(pick_weighted(draws("c"), cum), minlength=4) / N_DRAWS
    assert np.allclose(freq, 0.25, atol=0.006), freq


def test_pick_weighted_edges():
    cum = np.array([0.25, 0.5, 1.0])
    u = np.array([0.0, 0.2499999, 0.25, 0.4999, 0.5, 0.999999999])
    assert pick_weighted(u, cum).tolist() == [0, 0, 1, 1, 2, 2]
    assert pick_weighted(np.array([1.0]), cum).tolist() == [2]  # never out of range


@pytest.mark.parametrize("bad", [{"a": -1, "b": 2}, {"a": 0, "b": 0}, [], {}, "todo", 3, None])
def test_weighted_bad_weights_raise_plan_error(info, bad):
    with pytest.raises(PlanError) as err:
        weighted(bad, info)
    assert err.value.where == "tables.t.columns.status"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "bad", [{"a": "high", "b": 1}, {"a": [1], "b": 1}, {"a": float("nan"), "b": 1}, {"a": float("inf"), "b": 1}]
)
def test_weighted_non_numeric_weights_raise_plan_error(info, bad):
    with pytest.raises(PlanError):
        weighted(bad, info)


# -- templates, JSON, nulls, choices through a resolved plan -------------------------------------

DDL = """
CREATE TABLE people (
    id integer PRIMARY KEY,
    kind text NOT NULL,
    name text NOT NULL,
    label text,
    code varchar(12),
    padded text,
    note text,
    meta text,
    tag text,
    done_at timestamp,
    price numeric(8, 2)
);
"""

NASTY = 'Jo "Q" O\\Brien'

PLAN = {
    "tables": {
        "people": {
            "rows": 3000,
            "columns": {
                "kind": {"choices": {"org": 1, "user": 2, "bot": 1}},
                "name": {"value": NASTY},
                "label": {"format": "{kind|upper}/{kind|first}/{name|slug}-{index}"},
                "code": {"format": "{kind|title}-{index}-with-a-long-tail"},
                "padded": {"format": "#{index:06}"},
                "note": {"format": "n{index}", "null_rate": 0.3},
                "meta": {
                    "json": {
                        "who": "{name}",
                        "i": "{index}",
                        "kind": "{kind}",
                        "lit": 'say "hi"',
                        "n": 7,
                        "nested": {"list": ["{kind|upper}", True, None]},
                    }
                },
                "tag": {
                    "choices": {"by": "kind", "values": {"org": ["o1", "o2"], "user": {"u1": 0.8, "u2": 0.2, "u3": 0}}}
                },
                "done_at": {"time": {"between": ["-10d", "0d"]}, "when": {"kind": ["org", "bot"]}},
                "price": {"float": [-50, 50]},
            },
        }
    }
}


@pytest.fixture(scope="module")
def people() -> dict[str, list]:
    schema = parse_ddl(DDL, "postgres")
    plan = resolve_plan(schema, parse_plan(PLAN, "units.yaml"), seed=11)
    ctx = Context(plan, chunk_size=1000)
    n = ctx.rows("people")
    assert n == 3000
    return pa.Table.from_batches(list(ctx.batches("people"))).to_pydict()


def test_format_filters_and_index(people):
    for i in (0, 1, 17, 2999):
        kind = people["kind"][i]
        assert people["label"][i] == f"{kind.upper()}/{kind[0]}/jo-q-o-brien-{i}"
        assert people["padded"][i] == f"#{i:06d}"


def test_format_index_is_the_row_index_in_any_batch():
    schema = parse_ddl(DDL, "postgres")
    ctx = Context(resolve_plan(schema, parse_plan(PLAN, "units.yaml"), seed=11))
    batch = ctx.batch("people", 1234, 1240).to_pydict()
    assert batch["padded"] == [f"#{i:06d}" for i in range(1234, 1240)]
    assert batch["id"] == list(range(1235, 1241))


def test_varchar_column_is_truncated_to_its_length(people):
    assert all(len(v) <= 12 for v in people["code"])
    assert people["code"][5] == f"{people['kind'][5].title()}-5-with-a-long-tail"[:12]


def test_json_documents_parse_and_escape_quotes(people):
    for i in (0, 1, 500, 2999):
        doc = json.loads(people["meta"][i])
        kind = people["kind"][i]
        assert doc == {
            "who": NASTY,
            "i": str(i),
            "kind": kind,
            "lit": 'say "hi"',
            "n": 7,
            "nested": {"list": [kind.upper(), True, None]},
        }
    assert all(isinstance(json.loads(m), dict) for m in people["meta"])


def test_json_escapes_control_characters():
    schema = parse_ddl("CREATE TABLE t (id integer PRIMARY KEY, name text, meta text);", "postgres")
    plan = parse_plan(
        {
            "tables": {
                "t": {
                    "rows": 3,
                    "columns": {
                        "name": {"value": "line one\nline two\tand a tab\x01"},
                        "meta": {"json": {"n": "{name}"}},
                    },
                }
            }
        },
        "units.yaml",
    )
    batch = Context(resolve_plan(schema, plan)).batch("t", 0, 3).to_pydict()
    assert json.loads(batch["meta"][0]) == {"n": "line one\nline two\tand a tab\x01"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=20), st.integers(0, 5))
def test_json_string_round_trips_any_text(values, start):
    """Every value, sliced or not, reads back through json.loads as itself (null as null)."""
    from seedbed.generate.generators.documents import json_string

    arr = pa.array(["pad"] * start + values, pa.string()).slice(start)
    out = json_string(arr).to_pylist()
    assert [json.loads(s) for s in out] == values


def test_json_with_a_null_leaf_is_still_a_document():
    schema = parse_ddl("CREATE TABLE t (id integer PRIMARY KEY, note text, meta text NOT NULL);", "postgres")
    plan = parse_plan(
        {
            "tables": {
                "t": {
                    "rows": 50,
                    "columns": {"note": {"value": "x", "null_rate": 0.5}, "meta": {"json": {"n": "{note}", "k": 1}}},
                }
            }
        },
        "units.yaml",
    )
    batch = Context(resolve_plan(schema, plan)).batch("t", 0, 50).to_pydict()
    assert None in batch["note"]
    assert all(m is not None for m in batch["meta"])


def test_null_rate_gives_nulls_at_about_the_rate(people):
    notes = people["note"]
    rate = sum(v is None for v in notes) / len(notes)
    assert 0.26 < rate < 0.34, rate
    assert all(v == f"n{i}" for i, v in enumerate(notes) if v is not None)


def test_when_gives_nulls_exactly_where_the_condition_fails(people):
    for kind, done in zip(people["kind"], people["done_at"], strict=True):
        if kind in ("org", "bot"):
            assert done is not None
        else:
            assert done is None
    assert {"org", "user", "bot"} == set(people["kind"])


def test_columns_without_modifiers_are_never_null(people):
    for col in ("id", "kind", "name", "label", "code", "padded", "meta", "price"):
        assert None not in people[col], col


def test_choices_by_another_column(people):
    by_kind: dict[str, list] = {"org": [], "user": [], "bot": []}
    for kind, tag in zip(people["kind"], people["tag"], strict=True):
        by_kind[kind].append(tag)
    assert set(by_kind["org"]) == {"o1", "o2"}
    assert set(by_kind["user"]) == {"u1", "u2"}  # u3 has weight 0
    assert set(by_kind["bot"]) == {None}  # a group without values gets null
    share = by_kind["user"].count("u1") / len(by_kind["user"])
    assert 0.75 < share < 0.85, share
    kinds = people["kind"]
    assert 0.45 < kinds.count("user") / len(kinds) < 0.55


def test_choices_by_unknown_column_is_refused():
    schema = parse_ddl(DDL, "postgres")
    plan = parse_plan(
        {"tables": {"people": {"columns": {"tag": {"choices": {"by": "knd", "values": {"a": ["x"]}}}}}}}, "units.yaml"
    )
    resolved = resolve_plan(schema, plan)  # which entry fills each column: fine
    with pytest.raises(SchemaError) as err:
        Context(resolved)  # building the entries into generators checks their options
    assert "'knd'" in err.value.message and "did you mean 'kind'?" in err.value.hint


def test_numeric_column_gets_decimals_at_its_scale(people):
    prices = people["price"]
    assert all(isinstance(p, Decimal) and p.as_tuple().exponent == -2 for p in prices)
    assert min(prices) < 0 < max(prices)
    assert all(Decimal("-50") <= p <= Decimal("50") for p in prices)


# -- coercion -----------------------------------------------------------------------------------

NUM_10_2 = ColumnType("numeric", precision=10, scale=2)


def as_decimals(values, t: ColumnType = NUM_10_2) -> list:
    return coerce(values, t, arrow_type(t)).to_pylist()


def test_decimal_rounds_half_even_to_the_scale():
    got = as_decimals(np.array([1.234567, -7.899, 0.125, 0.375, -0.125, -0.375, 2.5, -2.5, 0.0, -0.004]))
    assert got == [
        Decimal(x) for x in ("1.23", "-7.90", "0.12", "0.38", "-0.12", "-0.38", "2.50", "-2.50", "0.00", "0.00")
    ]


def test_decimal_of_integers_and_arrow_input_with_nulls():
    assert as_decimals(np.array([3, -4, 0])) == [Decimal("3.00"), Decimal("-4.00"), Decimal("0.00")]
    got = as_decimals(pa.array([1.005, None, -12.345678], pa.float64()))
    assert got[1] is None
    assert got[2] == Decimal("-12.35")


def test_decimal_clamped_to_precision():
    got = as_decimals(np.array([1e9, -1e9]))
    assert got == [Decimal("99999999.99"), Decimal("-99999999.99")]


def test_decimal_scale_zero_and_default_scale():
    t0 = ColumnType("numeric", precision=5, scale=0)
    assert as_decimals(np.array([2.5, 3.5, -2.5, 12.7]), t0) == [Decimal(2), Decimal(4), Decimal(-2), Decimal(13)]
    bare = ColumnType("numeric")
    assert arrow_type(bare) == pa.decimal128(38, 6)
    assert as_decimals(np.array([-1.2345678]), bare) == [Decimal("-1.234568")]


def test_decimal_overflow_keeps_the_sign():
    t = ColumnType("numeric", precision=38, scale=6)
    with np.errstate(invalid="ignore"):
        got = as_decimals(np.array([1e20, -1e20]), t)
    assert got[0] > 0 > got[1]


def test_wide_numeric_has_an_arrow_type_or_a_clear_error():
    t = ColumnType("numeric", precision=50, scale=2)
    try:
        typ = arrow_type(t)
    except SeedbedError:
        return
    assert pa.types.is_decimal(typ) and typ.precision >= 50 and typ.scale == 2


def test_varchar_truncation_counts_characters_not_bytes():
    t = ColumnType("varchar", length=3)
    got = coerce(pa.array(["Jürgen", "ab", None, "日本語テキスト", "abc"]), t, arrow_type(t)).to_pylist()
    assert got == ["Jür", "ab", None, "日本語", "abc"]


def test_char_and_numbers_to_text_are_truncated_too():
    t = ColumnType("char", length=2)
    assert coerce(np.array([12345, 7]), t, arrow_type(t)).to_pylist() == ["12", "7"]
    unbounded = ColumnType("text")
    assert coerce(pa.array(["x" * 500]), unbounded, arrow_type(unbounded)).to_pylist() == ["x" * 500]


def test_integers_round_and_clip_to_the_type():
    t = ColumnType("smallint")
    assert coerce(np.array([1.4, 1.6, -2.5, 1e9, -1e9]), t, arrow_type(t)).to_pylist() == [1, 2, -2, 32767, -32768]


# -- the manifest -------------------------------------------------------------------------------

MANIFEST_KEYS = {"run_id", "plan", "seed", "scale", "plan_hash", "status", "tables", "started_at", "finished_at"}
TABLE_KEYS = {"planned", "inserted", "seconds", "mode", "path", "digest", "key_digest"}


def test_manifest_round_trip_and_file(tmp_path):
    m = Manifest(
        run_id="shop:7",
        plan="shop",
        seed=7,
        scale=0.5,
        plan_hash="0123456789abcdef",
        database="postgresql://u:***@h/db",
    )
    m.tables = {
        "users": TableRecord(planned=10, inserted=10, seconds=0.25, mode="copy"),
        "orders": TableRecord(planned=30, inserted=5, seconds=0.5, mode="merge"),
    }
    m.status, m.finished_at = "completed", "2025-10-31T00:00:01+00:00"
    data = m.to_dict()
    assert set(data) >= MANIFEST_KEYS
    assert data["tables"]["orders"] == {
        "planned": 30, "inserted": 5, "seconds": 0.5, "mode": "merge", "path": "", "digest": "", "key_digest": ""
    }  # fmt: skip
    back = Manifest.from_dict(json.loads(json.dumps(data)))
    assert back == m
    assert isinstance(back.tables["users"], TableRecord)
    assert (back.planned_total, back.inserted_total) == (40, 15)

    path = m.write(tmp_path / "runs")
    assert path == tmp_path / "runs" / "shop-7.json"
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk == data
    assert Manifest.from_dict(on_disk) == m


def test_manifest_of_a_real_run(tmp_path):
    from seedbed.run.options import SeedOptions
    from seedbed.run.seed import seed
    from seedbed.run.source import source_from
    from seedbed.sinks import open_sink

    ddl = tmp_path / "shop.sql"
    ddl.write_text(
        "CREATE TABLE users (id integer PRIMARY KEY, name text);\n"
        "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id));\n",
        encoding="utf-8",
    )
    src = source_from(ddl=ddl, dialect="sqlite")
    sink = open_sink(f"sqlite:///{tmp_path / 'shop.db'}")
    try:
        m = seed(sink, src, SeedOptions(seed=9, rows=20, create_schema=True, manifest_dir=tmp_path / "runs"))
        stored = sink.manifests.records("shop", 9)
    finally:
        sink.close()
    data = json.loads((tmp_path / "runs" / "shop-9.json").read_text(encoding="utf-8"))
    assert set(data) >= MANIFEST_KEYS
    assert (data["run_id"], data["plan"], data["seed"], data["scale"]) == ("shop:9", "shop", 9, 1.0)
    assert data["status"] == "completed" and data["error"] is None
    assert re.fullmatch(r"[0-9a-f]{16}", data["plan_hash"])
    assert data["started_at"] <= data["finished_at"]
    assert set(data["tables"]) == {"users", "orders"}
    for rec in data["tables"].values():
        assert set(rec) == TABLE_KEYS
        assert rec["planned"] == rec["inserted"] == 20 and rec["mode"] == "copy" and rec["seconds"] >= 0
        assert rec["path"] == "insert"  # SQLite's only path: prepared inserts
    assert stored == [data] and m.to_dict() == data


# -- plan parsing -------------------------------------------------------------------------------


def test_parse_plan_refuses_unknown_top_level_key():
    with pytest.raises(PlanError) as err:
        parse_plan({"name": "x", "tabels": {}}, "my-plan.yaml")
    assert err.value.where == "my-plan.yaml"
    assert "tabels" in err.value.message
    assert "plan-format" in err.value.hint


@pytest.mark.parametrize(
    "data, needle",
    [
        ({"tables": {"t": {"rows": 5, "colums": {}}}}, "colums"),
        ({"tables": {"t": {"rows": -1}}}, "rows"),
        ({"scale": 0}, "scale"),
        ([1, 2], "mapping"),
    ],
)
def test_parse_plan_refuses_bad_shapes(data, needle):
    with pytest.raises(PlanError) as err:
        parse_plan(data, "p.yaml")
    assert needle in err.value.message and err.value.where == "p.yaml"


def test_parse_plan_names_a_typo_inside_rows_per_parent():
    with pytest.raises(PlanError) as err:
        parse_plan({"tables": {"t": {"rows": {"per": "p", "totl": 5}}}}, "p.yaml")
    assert "totl" in err.value.message


def test_parse_plan_of_nothing_is_the_empty_plan():
    plan = parse_plan(None, "empty.yaml")
    assert plan.tables == {} and plan.default_rows == 100


def test_load_plan_file_reads_yaml(tmp_path):
    p = tmp_path / "plan.yaml"
    p.write_text("name: shop\nseed: abc\ntables:\n  users: {rows: 3}\n", encoding="utf-8")
    plan = load_plan_file(p)
    assert plan.name == "shop" and plan.seed == "abc" and plan.tables["users"].rows == 3


PARENT_CHILD = """
CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent (id));
"""


@pytest.mark.parametrize("rows", [{"per": "parent"}, {"per": "parent", "total": 5, "each": 1}, {"per": "parent_id"}])
def test_rows_per_parent_needs_exactly_one_of_total_or_each(rows):
    schema = parse_ddl(PARENT_CHILD, "postgres")
    plan = parse_plan({"tables": {"child": {"rows": rows}}}, "p.yaml")  # the shape is fine
    with pytest.raises(PlanError) as err:
        resolve_plan(schema, plan, source="p.yaml")
    assert "exactly one of total or each" in err.value.message
    assert err.value.where == "p.yaml: tables.child.rows"


def test_rows_per_parent_total_and_each_resolve():
    schema = parse_ddl(PARENT_CHILD, "postgres")
    for rows, expected in (({"per": "parent", "total": 25}, 25), ({"per": "parent_id", "each": 3}, 30)):
        plan = resolve_plan(schema, parse_plan({"tables": {"parent": {"rows": 10}, "child": {"rows": rows}}}, "p.yaml"))
        assert Context(plan).rows("child") == expected
        assert plan.table("child").per == "parent" and plan.table("child").per_fk == "parent_id"


# -- SQL of the SQLite sink ---------------------------------------------------------------------

SINK_DDL = """
CREATE TABLE simple (id integer PRIMARY KEY, v text);
CREATE TABLE "line items" (order_id integer, "line no" integer, "order" integer,
                           PRIMARY KEY (order_id, "line no"));
"""


@pytest.fixture()
def sqlite_sink(tmp_path):
    from seedbed.sinks.sqlite import SQLiteSink

    sink = SQLiteSink(f"sqlite:///{tmp_path / 'sink.db'}")
    yield sink
    sink.close()


def _ident(name: str) -> str:
    """A column name, quoted or not, as a regex."""
    return r'(?:"%s"|%s)' % (re.escape(name), re.escape(name))


def test_sqlite_insert_merge_has_the_key_as_conflict_target(sqlite_sink):
    plan = resolve_plan(parse_ddl(SINK_DDL, "postgres"))
    spec = plan.table("simple")
    sql = sqlite_sink._insert(spec, sqlite_sink.qt(spec), spec.written, merge=True)
    assert re.fullmatch(
        rf"INSERT INTO {_ident('simple')} \({_ident('id')}, {_ident('v')}\) VALUES \(\?, \?\) "
        rf"ON CONFLICT \({_ident('id')}\) DO NOTHING",
        sql,
    ), sql
    plain = sqlite_sink._insert(spec, sqlite_sink.qt(spec), spec.written, merge=False)
    assert "ON CONFLICT" not in plain and plain.count("?") == 2


def test_sqlite_insert_composite_key_lists_every_column_quoted(sqlite_sink):
    plan = resolve_plan(parse_ddl(SINK_DDL, "postgres"))
    spec = plan.table("line items")
    assert spec.key == ("order_id", "line no")
    sql = sqlite_sink._insert(spec, sqlite_sink.qt(spec), spec.written, merge=True)
    assert sql.startswith('INSERT INTO "line items" ')
    assert re.search(rf'ON CONFLICT \({_ident("order_id")}, "line no"\) DO NOTHING$', sql), sql
    assert '"order"' in sql  # a reserved word is quoted
    assert sql.count("?") == 3


def test_sqlite_merge_sql_runs_and_skips_existing_rows(sqlite_sink, tmp_path):
    plan = resolve_plan(parse_ddl(SINK_DDL, "postgres"))
    spec = plan.table("line items")
    sqlite_sink.execute(
        [
            'CREATE TABLE "line items" (order_id integer, "line no" integer, '
            '"order" integer, PRIMARY KEY (order_id, "line no"))'
        ]
    )
    merge = sqlite_sink._insert(spec, sqlite_sink.qt(spec), spec.written, merge=True)
    plain = sqlite_sink._insert(spec, sqlite_sink.qt(spec), spec.written, merge=False)
    con = sqlite3.connect(tmp_path / "sink.db")
    try:
        con.executemany(plain, [(1, 1, 10), (1, 2, 20)])
        con.executemany(merge, [(1, 1, 99), (1, 2, 99), (2, 1, 30)])
        con.commit()
        rows = con.execute('SELECT order_id, "line no", "order" FROM "line items" ORDER BY 1, 2').fetchall()
    finally:
        con.close()
    assert rows == [(1, 1, 10), (1, 2, 20), (2, 1, 30)]
