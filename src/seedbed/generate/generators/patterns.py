"""``pattern: '^[a-z]{2}(_[A-Z]{2})?$'``: strings a regular expression matches.

The expression's language is enumerated: each piece (a literal, a character class, a
repeat, a group, an alternation) knows how many strings it makes, and string ``i`` is
decoded from ``i`` in mixed radix. A row draws ``i`` from its key, so values are a pure
function of the seed and the row; ``unique: true`` takes ``i`` from a keyed permutation
of the row index, so no two rows share a value (and the table has at most as many rows
as the language has strings). Unbounded repeats (``+``, ``*``) stop a few past their
minimum, which keeps values short and realistic.
"""

from __future__ import annotations

import re

# the standard library's own regex parser (private modules, stable since Python 3.11)
import re._constants as C
import re._parser as sre_parse
import string
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Run, Values

ANY, AT, BRANCH, CATEGORY, IN, LITERAL = C.ANY, C.AT, C.BRANCH, C.CATEGORY, C.IN, C.LITERAL
MAX_REPEAT, MIN_REPEAT, NEGATE, NOT_LITERAL, RANGE, SUBPATTERN = (
    C.MAX_REPEAT, C.MIN_REPEAT, C.NEGATE, C.NOT_LITERAL, C.RANGE, C.SUBPATTERN
)  # fmt: skip
CATEGORY_DIGIT, CATEGORY_SPACE, CATEGORY_WORD = C.CATEGORY_DIGIT, C.CATEGORY_SPACE, C.CATEGORY_WORD

OPEN_REPEAT = 3  # how far past its minimum an unbounded repeat goes
_PRINTABLE = string.ascii_letters + string.digits
_CATEGORIES = {CATEGORY_DIGIT: string.digits, CATEGORY_WORD: _PRINTABLE + "_", CATEGORY_SPACE: " "}


class Unsupported(ValueError):
    """A construct (a back-reference, a look-around) this enumeration does not make."""


class Node:
    count: int

    def decode(self, i: int) -> str:
        raise NotImplementedError


class Chars(Node):
    def __init__(self, chars: str):
        self.chars = chars
        self.count = len(chars)

    def decode(self, i: int) -> str:
        return self.chars[i]


class Seq(Node):
    def __init__(self, parts: list[Node]):
        self.parts = parts
        self.count = 1
        for p in parts:
            self.count *= p.count

    def decode(self, i: int) -> str:
        out = []
        for p in self.parts:
            i, d = divmod(i, p.count)
            out.append(p.decode(d))
        return "".join(out)


class Alt(Node):
    def __init__(self, options: list[Node]):
        self.options = options
        self.count = sum(o.count for o in options)

    def decode(self, i: int) -> str:
        for o in self.options:
            if i < o.count:
                return o.decode(i)
            i -= o.count
        raise IndexError(i)


class Repeat(Node):
    def __init__(self, item: Node, low: int, high: int):
        self.item, self.low, self.high = item, low, high
        self.count = sum(item.count**k for k in range(low, high + 1))

    def decode(self, i: int) -> str:
        for k in range(self.low, self.high + 1):
            size = self.item.count**k
            if i < size:
                return Seq([self.item] * k).decode(i) if k else ""
            i -= size
        raise IndexError(i)


_POSIX = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
          "space": " ", "xdigit": "0-9a-fA-F", "word": "a-zA-Z0-9_", "punct": "!-/"}  # fmt: skip


def compile_pattern(pattern: str) -> Node:
    """The enumerable language of ``pattern``; ``Unsupported`` (or ``re.error``) otherwise.
    POSIX classes inside brackets (``[[:alpha:]]``, as PostgreSQL and MySQL write them)
    are read as their ASCII ranges."""
    text = re.sub(r"\[:(\w+):\]", lambda m: _POSIX.get(m.group(1), m.group(0)), pattern)
    return _seq(sre_parse.parse(text))


