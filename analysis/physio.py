"""Heart rate to cues from an ECG recording (contract section 8): uniform resampling with
signal gaps, R-peaks (NeuroKit2), R-R intervals, heart rate as a continuous signal, and the
heart-rate change from a baseline window to response windows around each cue onset.

Steps (every number is a setting of the ``physio`` section of the scoring config):

1. :func:`resample` -- samples with an ECG value, sorted by ``timestamp`` (the run clock), are
   cut wherever two neighbours lie more than ``max_gap_samples`` nominal sample periods
   apart (a *signal gap*; never interpolated across), and each piece is linearly
   interpolated onto a uniform grid at the nominal ``SamplingFrequency``.
2. :func:`r_peaks` -- per piece, ``nk.ecg_clean`` and ``nk.ecg_peaks`` with NeuroKit2's
   artifact correction (Kubios method; Makowski et al. 2021, Behav Res Methods
   53:1689-1696).  A piece shorter than ``min_segment_s`` is counted as a gap.
3. :func:`rr_intervals` -- consecutive R-peaks of one piece; an interval outside
   [``rr_min_ms``, ``rr_max_ms``] is rejected (not physiological).
4. Heart rate is the step function HR(t) = 60000 / RR_i (bpm) for t in (R_{i-1}, R_i];
   the mean HR in a window [a, b) is the time-weighted mean over the valid intervals,
   sum(HR_i * overlap_i) / sum(overlap_i) (:func:`window_mean`; the "weighted average" of
   Graham 1978 used for second-by-second cardiac responses).
5. :func:`cue_responses` -- per cue: baseline = mean HR in [onset + b0, onset + b1),
   change in window w = mean HR in [onset + w0, onset + w1) - baseline (bpm).  A cue is
   excluded, with its reason, when a window lies outside the recording, overlaps a signal
   gap, or its valid R-R intervals cover less than ``min_beat_coverage`` of it.
6. :func:`hf_power` -- for cues of ``min_rsa_cue_s`` or more, RSA as HF-HRV: the R-R
   series over the cue interpolated at 4 Hz (cubic), linearly detrended, Welch power
   spectrum, power in 0.15-0.4 Hz in ms^2, reported as ln(ms^2) (Task Force 1996).

The windows (baseline -1 to 0 s, responses 0-2, 2-4, 4-6 s) follow the cue-reactivity
heart-rate windows of Garland, Froeliger & Howard (2014) and the cry-response windows of
Joosen et al. (2013).

>>> beats = np.arange(0.0, 20.0, 0.75)                   # 80 bpm throughout
>>> rr = rr_intervals([beats], rr_min_ms=300, rr_max_ms=2000)
>>> window_mean(rr, 5.0, 7.0)
(80.0, 1.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RR_COLUMNS = ["start_s", "end_s", "rr_ms", "hr_bpm", "valid"]
HF_BAND_HZ = (0.15, 0.4)
RR_RESAMPLE_HZ = 4.0


def resample(times_s: np.ndarray, values: np.ndarray, *, rate_hz: float,
             max_gap_samples: float) -> tuple[list[tuple[float, np.ndarray]], pd.DataFrame]:
    """(pieces, gaps): each piece is (first time s, values on a grid of 1 / rate_hz s);
    gaps has start_s, end_s of every interval longer than ``max_gap_samples`` / rate_hz
    between samples with a value (missing values are dropped first).

    >>> t = np.array([0.0, 0.01, 0.02, 0.03, 0.5, 0.51])
    >>> pieces, gaps = resample(t, np.arange(6.0), rate_hz=100, max_gap_samples=3)
    >>> [(p[0], p[1].tolist()) for p in pieces], gaps.values.tolist()
    ([(0.0, [0.0, 1.0, 2.0, 3.0]), (0.5, [4.0, 5.0])], [[0.03, 0.5]])
    """
    ok = np.isfinite(times_s) & np.isfinite(values)
    t, v = np.asarray(times_s, float)[ok], np.asarray(values, float)[ok]
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    keep = np.r_[True, np.diff(t) > 0]
    t, v = t[keep], v[keep]
    if not len(t):
        return [], pd.DataFrame(columns=["start_s", "end_s"])
    cut = np.flatnonzero(np.diff(t) > max_gap_samples / rate_hz)
    gaps = pd.DataFrame({"start_s": t[cut], "end_s": t[cut + 1]})
    pieces = []
    for a, b in zip(np.r_[0, cut + 1], np.r_[cut + 1, len(t)]):
        n = int(np.floor((t[b - 1] - t[a]) * rate_hz + 1e-9)) + 1
        grid = t[a] + np.arange(n) / rate_hz
        pieces.append((float(t[a]), np.interp(grid, t[a:b], v[a:b])))
    return pieces, gaps


def r_peaks(signal: np.ndarray, *, rate_hz: float, method: str = "neurokit"
            ) -> tuple[np.ndarray, int]:
    """(R-peak positions in samples, beats corrected) of one uniform ECG piece: NeuroKit2's
    ``ecg_clean`` then ``ecg_peaks`` with ``correct_artifacts=True`` (the corrected count is
    the sum of its ectopic, missed, extra and long-short beats).

    >>> import neurokit2 as nk
    >>> ecg = nk.ecg_simulate(duration=10, sampling_rate=250, heart_rate=60, random_state=1)
    >>> peaks, corrected = r_peaks(ecg, rate_hz=250)
    >>> 9 <= len(peaks) <= 11, corrected
    (True, 0)
    """
    import warnings

    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cleaned = nk.ecg_clean(signal, sampling_rate=rate_hz, method="neurokit")
        _, info = nk.ecg_peaks(cleaned, sampling_rate=rate_hz, method=method,
                               correct_artifacts=True)
    peaks = np.asarray(info["ECG_R_Peaks"], dtype=int)
    corrected = sum(int(np.sum(info.get(f"ECG_fixpeaks_{k}", 0)) if np.ndim(
        info.get(f"ECG_fixpeaks_{k}", 0)) == 0 else len(info[f"ECG_fixpeaks_{k}"]))
        for k in ("ectopic", "missed", "extra", "longshort"))
    return np.unique(peaks), corrected


def rr_intervals(beats_by_piece: list[np.ndarray], *, rr_min_ms: float, rr_max_ms: float
                 ) -> pd.DataFrame:
    """R-R intervals of consecutive beats (times s) within each piece (never across a gap):
    start_s, end_s, rr_ms, hr_bpm = 60000 / rr_ms, valid (rr_ms within the limits).

    >>> rr_intervals([np.array([0.0, 0.75, 1.0])], rr_min_ms=300, rr_max_ms=2000).values.tolist()
    [[0.0, 0.75, 750.0, 80.0, True], [0.75, 1.0, 250.0, 240.0, False]]
    """
    parts = []
    for beats in beats_by_piece:
        b = np.asarray(beats, float)
        if len(b) < 2:
            continue
        rr = np.diff(b) * 1000.0
        parts.append(pd.DataFrame({"start_s": b[:-1], "end_s": b[1:], "rr_ms": rr,
                                   "hr_bpm": 60000.0 / rr,
                                   "valid": (rr >= rr_min_ms) & (rr <= rr_max_ms)}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=bool if c == "valid" else float)
                             for c in RR_COLUMNS})
    return pd.concat(parts, ignore_index=True)[RR_COLUMNS]


def window_mean(rr: pd.DataFrame, start_s: float, end_s: float) -> tuple[float, float]:
    """(mean HR in bpm, coverage) over [start_s, end_s): HR weighted by each valid
    interval's overlap with the window; coverage = the overlap / the window's length
    (NaN mean when nothing overlaps).

    >>> rr = rr_intervals([np.array([0.0, 1.0, 1.5])], rr_min_ms=300, rr_max_ms=2000)
    >>> window_mean(rr, 0.5, 1.5)  # 0.5 s at 60 bpm, 0.5 s at 120 bpm
    (90.0, 1.0)
    """
    means, cover = window_means(rr, np.array([start_s]), end_s - start_s)
    return float(means[0]), float(cover[0])


def window_means(rr: pd.DataFrame, starts_s: np.ndarray, length_s: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`window_mean` of many windows of one length (arrays of means and coverages)."""
    v = rr[rr["valid"].to_numpy(bool)]
    a, b, hr = (v[c].to_numpy(float) for c in ("start_s", "end_s", "hr_bpm"))
    lo = np.asarray(starts_s, float)[:, None]
    overlap = np.clip(np.minimum(b[None, :], lo + length_s) - np.maximum(a[None, :], lo),
                      0.0, None)
    total = overlap.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(total > 0, (overlap * hr[None, :]).sum(axis=1) / total, np.nan)
    return means, total / length_s


