"""``icb report``: one self-contained HTML file (plots embedded as PNG data URIs).

Sections: summary, attentional bias pre vs post per group and condition (one
line per participant), score distributions, split-half reliability with
intervals, pre/post change, rating salience, mixed model, data quality
(exclusions, accuracy, dropped frames, crashed runs) and a methods paragraph
written from the settings actually used, with references.
"""

from __future__ import annotations

import base64
import html
import io as _io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io
from analysis.report_text import CSS, REFERENCES, methods_paragraph

GROUP_COLOURS = {"MORE": "#1b7837", "control": "#762a83", "all": "#2166ac", "n/a": "#777777"}


def _png(fig) -> str:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return ('<img alt="figure" src="data:image/png;base64,'
            + base64.b64encode(buf.getvalue()).decode("ascii") + '">')


def _table(df: pd.DataFrame, *, digits: int = 3, max_rows: int = 400) -> str:
    if df is None or df.empty:
        return "<p class='muted'>None.</p>"
    shown = df.head(max_rows).copy()
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]):
            shown[c] = shown[c].map(lambda v: "n/a" if pd.isna(v) else f"{v:.{digits}g}"
                                    if abs(v) < 1e-3 and v != 0 else f"{v:.{digits}f}")
    shown = shown.fillna("n/a")
    body = shown.to_html(index=False, escape=True, border=0, classes="tbl")
    if len(df) > max_rows:
        body += f"<p class='muted'>First {max_rows} of {len(df)} rows; all rows are in the TSV.</p>"
    return body


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    return io.read_score_tsv(path) if path.is_file() else None


def _group_map(scores_dir: Path, prov: dict) -> dict:
    root = Path(prov.get("DataRoot", ""))
    table, _ = io.read_participants(root) if root.is_dir() else (pd.DataFrame(), [])
    return dict(zip(table.get("participant_id", []), table.get("group", [])))


def bias_figure(scores: pd.DataFrame, groups: dict, pre: str, post: str) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = scores[(scores["task"] == "dotprobe") & (scores["measure"] == "bias_ms")
               & scores["session"].isin([pre, post])].dropna(subset=["value"])
    if d.empty:
        return "<p class='muted'>No dot-probe bias scores.</p>"
    d = d.assign(group=d["participant_id"].map(groups).fillna("n/a"))
    group_names = sorted(g for g in d["group"].unique() if g != "n/a") or ["n/a"]
    conditions = sorted(d["condition"].unique())
    fig, axes = plt.subplots(len(group_names), len(conditions), squeeze=False, sharey=True,
                             figsize=(3.0 * len(conditions) + 0.8, 3.0 * len(group_names) + 0.6))
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
            colour = GROUP_COLOURS.get(g, "#2166ac")
            ax.errorbar([0, 1], means.to_numpy(), yerr=ses.to_numpy(), color=colour, lw=2.5,
                        marker="o", capsize=4, zorder=5)
            ax.axhline(0, color="black", lw=0.6, ls=":")
            ax.set_xticks([0, 1], [pre, post])
            ax.set_xlim(-0.3, 1.3)
            n = int(wide.dropna().shape[0])
            ax.set_title(f"{cond.replace('-', chr(8211) + chr(8203))}\n{g} (n = {n} paired)",
                         fontsize=8.5)
            if j == 0:
                ax.set_ylabel("bias (ms)\nincongruent - congruent")
    fig.suptitle("Attentional bias per participant (grey) and group mean ± SE", fontsize=11)
    fig.tight_layout()
    return _png(fig)


def distribution_figure(scores: pd.DataFrame, measures: list[str]) -> str:
    import matplotlib.pyplot as plt

    d = scores[(scores["task"] == "dotprobe") & scores["measure"].isin(measures)
               & (scores["condition"] != "all")].dropna(subset=["value"])
    if d.empty:
        return "<p class='muted'>No scores.</p>"
    sessions = sorted(d["session"].unique())
    fig, axes = plt.subplots(1, len(measures), figsize=(3.6 * len(measures), 3.0), squeeze=False)
    for ax, m in zip(axes[0], measures):
        for k, s in enumerate(sessions):
            vals = d[(d["measure"] == m) & (d["session"] == s)]["value"]
            if len(vals):
                ax.hist(vals, bins=30, alpha=0.55, label=s, color=["#4393c3", "#d6604d",
                                                                     "#999999"][k % 3])
        ax.set_title(m, fontsize=9)
        ax.set_ylabel("participant x condition")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


