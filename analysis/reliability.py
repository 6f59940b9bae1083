"""Split-half reliability by permutation (Parsons, Kruijt & Fox 2019; Parsons 2021,
the R package ``splithalf``), vectorised over splits and participants.

Per split and participant, the "plus" values (dot-probe: valid incongruent
RTs) and the "minus" values (valid congruent RTs) are each shuffled and cut at
floor(n/2); a half's score = mean(plus half) - mean(minus half).  Per split,
r = Pearson r of half 1 vs half 2 across participants and the Spearman-Brown
estimate SB = 2r / (1 + |r|).  Result: mean SB over splits, its 2.5th and
97.5th percentiles, and the mean r.

Shuffling then cutting at h = floor(n/2) makes half 1 a uniformly random subset
of size h.  The subset is drawn here by selection sampling (Knuth, TAOCP vol. 2,
Algorithm S): visiting the n values in order, value j is taken with probability
(h - taken) / (n - j), one uniform number per value; this runs over all splits
and participants of a chunk at once.  Each chunk of splits has its own
generator, ``SeedSequence(seed, spawn_key=(stream, chunk))``, so results depend
only on the seed, the stream key and ``chunk_splits`` -- not on the thread
count or on the order of the input rows.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> true = rng.normal(0, 40, 60)
>>> rows = [(p, s, 500 + (30 if s else 0) + rng.normal(0, 100))
...         for p in range(60) for s in (0, 1) for _ in range(24)]
>>> import pandas as pd
>>> d = pd.DataFrame(rows, columns=["unit", "side", "value"])
>>> d["value"] += np.where(d["side"] == 1, true[d["unit"]], 0.0)
>>> res = split_half(d, n_splits=200, seed=3)
>>> 0.5 < res["sb"] < 0.95 and res["sb_ci_low"] < res["sb"] < res["sb_ci_high"]
True
"""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd


def stream_key(*labels: str) -> int:
    """A stable 32-bit key for a session x task x condition x measure (CRC-32).

    >>> stream_key("pre", "dotprobe", "a-b@200", "bias_ms") == stream_key("pre", "dotprobe",
    ...                                                                  "a-b@200", "bias_ms")
    True
    """
    return zlib.crc32("\x1f".join(labels).encode("utf-8"))


def pad(frame: pd.DataFrame, *, unit: str, value: str, order: str | None) -> tuple:
    """(matrix N x L zero-padded, counts N, unit labels) of one side's values.

    >>> m, n, u = pad(pd.DataFrame({"unit": ["b", "a", "a"], "value": [3., 1., 2.]}),
    ...               unit="unit", value="value", order=None)
    >>> m.tolist(), n.tolist(), u.tolist()
    ([[1.0, 2.0], [3.0, 0.0]], [2, 1], ['a', 'b'])
    """
    frame = frame.assign(_unit=frame[unit].astype(str))
    frame = frame.sort_values(["_unit"] + ([order] if order else []), kind="stable")
    units, codes = np.unique(frame["_unit"].to_numpy(), return_inverse=True)
    counts = np.bincount(codes, minlength=len(units))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    col = np.arange(len(codes)) - starts[codes]
    mat = np.zeros((len(units), int(counts.max()) if len(counts) else 0))
    mat[codes, col] = frame[value].to_numpy(dtype=float)
    return mat, counts, units


