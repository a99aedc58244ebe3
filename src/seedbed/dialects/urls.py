"""Database URLs: their scheme, their parts, and how they are shown (never with a password).

Parsed with the standard library, so the cheap rerun and error messages need no
SQLAlchemy. ``postgresql+psycopg://`` and ``mysql+pymysql://`` name a driver after the
``+``; seedbed picks its own driver per database either way.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit


def scheme(url: str) -> str:
    """``postgresql+psycopg://...`` -> ``postgresql``; '' when there is none."""
    return url.split(":", 1)[0].split("+", 1)[0].lower() if ":" in url else ""


def redact(url: str) -> str:
    """The URL with any password hidden, for messages and manifests."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a malformed URL is shown without its user part
        return url.split("@")[-1]
    if password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    name = user.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))


class Parts:
    """The pieces of a server URL, decoded."""

    def __init__(self, url: str):
        p = urlsplit(url)
        self.host = p.hostname
        self.port = p.port
        self.user = unquote(p.username) if p.username else None
        self.password = unquote(p.password) if p.password is not None else None
        self.database = unquote(p.path.lstrip("/")) or None
        self.query = dict(parse_qsl(p.query))


_PASSWORD = re.compile(r"(://[^:/@\s]*:)\S*@|(password=)\S+", re.IGNORECASE)


def no_secrets(text: str) -> str:
    """Any text (a driver's message) with every password in it hidden: a URL's, even one
    holding an unescaped '@', and a conninfo's ``password=``."""
    return _PASSWORD.sub(lambda m: (m.group(1) or m.group(2)) + "***" + ("@" if m.group(1) else ""), text)


def sqlite_path(url: str) -> str:
    """The file of ``sqlite:///path`` (``:memory:`` for ``sqlite://``), query left out."""
    rest = url.split(":", 1)[1] if ":" in url else ""
    path = rest[3:] if rest.startswith("///") else rest.removeprefix("//")
    path = path.split("?", 1)[0]
    return unquote(path) or ":memory:"


def sqlite_query(url: str) -> dict[str, str]:
    return dict(parse_qsl(url.split("?", 1)[1])) if "?" in url else {}
