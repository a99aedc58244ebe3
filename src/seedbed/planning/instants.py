"""Instants in CHECKs: a date literal ('1930-01-01') or a distance from now
(``CURRENT_TIMESTAMP - '18 years'``), kept as the time generator's ``since``/``until``."""

from __future__ import annotations

from typing import Any

from sqlglot import exp


def _strip(node: exp.Expr) -> exp.Expr:
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node


def _lit(node: exp.Expr) -> Any:
    node = _strip(node)
    return node.this if isinstance(node, exp.Literal) else None


_NOW = (exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentDatetime)
_UNIT_DAYS = {"year": (365, 366), "month": (28, 31), "week": (7, 7), "day": (1, 1)}  # (fewest, most) days


def instant(node: exp.Expr, lower: bool) -> str | None:
    node = _strip(node)
    if isinstance(node, exp.Literal) and node.is_string:
        text = node.this.strip()
        return text if len(text) >= 10 and text[4] == "-" and text[:4].isdigit() else None
    if isinstance(node, _NOW) or (isinstance(node, exp.Anonymous) and node.name.lower() == "now"):
        return "0d"
    if isinstance(node, (exp.Add, exp.Sub)) and isinstance(_strip(node.left), _NOW):
        days = _interval_days(_strip(node.right), lower if isinstance(node, exp.Sub) else not lower)
        if days is None:
            return None
        return f"{-days if isinstance(node, exp.Sub) else days}d"
    return None


def _interval_days(node: exp.Expr, fewest: bool) -> int | None:
    """Whole days in an interval literal ('18 years', INTERVAL '1 day')."""
    if isinstance(node, exp.Interval):
        unit_node = node.args.get("unit")
        text = f"{_lit(node.this)} {unit_node.name if unit_node is not None else ''}"
    else:
        text = str(_lit(node) or "")
    parts = text.lower().split()
    if len(parts) != 2:
        return None
    try:
        amount = float(parts[0])
    except ValueError:
        return None
    unit = parts[1].rstrip("s")
    if unit in ("hour", "minute", "second"):
        return 0 if fewest else 1
    if unit not in _UNIT_DAYS:
        return None
    few, most = _UNIT_DAYS[unit]
    return int(amount * (few if fewest else most))
