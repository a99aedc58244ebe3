"""Row counts: scaled counts, and totals distributed over parents (summing exactly).

A ``count`` in a plan is a TOTAL. Spread over parents it is floor(total / parents)
each with the remainder given one by one to pseudorandomly chosen parents, so the
sum is exact; fewer rows than parents leaves some parents without any. It is never
a per-parent multiplier.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import numpy as np

from seedbed.generate import rng


def scaled(count: int, scale: float, *, minimum: int = 1) -> int:
    """``count`` × ``scale``, floored, at least ``minimum`` (exact decimal arithmetic).

    >>> scaled(250_000, 0.1), scaled(10, 0.01), scaled(0, 0.5)
    (25000, 1, 0)
    """
    if count == 0:
        return 0
    value = (Decimal(count) * Decimal(str(scale))).to_integral_value(rounding=ROUND_FLOOR)
    return max(minimum, int(value))


def distribute(total: int, n: int, key: np.uint64, spread: str = "even") -> np.ndarray:
    """Split ``total`` rows over ``n`` parents; the result sums to ``total`` exactly.

    ``even``: floor(total / n) each, the remainder to a keyed random choice of parents.
    ``skewed``: lognormal weights (a few large parents, many small), largest-remainder
    rounding.
    """
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.arange(n, dtype=np.uint64)
    if spread == "skewed":
        weights = np.exp(1.0 * rng.normal(idx, key))
        quota = total * weights / weights.sum()
        counts = np.floor(quota).astype(np.int64)
        short = total - int(counts.sum())
        # largest fractional parts first; ties by parent index for stability
        order = np.lexsort((np.arange(n), -(quota - counts)))
        counts[order[:short]] += 1
        return counts
    counts = np.full(n, total // n, dtype=np.int64)
    extra = total % n
    if extra:
        counts[rng.permute(np.arange(n), n, key) < extra] += 1
    return counts
