"""Progress of a run: a report after each table, and every few seconds inside a long one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pyarrow as pa

from seedbed.sinks.manifest import TableRecord

Progress = Callable[[str, int, int, TableRecord], None]  # (table, i, n, its record): "starting", "loading", done


REPORT_EVERY = 2.0  # seconds between progress reports inside a long table


def reporting(
    batches: Iterator[pa.RecordBatch], name: str, i: int, n: int, rec: TableRecord, progress: Progress
) -> Iterator[pa.RecordBatch]:
    """The batches, with a progress report (mode "loading", rows sent so far) every few
    seconds: a table of millions of rows is not silent until it ends."""
    t0 = last = time.perf_counter()
    sent = 0
    for batch in batches:
        yield batch
        sent += batch.num_rows
        now = time.perf_counter()
        if now - last >= REPORT_EVERY and sent < rec.planned:
            last = now
            progress(name, i, n, TableRecord(planned=rec.planned, inserted=sent, seconds=round(now - t0, 1),
                                             mode="loading"))  # fmt: skip
