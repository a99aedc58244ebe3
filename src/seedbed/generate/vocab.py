"""Realistic vocabularies (names, cities, companies, words), loaded once into Arrow arrays.

The lists are a frozen snapshot of Faker's (``tools/build_vocab.py``), so output
does not move when another Faker release is installed. Values are picked by index.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import pyarrow as pa

from seedbed.errors import PlanError, did_you_mean


@cache
def _load(locale: str) -> dict[str, list[str]]:
    try:
        text = resources.files("seedbed.generate").joinpath(f"vocab/{locale}.json").read_text("utf-8")
    except FileNotFoundError:
        raise PlanError(
            f"no vocabulary for locale {locale!r}",
            hint=f"available locales: {', '.join(locales())}",
        ) from None
    return json.loads(text)


def locales() -> list[str]:
    files = resources.files("seedbed.generate").joinpath("vocab").iterdir()
    return sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json"))


@cache
def words(locale: str, kind: str) -> pa.StringArray:
    """The vocabulary ``kind`` of ``locale`` (falling back to en_US when empty there)."""
    data = _load(locale)
    values = data.get(kind) or _load("en_US").get(kind)
    if not values:
        raise PlanError(
            f"unknown vocabulary {kind!r}",
            hint=did_you_mean(kind, data) or f"vocabularies: {', '.join(sorted(data))}",
        )
    return pa.array(values, pa.string())


def own(locale: str, kind: str) -> list[str]:
    """The locale's own list ``kind``, with no fallback to en_US (empty when it has none)."""
    return list(_load(locale).get(kind) or [])


def kinds(locale: str = "en_US") -> list[str]:
    return sorted(_load(locale))
