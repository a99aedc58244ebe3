"""The inferred default plan entry of a column: from its name, type and constraints.

Rules are ordered; the first that matches wins. A plan file overrides any of them.
The result is an ordinary plan entry (what a user would write), so ``seedbed init``
can print it and the user can edit it.
"""

from __future__ import annotations

import re
from typing import Any

from seedbed.schema.model import Column, Schema, Table

_IN_LIST = re.compile(r"""["`]?(\w+)["`]?\s*(?:::\w+\s*)?\s+IN\s*\(([^)]*)\)""", re.IGNORECASE)
_ANY_ARRAY = re.compile(r"""["`]?(\w+)["`]?\s*(?:::\w+\s*)?=\s*ANY\s*\(\s*ARRAY\s*\[([^\]]*)\]""", re.IGNORECASE)
_BETWEEN = re.compile(r"""["`]?(\w+)["`]?\s+BETWEEN\s+(-?[\d.]+)\s+AND\s+(-?[\d.]+)""", re.IGNORECASE)
_CMP = re.compile(r"""["`]?(\w+)["`]?\s*(>=|>|<=|<)\s*(-?[\d.]+)""")
_LITERAL = re.compile(r"'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)")


def check_values(table: Table, column: str) -> list[Any] | None:
    """Values allowed by a CHECK ``col IN (...)`` (or ``= ANY (ARRAY[...])``), if any."""
    for chk in table.checks:
        for rx in (_IN_LIST, _ANY_ARRAY):
            for m in rx.finditer(chk.sql):
                if m.group(1) == column:
                    vals = []
                    for lit in _LITERAL.finditer(m.group(2)):
                        if lit.group(1) is not None:
                            vals.append(lit.group(1).replace("''", "'"))
                        else:
                            num = lit.group(2)
                            vals.append(float(num) if "." in num else int(num))
                    return vals
    return None


def check_range(table: Table, column: str) -> tuple[float | None, float | None]:
    """Numeric bounds from CHECKs ``col BETWEEN a AND b``, ``col >= a``, ``col < b``."""
    lo: float | None = None
    hi: float | None = None
    for chk in table.checks:
        for m in _BETWEEN.finditer(chk.sql):
            if m.group(1) == column:
                lo, hi = float(m.group(2)), float(m.group(3))
        for m in _CMP.finditer(chk.sql):
            if m.group(1) != column:
                continue
            v = float(m.group(3))
            if m.group(2) == ">=":
                lo = v if lo is None else max(lo, v)
            elif m.group(2) == ">":
                lo = v + 1 if lo is None else max(lo, v + 1)
            elif m.group(2) == "<=":
                hi = v if hi is None else min(hi, v)
            else:
                hi = v - 1 if hi is None else min(hi, v - 1)
    return lo, hi


# (name pattern, plan entry) for text columns, in order.
_TEXT_RULES: list[tuple[str, Any]] = [
    (r"(^|_)e?mail(_address)?$", {"format": "{@first_name|lower}.{@last_name|lower}.{index}@example.com"}),
    (r"(^|_)first_?name$", {"fake": "first_name"}),
    (r"(^|_)(last_?name|surname)$", {"fake": "last_name"}),
    (r"(^|_)(full_?name|display_name|contact_name)$", {"fake": "full_name"}),
    (r"(^|_)user_?name$|^login$", {"fake": "username"}),
    (r"(^|_)(company|company_name|organization|organisation)$", {"fake": "company"}),
    (r"(^|_)(job_?title|position)$", {"fake": "job"}),
    (r"(^|_)(phone|phone_number|mobile|fax)$", {"fake": "phone"}),
    (r"(^|_)(address|street|address_line_?1|address1)$", {"fake": "street"}),
    (r"(^|_)city$", {"fake": "city"}),
    (r"(^|_)(state|region|province)$", {"fake": "state"}),
    (r"(^|_)country$", {"fake": "country"}),
    (r"(^|_)country_code$", {"fake": "country_code"}),
    (r"(^|_)(postal_?code|zip(_?code)?|postcode)$", {"fake": "postcode"}),
    (r"(^|_)(timezone|time_zone|tz)$", {"fake": "timezone"}),
    (r"(^|_)(currency|currency_code)$", {"fake": "currency"}),
    (r"(^|_)(colou?r)$", {"fake": "color"}),
    (r"(^|_)(ip|ip_address)$", {"fake": "ipv4"}),
    (r"(^|_)(url|website|homepage)$", {"format": "https://{@domain}/{@word}"}),
    (r"(^|_)domain$", {"fake": "domain"}),
    (r"(^|_)slug$", {"format": "{@word}-{@word}-{index}"}),
    (r"(^|_)(title|subject|headline)$", {"fake": "title"}),
    (r"(^|_)(description|notes?|body|comment|content|summary|bio)$", {"fake": "sentence"}),
    (r"(^|_)(mime_?type|content_type)$", {"fake": "mime_type"}),
    (r"(^|_)(user_agent)$", {"fake": "user_agent"}),
    (r"(^|_)name$", {"fake": "full_name"}),
]


def infer_column(schema: Schema, table: Table, column: Column) -> Any:
    """A plan entry for ``column``, or None to leave the column to the database."""
    t = column.type
    name = column.name.lower()
    if column.generated is not None:
        return None
    if len(table.primary_key) == 1 and table.primary_key[0] == column.name and not table.fk_for(column.name):
        if t.kind == "uuid":
            return {"uuid": {}}
        if t.kind in ("smallint", "int", "bigint"):
            return {"sequence": {"start": 1}}
    if table.fk_for(column.name) is not None:
        return {"ref": {}}
    allowed = check_values(table, column.name)
    if allowed:
        return {"choices": allowed}
    if t.kind == "enum" and t.enum:
        return {"choices": list(schema.enum(t.enum).values)}
    if t.kind in ("smallint", "int", "bigint", "numeric", "float"):
        lo, hi = check_range(table, column.name)
        lo = 0 if lo is None else lo
        if hi is None:
            hi = {"smallint": 100, "int": 1000, "bigint": 100000}.get(t.kind, 1000.0)
            if t.kind == "numeric" and t.precision:
                hi = min(hi, 10 ** (t.precision - (t.scale or 0)) - 1)
        return {"int": [int(lo), int(hi)]} if t.kind in ("smallint", "int", "bigint") else {"float": [lo, hi]}
    if t.kind == "bool":
        return {"bool": 0.5}
    if t.kind in ("date", "timestamp", "timestamptz"):
        if re.search(r"(^|_)updated(_at|_on)?$", name) and table.has_column("created_at"):
            return {"time": {"after": "created_at", "offset": ["0d", "60d"], "until": "0d"}}
        return {"time": {"between": ["-365d", "0d"]}}
    if t.kind == "uuid":
        return {"uuid": {"name": "{index}"}}
    if t.kind == "json":
        return {"json": {}}
    if t.kind in ("text", "varchar", "char"):
        for pattern, entry in _TEXT_RULES:
            if re.search(pattern, name):
                return entry
        return {"fake": "words"}
    return None
