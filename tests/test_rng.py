"""Counter-based randomness: pinned values, purity, permutations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedbed.generate import rng
from seedbed.generate.sizing import distribute, scaled


def test_golden_values():
    k = rng.stream_key(123, "t", "c", "p")
    # golden values: a change here changes every dataset (a breaking change: CHANGELOG)
    assert int(k) == 5339013087914519398
    u = rng.uniform(np.arange(3, dtype=np.uint64), k)
    assert u.round(12).tolist() == [0.497701457471, 0.96694476853, 0.37914024095]
    assert rng.permute(np.arange(8), 8, k).tolist() == [2, 1, 0, 5, 4, 7, 6, 3]


def test_draws_depend_only_on_index():
    k = rng.stream_key(1, "a")
    idx = np.arange(10_000, dtype=np.uint64)
    whole = rng.uniform(idx, k)
    parts = np.concatenate([rng.uniform(idx[a : a + 777], k) for a in range(0, 10_000, 777)])
    assert np.array_equal(whole, parts)
    rev = rng.uniform(idx[::-1], k)[::-1]
    assert np.array_equal(whole, rev)


def test_uniform_looks_uniform():
    u = rng.uniform(np.arange(200_000, dtype=np.uint64), rng.stream_key(9))
    hist, _ = np.histogram(u, bins=10, range=(0, 1))
    assert hist.min() > 19_000 and hist.max() < 21_000
    assert u.min() >= 0 and u.max() < 1


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), seed=st.integers(0, 2**32))
def test_permute_is_a_permutation(n, seed):
    p = rng.permute(np.arange(n), n, rng.stream_key(seed))
    assert sorted(p.tolist()) == list(range(n))


def test_permute_per_group_domains():
    n = np.array([3, 3, 3, 5, 5, 5, 5, 5])
    x = np.array([0, 1, 2, 0, 1, 2, 3, 4])
    keys = rng.mix(np.array([0, 0, 0, 1, 1, 1, 1, 1], dtype=np.uint64), np.uint64(7))
    p = rng.permute(x, n, keys)
    assert sorted(p[:3].tolist()) == [0, 1, 2]
    assert sorted(p[3:].tolist()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("count", "scale", "want"),
    [
        (250_000, 0.1, 25_000),
        (10, 0.1, 1),
        (10, 0.01, 1),
        (45_000, 0.1, 4_500),
        (7, 0.5, 3),
        (0, 2.0, 0),
        (2_000_000, 10.0, 20_000_000),
    ],
)
def test_scaled_floors_with_minimum_one(count, scale, want):
    assert scaled(count, scale) == want


@settings(max_examples=100, deadline=None)
@given(total=st.integers(0, 100_000), n=st.integers(1, 2_000), spread=st.sampled_from(["even", "skewed"]))
def test_distribute_sums_exactly(total, n, spread):
    counts = distribute(total, n, rng.stream_key(5), spread)
    assert counts.sum() == total and len(counts) == n and counts.min() >= 0
    if spread == "even":
        assert counts.max() - counts.min() <= 1


def test_distribute_total_below_parents_leaves_some_empty():
    counts = distribute(8, 20, rng.stream_key(1))
    assert counts.sum() == 8 and (counts == 0).sum() == 12
