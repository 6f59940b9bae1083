"""Pre -> post change per group and reliable change per participant (contract section 4).

Per task x condition x measure x group, over participants with both a pre and
a post score: n, mean_pre, mean_post, mean_change (post - pre), sd_change
(ddof 1), t = mean_change / (sd_change / sqrt(n)), df = n - 1, two-sided p,
d_z = mean_change / sd_change, d_av = mean_change / ((sd_pre + sd_post) / 2),
g_av = d_av * (1 - 3 / (4 (n - 1) - 1)) (Lakens 2013).

Reliable change (Jacobson & Truax 1991): SE = SD(pre scores of all
participants) * sqrt(1 - r_xx), r_xx = pre-session split-half SB;
S_diff = sqrt(2) * SE; rci = (post - pre) / S_diff; reliable = |rci| > 1.96.

>>> round(rci_value(change=60, sd_pre=30, r_xx=0.45), 2)
1.91
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CHANGE_COLUMNS = ["task", "condition", "measure", "group", "n", "mean_pre", "mean_post",
                  "mean_change", "sd_change", "t", "df", "p", "d_z", "d_av", "g_av"]
RCI_COLUMNS = ["participant_id", "task", "condition", "measure", "pre", "post", "change",
               "r_xx", "s_diff", "rci", "reliable"]
KEY = ["task", "condition", "measure"]


def rci_value(*, change: float, sd_pre: float, r_xx: float) -> float:
    """(post - pre) / (sqrt(2) * SD_pre * sqrt(1 - r_xx)); NaN when r_xx <= 0
    (Jacobson & Truax 1991).

    >>> round(rci_value(change=60, sd_pre=30, r_xx=0.45), 2), rci_value(change=1, sd_pre=1, r_xx=0)
    (1.91, nan)
    """
    if not r_xx > 0:
        return float("nan")
    return change / (math.sqrt(2) * sd_pre * math.sqrt(1 - r_xx))


def _paired(scores: pd.DataFrame, pre: str, post: str) -> pd.DataFrame:
    sub = scores[scores["session"].isin([pre, post])]
    wide = sub.pivot_table(index=[*KEY, "participant_id"], columns="session", values="value",
                           aggfunc="first", dropna=False)
    wide = wide.reindex(columns=[pre, post]).rename(columns={pre: "pre", post: "post"})
    return wide.reset_index()


def _group_of(participants: pd.DataFrame) -> dict:
    return dict(zip(participants["participant_id"], participants["group"]))


def groups_present(participants: pd.DataFrame) -> list[str]:
    """The real groups of participants.tsv (``n/a`` left out), sorted.

    >>> groups_present(pd.DataFrame({"participant_id": ["a", "b"], "group": ["n/a", "MORE"]}))
    ['MORE']
    """
    if participants.empty:
        return []
    return sorted(g for g in participants["group"].dropna().unique() if g != "n/a")


def change_table(scores: pd.DataFrame, *, participants: pd.DataFrame, pre: str = "pre",
                 post: str = "post") -> pd.DataFrame:
    """change.tsv rows: per task x condition x measure x group (each group of
    participants.tsv and ``all``), over participants with a pre and a post score; the
    formulas of the module docstring (paired t; Lakens 2013).

    >>> s = pd.DataFrame({"participant_id": ["a", "a", "b", "b", "c", "c"],
    ...     "session": ["pre", "post"] * 3, "task": "t", "condition": "c", "measure": "m",
    ...     "value": [1., 2., 2., 4., 3., 5.]})
    >>> p = pd.DataFrame({"participant_id": ["a", "b", "c"], "group": "n/a"})
    >>> change_table(s, participants=p)[["group", "n", "mean_change", "t"]].values.tolist()
    [['all', 3, 1.6666666666666667, 5.000000000000001]]
    """
    wide = _paired(scores, pre, post).dropna(subset=["pre", "post"])
    groups = _group_of(participants)
    wide["group"] = [groups.get(pid, "n/a") for pid in wide["participant_id"]]
    sets = [("all", wide)] + [(g, wide[wide["group"] == g]) for g in groups_present(participants)]
    rows = []
    for name, data in sets:
        for key, d in data.groupby(KEY, sort=True):
            rows.append({**dict(zip(KEY, key)), "group": name,
                         **paired_stats(d["pre"].to_numpy(float), d["post"].to_numpy(float))})
    table = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    order = {g: i for i, (g, _) in enumerate(sets)}
    table["_g"] = table["group"].map(order)
    return table.sort_values([*KEY, "_g"]).drop(columns="_g").reset_index(drop=True)


def paired_stats(pre: np.ndarray, post: np.ndarray) -> dict:
    """n, means, mean and SD of change, paired t, df, p, d_z, d_av, g_av.

    >>> s = paired_stats(np.array([1., 2., 3.]), np.array([2., 4., 5.]))
    >>> round(float(s["mean_change"]), 6), round(float(s["t"]), 6), s["df"]
    (1.666667, 5.0, 2)
    """
    from scipy import stats

    n = len(pre)
    change = post - pre
    out = {"n": n, "mean_pre": pre.mean() if n else np.nan,
           "mean_post": post.mean() if n else np.nan,
           "mean_change": change.mean() if n else np.nan}
    nan = float("nan")
    if n < 2:
        return {**out, "sd_change": nan, "t": nan, "df": n - 1 if n else nan, "p": nan,
                "d_z": nan, "d_av": nan, "g_av": nan}
    sd = change.std(ddof=1)
    sd_av = (pre.std(ddof=1) + post.std(ddof=1)) / 2
    t = out["mean_change"] / (sd / math.sqrt(n)) if sd > 0 else nan
    p = float(2 * stats.t.sf(abs(t), n - 1)) if sd > 0 else nan
    d_av = out["mean_change"] / sd_av if sd_av > 0 else nan
    correction = 1 - 3 / (4 * (n - 1) - 1)
    return {**out, "sd_change": sd, "t": t, "df": n - 1, "p": p,
            "d_z": out["mean_change"] / sd if sd > 0 else nan, "d_av": d_av,
            "g_av": d_av * correction}


def rci_table(scores: pd.DataFrame, *, reliability: pd.DataFrame, pre: str = "pre",
              post: str = "post", criterion: float = 1.96) -> pd.DataFrame:
    """rci.tsv rows, one per participant x task x condition x measure with both sessions:
    rci = (post - pre) / (sqrt(2) SD_pre sqrt(1 - r_xx)), r_xx = the pre-session ``sb`` of
    ``reliability`` (Jacobson & Truax 1991); n/a when r_xx <= 0.

    >>> s = pd.DataFrame({"participant_id": ["a", "a", "b", "b", "c"],
    ...     "session": ["pre", "post", "pre", "post", "pre"], "task": "t", "condition": "c",
    ...     "measure": "m", "value": [0., 60., 30., 30., 60.]})
    >>> r = pd.DataFrame({"session": ["pre"], "task": ["t"], "condition": ["c"],
    ...                   "measure": ["m"], "sb": [0.45]})
    >>> rci_table(s, reliability=r)[["participant_id", "rci", "reliable"]].round(2).values.tolist()
    [['a', 1.91, 0.0], ['b', 0.0, 0.0]]
    """
    wide = _paired(scores, pre, post)
    sd_pre = wide.dropna(subset=["pre"]).groupby(KEY)["pre"].std(ddof=1).rename("sd_pre")
    rel = reliability[reliability["session"] == pre].set_index(KEY)["sb"].astype(float)
    rel = rel.rename("r_xx")  # float even when there is no estimate at all
    both = wide.dropna(subset=["pre", "post"]).join(sd_pre, on=KEY).join(rel, on=KEY)
    both["change"] = both["post"] - both["pre"]
    ok = both["r_xx"] > 0
    both["s_diff"] = np.where(ok, math.sqrt(2) * both["sd_pre"]
                              * np.sqrt((1 - both["r_xx"]).clip(lower=0)), np.nan)
    both["rci"] = np.where(ok & (both["s_diff"] > 0), both["change"] / both["s_diff"], np.nan)
    reliable = (both["rci"].abs() > criterion).astype(float)
    both["reliable"] = reliable.where(both["rci"].notna())
    return both[RCI_COLUMNS].sort_values(["participant_id", *KEY]).reset_index(drop=True)
