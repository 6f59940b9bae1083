"""``icb score``: read a data root, score every task, write the score files (contract §5).

Files written to the output folder (each created new, never overwritten):
trials.tsv, scores.tsv, reliability.tsv, change.tsv, rci.tsv, exclusions.tsv,
runs.tsv, internal_consistency.tsv, mixed_model.tsv (when two groups exist)
and provenance.json.  See docs/analysis.md for every column.
"""

from __future__ import annotations

import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import bias, change, clean, dataset, io, mixed, ratings, reliability
from analysis.progress import Progress
from tasks.core.columns import TASK_COLUMNS

REL_COLUMNS = ["session", "task", "condition", "measure", "n_participants", "n_splits", "seed",
               "r_mean", "sb", "sb_ci_low", "sb_ci_high"]
EXCL_COLUMNS = ["participant_id", "session", "task", "run", "reason"]
RATING_TASKS = ("rating", "keypress", "cryrating")


def software() -> dict:
    import scipy
    import statsmodels

    from icb import __version__
    return {"icb": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__}


def _run_of(ds: dataset.Dataset, pid: str, session: str, task: str):
    r = ds.runs[(ds.runs["participant_id"] == pid) & (ds.runs["session"] == session)
                & (ds.runs["task"] == task) & (ds.runs["scored"] == 1)]
    return int(r["run"].iloc[0]) if len(r) else None


