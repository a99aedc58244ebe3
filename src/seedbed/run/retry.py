"""Transactions that lost to another one, run again.

A deadlock, a lock wait that timed out or a serialization failure (the dialect's
``RETRY`` codes) rolls back only the losing transaction; the same transaction run again
usually passes. A table's load is retried with exponential backoff - 0.5 s, 1 s, 2 s (with
up to a quarter more at random, so two runs that collided do not collide again in step) -
at most three times; then it fails with the database's own words and the attempts made.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import TypeVar

from seedbed.errors import LoadFailed
from seedbed.sinks.base import Sink

T = TypeVar("T")
RETRIES = 3
BASE_SECONDS = 0.5  # SEEDBED_RETRY_BASE sets it (tests make it short)


def with_retries(
    sink: Sink,
    what: str,
    attempt: Callable[[], T],
    *,
    note: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``attempt()`` (one whole transaction), again after a transient failure, at most
    ``RETRIES`` more times; ``note`` hears of each retry."""
    base = float(os.environ.get("SEEDBED_RETRY_BASE", BASE_SECONDS))
    for n in range(RETRIES + 1):
        try:
            return attempt()
        except LoadFailed as err:
            if err.code not in sink.dialect.RETRY:
                raise
            if n == RETRIES:
                failed = LoadFailed(
                    f"{err.message} - still failing after {RETRIES} retries",
                    where=what,
                    hint="another session keeps taking the same rows' locks: run again when it is done "
                    "(the table was rolled back; the tables before it are kept)",
                )
                failed.code = err.code
                raise failed from None
            delay = base * 2**n * (1 + random.random() / 4)  # noqa: S311 - spacing retries, not secrets
            if note is not None:
                note(f"{what}: {err.message}; rolled back and tried again after {delay:.1f}s ({n + 1}/{RETRIES})")
            sleep(delay)
    raise AssertionError("unreachable")
