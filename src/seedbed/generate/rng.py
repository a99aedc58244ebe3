"""Counter-based randomness: every draw is a pure function of (key, row index).

A stream key is derived from (seed, table, column, purpose) with blake2b, so it is
stable across machines and Python runs (never Python's salted ``hash()``). A draw
for row ``i`` is splitmix64's finaliser over ``i`` combined with the key: no
state is carried between rows, so any row range, in any order or chunk size,
gets the same values.

>>> k = stream_key(123, "users", "email", "pick")
>>> uniform(np.arange(3, dtype=np.uint64), k).round(6).tolist()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib

import numpy as np

U64 = np.uint64
_GOLDEN = U64(0x9E3779B97F4A7C15)
_M1 = U64(0xBF58476D1CE4E5B9)
_M2 = U64(0x94D049BB133111EB)


def stream_key(seed: int | str, *parts: object) -> np.uint64:
    """A 64-bit key for one random stream, from the seed and the stream's name."""
    text = "\x1f".join([str(seed), *map(str, parts)]).encode()
    return U64(int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little"))


Key = np.uint64 | np.ndarray  # one stream's key, or one per element (a stream per group)


def mix(x: np.ndarray | np.uint64 | int, key: Key) -> np.ndarray:
    """splitmix64 finaliser of ``x`` under ``key``: a uint64 that looks random."""
    with np.errstate(over="ignore"):
        z = (np.asarray(x, dtype=U64) + U64(1)) * _GOLDEN + np.asarray(key, dtype=U64)
        z = (z ^ (z >> U64(30))) * _M1
        z = (z ^ (z >> U64(27))) * _M2
        return z ^ (z >> U64(31))


def uniform(idx: np.ndarray, key: Key) -> np.ndarray:
    """Floats in [0, 1), 53 bits each."""
    return (mix(idx, key) >> U64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def below(idx: np.ndarray, key: Key, n: np.ndarray | int) -> np.ndarray:
    """Integers in [0, n) (``n`` may vary per row; rows with n == 0 get 0)."""
    n_arr = np.asarray(n, dtype=np.int64)
    out = np.floor(uniform(idx, key) * n_arr).astype(np.int64)
    return np.minimum(out, np.maximum(n_arr - 1, 0))


def between(idx: np.ndarray, key: Key, lo: int, hi: int) -> np.ndarray:
    """Integers in [lo, hi], both ends included."""
    return lo + below(idx, key, hi - lo + 1)


def normal(idx: np.ndarray, key: Key) -> np.ndarray:
    """Standard normal draws (Box-Muller over two independent streams)."""
    u1 = uniform(idx, key)
    u2 = uniform(idx, mix(np.asarray(1, dtype=U64), key))
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def permute(x: np.ndarray, n: np.ndarray | int, key: Key) -> np.ndarray:
    """A keyed pseudorandom permutation of [0, n), applied to ``x`` (each x < n).

    Distinct ``x`` under the same (n, key) give distinct results, so distinct picks
    (unique pairs, unique codes) need no retry loop and no "seen" set. ``n`` and
    ``key`` may vary per element: a permutation per group. A balanced Feistel
    network over the next even power of two, cycle-walking back into range.
    """
    x = np.asarray(x, dtype=U64)
    n = np.broadcast_to(np.asarray(n, dtype=U64), x.shape)
    key = np.broadcast_to(np.asarray(key, dtype=U64), x.shape)
    bits = np.ceil(np.log2(np.maximum(n, 2).astype(np.float64))).astype(np.int64)
    bits = np.maximum(bits + (bits & 1), 2)
    half = (bits // 2).astype(U64)
    mask = (U64(1) << half) - U64(1)
    out = x.copy()
    todo = np.ones(x.shape, dtype=bool) if x.size else np.zeros(0, dtype=bool)
    while todo.any():
        sel = np.nonzero(todo)[0]
        v = out[sel]
        h, m, k = half[sel], mask[sel], key[sel]
        left, right = v >> h, v & m
        for r in range(4):
            f = mix(right ^ (U64(r) << U64(60)), k) & m
            left, right = right, left ^ f
        v = (left << h) | right
        out[sel] = v
        # cycle-walk: values that landed outside [0, n) are permuted again
        todo[sel] = v >= n[sel]
    return out.astype(np.int64)
