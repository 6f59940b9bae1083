"""The rating scorer: paradigms ``rating``, ``keypress`` and ``cryrating`` (contract §3).

Required columns: the common head (onset, duration, trial_index, phase, block) and
``stim_id``, ``category``, ``valence`` with the paradigm's measures -- ``scale``,
``rating``, ``rating_rt_ms`` (rating, cry rating) or ``default_ms``, ``viewing_time_ms``,
``n_increase``, ``n_decrease`` (key-press).  Everything else (``baby_schema``,
``scale_min``, ...) is optional: a contrast that selects on a column the data lack is
not scored, and exclusions.tsv says so.  Settings: the paradigm's section (``test_phase``,
``contrasts``; cry rating ``aversiveness_scales``) and ``reliability.ratings``.

Measures (:mod:`analysis.ratings`): rating and cry rating ``<scale>_mean`` per cell and
``<scale>_salience`` per contrast; key-press ``viewing_time_ms``,
``change_from_default_ms`` (viewing - default), ``net_presses`` (n_increase - n_decrease),
each a mean per trial, and their ``_salience`` contrasts; cry rating also the
``aversiveness`` composite and its Cronbach's alpha.

>>> sorted(KINDS)
['cryrating', 'keypress', 'rating']
>>> [c.name for c in KINDS["keypress"].columns][5:]
['stim_id', 'category', 'valence', 'default_ms', 'viewing_time_ms', 'n_increase', 'n_decrease']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from analysis import plots, ratings
from analysis.report_parts import Details, Section, Text, table
from analysis.scorer import Job, ReliabilityInput, ReportData, Scored, Scorer
from icb.columns import COMMON_HEAD, Column

CONSISTENCY_FILE = "internal_consistency.tsv"
CONSISTENCY_COLUMNS = ["session", "task", "composite", "items", "n_participants",
                       "cronbach_alpha"]

STIMULUS = (Column("stim_id", "Stimulus id", ""), Column("category", "Category", ""),
            Column("valence", "Valence", ""))
SCALE_COLUMNS = COMMON_HEAD + STIMULUS + (
    Column("scale", "Scale", ""),
    Column("rating", "Rating", "", "float", nullable=True),
    Column("rating_rt_ms", "Rating response time", "", "float", units="ms", nullable=True),
)
KEYPRESS_COLUMNS = COMMON_HEAD + STIMULUS + (
    Column("default_ms", "Default viewing time", "", "float", units="ms"),
    Column("viewing_time_ms", "Viewing time", "", "float", units="ms"),
    Column("n_increase", "Increase presses", "", "int"),
    Column("n_decrease", "Decrease presses", "", "int"),
)


def keypress_items(trials: pd.DataFrame) -> pd.DataFrame:
    """The key-press measures per row: viewing_time_ms, change_from_default_ms =
    viewing_time_ms - default_ms, net_presses = n_increase - n_decrease (the key-press "wanting" task of
    Aharon et al. 2001, Neuron 32, 537-551).

    >>> t = pd.DataFrame({"viewing_time_ms": [4500.], "default_ms": [4000.],
    ...                   "n_increase": [6], "n_decrease": [1]})
    >>> keypress_items(t).values.tolist()
    [[4500.0, 500.0, 5.0]]
    """
    view = trials["viewing_time_ms"].astype(float)
    return pd.DataFrame({
        "viewing_time_ms": view,
        "change_from_default_ms": view - trials["default_ms"].astype(float),
        "net_presses": trials["n_increase"].astype(float) - trials["n_decrease"].astype(float),
    }, index=trials.index)


@dataclass(frozen=True)
class Kind:
    """How one paradigm's rows become values: ``items`` None = one rating per row."""

    columns: tuple[Column, ...]
    items: Callable[[pd.DataFrame], pd.DataFrame] | None
    cell_suffix: str
    composite: Callable[[dict], tuple[str, list[str]] | None]
    words: str


KINDS = {
    "rating": Kind(SCALE_COLUMNS, None, "_mean", lambda s: None, "ratings"),
    "keypress": Kind(KEYPRESS_COLUMNS, keypress_items, "", lambda s: None,
                     "key-press viewing times"),
    "cryrating": Kind(SCALE_COLUMNS, None, "_mean",
                      lambda s: ("aversiveness", list(s["aversiveness_scales"])),
                      "cry ratings"),
}