def window_name(start_s: float, end_s: float) -> str:
    """A window's part of a measure name.

    >>> window_name(0.0, 2.0), window_name(-1.0, 0.5)
    ('0_2s', '-1_0.5s')
    """
    return f"{start_s:g}_{end_s:g}s"


def _problem(lo: float, hi: float, span: tuple[float, float], gaps: pd.DataFrame) -> str | None:
    if lo < span[0] or hi > span[1]:
        return f"outside the recording ({span[0]:.2f}-{span[1]:.2f} s)"
    hit = gaps[(gaps["start_s"].to_numpy() < hi) & (gaps["end_s"].to_numpy() > lo)]
    if len(hit):
        g = hit.iloc[0]
        return f"in a signal gap ({g['start_s']:.2f}-{g['end_s']:.2f} s)"
    return None


def cue_responses(rr: pd.DataFrame, cues: pd.DataFrame, *, gaps: pd.DataFrame,
                  span_s: tuple[float, float], baseline_s: tuple[float, float],
                  windows_s: list[tuple[float, float]], min_beat_coverage: float
                  ) -> pd.DataFrame:
    """Per cue (``cues``: onset_s, ...): hr_baseline_bpm, one ``hr_change_bpm_<window>``
    column per response window (mean HR in the window - baseline), excluded (1/0) and
    reason.  ``span_s`` = (first, last) sample time of the recording.

    >>> beats = np.arange(0.0, 30.0, 0.75)
    >>> rr = rr_intervals([beats], rr_min_ms=300, rr_max_ms=2000)
    >>> cues = pd.DataFrame({"onset_s": [10.0, 29.0]})
    >>> out = cue_responses(rr, cues, gaps=pd.DataFrame(columns=["start_s", "end_s"]),
    ...     span_s=(0.0, 30.0), baseline_s=(-1.0, 0.0), windows_s=[(0.0, 2.0)],
    ...     min_beat_coverage=0.5)
    >>> out[["hr_change_bpm_0_2s", "excluded"]].values.tolist(), out["reason"].iloc[1]
    ([[0.0, 0.0], [nan, 1.0]], 'window 0-2 s outside the recording (0.00-30.00 s)')
    """
    out = cues.copy().reset_index(drop=True)
    onset = out["onset_s"].to_numpy(float)
    reason = np.full(len(out), None, dtype=object)
    named = [("baseline", baseline_s)] + [(window_name(*w), w) for w in windows_s]
    values = {}
    for name, (w0, w1) in named:
        means, cover = window_means(rr, onset + w0, w1 - w0)
        values[name] = means
        label = "baseline" if name == "baseline" else "window"
        for k in np.flatnonzero(pd.isna(reason)):
            why = _problem(onset[k] + w0, onset[k] + w1, span_s, gaps)
            if why is None and not cover[k] >= min_beat_coverage:
                why = (f"valid R-R intervals cover {cover[k] * 100:.0f}% (less than "
                       f"{min_beat_coverage * 100:g}%; beats rejected)")
            if why is not None:
                reason[k] = f"{label} {w0:g}-{w1:g} s {why}"
    bad = pd.notna(reason)
    out["hr_baseline_bpm"] = np.where(bad, np.nan, values["baseline"])
    for name, _ in named[1:]:
        out[f"hr_change_bpm_{name}"] = np.where(bad, np.nan,
                                                values[name] - values["baseline"])
    out["excluded"], out["reason"] = bad.astype(float), reason
    return out


