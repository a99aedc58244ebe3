"""Which engine runs a command's (table, row range) tasks: this process, or a Dask cluster.

Light on imports: the local engine must not pay for Dask.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from seedbed import dialects
from seedbed.errors import PlanError

if TYPE_CHECKING:
    from seedbed.run.dask_engine import Remote
    from seedbed.run.ranges import Job

ENGINES = ("local", "dask")


def check(engine: str, url: str | None = None) -> None:
    if engine not in ENGINES:
        raise PlanError(f"unknown engine {engine!r}", hint=f"engines: {', '.join(ENGINES)}")
    if engine == "dask" and url is not None and dialects.for_url(url).caps.one_writer:
        raise PlanError(
            "the dask engine loads through several connections at once, and a SQLite file takes one writer",
            hint="seed SQLite with the local engine, or export with --engine dask and load the files",
        )


@contextlib.contextmanager
def remote(
    engine: str, url: str, scheduler: str | None, workers: int | None, part_rows: int | None
) -> Iterator[Callable[[Job], Remote] | None]:
    """For ``seed``: what makes the loader of a run's tables on a cluster (None: local)."""
    check(engine, url)
    if engine == "local":
        yield None
        return
    from seedbed.run import dask_engine

    with dask_engine.client(scheduler, workers) as c:
        yield lambda job: dask_engine.Remote(c, job, url, part_rows)
