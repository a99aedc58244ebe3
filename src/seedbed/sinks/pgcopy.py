"""PostgreSQL's binary COPY format, built a whole column at a time from Arrow batches.

Binary COPY spares the server the text parsing of every value (uuid, timestamptz,
inet and numeric input functions are most of a CSV COPY's cost) and is smaller on
the wire. A row is a 16-bit field count, then per field a 32-bit length (-1 for
NULL) and the value in the type's ``send`` format. Fixed-width fields of a batch
are laid out in numpy matrices, variable-width ones stay Arrow binary arrays, and
one ``binary_join_element_wise`` concatenates them row by row.

Only pairs of (server type, Arrow type) whose binary value is exactly what the
server would store from the CSV text are encoded here; a table with any other
column (arrays, intervals, geometry, float4 from float64, ...) is copied as CSV.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.errors import LoadFailed
from seedbed.generate.text import utf8_buffers

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # flags, header extension
TRAILER = b"\xff\xff"

_EPOCH_DAYS = 10_957  # 2000-01-01, PostgreSQL's epoch, in days after 1970-01-01
_EPOCH_US = _EPOCH_DAYS * 86_400_000_000
_MAX_BYTES = 1 << 30  # a joined batch must stay inside Arrow's 32-bit binary offsets


# -- fields: what one column of a batch contributes to each row ------------------


@dataclass
class Fixed:
    """Every row's value is ``width`` bytes: ``data`` is (n, width); ``valid`` None when no NULL."""

    data: np.ndarray
    valid: np.ndarray | None = None


@dataclass
class Var:
    """Values of varying length: ``data`` a binary array (NULL where the field is NULL)."""

    data: pa.Array


Field = Fixed | Var
Encode = Callable[[pa.Array, str], Field]


def _valid(col: pa.Array) -> np.ndarray | None:
    if col.null_count == 0:
        return None
    return np.asarray(col.is_valid())


def _numbers(col: pa.Array, dtype: str, fill: int | float = 0) -> np.ndarray:
    """The column as a numpy array of ``dtype`` (big-endian), NULLs as ``fill``."""
    if col.null_count:
        col = col.fill_null(fill)
    return np.asarray(col.to_numpy(zero_copy_only=False)).astype(dtype)


def _be_bytes(values: np.ndarray) -> np.ndarray:
    """(n,) big-endian numbers → (n, itemsize) bytes."""
    return values.view(np.uint8).reshape(len(values), values.dtype.itemsize)


def _int(width: int) -> Encode:
    lo, hi = -(1 << (8 * width - 1)), (1 << (8 * width - 1)) - 1
    name = {2: "smallint", 4: "integer", 8: "bigint"}[width]

    def encode(col: pa.Array, column: str) -> Field:
        v = _numbers(col, "int64")
        if len(v) and (v.min() < lo or v.max() > hi):
            bad = int(v[(v < lo) | (v > hi)][0])
            raise LoadFailed(
                f"value {bad} is out of range for type {name}",
                where=column,
                hint="give the column a generator within the type's range",
            )
        return Fixed(_be_bytes(v.astype(f">i{width}")), _valid(col))

    return encode


def _float(col: pa.Array, column: str) -> Field:
    width = col.type.bit_width // 8
    return Fixed(_be_bytes(_numbers(col, f">f{width}")), _valid(col))


def _bool(col: pa.Array, column: str) -> Field:
    return Fixed(_numbers(col, "uint8", False).reshape(-1, 1), _valid(col))


def _date(col: pa.Array, column: str) -> Field:
    days = _numbers(col.cast(pa.int32()), "int64") - _EPOCH_DAYS
    return Fixed(_be_bytes(days.astype(">i4")), _valid(col))


_TO_US = {"s": 1_000_000, "ms": 1_000, "us": 1}


def _timestamp(col: pa.Array, column: str) -> Field:
    us = _numbers(col.cast(pa.int64()), "int64") * _TO_US[col.type.unit] - _EPOCH_US
    return Fixed(_be_bytes(us.astype(">i8")), _valid(col))


def _time(col: pa.Array, column: str) -> Field:
    return Fixed(_be_bytes(_numbers(col.cast(pa.int64()), ">i8")), _valid(col))


