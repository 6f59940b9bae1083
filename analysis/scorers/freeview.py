"""The free-viewing scorer (paradigm ``freeview``, every label of it; contract §6).

Required columns: the common head and ``trial_type``, ``layout``, ``view_ms``,
``view_actual_ms``, ``dropped_frames``, ``drift_check``; the ``stim_<aoi>`` columns (one
per AOI of ``Provenance.AOIs``) and ``category_<aoi>`` are read when present.  Beside each
events file: its sidecar (``Provenance.AOIs``, ``Provenance.StimulusManifest``) and the
gaze samples ``*_recording-eye1_physio.tsv.gz`` (:mod:`analysis.gaze_runs`, read once per
run).  Settings: the ``freeview`` section.  Measures per participant x session x condition
(``<trial_type>@<view_ms>``, :func:`analysis.gaze.condition_measures`): dwell_share,
dwell_target_ms, dwell_comparison_ms, first_target_prop, first_latency_ms, n_trials,
valid_sample_prop; condition ``all``: n_test_trials, n_valid_trials, valid_sample_prop,
drift_check_timeouts, dropped_frames, excluded.  Split-half reliability and change of
``dwell_share``.  Extra files: gaze_timecourse.tsv, gaze_heatmap.tsv, gaze_aois.tsv,
gaze_calibration.tsv.

>>> [c.name for c in COLUMNS][5:]
['trial_type', 'layout', 'view_ms', 'view_actual_ms', 'dropped_frames', 'drift_check']
>>> sorted(TABLES)[0], reliability_frame(pd.DataFrame({"participant_id": ["a", "a"],
...     "share": [0.2, 0.4], "trial_index": [1, 2]})).values.tolist()
('gaze_aois.tsv', [['a', 1, 0.2, 1.0], ['a', 1, 0.4, 2.0], ['a', 0, 0.0, 0.0], ['a', 0, 0.0, 1.0]])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import gaze, gaze_report, gaze_runs
from analysis.clean import add_conditions
from analysis.report_parts import Section
from analysis.scorer import SCORE_COLUMNS, Job, ReliabilityInput, ReportData, Scored, Scorer
from icb.columns import COMMON_HEAD, DROPPED_FRAMES, Column

PARADIGM = "freeview"
COLUMNS: tuple[Column, ...] = COMMON_HEAD + (
    Column("trial_type", "Display type", "<target category>-<comparison category>"),
    Column("layout", "Layout", "pair, grid2x2, grid4x4"),
    Column("view_ms", "Intended viewing time", "", "float", units="ms"),
    Column("view_actual_ms", "Achieved viewing time", "", "float", units="ms"),
    DROPPED_FRAMES,
    Column("drift_check", "Drift check", "", levels={"ok": "gaze on the cross",
                                                   "timeout": "time-out"}),
)
MEASURES = ["dwell_share", "dwell_target_ms", "dwell_comparison_ms", "first_target_prop",
            "first_latency_ms", "n_trials", "valid_sample_prop"]
CHANGE_MEASURES = ["dwell_share"]
TIMECOURSE_FILE, HEATMAP_FILE = "gaze_timecourse.tsv", "gaze_heatmap.tsv"
AOIS_FILE, CALIBRATION_FILE = "gaze_aois.tsv", "gaze_calibration.tsv"
TABLES = {
    TIMECOURSE_FILE: ["task", "participant_id", "session", "condition", "bin_start_ms",
                      "dwell_share", "n_trials"],
    HEATMAP_FILE: ["task", "session", "layout", "category", "x_px", "y_px", "n_samples"],
    AOIS_FILE: ["task", "layout", "aoi", "x_px", "y_px", "width_px", "height_px"],
    CALIBRATION_FILE: ["task", "participant_id", "session", "run", "field", "value"],
}
HEATMAP_BIN_PX = 20.0
AOIS_DIFFER = ("the AOIs of a layout differ between runs; the heat map outlines those of the "
               "first run")
UNIT = ["participant_id", "session"]
# per-trial values written to trials.tsv: name in analysis.gaze -> column of trials.tsv
TRIAL_VALUES = {"n_samples": "n_samples", "valid_prop": "valid_sample_prop",
                "dwell_target_ms": "dwell_target_ms",
                "dwell_comparison_ms": "dwell_comparison_ms", "share": "dwell_share",
                "first_target": "first_target", "first_latency_ms": "first_latency_ms"}


def reliability_frame(valid: pd.DataFrame) -> pd.DataFrame:
    """The split-half input of a mean (contract §6.5): each participant's trial shares on
    side 1, and two zeros on side 0, so that the half score mean(side 1 half) - mean(side 0
    half) of :func:`analysis.reliability.split_half` is exactly the half's mean share
    (the zeros' halves have mean 0); the shares are shuffled and cut at floor(n/2)."""
    shares = pd.DataFrame({"unit": valid["participant_id"].to_numpy(), "side": 1,
                           "value": valid["share"].to_numpy(dtype=float),
                           "order": valid["trial_index"].to_numpy(dtype=float)})
    units = shares["unit"].drop_duplicates().to_numpy()
    zeros = pd.DataFrame({"unit": np.repeat(units, 2), "side": 0, "value": 0.0,
                          "order": np.tile([0.0, 1.0], len(units))})
    return pd.concat([shares, zeros], ignore_index=True)


@dataclass
class Parts:
    """What the runs of one label give, gathered run by run (arrays; tables at the end)."""

    n: int  # rows of the label's trials
    excluded: np.ndarray = field(init=False)  # per row of trials.tsv
    reason: np.ndarray = field(init=False)
    first_aoi: np.ndarray = field(init=False)
    positions: list = field(default_factory=list)  # rows of each scored run
    values: list = field(default_factory=list)  # their per-trial values
    bins: list = field(default_factory=list)  # (row, bin_start_ms, share) of valid trials
    heat: list = field(default_factory=list)
    aois: dict = field(default_factory=dict)  # layout -> its AOIs (name, x, y, w, h), first seen
    calibration: list = field(default_factory=list)
    overall: list = field(default_factory=list)
    exclusions: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def __post_init__(self):
        self.excluded = np.ones(self.n, dtype=int)
        self.reason = np.full(self.n, None, dtype=object)
        self.first_aoi = np.full(self.n, None, dtype=object)


def _overall(unit: tuple, quality: np.ndarray, v: pd.DataFrame | None, excluded: bool
             ) -> dict:
    """Condition ``all`` of a participant-session; ``quality`` = its test trials' rows of
    (drift-check time-out 1/0, dropped frames, run)."""
    n_samples = v["n_samples"].to_numpy().sum() if v is not None else 0
    return {"participant_id": unit[0], "session": unit[1],
            "n_test_trials": float(len(quality)),
            "n_valid_trials": float(v["valid"].to_numpy().sum()) if v is not None else np.nan,
            "valid_sample_prop": v["n_valid"].to_numpy().sum() / n_samples if n_samples
            else np.nan,
            "drift_check_timeouts": float(quality[:, 0].sum()),
            "dropped_frames": float(np.nansum(quality[:, 1])), "excluded": float(excluded)}


def score(job: Job) -> Scored:
    """Gaze of every run of one label: trials annotated, scores, reliability inputs,
    change of dwell_share, exclusions, warnings and the extra files."""
    s = job.settings[PARADIGM]
    trials = job.trials.copy()
    trials["condition"] = add_conditions(trials, cue_duration="view_ms")
    test = (trials["phase"] == s["test_phase"]).to_numpy()
    parts, cats = Parts(len(trials)), gaze_runs.Categories()
    parts.reason[~test] = "practice"
    block = gaze_runs.LabelTrials.of(trials)
    quality = np.column_stack([(trials["drift_check"] == "timeout").to_numpy(float),
                               trials["dropped_frames"].to_numpy(float, na_value=np.nan),
                               trials["run"].to_numpy(float)])
    units = [(unit, pos[test[pos]]) for unit, pos in
             trials.groupby(UNIT, sort=True).indices.items() if test[pos].any()]
    read = gaze_runs.read_ahead([job.files.get(unit) for unit, _ in units])
    for (unit, pos), files in zip(units, read):
        _score_unit(job, block, quality[pos], pos, unit, files, cats, parts)
    for problem, runs in sorted(cats.fallbacks.items()):
        parts.warnings.append(f"task-{job.label}: {problem}; the categories of {len(runs)} "
                              "run(s) were taken from their category_<aoi> columns")
    for run, ids in sorted(cats.unknown.items()):
        parts.warnings.append(f"{run}: stimulus id(s) not in the stimulus manifest: "
                              f"{', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}")
    values = pd.concat(parts.values, ignore_index=True) if parts.values else None
    at = np.concatenate(parts.positions) if parts.positions else np.array([], dtype=int)
    for src, dst in TRIAL_VALUES.items():
        column = np.full(len(trials), np.nan)
        column[at] = values[src].to_numpy() if values is not None else []
        trials[dst] = column
    trials["first_fixation_aoi"] = parts.first_aoi
    trials["excluded"], trials["exclusion_reason"] = parts.excluded, parts.reason
    return _assemble(job, trials, at, values, parts, block, cats)


def _score_unit(job, block, quality, pos, unit, files, cats, parts: Parts) -> None:
    """One participant x session (its test trials at ``pos``; ``quality`` as in
    :func:`_overall`): its gaze, trial exclusions and parts."""
    s = job.settings[PARADIGM]
    try:
        if isinstance(files, gaze_runs.NotScorable):
            raise files
        run = gaze_runs.score_run(block, pos, files, job.files[unit], cats, s)
    except gaze_runs.NotScorable as exc:
        parts.reason[pos] = f"not scored: {exc}"
        parts.exclusions.append({"participant_id": unit[0], "session": unit[1],
                                 "reason": f"gaze not scored: {exc}"})
        parts.overall.append(_overall(unit, quality, None, True))
        return
    v = run.values
    v["valid"], why = gaze.trial_validity(v, min_valid_sample_prop=s["min_valid_sample_prop"])
    n_valid, n_test = int(v["valid"].sum()), len(v)
    unit_ok = n_valid >= s["min_valid_trial_prop"] * n_test
    if not unit_ok:
        pct = f"{s['min_valid_trial_prop'] * 100:g}%"
        parts.exclusions.append({"participant_id": unit[0], "session": unit[1], "reason": (
            f"{n_valid} of {n_test} test trials valid (fewer than {pct}; a trial is valid "
            f"with at least {s['min_valid_sample_prop'] * 100:g}% valid gaze samples): "
            "gaze scores n/a but n_trials and valid_sample_prop")})
        why[v["valid"].to_numpy() == 1] = (f"participant-session: {n_valid} of {n_test} test "
                                           f"trials valid (fewer than {pct})")
    v["unit_ok"] = int(unit_ok)
    parts.reason[pos], parts.excluded[pos] = why, 1 - v["valid"].to_numpy() * unit_ok
    first, names = v["first_aoi"].to_numpy(), run.aois["name"].to_numpy(dtype=object)
    parts.first_aoi[pos[~np.isnan(first)]] = names[first[~np.isnan(first)].astype(int)]
    parts.positions.append(pos)
    parts.values.append(v)
    parts.warnings += run.warnings
    parts.overall.append(_overall(unit, quality, v, not unit_ok))
    parts.calibration += [{"participant_id": unit[0], "session": unit[1],
                           "run": int(quality[0, 2]), "field": k, "value": x}
                          for k, x in sorted(run.calibration.items())]
    layout = block.layout[pos]
    for code in np.unique(layout):
        aois = run.aois[(run.codes[layout == code] >= 0).any(axis=0)]
        rects = tuple(map(tuple, aois.to_numpy(dtype=object).tolist()))
        if parts.aois.setdefault(block.layouts[code], rects) != rects \
                and AOIS_DIFFER not in parts.warnings:
            parts.warnings.append(AOIS_DIFFER)
    if unit_ok:
        keep = v["valid"].to_numpy() == 1
        bins = gaze.share_timecourse(run.located[keep[run.located["trial"].to_numpy()]],
                                     bin_ms=s["bin_ms"])
        parts.bins.append((pos[bins["trial"].to_numpy()], bins["bin_start_ms"].to_numpy(),
                           bins["share"].to_numpy()))
        heat = gaze.heatmap_counts(gaze_runs.heat_points(run, layout, keep),
                                   by=["layout", "category"], bin_px=HEATMAP_BIN_PX)
        parts.heat.append(heat.assign(session=unit[1]))
        if len(parts.heat) >= 200:  # bounded memory: fold the counts so far
            parts.heat = [_fold_heat(parts.heat)]



def _fold_heat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    keys = ["session", "layout", "category", "x_px", "y_px"]
    if not parts:
        return pd.DataFrame(columns=[*keys, "n_samples"])
    return pd.concat(parts, ignore_index=True).groupby(keys, sort=True)["n_samples"].sum() \
        .reset_index()


def _assemble(job, trials, at, values, parts: Parts, block, cats) -> Scored:
    s, label = job.settings[PARADIGM], job.label
    per_trial = trials[[*UNIT, "condition", "trial_index"]].iloc[at].reset_index(drop=True)
    if values is not None:
        per_trial = pd.concat([per_trial, values.drop(columns="first_aoi")], axis=1)
    else:
        per_trial = per_trial.assign(**{c: pd.Series(dtype=float) for c in [
            "valid", "unit_ok", "share", "n_valid", "n_samples", "dwell_target_ms",
            "dwell_comparison_ms", "first_target", "first_latency_ms"]})
    cells = gaze.condition_measures(per_trial, by=[*UNIT, "condition"],
                                    min_trials=s["min_trials_per_cell"])
    out = pd.MultiIndex.from_frame(per_trial.loc[per_trial["unit_ok"] == 0, UNIT])
    dropped = pd.MultiIndex.from_frame(cells[UNIT]).isin(out)
    cells.loc[dropped, MEASURES[:5]] = np.nan
    for r in cells[~dropped & (cells["n_trials"] < s["min_trials_per_cell"])].itertuples():
        parts.exclusions.append({
            "participant_id": r.participant_id, "session": r.session,
            "reason": f"{r.condition}: {r.n_trials} valid trials (fewer than "
                      f"{s['min_trials_per_cell']}): scores n/a but n_trials and "
                      "valid_sample_prop"})
    long = cells.melt(id_vars=[*UNIT, "condition"], value_vars=MEASURES, var_name="measure")
    long["measure"] = pd.Categorical(long["measure"], MEASURES)
    long = long.sort_values([*UNIT, "condition", "measure"]).astype({"measure": str})
    overall = pd.DataFrame(parts.overall).melt(id_vars=UNIT, var_name="measure") \
        if parts.overall else pd.DataFrame(columns=[*UNIT, "measure", "value"])
    scores = pd.concat([overall.assign(condition="all"), long], ignore_index=True)
    scores = scores.assign(task=label, value=scores["value"].astype(float))[SCORE_COLUMNS]
    scored = cells.dropna(subset=["dwell_share"])[[*UNIT, "condition"]]
    valid = per_trial[(per_trial["valid"] == 1) & per_trial["share"].notna()].merge(
        scored, on=[*UNIT, "condition"])
    reliability = [ReliabilityInput(ses, cond, "dwell_share", reliability_frame(d))
                   for (ses, cond), d in valid.groupby(["session", "condition"], sort=True)]
    heat = _fold_heat(parts.heat)
    heat["layout"] = np.asarray(block.layouts, dtype=object)[heat["layout"].to_numpy(int)]
    heat["category"] = np.asarray(cats.names, dtype=object)[heat["category"].to_numpy(int)]
    aois = [(label, layout, *rect) for layout, rects in sorted(parts.aois.items())
            for rect in rects]
    calibration = pd.DataFrame(parts.calibration, columns=TABLES[CALIBRATION_FILE][1:])
    tables = {TIMECOURSE_FILE: _timecourse(trials, parts.bins, scored, label),
              HEATMAP_FILE: heat.assign(task=label)[TABLES[HEATMAP_FILE]],
              AOIS_FILE: pd.DataFrame(aois, columns=TABLES[AOIS_FILE]),
              CALIBRATION_FILE: calibration.assign(task=label)[TABLES[CALIBRATION_FILE]]}
    change = scores[scores["measure"].isin(CHANGE_MEASURES) & (scores["condition"] != "all")]
    return Scored(trials=trials, scores=scores.reset_index(drop=True), change=change,
                  reliability=reliability, exclusions=parts.exclusions,
                  warnings=parts.warnings, tables=tables)


def _timecourse(trials, bins: list, scored: pd.DataFrame, label: str) -> pd.DataFrame:
    """gaze_timecourse.tsv: per participant x session x condition x bin (bins starting
    before view_ms), the mean trial share over the valid trials (n/a shares left out) and
    their number, for the cells that have a dwell_share."""
    if not bins:
        return pd.DataFrame(columns=TABLES[TIMECOURSE_FILE])
    row, start, share = (np.concatenate(x) for x in zip(*bins))
    inside = start < trials["view_ms"].to_numpy(float)[row]
    b = trials[[*UNIT, "condition"]].iloc[row[inside]].reset_index(drop=True).assign(
        bin_start_ms=start[inside], share=share[inside]).merge(scored, on=[*UNIT, "condition"])
    agg = b.groupby([*UNIT, "condition", "bin_start_ms"], sort=True)["share"].agg(
        ["mean", "count"]).reset_index()
    agg = agg.rename(columns={"mean": "dwell_share", "count": "n_trials"})
    return agg.assign(task=label)[TABLES[TIMECOURSE_FILE]]


def report(data: ReportData) -> list[Section]:
    """Dwell share before and after, its time course, heat maps, reliability, change and
    gaze data quality (:func:`analysis.gaze_report.sections`)."""
    return gaze_report.sections(
        data, settings=data.settings[PARADIGM], timecourse=data.tables.get(TIMECOURSE_FILE),
        heat=data.tables.get(HEATMAP_FILE), aois=data.tables.get(AOIS_FILE),
        calibration=data.tables.get(CALIBRATION_FILE), bin_px=HEATMAP_BIN_PX)


def methods(settings, labels) -> str:
    """The free-viewing sentences of the methods paragraph, from the settings used."""
    return gaze_report.methods_text(settings[PARADIGM], labels)


SCORER = Scorer(name="free viewing", paradigms=(PARADIGM,), columns={PARADIGM: COLUMNS},
                score=score, report=report, methods=methods, tables=TABLES)
