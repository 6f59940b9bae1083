"""Split-half reliability: exact agreement with a plain loop on the same splits, the subset
sampler's uniformity, and statistical agreement of the full function with the loop."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from analysis import reliability as rel


def _cohort(n_units=30, n_plus=13, n_minus=12, seed=0, true_sd=30.0, noise=80.0):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(n_units):
        b = rng.normal(20, true_sd)
        for k in range(n_plus + (u % 3)):
            rows.append((f"p{u:02d}", 1, 550 + b / 2 + rng.normal(0, noise), k))
        for k in range(n_minus + (u % 2)):
            rows.append((f"p{u:02d}", 0, 550 - b / 2 + rng.normal(0, noise), 100 + k))
    return pd.DataFrame(rows, columns=["unit", "side", "value", "order"])


def loop_reference(data, perms):
    """The contract's algorithm, written plainly: for each split, for each participant,
    shuffle each side (given permutations), cut at floor(n/2), half bias, Pearson r, SB."""
    units = sorted(data["unit"].unique())
    sbs, rs = [], []
    for split in perms:
        h1, h2 = [], []
        for u in units:
            halves = []
            for side in (1, 0):
                vals = data[(data["unit"] == u) & (data["side"] == side)] \
                    .sort_values("order")["value"].to_numpy()
                shuffled = vals[split[(u, side)]]
                h = len(vals) // 2
                halves.append((shuffled[:h].mean(), shuffled[h:].mean()))
            h1.append(halves[0][0] - halves[1][0])
            h2.append(halves[0][1] - halves[1][1])
        r = np.corrcoef(h1, h2)[0, 1]
        rs.append(r)
        sbs.append(2 * r / (1 + abs(r)))
    return {"r_mean": np.mean(rs), "sb": np.mean(sbs),
            "sb_ci_low": np.percentile(sbs, 2.5), "sb_ci_high": np.percentile(sbs, 97.5)}


def test_vectorised_core_equals_the_loop_on_the_same_splits():
    data = _cohort()
    rng = np.random.default_rng(11)
    plus, n_plus, units = rel.pad(data[data["side"] == 1], unit="unit", value="value",
                                  order="order")
    minus, n_minus, _ = rel.pad(data[data["side"] == 0], unit="unit", value="value",
                                order="order")
    n_splits = 40
    perms = [{(u, s): rng.permutation(int((n_plus if s else n_minus)[i]))
              for i, u in enumerate(units) for s in (1, 0)} for _ in range(n_splits)]
    masks = {}
    for side, n in ((1, n_plus), (0, n_minus)):
        m = np.zeros((n_splits, len(units), (plus if side else minus).shape[1]), dtype=bool)
        for k, split in enumerate(perms):
            for i, u in enumerate(units):
                m[k, i, split[(u, side)][: n[i] // 2]] = True
        masks[side] = m
    got = rel.reliability_from_masks(plus, n_plus, masks[1], minus, n_minus, masks[0])
    ref = loop_reference(data, perms)
    for key in ref:
        assert got[key] == pytest.approx(ref[key], rel=1e-10, abs=1e-12)


def test_selection_sampler_draws_every_subset_equally_often():
    x = np.array([[1., 10., 100., 1000., 10000.]])  # sums identify the subset
    n = np.array([5])
    sums = rel.half1_sums(x, n, 30000, np.random.default_rng(3))[:, 0]
    subsets = [sum(c) for c in itertools.combinations(x[0], 2)]
    counts = np.array([(sums == s).sum() for s in subsets])
    assert counts.sum() == 30000  # every draw is a subset of size floor(5/2) = 2
    expected = 30000 / len(subsets)
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 27.9  # chi-square(9 df) 0.999 quantile


def test_full_function_agrees_with_the_loop_within_monte_carlo_error():
    data = _cohort(n_units=25)
    got = rel.split_half(data, order="order", n_splits=2000, seed=7)
    rng = np.random.default_rng(99)
    units = sorted(data["unit"].unique())
    sizes = data.groupby(["unit", "side"]).size()
    perms = [{(u, s): rng.permutation(int(sizes[(u, s)])) for u in units for s in (1, 0)}
             for _ in range(300)]
    ref = loop_reference(data, perms)
    # Monte Carlo SD of the mean SB over 300 loop splits ~ spread / sqrt(300)
    spread = (ref["sb_ci_high"] - ref["sb_ci_low"]) / 3.92
    assert abs(got["sb"] - ref["sb"]) < 4 * spread / math.sqrt(300) + 4 * spread / math.sqrt(2000)


def test_result_depends_on_seed_not_on_row_order_or_threads():
    data = _cohort()
    a = rel.split_half(data, order="order", n_splits=300, seed=5, chunk_splits=100)
    shuffled = data.sample(frac=1, random_state=1)
    b = rel.split_half(shuffled, order="order", n_splits=300, seed=5, chunk_splits=100,
                       threads=2)
    assert a == b
    c = rel.split_half(data, order="order", n_splits=300, seed=6, chunk_splits=100)
    assert c["sb"] != a["sb"]


def test_deterministic_case_two_values_per_side():
    # n = 2 per side: half 1 and half 2 hold one value each; with equal values per side the
    # halves are the same whatever the split, so r = 1 and SB = 1.
    rows = []
    for u, b in enumerate([10.0, 30.0, 55.0, 80.0]):
        rows += [(u, 1, 500 + b, 0), (u, 1, 500 + b, 1), (u, 0, 500.0, 2), (u, 0, 500.0, 3)]
    data = pd.DataFrame(rows, columns=["unit", "side", "value", "order"])
    got = rel.split_half(data, order="order", n_splits=50, seed=1)
    assert got["sb"] == pytest.approx(1.0) and got["sb_ci_low"] == pytest.approx(1.0)
