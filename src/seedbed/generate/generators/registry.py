"""Generators registered by the plan key that selects them (``choices``, ``time``, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seedbed.errors import did_you_mean
from seedbed.generate.generators.base import BuildInfo, Gen

Builder = Callable[[Any, BuildInfo], Gen]
REGISTRY: dict[str, Builder] = {}
MODIFIERS = {"null_rate", "when", "prefix", "max_length"}


def register(name: str) -> Callable[[Builder], Builder]:
    def deco(fn: Builder) -> Builder:
        REGISTRY[name] = fn
        return fn

    return deco


def build(spec: Any, info: BuildInfo) -> Gen:
    """Compile one column's plan entry into a generator.

    A bare scalar is a constant (``status: active``); a mapping names exactly one
    generator key plus optional modifiers (``null_rate``, ``when``).
    """
    from seedbed.generate.generators import load_all

    load_all()
    if not isinstance(spec, dict):
        spec = {"value": spec}
    keys = [k for k in spec if k not in MODIFIERS]
    if len(keys) != 1:
        raise info.fail(
            f"a column needs exactly one generator, found {keys or 'none'}",
            hint=f"generators: {', '.join(sorted(REGISTRY))}",
        )
    (key,) = keys
    if key not in REGISTRY:
        raise info.fail(
            f"unknown generator {key!r}",
            hint=did_you_mean(key, REGISTRY) or f"generators: {', '.join(sorted(REGISTRY))}",
        )
    gen = REGISTRY[key](spec[key], info)
    gen.setup(info, {k: v for k, v in spec.items() if k in MODIFIERS})
    gen.spec_key = key
    return gen
