"""Gaze on areas of interest (AOIs) during free viewing: dwell, first fixation, time course
(contract §6).  Pure functions, tables in and tables out, column names as keyword arguments;
every step is vectorised over samples (no loop per sample).

Samples: time on the run clock (s), x and y in screen pixels (origin at the centre, y up),
missing where the tracker had no gaze.  A trial's samples are those with
onset <= time < onset + duration; a sample is valid when x and y are both present
(finite).  An AOI is a rectangle (centre x, y; width, height; margin included): a sample is
inside when |x - centre x| <= width / 2 and |y - centre y| <= height / 2.  Each trial gives
each AOI a *role*: ``TARGET``, ``COMPARISON``, ``OTHER`` (a picture of another category)
or ``NOT_SHOWN`` (no picture there; the AOI is ignored in that trial).

Dwell on an AOI = valid samples inside it x 1000 / sampling frequency (ms); a trial's
``dwell_target_ms`` sums it over the target AOIs, ``dwell_comparison_ms`` over the
comparison AOIs; share = target / (target + comparison).  Total dwell over a whole display
is the reliable free-viewing measure (Lazarov, Abend & Bar-Haim 2016, J Affect Disord 193,
282-288; Waechter et al. 2014, Cogn Ther Res 38, 313-333); AOI and dwell definitions follow
Holmqvist et al. (2011), Eye tracking: a comprehensive guide to methods and measures, OUP.

>>> trials = pd.DataFrame({"onset": [1.0], "duration": [0.5]})
>>> aois = pd.DataFrame({"name": ["left", "right"], "x": [-100.0, 100.0], "y": [0.0, 0.0],
...                      "width": [50.0, 50.0], "height": [50.0, 50.0]})
>>> roles = pd.DataFrame({"left": [TARGET], "right": [COMPARISON]})
>>> samples = pd.DataFrame({"timestamp": [0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5],
...                         "x": [0., -100., -90., np.nan, 100., 110., 0.],
...                         "y": [0., 0., 5., np.nan, 0., 0., 0.]})
>>> located = locate(samples, trials, aois, roles, x="x", y="y")
>>> trial_dwell(located, n_trials=1, sampling_frequency_hz=10.0).iloc[0].tolist()
[5.0, 4.0, 0.8, 200.0, 200.0, 0.5]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

NOT_SHOWN, TARGET, COMPARISON, OTHER = 0, 1, 2, 3
OUTSIDE = -1  # the aoi of a sample in no AOI
LOCATED = ["trial", "t_ms", "x", "y", "valid", "aoi", "role", "n_target", "n_comparison"]


def aoi_roles(categories: pd.DataFrame, target: pd.Series, comparison: pd.Series
              ) -> pd.DataFrame:
    """Each trial's role of each AOI: ``TARGET`` where the AOI's category (one column per
    AOI, one row per trial; missing = no picture) is the trial's target category,
    ``COMPARISON`` where it is the comparison category, ``OTHER`` for any other picture and
    ``NOT_SHOWN`` without one (contract §6.2).

    >>> c = pd.DataFrame({"left": ["infant_neutral", "adult_neutral"],
    ...                   "right": ["adult_neutral", None]})
    >>> aoi_roles(c, pd.Series(["infant_neutral"] * 2), pd.Series(["adult_neutral"] * 2)
    ...           ).values.tolist()
    [[1, 2], [2, 0]]
    """
    cats = categories.to_numpy(dtype=object)
    tgt = target.to_numpy(dtype=object)[:, None]
    cmp_ = comparison.to_numpy(dtype=object)[:, None]
    shown = pd.notna(cats)
    roles = np.where(cats == tgt, TARGET, np.where(cats == cmp_, COMPARISON, OTHER))
    return pd.DataFrame(np.where(shown, roles, NOT_SHOWN).astype(np.int8),
                        columns=categories.columns, index=categories.index)


def sample_trials(time_s: np.ndarray, onset_s: np.ndarray, duration_s: np.ndarray
                  ) -> np.ndarray:
    """The position of the trial each sample belongs to (onset <= time < onset + duration),
    -1 for none; trials need not be sorted but must not overlap (a display ends before the
    next begins).  One binary search per sample (``np.searchsorted``).

    >>> sample_trials(np.array([0.5, 1.0, 1.4, 1.5, 3.0]), np.array([2.9, 1.0]),
    ...               np.array([0.2, 0.5])).tolist()
    [-1, 1, 1, -1, 0]
    """
    order = np.argsort(onset_s, kind="stable")
    starts = np.asarray(onset_s, dtype=float)[order]
    ends = starts + np.asarray(duration_s, dtype=float)[order]
    k = np.searchsorted(starts, time_s, side="right") - 1
    inside = (k >= 0) & (time_s < ends[np.maximum(k, 0)])
    return np.where(inside, order[np.maximum(k, 0)], -1)


def locate(samples: pd.DataFrame, trials: pd.DataFrame, aois: pd.DataFrame,
           roles: pd.DataFrame, *, time: str = "timestamp", x: str = "x_coordinate",
           y: str = "y_coordinate", onset: str = "onset", duration: str = "duration",
           aoi_x: str = "x", aoi_y: str = "y", width: str = "width", height: str = "height"
           ) -> pd.DataFrame:
    """Every sample that falls in a trial, in time order, with: ``trial`` (position in
    ``trials``), ``t_ms`` = (time - onset) x 1000, ``x``, ``y``, ``valid`` (x and y finite),
    ``aoi`` (position in ``aois`` of the first shown AOI holding it, ``OUTSIDE`` = -1 for
    none), ``role`` (that AOI's role in the trial; ``NOT_SHOWN`` outside) and
    ``n_target`` / ``n_comparison`` (how many target / comparison AOIs hold it: AOIs that
    overlap each count it, as dwell is per AOI, contract §6.2).  ``roles`` has one row per
    trial and one column per AOI, in the order of ``aois`` (:func:`aoi_roles`).

    >>> t = pd.DataFrame({"onset": [0.0], "duration": [1.0]})
    >>> a = pd.DataFrame({"x": [0.0], "y": [0.0], "width": [10.0], "height": [10.0]})
    >>> s = pd.DataFrame({"timestamp": [0.0, 0.5, 1.0], "x_coordinate": [5.0, 6.0, 0.0],
    ...                   "y_coordinate": [-5.0, 0.0, 0.0]})
    >>> locate(s, t, a, pd.DataFrame({"a": [TARGET]}))[["t_ms", "aoi", "n_target"]].values.tolist()
    [[0.0, 0.0, 1.0], [500.0, -1.0, 0.0]]
    """
    t_s = samples[time].to_numpy(dtype=float)
    order = np.argsort(t_s, kind="stable") if np.any(np.diff(t_s) < 0) else None
    frame = samples if order is None else samples.iloc[order]
    t_s = frame[time].to_numpy(dtype=float)
    trial = sample_trials(t_s, trials[onset].to_numpy(float), trials[duration].to_numpy(float))
    keep = trial >= 0
    trial = trial[keep]
    xs = frame[x].to_numpy(dtype=float)[keep]
    ys = frame[y].to_numpy(dtype=float)[keep]
    valid = np.isfinite(xs) & np.isfinite(ys)
    first = np.full(len(trial), OUTSIDE, dtype=np.int64)
    role = np.zeros(len(trial), dtype=np.int8)
    n_target = np.zeros(len(trial), dtype=np.int64)
    n_comparison = np.zeros(len(trial), dtype=np.int64)
    table = roles.to_numpy(dtype=np.int8)
    rects = aois[[aoi_x, aoi_y, width, height]].to_numpy(dtype=float)
    for k, (cx, cy, w, h) in enumerate(rects):  # vectorised over samples; AOIs are few
        role_k = table[trial, k]
        with np.errstate(invalid="ignore"):
            inside = valid & (np.abs(xs - cx) <= w / 2) & (np.abs(ys - cy) <= h / 2) \
                & (role_k != NOT_SHOWN)
        new = inside & (first == OUTSIDE)
        first[new], role[new] = k, role_k[new]
        n_target += inside & (role_k == TARGET)
        n_comparison += inside & (role_k == COMPARISON)
    onsets = trials[onset].to_numpy(float)[trial]
    return pd.DataFrame({
        "trial": trial, "t_ms": (t_s[keep] - onsets) * 1000.0, "x": xs, "y": ys,
        "valid": valid, "aoi": first, "role": role, "n_target": n_target,
        "n_comparison": n_comparison})


def trial_dwell(located: pd.DataFrame, *, n_trials: int, sampling_frequency_hz: float
                ) -> pd.DataFrame:
    """Per trial (one row per position 0 .. n_trials - 1): ``n_samples``, ``n_valid``,
    ``valid_prop`` = n_valid / n_samples (n/a without samples), ``dwell_target_ms`` and
    ``dwell_comparison_ms`` = samples inside the target (comparison) AOIs x 1000 /
    sampling frequency, ``share`` = target / (target + comparison), n/a when both are 0
    (contract §6.1-6.2).

    >>> loc = pd.DataFrame({"trial": [0, 0, 0, 1], "valid": [True, True, False, True],
    ...                     "n_target": [1, 0, 0, 0], "n_comparison": [0, 1, 0, 0]})
    >>> trial_dwell(loc, n_trials=3, sampling_frequency_hz=50.0).values.tolist()[:2]
    [[3.0, 2.0, 0.6666666666666666, 20.0, 20.0, 0.5], [1.0, 1.0, 1.0, 0.0, 0.0, nan]]
    """
    trial = located["trial"].to_numpy(dtype=np.int64)

    def count(weights=None) -> np.ndarray:
        return np.bincount(trial, weights=weights, minlength=n_trials).astype(float)

    n = count()
    n_valid = count(located["valid"].to_numpy(dtype=float))
    ms = 1000.0 / sampling_frequency_hz
    target = count(located["n_target"].to_numpy(dtype=float)) * ms
    comparison = count(located["n_comparison"].to_numpy(dtype=float)) * ms
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "n_samples": n, "n_valid": n_valid,
            "valid_prop": np.where(n > 0, n_valid / n, np.nan),
            "dwell_target_ms": target, "dwell_comparison_ms": comparison,
            "share": np.where(target + comparison > 0, target / (target + comparison), np.nan)})


def samples_for(duration_ms: float, sampling_frequency_hz: float) -> int:
    """ceil(duration_ms x sampling frequency / 1000), at least 1: the samples a fixation of
    ``duration_ms`` needs (contract §6.3).

    >>> samples_for(100, 60), samples_for(100, 59.94), samples_for(100, 1000), samples_for(0, 60)
    (6, 6, 100, 1)
    """
    return max(1, math.ceil(duration_ms * sampling_frequency_hz / 1000.0 - 1e-9))


def first_fixation(located: pd.DataFrame, *, n_trials: int, sampling_frequency_hz: float,
                   min_fixation_ms: float, after_ms: float) -> pd.DataFrame:
    """Per trial: the first run of consecutive valid samples inside one and the same AOI,
    among the samples at ``t_ms`` >= ``after_ms``, that holds at least
    :func:`samples_for` (``min_fixation_ms``) samples (contract §6.3): ``first_aoi`` (its
    AOI position), ``first_target`` (1 when the AOI shows the target category, else 0) and
    ``first_latency_ms`` (t_ms of the run's first sample); all n/a without such a run.
    ``located`` comes from :func:`locate` (time order: a trial's samples are consecutive).

    >>> loc = pd.DataFrame({"trial": [0] * 6, "t_ms": [50., 100., 150., 200., 250., 300.],
    ...                     "aoi": [1, 1, 0, 0, 0, 1], "role": [2, 2, 1, 1, 1, 2]})
    >>> first_fixation(loc, n_trials=2, sampling_frequency_hz=20.0, min_fixation_ms=100,
    ...                after_ms=100).values.tolist()
    [[0.0, 1.0, 150.0], [nan, nan, nan]]
    """
    need = samples_for(min_fixation_ms, sampling_frequency_hz)
    trial = located["trial"].to_numpy(dtype=np.int64)
    aoi = located["aoi"].to_numpy(dtype=np.int64)
    eligible = (located["t_ms"].to_numpy(dtype=float) >= after_ms) & (aoi >= 0)
    key = trial * (int(aoi.max(initial=0)) + 2) + aoi
    same = np.r_[False, eligible[:-1] & (key[1:] == key[:-1])]
    start = eligible & ~same
    run_id = np.cumsum(start) - 1
    lengths = np.bincount(run_id[eligible], minlength=int(start.sum()))
    starts = np.flatnonzero(start)[lengths >= need]
    first_of = starts[np.unique(trial[starts], return_index=True)[1]]
    rows = trial[first_of]
    out = np.full((n_trials, 3), np.nan)
    out[rows, 0] = aoi[first_of]
    out[rows, 1] = located["role"].to_numpy()[first_of] == TARGET
    out[rows, 2] = located["t_ms"].to_numpy(dtype=float)[first_of]
    return pd.DataFrame(out, columns=["first_aoi", "first_target", "first_latency_ms"])


def share_timecourse(located: pd.DataFrame, *, bin_ms: float) -> pd.DataFrame:
    """Per trial x bin of ``bin_ms`` from display onset (bin = floor(t_ms / bin_ms); only
    bins with samples): ``bin_start_ms``, ``n_samples``, ``target_samples``,
    ``comparison_samples`` (sample counts inside the target / comparison AOIs, as in
    :func:`trial_dwell`) and ``share`` = target / (target + comparison), n/a when both are
    0 -- the time course of the dwell share (cf. Sears et al. 2019, Behav Res Methods 51,
    2748-2760, on early and late windows).

    >>> loc = pd.DataFrame({"trial": [0, 0, 0], "t_ms": [0., 400., 600.],
    ...                     "n_target": [1, 0, 0], "n_comparison": [0, 1, 0]})
    >>> share_timecourse(loc, bin_ms=500).values.tolist()
    [[0.0, 0.0, 2.0, 1.0, 1.0, 0.5], [0.0, 500.0, 1.0, 0.0, 0.0, nan]]
    """
    trial = located["trial"].to_numpy(dtype=np.int64)
    bins = np.floor(located["t_ms"].to_numpy(dtype=float) / bin_ms).astype(np.int64)
    width = int(bins.max(initial=0)) + 1
    keys, where = np.unique(trial * width + bins, return_inverse=True)
    n = np.bincount(where, minlength=len(keys)).astype(float)
    tgt = np.bincount(where, weights=located["n_target"].to_numpy(float), minlength=len(keys))
    cmp_ = np.bincount(where, weights=located["n_comparison"].to_numpy(float),
                       minlength=len(keys))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(tgt + cmp_ > 0, tgt / (tgt + cmp_), np.nan)
    return pd.DataFrame({"trial": keys // width, "bin_start_ms": (keys % width) * float(bin_ms),
                         "n_samples": n, "target_samples": tgt,
                         "comparison_samples": cmp_, "share": share})


def heatmap_counts(points: pd.DataFrame, *, by: list[str], x: str = "x", y: str = "y",
                   bin_px: float = 20.0) -> pd.DataFrame:
    """Counts of points per ``by`` group and square bin of ``bin_px`` pixels (a 2-D
    histogram; ``x_px``, ``y_px`` = the bin's centre, (floor(x / bin_px) + 0.5) x bin_px);
    points without x or y are left out.  Sorted by group, x, y.

    >>> p = pd.DataFrame({"k": ["b", "a", "a"], "x": [-1.0, 1.0, 5.0], "y": [0.0, 1.0, 2.0]})
    >>> heatmap_counts(p, by=["k"], bin_px=10).values.tolist()
    [['a', 5.0, 5.0, 2], ['b', -5.0, 5.0, 1]]
    """
    xs, ys = points[x].to_numpy(dtype=float), points[y].to_numpy(dtype=float)
    ok = np.isfinite(xs) & np.isfinite(ys)
    ix = np.floor(xs[ok] / bin_px).astype(np.int64)
    iy = np.floor(ys[ok] / bin_px).astype(np.int64)
    if not ok.any():
        return pd.DataFrame(columns=[*by, "x_px", "y_px", "n_samples"])
    groups = [pd.factorize(points[c].to_numpy()[ok], sort=True) for c in by]
    key = np.zeros(len(ix), dtype=np.int64)
    for codes, uniques in groups:
        key = key * len(uniques) + codes
    nx, ny = int(ix.max() - ix.min()) + 1, int(iy.max() - iy.min()) + 1
    key = (key * nx + (ix - ix.min())) * ny + (iy - iy.min())
    counts = np.bincount(key)
    cells = np.flatnonzero(counts)
    counts = counts[cells]
    out = {"y_px": (cells % ny + iy.min() + 0.5) * bin_px}
    cells = cells // ny
    out["x_px"] = (cells % nx + ix.min() + 0.5) * bin_px
    cells = cells // nx
    for name, (codes, uniques) in reversed(list(zip(by, groups))):
        out[name] = np.asarray(uniques)[cells % len(uniques)]
        cells = cells // len(uniques)
    frame = pd.DataFrame({name: out[name] for name in [*by, "x_px", "y_px"]})
    return frame.assign(n_samples=counts)


def trial_validity(v: pd.DataFrame, *, min_valid_sample_prop: float) -> tuple:
    """(valid 1/0, reason) per trial (contract §6.1), from :func:`trial_dwell`'s values and
    ``type_ok`` (trial_type is ``<target>-<comparison>``): invalid when trial_type is not,
    without samples, or with a proportion of valid samples below the cut-off (reason
    ``gaze: 38% valid samples``, the percentage rounded down).

    >>> v = pd.DataFrame({"type_ok": [True, True, True], "n_samples": [8, 8, 0],
    ...                   "valid_prop": [0.375, 0.5, np.nan]})
    >>> [x.tolist() for x in trial_validity(v, min_valid_sample_prop=0.5)]
    [[0, 1, 0], ['gaze: 37% valid samples', None, 'gaze: no samples']]
    """
    has = v["type_ok"].to_numpy() & (v["n_samples"].to_numpy() > 0)
    valid = (has & (v["valid_prop"].to_numpy() >= min_valid_sample_prop)).astype(int)
    why = np.where(~v["type_ok"].to_numpy(), "trial_type is not <target>-<comparison>",
                   np.where(has, None, "gaze: no samples")).astype(object)
    low = has & (valid == 0)
    why[low] = [f"gaze: {int(np.floor(p * 100 + 1e-9))}% valid samples"
                for p in v["valid_prop"].to_numpy()[low]]
    return valid, why


def condition_measures(trials: pd.DataFrame, *, by: list[str], min_trials: int,
                       valid: str = "valid") -> pd.DataFrame:
    """Per ``by`` cell (contract §6.4): over the valid trials (``valid`` = 1),
    ``dwell_share`` (mean ``share``, n/a shares left out), ``dwell_target_ms``,
    ``dwell_comparison_ms`` (means), ``first_target_prop`` and ``first_latency_ms`` (means
    over trials with a first fixation), ``n_trials`` (valid trials); over all its trials
    ``valid_sample_prop`` = sum ``n_valid`` / sum ``n_samples``.  Fewer than ``min_trials``
    valid trials: n/a for all but n_trials and valid_sample_prop.

    >>> t = pd.DataFrame({"c": "a", "valid": [1, 1, 0], "share": [0.2, 0.6, np.nan],
    ...     "dwell_target_ms": [100., 300., 0.], "dwell_comparison_ms": [400., 200., 0.],
    ...     "first_target": [0., 1., np.nan], "first_latency_ms": [200., 300., np.nan],
    ...     "n_samples": [10, 10, 10], "n_valid": [10, 8, 2]})
    >>> cells = condition_measures(t, by=["c"], min_trials=2)
    >>> cells.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'c': 'a', 'dwell_share': 0.4, 'dwell_target_ms': 200.0, 'dwell_comparison_ms': 300.0,
      'first_target_prop': 0.5, 'first_latency_ms': 250.0, 'n_trials': 2,
      'valid_sample_prop': 0.6666666666666666}]
    """
    ok = trials[trials[valid] == 1]
    means = ok.groupby(by, sort=True)[["share", "dwell_target_ms", "dwell_comparison_ms",
                                       "first_target", "first_latency_ms"]].mean()
    means.columns = ["dwell_share", "dwell_target_ms", "dwell_comparison_ms",
                     "first_target_prop", "first_latency_ms"]
    sums = trials.groupby(by, sort=True)[["n_valid", "n_samples"]].sum()
    cells = sums.join(means).join(ok.groupby(by).size().rename("n_trials"))
    cells["n_trials"] = cells["n_trials"].fillna(0).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["valid_sample_prop"] = cells["n_valid"] / cells["n_samples"].where(
            cells["n_samples"] > 0)
    cells.loc[cells["n_trials"] < min_trials, list(means.columns)] = np.nan
    return cells[[*means.columns, "n_trials", "valid_sample_prop"]].reset_index()
