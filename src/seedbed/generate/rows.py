"""What a column generator may ask of the rows it fills: the engine's side of the contract.

Generators compute whole columns for a set of row indices (a frame) and may look at
other columns of those rows, at the parent rows a foreign key points to, and at the
run's layouts (how many rows each parent row has). The engine (``seedbed.engine``)
implements these protocols; generators are written against them, so ``generate/``
does not depend on the engine or on the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import numpy as np
import pyarrow as pa

T = TypeVar("T")


class RowLayout(Protocol):
    """A table's rows: ``n`` of them, flat (``counts`` None) or in runs per parent row."""

    n: int
    counts: np.ndarray | None  # rows per parent row
    starts: np.ndarray | None  # first row of each parent row's run

    def group_of(self, idx: np.ndarray) -> np.ndarray:
        """The parent row of each of the rows ``idx``."""
        ...


class Run(Protocol):
    """What every frame of one run shares: seed, layouts, memoised per-run results."""

    seed: int | str
    chunk_size: int
    # per table: the rows each parent row got in a run's earlier increments (run/grow.py)
    offsets: dict[str, np.ndarray]
    earlier: dict[str, int]  # per table: the rows a run's earlier increments wrote

    def rows(self, table: str) -> int: ...

    def layout(self, table: str) -> RowLayout: ...

    def frame(self, table: str, idx: np.ndarray) -> Rows: ...

    def base(self, table: str) -> int:
        """Where this run's keys start in ``table`` (after what the database held)."""
        ...

    def key(self, table: str, column: str, purpose: str = "") -> np.uint64: ...

    def salt(self, table: str) -> str:
        """Set in a run's later increment: its keys' namespaces differ from the first's."""
        ...

    def memo(self, key: object, make: Callable[[], T]) -> T: ...


class Rows(Protocol):
    """One table at the row indices ``idx``; columns are computed on demand."""

    ctx: Run
    table: str
    idx: np.ndarray
    n: int

    @property
    def u64(self) -> np.ndarray: ...

    def key(self, column: str, purpose: str = "") -> np.uint64: ...

    def col(self, name: str) -> pa.Array: ...

    def ref(self, name: str) -> np.ndarray:
        """Parent row indices of the foreign-key column ``name`` (-1 where null)."""
        ...

    def ref_path(self, path: str) -> np.ndarray: ...

    def path(self, path: str) -> pa.Array: ...

    def follow(self, table: str, idx: np.ndarray, rest: str) -> pa.Array: ...

    def memo(self, key: tuple, basis: object, make: Callable[[], T]) -> T:
        """``make()`` once per batch of rows and ``basis`` (the array it is computed from)."""
        ...

    def group(self) -> np.ndarray:
        """Row index of each row's parent row in a per-parent layout."""
        ...

    def ordinal(self) -> np.ndarray:
        """Position of each row within its parent's run (the row index when flat)."""
        ...


Values = pa.Array | np.ndarray  # what a generator computes, before coercion to the column type
