"""Cue onsets and cue classes from the events rows of any paradigm (contract section 8), for
the heart-rate windows of :mod:`analysis.physio`.

Only rows with ``phase`` == the ``physio.test_phase`` setting.  Per paradigm:

- ``cryrating`` (one row per sound x scale): the cue is the sound; its onset is
  ``audio_onset_reported_s`` when that is a number, else ``audio_onset_requested_s``; one cue
  per distinct sound onset of a run; its length runs to the end of the sound's last row.
- ``rating`` (one row per face x scale): consecutive rows of a run showing the same
  ``stim_id`` are one cue, whose onset is the first row's ``onset`` (the first scale's
  first flip: the events do not record the face's own onset, which comes ``face_ms``
  before it).
- every other paradigm (``dotprobe``, ``keypress``, ``freeview``): one cue per row, onset =
  the row's ``onset`` (for ``freeview`` the display's onset, contract section 6), length =
  its ``duration``.

Cue class: the row's ``category`` when the paradigm has one (infant, adult, rotated, noise
...), else its ``trial_type`` (dot-probe pairs such as ``infant_distress-infant_neutral``,
free-viewing displays), else ``all``.

>>> rows = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "run": 1,
...     "trial_index": [1, 2, 3, 4], "phase": "test", "onset": [5.0, 7.0, 20.0, 22.0],
...     "duration": 2.0, "category": ["infant", "infant", "noise", "noise"],
...     "audio_onset_requested_s": [4.0, 4.0, 19.0, 19.0],
...     "audio_onset_reported_s": [4.01, 4.01, None, None]})
>>> cues(rows, "cryrating", test_phase="test")[["onset_s", "duration_s", "cue_class"]
...     ].values.tolist()
[[4.01, 4.99, 'infant'], [19.0, 5.0, 'noise']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNIT = ["participant_id", "session", "run"]
CUE_COLUMNS = [*UNIT, "onset_s", "duration_s", "cue_class"]


def cue_class(rows: pd.DataFrame) -> np.ndarray:
    """``category`` where present, else ``trial_type``, else ``all`` (text).

    >>> cue_class(pd.DataFrame({"trial_type": ["a-b"], "category": [None]})).tolist()
    ['a-b']
    """
    out = np.full(len(rows), "all", dtype=object)
    for column in ("trial_type", "category"):
        if column in rows:
            values = rows[column]
            have = values.notna().to_numpy()
            out[have] = values[have].astype(str).to_numpy()
    return out


def cues(trials: pd.DataFrame, paradigm: str, *, test_phase: str) -> pd.DataFrame:
    """One row per cue of the test rows of ``trials`` (the rows of one label): participant_id,
    session, run, onset_s, duration_s, cue_class (module docstring for the rules)."""
    rows = trials[trials["phase"].astype(str) == test_phase]
    rows = rows.sort_values([*UNIT, "trial_index"], kind="stable").reset_index(drop=True)
    if not len(rows):
        return pd.DataFrame(columns=CUE_COLUMNS)
    onset = rows["onset"].to_numpy(float)
    end = onset + rows["duration"].to_numpy(float, na_value=np.nan)
    unit = rows[UNIT].astype(str).agg("|".join, axis=1).to_numpy()
    if paradigm == "cryrating" and "audio_onset_requested_s" in rows:
        start = rows["audio_onset_requested_s"].to_numpy(float, na_value=np.nan)
        if "audio_onset_reported_s" in rows:
            reported = rows["audio_onset_reported_s"].to_numpy(float, na_value=np.nan)
            start = np.where(np.isfinite(reported), reported, start)
        new = np.r_[True, (unit[1:] != unit[:-1]) | (np.round(start[1:], 6)
                                                     != np.round(start[:-1], 6))]
    else:
        start = onset
        new = np.ones(len(rows), dtype=bool)
        if paradigm == "rating" and "stim_id" in rows:
            stim = rows["stim_id"].astype(str).to_numpy()
            new = np.r_[True, (unit[1:] != unit[:-1]) | (stim[1:] != stim[:-1])]
    cue = np.cumsum(new) - 1
    frame = rows[UNIT].assign(onset_s=start, end_s=end, cue_class=cue_class(rows), cue=cue)
    frame = frame[np.isfinite(frame["onset_s"].to_numpy(float))]
    out = frame.groupby("cue", sort=True).agg(
        participant_id=("participant_id", "first"), session=("session", "first"),
        run=("run", "first"), onset_s=("onset_s", "first"), end_s=("end_s", "max"),
        cue_class=("cue_class", "first")).reset_index(drop=True)
    out["duration_s"] = out["end_s"] - out["onset_s"]
    return out[CUE_COLUMNS]
