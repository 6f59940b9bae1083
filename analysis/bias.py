"""Dot-probe scores per participant x session x condition (contract section 4).

bias_ms = mean rt(incongruent) - mean rt(congruent) of the valid trials
(MacLeod, Mathews & Tata 1986; positive = attention toward the target).
Also rt_mean_ms, rt_sd_ms (ddof 1), accuracy (mean ``correct`` over the
condition's test trials), n_congruent, n_incongruent, the TL-BS summaries
(:mod:`analysis.tlbs`) and ABV (:mod:`analysis.abv`).  A condition with fewer
than ``min_trials_per_cell`` valid trials of either congruency keeps its counts
and accuracy and gets n/a for the rest; an excluded participant-session
(accuracy below the cut-off) gets n/a for everything.

References: MacLeod, Mathews & Tata (1986), J Abnorm Psychol 95, 15-20; contract §4.

>>> import pandas as pd
>>> from analysis.settings import defaults
>>> s = dict(defaults()["dotprobe"], min_trials_per_cell=2)
>>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
...     "condition": "a-b@200", "trial_type": "a-b", "trial_index": range(1, 5),
...     "congruent": [1, 0, 1, 0], "correct": 1, "excluded": 0,
...     "rt_ms": [400., 450., 420., 470.]})
>>> float(condition_scores(t, settings=s, task="dotprobe").set_index("measure")
...       ["value"]["bias_ms"])
50.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import abv as abv_mod
from analysis import tlbs as tlbs_mod
from icb.errors import BadInput

CELL = ["participant_id", "session", "condition"]
MEASURES = ["bias_ms", "rt_mean_ms", "rt_sd_ms", "accuracy", "n_congruent", "n_incongruent",
            "tlbs_mean_toward_ms", "tlbs_mean_away_ms", "tlbs_peak_toward_ms",
            "tlbs_peak_away_ms", "tlbs_variability_ms", "abv"]
COUNT_MEASURES = {"accuracy", "n_congruent", "n_incongruent"}
# tlbs_method weighted weighs every pair of a condition's trials (an n x n matrix): the
# largest condition it is computed for (200 MB a matrix); a run has about 70
WEIGHTED_MAX_TRIALS = 5000
# the columns of the cleaned trials that scoring reads from condition_trials (here, and the
# dot-probe scorer's reliability inputs and mixed model): the copy carries no others
TRIAL_COLUMNS = [*CELL, "trial_index", "congruent", "correct", "rt_ms", "excluded",
                 "exclusion_reason"]


def condition_trials(cleaned: pd.DataFrame, *, settings: dict) -> pd.DataFrame:
    """The test, non-filler trials, sorted by cell and trial_index, with ``rt_valid_ms``
    (NaN for excluded trials), ``position`` (rank by trial_index within the condition,
    excluded trials keeping theirs; contract §4) and integer ``cell`` codes; of the other
    columns, those of TRIAL_COLUMNS (a copy of every column of a file of millions of trials
    was the largest allocation of scoring).

    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
    ...     "condition": "a-b@200", "trial_type": ["a-b", "filler", "a-b"],
    ...     "trial_index": [3, 2, 1], "excluded": [0, 1, 1], "rt_ms": [400., 500., 450.]})
    >>> c = condition_trials(t, settings={"test_phase": "test", "filler_trial_type": "filler"})
    >>> c[["trial_index", "position", "rt_valid_ms"]].values.tolist()
    [[1.0, 0.0, nan], [3.0, 1.0, 400.0]]
    """
    rows = np.flatnonzero(((cleaned["phase"] == settings["test_phase"])
                           & (cleaned["trial_type"] != settings["filler_trial_type"])).to_numpy())
    keys = cleaned[[*CELL, "trial_index"]].iloc[rows].reset_index(drop=True)
    order = keys.sort_values([*CELL, "trial_index"], kind="stable").index.to_numpy()
    kept = [c for c in cleaned.columns if c in TRIAL_COLUMNS]
    test = cleaned[kept].iloc[rows[order]].reset_index(drop=True)  # one copy of the rows kept
    test["cell"] = test.groupby(CELL, sort=False).ngroup()
    test["position"] = test.groupby("cell").cumcount()
    valid = test["excluded"].to_numpy() == 0
    test["rt_valid_ms"] = np.where(valid, test["rt_ms"].astype("float64").to_numpy(), np.nan)
    return test


def condition_scores(cleaned: pd.DataFrame, *, settings: dict, task: str) -> pd.DataFrame:
    """Long scores per participant x session x condition (formulas and the example in the
    module docstring): participant_id, session, task (= ``task``, the label), condition,
    measure, value (:func:`too_few` lists the conditions short of valid trials).

    >>> from analysis.settings import defaults
    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
    ...     "condition": "a-b@200", "trial_type": "a-b", "trial_index": range(1, 21),
    ...     "congruent": [1, 0] * 10, "correct": 1, "excluded": 0, "rt_ms": [500., 530.] * 10})
    >>> s = condition_scores(t, settings=defaults()["dotprobe"], task="faces")
    >>> s.set_index("measure").loc[["bias_ms", "n_congruent", "tlbs_variability_ms"], "value"
    ...                            ].tolist()
    [30.0, 10.0, 0.0]
    """
    trials = condition_trials(cleaned, settings=settings)
    if trials.empty:
        return pd.DataFrame(columns=[*CELL[:2], "task", "condition", "measure", "value"])
    cells = trials.groupby("cell")[CELL].first()
    n_cells = len(cells)
    rt = trials["rt_valid_ms"].to_numpy()
    cong = trials["congruent"].astype("float64").fillna(-1).astype(int).to_numpy()
    code = trials["cell"].to_numpy()
    valid = ~np.isnan(rt)
    v = pd.DataFrame({"cell": code[valid], "c": cong[valid], "rt": rt[valid]})
    by = v.groupby(["cell", "c"])["rt"]
    means = by.mean().unstack("c").reindex(index=range(n_cells), columns=[0, 1])
    counts = by.size().unstack("c").reindex(index=range(n_cells), columns=[0, 1]).fillna(0)
    wide = pd.DataFrame(index=pd.RangeIndex(n_cells))
    wide["bias_ms"] = means[0] - means[1]
    wide["rt_mean_ms"] = v.groupby("cell")["rt"].mean()
    wide["rt_sd_ms"] = v.groupby("cell")["rt"].std(ddof=1)
    wide["accuracy"] = trials.groupby("cell")["correct"].mean().astype(float)
    wide["n_congruent"] = counts[1].astype(float)
    wide["n_incongruent"] = counts[0].astype(float)
    if settings["tlbs_method"] == "nearest":
        series = tlbs_mod.nearest_tlbs(group=code, congruent=cong, rt_ms=rt,
                                       window=settings["tlbs_window"])
    else:
        _weighted_fits(code, cells)
        series = tlbs_mod.weighted_tlbs(group=code, congruent=cong, rt_ms=rt)
    summary = tlbs_mod.summarise(group=code, tlbs=series, n_groups=n_cells,
                                 variability=settings["tlbs_variability"])
    wide = wide.join(summary)
    wide["abv"] = abv_mod.abv(group=code, position=trials["position"].to_numpy(),
                              congruent=cong, rt_ms=rt, n_groups=n_cells,
                              bin_size=settings["abv_bin_size"])
    few = ((wide["n_congruent"] < settings["min_trials_per_cell"])
           | (wide["n_incongruent"] < settings["min_trials_per_cell"]))
    for m in MEASURES:
        if m not in COUNT_MEASURES:
            wide.loc[few, m] = np.nan
    if "exclusion_reason" in trials:
        flag = trials["exclusion_reason"].astype(object).fillna("").astype(str) \
            .str.startswith("participant_accuracy").to_numpy()
        excluded_unit = pd.Series(flag).groupby(code).all().reindex(range(n_cells)) \
            .fillna(False).to_numpy(dtype=bool)
    else:
        excluded_unit = np.zeros(n_cells, dtype=bool)
    wide.loc[excluded_unit, MEASURES] = np.nan
    wide = pd.concat([cells.reset_index(drop=True), wide[MEASURES]], axis=1)
    long = wide.melt(id_vars=CELL, value_vars=MEASURES, var_name="measure", value_name="value")
    long.insert(2, "task", task)
    order = {m: i for i, m in enumerate(MEASURES)}
    long["_m"] = long["measure"].map(order)
    long = long.sort_values([*CELL, "_m"]).drop(columns="_m").reset_index(drop=True)
    return long


def _weighted_fits(code: np.ndarray, cells: pd.DataFrame) -> None:
    """BadInput when a condition has more test trials than the weighted TL-BS is computed
    for (WEIGHTED_MAX_TRIALS): its memory and time grow with the square of the number.

    >>> _weighted_fits(np.zeros(3, int), pd.DataFrame({"participant_id": ["sub-1"],
    ...                "session": ["pre"], "condition": ["a-b@200"]}))
    """
    sizes = np.bincount(code)
    if len(sizes) and sizes.max() > WEIGHTED_MAX_TRIALS:
        pid, session, condition = cells.iloc[int(np.argmax(sizes))][CELL]
        raise BadInput(
            f"tlbs_method weighted: {pid} {session} {condition} has {int(sizes.max()):,} test "
            f"trials; the weighted TL-BS weighs every pair of a condition's trials (memory "
            f"and time grow with the square) and is computed for at most "
            f"{WEIGHTED_MAX_TRIALS:,}; use tlbs_method: nearest (the default) for these data")


def too_few(scores: pd.DataFrame, *, min_trials: int) -> pd.DataFrame:
    """The conditions with fewer than ``min_trials`` valid congruent or incongruent trials
    (contract §4.6): participant_id, session, condition, n_congruent, n_incongruent.  An
    excluded participant-session (its counts n/a) is not listed here.

    >>> s = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "task": "t",
    ...     "condition": "c", "measure": ["n_congruent", "n_incongruent"], "value": [9., 12.]})
    >>> too_few(s, min_trials=10).values.tolist()
    [['sub-1', 'pre', 'c', 9.0, 12.0]]
    """
    counts = scores[scores["measure"].isin(["n_congruent", "n_incongruent"])]
    wide = counts.pivot_table(index=CELL, columns="measure", values="value", aggfunc="first")
    wide = wide.reindex(columns=["n_congruent", "n_incongruent"]).reset_index()
    wide.columns.name = None
    short = (wide["n_congruent"] < min_trials) | (wide["n_incongruent"] < min_trials)
    return wide[short].reset_index(drop=True)


def overall_scores(accuracy: pd.DataFrame, *, task: str) -> pd.DataFrame:
    """Participant-session data-quality scores (condition ``all``): accuracy,
    n_test_trials, dropped_frames, excluded (from
    :func:`analysis.clean.participant_accuracy`; contract §4.2).

    >>> a = pd.DataFrame({"participant_id": ["sub-1"], "session": ["pre"], "accuracy": [0.9],
    ...                   "n_test_trials": [10.0], "dropped_frames": [0.0], "excluded": [0]})
    >>> overall_scores(a, task="dotprobe")[["condition", "measure", "value"]].values.tolist()
    [['all', 'accuracy', 0.9], ['all', 'n_test_trials', 10.0], ['all', 'dropped_frames', 0.0], ['all', 'excluded', 0.0]]
    """
    long = accuracy.melt(id_vars=["participant_id", "session"],
                         value_vars=["accuracy", "n_test_trials", "dropped_frames", "excluded"],
                         var_name="measure", value_name="value")
    long.insert(2, "task", task)
    long.insert(3, "condition", "all")
    long["value"] = long["value"].astype(float)
    return long
