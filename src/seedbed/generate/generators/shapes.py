"""Values with structure, written as the text a database reads: ranges, spatial shapes.

- ``range: {of: int}``: range literals ``[lo,hi)`` with lo < hi, of integers, numbers,
  dates or instants (``multi: true``: a multirange of two ranges apart);
- ``geometry: {type: polygon, srid: 4326}``: a shape in (E)WKT, valid and closed, with
  coordinates inside longitude/latitude bounds (so geography takes them too);
- ``shape: box``: PostgreSQL's own geometric types (point, box, circle, polygon, path,
  lseg, line) in their input syntax.

Every coordinate and bound is a counter-based draw, like any other column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate import rng
from seedbed.generate.generators.base import BuildInfo, Gen, require_keys
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Values
from seedbed.generate.text import join
from seedbed.generate.timeutil import DAY_US

_RANGE_OF = ("int", "bigint", "numeric", "date", "timestamp", "timestamptz", "uuid", "text")
_GEOMETRIES = (
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "geometrycollection",
)
_SHAPES = ("point", "box", "circle", "polygon", "path", "lseg", "line")


def _text(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _hex(values: np.ndarray, width: int, dashed: bool) -> pa.Array:
    """Zero-padded hexadecimal, as a uuid (8-4-4-4-12) when ``dashed``: ordered like the numbers."""
    shift = 4 * width - 48  # spread over the whole width (bounds up to 2**48 keep their order)
    text = [format(int(v) << shift, f"0{width}x") for v in values]
    if dashed:
        text = [f"{t[:8]}-{t[8:12]}-{t[12:16]}-{t[16:20]}-{t[20:]}" for t in text]
    return pa.array(text, pa.string())


class Range(Gen):
    def __init__(self, of: str, multi: bool, anchor_us: int, disjoint: bool = False):
        self.of, self.multi, self.anchor_us, self.disjoint = of, multi, anchor_us, disjoint

    def redrawable(self) -> bool:
        return not self.disjoint

    def _bounds(self, f: Rows, key: rng.Key, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) per row, lo < hi; after ``start`` when given (the second range of a multirange).
        ``disjoint``: row i's ranges lie in the i-th slot of a row of slots, so no two rows overlap
        (an EXCLUDE constraint's ``WITH &&``)."""
        if self.disjoint:
            unit = DAY_US if self.of == "date" else (3_600_000_000 if self.of.startswith("timestamp") else 1)
            slot = 4 if unit > 1 else 1_000  # a multirange's two ranges fit in one slot too
            origin = self.anchor_us - 730 * DAY_US if unit > 1 else 0
            first = origin + (f.idx + f.ctx.base(f.table)) * slot * unit
            width = rng.between(f.u64, rng.mix(np.uint64(1), key), 1, slot // 2 - 1 if slot > 2 else 1) * unit
            lo = first if start is None else start
            return lo, lo + width
        if self.of in ("date", "timestamp", "timestamptz"):
            unit = DAY_US if self.of == "date" else 3_600_000_000
            lo = self.anchor_us - 730 * DAY_US + rng.between(f.u64, key, 0, 700) * DAY_US
            width = rng.between(f.u64, rng.mix(np.uint64(1), key), 1, 60) * unit
        else:
            lo = rng.between(f.u64, key, 0, 10_000).astype(np.int64)
            width = rng.between(f.u64, rng.mix(np.uint64(1), key), 1, 1_000).astype(np.int64)
        if start is not None:
            lo = start + width
        return lo, lo + width

    def _literal(self, lo: np.ndarray, hi: np.ndarray) -> pa.Array:
        if self.of in ("uuid", "text"):  # bounds written so that text order is number order
            width = 32 if self.of == "uuid" else 12
            parts = [_hex(v, width, dashed=self.of == "uuid") for v in (lo, hi)]
            return join(["[", parts[0], ",", parts[1], ")"], len(lo))
        if self.of in ("date", "timestamp", "timestamptz"):
            days = self.of == "date"
            ts = [pa.array(v, pa.timestamp("us")) for v in (lo, hi)]
            fmt = "%Y-%m-%d" if days else "%Y-%m-%d %H:%M:%S"
            parts = [pc.strftime(t, format=fmt) for t in ts]
            if self.of == "timestamptz":
                parts = [join(['"', p, '+00"'], len(lo)) for p in parts]
            elif not days:
                parts = [join(['"', p, '"'], len(lo)) for p in parts]
            return join(["[", parts[0], ",", parts[1], ")"], len(lo))
        return join(["[", _text(lo), ",", _text(hi), ")"], len(lo))

    def values(self, f: Rows) -> Values:
        key = f.key(self.column.name, "range")
        lo, hi = self._bounds(f, key, None)
        first = self._literal(lo, hi)
        if not self.multi:
            return first
        lo2, hi2 = self._bounds(f, rng.mix(np.uint64(2), key), hi)
        return join(["{", first, ",", self._literal(lo2, hi2), "}"], f.n)


@register("range")
def _range(arg: Any, info: BuildInfo) -> Gen:
    """``range: {of: int}``: ``[lo,hi)`` of int, bigint, numeric, date, timestamp or timestamptz;
    ``multi: true`` makes a multirange of two ranges."""
    opts = arg if isinstance(arg, dict) else {"of": arg}
    require_keys(opts, {"of", "multi", "disjoint"}, info, "range")
    of = str(opts.get("of", "int"))
    if of not in _RANGE_OF:
        raise info.fail(f"range.of must be one of {', '.join(_RANGE_OF)}, not {of!r}")
    return Range(of, bool(opts.get("multi", False)), info.anchor_us, bool(opts.get("disjoint", False)))


def _coords(f: Rows, key: np.uint64, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes in [-170, 170) and latitudes in [-80, 80), to 6 decimals."""
    x = rng.between(f.u64, key, -170_000_000, 169_000_000) / 1e6
    y = rng.between(f.u64, rng.mix(np.uint64(n), key), -80_000_000, 79_000_000) / 1e6
    return x, y


def _num(values: np.ndarray) -> pa.Array:
    return pa.array(np.round(values, 6)).cast(pa.string())


class Geometry(Gen):
    def __init__(self, kind: str, srid: int | None, dims: str):
        self.kind, self.srid, self.dims = kind, srid, dims

    def _point(self, x: np.ndarray, y: np.ndarray) -> list[pa.Array | str]:
        out: list[pa.Array | str] = [_num(x), " ", _num(y)]
        if "z" in self.dims:
            out += [" ", _num(np.zeros(len(x)))]
        if "m" in self.dims:
            out += [" ", _num(np.ones(len(x)))]
        return out

    def values(self, f: Rows) -> Values:
        x, y = _coords(f, f.key(self.column.name, "geometry"), 1)
        d = 0.01  # a small square or segment near the point: valid, closed, not self-crossing
        point = self._point(x, y)
        ring = [*point, ", ", *self._point(x + d, y), ", ", *self._point(x + d, y + d), ", "]
        ring += [*self._point(x, y + d), ", ", *point]
        segment = [*point, ", ", *self._point(x + d, y + d)]
        body: list[pa.Array | str] = {
            "point": ["POINT(", *point, ")"],
            "linestring": ["LINESTRING(", *segment, ")"],
            "polygon": ["POLYGON((", *ring, "))"],
            "multipoint": ["MULTIPOINT((", *point, "))"],
            "multilinestring": ["MULTILINESTRING((", *segment, "))"],
            "multipolygon": ["MULTIPOLYGON(((", *ring, ")))"],
            "geometrycollection": ["GEOMETRYCOLLECTION(POINT(", *point, "))"],
        }[self.kind]
        if self.dims:
            name = str(body[0])
            cut = name.index("(")
            body[0] = f"{name[:cut]} {self.dims.upper()} {name[cut:]}"
        prefix: list[pa.Array | str] = [f"SRID={self.srid};"] if self.srid else []
        return join(prefix + body, f.n)


@register("geometry")
def _geometry(arg: Any, info: BuildInfo) -> Gen:
    """``geometry: {type: polygon, srid: 4326}``: shapes as (E)WKT; ``dims: z|m|zm``."""
    opts = arg if isinstance(arg, dict) else {"type": arg}
    require_keys(opts, {"type", "srid", "dims"}, info, "geometry")
    kind = str(opts.get("type") or "point").lower()
    if kind == "geometry":
        kind = "point"
    if kind not in _GEOMETRIES:
        raise info.fail(f"geometry.type must be one of {', '.join(_GEOMETRIES)}, not {kind!r}")
    srid = opts.get("srid")
    dims = str(opts.get("dims") or "").lower()
    if dims not in ("", "z", "m", "zm"):
        raise info.fail(f"geometry.dims must be z, m or zm, not {dims!r}")
    return Geometry(kind, int(srid) if srid else None, dims)


class Shape(Gen):
    def __init__(self, kind: str):
        self.kind = kind

    def values(self, f: Rows) -> Values:
        x, y = _coords(f, f.key(self.column.name, "shape"), 1)
        x2, y2 = x + 1.5, y + 1.0
        p, q = ["(", _num(x), ",", _num(y), ")"], ["(", _num(x2), ",", _num(y2), ")"]
        third: list[pa.Array | str] = ["(", _num(x2), ",", _num(y), ")"]
        body: list[pa.Array | str] = {
            "point": p,
            "box": ["(", *p, ",", *q, ")"],
            "circle": ["<", *p, ",", _num(np.full(len(x), 1.5)), ">"],
            "polygon": ["(", *p, ",", *third, ",", *q, ")"],
            "path": ["[", *p, ",", *q, "]"],
            "lseg": ["[", *p, ",", *q, "]"],
            "line": ["{1,", _num(-np.ones(len(x))), ",", _num(y - x), "}"],  # y = x + c: A and B never both 0
        }[self.kind]
        return join(body, f.n)


@register("shape")
def _shape(arg: Any, info: BuildInfo) -> Gen:
    """``shape: box``: PostgreSQL's point, box, circle, polygon, path, lseg or line."""
    kind = str(arg).lower()
    if kind not in _SHAPES:
        raise info.fail(f"shape must be one of {', '.join(_SHAPES)}, not {kind!r}")
    return Shape(kind)