def _seq(items: Any) -> Node:
    return Seq([_node(op, av) for op, av in items])


def _node(op: Any, av: Any) -> Node:
    if op == LITERAL:
        return Chars(chr(av))
    if op == NOT_LITERAL:
        return Chars(_PRINTABLE.replace(chr(av), ""))
    if op == ANY:
        return Chars(string.ascii_lowercase)
    if op == IN:
        return Chars(_class(av))
    if op == AT:  # ^ $ \b: anchors make no characters
        return Seq([])
    if op in (MAX_REPEAT, MIN_REPEAT):
        low, high, item = av
        high = low + OPEN_REPEAT if high == sre_parse.MAXREPEAT else high
        return Repeat(_seq(item), low, high)
    if op == SUBPATTERN:
        return _seq(av[-1])
    if op == BRANCH:
        return Alt([_seq(b) for b in av[1]])
    raise Unsupported(f"{op} is not supported")


def _class(items: Any) -> str:
    chars: list[str] = []
    negate = False
    for op, av in items:
        if op == NEGATE:
            negate = True
        elif op == LITERAL:
            chars.append(chr(av))
        elif op == RANGE:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op == CATEGORY and av in _CATEGORIES:
            chars.extend(_CATEGORIES[av])
        else:
            raise Unsupported(f"{op} in a character class is not supported")
    found = dict.fromkeys(chars)
    if negate:
        return "".join(c for c in _PRINTABLE if c not in found)
    return "".join(found)


class Pattern(Gen):
    def __init__(self, pattern: str, unique: bool):
        self.pattern, self.unique = pattern, unique

    @cached_property
    def language(self) -> Node:
        return compile_pattern(self.pattern)

    @cached_property
    def open_end(self) -> bool:
        """No ``$`` at the end: a value only has to contain a match, so a unique one can
        be a match followed by the row's key (distinct even compared case-blind)."""
        items = list(sre_parse.parse(self.pattern))
        return not items or items[-1] != (AT, C.AT_END)

    def redrawable(self) -> bool:
        return not self.unique

    def values(self, f: Rows) -> Values:
        lang = self.language
        size = min(lang.count, 2**62)
        key = f.key(self.column.name, "pattern")
        if self.unique and self.open_end:
            picks = np.floor(rng.uniform(f.u64, key) * size).astype(np.int64)
            keys = f.idx + f.ctx.base(f.table) + 1
            return pa.array([f"{lang.decode(int(i))}-{k}" for i, k in zip(picks, keys, strict=True)], pa.string())
        if self.unique:
            picks = rng.permute(np.minimum(f.idx, size - 1), size, key)
        else:
            picks = np.floor(rng.uniform(f.u64, key) * size).astype(np.int64)
            picks = np.minimum(picks, size - 1)
        return pa.array([lang.decode(int(i)) for i in picks], pa.string())

    def flat_capacity(self, ctx: Run) -> int | None:
        return min(self.language.count, 2**62) if self.unique and not self.open_end else None


@register("pattern")
def _pattern(arg: Any, info: BuildInfo) -> Gen:
    """``pattern: REGEX`` or ``pattern: {regex: REGEX, unique: true}``."""
    opts = arg if isinstance(arg, dict) else {"regex": arg}
    require_keys(opts, {"regex", "unique"}, info, "pattern")
    text = str(opts.get("regex", ""))
    try:
        lang = compile_pattern(text)
    except (re.error, Unsupported, RecursionError) as err:
        raise info.fail(f"pattern {text!r} cannot be generated from: {err}") from None
    if lang.count == 0:
        raise info.fail(f"pattern {text!r} matches no string")
    return Pattern(text, bool(opts.get("unique", False)))


def can_generate(pattern: str) -> bool:
    """Whether ``pattern`` can be enumerated (planning asks before choosing it)."""
    try:
        return compile_pattern(pattern).count > 0
    except (re.error, Unsupported, RecursionError):
        return False
