"""Column generators, one module per family, registered by plan key (``registry.py``).

Importing the package imports every family, so each has registered itself before
``registry.build`` is called.
"""

from __future__ import annotations

from seedbed.generate.generators import (
    aggregate,
    basic,
    documents,
    groups,
    machines,
    patterns,
    places,
    refs,
    shapes,
    templates,
    temporal,
    textual,
)

__all__ = [
    "aggregate",
    "basic",
    "documents",
    "groups",
    "machines",
    "patterns",
    "places",
    "refs",
    "shapes",
    "temporal",
    "templates",
    "textual",
]
