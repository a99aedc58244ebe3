"""What CHECK constraints ask of each column, read from their SQL with sqlglot.

Understood, per column: ``IN`` lists (and ``= ANY(ARRAY[...])``), comparisons with
constants and ``BETWEEN``, length bounds (``char_length``/``length``), ``LIKE
'prefix%'``, column-versus-column order (``end_at > start_at``), regular
expressions (checked on a sample), and the same inside ``x IS NULL OR ...``.
Anything else is reported back so the plan can warn, naming the constraint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from seedbed.planning.checkparse import parse_check
from seedbed.planning.instants import instant
from seedbed.schema.model import Check, Table


@dataclass
class Rules:
    """Everything the table's CHECKs say about one column."""

    values: list[Any] | None = None
    lo: float | None = None
    hi: float | None = None
    min_len: int | None = None
    max_len: int | None = None
    prefix: str | None = None
    pattern: str | None = None
    after: list[tuple[str, bool]] = field(default_factory=list)  # (other column, strict)
    not_null: bool = False
    since: str | None = None  # an instant (ISO date, or a duration from the anchor: -6588d) it is not before
    until: str | None = None  # ... and not after


@dataclass
class CheckReading:
    rules: dict[str, Rules]
    not_understood: list[str]  # names (or text) of CHECKs seedbed cannot read
    # CHECKs generated values are not sure to meet (unread ones, and ones read with a hope
    # such as ``a <> b``): the engine evaluates them on each batch and redraws what fails
    unsure: list[Check] = field(default_factory=list)
    never: str | None = None  # a CHECK no row meets (CHECK (false): a parent that holds no rows itself)


def read_checks(table: Table) -> CheckReading:
    rules: dict[str, Rules] = {}
    unknown: list[str] = []
    unsure: list[Check] = []
    names = [c.name for c in table.columns]
    never = None
    for chk in table.checks:
        tree = parse_check(chk.sql, names)
        if tree is not None and isinstance(_strip(tree), exp.Boolean) and not _strip(tree).this:
            never = chk.name or chk.sql
            continue
        if tree is None or not _walk(tree, rules, top=True):
            unknown.append(chk.name or chk.sql)
            unsure.append(chk)
        elif _hopeful(tree):
            unsure.append(chk)
    # a CHECK may spell a column in another case than the table does (SQLite, MySQL)
    real = {n.lower(): n for n in names}
    rules = {real.get(k.lower(), k): r for k, r in rules.items()}
    for r in rules.values():
        r.after = [(real.get(c.lower(), c), strict) for c, strict in r.after]
    return CheckReading(rules, unknown, unsure, never)


def _hopeful(tree: exp.Expr) -> bool:
    """Read, but met only in all likelihood: an excluded value (``a <> b``) or a pattern."""
    return any(isinstance(n, (exp.NEQ, exp.RegexpLike)) for n in tree.walk())


_CASE = ("upper", "lower", "trim", "btrim", "rtrim", "ltrim")


def _col(node: exp.Expr, through_case: bool = False) -> str | None:
    """The column ``node`` is; with ``through_case`` also the column under UPPER(), LOWER(),
    TRIM() (an allow-list of upper-case values is met by those values themselves)."""
    node = _strip(node)
    if through_case and isinstance(node, (exp.Upper, exp.Lower, exp.Trim)):
        return _col(node.this)
    if through_case and isinstance(node, exp.Anonymous) and node.name.lower() in _CASE and node.expressions:
        return _col(node.expressions[0])
    return node.name if isinstance(node, exp.Column) else None


def _strip(node: exp.Expr) -> exp.Expr:
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node


def _lit(node: exp.Expr) -> Any:
    node = _strip(node)
    if isinstance(node, exp.Neg):
        v = _lit(node.this)
        return -v if isinstance(v, (int, float)) else None
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        return float(text) if "." in text or "e" in text.lower() else int(text)
    if isinstance(node, exp.Boolean):
        return node.this
    return None


def _length_of(node: exp.Expr) -> str | None:
    node = _strip(node)
    if isinstance(node, (exp.Length,)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in ("char_length", "character_length", "length")
    ):
        arg = node.this if isinstance(node, exp.Length) else (node.expressions[0] if node.expressions else None)
        if isinstance(arg, exp.Expression):
            inner = _strip(arg)
            if isinstance(inner, exp.Trim):
                inner = _strip(inner.this)
            return _col(inner)
    return None


