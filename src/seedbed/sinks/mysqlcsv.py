"""Batches as the CSV MySQL's ``LOAD DATA`` reads, and as the values its INSERTs bind.

Every value is quoted (quotes doubled, nothing else escaped, so backslashes, commas
and newlines pass through as they are) and NULL is the bare word ``NULL`` - which a
quoted ``"NULL"`` is not. Instants are sent as UTC wall time without a zone suffix,
booleans as 1/0, decimals as text and binary values as hex decoded by ``UNHEX`` on
the server; ``BIT(n)`` takes numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

_CSV = pacsv.WriteOptions(include_header=False, quoting_style="all_valid", null_string="NULL", eol="\n")

_HEX = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8)


def hex_text(col: pa.Array) -> pa.Array:
    """A binary column as lower-case hex text (vectorised; nulls stay null)."""
    if len(col) == 0:
        return pa.array([], pa.large_string())
    if pa.types.is_fixed_size_binary(col.type):
        col = pa.array([None if v is None else v for v in col.to_pylist()], pa.binary())
    if pa.types.is_binary(col.type):
        col = col.cast(pa.large_binary())
    if col.offset:
        col = pa.concat_arrays([col, pa.array([], col.type)])  # a copy without a slice offset
    _, offsets_buf, data_buf = col.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[: len(col) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, np.uint8)
    start = int(offsets[0]) if len(offsets) else 0
    hexed = _HEX[data[start : int(offsets[-1]) if len(offsets) else 0]].reshape(-1)
    out = pa.Array.from_buffers(
        pa.large_string(), len(col), [None, pa.py_buffer((offsets - start) * 2), pa.py_buffer(hexed.tobytes())]
    )
    return pc.if_else(col.is_valid(), out, pa.scalar(None, pa.large_string())) if col.null_count else out


def bit_columns_as_ints(spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """MySQL's BIT(n) takes numbers: '0101' becomes 5 (PostgreSQL takes the text itself)."""

    def is_bit(c: str) -> bool:
        return spec.table.has_column(c) and (spec.table.column(c).type.raw or "").lower().startswith("bit")

    for b in batches:
        bits = [i for i, c in enumerate(b.schema.names) if is_bit(c)]
        if bits and b.num_rows:
            arrays = list(b.columns)
            for i in bits:
                col = arrays[i]
                if not pa.types.is_string(col.type):
                    continue
                text = col.fill_null("0")
                width = int(pc.max(pc.utf8_length(text)).as_py() or 1)
                padded = pc.utf8_lpad(text, width=width, padding="0")
                digits = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[: len(col) * width]
                values = (digits.reshape(len(col), width) - 48).astype(np.int64) @ (1 << np.arange(width - 1, -1, -1))
                arrays[i] = pa.array(values, pa.int64(), mask=col.is_null().to_numpy(zero_copy_only=False))
            fields = [
                pa.field(f.name, arrays[i].type, metadata={b"mysql_bit": b"1"}) if i in bits else f
                for i, f in enumerate(b.schema)
            ]
            b = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
        yield b


def is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t)


def mysql_columns(batch: pa.RecordBatch, *, binary_as_hex: bool = True) -> list[pa.Array]:
    """Each column in the form MySQL reads: instants as UTC 'YYYY-MM-DD HH:MM:SS.ffffff',
    times as 'HH:MM:SS.ffffff', booleans as 1/0, binary as hex (or left as bytes)."""
    out = []
    for col in batch.columns:
        t = col.type
        if pa.types.is_dictionary(t):
            col, t = col.cast(t.value_type), t.value_type
        if pa.types.is_timestamp(t):
            # dropping the zone keeps the UTC values: the text is UTC wall time, no suffix
            col = col.cast(pa.timestamp("us"), safe=False).cast(pa.string())
        elif pa.types.is_time(t):
            col = col.cast(pa.time64("us"), safe=False).cast(pa.string())
        elif pa.types.is_boolean(t):
            col = col.cast(pa.int8())
        elif is_binary(t) and binary_as_hex:
            col = hex_text(col)
        out.append(col)
    return out


def csv_bytes_to(path: str, batch: pa.RecordBatch) -> None:
    """Write ``batch`` to ``path`` as the CSV that ``LOAD DATA`` below reads."""
    names = [f"c{i}" for i in range(batch.num_columns)]
    pacsv.write_csv(pa.RecordBatch.from_arrays(mysql_columns(batch), names=names), path, _CSV)
