"""One writing operation per database at a time.

Two runs writing one database at once step on each other: one drops a key the other
loads against, both rebuild it, one's manifest forgets what the other dropped. So seed
and purge hold a lock for their whole run, and a second one stops at once with a
message naming the holder (or waits for it, when asked to).

The lock belongs to the database session (PostgreSQL's advisory locks, MySQL's named
locks) or the process (an OS file lock on a file beside a SQLite database): a killed
run's lock dies with it, so there is nothing to clean up by hand.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from seedbed.errors import SeedbedError

POLL = 0.2  # seconds between tries while waiting for the lock


class LockHeld(SeedbedError):
    """Another seeding operation holds the database's lock."""

    exit_code = 75  # EX_TEMPFAIL: try again later


class Lockable(Protocol):
    """What holds a lock: a database sink (sinks/base.py)."""

    safe_url: str

    def try_lock(self, command: str) -> bool: ...

    def unlock(self) -> None: ...

    def lock_holder(self) -> str | None: ...


def holder_label(command: str) -> str:
    """Who holds the lock, as the next one to want it is told."""
    return f"seedbed {command} (pid {os.getpid()} on {socket.gethostname()})"


@contextlib.contextmanager
def locked(sink: Lockable, command: str, wait: float | None = None) -> Iterator[None]:
    """Hold ``sink``'s database lock for the block; ``wait``: seconds to wait for it (None: fail at once)."""
    deadline = time.monotonic() + (wait or 0)
    while not sink.try_lock(command):
        if time.monotonic() >= deadline:
            holder = sink.lock_holder() or "another session"
            raise LockHeld(
                f"Another seeding operation is in progress on {sink.safe_url}: held by {holder}",
                hint="wait for it to end, or run again with --wait SECONDS to wait for it",
            )
        time.sleep(POLL)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # a dead session released it already
            sink.unlock()


class FileLock:
    """An exclusive OS lock on a file beside a SQLite database, with who holds it inside.

    flock locks belong to the open file, so closing another handle of it (as SQLite does
    with its own) never releases them. The file is removed on release; a waiter that
    locked a file removed meanwhile tries again on the new one.
    """

    def __init__(self, database: str):
        self.path = Path(database + "-seedbed-lock")
        self.fd: int | None = None

    def acquire(self, label: str) -> bool:
        import fcntl

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # locked a file its holder removed on release: take the new one
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"holder": label, "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}).encode())
        self.fd = fd
        return True

    def holder(self) -> str | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return None
        return f"{data['holder']} since {data['since']}" if "holder" in data else None

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # while still holding it: a waiter sees the file gone and retries
        os.close(self.fd)
        self.fd = None
