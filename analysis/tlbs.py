"""Trial-level bias scores (TL-BS; Zvielli, Bernstein & Koster 2015).

Nearest-trial method (as in the R package itrak, ``method = "nearest"``):
the condition's test trials are ordered by ``trial_index`` and numbered
(position); excluded trials keep their position but have no RT.  Each valid
trial is paired with the valid trial of the other congruency nearest in
position, at most ``window`` positions away, a tie going to the earlier trial;
TL-BS = rt(incongruent) - rt(congruent) of the pair.

Weighted method (itrak's default): the comparison RT of trial i is the
weighted mean of every valid opposite-congruency RT of the condition with
weights 1 / d^2, d = |position_i - position_j|.

Summaries over the TL-BS series in position order: mean and peak of the
positive values (toward) and of the negative values (away, kept negative),
and variability (contract §4):

* ``zvielli`` (default): sum |TL-BS(k+1) - TL-BS(k)| / n over the TL-BS values in
  position order with gaps closed, n = number of TL-BS values;
* ``itrak`` (the R package itrak): the mean of |TL-BS(p+1) - TL-BS(p)| over adjacent
  positions p, p+1 that both have a TL-BS value; a difference across a gap (a position
  without a TL-BS value) is not counted.  Without gaps this is the default x n / (n - 1).

The hand-made sequence I I C C (rt 500, 520, 400, 410) pairs trial 1 with
trial 3 (two positions away), trial 2 with 3, trial 3 with 2 (tie: earlier)
and trial 4 with 2 -- the duplicated interior subtraction itrak describes:

>>> import numpy as np
>>> nearest_tlbs(group=np.zeros(4, int), congruent=np.array([0, 0, 1, 1]),
...              rt_ms=np.array([500., 520., 400., 410.]), window=5).tolist()
[100.0, 120.0, 120.0, 110.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def nearest_tlbs(*, group: np.ndarray, congruent: np.ndarray, rt_ms: np.ndarray,
                 window: int = 5) -> np.ndarray:
    """TL-BS per row (NaN where none); rows sorted by group then position, NaN rt = excluded.

    TL-BS = rt(incongruent) - rt(congruent) of the nearest valid pair within ``window``
    positions (Zvielli, Bernstein & Koster 2015); an excluded trial gets none:

    >>> nearest_tlbs(group=np.zeros(3, int), congruent=np.array([1, 0, 1]),
    ...              rt_ms=np.array([400., 470., np.nan]), window=5).tolist()
    [70.0, 70.0, nan]
    """
    n = len(rt_ms)
    valid = ~np.isnan(rt_ms)
    partner = np.full(n, -1, dtype=np.int64)
    idx = np.arange(n)
    for d in range(1, window + 1):
        for step in (-d, d):  # earlier first: ties go to the earlier trial
            j = idx + step
            inside = (j >= 0) & (j < n)
            jj = np.clip(j, 0, max(n - 1, 0))
            ok = (inside & valid & (partner < 0) & valid[jj] & (group[jj] == group)
                  & (congruent[jj] != congruent))
            partner[ok] = jj[ok]
    out = np.full(n, np.nan)
    has = partner >= 0
    mine, other = rt_ms[has], rt_ms[partner[has]]
    out[has] = np.where(congruent[has] == 0, mine - other, other - mine)
    return out


def weighted_tlbs(*, group: np.ndarray, congruent: np.ndarray, rt_ms: np.ndarray
                  ) -> np.ndarray:
    """TL-BS per row by itrak's inverse-square weighting (rows sorted by group, position).

    >>> weighted_tlbs(group=np.zeros(3, int), congruent=np.array([0, 1, 0]),
    ...               rt_ms=np.array([500., 400., 520.])).tolist()
    [100.0, 110.0, 120.0]
    """
    out = np.full(len(rt_ms), np.nan)
    bounds = np.flatnonzero(np.diff(group)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(group)]):
        rt, c = rt_ms[lo:hi], congruent[lo:hi]
        pos = np.arange(hi - lo, dtype=float)
        d = np.abs(pos[:, None] - pos[None, :])
        ok = (~np.isnan(rt))[None, :] & (c[None, :] != c[:, None]) & (d > 0)
        w = np.where(ok, 1.0 / np.where(d > 0, d, 1.0) ** 2, 0.0)
        wsum = w.sum(axis=1)
        comp = np.divide(w @ np.nan_to_num(rt), wsum, out=np.full(len(rt), np.nan),
                         where=wsum > 0)
        out[lo:hi] = np.where(c == 0, rt - comp, comp - rt)
    return out


def summarise(*, group: np.ndarray, tlbs: np.ndarray, n_groups: int,
              variability: str = "zvielli") -> pd.DataFrame:
    """Per group: tlbs_mean_toward_ms, tlbs_mean_away_ms, tlbs_peak_toward_ms,
    tlbs_peak_away_ms, tlbs_variability_ms (index 0..n_groups-1).  Rows are positions in
    order within each group (NaN = no TL-BS at that position); formulas in the module
    docstring (Zvielli, Bernstein & Koster 2015; itrak).

    >>> s = summarise(group=np.zeros(4, int), tlbs=np.array([100., -20., 30., np.nan]),
    ...               n_groups=1)
    >>> s.iloc[0].tolist()
    [65.0, -20.0, 100.0, -20.0, 56.666666666666664]

    With a gap (10, 30, gap, 0, 20): gap closed (20 + 30 + 20) / 4 = 17.5; itrak counts
    only 10->30 and 0->20: (20 + 20) / 2 = 20.

    >>> series = np.array([10., 30., np.nan, 0., 20.])
    >>> [float(summarise(group=np.zeros(5, int), tlbs=series, n_groups=1, variability=v)
    ...  ["tlbs_variability_ms"][0]) for v in ("zvielli", "itrak")]
    [17.5, 20.0]

    No TL-BS value at all (too few valid trials): every measure n/a.

    >>> bool(summarise(group=np.zeros(2, int), tlbs=np.array([np.nan, np.nan]),
    ...                n_groups=1).isna().all(axis=None))
    True
    """
    have = ~np.isnan(tlbs)
    g, v = group[have], tlbs[have]
    frame = pd.DataFrame({"g": g, "pos": np.where(v > 0, v, np.nan),
                          "neg": np.where(v < 0, v, np.nan), "v": v})
    grouped = frame.groupby("g")
    out = pd.DataFrame(index=pd.RangeIndex(n_groups))
    out["tlbs_mean_toward_ms"] = grouped["pos"].mean()
    out["tlbs_mean_away_ms"] = grouped["neg"].mean()
    out["tlbs_peak_toward_ms"] = grouped["pos"].max()
    out["tlbs_peak_away_ms"] = grouped["neg"].min()
    if variability == "itrak":
        adjacent = have[1:] & have[:-1] & (group[1:] == group[:-1])
        jumps = np.abs(np.diff(tlbs))[adjacent]
        out["tlbs_variability_ms"] = pd.Series(jumps).groupby(group[1:][adjacent]).mean()
        return out
    if variability != "zvielli":
        raise ValueError(f"variability must be zvielli or itrak, not {variability!r}")
    same = np.zeros(len(g), dtype=bool)
    same[1:] = g[1:] == g[:-1]
    jumps = np.zeros(len(v))
    jumps[1:] = np.abs(np.diff(v))
    jumps *= same
    total = pd.Series(jumps).groupby(g).sum()
    count = pd.Series(np.ones(len(g))).groupby(g).sum()
    out["tlbs_variability_ms"] = (total / count).where(count >= 2)
    return out