def reliability_figure(rel: pd.DataFrame) -> str:
    import matplotlib.pyplot as plt

    if rel is None or rel.empty:
        return "<p class='muted'>No reliability estimates.</p>"
    r = rel.sort_values(["task", "condition", "measure", "session"]).reset_index(drop=True)
    labels = (r["task"] + "  " + r["condition"] + "  " + r["measure"] + "  [" + r["session"]
              + "]").tolist()
    fig, ax = plt.subplots(figsize=(9, 0.26 * len(r) + 1.2))
    y = np.arange(len(r))[::-1]
    ax.errorbar(r["sb"], y, xerr=[r["sb"] - r["sb_ci_low"], r["sb_ci_high"] - r["sb"]],
                fmt="none", ecolor="#888888", lw=1)
    palette = ["#4393c3", "#d6604d", "#1b7837", "#999999"]
    for k, session in enumerate(sorted(r["session"].unique(), reverse=True)):
        m = (r["session"] == session).to_numpy()
        ax.scatter(r["sb"][m], y[m], color=palette[k % 4], zorder=3, s=18, label=session)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_yticks(y, labels, fontsize=7)
    ax.axvline(0, color="black", lw=0.6)
    for x in (0.5, 0.7):
        ax.axvline(x, color="#aaaaaa", lw=0.6, ls="--")
    ax.set_xlabel("Spearman-Brown split-half reliability (mean over splits, 95% interval)")
    ax.set_xlim(-1, 1)
    fig.tight_layout()
    return _png(fig)


def salience_figure(scores: pd.DataFrame, groups: dict, pre: str, post: str) -> str:
    import matplotlib.pyplot as plt

    d = scores[(scores["task"] != "dotprobe") & scores["measure"].str.contains("salience")
               & scores["session"].isin([pre, post])].dropna(subset=["value"])
    if d.empty:
        return "<p class='muted'>No rating salience scores.</p>"
    d = d.assign(group=d["participant_id"].map(groups).fillna("n/a"))
    keys = d[["task", "condition", "measure"]].drop_duplicates().sort_values(
        ["task", "condition", "measure"])
    keys = list(keys.itertuples(index=False))
    ncol = 4
    nrow = (len(keys) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(13, 2.6 * nrow), squeeze=False)
    group_names = sorted(d["group"].unique())
    for ax, key in zip(axes.flat, keys):
        sub = d[(d["task"] == key.task) & (d["condition"] == key.condition)
                & (d["measure"] == key.measure)]
        for k, g in enumerate(group_names):
            gs = sub[sub["group"] == g]
            m = gs.groupby("session")["value"].agg(["mean", "std", "count"]).reindex([pre, post])
            x = np.array([0, 1]) + (k - (len(group_names) - 1) / 2) * 0.08
            ax.errorbar(x, m["mean"], yerr=m["std"] / np.sqrt(m["count"]), marker="o",
                        capsize=3, label=g, color=GROUP_COLOURS.get(g, None))
        ax.axhline(0, color="black", lw=0.5, ls=":")
        ax.set_xticks([0, 1], [pre, post])
        ax.set_xlim(-0.4, 1.4)
        ax.set_title(f"{key.task}: {key.condition}\n{key.measure}", fontsize=8)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    axes[0][0].legend(fontsize=7)
    fig.suptitle("Salience contrasts: mean ± SE per group and session", fontsize=11)
    fig.tight_layout()
    return _png(fig)


