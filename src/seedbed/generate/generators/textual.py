"""Text: vocabulary picks and lorem text, codes, bytes, bits, intervals, array literals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate import rng, vocab
from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.documents import json_string
from seedbed.generate.generators.registry import register
from seedbed.generate.generators.templates import Template
from seedbed.generate.rows import Rows, Run, Values
from seedbed.generate.text import hex_fixed, join, namespace_for, uuid5_of_indices

# Composite vocabulary kinds, each a template over plain vocabularies.
COMPOSITES = {
    "full_name": "{@first_name} {@last_name}",
    "name": "{@first_name} {@last_name}",
    "username": "{@first_name|lower}{@last_name|first|lower}{index}",
    "address": "{@street}",
    "company_name": "{@company}",
    "title": "{@catch_phrase}",
}


class Fake(Gen):
    def __init__(self, kind: str, locale: str, template: Template | None):
        self.kind, self.locale, self.template = kind, locale, template

    def values(self, f: Rows) -> Values:
        key = f.key(self.column.name, "fake:" + self.kind)
        if self.template is not None:
            return self.template.render(f, self.column.name)
        n = f.n
        if self.kind in ("sentence", "paragraph", "words"):
            lo, hi = {"sentence": (5, 12), "paragraph": (20, 45), "words": (2, 4)}[self.kind]
            return _sentences(f, key, self.locale, lo, hi, self.kind != "words")
        if self.kind == "ipv4":
            octets = [rng.between(f.u64, rng.mix(np.uint64(i), key), 1, 254) for i in range(4)]
            return join(_dots([pa.array(o) for o in octets], "."), n)
        if self.kind == "ipv6":
            groups = [rng.below(f.u64, rng.mix(np.uint64(i), key), 65536) for i in range(8)]
            return join(_dots([hex_fixed(g, 4) for g in groups], ":"), n)
        if self.kind == "phone" and vocab.own(self.locale, "phone_format"):
            return _phones(f, key, vocab.own(self.locale, "phone_format"))
        if self.kind == "phone":
            digits = rng.between(f.u64, key, 2_000_000_000, 9_999_999_999)
            s = pa.array(digits).cast(pa.string())
            return join(
                [
                    "+1-",
                    pc.utf8_slice_codeunits(s, 0, 3),
                    "-",
                    pc.utf8_slice_codeunits(s, 3, 6),
                    "-",
                    pc.utf8_slice_codeunits(s, 6, 10),
                ],
                n,
            )
        if self.kind == "mac":
            parts = [hex_fixed(rng.below(f.u64, rng.mix(np.uint64(i), key), 256), 2) for i in range(6)]
            return join(_dots(parts, ":"), n)
        if self.kind == "cidr":
            octets = [rng.between(f.u64, rng.mix(np.uint64(i), key), 1, 254) for i in range(2)]
            return join(
                ["10.", pa.array(octets[0]).cast(pa.string()), ".", pa.array(octets[1]).cast(pa.string()), ".0/24"], n
            )
        if self.kind == "point":
            xy = [
                pa.array(rng.between(f.u64, rng.mix(np.uint64(i), key), -180, 180)).cast(pa.string()) for i in range(2)
            ]
            return join(["(", xy[0], ",", xy[1], ")"], n)
        if self.kind == "hex_color":
            return join(["#", hex_fixed(rng.below(f.u64, key, 1 << 24), 6)], n)
        words = vocab.words(self.locale, self.kind)
        return words.take(pa.array(rng.below(f.u64, key, len(words))))


def _dots(arrays: list[pa.Array], sep: str) -> list[pa.Array | str]:
    out: list[pa.Array | str] = []
    for i, a in enumerate(arrays):
        if i:
            out.append(sep)
        out.append(a.cast(pa.string()))
    return out


_DIGITS = {"#": (0, 9), "%": (1, 9), "$": (2, 9)}  # Faker's placeholders: any digit, 1-9, 2-9


def _phones(f: Rows, key: rng.Key, formats: list[str]) -> pa.Array:
    """Phone numbers in the locale's own formats (``+49 (0) #### ######``): a format per
    row, each placeholder a digit drawn for its position."""
    which = rng.below(f.u64, rng.mix(np.uint64(99), key), len(formats))
    parts, where = [], []
    for i, fmt in enumerate(formats):
        rows = np.flatnonzero(which == i)
        if not len(rows):
            continue
        # the format's characters as code points, a row each; placeholders become digits
        codes = np.tile(np.array([ord(c) for c in fmt], dtype=np.uint32), (len(rows), 1))
        for pos, ch in enumerate(fmt):
            if ch in _DIGITS:
                lo, hi = _DIGITS[ch]
                codes[:, pos] = ord("0") + rng.between(f.u64[rows], rng.mix(np.uint64(pos), key), lo, hi)
        parts.append(pa.array(codes.view(f"U{len(fmt)}").ravel(), pa.string()))
        where.append(rows)
    if not parts:
        return pa.array([], pa.string())
    # each format's rows back in row order
    return pa.concat_arrays(parts).take(pa.array(np.argsort(np.concatenate(where), kind="stable")))


def _sentences(f: Rows, key: rng.Key, locale: str, lo: int, hi: int, sentence: bool) -> pa.Array:
    """Lorem-style text of lo..hi words per row, built as one list array and joined."""
    words = vocab.words(locale, "word")
    count = rng.between(f.u64, rng.mix(np.uint64(99), key), lo, hi)
    picks = np.stack([rng.below(f.u64, rng.mix(np.uint64(i), key), len(words)) for i in range(hi)], axis=1)
    chosen = picks[np.arange(hi)[None, :] < count[:, None]]  # row-major: rows stay in order
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    text = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), words.take(pa.array(chosen))), " ")
    if sentence:
        text = pc.binary_join_element_wise(
            pc.utf8_upper(pc.utf8_slice_codeunits(text, 0, 1)), pc.utf8_slice_codeunits(text, 1), ".", ""
        )
    return text


@register("fake")
def _fake(arg: Any, info: BuildInfo) -> Gen:
    """``fake: first_name``: a pick from a realistic vocabulary (see ``seedbed vocab``)."""
    if not isinstance(arg, str):
        raise info.fail("fake needs the name of a vocabulary, e.g. fake: city")
    specials = {"sentence", "paragraph", "words", "ipv4", "ipv6", "phone", "hex_color", "mac", "cidr", "point"}
    template = None
    if arg in COMPOSITES:
        template = Template(COMPOSITES[arg], info, "fake")
    elif arg not in specials:
        try:
            vocab.words(info.locale, arg)
        except Exception as err:
            raise info.fail(
                str(err.message if hasattr(err, "message") else err),
                hint="kinds: " + ", ".join(sorted([*vocab.kinds(info.locale), *specials, *COMPOSITES])),
            ) from None
    return Fake(arg, info.locale, template)


_ALPHABETS = {
    "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "lower": "abcdefghijklmnopqrstuvwxyz0123456789",
    "digits": "0123456789",
    "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}


class Code(Gen):
    """Distinct fixed-length codes: a keyed permutation of the row's key, written in an alphabet."""

    def __init__(self, length: int, alphabet: str, prefix: str):
        self.length, self.alphabet, self.prefix = length, alphabet, prefix

    def redrawable(self) -> bool:
        return False

    def setup(self, info: BuildInfo, options: dict[str, Any]) -> None:
        super().setup(info, options)
        self.table = info.table.qualified

    def flat_capacity(self, ctx: Run) -> int | None:
        """As many rows as there are codes left after the run's base (CHAR(1): 26)."""
        return max(len(self.alphabet) ** self.length - ctx.base(self.table), 0)

    def values(self, f: Rows) -> Values:
        radix = len(self.alphabet)
        space = radix**self.length
        # the permutation key ignores the seed so runs with different bases never collide
        key = rng.stream_key("code", f.table, self.column.name)
        x = rng.permute(np.mod(f.idx + f.ctx.base(f.table), space), min(space, 2**62), key)
        digits = np.empty((f.n, self.length), dtype=np.uint8)
        table = np.frombuffer(self.alphabet.encode(), dtype=np.uint8)
        for i in range(self.length - 1, -1, -1):
            digits[:, i] = table[x % radix]
            x //= radix
        offsets = np.arange(0, self.length * (f.n + 1), self.length, dtype=np.int32)
        text = pa.Array.from_buffers(pa.string(), f.n, [None, pa.py_buffer(offsets), pa.py_buffer(digits.tobytes())])
        return join([self.prefix, text], f.n) if self.prefix else text