def score(job: Job) -> Scored:
    """Cells, salience contrasts (with the gaps listed), composite, reliability inputs.

    >>> from analysis.settings import defaults
    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
    ...     "trial_index": [1, 2], "stim_id": ["i1", "i2"], "category": "infant",
    ...     "valence": ["distress", "neutral"], "scale": "liking", "rating": [2.0, 3.0]})
    >>> none = pd.DataFrame({"participant_id": [], "group": []})
    >>> out = score(Job("faces", "rating", t, defaults(), none))
    >>> out.change[["condition", "measure", "value"]].values.tolist()
    [['distress_minus_neutral', 'liking_salience', -1.0]]
    >>> [e["reason"].split(":")[0] for e in out.exclusions]
    ['infant_minus_adult', 'high_minus_low_baby_schema']
    """
    kind = KINDS[job.paradigm]
    section = job.settings[job.paradigm]
    items = kind.items(job.trials) if kind.items else None
    cleaned, values = ratings.prepare(job.trials, test_phase=section["test_phase"], items=items)
    contrasts = section["contrasts"]
    composite = kind.composite(section)
    scores = ratings.scores(values, task=job.label, contrasts=contrasts,
                            cell_suffix=kind.cell_suffix, composite=composite)
    gaps = ratings.contrast_gaps(values, contrasts=contrasts)
    exclusions = [{"participant_id": g.participant_id, "session": g.session,
                   "reason": g.reason} for g in gaps.itertuples()]
    tables = {}
    if composite:
        tables[CONSISTENCY_FILE] = ratings.internal_consistency(
            values, task=job.label, composite=composite[0], scales=composite[1])
    reliability = []
    if job.settings["reliability"]["ratings"]:
        reliability = [ReliabilityInput(session, cond, measure, frame) for session, cond,
                       measure, frame in ratings.salience_inputs(values, contrasts=contrasts)]
    chosen = scores[scores["measure"].str.contains("salience")]
    return Scored(trials=cleaned, scores=scores, change=chosen, reliability=reliability,
                  exclusions=exclusions, tables=tables)


def report(data: ReportData) -> list[Section]:
    """One section per label: salience per group and session, reliability, change, alpha."""
    t = f"task-{data.label}"
    salience = data.scores[data.scores["measure"].str.contains("salience")]
    blocks = [
        Text("Salience = mean over the side-a rows of a contrast − mean over its side-b rows "
             f"({KINDS[data.paradigm].words}), per participant and session; mean ± SE per "
             "group."),
        plots.group_means(salience, groups=data.groups, pre=data.pre, post=data.post,
                          title="Salience contrasts: mean ± SE per group and session")
        or Text("No salience scores.", "muted"),
        Details("Reliability of the salience contrasts",
                (plots.reliability_forest(data.reliability)
                 or Text("No reliability estimates.", "muted"),)),
        Details("Change in salience measures", (table(data.change),)),
    ]
    alpha = data.tables.get(CONSISTENCY_FILE)
    if alpha is not None and len(alpha):
        blocks += [Text("Internal consistency of the composite (Cronbach's alpha):"),
                   table(alpha.drop(columns="task"))]
    return [Section(f"Salience ({t})", tuple(blocks))]


def methods(settings, labels) -> str:
    """The rating-type sentences of the methods paragraph."""
    parts = []
    for label, paradigm in sorted(labels.items()):
        section = settings[paradigm]
        names = ", ".join(section["contrasts"]) or "none"
        text = (f"For task-{label} ({KINDS[paradigm].words}), {section['test_phase']} rows "
                f"with a response were averaged per category × valence, and salience "
                f"contrasts ({names}) were the mean over one side's rows minus the mean over "
                "the other's")
        composite = KINDS[paradigm].composite(section)
        if composite:
            text += (f"; the {composite[0]} composite was the mean of "
                     f"{', '.join(composite[1])} (Gustafson & Green, 1989), with Cronbach's "
                     "alpha across participants")
        parts.append(text + ".")
    if settings["reliability"]["ratings"]:
        parts.append("Salience contrasts were split by item for the split-half reliability.")
    return " ".join(parts)


SCORER = Scorer(name="rating", paradigms=tuple(KINDS),
                columns={p: k.columns for p, k in KINDS.items()}, score=score,
                report=report, methods=methods,
                tables={CONSISTENCY_FILE: CONSISTENCY_COLUMNS})
