"""The report of gaze scores (free viewing): its sections (:func:`sections`), their figures
(the dwell-share time course, heat maps of gaze over the layout, gaze data quality) and
the methods sentences.  A figure function returns a ``Figure`` block or None; text from the
data passes ``plain`` (no ``$`` is read as mathtext).

>>> tc = pd.DataFrame({"participant_id": ["a", "b"], "session": "pre", "condition": "x-y@6000",
...     "bin_start_ms": 0.0, "dwell_share": [0.4, 0.6], "n_trials": 10})
>>> timecourse_figure(tc, groups={}, pre="pre", post="post", bin_ms=500).alt
'dwell share time course'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import plots
from analysis.gaze_runs import OUTSIDE_AOIS
from analysis.plots import GROUP_COLOURS
from analysis.report_parts import Details, Section, Text, figure, new_figure, plain, table

SESSION_STYLES = ["-", "--", ":", "-."]


def timecourse_figure(tc: pd.DataFrame, *, groups: dict, pre: str, post: str, bin_ms: float):
    """One panel per condition: the dwell share per bin from display onset, mean +- SE
    (SE = SD / sqrt(n)) over participants, a line per group (colour) and session (style)."""
    if tc is None or tc.empty:
        return None
    tc = tc.dropna(subset=["dwell_share"])
    tc = tc.assign(group=[groups.get(p, "n/a") for p in tc["participant_id"]])
    conditions = sorted(tc["condition"].astype(str).unique())
    sessions = [x for x in (pre, post) if x in set(tc["session"])] + sorted(
        set(tc["session"]) - {pre, post})
    fig = new_figure(min(4.2 * len(conditions), 16) + 0.5, 3.2)
    axes = fig.subplots(1, len(conditions), squeeze=False, sharey=True)[0]
    for ax, cond in zip(axes, conditions):
        sub = tc[tc["condition"].astype(str) == cond]
        for (g, ses), d in sub.groupby(["group", "session"], sort=True):
            m = d.groupby("bin_start_ms")["dwell_share"].agg(["mean", "std", "count"])
            x = (m.index.to_numpy(dtype=float) + bin_ms / 2) / 1000
            ax.errorbar(x, m["mean"], yerr=m["std"] / np.sqrt(m["count"]), capsize=2,
                        color=GROUP_COLOURS.get(g, "#2166ac"), marker="o", ms=3,
                        ls=SESSION_STYLES[sessions.index(ses) % len(SESSION_STYLES)],
                        label=plain(f"{g} {ses}"))
        ax.axhline(0.5, color="black", lw=0.6, ls=":")
        ax.set_ylim(0, 1)
        ax.set_xlabel("time from display onset (s)")
        ax.set_title(plain(cond), fontsize=8.5)
    axes[0].set_ylabel("dwell share\ntarget / (target + comparison)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return figure(fig, "dwell share time course")


def heatmaps(heat: pd.DataFrame, aois: pd.DataFrame, *, bin_px: float):
    """A row per layout: the valid samples of all valid trials (first panel) and those on
    the AOIs of each category (one panel each), as 2-D histograms over the screen (pixels,
    origin at the centre, y up; one colour scale per row), AOI rectangles outlined.

    >>> h = pd.DataFrame({"session": "pre", "layout": "pair", "category": ["a", "b"],
    ...     "x_px": [-90.0, 110.0], "y_px": [10.0, 10.0], "n_samples": [5, 3]})
    >>> r = pd.DataFrame({"layout": ["pair"] * 2, "aoi": ["left", "right"], "x_px": [-100., 100.],
    ...     "y_px": [0., 0.], "width_px": [80., 80.], "height_px": [100., 100.]})
    >>> heatmaps(h, r, bin_px=20).alt
    'gaze heat maps'
    """
    if heat is None or heat.empty:
        return None
    heat = heat.assign(layout=heat["layout"].astype(str), category=heat["category"].astype(str))
    layouts = sorted(heat["layout"].unique())
    panels = {lay: ["all valid samples"] + sorted(
        c for c in heat.loc[heat["layout"] == lay, "category"].unique() if c != OUTSIDE_AOIS)
        for lay in layouts}
    ncol = max(len(p) for p in panels.values())
    fig = new_figure(3.2 * ncol, 2.6 * len(layouts) + 0.4)
    axes = fig.subplots(len(layouts), ncol, squeeze=False)
    for i, lay in enumerate(layouts):
        mine = heat[heat["layout"] == lay]
        rects = aois[aois["layout"].astype(str) == lay] \
            if aois is not None and len(aois) else None
        x_edges, y_edges = _edges(mine, rects, bin_px)
        grids = []
        for name in panels[lay]:
            d = mine if name == "all valid samples" else mine[mine["category"] == name]
            grid, _, _ = np.histogram2d(d["x_px"], d["y_px"], bins=[x_edges, y_edges],
                                        weights=d["n_samples"])
            grids.append(grid)
        top = max(g.max() for g in grids) or 1.0
        for j, ax in enumerate(axes[i]):
            if j >= len(grids):
                ax.axis("off")
                continue
            ax.imshow(grids[j].T, origin="lower", cmap="magma", vmin=0, vmax=top,
                      extent=(x_edges[0], x_edges[-1], y_edges[0], y_edges[-1]))
            for r in (rects.itertuples() if rects is not None else ()):
                ax.add_patch(_rectangle(r))
            n = int(grids[j].sum())
            ax.set_title(plain(f"{lay}: {panels[lay][j]} (n = {n})"), fontsize=8)
            ax.tick_params(labelsize=6)
    fig.tight_layout()
    return figure(fig, "gaze heat maps")


def _edges(heat: pd.DataFrame, rects: pd.DataFrame | None, bin_px: float) -> tuple:
    """Bin edges of a panel: the AOIs' bounding box grown by half its size on each side
    (samples beyond are left out of the picture), or the samples' range within 4000 px of
    the centre when there are no AOIs."""
    if rects is not None and len(rects):
        lo_x = (rects["x_px"] - rects["width_px"] / 2).min()
        hi_x = (rects["x_px"] + rects["width_px"] / 2).max()
        lo_y = (rects["y_px"] - rects["height_px"] / 2).min()
        hi_y = (rects["y_px"] + rects["height_px"] / 2).max()
        pad_x, pad_y = (hi_x - lo_x) / 2, (hi_y - lo_y) / 2
        box = (lo_x - pad_x, hi_x + pad_x, lo_y - pad_y, hi_y + pad_y)
    else:
        x, y = heat["x_px"].clip(-4000, 4000), heat["y_px"].clip(-4000, 4000)
        box = (x.min(), x.max(), y.min(), y.max())
    return tuple(np.arange(np.floor(lo / bin_px) - 1, np.ceil(hi / bin_px) + 2) * bin_px
                 for lo, hi in (box[:2], box[2:]))


def _rectangle(r):
    from matplotlib.patches import Rectangle

    return Rectangle((r.x_px - r.width_px / 2, r.y_px - r.height_px / 2), r.width_px,
                     r.height_px, fill=False, edgecolor="#66ccff", lw=0.8)


def quality(overall: pd.DataFrame, *, min_valid_trial_prop: float):
    """Per participant x session: valid gaze samples (proportion, test trials), valid
    trials (proportion, with the exclusion cut-off) and drift-check time-outs.

    >>> o = pd.DataFrame({"participant_id": ["a"] * 4, "session": "pre",
    ...     "measure": ["valid_sample_prop", "n_valid_trials", "n_test_trials",
    ...                 "drift_check_timeouts"], "value": [0.9, 50.0, 60.0, 2.0]})
    >>> quality(o, min_valid_trial_prop=0.5).alt
    'gaze data quality'
    """
    wide = overall.pivot_table(index=["participant_id", "session"], columns="measure",
                               values="value", aggfunc="first")
    if wide.empty:
        return None
    wide = wide.reindex(columns=["valid_sample_prop", "n_valid_trials", "n_test_trials",
                                 "drift_check_timeouts"])
    fig = new_figure(11, 2.8)
    axes = fig.subplots(1, 3)
    axes[0].hist(wide["valid_sample_prop"].dropna(), bins=30, range=(0, 1), color="#4393c3")
    axes[0].set_xlabel("valid gaze samples (proportion, test trials)")
    axes[0].set_ylabel("participant x session")
    prop = (wide["n_valid_trials"] / wide["n_test_trials"]).dropna()
    axes[1].hist(prop, bins=30, range=(0, 1), color="#92c5de")
    axes[1].axvline(min_valid_trial_prop, color="#b2182b", ls="--",
                    label=f"cut-off {min_valid_trial_prop:g}")
    axes[1].set_xlabel("valid trials (proportion of test trials)")
    axes[1].legend(fontsize=8)
    t = wide["drift_check_timeouts"].dropna()
    top = int(t.max()) if len(t) else 0
    axes[2].hist(t, bins=np.arange(-0.5, top + 1.5, max(1, (top + 1) // 30)), color="#999999")
    axes[2].set_xlabel(f"drift-check time-outs (total {int(t.sum())})")
    fig.tight_layout()
    return figure(fig, "gaze data quality")


def quality_blocks(overall: pd.DataFrame, calibration: pd.DataFrame | None, *,
                   min_valid_trial_prop: float) -> tuple:
    """The gaze data-quality blocks: :func:`quality`, the participant-sessions with
    drift-check time-outs, and the calibration / validation figures of the physio sidecars
    (per session and field: count, mean, median, max; every run folded)."""
    wide = overall.pivot_table(index=["participant_id", "session"], columns="measure",
                               values="value", aggfunc="first")
    timeouts = wide[wide["drift_check_timeouts"] > 0].reset_index() \
        if "drift_check_timeouts" in wide else None
    blocks = [quality(overall, min_valid_trial_prop=min_valid_trial_prop)
              or Text("No test trials.", "muted"),
              Text("Participant-sessions with drift-check time-outs:"), table(timeouts)]
    if calibration is None or calibration.empty:
        return (*blocks, Text("The physio sidecars hold no calibration or validation "
                              "figures.", "muted"))
    summary = calibration.groupby(["session", "field"], sort=True)["value"].agg(
        ["count", "mean", "median", "max"]).reset_index()
    return (*blocks, Text("Calibration and validation figures of the physio sidecars, per "
                          "session (units as the tracker reports them, usually degrees):"),
            table(summary), Details("Every run", (table(calibration.drop(columns="task")),)))


def sections(data, *, settings: dict, timecourse, heat, aois, calibration, bin_px: float
             ) -> list[Section]:
    """The sections of one label (``data``: its :class:`analysis.scorer.ReportData`;
    ``settings``: its paradigm's section; the other arguments: its extra score files)."""
    t = f"task-{data.label}"
    cond = data.scores[data.scores["condition"] != "all"]
    overall = data.scores[data.scores["condition"] == "all"]
    share_fig = plots.paired_prepost(
        cond[cond["measure"] == "dwell_share"], groups=data.groups, pre=data.pre,
        post=data.post, ylabel="dwell share\ntarget / (target + comparison)",
        title="Dwell share per participant (grey) and group mean ± SE")
    dist = plots.histograms(cond, ["dwell_share", "first_target_prop", "first_latency_ms"])
    return [
        Section(f"Dwell share before and after ({t})", (
            Text("Dwell share = dwell on the target pictures / dwell on target and "
                 "comparison pictures per trial, averaged over the valid trials; 0.5 = no "
                 "preference; the target is the first category of the pair (e.g. "
                 "infant_neutral in infant_neutral-adult_neutral)."),
            share_fig or Text("No dwell-share scores.", "muted"),
            Details("Score distributions", (dist or Text("No scores.", "muted"),)))),
        Section(f"Dwell share over the display ({t})", (
            Text(f"Share per {settings['bin_ms']:g} ms bin from display onset, mean ± SE over "
                 "participants per group and session (gaze_timecourse.tsv)."),
            timecourse_figure(timecourse, groups=data.groups, pre=data.pre, post=data.post,
                              bin_ms=settings["bin_ms"])
            or Text("No time course.", "muted"))),
        Section(f"Where the gaze fell ({t})", (
            Text("Valid gaze samples of the valid trials over the screen (pixels from the "
                 "centre, y up), all of them and those on the pictures of each category; "
                 "AOI rectangles (margin included) outlined (gaze_heatmap.tsv)."),
            heatmaps(heat, aois, bin_px=bin_px) or Text("No gaze samples.", "muted"))),
        Section(f"Split-half reliability ({t})", (
            Text("Permutation split-half of dwell_share (each participant's valid trials "
                 "shuffled and cut in half; Spearman–Brown corrected), 95% interval over "
                 "splits."),
            plots.reliability_forest(data.reliability)
            or Text("No reliability estimates.", "muted"))),
        Section(f"Change from pre to post ({t})", (table(data.change),)),
        Section(f"Gaze data quality ({t})", quality_blocks(
            overall, calibration, min_valid_trial_prop=settings["min_valid_trial_prop"])),
    ]


def methods_text(settings: dict, labels) -> str:
    """The free-viewing sentences of the methods paragraph (``settings``: the paradigm's
    section actually used).

    >>> from analysis.settings import defaults
    >>> methods_text(defaults()["freeview"], ["fv"])[:40]
    'Free-viewing data (task-fv): only test t'
    """
    s = settings
    names = ", ".join(f"task-{label}" for label in sorted(labels))
    return (
        f"Free-viewing data ({names}): only {s['test_phase']} trials were used. A trial's "
        "gaze samples were those from display onset to offset; a sample was valid with both "
        "coordinates present; trials with a proportion of valid samples below "
        f"{s['min_valid_sample_prop']:g} were excluded, as were participant-sessions with a "
        f"proportion of valid test trials below {s['min_valid_trial_prop']:g}. Dwell on an "
        "area of interest (a picture's rectangle with its margin) was its valid samples "
        "divided by the sampling frequency; the dwell share was target / (target + "
        "comparison) dwell per trial, averaged per participant, session and condition (pair "
        "type × viewing time; Lazarov, Abend & Bar-Haim, 2016, J Affect Disord 193, "
        "282-288). The first fixation was the first run of consecutive valid samples in one "
        f"area lasting at least {s['min_fixation_ms']:g} ms, from "
        f"{s['first_fixation_after_ms']:g} ms after display onset. A condition needed "
        f"{s['min_trials_per_cell']} valid trials. Split halves of the dwell share were "
        "random halves of each participant's valid trials.")
