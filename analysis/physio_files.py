"""The physiology score files of ``icb score``: ``physio.tsv`` and ``physio_timecourse.tsv``
(contract section 8), from the ECG recorded beside each scored run.

Beside ``sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv``: ``..._recording-ecg_physio.tsv.gz``
and its ``.json`` sidecar (``Columns``: ``timestamp`` on the run clock, then the channels;
the ECG channel is the first whose name starts with ``ECG``, else the second column;
``SamplingFrequency`` in Hz).  Read with :func:`analysis.io.read_physio` (every whole gzip
member; a cut last member gives a warning).  Other recordings (``recording-eda`` ...) are
not scored; ``recording-eye1`` belongs to the free-viewing scorer.  A recording that cannot be
used is listed in exclusions.tsv with its reason and the rest is scored.  Cues:
:mod:`analysis.physio_cues`; heart rate and windows: :mod:`analysis.physio`.

physio.tsv, one row per participant x session x task x cue class x measure: the columns of
scores.tsv (condition = the cue class), then run, window_start_s, window_end_s, n_cues (valid
cues averaged), n_cues_excluded, and the recording's quality: n_beats, beats_corrected
(NeuroKit2's artifact correction), beats_rejected (R-R outside the physiological range),
signal_gaps, gap_s, recording_s.  Measures: ``hr_baseline_bpm``, ``hr_change_bpm_<a>_<b>s``
per response window, and ``hf_hrv_ln_ms2`` for classes with cues of ``min_rsa_cue_s`` or
more.  The HR changes (and hf_hrv_ln_ms2) enter change.tsv and rci.tsv.

>>> ecg_path(Path("d/sub-1/ses-pre/beh/sub-1_ses-pre_task-cry_run-1_events.tsv")).name
'sub-1_ses-pre_task-cry_run-1_recording-ecg_physio.tsv.gz'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io, physio, physio_cues
from icb.bids import BidsName
from analysis.scorer import SCORE_COLUMNS

RECORDING = "ecg"
PHYSIO_FILE, TIMECOURSE_FILE = "physio.tsv", "physio_timecourse.tsv"
QUALITY = ["n_beats", "beats_corrected", "beats_rejected", "signal_gaps", "gap_s",
           "recording_s"]
PHYSIO_COLUMNS = [*SCORE_COLUMNS, "run", "window_start_s", "window_end_s", "n_cues",
                  "n_cues_excluded", *QUALITY]
TIMECOURSE_COLUMNS = ["task", "group", "session", "condition", "bin_start_s", "bin_end_s",
                      "hr_change_bpm", "sd_bpm", "n_participants", "n_cues"]
HF_MEASURE, BASELINE_MEASURE = "hf_hrv_ln_ms2", "hr_baseline_bpm"


class NotScorable(Exception):
    """An ECG recording that cannot be scored; the message is the reason."""


def ecg_path(events_path: Path) -> Path:
    """The ECG recording of the run of ``events_path``."""
    return BidsName.beside(events_path, RECORDING)


def read_ecg(path: Path) -> tuple[np.ndarray, np.ndarray, float, list[str]]:
    """(times s, ECG values, SamplingFrequency Hz, warnings); NotScorable with the reason."""
    try:
        sidecar = io.read_json_object(path.with_name(path.name[: -len(".tsv.gz")] + ".json"))
        columns = sidecar.get("Columns")
        if not isinstance(columns, list) or len(columns) < 2 or columns[0] != "timestamp":
            raise NotScorable(f"{path.name}: the sidecar's Columns {columns!r}; allowed: a "
                              "list starting with timestamp, then the ECG channel(s)")
        named = [c for c in columns[1:] if isinstance(c, str) and c.upper().startswith("ECG")]
        channel = named[0] if named else columns[1]
        samples, sidecar, warnings = io.read_physio(path, wanted=("timestamp", channel))
    except io.UnreadableFile as exc:
        raise NotScorable(str(exc)) from None
    rate = sidecar.get("SamplingFrequency")
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not math.isfinite(rate) \
            or not rate > 0:
        raise NotScorable(f"{path.name}: SamplingFrequency {rate!r} in the sidecar; allowed: "
                          "a positive number (Hz)")
    return (samples["timestamp"].to_numpy(float), samples[channel].to_numpy(float),
            float(rate), warnings)


def beats_of(times_s, values, rate_hz: float, s: dict) -> tuple[list, pd.DataFrame, dict]:
    """(beat times per piece, gaps, quality counts) of one recording."""
    pieces, gaps = physio.resample(times_s, values, rate_hz=rate_hz,
                                   max_gap_samples=s["max_gap_samples"])
    beats, corrected, short = [], 0, []
    for t0, signal in pieces:
        length_s = len(signal) / rate_hz
        if length_s < s["min_segment_s"]:
            short.append((t0, t0 + length_s))
            continue
        peaks, n_fixed = physio.r_peaks(signal, rate_hz=rate_hz, method=s["rpeak_method"])
        beats.append(t0 + peaks / rate_hz)
        corrected += n_fixed
    if short:
        gaps = pd.concat([gaps, pd.DataFrame(short, columns=["start_s", "end_s"])],
                         ignore_index=True).sort_values("start_s").reset_index(drop=True)
    ok = np.isfinite(times_s) & np.isfinite(values)
    span = (float(np.min(times_s[ok])), float(np.max(times_s[ok]))) if ok.any() else (0., 0.)
    quality = {"n_beats": float(sum(len(b) for b in beats)), "beats_corrected": float(corrected),
               "signal_gaps": float(len(gaps)),
               "gap_s": float((gaps["end_s"] - gaps["start_s"]).sum()) if len(gaps) else 0.0,
               "recording_s": span[1] - span[0], "span": span}
    return beats, gaps, quality


def _hf(cue_rows: pd.DataFrame, beats: list, gaps: pd.DataFrame, s: dict) -> np.ndarray:
    """HF-HRV (ln ms^2) of each cue at least ``min_rsa_cue_s`` long, NaN for the others and
    for cues with a gap inside."""
    out = np.full(len(cue_rows), np.nan)
    for k, (onset, length) in enumerate(zip(cue_rows["onset_s"], cue_rows["duration_s"])):
        if not length >= s["min_rsa_cue_s"]:
            continue
        if len(gaps) and ((gaps["start_s"] < onset + length) & (gaps["end_s"] > onset)).any():
            continue
        for b in beats:
            inside = b[(b >= onset) & (b <= onset + length)]
            if len(inside) > 10:
                out[k] = physio.hf_power(inside, rr_min_ms=s["rr_min_ms"],
                                         rr_max_ms=s["rr_max_ms"])
    return out


@dataclass
class Collected:
    """What the recordings of every label gave, gathered run by run."""

    cues: list = field(default_factory=list)  # per-cue frames (with task, quality)
    bins: list = field(default_factory=list)
    exclusions: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    found: int = 0  # ECG recordings met (read or not)


def score_run(label: str, run_cues: pd.DataFrame, path: Path, s: dict, got: Collected) -> None:
    """One run's ECG: its cues' responses, bins, exclusions (into ``got``)."""
    unit = run_cues.iloc[0]
    try:
        times, values, rate, warnings = read_ecg(path)
    except NotScorable as exc:
        got.exclusions.append({"participant_id": unit["participant_id"],
                               "session": unit["session"], "task": label,
                               "reason": f"physio: {exc}; heart rate not scored"})
        return
    got.warnings += [f"physio: {w}" for w in warnings]
    beats, gaps, quality = beats_of(times, values, rate, s)
    rr = physio.rr_intervals(beats, rr_min_ms=s["rr_min_ms"], rr_max_ms=s["rr_max_ms"])
    quality["beats_rejected"] = float((~rr["valid"]).sum())
    span = quality.pop("span")
    windows = [tuple(w) for w in s["response_windows_s"]]
    per_cue = physio.cue_responses(rr, run_cues, gaps=gaps, span_s=span,
                                   baseline_s=tuple(s["baseline_window_s"]), windows_s=windows,
                                   min_beat_coverage=s["min_beat_coverage"])
    per_cue[HF_MEASURE] = np.where(per_cue["excluded"] == 1, np.nan,
                                   _hf(per_cue, beats, gaps, s))
    for r in per_cue[per_cue["excluded"] == 1].itertuples():
        got.exclusions.append({"participant_id": r.participant_id, "session": r.session,
                               "task": label, "reason": f"physio: {r.cue_class} cue at "
                               f"{r.onset_s:.2f} s excluded: {r.reason}"})
    got.cues.append(per_cue.assign(task=label, **quality))
    ok = per_cue[per_cue["excluded"] == 0]
    bins = physio.bin_changes(rr, ok["onset_s"].to_numpy(float),
                              ok["hr_baseline_bpm"].to_numpy(float),
                              range_s=tuple(s["timecourse_range_s"]), bin_s=s["timecourse_bin_s"])
    meta = ok[["participant_id", "session", "cue_class"]].reset_index(drop=True)
    got.bins.append(pd.concat([meta.iloc[bins["cue"].to_numpy(int)].reset_index(drop=True),
                               bins[["bin_start_s", "hr_change_bpm"]]], axis=1).assign(task=label))


def collect(trials: dict, paradigms: dict, files: dict, settings: dict) -> Collected:
    """Every scored run with an ECG recording beside it (``trials``, ``paradigms``, ``files``:
    those of :class:`analysis.dataset.Dataset`)."""
    s, got = settings["physio"], Collected()
    for label in sorted(trials):
        all_cues = physio_cues.cues(trials[label], paradigms[label], test_phase=s["test_phase"])
        for (pid, ses), events_path in sorted(files.get(label, {}).items()):
            path = ecg_path(events_path)
            sidecar = path.with_name(path.name[: -len(".tsv.gz")] + ".json")
            if not (path.exists() or path.is_symlink() or sidecar.exists()):
                continue
            got.found += 1
            run_cues = all_cues[(all_cues["participant_id"] == pid)
                                & (all_cues["session"] == ses)].reset_index(drop=True)
            if not len(run_cues):
                got.warnings.append(f"physio: {path.name}: the run has no test cues; not scored")
                continue
            score_run(label, run_cues, path, s, got)
    return got
