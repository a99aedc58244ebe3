"""Entries guessed from a column's name and type: emails, cities, prices, timestamps ...

The last rule of inference (``infer.py``): when no key, reference, uniqueness,
CHECK or partition says what a column holds, its name and type do.
"""

from __future__ import annotations

import re
from typing import Any

from seedbed.generate.generators.patterns import can_generate
from seedbed.planning.checks import Rules
from seedbed.planning.personal import PATTERNS
from seedbed.schema.model import Column, ColumnType, Schema, Table
from seedbed.schema.types import int_bounds

INT_KINDS = ("smallint", "int", "bigint")
TIME_KINDS = ("date", "timestamp", "timestamptz")
TEXT_KINDS = ("text", "varchar", "char")


def max_len(col: Column, rules: Rules) -> int | None:
    limits = [x for x in (col.type.length, rules.max_len) if x]
    return min(limits) if limits else None


def number(table: Table, col: Column, rules: Rules) -> Any:
    t, name = col.type, col.name.lower()
    lo, hi = rules.lo, rules.hi
    if rules.after:
        other, strict = rules.after[0]
        return {"times": {"of": other, "by": [1.01 if strict else 1.0, 2.0]}}
    guess = _number_guess(name)
    if lo is None and hi is None and guess is not None:
        lo, hi = guess
    lo = 0 if lo is None else lo
    if hi is None:
        hi = {"smallint": 100, "int": 1000, "bigint": 100000}.get(t.kind, 1000.0)
    if t.kind == "numeric" and t.precision:
        hi = min(hi, 10 ** (t.precision - (t.scale or 0)) - 1)
    if t.kind in INT_KINDS:  # what the type holds: TINYINT is -128..127, TINYINT UNSIGNED 0..255
        low, high = int_bounds(t)
        lo, hi = max(lo, low), min(hi, high)
    hi = max(hi, lo)
    if t.kind in INT_KINDS or (t.kind == "numeric" and t.scale == 0):
        return {"int": [int(-(-lo // 1)), int(hi // 1)]}
    return {"float": [lo, hi]}


def _number_guess(name: str) -> tuple[float, float] | None:
    rules = [
        (r"(price|amount|cost|total|fee|balance|salary|revenue)", (1, 1000)),
        (r"(qty|quantity|count|units|stock)", (1, 50)),
        (r"(age)$", (18, 90)),
        (r"(year)$", (1990, 2025)),
        (r"(rating|stars|score)", (1, 5)),
        (r"(percent|pct|discount|rate)", (0, 1)),
        (r"(lat|latitude)$", (-90, 90)),
        (r"(lng|lon|longitude)$", (-180, 180)),
        (r"(duration|length|minutes)", (1, 240)),
    ]
    for pattern, bounds in rules:
        if re.search(pattern, name):
            return bounds
    return None


def time_entry(table: Table, col: Column, rules: Rules) -> Any:
    entry = _time_guess(table, col, rules)
    # what a CHECK says (birthdate <= CURRENT_TIMESTAMP - '18 years') clamps whatever the guess draws
    if rules.since is not None and "since" not in entry["time"]:
        entry["time"]["since"] = rules.since
    if rules.until is not None:
        had = entry["time"].get("until")
        entry["time"]["until"] = rules.until if had is None else [had, rules.until]  # the earlier of them
    return entry


def _time_guess(table: Table, col: Column, rules: Rules) -> dict[str, Any]:
    name = col.name.lower()
    temporal = {c.name for c in table.columns if c.type.kind in TIME_KINDS}
    for other, strict in rules.after:
        if other in temporal:
            return {"time": {"after": other, "offset": ["1d" if strict else "0d", "90d"]}}
    if re.search(r"(^|_)(updated|modified|changed)(_at|_on|_date)?$", name) or name == "last_update":
        for created in ("created_at", "created", "created_on", "create_date", "creation_date"):
            if created in temporal and created != col.name:
                return {"time": {"after": created, "offset": ["0d", "60d"], "until": "0d"}}
    if re.search(r"(birth|dob)", name):
        return {"time": {"between": ["-32000d", "-6600d"]}}
    if re.search(r"(expires?|expiry|due|valid_until|end)", name):
        return {"time": {"between": ["0d", "365d"]}}
    return {"time": {"between": ["-730d", "0d"]}}


# (name pattern, plan entry) for text columns, in order.
_TEXT_RULES: list[tuple[str, Any]] = [
    (PATTERNS["email"], {"format": "{@first_name|lower}.{@last_name|lower}.{index}@example.com"}),
    (PATTERNS["first_name"], {"fake": "first_name"}),
    (PATTERNS["last_name"], {"fake": "last_name"}),
    (PATTERNS["full_name"], {"fake": "full_name"}),
    (PATTERNS["username"], {"format": "{@first_name|lower}{@last_name|first|lower}{index}"}),
    (r"(^|_)(company|company_name|organization|organisation)(_name)?$", {"fake": "company"}),
    (r"(^|_)(job_?title|position|occupation)$", {"fake": "job"}),
    (PATTERNS["phone"], {"fake": "phone"}),
    (PATTERNS["street_address"], {"format": "{@street} {index}"}),
    (PATTERNS["secondary_address"], {"format": "Suite {index}"}),
    (r"(^|_)(city|town)$", {"fake": "city"}),
    (r"(^|_)(state|region|province|district)$", {"fake": "state"}),
    (r"(^|_)country$", {"fake": "country"}),
    (r"(^|_)country_code$", {"fake": "country_code"}),
    (PATTERNS["postcode"], {"fake": "postcode"}),
    (r"(^|_)(timezone|time_zone|tz)$", {"fake": "timezone"}),
    (r"(^|_)(currency|currency_code)$", {"fake": "currency"}),
    (r"(^|_)(colou?r)$", {"fake": "color"}),
    (r"(^|_)(ip|ip_address|ip_addr)$", {"fake": "ipv4"}),
    (r"(^|_)(url|uri|website|homepage|link)$", {"format": "https://{@domain}/{@word}"}),
    (r"(^|_)domain$", {"fake": "domain"}),
    (r"(^|_)slug$", {"format": "{@word}-{@word}-{index}"}),
    (r"(^|_)(title|subject|headline)$", {"fake": "title"}),
    (r"(^|_)(description|notes?|body|comment|content|summary|bio|text|message)$", {"fake": "sentence"}),
    (r"(^|_)(mime_?type|content_type)$", {"fake": "mime_type"}),
    (r"(^|_)(user_agent)$", {"fake": "user_agent"}),
    (r"(^|_)(password|passwd|hash|token|secret|salt|digest)", {"code": {"length": 12, "alphabet": "lower"}}),
    (r"(^|_)(sku|code|ref|reference)$", {"code": {"length": 8, "alphabet": "upper"}}),
    (r"(^|_)(status|state|type|kind|category)$", {"choices": ["active", "pending", "archived"]}),
    (r"(^|_)(name)$", {"fake": "full_name"}),
]


def text(col: Column, rules: Rules, name: str) -> Any:
    entry: Any = None
    for pattern, candidate in _TEXT_RULES:
        if re.search(pattern, name):
            entry = dict(candidate)
            break
    limit = max_len(col, rules)
    if entry is None:
        entry = {"fake": "words"} if (limit or 100) >= 12 else {"format": "{@word}"}
    if rules.min_len and rules.min_len > 20:
        entry = {"fake": "paragraph"}
    if rules.prefix:
        entry = (
            {**entry, "prefix": rules.prefix}
            if "format" not in entry
            else {"format": rules.prefix + entry["format"].removeprefix(rules.prefix).removeprefix("https://")}
        )
    if rules.pattern:
        entry = {"pattern": rules.pattern} if can_generate(rules.pattern) else _matching(rules.pattern, entry, col)
    if rules.max_len and (col.type.length is None or rules.max_len < col.type.length):
        entry = {**entry, "max_length": rules.max_len}
    if col.type.length is not None and col.type.length < 4 and "choices" not in entry:
        entry = {"code": {"length": col.type.length, "alphabet": "upper"}}
    return entry


def _matching(pattern: str, entry: Any, col: Column) -> Any:
    """A candidate generator whose values match ``pattern`` (checked on examples)."""
    candidates = [
        entry,
        {"format": "{@word|lower}-{index}"},
        {"format": "{@word|lower}{index}"},
        {"code": {"length": 8, "alphabet": "lower"}},
        {"code": {"length": 8, "alphabet": "digits"}},
    ]
    samples = {"format": ["alpha-1", "alpha12"], "code": ["ab12cd34", "12345678"]}
    try:
        rx = re.compile(pattern)
    except re.error:
        return entry
    for cand in candidates[1:]:
        kind = next(iter(cand))
        examples = (
            samples["code"][0 if cand[kind].get("alphabet") == "lower" else 1]
            if kind == "code"
            else (samples["format"][0] if "-" in cand[kind] else samples["format"][1])
        )
        if rx.search(examples):
            return cand
    return entry


_ARRAY_OF = {"float": "float", "numeric": "float", "bool": "bool", "date": "date", "timestamp": "timestamp",
             "timestamptz": "timestamp", "uuid": "uuid"}  # fmt: skip


def array(schema: Schema, col: Column) -> Any:
    """Array literals of values the element type takes (an enum's labels, dates, uuids ...)."""
    item = col.type.item or ColumnType("text")
    if item.kind in INT_KINDS:
        return {"array": {"of": "int", "length": [0, 4]}}
    if item.kind == "enum" and item.enum:
        return {"array": {"values": list(schema.enum(item.enum).values), "length": [0, 3]}}
    if item.kind in _ARRAY_OF:
        return {"array": {"of": _ARRAY_OF[item.kind], "length": [0, 4]}}
    if item.kind in TEXT_KINDS or item.kind == "json":
        return {"array": {"of": "word", "length": [0, 4]}}
    return None  # an array of something else: its default, NULL, or a plan entry


# PostgreSQL's own types and those of its common extensions, by the name the catalog spells.
_OTHER: list[tuple[str, Any]] = [
    (r"^(inet)", {"fake": "ipv4"}),
    (r"^(cidr)", {"fake": "cidr"}),
    (r"^(macaddr)", {"fake": "mac"}),  # macaddr8 takes a 6-byte address too
    (r"^(tsvector)", {"fake": "words"}),
    (r"^(tsquery)", {"format": "{@word|alnum}"}),
    (r"^(money)", {"float": [1, 1000]}),
    (r"^(bit|varbit|bit varying)", {"bits": True}),
    (r"^(year)", {"int": [1901, 2155]}),
    (r"^(xml)", {"format": "<note>{@word}</note>"}),
    (r"^(point)$", {"fake": "point"}),
    (r"^(box|circle|polygon|path|lseg|line)$", "shape"),
    (r"^(int4|int8|num|ts|tstz|date)(multi)?range$", "range"),
    # a range type of the application's own (CREATE TYPE uuidrange AS RANGE (subtype = uuid)),
    # named after its subtype as they mostly are
    (r"^(uuid|text|int|integer|bigint|float|float8|numeric|timestamp|timestamptz)(multi)?range$", "range"),
    (r"^(ltree)$", {"format": "top.{@word|alnum}.n{index}"}),
    (r"^(lquery)$", {"format": "top.*"}),
    (r"^(hstore)$", {"format": '"{@word|alnum}"=>"{@word}"'}),
    (r"^(cube)$", {"format": "({index}, {index})"}),
    (r"^(pg_lsn)$", {"format": "0/{index}"}),
    (r"^(citext|name|bpchar)", {"fake": "words"}),
    (r"^(oid|regclass|regtype|regproc|xid|xid8|cid)$", {"int": [1, 100000]}),
    (r"^$", {"fake": "words"}),  # no type at all (SQLite): any value goes
]
_RANGE_OF = {"int4": "int", "int8": "bigint", "num": "numeric", "ts": "timestamp", "tstz": "timestamptz",
             "date": "date", "uuid": "uuid", "text": "text", "int": "int", "integer": "int", "bigint": "bigint",
             "float": "numeric", "float8": "numeric", "numeric": "numeric", "timestamp": "timestamp",
             "timestamptz": "timestamptz"}  # fmt: skip


def other(table: Table, col: Column, warnings: list[str]) -> Any:
    raw = _base(col.type.raw)
    for pattern, entry in _OTHER:
        m = re.match(pattern, raw)
        if not m:
            continue
        if entry == "shape":
            return {"shape": raw}
        if entry == "range":
            return {"range": {"of": _RANGE_OF[m.group(1)], "multi": bool(m.group(2))}}
        if isinstance(entry, dict) and "bits" in entry:
            return {"bits": _bit_length(col.type.raw)}
        return entry
    if col.nullable or col.default is not None:
        warnings.append(
            f"{table.qualified}.{col.name}: no generator for type {col.type.raw!r}; left to its "
            "default/NULL (give it one in the plan)"
        )
        return None
    return None  # resolve reports the NOT NULL column without a generator


_SPATIAL = re.compile(r"^\s*(?:\w+\.)?(?:geometry|geography)\s*\(\s*(\w+?)(zm|z|m)?\s*(?:,\s*(\d+))?\s*\)", re.I)


def geometry(col: Column) -> Any:
    """A shape of the column's declared kind and SRID (``geometry(MultiPolygon, 4326)``)."""
    m = _SPATIAL.match(col.type.raw or "")
    if m:
        kind, dims, srid = m.group(1).lower(), (m.group(2) or "").lower(), m.group(3)
        entry: dict[str, Any] = {"type": kind if kind != "geometry" else "point"}
        if srid and srid != "0":
            entry["srid"] = int(srid)
        if dims:
            entry["dims"] = dims
        return {"geometry": entry}
    kind = _base(col.type.raw)
    kind = "geometrycollection" if kind == "geomcollection" else kind
    return {"geometry": {"type": kind if kind not in ("geometry", "geography") else "point"}}


def _base(raw: str | None) -> str:
    """A type's name: lower case, without parameters, schema or quotes."""
    return (raw or "").lower().split("(")[0].strip().split(".")[-1].strip('"').strip()


def _bit_length(raw: str | None) -> int:
    m = re.search(r"\((\d+)\)", raw or "")
    return int(m.group(1)) if m else 1