def _text(col: pa.Array, column: str) -> Field:  # text and bytea alike: the bytes as they are
    return Var(col.cast(pa.binary()))


def _jsonb(col: pa.Array, column: str) -> Field:
    # jsonb's binary format is a version byte (1) and the JSON text
    return Var(pc.binary_join_element_wise(pa.scalar(b"\x01", pa.binary()), col.cast(pa.binary()), b""))


# -- uuid: canonical text back to its 16 bytes ----------------------------------

_DASHES = np.array([8, 13, 18, 23])


def _hex_bytes(chars: np.ndarray, n: int) -> np.ndarray | None:
    """(n, 16) bytes of n canonical UUIDs (dashes checked by the caller), or None when a
    digit is not hex. Python's own ``bytes.fromhex`` validates and converts the whole
    batch in C: twice as fast as numpy's passes over every digit."""
    digits = chars.tobytes().translate(None, b"-")
    if len(digits) != 32 * n:  # a dash where a digit belongs
        return None
    try:
        raw = bytes.fromhex(digits.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
    if len(raw) != 16 * n:  # fromhex skips whitespace between pairs: not a digit either
        return None
    return np.frombuffer(raw, dtype=np.uint8).reshape(n, 16)


def _fixed_width_bytes(col: pa.Array, width: int) -> np.ndarray | None:
    """(n, width) bytes of a string column whose every value is ``width`` bytes long, else None."""
    offsets, data = utf8_buffers(col)
    if not (np.diff(offsets) == width).all():
        return None
    return data.reshape(len(col), width)


def _uuid(col: pa.Array, column: str) -> Field:
    valid = _valid(col)
    n = len(col)
    text = col.fill_null("00000000-0000-0000-0000-000000000000") if valid is not None else col
    chars = _fixed_width_bytes(text, 36) if n else np.zeros((0, 36), np.uint8)
    if chars is not None and (chars[:, _DASHES] == ord("-")).all():
        raw = _hex_bytes(chars, n)
        if raw is not None:
            return Fixed(raw, valid)
    # any other spelling PostgreSQL accepts (braces, no dashes): parse value by value
    out = np.zeros((n, 16), dtype=np.uint8)
    for i, s in enumerate(text.to_pylist()):
        try:
            out[i] = np.frombuffer(uuid.UUID(s).bytes, dtype=np.uint8)
        except ValueError:
            raise LoadFailed(f"{s!r} is not a uuid", where=column, hint="give the column a uuid generator") from None
    return Fixed(out, valid)


# -- inet -----------------------------------------------------------------------------

_AF_INET, _AF_INET6 = 2, 3  # PostgreSQL's own family codes, not the platform's
_PLAIN_V4 = r"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$"
# the spellings whose meaning Python's ipaddress and PostgreSQL agree on
_SPELLED = (
    r"^((0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}(/[0-9]{1,2})?"  # IPv4[/bits]
    r"|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?)$"
)  # IPv6[/bits]


def _inet_value(text: str, column: str) -> bytes:
    try:
        if not re.match(_SPELLED, text):
            raise ValueError
        net = ipaddress.ip_interface(text)
    except ValueError:
        raise LoadFailed(
            f"{text!r} is not an inet address seedbed can send",
            where=column,
            hint="write addresses as 10.1.2.3, 10.1.2.3/24 or IPv6 text",
        ) from None
    family = _AF_INET if net.version == 4 else _AF_INET6
    packed = net.ip.packed
    return bytes([family, net.network.prefixlen, 0, len(packed)]) + packed


def _inet(col: pa.Array, column: str) -> Field:
    valid = _valid(col)
    n = len(col)
    text = col.fill_null("0.0.0.0") if valid is not None else col
    if pc.all(pc.match_substring_regex(text, _PLAIN_V4)).as_py():
        # dotted quads without a prefix: split and parse the octets as a whole column
        octets = pc.list_flatten(pc.split_pattern(text, ".")).cast(pa.int64()).to_numpy().reshape(n, 4)
        if (octets <= 255).all():
            out = np.empty((n, 8), dtype=np.uint8)
            out[:, :4] = (_AF_INET, 32, 0, 4)
            out[:, 4:] = octets
            return Fixed(out, valid)
    values = [None if v is None else _inet_value(v, column) for v in col.to_pylist()]
    return Var(pa.array(values, pa.binary()))


# -- numeric: base-10000 digits -----------------------------------------------------

_INT_GROUPS = 5  # |value| < 2**63 has at most 19 integer digits: five base-10000 digits


def _numeric(col: pa.Array, column: str) -> Field:
    """Decimal values as (ndigits, weight, sign, dscale, digits...) with the same digits
    for every row: base-10000 groups from 10000**4 down to the scale's last group. The
    server strips leading and trailing zero groups itself, as it does for text input."""
    s = col.type.scale
    n = len(col)
    valid = _valid(col)
    filled = col.fill_null(pa.scalar(0, col.type)) if valid is not None else col
    words = np.frombuffer(filled.buffers()[1], dtype=np.int64)[2 * filled.offset : 2 * (filled.offset + n)]
    lo, hi = words[0::2], words[1::2]
    if not ((hi == (lo >> 63)) & (lo != np.iinfo(np.int64).min)).all():
        # beyond 64 bits: each value by Python's integers
        values = [None if v is None else _numeric_value(v, s) for v in col.to_pylist()]
        return Var(pa.array(values, pa.binary()))
    a = np.abs(lo)  # < 2**63 < 10**19
    exponents = range(_TOP_GROUP, s // -4 - 1, -1)  # group e is worth 10000**e, down to the scale's
    digits = np.zeros((n, len(exponents)), dtype=">i2")
    for k, e in enumerate(exponents):
        p = s + 4 * e  # the power of ten of the group's last digit, counted in ``a``
        if p >= 19:
            continue  # above any 64-bit value
        digits[:, k] = a // 10**p % 10_000 if p >= 0 else a % 10 ** (4 + p) * 10 ** (-p)
    head = np.empty((n, 4), dtype=">i2")
    head[:] = (len(exponents), _TOP_GROUP, 0, s)
    head[:, 2] = np.where(lo < 0, 0x4000, 0)
    return Fixed(np.hstack([head.view(np.uint8), digits.view(np.uint8)]), valid)


_TOP_GROUP = 4  # 10000**4 * 9999 > 2**63: five integer groups hold any 64-bit value


def _numeric_value(value: Decimal, scale: int) -> bytes:
    """One Decimal of any size in numeric's binary format (scale: the Arrow type's)."""
    unscaled = int(value.scaleb(scale))
    a = abs(unscaled)
    whole, top = a // 10**scale, 0
    while whole >= 10_000 ** (top + 1):
        top += 1
    exponents = range(top, scale // -4 - 1, -1)
    digits = []
    for e in exponents:
        p = scale + 4 * e
        digits.append(a // 10**p % 10_000 if p >= 0 else a % 10 ** (4 + p) * 10 ** (-p))
    head = [len(digits), top, 0x4000 if unscaled < 0 else 0, scale]
    return np.array(head + digits, dtype=">i2").tobytes()


# -- choosing an encoder per column ---------------------------------------------------

_INTS = {"int2recv": 2, "int4recv": 4, "int8recv": 8}
_TEXT = {"textrecv", "varcharrecv", "bpcharrecv", "enum_recv", "json_recv", "citextrecv"}


def encoder_for(r: str, typ: pa.DataType) -> Encode | None:
    """How to send Arrow values of ``typ`` to a column whose (base) type's receive function
    is ``r``; None when the binary value might differ from what the server makes of the CSV text."""
    if r in _INTS and pa.types.is_integer(typ) and not (pa.types.is_uint64(typ)):
        return _int(_INTS[r])
    if r == "float8recv" and pa.types.is_float64(typ) or r == "float4recv" and pa.types.is_float32(typ):
        return _float
    if r == "boolrecv" and pa.types.is_boolean(typ):
        return _bool
    if r == "numeric_recv" and pa.types.is_decimal128(typ) and typ.scale >= 0:
        return _numeric
    if r in _TEXT and (pa.types.is_string(typ) or pa.types.is_large_string(typ)):
        return _text
    if r == "jsonb_recv" and pa.types.is_string(typ):
        return _jsonb
    if r == "uuid_recv" and (pa.types.is_string(typ) or pa.types.is_large_string(typ)):
        return _uuid
    if r == "date_recv" and pa.types.is_date32(typ):
        return _date
    # (a naive Arrow value into timestamptz is read in the session's zone as text: CSV)
    if (
        pa.types.is_timestamp(typ)
        and typ.unit in _TO_US
        and (r == "timestamp_recv" or r == "timestamptz_recv" and typ.tz is not None)
    ):
        return _timestamp
    if r == "time_recv" and pa.types.is_time64(typ) and typ.unit == "us":
        return _time
    if r == "bytearecv" and (pa.types.is_binary(typ) or pa.types.is_large_binary(typ)):
        return _text
    if r == "inet_recv" and pa.types.is_string(typ):  # not cidr: its text input guesses classful masks
        return _inet
    return None


class BinaryCopy:
    """Encodes batches of one table's columns (in COPY's column order) into binary COPY rows."""

    def __init__(self, columns: list[str], encoders: list[Encode], table: str = ""):
        self.columns = columns
        self.encoders = encoders
        self.labels = [f"{table}.{c}" if table else c for c in columns]  # columns as messages name them
        self._count = np.frombuffer(np.array([len(columns)], dtype=">i2").tobytes(), dtype=np.uint8)

    @classmethod
    def for_table(
        cls, columns: list[str], receives: dict[str, str], schema: pa.Schema, table: str = ""
    ) -> BinaryCopy | None:
        """An encoder for these columns, or None when any of them must go as CSV."""
        encoders = []
        for name in columns:
            r = receives.get(name)
            enc = encoder_for(r, schema.field(name).type) if r is not None else None
            if enc is None:
                return None
            encoders.append(enc)
        return cls(columns, encoders, table)

    def encode(self, batch: pa.RecordBatch) -> list[pa.Buffer]:
        """The batch's rows in binary COPY format (no signature, no trailer)."""
        n = batch.num_rows
        if n == 0:
            return []
        fields = [enc(batch.column(name), label) for name, label, enc in zip(self.columns, self.labels, self.encoders)]
        if _size(fields, n) > _MAX_BYTES and n > 1:
            half = n // 2
            return self.encode(batch.slice(0, half)) + self.encode(batch.slice(half))
        return [self._join(fields, n)]

    def _join(self, fields: list[Field], n: int) -> pa.Buffer:
        """Rows as one buffer: runs of fixed-width fields (and the length words of the
        variable ones) become numpy matrices; one Arrow join interleaves them."""
        parts: list[pa.Array] = []
        run: list[np.ndarray] = [np.broadcast_to(self._count, (n, 2))]
        for f in fields:
            if isinstance(f, Fixed) and f.valid is None:
                run.append(_length_words(np.full(n, f.data.shape[1], dtype=np.int64)))
                run.append(f.data)
                continue
            data = _as_binary(f)
            lengths = pc.binary_length(data).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            run.append(_length_words(lengths))
            parts.append(_matrix_array(np.hstack(run)))
            parts.append(data.fill_null(b"") if data.null_count else data)
            run = []
        if run:
            parts.append(_matrix_array(np.hstack(run)))
        if len(parts) == 1:
            return parts[0].buffers()[2]
        rows = pc.binary_join_element_wise(*parts, b"")
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
        return rows.buffers()[2].slice(int(offsets[0]), int(offsets[n] - offsets[0]))


def _as_binary(f: Field) -> pa.Array:
    if isinstance(f, Var):
        return f.data
    return pc.if_else(pa.array(f.valid), _matrix_array(f.data), pa.scalar(None, pa.binary()))


def _length_words(lengths: np.ndarray) -> np.ndarray:
    return _be_bytes(lengths.astype(">i4"))


def _matrix_array(m: np.ndarray) -> pa.Array:
    """An (n, w) byte matrix as a binary array of n values of w bytes (no copy of the data)."""
    m = np.ascontiguousarray(m, dtype=np.uint8)
    n, width = m.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(m)])


def _size(fields: list[Field], n: int) -> int:
    total = n * (2 + 4 * len(fields))
    for f in fields:
        total += f.data.size if isinstance(f, Fixed) else f.data.nbytes
    return total
