"""A copy of a whole database taken before a run writes to production, with the database's
own tool: ``pg_dump`` (custom format), ``mysqldump``/``mariadb-dump`` (one consistent
transaction), SQLite's online backup API. The password goes to the tool through its own
environment variable, never on a command line or in a message."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from seedbed.dialects import for_url
from seedbed.dialects.urls import redact, sqlite_path
from seedbed.errors import CannotWrite, ConnectionFailed


def backup(url: str, folder: Path) -> tuple[Path, str]:
    """Dump the database at ``url`` into ``folder``; the file and the command that restores it."""
    from sqlalchemy.engine import make_url

    d = for_url(url)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    if d.name == "sqlite":
        return _sqlite(url, folder, stamp)
    u = make_url(url)
    name = u.database or "db"
    env = dict(os.environ)
    if d.name == "postgres":
        path = folder / f"{name}-{stamp}.dump"
        if u.password:
            env["PGPASSWORD"] = u.password
        cmd = [_tool("pg_dump"), "--format=custom", f"--file={path}", "--host", u.host or "127.0.0.1",
               "--port", str(u.port or 5432), "--username", u.username or "postgres", name]  # fmt: skip
        restore = f"pg_restore --clean --if-exists --dbname {name} {path}"
    else:
        path = folder / f"{name}-{stamp}.sql"
        if u.password:
            env["MYSQL_PWD"] = u.password
        tool = shutil.which("mariadb-dump") or _tool("mysqldump")
        cmd = [tool, "--single-transaction", "--routines", "--triggers", f"--result-file={path}",
               "--host", u.host or "127.0.0.1", "--port", str(u.port or 3306), "--user", u.username or "root",
               name]  # fmt: skip
        restore = f"mysql {name} < {path}"
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        path.unlink(missing_ok=True)
        detail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise ConnectionFailed(
            f"the backup of {redact(url)} failed, so nothing was written: {detail[0]}",
            hint="fix what the dump tool says, or pass --no-backup to go on without one",
        )
    return path, restore


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CannotWrite(
            f"{name} is not installed, so the production database cannot be backed up first; nothing was written",
            hint=f"install {name} (the database's client tools), or pass --no-backup to go on without a backup",
        )
    return found


def _sqlite(url: str, folder: Path, stamp: str) -> tuple[Path, str]:
    import sqlite3

    src = Path(sqlite_path(url))
    path = folder / f"{src.stem}-{stamp}.db"
    with sqlite3.connect(src) as a, sqlite3.connect(path) as b:
        a.backup(b)
    return path, f"cp {path} {src}"
