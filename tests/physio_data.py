"""Planted heart rate for the physio tests: ECG whose R-peaks follow a known heart-rate curve.

Heart rate: 75 bpm, plus after each cue onset a deceleration DEPTH_BPM[class] x
sin^2(pi tau / 6) for tau = 0 .. 6 s after onset, plus beat-to-beat R-R noise (SD 4 ms).
Beats are placed one by one: R_{i+1} = R_i + 60 / HR(R_i + 0.4 s) + noise.  The ECG is a
beat template (Q, R, S, T as Gaussians, mV) at each beat, sampled at 250 Hz with jittered
(LSL-like) time stamps, plus white noise.  The planted change per window is the mean of the
curve over the window minus its mean over the baseline window (0 before onset):
:func:`planted_change`.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from analysis_data import write_run

RATE_HZ = 250.0
BASE_BPM = 75.0
DEPTH_BPM = {"infant": -9.0, "rotated": -3.0, "noise": 0.0}
CUE_EVERY_S = 10.0
FIRST_CUE_S = 10.0
TAIL_S = 10.0


def deceleration(tau_s: np.ndarray, depth_bpm: float) -> np.ndarray:
    tau = np.asarray(tau_s, float)
    inside = (tau >= 0) & (tau <= 6.0)
    return np.where(inside, depth_bpm * np.sin(np.pi * tau / 6.0) ** 2, 0.0)


def planted_change(cue_class: str, w0: float, w1: float) -> float:
    """Mean planted HR change in [w0, w1) s after onset (the baseline is 0)."""
    tau = np.linspace(w0, w1, 4001)
    return float(deceleration(tau, DEPTH_BPM[cue_class]).mean())


def hr_curve(t_s: float, onsets: np.ndarray, classes: list[str]) -> float:
    return BASE_BPM + sum(float(deceleration(np.array([t_s - o]), DEPTH_BPM[c])[0])
                          for o, c in zip(onsets, classes) if -1 < t_s - o < 7)


def beats(onsets: np.ndarray, classes: list[str], end_s: float, rng) -> np.ndarray:
    out = [0.3]
    while out[-1] < end_s:
        hr = hr_curve(out[-1] + 0.4, onsets, classes)
        out.append(out[-1] + 60.0 / hr + rng.normal(0, 0.004))
    return np.array(out)


def ecg(times_s: np.ndarray, beat_s: np.ndarray, rng) -> np.ndarray:
    """Template sum at the beats (each wave: (offset s, width s, amplitude mV))."""
    waves = [(-0.03, 0.010, -0.15), (0.0, 0.008, 1.2), (0.03, 0.010, -0.25),
             (0.25, 0.040, 0.30), (-0.16, 0.025, 0.10)]
    signal = rng.normal(0, 0.02, len(times_s))
    idx = np.searchsorted(beat_s, times_s)
    for shift in (-1, 0):
        b = beat_s[np.clip(idx + shift, 0, len(beat_s) - 1)]
        for off, width, amp in waves:
            signal += amp * np.exp(-0.5 * ((times_s - b - off) / width) ** 2)
    return signal


def schedule(rng, n_per_class: int = 4) -> tuple[np.ndarray, list[str]]:
    classes = [c for c in DEPTH_BPM for _ in range(n_per_class)]
    classes = [classes[k] for k in rng.permutation(len(classes))]
    return FIRST_CUE_S + CUE_EVERY_S * np.arange(len(classes)), classes


def cry_rows(onsets: np.ndarray, classes: list[str]) -> list[dict]:
    """cryrating events rows: two scales per sound (onset = the scale's flip)."""
    rows, i = [], 0
    for k, (o, c) in enumerate(zip(onsets.tolist(), classes)):
        for j, scale in enumerate(("urgent", "aversive")):
            i += 1
            rows.append({"onset": o + 1.0 + 2.5 * j, "duration": 2.0, "trial_index": i,
                         "phase": "test", "block": 1, "stim_id": f"snd{k:02d}", "category": c,
                         "valence": "high_distress", "baby_schema": None, "scale": scale,
                         "scale_min": 1.0, "scale_max": 7.0, "rating": 4.0,
                         "rating_rt_ms": 900.0, "audio_onset_requested_s": o - 0.004,
                         "audio_onset_reported_s": o, "audio_onset_error_ms": 4.0})
    return rows


def write_ecg(events_path: Path, times_s: np.ndarray, values: np.ndarray, *, members: int = 1,
              cut_tail_s: float = 0.0) -> Path:
    """The BIDS physio pair beside ``events_path``: ``members`` whole gzip members; with
    ``cut_tail_s`` the samples of the last ``cut_tail_s`` s go into one more member cut short
    (a killed run)."""
    stem = events_path.name[: -len("_events.tsv")]
    path = events_path.with_name(f"{stem}_recording-ecg_physio.tsv.gz")
    lines = np.array([f"{t!r}\t{'n/a' if np.isnan(v) else repr(v)}\n"
                      for t, v in zip(times_s.tolist(), values.tolist())], dtype=object)
    tail = times_s >= times_s.max() - cut_tail_s if cut_tail_s else np.zeros(len(lines), bool)
    blob = b"".join(gzip.compress("".join(part).encode()) for part in
                    np.array_split(lines[~tail], members))
    if tail.any():
        cut = gzip.compress("".join(lines[tail]).encode())
        blob += cut[: len(cut) // 2]
    path.write_bytes(blob)
    path.with_name(f"{stem}_recording-ecg_physio.json").write_text(json.dumps({
        "Columns": ["timestamp", "ECG"], "SamplingFrequency": RATE_HZ,
        "StartTime": float(times_s[0]), "Manufacturer": "test", "StreamStopped_s": None}))
    return path


def write_participant(root: Path, pid: str, session: str, group: str, rng, *,
                      gap_s: tuple[float, float] | None = None, **ecg_options) -> dict:
    """One cryrating run with its ECG; returns the truth (onsets, classes, events path)."""
    onsets, classes = schedule(rng)
    end_s = onsets[-1] + TAIL_S
    events_path = write_run(root, pid, session, "cryrating", cry_rows(onsets, classes),
                            group=group)
    times = np.arange(0.0, end_s, 1.0 / RATE_HZ) + rng.normal(0, 0.0004, int(
        np.ceil(end_s * RATE_HZ)))[: len(np.arange(0.0, end_s, 1.0 / RATE_HZ))]
    if gap_s is not None:
        times = times[(times < gap_s[0]) | (times >= gap_s[1])]
    values = ecg(times, beats(onsets, classes, end_s + 1, rng), rng)
    write_ecg(events_path, times, values, **ecg_options)
    return {"onsets": onsets, "classes": classes, "events": events_path}
