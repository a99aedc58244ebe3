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


def mysql_batches(spec: TableSpec, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Batches as MySQL takes them: ``BIT(n)`` columns as numbers ('0101' becomes 5; PostgreSQL
    takes the text itself), and spatial columns marked, to be read from WKT on the server."""

    def kind(c: str) -> str:
        if not spec.table.has_column(c):
            return ""
        t = spec.table.column(c).type
        return "bit" if (t.raw or "").lower().startswith("bit") else t.kind

    for b in batches:
        kinds = [kind(c) for c in b.schema.names]
        if b.num_rows and ("bit" in kinds or "geometry" in kinds):
            arrays = list(b.columns)
            fields = list(b.schema)
            for i, k in enumerate(kinds):
                if k == "bit":  # numbers go in through CAST: text '5' would be one byte 0x35
                    if pa.types.is_string(arrays[i].type):
                        arrays[i] = _bits_as_ints(arrays[i])
                    fields[i] = pa.field(fields[i].name, arrays[i].type, metadata={b"mysql_bit": b"1"})
                elif k == "geometry":
                    fields[i] = pa.field(fields[i].name, arrays[i].type, metadata={b"mysql_geometry": b"1"})
            b = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
        yield b


def _bits_as_ints(col: pa.Array) -> pa.Array:
    text = col.fill_null("0")
    width = int(pc.max(pc.utf8_length(text)).as_py() or 1)
    padded = pc.utf8_lpad(text, width=width, padding="0")
    digits = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[: len(col) * width]
    values = (digits.reshape(len(col), width) - 48).astype(np.int64) @ (1 << np.arange(width - 1, -1, -1))
    return pa.array(values, pa.int64(), mask=col.is_null().to_numpy(zero_copy_only=False))


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
