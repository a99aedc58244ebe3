"""The engine: a resolved plan's generators compiled and evaluated over row ranges.

- ``compile.py``: each column's plan entry built into its generator (after planning);
- ``context.py``: what one run shares (plan, seed, key bases, layouts) and its batches;
- ``layout.py``: how many rows each table has, per parent row when laid out so;
- ``frame.py``: one table at a set of row indices, columns computed on demand;
- ``prefetch.py``: the next batches generated on a second thread while one loads.

Everything here is pure (Decision 1): no database, no clock, no hidden state.
"""

from seedbed.engine.context import Context, probe

__all__ = ["Context", "probe"]
