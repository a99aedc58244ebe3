"""Running one measured subprocess: wall time, peak RSS, exit code, a timeout.

Each child is started through a tiny intermediary (``/usr/bin/time``, else a bare
Python) that reports the resource usage of that child alone, so the peak RSS of one
``seedbed seed`` is neither mixed with any other child's nor with this harness's own
memory (which Linux would otherwise count, as it was there before ``exec``). Output goes
to log files, never to pipes, so a chatty child cannot block. The child runs in its own session; on timeout or Ctrl-C
its whole process group is killed.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# ru_maxrss of a child counts what its process image held before exec, i.e. this
# harness's own memory (pyarrow, seedbed): children are started through a tiny
# intermediary - /usr/bin/time, else a bare Python - that reports its child's usage.
_TIME = "/usr/bin/time"
_LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, st, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{ru.ru_maxrss} 0 {ru.ru_utime} {ru.ru_stime}\\n")
rc = os.waitstatus_to_exitcode(st)
sys.exit(rc if rc >= 0 else 128 - rc)
"""
_ECHO_LIMIT = 400  # longer commands are shortened on screen (the log and JSON have them whole)


def measured(cmd: list[str], usage_file: Path) -> list[str]:
    if os.access(_TIME, os.X_OK):
        return [_TIME, "-f", "%M %e %U %S", "-o", str(usage_file), *cmd]
    return [sys.executable, "-S", "-I", "-c", _LAUNCHER, str(usage_file), *cmd]


def read_usage(usage_file: Path) -> tuple[int, float, float] | None:
    """(maxrss KiB, user s, sys s) of the measured child, from the intermediary's file."""
    try:
        lines = [ln for ln in usage_file.read_text().splitlines() if ln.strip()]
        kb, _, user, sys_ = lines[-1].split()
        return int(kb), float(user), float(sys_)
    except (OSError, IndexError, ValueError):
        return None


class BenchError(Exception):
    """A measurement could not be taken (tool missing, server down, run failed)."""


@dataclass
class Run:
    label: str
    cmd: list[str]
    wall: float  # seconds
    maxrss_kb: int  # peak resident set size of the child (ru_maxrss, KiB on Linux)
    user: float  # CPU seconds
    sys: float
    rc: int
    timed_out: bool
    log: Path
    extra: dict = field(default_factory=dict)

    @property
    def maxrss_mb(self) -> float:
        return self.maxrss_kb / 1024

    @property
    def cmdline(self) -> str:
        return shlex.join(self.cmd)

    def tail(self, n: int = 15) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "cmd": self.cmdline,
            "wall_s": round(self.wall, 4),
            "maxrss_mb": round(self.maxrss_mb, 1),
            "user_s": round(self.user, 3),
            "sys_s": round(self.sys, 3),
            "rc": self.rc,
            "timed_out": self.timed_out,
            "log": str(self.log),
            **self.extra,
        }


class Runner:
    """Runs commands, logs them under ``logdir`` and keeps every Run for the report."""

    def __init__(self, logdir: Path, verbose: bool = True):
        self.logdir = logdir
        self.verbose = verbose
        self.runs: list[Run] = []
        self._n = 0

    def run(
        self,
        label: str,
        cmd: list[str],
        *,
        timeout: float,
        env: dict | None = None,
        cwd: Path | None = None,
        stdin: Path | None = None,
        check: bool = True,
        record: bool = True,
    ) -> Run:
        if shutil.which(cmd[0]) is None:
            raise BenchError(f"{label}: {cmd[0]!r} is not installed or not on PATH")
        self._n += 1
        log = self.logdir / f"{self._n:03d}-{_slug(label)}.log"
        if self.verbose and record:
            shown = shlex.join(cmd)
            if len(shown) > _ECHO_LIMIT:
                shown = shown[:_ECHO_LIMIT] + f" ... [{len(shown)} chars, whole in {log.name}]"
            print(f"  $ {shown}", flush=True)
        usage_file = log.with_suffix(".usage")
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        with open(log, "wb") as out, open(stdin, "rb") if stdin else open(os.devnull, "rb") as inp:
            out.write(f"$ {shlex.join(cmd)}\n".encode())
            out.flush()
            t0 = time.perf_counter()
            try:
                p = subprocess.Popen(
                    measured(cmd, usage_file),
                    stdin=inp,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=full_env,
                    cwd=cwd,
                    start_new_session=True,
                )
            except OSError as err:
                raise BenchError(f"{label}: cannot start {cmd[0]!r}: {err.strerror}") from None
            timed_out = threading.Event()

            def kill():
                timed_out.set()
                _killpg(p.pid)

            timer = threading.Timer(timeout, kill)
            timer.daemon = True
            timer.start()
            try:
                while True:
                    try:
                        _, status, ru = os.wait4(p.pid, 0)
                        break
                    except InterruptedError:
                        continue
            except BaseException:
                _killpg(p.pid)
                with contextlib.suppress(ChildProcessError):
                    os.wait4(p.pid, 0)
                p.returncode = -9
                raise
            finally:
                timer.cancel()
            wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        usage = read_usage(usage_file)
        if usage is None:  # the intermediary died with its child: its own usage is the best left
            usage = (ru.ru_maxrss, ru.ru_utime, ru.ru_stime)
        r = Run(label, cmd, wall, *usage, p.returncode, timed_out.is_set(), log)
        if record:
            self.runs.append(r)
            if self.verbose:
                print(
                    f"    -> {label}: {wall:.2f}s, peak RSS {r.maxrss_mb:.0f} MB, exit {r.rc}"
                    + (" (TIMED OUT)" if r.timed_out else ""),
                    flush=True,
                )
        if check and (r.rc != 0 or r.timed_out):
            why = f"timed out after {timeout:.0f}s" if r.timed_out else f"exit code {r.rc}"
            raise BenchError(f"{label} failed ({why}); log {log}:\n{r.tail()}")
        return r


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _slug(s: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in s.lower()).strip("-")[:60]