def bin_changes(rr: pd.DataFrame, onsets_s: np.ndarray, baseline_bpm: np.ndarray, *,
                range_s: tuple[float, float], bin_s: float) -> pd.DataFrame:
    """Per cue x bin from range_s[0] to range_s[1] (bins of bin_s): the mean HR in the bin
    minus the cue's baseline (bpm); long table cue, bin_start_s, hr_change_bpm.

    >>> rr = rr_intervals([np.arange(0.0, 20.0, 0.75)], rr_min_ms=300, rr_max_ms=2000)
    >>> bin_changes(rr, np.array([10.0]), np.array([80.0]), range_s=(-1.0, 0.0),
    ...             bin_s=0.5).values.tolist()
    [[0.0, -1.0, 0.0], [0.0, -0.5, 0.0]]
    """
    starts = np.arange(range_s[0], range_s[1] - 1e-9, bin_s)
    rows = []
    for start in starts:
        means, _ = window_means(rr, np.asarray(onsets_s, float) + start, bin_s)
        rows.append(pd.DataFrame({"cue": np.arange(len(onsets_s), dtype=float),
                                  "bin_start_s": start, "hr_change_bpm": means - baseline_bpm}))
    if not rows:
        return pd.DataFrame(columns=["cue", "bin_start_s", "hr_change_bpm"])
    return pd.concat(rows, ignore_index=True).sort_values(["cue", "bin_start_s"],
                                                          kind="stable").reset_index(drop=True)


