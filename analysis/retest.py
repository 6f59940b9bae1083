"""Retest figures of a score from pre to post (contract §7): ``retest.tsv``.

Per task × condition × measure × group (each group of participants.tsv, and ``all``), over
the participants with a pre and a post score:

- ``n``; ``r_observed`` = Pearson r of pre vs post;
- ``icc_a1``: two-way, absolute agreement, single score (McGraw & Wong 1996, ICC(A,1)),
  participants as rows and the k = 2 sessions as columns:
  (MSR − MSE) / (MSR + (k − 1) MSE + k (MSC − MSE) / n), with MSR = k Σ (row mean −
  grand mean)² / (n − 1), MSC = n Σ (column mean − grand mean)² / (k − 1) and MSE =
  (total SS − row SS − column SS) / ((n − 1)(k − 1));
- ``r_disattenuated`` = r_observed / √(rel_pre · rel_post), the §7 latent reliabilities of
  the two sessions (Spearman 1904); ``n/a`` when either is ≤ 0 (it may exceed 1: sampling
  error);
- ``r_latent``, ``r_latent_ci_low/high``, ``note``: :mod:`analysis.retest_model`.

McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
coefficients. Psychological Methods, 1, 30-46.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import latent, retest_model
from analysis.change import KEY, _paired, groups_present
from analysis.reliability import stream_key

COLUMNS = ["task", "condition", "measure", "group", "n", "r_observed", "icc_a1",
           "r_disattenuated", "r_latent", "r_latent_ci_low", "r_latent_ci_high", "note"]


def icc_a1(scores: np.ndarray) -> float:
    """ICC(A,1) of an n × k matrix (rows = participants, columns = sessions; complete rows
    only), McGraw & Wong (1996) -- the module docstring has the formula.  NaN with fewer
    than 2 rows or no variance.

    >>> round(icc_a1(np.array([[1., 2.], [3., 3.], [5., 6.], [7., 9.]])), 6)
    0.914286
    """
    y = np.asarray(scores, dtype=float)
    y = y[~np.isnan(y).any(axis=1)]
    n, k = y.shape
    if n < 2 or k < 2:
        return float("nan")
    grand = y.mean()
    ss_rows = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((y - grand) ** 2).sum() - ss_rows - ss_cols
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    return float((msr - mse) / denominator) if denominator > 0 else float("nan")


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r; NaN with fewer than 3 pairs or no variance.

    >>> pearson(np.array([1., 2., 3.]), np.array([1., 3., 2.]))
    0.5
    """
    if len(x) < 3:
        return float("nan")
    x, y = x - x.mean(), y - y.mean()
    den = math.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / den) if den > 0 else float("nan")


def disattenuated(r_observed: float, rel_pre: float, rel_post: float) -> float:
    """r_observed / √(rel_pre · rel_post); NaN when either reliability is ≤ 0 or missing.

    >>> disattenuated(0.3, 0.5, 0.5), disattenuated(0.3, 0.0, 0.5)
    (0.6, nan)
    """
    if not (rel_pre > 0 and rel_post > 0):
        return float("nan")
    return r_observed / math.sqrt(rel_pre * rel_post)


def trial_rows(pre: pd.DataFrame, post: pd.DataFrame, units) -> tuple[pd.DataFrame, int]:
    """The model's rows (unit, post 0/1, side, value) of ``units`` from the pre and post
    reliability inputs, and their number of sides (a mean: its side-1 rows only).

    >>> p = pd.DataFrame({"unit": ["a", "a"], "side": [1, 0], "value": [2., 1.]})
    >>> rows, sides = trial_rows(p, p, ["a"])
    >>> rows["post"].tolist(), sides
    ([0, 0, 1, 1], 2)
    """
    both = pd.concat([pre.assign(post=0), post.assign(post=1)], ignore_index=True)
    both = both[both["unit"].astype(str).isin({str(u) for u in units})]
    both = both[np.isfinite(pd.to_numeric(both["value"], errors="coerce").to_numpy(float))]
    sides = 1 if latent.one_sided(both) else 2
    if sides == 1:
        both = both[both["side"] == 1]
    return both[["unit", "post", "side", "value"]].reset_index(drop=True), sides


def retest_table(scores: pd.DataFrame, *, participants: pd.DataFrame, latent_table: pd.DataFrame,
                 trials: dict, pre: str = "pre", post: str = "post", model: dict | None = None,
                 seed: int = 0) -> pd.DataFrame:
    """retest.tsv (the module docstring's columns and formulas).  ``scores``: long scores
    (task, condition, measure, participant_id, session, value) of the measures to compare;
    ``latent_table``: reliability_latent.tsv; ``trials``: (task, condition, measure) ->
    (pre frame, post frame) of unit, side, value; ``model``: the ``latent`` settings
    (``retest_model``, ``retest_max_participants``, ``retest_max_iterations``).

    >>> s = pd.DataFrame({"participant_id": list("aabbccdd"), "session": ["pre", "post"] * 4,
    ...     "task": "t", "condition": "c", "measure": "m",
    ...     "value": [1., 2., 3., 3., 5., 6., 7., 9.]})
    >>> p = pd.DataFrame({"participant_id": list("abcd"), "group": "n/a"})
    >>> lat = pd.DataFrame({"session": ["pre", "post"], "task": "t", "condition": "c",
    ...                     "measure": "m", "reliability": [0.9, 0.9]})
    >>> t = retest_table(s, participants=p, latent_table=lat, trials={})
    >>> t[["group", "n", "icc_a1", "note"]].round(6).values.tolist()
    [['all', 4, 0.914286, 'no trial-level input']]
    """
    model = model or {"retest_model": False}
    wide = _paired(scores, pre, post).dropna(subset=["pre", "post"])
    groups = dict(zip(participants["participant_id"], participants["group"]))
    wide["group"] = [groups.get(pid, "n/a") for pid in wide["participant_id"]]
    rel = latent_table.set_index(["session", *KEY])["reliability"] if len(latent_table) else {}
    sets = [("all", wide)] + [(g, wide[wide["group"] == g]) for g in groups_present(participants)]
    rows = []
    for name, data in sets:
        for key, d in data.groupby(KEY, sort=True):
            x, y = d["pre"].to_numpy(float), d["post"].to_numpy(float)
            r = pearson(x, y)
            rel_pre, rel_post = (float(rel.get((s, *key), np.nan)) for s in (pre, post))
            row = {**dict(zip(KEY, key)), "group": name, "n": len(d), "r_observed": r,
                   "icc_a1": icc_a1(np.column_stack([x, y])),
                   "r_disattenuated": disattenuated(r, rel_pre, rel_post),
                   "r_latent": np.nan, "r_latent_ci_low": np.nan, "r_latent_ci_high": np.nan}
            if key not in trials:
                row["note"] = "no trial-level input"
            elif not model.get("retest_model"):
                row["note"] = "retest model switched off (latent.retest_model)"
            else:
                frame, sides = trial_rows(*trials[key], d["participant_id"])
                fit = retest_model.latent_correlation(
                    frame, sides=sides, max_participants=model["retest_max_participants"],
                    max_iterations=model["retest_max_iterations"], seed=seed,
                    key=stream_key("retest", *key, name))
                row.update({k: fit[k] for k in ("r_latent", "r_latent_ci_low",
                                                "r_latent_ci_high", "note")})
            rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["note"] = table["note"].replace("", None)
    order = {g: i for i, (g, _) in enumerate(sets)}
    table["_g"] = table["group"].map(order)
    return table.sort_values([*KEY, "_g"]).drop(columns="_g").reset_index(drop=True)
