"""Generators registered by the plan key that selects them (``choices``, ``time``, ...).

Every generator module registers its builders when imported; the package imports
them all, so importing this module (which imports the package first) sees them all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seedbed.errors import did_you_mean
from seedbed.generate.generators.base import BuildInfo, Gen

Builder = Callable[[Any, BuildInfo], Gen]
REGISTRY: dict[str, Builder] = {}
UNLISTED: set[str] = set()  # keys planning writes itself (``edge``): not offered in hints
MODIFIERS = {"null_rate", "when", "prefix", "max_length"}


def register(name: str, *, listed: bool = True) -> Callable[[Builder], Builder]:
    def deco(fn: Builder) -> Builder:
        REGISTRY[name] = fn
        if not listed:
            UNLISTED.add(name)
        return fn

    return deco


def listed() -> list[str]:
    return sorted(k for k in REGISTRY if k not in UNLISTED)


def build(spec: Any, info: BuildInfo) -> Gen:
    """Compile one column's plan entry into a generator.

    A bare scalar is a constant (``status: active``); a mapping names exactly one
    generator key plus optional modifiers (``null_rate``, ``when``).
    """
    if not isinstance(spec, dict):
        spec = {"value": spec}
    keys = [k for k in spec if k not in MODIFIERS]
    if len(keys) != 1:
        raise info.fail(
            f"a column needs exactly one generator, found {keys or 'none'}",
            hint=f"generators: {', '.join(listed())}",
        )
    (key,) = keys
    if key not in REGISTRY:
        raise info.fail(
            f"unknown generator {key!r}",
            hint=did_you_mean(key, listed()) or f"generators: {', '.join(listed())}",
        )
    gen = REGISTRY[key](spec[key], info)
    gen.setup(info, {k: v for k, v in spec.items() if k in MODIFIERS})
    gen.spec_key = key
    return gen