def hf_power(beats_s: np.ndarray, *, rr_min_ms: float, rr_max_ms: float) -> float:
    """ln of the HF power (0.15-0.4 Hz, ms^2) of the R-R series of ``beats_s`` (one piece,
    times s): RR at each beat, cubic interpolation at 4 Hz, linear detrend, Welch PSD
    (segments of at most 256 points), integrated over the band (Task Force 1996).  NaN with
    fewer than 10 valid intervals or when an interval is out of range.

    >>> k = np.arange(60)                     # RR = 800 + 50 sin(2 pi 0.25 t) ms
    >>> t = np.cumsum(0.8 + 0.05 * np.sin(2 * np.pi * 0.25 * 0.8 * k))
    >>> round(float(np.exp(hf_power(t, rr_min_ms=300, rr_max_ms=2000))), -2)  # ~ 50^2 / 2
    1200.0
    """
    from scipy import interpolate, signal

    b = np.asarray(beats_s, float)
    rr = np.diff(b) * 1000.0
    if len(rr) < 10 or ((rr < rr_min_ms) | (rr > rr_max_ms)).any():
        return float("nan")
    t = b[1:]
    grid = np.arange(t[0], t[-1], 1.0 / RR_RESAMPLE_HZ)
    series = signal.detrend(interpolate.CubicSpline(t, rr)(grid), type="linear")
    freq, psd = signal.welch(series, fs=RR_RESAMPLE_HZ, nperseg=min(256, len(series)))
    band = (freq >= HF_BAND_HZ[0]) & (freq <= HF_BAND_HZ[1])
    power = float(np.trapezoid(psd[band], freq[band])) if band.sum() > 1 else float("nan")
    return float(np.log(power)) if power > 0 else float("nan")
