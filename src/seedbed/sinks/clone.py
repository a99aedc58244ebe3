"""Copies of a seeded database, cheap enough to make one per test.

PostgreSQL clones it as a template (``CREATE DATABASE … TEMPLATE …``: a file copy inside
the server); SQLite copies the file; MySQL/MariaDB, which has neither, recreates each table
from its own ``SHOW CREATE TABLE`` (keys, indexes and foreign keys included) and copies the
rows with ``INSERT … SELECT`` inside the server, with key checks off while it does.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from seedbed.dialects import for_url
from seedbed.dialects.urls import sqlite_path

_NAME = re.compile(r"^[A-Za-z0-9_]{1,60}$")


def clone(url: str, name: str) -> str:
    """A new database ``name`` holding what the database at ``url`` holds; its URL."""
    if not _NAME.match(name):
        raise ValueError(f"not a database name seedbed makes: {name!r}")
    d = for_url(url)
    if d.name == "sqlite":
        src = Path(sqlite_path(url))
        dst = src.with_name(f"{name}.db")
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"
    u = make_url(url)
    if d.name == "postgres":
        with _admin(url, "postgres") as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{u.database}"')
    else:
        with _admin(url, u.database) as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
            cur.execute("SET SESSION foreign_key_checks = 0")
            cur.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
            tables = [row[0] for row in cur.fetchall()]
            for table in tables:  # foreign keys name tables of their own database: the copy's
                ddl = _create(cur, str(u.database), table)
                cur.execute(f"USE `{name}`")
                cur.execute(ddl)
                cur.execute(f"INSERT INTO `{name}`.`{table}` SELECT * FROM `{u.database}`.`{table}`")
                cur.execute(f"USE `{u.database}`")
    return u.set(database=name).render_as_string(hide_password=False)


def copy_name(url: str, suffix: str) -> str:
    """A name for a copy of the database at ``url``: its own name (a SQLite file's stem) and ``suffix``."""
    if for_url(url).name == "sqlite":
        stem = Path(sqlite_path(url)).stem
    else:
        stem = make_url(url).database or "seedbed"
    return re.sub(r"\W", "_", f"{stem}_{suffix}")[-60:]


def _create(cur: Any, database: str, table: str) -> str:
    cur.execute(f"SHOW CREATE TABLE `{database}`.`{table}`")
    return str(cur.fetchone()[1])


def create(url: str) -> None:
    """An empty database at ``url`` (one there already is dropped first)."""
    drop(url)
    d, u = for_url(url), make_url(url)
    if d.name == "postgres":
        with _admin(url, "postgres") as cur:
            cur.execute(f'CREATE DATABASE "{u.database}"')
    elif d.name != "sqlite":
        with _admin(url, None) as cur:
            cur.execute(f"CREATE DATABASE `{u.database}` CHARACTER SET utf8mb4")


def drop(url: str) -> None:
    """Remove a database :func:`clone` made."""
    d = for_url(url)
    if d.name == "sqlite":
        Path(sqlite_path(url)).unlink(missing_ok=True)
        return
    u = make_url(url)
    if d.name == "postgres":
        with _admin(url, "postgres") as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
    else:
        with _admin(url, None) as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{u.database}`")


class _admin:
    """An autocommit cursor on the server of ``url``, in ``database``."""

    def __init__(self, url: str, database: str | None):
        self.url = make_url(url)._replace(database=database).render_as_string(hide_password=False)
        self.conn: Any = None

    def __enter__(self) -> Any:
        d = for_url(self.url)
        self.conn = d.connect(self.url)
        if callable(getattr(self.conn, "autocommit", None)):  # PyMySQL: a method
            self.conn.autocommit(True)
        else:  # psycopg: an attribute
            self.conn.autocommit = True
        return self.conn.cursor()

    def __exit__(self, *exc: object) -> None:
        self.conn.close()
