"""physio.tsv and physio_timecourse.tsv from the per-cue heart-rate responses gathered by
:mod:`analysis.physio_files` (contract section 8), and the step of ``icb score`` that writes
them (:func:`score`).

Per participant x session x task x cue class: ``hr_change_bpm_<window>`` = the mean over
its valid cues of (mean HR in the window - mean HR in the baseline window), ``n_cues`` =
those cues, ``n_cues_excluded`` = the others; ``hr_baseline_bpm`` = the mean baseline HR;
``hf_hrv_ln_ms2`` = the mean HF-HRV of its cues of ``min_rsa_cue_s`` or more (only classes
that have such cues).  A class with fewer than ``min_valid_cues`` valid cues keeps n_cues
and n_cues_excluded, its values are n/a and exclusions.tsv says why.

physio_timecourse.tsv: per group x session x task x cue class x bin, the mean over
participants of each participant's mean HR change in the bin (bpm, relative to each cue's
baseline), its SD (ddof 1), n_participants and n_cues.

>>> cues = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "run": 1, "task": "cry",
...     "cue_class": "infant", "excluded": [0.0, 0.0, 1.0], "hr_baseline_bpm": [75., 77., None],
...     "hr_change_bpm_0_2s": [-4.0, -6.0, None], "hf_hrv_ln_ms2": None, "n_beats": 99.0,
...     "beats_corrected": 0.0, "beats_rejected": 1.0, "signal_gaps": 0.0, "gap_s": 0.0,
...     "recording_s": 60.0})
>>> t, _ = class_table(cues, windows=[[0.0, 2.0]], min_valid_cues=2)
>>> t[["measure", "value", "n_cues", "n_cues_excluded"]].values.tolist()
[['hr_baseline_bpm', 76.0, 2, 1], ['hr_change_bpm_0_2s', -5.0, 2, 1]]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io, physio
from analysis.physio_files import (BASELINE_MEASURE, HF_MEASURE, PHYSIO_COLUMNS, PHYSIO_FILE,
                                   QUALITY, TIMECOURSE_COLUMNS, TIMECOURSE_FILE, collect)
from analysis.scorer import SCORE_COLUMNS

KEY = ["participant_id", "session", "task", "cue_class"]


def class_table(cues: pd.DataFrame, *, windows: list, min_valid_cues: int
                ) -> tuple[pd.DataFrame, list[dict]]:
    """(physio.tsv rows, exclusions) from the per-cue frame (module docstring)."""
    measures = [(BASELINE_MEASURE, "hr_baseline_bpm", np.nan, np.nan)] + [
        (f"hr_change_bpm_{physio.window_name(*w)}", f"hr_change_bpm_{physio.window_name(*w)}",
         w[0], w[1]) for w in windows]
    rows, exclusions = [], []
    for key, d in cues.groupby(KEY, sort=True):
        ok = d[d["excluded"] == 0]
        n_ok, n_bad = len(ok), len(d) - len(ok)
        quality = d.drop_duplicates("run")[QUALITY].sum().to_dict()
        enough = n_ok >= min_valid_cues
        if not enough:
            exclusions.append({"participant_id": key[0], "session": key[1], "task": key[2],
                               "reason": f"physio: {key[3]}: {n_ok} valid cues (fewer than "
                               f"{min_valid_cues}): heart-rate scores n/a"})
        base = {"participant_id": key[0], "session": key[1], "task": key[2],
                "condition": key[3], "run": int(d["run"].iloc[0]), "n_cues_excluded": n_bad,
                **quality}
        for measure, column, w0, w1 in measures:
            value = ok[column].mean() if enough and n_ok else np.nan
            rows.append({**base, "measure": measure, "value": value, "window_start_s": w0,
                         "window_end_s": w1, "n_cues": n_ok})
        hf = ok[HF_MEASURE].dropna() if HF_MEASURE in ok else pd.Series(dtype=float)
        if len(hf):
            rows.append({**base, "measure": HF_MEASURE, "value": hf.mean() if enough else np.nan,
                         "window_start_s": 0.0, "window_end_s": np.nan, "n_cues": len(hf)})
    table = pd.DataFrame(rows, columns=PHYSIO_COLUMNS)
    return table.astype({"run": "Int64", "n_cues": "Int64", "n_cues_excluded": "Int64"}), \
        exclusions


def timecourse_table(bins: pd.DataFrame, groups: dict, *, bin_s: float) -> pd.DataFrame:
    """physio_timecourse.tsv (module docstring); ``groups``: participant_id -> group
    (``all`` for a participant without one).

    >>> b = pd.DataFrame({"participant_id": ["a", "a", "b"], "session": "pre", "task": "cry",
    ...     "cue_class": "infant", "bin_start_s": 0.0, "hr_change_bpm": [-2.0, -4.0, -5.0]})
    >>> timecourse_table(b, {}, bin_s=0.5)[["group", "hr_change_bpm", "n_participants",
    ...                                     "n_cues"]].values.tolist()
    [['all', -4.0, 2, 3]]
    """
    if bins is None or bins.empty:
        return pd.DataFrame(columns=TIMECOURSE_COLUMNS)
    b = bins.dropna(subset=["hr_change_bpm"])
    per = b.groupby([*KEY, "bin_start_s"], sort=True)["hr_change_bpm"].agg(
        ["mean", "count"]).reset_index()
    per["group"] = [groups.get(p) if groups.get(p) not in (None, "n/a") else "all"
                    for p in per["participant_id"]]
    out = per.groupby(["task", "group", "session", "cue_class", "bin_start_s"], sort=True).agg(
        hr_change_bpm=("mean", "mean"), sd_bpm=("mean", "std"),
        n_participants=("mean", "size"), n_cues=("count", "sum")).reset_index()
    out["bin_end_s"] = out["bin_start_s"] + bin_s
    return out.rename(columns={"cue_class": "condition"})[TIMECOURSE_COLUMNS]


def score(ds, settings: dict, out: Path) -> tuple[pd.DataFrame, list[dict], list[str]]:
    """Score the ECG beside every scored run of ``ds`` (:class:`analysis.dataset.Dataset`)
    and write physio.tsv and physio_timecourse.tsv into ``out`` when any ECG recording was
    found; returns (change rows in SCORE_COLUMNS, exclusions without run, warnings)."""
    s = settings["physio"]
    got = collect(ds.trials, ds.paradigms, ds.files, settings)
    empty = pd.DataFrame(columns=SCORE_COLUMNS)
    if not got.found:
        return empty, [], []
    cues = pd.concat(got.cues, ignore_index=True) if got.cues else None
    table, excl = (class_table(cues, windows=s["response_windows_s"],
                               min_valid_cues=s["min_valid_cues"])
                   if cues is not None else (pd.DataFrame(columns=PHYSIO_COLUMNS), []))
    bins = pd.concat(got.bins, ignore_index=True) if got.bins else None
    groups = dict(zip(ds.participants.get("participant_id", []),
                      ds.participants.get("group", [])))
    io.write_tsv(table, out / PHYSIO_FILE, PHYSIO_COLUMNS)
    io.write_tsv(timecourse_table(bins, groups, bin_s=s["timecourse_bin_s"]),
                 out / TIMECOURSE_FILE, TIMECOURSE_COLUMNS)
    change = table[table["measure"] != BASELINE_MEASURE][SCORE_COLUMNS]
    return change.reset_index(drop=True), got.exclusions + excl, got.warnings