def _r(rules: dict[str, Rules], col: str) -> Rules:
    return rules.setdefault(col, Rules())


_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _walk(node: exp.Expr, rules: dict[str, Rules], top: bool) -> bool:
    """Record what ``node`` requires; False when some part is not understood."""
    node = _strip(node)
    if isinstance(node, exp.And):
        return all([_walk(node.left, rules, top), _walk(node.right, rules, top)])
    if isinstance(node, exp.Or):
        # One true disjunct is enough. Generated values are never NULL unless asked, so
        # "x IS NOT NULL" holds and "x IS NULL" never helps; otherwise pick the first
        # disjunct seedbed can make true by construction and hold the columns to it.
        parts = [p for p in _flatten_or(node) if not _is_null_test(p)]
        for p in parts:
            if _not_null_col(p):
                return True
        for p in parts:
            if _is_weak(p):
                continue
            trial: dict[str, Rules] = {}
            if _walk(p, trial, top=False):
                for col, r in trial.items():
                    _merge(_r(rules, col), r)
                return True
        return not parts
    if isinstance(node, exp.Not) and isinstance(_strip(node.this), exp.Is):
        inner = _strip(node.this)
        c = _col(inner.this)
        truth = _strip(inner.expression)
        if c and isinstance(truth, exp.Null):
            _r(rules, c).not_null = True
            return True
        if c and isinstance(truth, exp.Boolean):  # x IS NOT TRUE: false (or NULL)
            return _truth(_r(rules, c), not truth.this)
        return False
    if isinstance(node, exp.Is) and isinstance(_strip(node.expression), exp.Boolean):
        c = _col(node.this)
        return _truth(_r(rules, c), _strip(node.expression).this) if c else False
    if isinstance(node, exp.In):
        c = _col(node.this, through_case=True)
        vals = [_lit(v) for v in node.expressions]
        if c and vals and all(v is not None for v in vals):
            r = _r(rules, c)
            r.values = vals if r.values is None else [v for v in r.values if v in vals]
            return True
        return False
    if isinstance(node, exp.Between):
        c, lo, hi = _col(node.this), _lit(node.args["low"]), _lit(node.args["high"])
        if c and isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
            _bound(_r(rules, c), ">=", lo)
            _bound(_r(rules, c), "<=", hi)
            return True
        return False
    if isinstance(node, (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.EQ, exp.NEQ)):
        return _comparison(node, rules)
    if isinstance(node, exp.Like):
        c, pat = _col(node.this), _lit(node.expression)
        if c and isinstance(pat, str) and pat.endswith("%") and "%" not in pat[:-1] and "_" not in pat[:-1]:
            _r(rules, c).prefix = pat[:-1]
            return True
        return False
    if isinstance(node, exp.RegexpLike):
        c, pat = _col(node.this), _lit(node.expression)
        if c and isinstance(pat, str):
            _r(rules, c).pattern = pat
            return True
        return False
    return False


def _comparison(node: exp.Binary, rules: dict[str, Rules]) -> bool:
    op = {exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.EQ: "=", exp.NEQ: "<>"}[type(node)]
    left, right = node.left, node.right
    lc, rc = _col(left), _col(right)
    if op == "=" and not (lc or rc):  # UPPER(x) = 'A': the value itself
        lc, rc = _col(left, through_case=True), _col(right, through_case=True)
    llen, rlen = _length_of(left), _length_of(right)
    lv, rv = _lit(right), _lit(left)
    if llen and isinstance(lv, (int, float)):
        return _length(_r(rules, llen), op, lv)
    if rlen and isinstance(rv, (int, float)):
        return _length(_r(rules, rlen), _flip(op), rv)
    if lc and rc:
        if op in (">", ">="):
            _r(rules, lc).after.append((rc, op == ">"))
            return True
        if op in ("<", "<="):
            _r(rules, rc).after.append((lc, op == "<"))
            return True
        return op == "<>"  # two independently generated columns rarely coincide
    if lc and isinstance(lv, str) and op in (">", ">=", "<", "<="):
        return instant_bound(_r(rules, lc), op, right)
    if rc and isinstance(rv, str) and op in (">", ">=", "<", "<="):
        return instant_bound(_r(rules, rc), _flip(op), left)
    if lc and lv is not None:
        return _bound(_r(rules, lc), op, lv)
    if rc and rv is not None:
        return _bound(_r(rules, rc), _flip(op), rv)
    if lc and op in (">", ">=", "<", "<="):
        return instant_bound(_r(rules, lc), op, right)
    if rc and op in (">", ">=", "<", "<="):
        return instant_bound(_r(rules, rc), _flip(op), left)
    return False