@register("code")
def _code(arg: Any, info: BuildInfo) -> Gen:
    """``code: {length: 6, alphabet: upper, prefix: "INV-"}``: distinct codes (unique keys)."""
    arg = arg if isinstance(arg, dict) else {"length": arg or 8}
    require_keys(arg, {"length", "alphabet", "prefix"}, info, "code")
    length = int(arg.get("length", 8))
    alphabet = _ALPHABETS.get(str(arg.get("alphabet", "upper")), str(arg.get("alphabet", "upper")))
    if not 1 <= length <= 12 or len(set(alphabet)) != len(alphabet) or len(alphabet) < 2:
        raise info.fail("code needs a length of 1 to 12 and an alphabet of distinct characters")
    return Code(length, alphabet, str(arg.get("prefix", "")))


class Bytes(Gen):
    def __init__(self, lo: int, hi: int):
        self.lo, self.hi = lo, hi

    def values(self, f: Rows) -> Values:
        key = f.key(self.column.name, "bytes")
        length = rng.between(f.u64, key, self.lo, self.hi)
        offsets = np.concatenate([[0], np.cumsum(length)]).astype(np.int32)
        # byte j of row i is a draw keyed by (row, j): pure per row, no loop over rows
        row = np.repeat(f.idx, length).astype(np.uint64)
        pos = (np.arange(offsets[-1]) - np.repeat(offsets[:-1], length)).astype(np.uint64)
        data = (rng.mix(row * np.uint64(4096) + pos, key) & np.uint64(255)).astype(np.uint8)
        return pa.Array.from_buffers(pa.binary(), f.n, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())])


