"""The report section "Can these data show individual change?" (contract §7), from
reliability.tsv, reliability_latent.tsv, retest.tsv and rci.tsv of a score folder.

Per task × condition × measure: split-half SB, latent reliability with its interval,
signal-to-noise, trials per side now and for 0.7 and 0.8, the retest figures, one plain
sentence, and the RCI table saying when its r_xx makes an individual RCI meaningless.  Every
text stays text (the template escapes it); plot labels pass :func:`plain` (no mathtext).

>>> sentence({"task": "dotprobe", "condition": "a-b@200", "measure": "bias_ms",
...           "session": "pre", "n_participants": 40, "reliability": 0.12, "true_var": 5.0,
...           "trials_per_cell": 24.0, "trials_for_0.7": 900.0, "trials_for_0.8": 1500.0})
'task-dotprobe bias_ms at a-b@200 (pre): reliability 0.12 with 24 trials per side; about 900 trials per side would reach 0.7; individual change scores are not interpretable; group means are.'
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io
from analysis.latent import sides_of
from analysis.report_parts import Details, Items, Section, Text, figure, new_figure, plain, table

KEY = ["task", "condition", "measure"]
TEXT = {c: str for c in ("task", "condition", "measure", "session", "group", "note")}
REFERENCES = [
    "McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass "
    "correlation coefficients. Psychological Methods, 1, 30-46.",
    "Rouder, J. N., & Haaf, J. M. (2019). A psychometrics of individual differences in "
    "experimental tasks. Psychonomic Bulletin & Review, 26, 452-467.",
    "Rouder, J. N., & Mehrvarz, M. (2024). Hierarchical-model insights for planning and "
    "interpreting individual-difference studies of cognitive abilities. Current Directions "
    "in Psychological Science.",
]


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = Path(folder) / name
    if not path.is_file():
        return pd.DataFrame()
    frame = io.read_score_tsv(path, dtype=TEXT)
    return frame if len(frame.columns) else pd.DataFrame()


def _num(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return value


def verdict(reliability: float) -> str:
    """What a reliability allows for individual change scores.

    >>> verdict(0.8)
    'individual change scores can be interpreted (see the RCI)'
    >>> verdict(0.6).split(";")[0], verdict(0.1).split(";")[0]
    ('individual change scores are interpretable only for large changes', 'individual change scores are not interpretable')
    """
    if reliability >= 0.7:
        return "individual change scores can be interpreted (see the RCI)"
    if reliability >= 0.5:
        return ("individual change scores are interpretable only for large changes; group "
                "means are")
    return "individual change scores are not interpretable; group means are"


def sentence(row) -> str:
    """One plain sentence for a row of reliability_latent.tsv (module docstring example)."""
    what = f"task-{row['task']} {row['measure']} at {row['condition']} ({row['session']})"
    n, rel = _num(row["n_participants"]), _num(row["reliability"])
    if not n >= 3 or math.isnan(rel):
        return f"{what}: too few participants with a score for a reliability estimate."
    now, snr = _num(row["trials_per_cell"]), _num(row.get("snr"))
    per = " per side"
    if snr > 0 and sides_of(snr, _num(row["trials_for_0.7"]), _num(row["trials_for_0.8"])) == 1:
        per = ""  # a mean of one side's trials
    trials = f"{now:.0f} trials{per}" if math.isfinite(now) else "these trials"
    if not _num(row["true_var"]) > 0:
        return (f"{what}: reliability 0 with {trials}: no between-person signal was "
                "detected above the trial noise, so no number of trials can be predicted; "
                "individual change scores are not interpretable; group means are.")
    t7, t8 = _num(row["trials_for_0.7"]), _num(row["trials_for_0.8"])
    if rel < 0.7:
        need = f"about {t7:,.0f} trials{per} would reach 0.7"
    else:
        need = f"0.7 is reached; about {t8:,.0f} trials{per} would reach 0.8"
    return f"{what}: reliability {rel:.2f} with {trials}; {need}; {verdict(rel)}."


def rci_verdicts(rel: pd.DataFrame, rci: pd.DataFrame, *, pre: str, criterion: float
                 ) -> pd.DataFrame:
    """Per task × condition × measure: r_xx (pre-session split-half SB), participants with
    an RCI, how many reliable, the smallest reliable change in SDs of the pre scores
    (criterion · √2 · √(1 − r_xx)) and whether an individual RCI means anything.

    >>> rel = pd.DataFrame({"session": ["pre"], "task": ["t"], "condition": ["c"],
    ...                     "measure": ["m"], "sb": [0.3]})
    >>> rci_verdicts(rel, pd.DataFrame(), pre="pre", criterion=1.96).iloc[0, -1][:30]
    'individual RCI meaningless: r_'
    """
    if rel.empty or "sb" not in rel:
        return pd.DataFrame()
    r = rel[rel["session"] == pre][[*KEY, "sb"]].rename(columns={"sb": "r_xx"})
    if len(rci) and "rci" in rci:
        counts = rci.dropna(subset=["rci"]).groupby(KEY).agg(
            n_with_rci=("rci", "size"), n_reliable=("reliable", "sum")).reset_index()
        r = r.merge(counts, on=KEY, how="left")
    else:
        r = r.assign(n_with_rci=np.nan, n_reliable=np.nan)
    r = r.astype({"n_with_rci": "Int64", "n_reliable": "Int64"})
    r_xx = r["r_xx"].astype(float)
    r["smallest_reliable_change_sd"] = np.where(r_xx > 0, criterion * np.sqrt(2) * np.sqrt(
        (1 - r_xx).clip(lower=0)), np.nan)
    r["individual_rci"] = [
        "not computed: r_xx is 0 or below (or missing)" if not x > 0 else
        f"individual RCI meaningless: r_xx {x:.2f} < 0.5, a change must exceed {d:.1f} SDs "
        "of the pre scores and much of any change is measurement error" if x < 0.5 else
        f"only large changes count: r_xx {x:.2f} < 0.7 (more than {d:.1f} SDs)" if x < 0.7
        else f"usable: r_xx {x:.2f} (a change above {d:.1f} SDs is reliable)"
        for x, d in zip(r_xx, r["smallest_reliable_change_sd"])]
    return r.reset_index(drop=True)


def trials_figure(latent: pd.DataFrame, label: str):
    """Predicted reliability against trials per side, one line per condition × measure ×
    session with a positive true variance: R(L) = true_var / (true_var + error_var · L0 / L),
    L0 the trials per side used (the error variance shrinks as 1 / L); a dot at L0.

    >>> lat = pd.DataFrame({"task": ["t"], "condition": ["c"], "measure": ["$m$"],
    ...     "session": ["pre"], "true_var": [1.0], "error_var": [2.0],
    ...     "trials_per_cell": [20.0], "reliability": [1 / 3]})
    >>> trials_figure(lat, "t").alt
    'reliability against trials per side'
    """
    d = latent[(latent["task"] == label) & (latent["true_var"].astype(float) > 0)
               & (latent["trials_per_cell"].astype(float) > 0)]
    if d.empty:
        return None
    fig = new_figure(8, 3.6)
    ax = fig.subplots()
    trials = np.logspace(0, 4, 200)
    for row in d.head(16).itertuples():
        true, error, now = float(row.true_var), float(row.error_var), float(row.trials_per_cell)
        line = ax.plot(trials, true / (true + error * now / trials), lw=1,
                       label=plain(f"{row.condition} {row.measure} [{row.session}]"))
        ax.scatter([now], [float(row.reliability)], color=line[0].get_color(), s=14)
    for y in (0.5, 0.7, 0.8):
        ax.axhline(y, color="#aaaaaa", lw=0.6, ls="--")
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("trials per side (log scale)")
    ax.set_ylabel("reliability")
    ax.legend(fontsize=6, loc="lower right")
    fig.tight_layout()
    return figure(fig, "reliability against trials per side")


def _interval(value, low, high) -> str:
    value, low, high = _num(value), _num(low), _num(high)
    if math.isnan(value):
        return "n/a"
    if math.isnan(low) or math.isnan(high):
        return f"{value:.2f}"
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def measure_table(split: pd.DataFrame, latent: pd.DataFrame) -> pd.DataFrame:
    """One row per session × condition × measure: split-half SB, latent reliability (95%
    interval), SNR, trials per side now and for 0.7 and 0.8.

    >>> lat = pd.DataFrame({"session": ["pre"], "task": ["t"], "condition": ["c"],
    ...     "measure": ["m"], "reliability": [0.3], "reliability_ci_low": [0.1],
    ...     "reliability_ci_high": [0.5], "snr": [0.2], "trials_per_cell": [20.],
    ...     "trials_for_0.7": [117.], "trials_for_0.8": [200.]})
    >>> [str(v) for v in measure_table(pd.DataFrame(), lat).iloc[0].tolist()[3:]]
    ['n/a', '0.30 [0.10, 0.50]', '0.2', '20', '117', '200']
    """
    keys = ["session", *KEY]
    d = latent.copy()
    if len(split) and "sb" in split:
        d = d.merge(split[keys + ["sb", "sb_ci_low", "sb_ci_high"]], on=keys, how="left")
    else:
        d = d.assign(sb=np.nan, sb_ci_low=np.nan, sb_ci_high=np.nan)
    return pd.DataFrame({
        "session": d["session"], "condition": d["condition"], "measure": d["measure"],
        "split-half SB": [_interval(*v) for v in zip(d["sb"], d["sb_ci_low"], d["sb_ci_high"])],
        "latent reliability": [_interval(*v) for v in zip(
            d["reliability"], d["reliability_ci_low"], d["reliability_ci_high"])],
        "SNR": d["snr"].astype(float), "trials per side": d["trials_per_cell"].map(_count),
        "trials for 0.7": d["trials_for_0.7"].map(_count),
        "trials for 0.8": d["trials_for_0.8"].map(_count)})


def _count(value) -> str:
    value = _num(value)
    return "n/a" if math.isnan(value) else f"{value:,.1f}".replace(".0", "")


def sections(folder: Path, *, pre: str, criterion: float) -> list[Section]:
    """The section, per task, when the folder has reliability_latent.tsv (older score
    folders: none; a file without rows: one section saying so)."""
    if not (Path(folder) / "reliability_latent.tsv").is_file():
        return []
    latent = _read(folder, "reliability_latent.tsv")
    if latent.empty or "reliability" not in latent or latent["task"].isna().all():
        return [Section("Can these data show individual change?", (Text(
            "No score had trial-level data enough for these figures (at least 3 "
            "participants with 2 or more valid trials on each side): reliability_latent.tsv "
            "and retest.tsv have no rows.", "muted"),))]
    split, retest = _read(folder, "reliability.tsv"), _read(folder, "retest.tsv")
    rci = _read(folder, "rci.tsv")
    out = []
    for label in sorted(latent["task"].dropna().unique()):
        mine = latent[latent["task"] == label].sort_values(
            ["condition", "measure", "session"]).reset_index(drop=True)
        split_l = split[split["task"] == label] if len(split) else split
        first = mine[mine["session"] == pre]
        said = [sentence(r) for r in (first if len(first) else mine).to_dict("records")]
        blocks = [
            Text("Latent reliability = true variance / observed variance of the scores, the "
                 "true variance being the observed variance minus the mean sampling variance "
                 "of a score (trial noise); signal-to-noise = true SD / trial SD; trials for "
                 "0.7 and 0.8 = trials per side that would reach that reliability (Rouder & "
                 "Haaf, 2019; Rouder & Mehrvarz, 2024)."),
            Items(tuple(said)),
            table(measure_table(split_l, mine)),
            trials_figure(mine, label) or Text("No measure with a between-person signal.",
                                               "muted")]
        rt = retest[retest["task"] == label].drop(columns="task") if len(retest) else retest
        blocks += [Text("Retest, pre to post: Pearson r, ICC(A,1) (McGraw & Wong, 1996), r "
                        "disattenuated by the two sessions' latent reliabilities, and the "
                        "latent correlation of the participants' effects from the trial-level "
                        "mixed model, with its 95% interval."), table(rt)]
        verdicts = rci_verdicts(split_l, rci[rci["task"] == label] if len(rci) else rci,
                                pre=pre, criterion=criterion)
        blocks += [Text(f"Reliable change index: r_xx is the {pre}-session split-half "
                        "reliability; an RCI built on a low r_xx says little about a "
                        "participant."), table(verdicts.drop(columns="task")
                                               if len(verdicts) else None)]
        out.append(Section(f"Can these data show individual change? (task-{label})",
                           (blocks[0], blocks[1], blocks[2], blocks[3],
                            Details("Retest and reliable change", tuple(blocks[4:])))))
    return out


def methods(prov: dict) -> str:
    """The methods sentence of these files (empty for an older score folder)."""
    lat = prov.get("LatentReliability")
    if not isinstance(lat, dict):
        return ""
    model = prov.get("Retest", {})
    return (f"Latent reliability was the observed variance of the scores minus their mean "
            f"sampling variance, divided by the observed variance, with a 95% interval from "
            f"{lat.get('BootstrapResamples')} bootstrap resamples of participants (seed "
            f"{lat.get('Seed')}); the signal-to-noise ratio gave the trials per side needed "
            "for reliabilities of 0.7 and 0.8 (Rouder & Haaf, 2019; Rouder & Mehrvarz, "
            "2024). Retest agreement was ICC(A,1) (McGraw & Wong, 1996); the latent pre-post "
            "correlation came from a trial-level linear mixed model with a random intercept "
            "and effect per participant and session (statsmodels MixedLM, REML"
            + (f", at most {model.get('MaxParticipants')} participants per fit)."
               if model.get("Model") else "; not fitted in this run)."))