def score(data_root: Path, out_dir: Path, *, settings: dict, include_simulated: bool = False,
          settings_source: str | None = None, show_progress: bool = True) -> dict:
    """Score ``data_root`` into ``out_dir`` (which must exist and be empty)."""
    ds = dataset.load(data_root, include_simulated=include_simulated, show_progress=show_progress)
    dp_set, rel_set = settings["dotprobe"], settings["reliability"]
    pre, post = settings["input"]["pre_session"], settings["input"]["post_session"]
    exclusions = list(ds.exclusions)
    warnings = list(ds.warnings)
    notes: dict = {}
    score_parts, trial_parts, rel_jobs, consistency = [], [], [], []

    if "dotprobe" in ds.trials and len(ds.trials["dotprobe"]):
        cleaned = clean.clean_dotprobe(ds.trials["dotprobe"], settings=dp_set)
        trial_parts.append(cleaned)
        acc = clean.participant_accuracy(cleaned, settings=dp_set)
        for row in acc[acc["excluded"] == 1].itertuples():
            exclusions.append({"participant_id": row.participant_id, "session": row.session,
                               "task": "dotprobe",
                               "run": _run_of(ds, row.participant_id, row.session, "dotprobe"),
                               "reason": f"accuracy {row.accuracy!r} below "
                                         f"{dp_set['accuracy_min']!r}: dot-probe scores n/a"})
        dp_scores = bias.dotprobe_scores(cleaned, settings=dp_set)
        for row in dp_scores.attrs.get("too_few", pd.DataFrame()).itertuples():
            exclusions.append({
                "participant_id": row.participant_id, "session": row.session, "task": "dotprobe",
                "run": _run_of(ds, row.participant_id, row.session, "dotprobe"),
                "reason": f"{row.condition}: {int(row.n_congruent)} valid congruent and "
                          f"{int(row.n_incongruent)} valid incongruent trials (fewer than "
                          f"{dp_set['min_trials_per_cell']}): scores n/a"})
        score_parts += [bias.overall_scores(acc), dp_scores]
        scored = dp_scores[(dp_scores["measure"] == "bias_ms") & dp_scores["value"].notna()]
        valid = bias.condition_trials(cleaned, settings=dp_set)
        valid = valid[valid["excluded"] == 0]
        ok = valid.merge(scored[["participant_id", "session", "condition"]],
                         on=["participant_id", "session", "condition"])
        for (session, condition), d in ok.groupby(["session", "condition"], sort=True):
            frame = pd.DataFrame({"unit": d["participant_id"].to_numpy(),
                                  "side": 1 - d["congruent"].astype(int).to_numpy(),
                                  "value": d["rt_ms"].astype(float).to_numpy(),
                                  "order": d["trial_index"].astype(float).to_numpy()})
            rel_jobs.append((session, "dotprobe", condition, "bias_ms", frame))
        notes["valid_dotprobe_trials"] = ok
    for task in RATING_TASKS:
        if task not in ds.trials or not len(ds.trials[task]):
            continue
        prepared, values = ratings.prepare(ds.trials[task], task=task,
                                           test_phase=dp_set["test_phase"])
        trial_parts.append(prepared)
        contrasts = settings[task]["contrasts"]
        scales = settings["cryrating"]["aversiveness_scales"] if task == "cryrating" else None
        score_parts.append(ratings.scores(values, task=task, contrasts=contrasts,
                                          aversiveness_scales=scales))
        if scales:
            consistency.append(ratings.internal_consistency(values, task=task, scales=scales))
        if rel_set["ratings"]:
            for session, cond, measure, frame in ratings.salience_inputs(
                    values, task=task, contrasts=contrasts):
                rel_jobs.append((session, task, cond, measure, frame))

    rel_rows = []
    with Progress(len(rel_jobs), "split-half reliability",
                  stream=None if show_progress else dataset._Null()) as bar:
        for session, task, cond, measure, frame in rel_jobs:
            res = reliability.split_half(
                frame, order="order", n_splits=rel_set["n_splits"], seed=rel_set["seed"],
                key=reliability.stream_key(session, task, cond, measure),
                chunk_splits=rel_set["chunk_splits"], threads=rel_set["threads"])
            rel_rows.append({"session": session, "task": task, "condition": cond,
                             "measure": measure, **res})
            bar.update()
    rel = pd.DataFrame(rel_rows, columns=REL_COLUMNS)
    scores = (pd.concat(score_parts, ignore_index=True) if score_parts
              else pd.DataFrame(columns=ratings.OUT))
    chosen = change.change_measures(scores, dotprobe_measures=settings["change"]
                                    ["dotprobe_measures"])
    change_tab = change.change_table(chosen, participants=ds.participants, pre=pre, post=post)
    rci_tab = change.rci_table(chosen, reliability=rel, pre=pre, post=post,
                               criterion=settings["change"]["rci_criterion"])
    low_r = rel[(rel["session"] == pre) & (rel["sb"] < 0.5)]
    for row in low_r.itertuples():
        warnings.append(f"reliability of {row.task} {row.condition} {row.measure} at {pre} is "
                        f"{row.sb!r} (< 0.5): reliable change needs very large changes")
    mixed_tab = None
    groups = change.groups_present(ds.participants)
    if settings["mixed_model"]["enabled"] and len(groups) >= 2 and "valid_dotprobe_trials" in notes:
        mixed_tab, mwarn = mixed.fit_all(notes["valid_dotprobe_trials"],
                                         participants=ds.participants, pre=pre, post=post,
                                         settings=settings["mixed_model"], seed=rel_set["seed"])
        warnings.extend(mwarn)
    elif settings["mixed_model"]["enabled"]:
        warnings.append("mixed model not fitted: participants.tsv has fewer than 2 groups")

    out = Path(out_dir)
    trials = _trials_table(trial_parts)
    io.write_tsv(trials, out / "trials.tsv")
    io.write_tsv(scores, out / "scores.tsv", ratings.OUT)
    io.write_tsv(rel, out / "reliability.tsv", REL_COLUMNS)
    io.write_tsv(change_tab, out / "change.tsv", change.CHANGE_COLUMNS)
    io.write_tsv(rci_tab, out / "rci.tsv", change.RCI_COLUMNS)
    excl = pd.DataFrame(exclusions, columns=EXCL_COLUMNS)
    excl["run"] = excl["run"].astype("Int64")
    excl = excl.sort_values(EXCL_COLUMNS, key=lambda s: s.astype(str)).reset_index(drop=True)
    io.write_tsv(excl, out / "exclusions.tsv", EXCL_COLUMNS)
    io.write_tsv(ds.runs, out / "runs.tsv")
    if consistency:
        io.write_tsv(pd.concat(consistency, ignore_index=True), out / "internal_consistency.tsv")
    if mixed_tab is not None:
        io.write_tsv(mixed_tab, out / "mixed_model.tsv", mixed.COLUMNS)
    provenance = {
        "GeneratedBy": "icb score", "Software": software(),
        "Created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "DataRoot": str(Path(data_root).resolve()), "IncludeSimulated": include_simulated,
        "ScoringConfig": settings_source or "defaults (configs/scoring.yaml)",
        "Settings": settings, "Groups": groups,
        "Inputs": ds.inputs, "Warnings": warnings,
        "Counts": {"runs_scored": int(ds.runs["scored"].sum()), "exclusions": len(excl),
                   "crashed_runs_scored": int(((ds.runs["crashed"] == 1)
                                               & (ds.runs["scored"] == 1)).sum())},
    }
    io.write_json(provenance, out / "provenance.json")
    return provenance


def _trials_table(parts: list[pd.DataFrame]) -> pd.DataFrame:
    head = ["participant_id", "session", "task", "run"]
    cols: list[str] = []
    for task in TASK_COLUMNS:
        cols += [c.name for c in TASK_COLUMNS[task] if c.name not in cols]
    extra = sorted({c for p in parts for c in p.columns} - set(cols) - set(head)
                   - {"condition", "excluded", "exclusion_reason"})
    order = head + cols + extra + ["condition", "excluded", "exclusion_reason"]
    if not parts:
        return pd.DataFrame(columns=order)
    table = pd.concat(parts, ignore_index=True)
    for c in order:
        if c not in table:
            table[c] = np.nan
    return table[order]


def _stdout_is_tty() -> bool:
    return sys.stdout.isatty()
