"""One module per database: what it does differently, declared once (see ``base.py``).

``get("postgresql")`` and ``for_url("mysql://...")`` give the dialect object; callers ask
it (``dialect.caps.schemas``, ``dialect.fold(name)``) instead of testing its name.
"""

from __future__ import annotations

from seedbed.dialects.base import Capabilities, Code, Dialect
from seedbed.dialects.mysql import MariaDB, MySQL
from seedbed.dialects.postgres import PostgreSQL
from seedbed.dialects.sqlite import SQLite
from seedbed.dialects.urls import redact, scheme
from seedbed.errors import PlanError, SchemaError

__all__ = [
    "Capabilities",
    "Code",
    "Dialect",
    "MariaDB",
    "MySQL",
    "PostgreSQL",
    "SQLite",
    "all_dialects",
    "for_sqlalchemy",
    "for_url",
    "get",
    "names",
    "redact",
]

_MAIN: tuple[Dialect, ...] = (PostgreSQL(), MySQL(), SQLite())  # what --dialect offers, in this order
_FLAVOURS: tuple[Dialect, ...] = (MariaDB(),)
_BY_NAME = {n: d for d in _MAIN + _FLAVOURS for n in (d.name, *d.aliases)}
_BY_SCHEME = {s: d for d in _MAIN for s in d.url_schemes}


def names() -> list[str]:
    """The dialect names ``--dialect`` takes."""
    return [d.name for d in _MAIN]


def all_dialects() -> tuple[Dialect, ...]:
    return _MAIN


def get(name: str | Dialect) -> Dialect:
    """The dialect called ``name`` (``postgresql`` and ``mariadb`` work too); a dialect
    object is returned as it is, so functions can take either."""
    if isinstance(name, Dialect):
        return name
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        raise SchemaError(f"unsupported SQL dialect {name!r}", hint=f"use one of: {', '.join(names())}") from None


def for_url(url: str) -> Dialect:
    """The dialect of a database URL (postgresql://, mysql://, mariadb://, sqlite:///)."""
    found = _BY_SCHEME.get(scheme(url))
    if found is None:
        raise PlanError(
            f"unsupported database URL {redact(url)!r}",
            hint="use postgresql://user@host:port/db, sqlite:///path.db or mysql://user@host/db",
        )
    return found


def for_sqlalchemy(sa_dialect: object) -> Dialect:
    """The dialect of a SQLAlchemy dialect object (MariaDB told apart from MySQL)."""
    if getattr(sa_dialect, "is_mariadb", False):
        return _BY_NAME["mariadb"]
    return get(str(getattr(sa_dialect, "name", "")))
