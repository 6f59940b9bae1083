"""The dot-probe scorer (paradigm ``dotprobe``, every label of it; contract §3-§4).

Required columns: the contract's dot-probe table, no others (a file without, say,
``probe_identity`` is scored).  Settings: the ``dotprobe`` section (cleaning, TL-BS, ABV),
``change.dotprobe_measures`` and ``mixed_model``.  Scores: :mod:`analysis.clean`,
:mod:`analysis.bias` (with :mod:`analysis.tlbs`, :mod:`analysis.abv`); reliability of
``bias_ms`` from the valid incongruent (plus) and congruent (minus) trials; the mixed
model (:mod:`analysis.mixed`) when participants.tsv has two or more groups.

>>> [c.name for c in COLUMNS][:6]
['onset', 'duration', 'trial_index', 'phase', 'block', 'trial_type']
>>> len(COLUMNS)
17
"""

from __future__ import annotations

import pandas as pd

from analysis import bias, change, clean, mixed, plots
from analysis.report_parts import Details, Section, Text, table
from analysis.scorer import Job, ReliabilityInput, ReportData, Scored, Scorer
from icb.columns import COMMON_HEAD, DROPPED_FRAMES, SIDE_LEVELS, Column

PARADIGM = "dotprobe"
MIXED_FILE = "mixed_model.tsv"
MIXED_COLUMNS = ["task", *mixed.COLUMNS]

COLUMNS: tuple[Column, ...] = COMMON_HEAD + (
    Column("trial_type", "Trial type", "<target category>-<comparison category>; 'filler'."),
    Column("cue_duration_ms", "Intended cue duration", "", "float", units="ms"),
    Column("cue_duration_actual_ms", "Achieved cue duration", "", "float", units="ms"),
    DROPPED_FRAMES,
    Column("target_side", "Target side", "", levels=SIDE_LEVELS, nullable=True),
    Column("probe_side", "Probe side", "", levels=SIDE_LEVELS),
    Column("congruent", "Congruent", "", "int", levels={"1": "probe replaced the target",
                                                        "0": "probe replaced the comparison"},
           nullable=True),
    Column("stim_left", "Left stimulus", ""),
    Column("stim_right", "Right stimulus", ""),
    Column("response", "Response", "key name", nullable=True),
    Column("correct", "Correct", "", "int", levels={"1": "correct", "0": "error or none"}),
    Column("rt_ms", "Response time", "", "float", units="ms", nullable=True),
)


def _reliability_inputs(cleaned: pd.DataFrame, scores: pd.DataFrame, settings: dict):
    scored = scores[(scores["measure"] == "bias_ms") & scores["value"].notna()]
    valid = bias.condition_trials(cleaned, settings=settings)
    valid = valid[valid["excluded"] == 0]
    ok = valid.merge(scored[["participant_id", "session", "condition"]],
                     on=["participant_id", "session", "condition"])
    jobs = []
    for (session, condition), d in ok.groupby(["session", "condition"], sort=True):
        frame = pd.DataFrame({"unit": d["participant_id"].to_numpy(),
                              "side": 1 - d["congruent"].astype(int).to_numpy(),
                              "value": d["rt_ms"].astype(float).to_numpy(),
                              "order": d["trial_index"].astype(float).to_numpy()})
        jobs.append(ReliabilityInput(session, condition, "bias_ms", frame))
    return jobs, ok


