"""``address: state``: the parts of one postal address that agree with each other.

Every column of a row that asks for a part (``city``, ``state``, ``state_code``,
``postcode``, ``country``, ``country_code``) reads the same region pick, keyed by the row
alone, so a row's state, postal code and country belong together: the region is one of
the locale's own (its states, Länder or départements), the postcode is inside the range
that region's codes take (where the vocabulary knows it), and the country is the
locale's. The city is drawn from the locale's city names.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seedbed.generate import rng, vocab
from seedbed.generate.generators.base import BuildInfo, Gen
from seedbed.generate.generators.registry import register
from seedbed.generate.rows import Rows, Values

PARTS = ("city", "state", "state_code", "postcode", "country", "country_code")


@cache
def _regions(locale: str) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """(names, codes, lowest postcode, highest postcode; -1 where unknown) of the locale."""
    rows = [r.split("|") for r in vocab.words(locale, "region").to_pylist()]
    names = [r[0] for r in rows]
    codes = [r[1] or r[0][:2].upper() for r in rows]
    lo = np.array([int(r[2]) if len(r) > 2 and r[2] else -1 for r in rows], dtype=np.int64)
    hi = np.array([int(r[3]) if len(r) > 3 and r[3] else -1 for r in rows], dtype=np.int64)
    return names, codes, lo, hi


class Address(Gen):
    def __init__(self, part: str, locale: str):
        self.part, self.locale = part, locale

    def values(self, f: Rows) -> Values:
        if self.part == "city":
            words = vocab.words(self.locale, "city")
            pick = rng.below(f.u64, f.key("", "address-city"), len(words))
            return words.take(pa.array(pick))
        if self.part in ("country", "country_code"):
            kind = "home_country" if self.part == "country" else "home_country_code"
            return vocab.words(self.locale, kind).take(pa.array(np.zeros(f.n, dtype=np.int64)))  # the locale's own
        names, codes, lo, hi = _regions(self.locale)
        region = rng.below(f.u64, f.key("", "address-region"), len(names))  # shared by the row's parts
        if self.part == "state":
            return pa.array(names, pa.string()).take(pa.array(region))
        if self.part == "state_code":
            return pa.array(codes, pa.string()).take(pa.array(region))
        low, high = lo[region], hi[region]
        known = low >= 0
        if not known.any() and vocab.own(self.locale, "postcode"):  # no ranges per region: the locale's own
            words = vocab.words(self.locale, "postcode")
            return words.take(pa.array(rng.below(f.u64, f.key("", "address-postcode"), len(words))))
        span = np.where(known, high - low + 1, 100_000)
        code = np.where(known, low, 0) + np.floor(rng.uniform(f.u64, f.key("", "address-postcode")) * span).astype(
            np.int64
        )
        return pc.utf8_lpad(pa.array(code).cast(pa.string()), 5, "0")


@register("address")
def _address(arg: Any, info: BuildInfo) -> Gen:
    """``address: city|state|state_code|postcode|country|country_code``."""
    if arg not in PARTS:
        raise info.fail(f"address takes one of {', '.join(PARTS)}, not {arg!r}")
    if not vocab.words(info.locale, "region").to_pylist():
        raise info.fail(f"the {info.locale} vocabulary has no regions", hint="use fake: state instead")
    return Address(str(arg), info.locale)