@register("bytes")
def _bytes(arg: Any, info: BuildInfo) -> Gen:
    """``bytes: [8, 64]``: random binary values of 8 to 64 bytes."""
    lo, hi = arg if isinstance(arg, list) and len(arg) == 2 else [16, 16]
    return Bytes(int(lo), int(hi))


class Bits(Gen):
    def __init__(self, n: int):
        self.n = n

    def values(self, f: Rows) -> Values:
        key = f.key(self.column.name, "bits")
        cols = [
            pa.array(np.where(rng.uniform(f.u64, rng.mix(np.uint64(i), key)) < 0.5, "0", "1")) for i in range(self.n)
        ]
        return join(list(cols), f.n)


@register("bits")
def _bits(arg: Any, info: BuildInfo) -> Gen:
    """``bits: 8``: bit strings of that length ('01101001')."""
    return Bits(int(arg) if isinstance(arg, int) and not isinstance(arg, bool) and arg > 0 else 1)


class Interval(Gen):
    def __init__(self, lo: int, hi: int):
        self.lo, self.hi = lo, hi

    def values(self, f: Rows) -> Values:
        days = rng.between(f.u64, f.key(self.column.name, "interval"), self.lo, self.hi)
        return join([pa.array(days).cast(pa.string()), " days"], f.n)


@register("interval")
def _interval(arg: Any, info: BuildInfo) -> Gen:
    """``interval: [0, 90]``: intervals of 0 to 90 days."""
    lo, hi = arg if isinstance(arg, list) and len(arg) == 2 else [0, 30]
    return Interval(int(lo), int(hi))


_ARRAY_KINDS = ("int", "float", "bool", "date", "timestamp", "uuid")


class ArrayLiteral(Gen):
    """Array literals ``{a,b,c}``: items of a kind, from a vocabulary, or from a list of values."""

    def __init__(self, of: str, lo: int, hi: int, locale: str, values: list[Any] | None, anchor_us: int):
        self.of, self.lo, self.hi, self.locale = of, lo, hi, locale
        self.values_, self.anchor_us = values, anchor_us

    def _item(self, f: Rows, k: np.ndarray) -> pa.Array:
        if self.values_ is not None:
            choices = pa.array([str(v) for v in self.values_], pa.string())
            return json_string(choices.take(pa.array(rng.below(f.u64, k, len(choices)))))
        if self.of == "int":
            return pa.array(rng.between(f.u64, k, 1, 1000)).cast(pa.string())
        if self.of == "float":
            return pa.array(np.round(rng.uniform(f.u64, k) * 1000, 2)).cast(pa.string())
        if self.of == "bool":
            return pa.array(np.where(rng.uniform(f.u64, k) < 0.5, "true", "false"))
        if self.of in ("date", "timestamp"):
            us = self.anchor_us - rng.between(f.u64, k, 0, 730 * 86_400) * 1_000_000
            fmt = "%Y-%m-%d" if self.of == "date" else "%Y-%m-%d %H:%M:%S"
            return json_string(pc.strftime(pa.array(us, pa.timestamp("us")), format=fmt))
        if self.of == "uuid":
            ns = namespace_for(f"{f.ctx.seed}{f.ctx.salt(f.table)}", f"{f.table}.{self.column.name}")
            return uuid5_of_indices(ns, f.idx * 64 + k % 64)
        words = vocab.words(self.locale, self.of)
        return json_string(words.take(pa.array(rng.below(f.u64, k, len(words)))))

    def values(self, f: Rows) -> Values:
        key = f.key(self.column.name, "array")
        count = rng.between(f.u64, key, self.lo, self.hi)
        items = [self._item(f, rng.mix(np.uint64(i + 1), key)) for i in range(self.hi)]
        # keep the first `count` items of each row, then join them as {a,b,c}
        values = pa.concat_arrays(items) if items else pa.array([], pa.string())
        order = np.arange(self.hi)[None, :] * f.n + np.arange(f.n)[:, None]
        chosen = order[np.arange(self.hi)[None, :] < count[:, None]]
        offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
        lists = pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(chosen, pa.int64())))
        return join(["{", pc.binary_join(lists, ","), "}"], f.n)


@register("array")
def _array(arg: Any, info: BuildInfo) -> Gen:
    """``array: {of: word, length: [0, 4]}``: array literals ({a,b}) of a vocabulary's words or of
    int, float, bool, date, timestamp or uuid items; ``values: [a, b]`` picks from a list."""
    arg = arg if isinstance(arg, dict) else {}
    require_keys(arg, {"of", "length", "values"}, info, "array")
    lo, hi = arg.get("length", [0, 3])
    of = str(arg.get("of", "word"))
    values = arg.get("values")
    if values is not None and (not isinstance(values, list) or not values):
        raise info.fail("array.values must be a non-empty list")
    if values is None and of not in _ARRAY_KINDS:
        vocab.words(info.locale, of)
    return ArrayLiteral(of, int(lo), int(hi), info.locale, values, info.anchor_us)