def score(job: Job) -> Scored:
    """Clean, score, reliability inputs, change measures and mixed model of one label.

    >>> import numpy as np
    >>> from analysis.settings import defaults
    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "task": "x",
    ...     "run": 1, "trial_index": np.arange(1, 25), "phase": "test", "block": 1,
    ...     "trial_type": "a-b", "cue_duration_ms": 200.0, "dropped_frames": 0,
    ...     "congruent": [1, 0] * 12, "response": "left", "correct": 1,
    ...     "rt_ms": [500.0, 540.0] * 12})
    >>> none = pd.DataFrame({"participant_id": [], "group": []})
    >>> out = score(Job("x", PARADIGM, t, defaults(), none))
    >>> out.change[["task", "condition", "measure", "value"]].values.tolist()
    [['x', 'a-b@200', 'bias_ms', 40.0]]
    >>> [(r.session, r.condition, r.measure, len(r.frame)) for r in out.reliability]
    [('pre', 'a-b@200', 'bias_ms', 24)]
    """
    s = job.settings[PARADIGM]
    cleaned = clean.clean_trials(job.trials, settings=s)
    acc = clean.participant_accuracy(cleaned, settings=s)
    exclusions = [{"participant_id": r.participant_id, "session": r.session,
                   "reason": f"accuracy {r.accuracy!r} below {s['accuracy_min']!r}: dot-probe "
                             "scores n/a"} for r in acc[acc["excluded"] == 1].itertuples()]
    cond = bias.condition_scores(cleaned, settings=s, task=job.label)
    for r in bias.too_few(cond, min_trials=s["min_trials_per_cell"]).itertuples():
        exclusions.append({
            "participant_id": r.participant_id, "session": r.session,
            "reason": f"{r.condition}: {int(r.n_congruent)} valid congruent and "
                      f"{int(r.n_incongruent)} valid incongruent trials (fewer than "
                      f"{s['min_trials_per_cell']}): scores n/a"})
    scores = pd.concat([bias.overall_scores(acc, task=job.label), cond], ignore_index=True)
    reliability, valid = _reliability_inputs(cleaned, cond, s)
    chosen = cond[cond["measure"].isin(job.settings["change"]["dotprobe_measures"])]
    warnings, tables = [], {}
    mm = job.settings["mixed_model"]
    if mm["enabled"] and len(change.groups_present(job.participants)) >= 2:
        pre, post = job.settings["input"]["pre_session"], job.settings["input"]["post_session"]
        fitted, notes = mixed.fit_all(valid, participants=job.participants, pre=pre,
                                      post=post, settings=mm,
                                      seed=job.settings["reliability"]["seed"])
        fitted.insert(0, "task", job.label)
        tables[MIXED_FILE] = fitted
        warnings += [f"task-{job.label}: {n}" for n in notes]
    elif mm["enabled"]:
        warnings.append(f"task-{job.label}: mixed model not fitted: participants.tsv has "
                        "fewer than 2 groups")
    return Scored(trials=cleaned, scores=scores, change=chosen, reliability=reliability,
                  exclusions=exclusions, warnings=warnings, tables=tables)


def report(data: ReportData) -> list[Section]:
    """Bias before and after, distributions, reliability, change, mixed model, quality."""
    t = f"task-{data.label}"
    cond = data.scores[data.scores["condition"] != "all"]
    bias_fig = plots.paired_prepost(
        cond[cond["measure"] == "bias_ms"], groups=data.groups, pre=data.pre, post=data.post,
        ylabel="bias (ms)\nincongruent - congruent",
        title="Attentional bias per participant (grey) and group mean ± SE")
    dist = plots.histograms(cond, ["bias_ms", "rt_sd_ms", "tlbs_variability_ms", "abv"])
    sections = [
        Section(f"Attentional bias before and after ({t})", (
            Text("Bias = mean RT incongruent − mean RT congruent (ms); positive = attention "
                 "toward the first picture category of the pair (e.g. infant distress in "
                 "infant_distress-infant_neutral). Grey lines: participants with both "
                 "sessions; coloured: group mean ± SE."),
            bias_fig or Text("No bias scores.", "muted"),
            Details("Score distributions", (dist or Text("No scores.", "muted"),)))),
        Section(f"Split-half reliability ({t})", (
            Text("Permutation split-half (Spearman–Brown corrected) with its 95% interval "
                 "over splits; dashed lines at 0.5 and 0.7."),
            plots.reliability_forest(data.reliability)
            or Text("No reliability estimates.", "muted"))),
        Section(f"Change from pre to post ({t})", (table(data.change),)),
    ]
    fitted = data.tables.get(MIXED_FILE)
    if fitted is not None and len(fitted):
        sections.append(Section(f"Trial-level mixed model ({t})", (
            Text("rt_ms ~ congruent × post × group, random intercept and congruency slope per "
                 "participant (REML); post = 1 for the post session. The congruent coefficient "
                 "is −bias, so congruent:post:group[T.MORE] is minus the difference between "
                 "groups in the pre-to-post change of bias: a negative estimate means bias "
                 "rose more (or fell less) in MORE than in control."),
            table(fitted[fitted["term"].astype(str).str.contains("congruent")]
                  .drop(columns="task")))))
    overall = data.scores[data.scores["condition"] == "all"]
    quality = plots.quality_histograms(
        overall.loc[overall["measure"] == "accuracy", "value"],
        overall.loc[overall["measure"] == "dropped_frames", "value"],
        accuracy_min=data.settings[PARADIGM]["accuracy_min"], what=t)
    sections.append(Section(f"Data quality ({t})",
                            (quality or Text("No test trials.", "muted"),)))
    return sections


