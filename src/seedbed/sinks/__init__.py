"""Sinks by URL scheme. Drivers are imported only when a sink is opened."""

from __future__ import annotations

from seedbed.errors import ConnectionFailed, PlanError
from seedbed.sinks.base import DatabaseSink, redact

SCHEMES = {
    "postgresql": ("seedbed.sinks.postgres", "PostgresSink", "psycopg"),
    "postgres": ("seedbed.sinks.postgres", "PostgresSink", "psycopg"),
    "sqlite": ("seedbed.sinks.sqlite", "SQLiteSink", None),
    "mysql": ("seedbed.sinks.mysql", "MySQLSink", "pymysql"),
    "mariadb": ("seedbed.sinks.mysql", "MySQLSink", "pymysql"),
}


def open_sink(url: str) -> DatabaseSink:
    """Connect to the database at ``url`` (postgresql://, sqlite:///, mysql://)."""
    import importlib

    scheme = url.split(":", 1)[0].split("+", 1)[0].lower() if ":" in url else ""
    if scheme not in SCHEMES:
        raise PlanError(
            f"unsupported database URL {redact(url)!r}",
            hint="use postgresql://user@host:port/db, sqlite:///path.db or mysql://user@host/db",
        )
    module, cls, driver = SCHEMES[scheme]
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        extra = "mysql" if driver == "pymysql" else "postgres"
        raise ConnectionFailed(
            f"the driver for {scheme} is not installed ({err.name})",
            hint=f"pip install 'seedbed[{extra}]'",
        ) from None
    return getattr(mod, cls)(url)
