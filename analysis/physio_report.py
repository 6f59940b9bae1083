"""The report section "Heart rate to cues" (contract section 8), from physio.tsv and
physio_timecourse.tsv: the heart-rate time course around cries (``cryrating`` labels) and
around faces (the other labels), per group and session; a table of the window means; and
data quality (beats corrected and rejected, signal gaps, excluded cues).  A score folder
without physio.tsv gives no section.

>>> from pathlib import Path
>>> sections(Path("/nonexistent"), pre="pre", post="post")
[]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import io
from analysis.gaze_report import SESSION_STYLES
from analysis.physio_files import PHYSIO_FILE, QUALITY, TIMECOURSE_FILE
from analysis.plots import GROUP_COLOURS
from analysis.report_parts import Details, Section, Text, figure, new_figure, plain, table

TEXT = {"participant_id": str, "session": str, "task": str, "condition": str,
        "measure": str, "group": str}


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame()
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
    return io.read_score_tsv(path, dtype={c: t for c, t in TEXT.items() if c in header})


def timecourse_figure(tc: pd.DataFrame, *, pre: str, post: str):
    """A panel per task x cue class: HR change (bpm) per bin, mean +- SE over participants,
    a line per group (colour) and session (style)."""
    if tc.empty:
        return None
    panels = sorted({(t, c) for t, c in zip(tc["task"], tc["condition"])})[:12]
    sessions = [x for x in (pre, post) if x in set(tc["session"])] + sorted(
        set(tc["session"]) - {pre, post})
    cols = min(len(panels), 4)
    rows = int(np.ceil(len(panels) / cols))
    fig = new_figure(3.6 * cols + 0.5, 2.9 * rows)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    for ax, (task, cond) in zip(axes, panels):
        sub = tc[(tc["task"] == task) & (tc["condition"] == cond)]
        for (g, ses), d in sub.groupby(["group", "session"], sort=True):
            x = (d["bin_start_s"] + d["bin_end_s"]) / 2
            se = d["sd_bpm"] / np.sqrt(d["n_participants"])
            ax.errorbar(x, d["hr_change_bpm"], yerr=se, capsize=2, marker="o", ms=3,
                        color=GROUP_COLOURS.get(g, "#2166ac"),
                        ls=SESSION_STYLES[sessions.index(ses) % len(SESSION_STYLES)],
                        label=plain(f"{g} {ses}"))
        ax.axhline(0, color="black", lw=0.6, ls=":")
        ax.axvline(0, color="grey", lw=0.6)
        ax.set_title(plain(f"{task}: {cond}"), fontsize=8.5)
        ax.set_xlabel("time from cue onset (s)")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    axes[0].set_ylabel("heart-rate change (bpm)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return figure(fig, "heart-rate time course around cues")


def window_means(ph: pd.DataFrame, groups: dict) -> pd.DataFrame:
    """Mean (SD, n) over participants per task x group x session x class x measure."""
    d = ph.assign(group=[groups.get(p, "all") if groups.get(p) not in (None, "n/a") else "all"
                         for p in ph["participant_id"]])
    return d.groupby(["task", "group", "session", "condition", "measure"], sort=True)[
        "value"].agg(mean="mean", sd="std", n="count").reset_index()


def quality(ph: pd.DataFrame) -> pd.DataFrame:
    """Per task x session: recordings, beats and their problems, excluded cues."""
    runs = ph.drop_duplicates(["participant_id", "session", "task"])
    cues = ph[ph["measure"] == "hr_baseline_bpm"]
    out = runs.groupby(["task", "session"], sort=True)[QUALITY].sum()
    out.insert(0, "recordings", runs.groupby(["task", "session"]).size())
    out["cues_used"] = cues.groupby(["task", "session"])["n_cues"].sum()
    out["cues_excluded"] = cues.groupby(["task", "session"])["n_cues_excluded"].sum()
    return out.reset_index()


def sections(folder: Path, *, pre: str, post: str, groups: dict | None = None) -> list:
    """The section, or nothing when ``folder`` has no physio.tsv."""
    folder = Path(folder)
    ph = _read(folder / PHYSIO_FILE)
    if ph.empty and not (folder / PHYSIO_FILE).is_file():
        return []
    tc = _read(folder / TIMECOURSE_FILE)
    excl = _read(folder / "exclusions.tsv")
    why = excl[excl["reason"].astype(str).str.startswith("physio:")] if len(excl) else excl
    fig = timecourse_figure(tc, pre=pre, post=post)
    blocks = [Text("Heart rate (from ECG R-peaks, NeuroKit2) around each cue onset, minus "
                   "the mean of the baseline window; cries are the cryrating cues, faces "
                   "the cues of the other tasks. Mean +- SE over participants.")]
    blocks.append(fig if fig is not None else Text("No time course (no valid cues).", "muted"))
    blocks += [Text("Window means (bpm; mean over participants):"),
               table(window_means(ph, groups or {}) if len(ph) else None),
               Text("Data quality (beats corrected by NeuroKit2's artifact correction, beats "
                    "rejected as outside the physiological R-R range, signal gaps):"),
               table(quality(ph) if len(ph) else None),
               Details(f"Physio exclusions ({len(why)})", (table(why),))]
    return [Section("Heart rate to cues", tuple(blocks))]