def quality_figure(scores: pd.DataFrame, trials_dir: Path, acc_min: float) -> str:
    import matplotlib.pyplot as plt

    acc = scores[(scores["task"] == "dotprobe") & (scores["condition"] == "all")]
    if acc.empty:
        return ""
    fig, axes = plt.subplots(1, 2, figsize=(9, 2.8))
    a = acc[acc["measure"] == "accuracy"]["value"].dropna()
    axes[0].hist(a, bins=30, color="#4393c3")
    axes[0].axvline(acc_min, color="#b2182b", ls="--", label=f"cut-off {acc_min:g}")
    axes[0].set_xlabel("dot-probe accuracy (test trials)")
    axes[0].set_ylabel("participant x session")
    axes[0].legend(fontsize=8)
    f = acc[acc["measure"] == "dropped_frames"]["value"].dropna()
    top = int(f.max()) if len(f) else 0
    axes[1].hist(f, bins=np.arange(-0.5, top + 1.5, max(1, (top + 1) // 30)), color="#999999")
    axes[1].set_xlim(-0.5, max(top, 5) + 0.5)
    axes[1].set_xlabel(f"dropped frames per dot-probe run (total {int(f.sum())})")
    fig.tight_layout()
    return _png(fig)


def build(scores_dir: Path) -> str:
    """The report's HTML text from a folder of score files."""
    import matplotlib
    matplotlib.use("Agg")

    folder = Path(scores_dir)
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    settings = prov["Settings"]
    pre, post = settings["input"]["pre_session"], settings["input"]["post_session"]
    scores = _read(folder, "scores.tsv")
    rel = _read(folder, "reliability.tsv")
    chg = _read(folder, "change.tsv")
    excl = _read(folder, "exclusions.tsv")
    runs = _read(folder, "runs.tsv")
    mixed = _read(folder, "mixed_model.tsv")
    alpha = _read(folder, "internal_consistency.tsv")
    groups = _group_map(folder, prov)
    esc = html.escape
    n_part = scores["participant_id"].nunique() if scores is not None else 0
    crashed = runs[runs["crashed"] == 1] if runs is not None else None
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>icb report</title><style>{CSS}</style></head><body>",
             "<h1>Infant-cue salience battery: scoring report</h1>",
             f"<p class='muted'>Data: {esc(str(prov.get('DataRoot')))} &middot; scored "
             f"{esc(str(prov.get('Created')))} with icb {esc(prov['Software'].get('icb', '?'))}"
             f" &middot; score files: {esc(str(folder.resolve()))}</p>",
             "<div class='cards'>",
             f"<div class='card'><b>{n_part}</b><span>participants</span></div>",
             f"<div class='card'><b>{prov['Counts']['runs_scored']}</b><span>runs scored</span>"
             "</div>",
             f"<div class='card'><b>{prov['Counts']['exclusions']}</b><span>exclusions</span>"
             "</div>",
             f"<div class='card'><b>{prov['Counts']['crashed_runs_scored']}</b>"
             "<span>crashed runs scored</span></div>",
             f"<div class='card'><b>{', '.join(prov.get('Groups') or ['none'])}</b>"
             "<span>groups</span></div></div>"]
    if prov.get("IncludeSimulated"):
        parts.append("<p class='warn'>Simulated runs were included (--include-simulated).</p>")
    parts += ["<h2>1. Attentional bias before and after</h2>",
              "<p>Bias = mean RT incongruent − mean RT congruent (ms); positive = attention "
              "toward the first picture category of the pair (e.g. infant distress in "
              "<i>infant_distress-infant_neutral</i>). Grey lines: participants with both "
              "sessions; coloured: group mean ± SE.</p>",
              bias_figure(scores, groups, pre, post) if scores is not None else "",
              "<h2>2. Score distributions</h2>",
              distribution_figure(scores, ["bias_ms", "rt_sd_ms", "tlbs_variability_ms", "abv"])
              if scores is not None else "",
              "<h2>3. Split-half reliability</h2>",
              "<p>Permutation split-half (Spearman–Brown corrected) with its 95% interval over "
              "splits; dashed lines at 0.5 and 0.7.</p>",
              reliability_figure(rel[rel["task"] == "dotprobe"] if rel is not None else None),
              "<details><summary>Reliability of the salience contrasts (plot)</summary>",
              reliability_figure(rel[rel["task"] != "dotprobe"] if rel is not None else None),
              "</details>",
              "<details><summary>Reliability table</summary>", _table(rel), "</details>",
              "<h2>4. Change from pre to post</h2>",
              _table(chg[chg["measure"] == "bias_ms"] if chg is not None else None),
              "<h2>5. Rating salience</h2>", salience_figure(scores, groups, pre, post)
              if scores is not None else "",
              "<details><summary>Change in salience measures</summary>",
              _table(chg[chg["measure"] != "bias_ms"] if chg is not None else None),
              "</details>", "<h3>Internal consistency of the cry-aversiveness composite</h3>",
              _table(alpha)]
    if mixed is not None:
        parts += ["<h2>6. Trial-level mixed model</h2>",
                  "<p>rt_ms ~ congruent × post × group, random intercept and congruency slope "
                  "per participant (REML); post = 1 for the post session. The congruent "
                  "coefficient is −bias, so congruent:post:group[T.MORE] is minus the "
                  "difference between groups in the pre-to-post change of bias: a negative "
                  "estimate means bias rose more (or fell less) in MORE than in control.</p>",
                  _table(mixed[mixed["term"].astype(str).str.contains("congruent")])]
    quality = [f"<h2>{7 if mixed is not None else 6}. Data quality</h2>",
               quality_figure(scores, folder, settings["dotprobe"]["accuracy_min"])
               if scores is not None else ""]
    if excl is not None and len(excl):
        counts = excl.assign(kind=excl["reason"].astype(str).str.replace(
            r"(sub-\S+|\d+(\.\d+)?)", "#", regex=True).str.slice(0, 90)) \
            .groupby("kind").size().rename("n").reset_index()
        quality += ["<h3>Exclusions by kind</h3>", _table(counts),
                    "<details><summary>Every exclusion</summary>", _table(excl), "</details>"]
    else:
        quality.append("<p>No exclusions.</p>")
    quality += ["<h3>Crashed runs</h3>", _table(crashed[["participant_id", "session", "task",
                                                          "run", "status", "scored", "note"]]
                                                 if crashed is not None else None)]
    warn = prov.get("Warnings") or []
    quality += [f"<details><summary>Warnings ({len(warn)})</summary><ul>"
                + "".join(f"<li>{esc(str(w))}</li>" for w in warn[:500]) + "</ul></details>"]
    parts += quality
    parts += ["<h2>Methods</h2>", f"<p>{methods_paragraph(prov)}</p>", "<h3>References</h3>",
              "<ul class='refs'>" + "".join(f"<li>{esc(r)}</li>" for r in REFERENCES) + "</ul>",
              "</body></html>"]
    return "\n".join(parts)
