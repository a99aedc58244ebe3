"""Column generators, one module per family, registered by plan key."""

from __future__ import annotations


def load_all() -> None:
    """Import every generator module so each registers itself."""
    from seedbed.generate.generators import (  # noqa: F401
        aggregate,
        basic,
        refs,
        temporal,
        textual,
    )
