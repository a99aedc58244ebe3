"""Structured logs: ``--log-format json`` writes one JSON object per event to stderr.

Events: ``run_start``, ``table_start``, ``table_progress`` (inside a long table),
``table_end`` (rows and seconds), ``warning``, ``left_out``, ``run_end``, and ``error``
(in place of the human message, with the exit code). Each carries ``ts`` (UTC, the wall
clock: logs are not data) and ``command``. The default stays human.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

FORMATS = ("human", "json")


class JsonLog:
    """Where the events of one command go (stderr), as JSON lines."""

    active: JsonLog | None = None  # the command's log while it runs: errors are written here too

    def __init__(self, command: str):
        self.command = command

    def emit(self, event: str, **fields: Any) -> None:
        line = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, "command": self.command}
        sys.stderr.write(json.dumps({**line, **fields}, default=str) + "\n")
        sys.stderr.flush()


def start(command: str, log_format: str) -> JsonLog | None:
    """The JSON log for ``command`` when asked for (None: human output)."""
    from seedbed.errors import PlanError

    if log_format not in FORMATS:
        raise PlanError(f"unknown --log-format {log_format!r}", hint=f"one of: {', '.join(FORMATS)}")
    JsonLog.active = JsonLog(command) if log_format == "json" else None
    return JsonLog.active
