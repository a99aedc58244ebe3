"""Where batches go: one module per database behind one protocol (``base.Sink``), and files.

``open_sink(url)`` connects; drivers are imported only then. The manifest store
(``manifest.py``) and the cheap rerun's probe (``probe.py``) live here too: they are
the other things seedbed asks of a database. Importing this package is cheap (the
cheap rerun imports ``probe`` before numpy, pyarrow or SQLAlchemy).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from seedbed import dialects
from seedbed.errors import ConnectionFailed

if TYPE_CHECKING:  # the protocol lives in base.py; importing it here would load pyarrow and SQLAlchemy
    from seedbed.sinks.base import DatabaseSink

__all__ = ["open_sink"]

# dialect family -> (module, class) of its sink
_SINKS = {
    "postgres": ("seedbed.sinks.postgres", "PostgresSink"),
    "mysql": ("seedbed.sinks.mysql", "MySQLSink"),
    "sqlite": ("seedbed.sinks.sqlite", "SQLiteSink"),
}


def open_sink(url: str, *, connections: int | None = None) -> DatabaseSink:
    """Connect to the database at ``url`` (postgresql://, sqlite:///, mysql://).
    ``connections``: sessions one table's rows may load through at once, where the
    database gains from it (MySQL/MariaDB; default: the cores, at most 4)."""
    dialect = dialects.for_url(url)
    module, cls = _SINKS[dialect.family]
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        raise ConnectionFailed(
            f"the driver for {dialect.label} is not installed ({err.name})",
            hint=f"pip install 'seedbed[{dialect.extra}]'",
        ) from None
    options = {"connections": connections or min(os.cpu_count() or 1, 4)} if dialect.caps.split_load else {}
    sink: DatabaseSink = getattr(mod, cls)(url, **options)
    return sink
