"""Fake values for original ones: a keyed hash of the original picks the fake.

The fake depends only on the key, the kind and the original (and, rarely, on which
fakes are already taken), so one original gets one fake everywhere it appears - in any
table, in a foreign key that carries it, on a later run with the same key - and
nobody without the key can recompute the mapping from a list of likely originals.

A *strict* kind (emails, phones, usernames; any kind with a unique or linked column)
maps distinct originals to distinct fakes that are none of the originals: uniqueness
holds after masking and no intermediate state of an UPDATE collides. Other kinds (a
first name) only promise that no value stays what it was.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache

from seedbed.errors import PlanError
from seedbed.generate import vocab

KINDS = ("email", "phone", "first_name", "last_name", "full_name", "username", "street_address",
         "secondary_address", "postcode", "company", "digits")  # fmt: skip
STRICT = frozenset({"email", "phone", "username", "full_name", "street_address"})
_ATTEMPTS = 1000  # rehashes before a value is given up as unmaskable (a space too small)
_SUFFIX_AFTER = 8  # word-made fakes take a number after this many collisions

Draw = Callable[[int], int]  # n -> a number below n, from the value's hash


@cache
def _words(locale: str, kind: str) -> tuple[str, ...]:
    return tuple(vocab.words(locale, kind).to_pylist())


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _shape(original: str, stream: bytes) -> str:
    """Each digit another digit, each letter another (ASCII) letter of its case; the rest (a '+',
    dashes, spaces) kept: a phone number or postal code keeps its country's format. One byte of
    ``stream`` per character (a leading digit stays non-zero if it was)."""
    out = []
    seen_digit = False
    for ch, byte in zip(original, stream, strict=False):
        if ch.isdigit():
            out.append(str(1 + byte % 9) if not seen_digit and ch != "0" else str(byte % 10))
            seen_digit = True
        elif ch.isalnum():  # any letter (or numeral that is no digit): an ASCII letter
            letter = chr(97 + byte % 26)
            out.append(letter.upper() if ch.isupper() else letter)
        else:
            out.append(ch)
    return "".join(out)


class Fakes:
    """The fakes of one kind (one group of columns), made on demand and remembered."""

    def __init__(self, kind: str, key: bytes, *, strict: bool, max_len: int | None, locale: str = "en_US"):
        if kind not in KINDS:
            raise PlanError(f"unknown masking kind {kind!r}", hint=f"kinds: {', '.join(KINDS)}")
        self.kind, self.key, self.strict, self.max_len, self.locale = kind, key, strict, max_len, locale
        self.made: dict[str, str] = {}
        self._taken: set[str] = set()  # casefolded fakes and originals a strict kind avoids

    def reserve(self, originals: Iterable[str]) -> None:
        """Originals a strict kind's fakes must not be (all of them, across its columns)."""
        if self.strict:
            self._taken.update(o.casefold() for o in originals)

    def of(self, originals: Iterable[str]) -> dict[str, str]:
        """original -> fake for each of ``originals``; in hash order, so which one yields on a
        collision does not depend on which table was read first."""
        values = sorted(set(originals) - self.made.keys(), key=lambda v: (self._digest(v, 0), v))
        self.reserve(values)
        for value in values:
            self.made[value] = self._fake(value)
        return self.made

    def _digest(self, value: str, attempt: int) -> bytes:
        text = f"{self.kind}\x00{value}\x00{attempt}".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, key=self.key, digest_size=32).digest()

    def _fake(self, original: str) -> str:
        for attempt in range(_ATTEMPTS):
            number = int.from_bytes(self._digest(original, attempt), "big")

            def draw(n: int) -> int:
                nonlocal number
                number, out = divmod(number, n)
                return out

            fake = self._cut(self._make(original, draw, attempt), attempt)
            folded = fake.casefold()
            if folded == original.casefold() or (self.strict and folded in self._taken):
                continue
            if self.strict:
                self._taken.add(folded)
            return fake
        raise PlanError(
            f"cannot find a {self.kind} fake for a value of {len(original)} characters that no other value has",
            hint="the column's type leaves too few distinct values: widen it, or mask it as another kind in the plan",
        )

    def _cut(self, fake: str, attempt: int) -> str:
        """Within the columns' length; a word-made fake past a few collisions takes a number."""
        suffix = str(attempt) if attempt >= _SUFFIX_AFTER and self.kind not in _SHAPED else ""
        if self.kind == "email" and suffix:
            local, _, domain = fake.partition("@")
            fake, suffix = local + suffix + "@" + domain, ""
        if self.max_len is not None and len(fake) + len(suffix) > self.max_len:
            fake = fake[: max(self.max_len - len(suffix), 0)]
        return fake + suffix

    def _make(self, original: str, draw: Draw, attempt: int) -> str:
        def word(kind: str) -> str:
            words = _words(self.locale, kind)
            return words[draw(len(words))]

        match self.kind:
            case "first_name" | "last_name" | "company":
                return word(self.kind)
            case "full_name":
                return f"{word('first_name')} {word('last_name')}"
            case "email":
                first, last = _ascii(word("first_name")), _ascii(word("last_name"))
                number = draw(100)
                return f"{first}.{last}{number if number > 9 else ''}@example.{('com', 'org', 'net')[draw(3)]}"
            case "username":
                return f"{_ascii(word('first_name'))}{_ascii(word('last_name'))[:1]}{draw(1000)}"
            case "street_address":
                return f"{1 + draw(9899)} {word('street')}"
            case "secondary_address":
                return f"{('Suite', 'Apt.', 'Unit')[draw(3)]} {1 + draw(999)}"
            case _:  # phone, postcode, digits: the original's shape
                if self.kind == "phone" and not any(c.isdigit() for c in original):
                    original = "555-0100"
                code = re.match(r"\+\d{1,3}(?=\D)", original) if self.kind == "phone" else None
                if code:  # the country code stays
                    return code.group() + _shape(original[code.end() :], self._stream(original, attempt))
                return _shape(original, self._stream(original, attempt))

    def _stream(self, original: str, attempt: int) -> bytes:
        """A byte per character of ``original``, from its hash (longer values: more hashes)."""
        out = b""
        part = 0
        while len(out) < len(original):
            out += self._digest(f"{original}\x00{part}", attempt)
            part += 1
        return out


_SHAPED = ("phone", "postcode", "digits")
