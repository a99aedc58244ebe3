"""seedbed: realistic, interconnected, reproducible data for relational databases.

The library is what the command line calls (``seedbed.api``)::

    import seedbed

    manifest = seedbed.seed("sqlite:///demo.db", recipe="scale-seed", seed=123, scale=0.01)
    assert seedbed.verify("sqlite:///demo.db", recipe="scale-seed", seed=123).ok
"""

from seedbed.api import export, init, mark, mask, plan, purge, seed, verify
from seedbed.errors import SeedbedError
from seedbed.version import __version__

__all__ = ["SeedbedError", "__version__", "export", "init", "mark", "mask", "plan", "purge", "seed", "verify"]
