"""Latent reliability and signal-to-noise of a per-participant score (contract §7).

A score is a difference of two means (dot-probe ``bias_ms`` = mean RT incongruent − mean
RT congruent; a salience contrast = mean over side a − mean over side b) or a mean of one
side (free viewing ``dwell_share``).  Its variance across participants is the variance of
the participants' true scores plus the mean sampling variance of a score (trial noise):
Rouder & Haaf (2019) show that trial noise, not an absence of individual differences,
is what makes RT-difference scores unreliable, and Rouder & Mehrvarz (2024) that the
signal-to-noise ratio ``snr`` = true SD / trial SD says how many trials reach a target.
Per participant i and side s (1 = plus, 0 = minus), with n_is valid trials of variance
s²_is (ddof 1):

- score_i = mean_i1 − mean_i0 (one side: mean_i1);
- observed_var = var_i(score_i), ddof 1;
- error_var = mean_i(s²_i1 / n_i1 + s²_i0 / n_i0) (one side: mean_i(s²_i1 / n_i1));
- true_var = observed_var − error_var (may be negative: no between-person signal found);
- reliability = max(true_var, 0) / observed_var, with the 2.5th and 97.5th percentiles
  over ``n_boot`` bootstrap resamples of participants (seeded);
- trial_sd = √(Σ (n − 1) s² / Σ (n − 1)) over participants and sides;
- snr = √max(true_var, 0) / trial_sd;
- trials_for_R = ceil(k · R / (snr² · (1 − R))), k = 2 sides (one side: k = 1): the trials
  per side at which reliability reaches R, since with L trials per side the error
  variance is k · trial_sd² / L and reliability = snr² L / (snr² L + k); n/a when snr = 0.

References: Rouder, J. N., & Haaf, J. M. (2019). A psychometrics of individual
differences in experimental tasks. Psychonomic Bulletin & Review, 26, 452-467.
Rouder, J. N., & Mehrvarz, M. (2024). Hierarchical-model insights for planning and
interpreting individual-difference studies of cognitive abilities. Current Directions in
Psychological Science.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> true = rng.normal(0, 30, 300)                       # person-level SD 30
>>> unit = np.repeat(np.arange(300), 80)                # 40 trials per side
>>> side = np.tile(np.repeat([1, 0], 40), 300)
>>> value = 500 + side * true[unit] + rng.normal(0, 100, len(unit))   # trial SD 100
>>> row = latent_reliability(pd.DataFrame({"unit": unit, "side": side, "value": value}),
...                          n_boot=500, seed=1).iloc[0]
>>> implied = 30**2 / (30**2 + 2 * 100**2 / 40)         # 0.64
>>> bool(row["reliability_ci_low"] < implied < row["reliability_ci_high"])
True
>>> round(float(row["trial_sd"])), int(row["trials_for_0.7"]) in range(40, 70)
(100, True)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

TARGETS = (0.7, 0.8)
STAT_COLUMNS = ["n_participants", "trials_per_cell", "observed_var", "error_var", "true_var",
                "reliability", "reliability_ci_low", "reliability_ci_high", "trial_sd", "snr",
                *[f"trials_for_{r}" for r in TARGETS]]
BOOT_CELLS = 4_000_000  # resamples x participants drawn at once (bounds the memory)


def one_sided(frame: pd.DataFrame, *, side: str = "side", value: str = "value") -> bool:
    """True when ``frame`` holds a mean, not a difference: no side-0 rows, or side-0 values
    that are all exactly 0 (the placeholder zeros that let the split-half of
    :mod:`analysis.reliability` score a mean, as the free-viewing scorer writes them).

    >>> one_sided(pd.DataFrame({"side": [1, 1, 0, 0], "value": [.2, .4, 0., 0.]}))
    True
    >>> one_sided(pd.DataFrame({"side": [1, 0], "value": [510., 500.]}))
    False
    """
    minus = frame.loc[frame[side] == 0, value]
    return bool(len(minus) == 0 or (minus.to_numpy(dtype=float) == 0).all())


def unit_stats(frame: pd.DataFrame, *, unit: str = "unit", side: str = "side",
               value: str = "value", sides: int = 2) -> pd.DataFrame:
    """Per participant: n, mean and variance (ddof 1) of each side's values, the score
    (mean_1 − mean_0; one side: mean_1) and its sampling variance (s²_1/n_1 + s²_0/n_0;
    one side: s²_1/n_1).  Values that are missing or not finite are left out, and so are
    participants with fewer than 2 values on a side.

    >>> d = pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 3, "side": [1, 1, 0, 0, 1, 1, 0],
    ...                   "value": [3., 5., 1., 1., 2., 4., 0.]})
    >>> unit_stats(d)[["score", "sampling_var"]].values.tolist()   # b: one value on side 0
    [[3.0, 1.0]]
    """
    d = frame[[unit, side, value]]
    d = d[np.isfinite(pd.to_numeric(d[value], errors="coerce").to_numpy(dtype=float))]
    wanted = [1, 0] if sides == 2 else [1]
    d = d[d[side].isin(wanted)].sort_values([unit, side, value], kind="stable")  # row order
    g = d.groupby([unit, side])[value].agg(["size", "mean", "var"]).unstack(side)
    g = g.reindex(columns=pd.MultiIndex.from_product([["size", "mean", "var"], wanted]))
    n = g["size"].fillna(0).to_numpy(dtype=float)
    keep = (n >= 2).all(axis=1)
    n, mean, var = n[keep], g["mean"].to_numpy(float)[keep], g["var"].to_numpy(float)[keep]
    score = mean[:, 0] - mean[:, 1] if sides == 2 else mean[:, 0]
    out = pd.DataFrame({"unit": g.index[keep], "score": score,
                        "sampling_var": (var / n).sum(axis=1)})
    for k, s in enumerate(wanted):
        out[f"n_{s}"], out[f"var_{s}"] = n[:, k], var[:, k]
    return out


def bootstrap(score: np.ndarray, sampling_var: np.ndarray, ss: np.ndarray, dfree: np.ndarray,
              *, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(reliability, snr) in each of ``n_boot`` resamples of participants (with
    replacement): each resample's observed, error and true variance and pooled trial SD
    (``ss``, ``dfree``: each participant's Σ (n − 1) s² and Σ (n − 1)) as matrix products
    of the resample counts -- no loop over participants.

    >>> rel, snr = bootstrap(np.arange(10.), np.ones(10), np.full(10, 8.), np.full(10, 8.),
    ...                      n_boot=3, rng=np.random.default_rng(0))
    >>> rel.round(3).tolist(), snr.round(3).tolist()
    ([0.904, 0.655, 0.898], [3.075, 1.378, 2.97])
    """
    n = len(score)
    x = score - score.mean()
    rel, snr = np.empty(n_boot), np.empty(n_boot)
    block = max(1, min(n_boot, BOOT_CELLS // max(n, 1)))
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        draws = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        counts = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n).astype(float)
        total = counts @ x
        observed = (counts @ (x * x) - total * total / n) / (n - 1)
        true = np.maximum(observed - counts @ sampling_var / n, 0.0)
        trial_var = (counts @ ss) / (counts @ dfree)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel[start:start + b] = np.where(observed > 0, true / observed, np.nan)
            snr[start:start + b] = np.where(trial_var > 0, np.sqrt(true / trial_var), np.nan)
    return rel, snr


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of the finite values (NaN, NaN when there are none)."""
    values = values[np.isfinite(values)]
    if not len(values):
        return float("nan"), float("nan")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def trials_for(reliability: float, snr: float, *, sides: int = 2) -> float:
    """Trials per side that reach ``reliability`` at this signal-to-noise ratio:
    ceil(sides · R / (snr² · (1 − R))) (Rouder & Mehrvarz 2024); NaN when snr is 0 or
    not finite.

    >>> trials_for(0.7, 0.25), trials_for(0.7, 0.25, sides=1), trials_for(0.7, 0.0)
    (75.0, 38.0, nan)
    """
    if not (math.isfinite(snr) and snr > 0 and 0 < reliability < 1):
        return float("nan")
    return float(math.ceil(round(sides * reliability / (snr * snr * (1 - reliability)), 9)))


def sides_of(snr: float, trials_07: float, trials_08: float) -> int:
    """1 when the file's trials_for_0.7 and trials_for_0.8 are those of one side
    (ceil(R / (snr² (1 − R)))), else 2 (also when both readings agree).

    >>> sides_of(0.25, 38.0, 64.0), sides_of(0.25, 75.0, 128.0)
    (1, 2)
    """
    for target, found in ((0.7, trials_07), (0.8, trials_08)):
        one, two = trials_for(target, snr, sides=1), trials_for(target, snr, sides=2)
        if one != two and found == one:
            return 1
        if one != two and found == two:
            return 2
    return 2


def latent_reliability(frame: pd.DataFrame, *, unit: str = "unit", side: str = "side",
                       value: str = "value", sides: int | None = None, n_boot: int = 2000,
                       seed: int = 0, key: int = 0) -> pd.DataFrame:
    """One row: the contract §7 columns (module docstring: formulas and references) and
    ``sides``, ``snr_ci_low``, ``snr_ci_high`` (the SNR's bootstrap percentiles).

    ``sides`` None: 1 when :func:`one_sided`, else 2.  The bootstrap draws from
    ``SeedSequence(seed, spawn_key=(key,))`` (``key``: e.g.
    :func:`analysis.reliability.stream_key` of the job), so a row depends only on its
    data, the seed and the key.

    >>> d = pd.DataFrame({"unit": np.repeat(["a", "b", "c"], 4), "side": [1, 1, 0, 0] * 3,
    ...                   "value": [12., 14., 1., 3., 22., 24., 1., 3., 32., 34., 1., 3.]})
    >>> r = latent_reliability(d, n_boot=50).iloc[0]
    >>> r[["observed_var", "error_var", "true_var", "reliability", "trial_sd"]].tolist()
    [100.0, 2.0, 98.0, 0.98, 1.4142135623730951]
    >>> round(float(r["snr"]), 9), float(r["trials_for_0.7"]), float(r["trials_for_0.8"])
    (7.0, 1.0, 1.0)
    """
    if sides is None:
        sides = 1 if one_sided(frame, side=side, value=value) else 2
    stats = unit_stats(frame, unit=unit, side=side, value=value, sides=sides)
    n = len(stats)
    counts = stats[[c for c in stats if c.startswith("n_")]].to_numpy()
    row = dict.fromkeys(STAT_COLUMNS + ["snr_ci_low", "snr_ci_high"], float("nan"))
    row.update(n_participants=n, sides=sides,
               trials_per_cell=float(np.median(counts)) if n else float("nan"))
    if n < 3:
        return pd.DataFrame([row])
    score, err = stats["score"].to_numpy(), stats["sampling_var"].to_numpy()
    df = counts - 1
    ss = sum(df[:, k] * stats[f"var_{s}"].to_numpy() for k, s in enumerate([1, 0][:sides]))
    observed = float(score.var(ddof=1))
    error = float(err.mean())
    true = observed - error
    trial_sd = math.sqrt(ss.sum() / df.sum())
    snr = math.sqrt(max(true, 0.0)) / trial_sd if trial_sd > 0 else float("nan")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))
    rel_boot, snr_boot = bootstrap(score, err, ss, df.sum(axis=1), n_boot=n_boot, rng=rng)
    row.update(observed_var=observed, error_var=error, true_var=true,
               reliability=max(true, 0.0) / observed if observed > 0 else float("nan"),
               trial_sd=trial_sd, snr=snr)
    row["reliability_ci_low"], row["reliability_ci_high"] = _percentiles(rel_boot)
    row["snr_ci_low"], row["snr_ci_high"] = _percentiles(snr_boot)
    for target in TARGETS:
        row[f"trials_for_{target}"] = trials_for(target, snr, sides=sides)
    return pd.DataFrame([row])
