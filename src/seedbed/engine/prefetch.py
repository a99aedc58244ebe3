"""Generate the next batches while the database loads the current one.

Generation is pure (Decision 1), so producing batches on another thread changes
nothing in the data; numpy, pyarrow and the drivers' network I/O release the GIL,
so the two overlap on a second core. The queue holds at most ``depth`` batches,
which keeps memory bounded by the chunk size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(_DONE)
        except BaseException as err:  # noqa: BLE001 - handed to the consumer, raised there
            q.put(err)

    worker = threading.Thread(target=produce, name="seedbed-generate", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()  # the consumer stopped early (an error in the load): let the producer end
        worker.join(timeout=5)
