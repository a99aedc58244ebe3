"""Files: one Parquet or CSV file per table, byte-identical for the same seed and plan.

Batches are re-cut into fixed row groups, so the files do not depend on the
chunk size the rows were generated in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from seedbed.errors import PlanError

ROW_GROUP = 65_536
FORMATS = ("parquet", "csv")


def fixed_batches(batches: Iterable[pa.RecordBatch], size: int = ROW_GROUP) -> Iterator[pa.RecordBatch]:
    """Re-cut a stream of batches into batches of exactly ``size`` rows (the last shorter)."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for b in batches:
        pending.append(b)
        count += b.num_rows
        while count >= size:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, size).combine_chunks().to_batches()[0]
            rest = table.slice(size).combine_chunks()
            pending = rest.to_batches() if rest.num_rows else []
            count -= size
    if count:
        yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]


def write_table(name: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], out: Path, fmt: str) -> Path:
    """Write one table to ``out/NAME.FORMAT``; returns the path."""
    if fmt not in FORMATS:
        raise PlanError(f"unknown export format {fmt!r}", hint=f"formats: {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.{fmt}"
    if fmt == "parquet":
        with pq.ParquetWriter(path, schema, compression="zstd") as w:
            for b in fixed_batches(batches):
                w.write_batch(b, row_group_size=ROW_GROUP)
    else:
        with pacsv.CSVWriter(path, schema) as w:
            for b in fixed_batches(batches):
                w.write_batch(b)
    return path
