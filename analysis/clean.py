"""Cleaning of response-time trials: the dot-probe's pipeline (contract section 4, steps 1-5).

Every trial read stays in the table; ``excluded`` (1/0) and
``exclusion_reason`` say what happened to it.  The first step that drops a
trial names it.  Order: practice -> filler -> participant accuracy -> missing
congruency -> no response / error -> absolute RT limits -> relative outliers
(MAD: Leys et al. 2013; or SD) within participant x session x condition.

MAD = 1.4826 * median(|rt - median(rt)|); a trial is an outlier when
|rt - median| > k * MAD (k = 2.5 by default); MAD = 0 drops nothing.

Reference: contract section 4; Leys, Ley, Klein, Bernard & Licata (2013), JESP 49, 764-766.

>>> import pandas as pd
>>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
...     "trial_type": "a-b", "cue_duration_ms": 200.0, "congruent": [1, 0, 1, 0, 1],
...     "correct": [1, 1, 1, 1, 0], "response": ["left"] * 5,
...     "rt_ms": [400.0, 420.0, 150.0, 410.0, 500.0], "trial_index": range(1, 6)})
>>> s = {"test_phase": "test", "filler_trial_type": "filler", "accuracy_min": 0.5,
...      "drop_errors": True, "rt_min_ms": 200.0, "rt_max_ms": 2000.0,
...      "outlier_method": "mad", "outlier_k": 2.5}
>>> clean_trials(t, settings=s)["exclusion_reason"].tolist()
[None, None, 'rt_below_200', None, 'error']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNIT = ["participant_id", "session"]
CELL = ["participant_id", "session", "condition"]


def _num(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def condition_label(trial_type: str, cue_duration_ms: float) -> str:
    """``<trial_type>@<cue_duration_ms>``, the duration written as an integer when whole.

    >>> condition_label("infant_distress-infant_neutral", 200.0)
    'infant_distress-infant_neutral@200'
    >>> condition_label("a-b", 233.5)
    'a-b@233.5'
    """
    return f"{trial_type}@{_num(cue_duration_ms)}"


def add_conditions(trials: pd.DataFrame, *, trial_type: str = "trial_type",
                   cue_duration: str = "cue_duration_ms") -> pd.Series:
    """``<trial_type>@<cue_duration_ms>`` for each row (contract section 4, step 5).

    >>> add_conditions(pd.DataFrame({"trial_type": ["a-b"], "cue_duration_ms": [200.0]})).tolist()
    ['a-b@200']

    A text column and a float column (the dot-probe's) are labelled one distinct pair at a
    time, a row with a missing value on its own; the labels are the same.

    >>> add_conditions(pd.DataFrame({"trial_type": ["a-b", None, "a-b", "c-d"],
    ...                              "cue_duration_ms": [200.0, 200.0, 200.0, np.nan]})).tolist()
    ['a-b@200', 'nan@200', 'a-b@200', 'c-d@nan']
    """
    kinds = pd.api.types.infer_dtype(trials[trial_type], skipna=True)
    if kinds not in ("string", "empty") or trials[cue_duration].dtype != np.float64:
        pairs = trials[[trial_type, cue_duration]].astype(object)
        keys = list(zip(pairs[trial_type], pairs[cue_duration]))
        labels = {k: condition_label(str(k[0]), k[1]) for k in set(keys)}
        return pd.Series([labels[k] for k in keys], index=trials.index, dtype=object)
    types, type_values = pd.factorize(trials[trial_type])  # -1: missing
    cues, cue_values = pd.factorize(trials[cue_duration])
    pairs, firsts = np.unique(types.astype(np.int64) * (len(cue_values) + 1) + cues,
                              return_index=True)
    codes = np.searchsorted(pairs, types.astype(np.int64) * (len(cue_values) + 1) + cues)
    labels = np.array([condition_label(str(type_values[types[i]]), cue_values[cues[i]])
                       for i in firsts], dtype=object)[codes]
    missing = np.flatnonzero((types < 0) | (cues < 0))
    if len(missing):
        rows = trials.iloc[missing][[trial_type, cue_duration]].astype(object)
        labels[missing] = [condition_label(str(t), c) for t, c in
                           zip(rows[trial_type], rows[cue_duration])]
    return pd.Series(labels, index=trials.index, dtype=object)


def clean_trials(trials: pd.DataFrame, *, settings: dict) -> pd.DataFrame:
    """Add ``condition``, ``excluded`` and ``exclusion_reason`` to dot-probe trials (the
    steps and formula of the module docstring; Leys et al. 2013 for the MAD rule).

    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
    ...     "trial_type": "a-b", "cue_duration_ms": 200.0, "congruent": [1, 0, 1, 0, 1, 0],
    ...     "correct": 1, "response": "left", "rt_ms": [500., 510., 505., 495., 500., 900.]})
    >>> s = {"test_phase": "test", "filler_trial_type": "filler", "accuracy_min": 0.8,
    ...      "drop_errors": True, "rt_min_ms": 200.0, "rt_max_ms": 2000.0,
    ...      "outlier_method": "mad", "outlier_k": 2.5}
    >>> clean_trials(t, settings=s)[["condition", "exclusion_reason"]].iloc[-1].tolist()
    ['a-b@200', 'mad_outlier']
    """
    out = trials.copy(deep=False)  # columns are added, none changed: share the others
    out["condition"] = add_conditions(out) if len(out) else pd.Series(dtype=object)
    reason = np.full(len(out), None, dtype=object)

    def mark(mask, text: str) -> None:
        mask = np.asarray(mask, dtype=bool) & np.equal(reason, None)
        reason[mask] = text

    phase = out["phase"].astype(object)
    mark(phase != settings["test_phase"], "")  # filled with the phase below
    reason[reason == ""] = phase[reason == ""].to_numpy()
    is_test = np.equal(reason, None)
    filler = (out["trial_type"] == settings["filler_trial_type"]).to_numpy()
    correct = out["correct"].astype("float64").to_numpy()
    acc = (pd.Series(correct[is_test], index=out.index[is_test])
           .groupby([out.loc[is_test, c] for c in UNIT]).mean())
    unit = acc.index.get_indexer(pd.MultiIndex.from_arrays([out[c] for c in UNIT])) \
        if len(out) else np.array([], dtype=int)  # -1: a unit without test trials
    unit_acc = np.where(unit >= 0, acc.to_numpy(dtype=float)[np.maximum(unit, 0)], np.nan) \
        if len(acc) else np.full(len(out), np.nan)
    mark(filler, "filler")
    acc_min = settings["accuracy_min"]
    mark(unit_acc < acc_min, f"participant_accuracy_below_{_num(acc_min)}")
    mark(out["congruent"].isna().to_numpy(), "congruent_missing")
    rt = out["rt_ms"].astype("float64").to_numpy()
    no_resp = out["response"].isna().to_numpy() | np.isnan(rt)
    if settings["drop_errors"]:
        mark(no_resp & (correct == 0), "no_response")
        mark(correct == 0, "error")
    mark(np.isnan(rt), "no_response")
    mark(rt < settings["rt_min_ms"], f"rt_below_{_num(settings['rt_min_ms'])}")
    mark(rt > settings["rt_max_ms"], f"rt_above_{_num(settings['rt_max_ms'])}")
    method = settings["outlier_method"]
    if method != "none" and len(out):
        keep = np.equal(reason, None)
        sub = out.loc[keep, CELL].reset_index(drop=True)
        sub["rt"] = rt[keep]
        grouped = sub.groupby(CELL, sort=False)["rt"]
        k = settings["outlier_k"]
        if method == "mad":
            centre = grouped.transform("median").to_numpy()
            dev = np.abs(sub["rt"].to_numpy() - centre)
            spread = 1.4826 * pd.Series(dev).groupby(
                [sub[c] for c in CELL], sort=False).transform("median").to_numpy()
        else:
            centre = grouped.transform("mean").to_numpy()
            dev = np.abs(sub["rt"].to_numpy() - centre)
            spread = grouped.transform(lambda s: s.std(ddof=1)).to_numpy()
        outlier = (spread > 0) & (dev > k * spread)
        full = np.zeros(len(out), dtype=bool)
        full[np.flatnonzero(keep)[outlier]] = True
        mark(full, f"{method}_outlier")
    out["excluded"] = (~np.equal(reason, None)).astype(int)
    out["exclusion_reason"] = pd.Series(reason, index=out.index, dtype=object)
    return out


def participant_accuracy(trials: pd.DataFrame, *, settings: dict) -> pd.DataFrame:
    """Accuracy over all test trials (fillers included) per participant x session.

    Columns: participant_id, session, accuracy, n_test_trials, dropped_frames, excluded
    (accuracy = mean ``correct``; excluded = accuracy < ``accuracy_min``; contract §4.2).

    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre",
    ...     "phase": ["practice", "test", "test"], "correct": [0, 1, 0], "dropped_frames": 1})
    >>> participant_accuracy(t, settings={"test_phase": "test", "accuracy_min": 0.8}
    ...                      ).iloc[0].astype(str).tolist()
    ['sub-1', 'pre', '0.5', '2.0', '2.0', '1']
    """
    test = trials.loc[trials["phase"] == settings["test_phase"],
                      [*UNIT, "correct", "dropped_frames"]]
    g = test.groupby(UNIT, sort=True)
    table = pd.DataFrame({
        "accuracy": g["correct"].mean().astype(float),
        "n_test_trials": g.size().astype(float),
        "dropped_frames": g["dropped_frames"].sum().astype(float),
    }).reset_index()
    table["excluded"] = (table["accuracy"] < settings["accuracy_min"]).astype(int)
    return table