def half1_sums(x: np.ndarray, n: np.ndarray, n_splits: int, rng: np.random.Generator
               ) -> np.ndarray:
    """Sum of a uniformly random floor(n/2)-subset of each row's first n values, per split
    (shape n_splits x rows), by selection sampling.

    >>> x = np.array([[1., 2., 3., 4.]])
    >>> s = half1_sums(x, np.array([4]), 6000, np.random.default_rng(0))[:, 0]
    >>> sorted(set(s.tolist()))           # pairs of 1..4: sums 3, 4, 5 (twice), 6, 7
    [3.0, 4.0, 5.0, 6.0, 7.0]
    >>> bool(abs((s == 5).mean() - 1 / 3) < 0.03)
    True
    """
    rows, width = x.shape
    need = np.broadcast_to((n // 2).astype(np.float32), (n_splits, rows)).copy()
    sums = np.zeros((n_splits, rows))
    sel = np.empty((n_splits, rows), dtype=bool)
    u = np.empty((n_splits, rows), dtype=np.float32)
    for j in range(width):
        remaining = (n - j).astype(np.float32)
        active = remaining > 0
        if not active.any():
            break
        rng.random(out=u, dtype=np.float32)
        np.multiply(u, remaining, out=u)
        np.less(u, need, out=sel)
        sel |= need >= remaining
        sel &= active
        need -= sel
        sums += sel * x[:, j]
    return sums


def half_scores(plus: np.ndarray, n_plus: np.ndarray, sum1_plus: np.ndarray,
                minus: np.ndarray, n_minus: np.ndarray, sum1_minus: np.ndarray) -> tuple:
    """(half-1 scores, half-2 scores), each splits x participants, from half-1 sums:
    half score = mean(plus half) - mean(minus half) (Parsons, Kruijt & Fox 2019).

    >>> h1, h2 = half_scores(np.array([[5., 7.]]), np.array([2]), np.array([[5.]]),
    ...                      np.array([[1., 1.]]), np.array([2]), np.array([[1.]]))
    >>> h1.tolist(), h2.tolist()
    ([[4.0]], [[6.0]])
    """
    hp, hm = n_plus // 2, n_minus // 2
    tot_p, tot_m = plus.sum(axis=1), minus.sum(axis=1)
    s1 = sum1_plus / hp - sum1_minus / hm
    s2 = (tot_p - sum1_plus) / (n_plus - hp) - (tot_m - sum1_minus) / (n_minus - hm)
    return s1, s2


def pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of a[k] and b[k] for every row k (NaN when a row has no variance).

    >>> pearson_rows(np.array([[1., 2., 3.]]), np.array([[2., 4., 7.]])).round(6).tolist()
    [0.993399]
    """
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    num = (a * b).sum(axis=1)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    return np.divide(num, den, out=np.full(len(num), np.nan), where=den > 0)


def spearman_brown(r: np.ndarray) -> np.ndarray:
    """SB = 2r / (1 + |r|), the splithalf package's form.

    >>> spearman_brown(np.array([0.5, -0.5])).tolist()
    [0.6666666666666666, -0.6666666666666666]
    """
    return 2 * r / (1 + np.abs(r))


def summarise(r: np.ndarray) -> dict:
    """Estimate and percentile interval from the per-split r values: sb = mean of
    2r / (1 + |r|), sb_ci_low/high = its 2.5th and 97.5th percentiles, r_mean = mean r.

    >>> summarise(np.array([0.5, 0.5]))["sb"]
    0.6666666666666666
    """
    r = r[~np.isnan(r)]
    if len(r) == 0:
        return {"r_mean": np.nan, "sb": np.nan, "sb_ci_low": np.nan, "sb_ci_high": np.nan}
    sb = spearman_brown(r)
    low, high = np.percentile(sb, [2.5, 97.5])
    return {"r_mean": float(r.mean()), "sb": float(sb.mean()), "sb_ci_low": float(low),
            "sb_ci_high": float(high)}


def split_half(data: pd.DataFrame, *, unit: str = "unit", side: str = "side",
               value: str = "value", order: str | None = None, n_splits: int = 5000,
               seed: int = 0, key: int = 0, chunk_splits: int = 250, threads: int = 1,
               min_per_side: int = 2) -> dict:
    """Split-half reliability of mean(side 1) - mean(side 0) per unit.

    ``order`` (e.g. ``trial_index``) fixes the order of each unit's values so the
    result does not depend on the order of the rows.  Units with fewer than
    ``min_per_side`` values on a side are left out.  Returns n_participants,
    n_splits, seed, r_mean, sb, sb_ci_low, sb_ci_high (the module docstring has the
    formula, the reference and a larger example).

    >>> d = pd.DataFrame({"unit": np.repeat([0, 1, 2, 3], 4), "side": [1, 1, 0, 0] * 4,
    ...                   "value": [510., 510., 500., 500., 530., 530., 500., 500.,
    ...                             560., 560., 500., 500., 580., 580., 500., 500.]})
    >>> split_half(d, n_splits=20, seed=1)["sb"]
    1.0
    """
    d = data[[unit, side, value] + ([order] if order else [])].dropna(subset=[value])
    per = d.groupby([unit, side]).size().unstack(side).reindex(columns=[0, 1]).fillna(0)
    ok_units = per.index[(per[0] >= min_per_side) & (per[1] >= min_per_side)]
    d = d[d[unit].isin(ok_units)]
    result = {"n_participants": int(len(ok_units)), "n_splits": int(n_splits), "seed": int(seed)}
    if len(ok_units) < 3:
        return {**result, **summarise(np.array([]))}
    plus, n_plus, units_p = pad(d[d[side] == 1], unit=unit, value=value, order=order)
    minus, n_minus, units_m = pad(d[d[side] == 0], unit=unit, value=value, order=order)
    if not np.array_equal(units_p, units_m):  # pragma: no cover - guarded by ok_units
        raise RuntimeError("unit mismatch")
    chunks = [(i, min(chunk_splits, n_splits - i * chunk_splits))
              for i in range((n_splits + chunk_splits - 1) // chunk_splits)]

    def run(chunk: tuple[int, int]) -> np.ndarray:
        index, size = chunk
        rng = np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(seed, spawn_key=(key, index))))
        s1p = half1_sums(plus, n_plus, size, rng)
        s1m = half1_sums(minus, n_minus, size, rng)
        h1, h2 = half_scores(plus, n_plus, s1p, minus, n_minus, s1m)
        return pearson_rows(h1, h2)

    if threads > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(run, chunks))
    else:
        parts = [run(c) for c in chunks]
    return {**result, **summarise(np.concatenate(parts))}


def reliability_from_masks(plus: np.ndarray, n_plus: np.ndarray, mask_plus: np.ndarray,
                           minus: np.ndarray, n_minus: np.ndarray, mask_minus: np.ndarray
                           ) -> dict:
    """The same computation with the half-1 memberships given (splits x units x width
    boolean masks) -- for checking against another implementation with the same splits.

    >>> x = np.array([[1., 3.], [2., 6.], [4., 4.]])
    >>> mask = np.array([[[True, False]] * 3])
    >>> reliability_from_masks(x, np.array([2, 2, 2]), mask, np.zeros((3, 2)),
    ...                        np.array([2, 2, 2]), mask)["r_mean"]
    0.1428571428571429
    """
    s1p = (mask_plus * plus[None]).sum(axis=2)
    s1m = (mask_minus * minus[None]).sum(axis=2)
    h1, h2 = half_scores(plus, n_plus, s1p, minus, n_minus, s1m)
    return summarise(pearson_rows(h1, h2))


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's alpha of a cases x items matrix (complete rows only):
    k/(k-1) * (1 - sum of item variances / variance of the total), ddof 1.

    >>> cronbach_alpha(np.array([[1., 2., 2.], [2., 3., 3.], [3., 3., 4.], [4., 5., 5.]]))
    0.9824561403508771
    """
    items = items[~np.isnan(items).any(axis=1)]
    n, k = items.shape
    if n < 3 or k < 2:
        return float("nan")
    total_var = items.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - items.var(axis=0, ddof=1).sum() / total_var))
