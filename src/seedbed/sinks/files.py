"""Files: one Parquet or CSV file per table, byte-identical for the same seed and plan.

Parquet row groups are re-cut to a fixed size, so the files do not depend on the
chunk size the rows were generated in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from seedbed.errors import PlanError

ROW_GROUP = 65_536
FORMATS = ("parquet", "csv", "sql")


def fixed_tables(batches: Iterable[pa.RecordBatch], size: int = ROW_GROUP) -> Iterator[pa.Table]:
    """Re-cut a stream of batches into tables of exactly ``size`` rows (the last shorter).

    Slices are zero-copy, so memory stays about one row group.
    """
    pending: pa.Table | None = None
    for b in batches:
        t = pa.Table.from_batches([b])
        pending = t if pending is None else pa.concat_tables([pending, t])
        while pending.num_rows >= size:
            yield pending.slice(0, size)
            pending = pending.slice(size)
    if pending is not None and pending.num_rows:
        yield pending


def write_table(name: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], out: Path, fmt: str) -> Path:
    """Write one table to ``out/NAME.FORMAT``; returns the path."""
    if fmt not in FORMATS:
        raise PlanError(f"unknown export format {fmt!r}", hint=f"formats: {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.{fmt}"
    with open(path, "wb") as f:
        write_stream(f, schema, batches, fmt)
    return path


def write_stream(
    out: Any, schema: pa.Schema, batches: Iterable[pa.RecordBatch], fmt: str, *, header: bool = True
) -> None:
    """``batches`` as one Parquet or CSV file into the open binary file ``out``; the bytes do
    not depend on where batches start and end. ``header``: the CSV header line (a later
    range's part leaves it out, so the parts joined are the whole file)."""
    if fmt == "parquet":
        with pq.ParquetWriter(out, schema, compression="zstd") as w:
            for t in fixed_tables(batches):
                w.write_table(t.combine_chunks(), row_group_size=ROW_GROUP)  # pages must not follow chunks
    else:
        with pacsv.CSVWriter(out, schema, write_options=pacsv.WriteOptions(include_header=header)) as w:
            for b in batches:
                w.write_batch(b)
