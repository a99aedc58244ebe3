"""Conversion of generated values to a column's Arrow type.

Generators produce natural values (float amounts, int64 microseconds, strings);
this is the one place that turns them into the column's type: rounding to a
numeric's scale, truncating to a varchar's length, microseconds to dates.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate.timeutil import DAY_US
from seedbed.schema.model import ColumnType

_INT = {"smallint": pa.int16(), "int": pa.int32(), "bigint": pa.int64()}


def arrow_type(t: ColumnType) -> pa.DataType:
    """The Arrow type a column's values are generated as."""
    if t.kind in _INT:
        return _INT[t.kind]
    if t.kind == "numeric":
        p = t.precision or 38
        s = t.scale if t.scale is not None else (0 if t.precision else 6)
        if p > 38:  # wider than decimal128; generated values still fit 18 digits
            return pa.decimal256(min(p, 76), min(s, 76))
        return pa.decimal128(p, min(s, p))
    return {
        "float": pa.float64(),
        "bool": pa.bool_(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "timestamptz": pa.timestamp("us", tz="UTC"),
        "time": pa.time64("us"),
        "bytes": pa.binary(),
    }.get(t.kind, pa.string())


def _decimal(values: np.ndarray, typ: pa.DataType) -> pa.Array:
    """Decimal array from float or int values, rounded half-even to the type's scale.

    Values are clipped to what both the type and int64 can hold before conversion, so
    an out-of-range value saturates instead of wrapping around; NaN becomes 0.
    """
    if pa.types.is_decimal256(typ):
        return _decimal(values, pa.decimal128(38, min(typ.scale, 38))).cast(typ)
    limit = float(10 ** min(typ.precision, 18) - 1)
    scaled = np.nan_to_num(np.asarray(values, dtype=np.float64) * (10.0**typ.scale), nan=0.0)
    unscaled = np.rint(np.clip(scaled, -limit, limit)).astype(np.int64)
    wide = np.empty((len(unscaled), 2), dtype=np.int64)
    wide[:, 0] = unscaled
    wide[:, 1] = np.where(unscaled < 0, -1, 0)  # two's-complement sign extension
    return pa.Array.from_buffers(typ, len(unscaled), [None, pa.py_buffer(wide.tobytes())])


def coerce(values: pa.Array | np.ndarray, t: ColumnType, typ: pa.DataType) -> pa.Array:
    """``values`` as an Arrow array of ``typ`` (the column's type)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        if values.type == typ:
            return _fit_text(values, t) if pa.types.is_string(typ) else values
        if pa.types.is_string(typ):
            from seedbed.generate.text import to_text

            return _fit_text(to_text(values), t)
        if pa.types.is_decimal(typ) and (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
            mask = values.is_null()
            arr = _decimal(values.fill_null(0).to_numpy(zero_copy_only=False), typ)
            return pc.if_else(mask, pa.nulls(len(arr), typ), arr) if values.null_count else arr
        if pa.types.is_date32(typ) and pa.types.is_timestamp(values.type):
            return values.cast(pa.timestamp("us")).cast(pa.date32())
        if pa.types.is_timestamp(typ) and pa.types.is_date32(values.type):
            return values.cast(pa.timestamp("us")).cast(typ)
        return values.cast(typ)
    values = np.asarray(values)
    if pa.types.is_decimal(typ):
        return _decimal(values, typ)
    if pa.types.is_integer(typ):
        if values.dtype.kind == "f":
            values = np.rint(values)
        info = np.iinfo(typ.to_pandas_dtype())
        return pa.array(np.clip(values, info.min, info.max).astype(typ.to_pandas_dtype()), typ)
    if pa.types.is_date32(typ):
        return pa.array(np.floor_divide(values.astype(np.int64), DAY_US).astype(np.int32), pa.int32()).cast(typ)
    if pa.types.is_timestamp(typ):
        return pa.array(values.astype(np.int64), pa.int64()).cast(typ)
    if pa.types.is_time64(typ):
        return pa.array(np.mod(values.astype(np.int64), DAY_US), pa.int64()).cast(typ)
    if pa.types.is_string(typ):
        from seedbed.generate.text import to_text

        return _fit_text(to_text(values), t)
    return pa.array(values).cast(typ)


def _fit_text(arr: pa.Array, t: ColumnType) -> pa.Array:
    """Truncate to the declared length so varchar(n) and char(n) always fit."""
    if t.length and t.kind in ("varchar", "char"):
        return pc.utf8_slice_codeunits(arr, 0, t.length)
    return arr
