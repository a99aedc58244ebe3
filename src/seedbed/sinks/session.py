"""Opening a database for one command: connected, locked if it writes, errors translated.

Each api function opens the database itself through ``opened`` and closes it before it
returns, whatever happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.errors import PlanError, SeedbedError

if TYPE_CHECKING:
    from seedbed.sinks.base import DatabaseSink


def not_created(url: str) -> bool:
    """A database that connecting would create (a SQLite file) and that is not there yet."""
    from seedbed import dialects
    from seedbed.dialects.urls import sqlite_path

    return dialects.for_url(url).caps.creates_on_connect and not Path(sqlite_path(url)).is_file()


@contextmanager
def opened(
    url: str,
    lock: str | None = None,
    wait: float | None = None,
    existing: bool = False,
    connections: int | None = None,
) -> Iterator[DatabaseSink]:
    """The database's sink; ``lock``: the writing command that holds the database's run
    lock while the block runs (one at a time per database, sinks/lock.py); ``existing``:
    a command that reads a database never creates one (a SQLite file); ``connections``:
    sessions a table's rows may load through (``open_sink``)."""
    from seedbed import dialects
    from seedbed.sinks import open_sink
    from seedbed.sinks.base import known_error
    from seedbed.sinks.lock import locked

    if wait is not None and wait < 0:
        raise PlanError(f"--wait must be 0 or more seconds, got {wait}")
    if existing and dialects.for_url(url).caps.creates_on_connect:
        from seedbed.dialects.urls import redact, sqlite_path
        from seedbed.errors import ConnectionFailed

        path = sqlite_path(url)
        if path != ":memory:" and not Path(path).is_file():
            raise ConnectionFailed(f"no database file at {redact(url)}", hint="check the path, or seed it first")
    sink = open_sink(url, connections=connections)
    try:
        if lock is None:
            yield sink
        else:
            with locked(sink, lock, wait):
                yield sink
    except SeedbedError:
        raise
    except Exception as err:
        known = known_error(sink, err)
        if known is None:
            raise
        raise known from None
    finally:
        with suppress(Exception):  # a connection already gone
            sink.close()