def _truth(r: Rules, value: bool) -> bool:
    r.values = [value] if r.values is None else [v for v in r.values if v == value]
    return True


def _flip(op: str) -> str:
    return {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "<>": "<>"}[op]


def _bound(r: Rules, op: str, v: Any) -> bool:
    if op == "=":
        r.values = [v]
        return True
    if op == "<>":
        return isinstance(v, str) or v is None or True  # a single excluded value: almost never drawn
    if not isinstance(v, (int, float)):
        return False
    if op in (">", ">="):
        v = v + (1 if op == ">" and isinstance(v, int) else (1e-6 if op == ">" else 0))
        r.lo = v if r.lo is None else max(r.lo, v)
    else:
        v = v - (1 if op == "<" and isinstance(v, int) else (1e-6 if op == "<" else 0))
        r.hi = v if r.hi is None else min(r.hi, v)
    return True


def _length(r: Rules, op: str, v: float) -> bool:
    v = int(v)
    if op in (">", ">="):
        n = v + 1 if op == ">" else v
        r.min_len = n if r.min_len is None else max(r.min_len, n)
    elif op in ("<", "<="):
        n = v - 1 if op == "<" else v
        r.max_len = n if r.max_len is None else min(r.max_len, n)
    elif op == "=":
        r.min_len = r.max_len = v
    else:
        return False
    return True


def _flatten_or(node: exp.Expr) -> list[exp.Expr]:
    node = _strip(node)
    if isinstance(node, exp.Or):
        return _flatten_or(node.left) + _flatten_or(node.right)
    return [node]


def _is_null_test(node: exp.Expr) -> bool:
    node = _strip(node)
    if isinstance(node, exp.Is) and isinstance(_strip(node.expression), exp.Null):
        return True
    # "x = NULL" is never true, so it adds nothing either way
    return isinstance(node, exp.EQ) and isinstance(_strip(node.expression), exp.Null)


def _not_null_col(node: exp.Expr) -> str | None:
    node = _strip(node)
    if isinstance(node, exp.Not) and isinstance(_strip(node.this), exp.Is):
        inner = _strip(node.this)
        return _col(inner.this) if isinstance(_strip(inner.expression), exp.Null) else None
    if isinstance(node, exp.And):
        cols = [_not_null_col(p) for p in (node.left, node.right)]
        return cols[0] if all(cols) else None
    return None


def _is_weak(node: exp.Expr) -> bool:
    """``x <> 'v'`` is true for almost any value, but not guaranteed: prefer other disjuncts."""
    return isinstance(_strip(node), exp.NEQ)


def _merge(into: Rules, r: Rules) -> None:
    if r.values is not None:
        into.values = r.values if into.values is None else [v for v in into.values if v in r.values]
    for attr, pick in (("lo", max), ("min_len", max), ("hi", min), ("max_len", min)):
        a, b = getattr(into, attr), getattr(r, attr)
        setattr(into, attr, b if a is None else (a if b is None else pick(a, b)))
    into.since = r.since or into.since
    into.until = r.until or into.until
    into.prefix = r.prefix or into.prefix
    into.pattern = r.pattern or into.pattern
    into.after += r.after
    into.not_null = into.not_null or r.not_null


def instant_bound(r: Rules, op: str, node: exp.Expr) -> bool:
    """``col >= <instant>`` / ``col <= <instant>``: kept as ``since`` / ``until`` for the time
    generator. A duration from "now" is rounded so the bound stays safe whichever way it is
    (fewest days going back for a lower bound, most for an upper one)."""
    lower = op in (">", ">=")
    value = instant(node, lower)
    if value is None:
        return False
    if lower:
        r.since = value
    else:
        r.until = value
    return True
