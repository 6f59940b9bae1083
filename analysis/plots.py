"""The report's figures, from long score tables; each returns a ``Figure`` block or None.

They name no paradigm: a scorer picks the rows (its label, its measures) and the words.
Text from the data (groups, conditions, measures, sessions) passes ``plain`` so that no
``$`` is parsed as mathtext.

>>> s = pd.DataFrame({"participant_id": ["a", "a", "b", "b"], "session": ["pre", "post"] * 2,
...     "condition": "$\\\\foo$-x@200", "measure": "bias_ms", "value": [10., 5., 20., 0.]})
>>> paired_prepost(s, groups={"a": "$\\\\g$"}, pre="pre", post="post", ylabel="bias (ms)",
...                title="t").png_base64[:8]
'iVBORw0K'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.report_parts import figure, new_figure, plain

GROUP_COLOURS = {"MORE": "#1b7837", "control": "#762a83", "all": "#2166ac", "n/a": "#777777"}
SESSION_COLOURS = ["#4393c3", "#d6604d", "#1b7837", "#999999"]


def paired_prepost(d: pd.DataFrame, *, groups: dict, pre: str, post: str, ylabel: str,
                   title: str):
    """One panel per group x condition: a grey line per participant from pre to post and
    the group mean +- SE (SE = SD / sqrt(n))."""
    d = d[d["session"].isin([pre, post])].dropna(subset=["value"])
    if d.empty:
        return None
    d = d.assign(group=[groups.get(p, "n/a") for p in d["participant_id"]])
    group_names = sorted(g for g in d["group"].unique() if g != "n/a") or ["n/a"]
    conditions = sorted(d["condition"].unique())
    fig = new_figure(3.0 * len(conditions) + 0.8, 3.0 * len(group_names) + 0.6)
    axes = fig.subplots(len(group_names), len(conditions), squeeze=False, sharey=True)
    for i, g in enumerate(group_names):
        for j, cond in enumerate(conditions):
            ax = axes[i][j]
            sub = d[(d["group"] == g) & (d["condition"] == cond)]
            wide = sub.pivot_table(index="participant_id", columns="session", values="value")
            wide = wide.reindex(columns=[pre, post])
            for _, row in wide.iterrows():
                ax.plot([0, 1], row.to_numpy(), color="#bbbbbb", lw=0.7, alpha=0.7)
            means = wide.mean()
            ses = wide.std(ddof=1) / np.sqrt(wide.count())
            ax.errorbar([0, 1], means.to_numpy(), yerr=ses.to_numpy(),
                        color=GROUP_COLOURS.get(g, "#2166ac"), lw=2.5, marker="o", capsize=4,
                        zorder=5)
            ax.axhline(0, color="black", lw=0.6, ls=":")
            ax.set_xticks([0, 1], [plain(pre), plain(post)])
            ax.set_xlim(-0.3, 1.3)
            n = int(wide.dropna().shape[0])
            name = plain(cond).replace("-", chr(8211) + chr(8203))
            ax.set_title(f"{name}\n{plain(g)} (n = {n} paired)", fontsize=8.5)
            if j == 0:
                ax.set_ylabel(ylabel)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return figure(fig, "scores per participant before and after")


def histograms(d: pd.DataFrame, measures: list[str]):
    """One histogram panel per measure, one colour per session.

    >>> s = pd.DataFrame({"session": "pre", "measure": "m", "value": [1., 2., 2., 3.]})
    >>> histograms(s, ["m"]).alt
    'score distributions'
    """
    d = d[d["measure"].isin(measures)].dropna(subset=["value"])
    if d.empty:
        return None
    sessions = sorted(d["session"].unique())
    fig = new_figure(3.6 * len(measures), 3.0)
    axes = fig.subplots(1, len(measures), squeeze=False)
    for ax, m in zip(axes[0], measures):
        for k, s in enumerate(sessions):
            vals = d[(d["measure"] == m) & (d["session"] == s)]["value"]
            if len(vals):
                ax.hist(vals, bins=30, alpha=0.55, label=plain(s),
                        color=SESSION_COLOURS[k % len(SESSION_COLOURS)])
        ax.set_title(plain(m), fontsize=9)
        ax.set_ylabel("participant x condition")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return figure(fig, "score distributions")


def reliability_forest(rel: pd.DataFrame | None):
    """Spearman-Brown split-half estimates with their 95% intervals, one row per
    condition x measure x session.

    >>> r = pd.DataFrame({"session": ["pre"], "task": ["t"], "condition": ["c"],
    ...     "measure": ["m"], "sb": [0.6], "sb_ci_low": [0.4], "sb_ci_high": [0.7]})
    >>> reliability_forest(r).alt
    'split-half reliability'
    """
    if rel is None or rel.empty:
        return None
    r = rel.sort_values(["task", "condition", "measure", "session"]).reset_index(drop=True)
    labels = [plain(f"{c}  {m}  [{s}]")
              for c, m, s in zip(r["condition"], r["measure"], r["session"])]
    fig = new_figure(9, 0.26 * len(r) + 1.2)
    ax = fig.subplots()
    y = np.arange(len(r))[::-1]
    ax.errorbar(r["sb"], y, xerr=[(r["sb"] - r["sb_ci_low"]).clip(lower=0),
                                        (r["sb_ci_high"] - r["sb"]).clip(lower=0)],
                fmt="none", ecolor="#888888", lw=1)
    for k, session in enumerate(sorted(r["session"].unique(), reverse=True)):
        m = (r["session"] == session).to_numpy()
        ax.scatter(r["sb"][m], y[m], color=SESSION_COLOURS[k % len(SESSION_COLOURS)],
                   zorder=3, s=18, label=plain(session))
    ax.legend(fontsize=8, loc="lower left")
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(0, color="black", lw=0.6)
    for x in (0.5, 0.7):
        ax.axvline(x, color="#aaaaaa", lw=0.6, ls="--")
    ax.set_xlabel("Spearman-Brown split-half reliability (mean over splits, 95% interval)")
    ax.set_xlim(-1, 1)
    fig.tight_layout()
    return figure(fig, "split-half reliability")


def group_means(d: pd.DataFrame, *, groups: dict, pre: str, post: str, title: str):
    """One panel per condition x measure: mean +- SE per group at pre and post.

    >>> s = pd.DataFrame({"participant_id": ["a", "a"], "session": ["pre", "post"],
    ...     "condition": "c", "measure": "m", "value": [1., 2.]})
    >>> group_means(s, groups={}, pre="pre", post="post", title="t").alt
    'group means before and after'
    """
    d = d[d["session"].isin([pre, post])].dropna(subset=["value"])
    if d.empty:
        return None
    d = d.assign(group=[groups.get(p, "n/a") for p in d["participant_id"]])
    keys = list(d[["condition", "measure"]].drop_duplicates()
                .sort_values(["condition", "measure"]).itertuples(index=False))
    ncol = 4
    nrow = (len(keys) + ncol - 1) // ncol
    fig = new_figure(13, 2.6 * nrow)
    axes = fig.subplots(nrow, ncol, squeeze=False)
    group_names = sorted(d["group"].unique())
    for ax, key in zip(axes.flat, keys):
        sub = d[(d["condition"] == key.condition) & (d["measure"] == key.measure)]
        for k, g in enumerate(group_names):
            gs = sub[sub["group"] == g]
            m = gs.groupby("session")["value"].agg(["mean", "std", "count"]).reindex([pre, post])
            x = np.array([0, 1]) + (k - (len(group_names) - 1) / 2) * 0.08
            ax.errorbar(x, m["mean"], yerr=m["std"] / np.sqrt(m["count"]), marker="o",
                        capsize=3, label=plain(g), color=GROUP_COLOURS.get(g, None))
        ax.axhline(0, color="black", lw=0.5, ls=":")
        ax.set_xticks([0, 1], [plain(pre), plain(post)])
        ax.set_xlim(-0.4, 1.4)
        ax.set_title(plain(f"{key.condition}\n{key.measure}"), fontsize=8)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return figure(fig, "group means before and after")


def quality_histograms(accuracy: pd.Series, dropped_frames: pd.Series, *, accuracy_min: float,
                       what: str):
    """Accuracy per participant x session (with the cut-off) and dropped frames per run.

    >>> quality_histograms(pd.Series([0.9, 0.95]), pd.Series([0., 2.]), accuracy_min=0.8,
    ...                    what="x").alt
    'data quality'
    """
    if accuracy.dropna().empty and dropped_frames.dropna().empty:
        return None
    fig = new_figure(9, 2.8)
    axes = fig.subplots(1, 2)
    a = accuracy.dropna()
    axes[0].hist(a, bins=30, color="#4393c3")
    axes[0].axvline(accuracy_min, color="#b2182b", ls="--", label=f"cut-off {accuracy_min:g}")
    axes[0].set_xlabel(f"{plain(what)} accuracy (test trials)")
    axes[0].set_ylabel("participant x session")
    axes[0].legend(fontsize=8)
    f = dropped_frames.dropna()
    top = int(f.max()) if len(f) else 0
    axes[1].hist(f, bins=np.arange(-0.5, top + 1.5, max(1, (top + 1) // 30)), color="#999999")
    axes[1].set_xlim(-0.5, max(top, 5) + 0.5)
    axes[1].set_xlabel(f"dropped frames per {plain(what)} run (total {int(f.sum())})")
    fig.tight_layout()
    return figure(fig, "data quality")
