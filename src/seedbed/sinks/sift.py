"""Loading what the database accepts, row by row where it must: the rows a trigger's rule
refuses are found and left out, the others committed.

A trigger may refuse rows by a rule no constraint declares ("an item and its collection
are in one library"): seedbed cannot read it, so it cannot generate rows that keep it.
Rather than leave the whole table out (and every table that needs its rows), the table is
loaded in slices, each in a savepoint: a slice the database refuses is halved until the
refused rows stand alone, and those are left out. With few refused rows this costs a few
savepoints per refused row (a binary search); where most rows are refused, one statement
per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from seedbed.errors import LoadFailed

if TYPE_CHECKING:
    from seedbed.planning.resolved import TableSpec

GIVE_UP = 10_000  # refused rows, when more than were accepted, after which the table is left out


def sift(
    sink: Any, spec: TableSpec, batches: Iterable[pa.RecordBatch], *, merge: bool
) -> tuple[int, str, list[int], str]:
    """Write ``batches`` through ``sink.write_batches`` in the open transaction, leaving out
    the rows the database refuses: (rows inserted, how, positions of the refused rows in the
    stream of batches, the first refusal's message). An error that is not a refusal of rows
    is raised as it is."""
    inserted, path, refused, why = 0, "insert", [], ""
    offset = 0
    for batch in batches:
        pending = [(offset, batch)]
        while pending:
            at, part = pending.pop()
            try:
                with sink.transaction():  # a savepoint: a refused slice leaves nothing behind
                    n, path = sink.write_batches(spec, [part], merge=merge)
                inserted += n
            except Exception as err:
                if not refusal(sink, err):
                    raise
                if part.num_rows == 1:
                    refused.append(at)
                    why = why or _message(sink, err)
                    if len(refused) > GIVE_UP and len(refused) > inserted:
                        raise  # mostly refused: a statement per row would take hours for little
                    continue
                half = part.num_rows // 2
                pending.append((at + half, part.slice(half)))  # popped last: rows stay in order
                pending.append((at, part.slice(0, half)))
        offset += batch.num_rows
    return inserted, path, sorted(refused), why


def _message(sink: Any, err: BaseException) -> str:
    if isinstance(err, LoadFailed):
        return err.message
    return str(sink.describe_error(err)[1])


def refusal(sink: Any, err: BaseException) -> bool:
    """The error says the database refused the rows (a rule, a key, a value), not that it
    cannot be written at all or that the connection is gone."""
    d = sink.dialect
    code = err.code if isinstance(err, LoadFailed) else d.error_code(err)
    if code is None or d.connection_lost(err):
        return False
    return code in d.RAISED or d.data_error(code)