def _n(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def methods(settings, labels) -> str:
    """The dot-probe sentences of the methods paragraph, from the settings used."""
    dp = settings[PARADIGM]
    outlier = {
        "mad": (f"within participant × session × condition, RTs more than {_n(dp['outlier_k'])} "
                "median absolute deviations from the median were dropped (MAD = 1.4826 × "
                "median |RT − median|; Leys et al., 2013)"),
        "sd": (f"within participant × session × condition, RTs more than {_n(dp['outlier_k'])} "
               "SD from the mean were dropped"),
        "none": "no relative outlier rule was applied",
    }[dp["outlier_method"]]
    pairing = ("the nearest-trial method (each valid trial paired with the nearest valid trial "
               f"of the other congruency within {dp['tlbs_window']} positions, ties to the "
               "earlier trial)" if dp["tlbs_method"] == "nearest" else
               "inverse-square distance weighting of all opposite-congruency trials (as in "
               "itrak)")
    variability = ("the summed absolute change between successive TL-BS values divided by "
                   "their number" if dp["tlbs_variability"] == "zvielli" else
                   "the mean absolute change between TL-BS values at adjacent positions, "
                   "differences across a gap not counted (as in itrak)")
    names = ", ".join(f"task-{label}" for label in sorted(labels))
    return (
        f"Dot-probe data ({names}): only {dp['test_phase']} trials were used; "
        f"'{dp['filler_trial_type']}' trials were left out of bias scores. Participant-sessions "
        f"with accuracy below {_n(dp['accuracy_min'])} over all test trials were excluded. "
        + ("Error and no-response trials were dropped, " if dp["drop_errors"] else
           "No-response trials were dropped, ")
        + f"as were RTs below {_n(dp['rt_min_ms'])} ms or above {_n(dp['rt_max_ms'])} ms; "
        f"{outlier}. A condition (pair type × cue duration) needed at least "
        f"{dp['min_trials_per_cell']} valid congruent and {dp['min_trials_per_cell']} valid "
        "incongruent trials. Bias was the mean RT on incongruent minus congruent trials. "
        f"Trial-level bias scores (Zvielli et al., 2015) used {pairing}; TL-BS variability was "
        f"{variability}. Attention-bias variability was the SD of bias in bins of "
        f"{dp['abv_bin_size']} consecutive trials divided by the mean RT (Iacoviello et al., "
        "2014). Split halves of bias were stratified by congruency. Where two groups existed, "
        "trial-level RTs were modelled per condition with a linear mixed model (congruent × "
        "session × group; random intercept and congruency slope per participant).")


SCORER = Scorer(name="dot-probe", paradigms=(PARADIGM,), columns={PARADIGM: COLUMNS},
                score=score, report=report, methods=methods,
                tables={MIXED_FILE: MIXED_COLUMNS})
