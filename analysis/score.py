"""``icb score``: read a data root, score every label with its paradigm's scorer, write the
score files (contract §5).

Files written to the output folder (each created new, never overwritten):
trials.tsv, scores.tsv, reliability.tsv, change.tsv, rci.tsv, exclusions.tsv,
runs.tsv, reliability_latent.tsv and retest.tsv (contract §7), provenance.json, and
the extra files the scorers declare (e.g. internal_consistency.tsv, mixed_model.tsv).  See docs/analysis.md for every column.

This module names no paradigm: it iterates over the labels found in the data and hands
each to the scorer of its paradigm (:func:`analysis.scorer.registry`).
"""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import change, dataset, io, reliability
from analysis.progress import progress
from analysis.scorer import SCORE_COLUMNS, Job, Scored, registry

REL_COLUMNS = ["session", "task", "condition", "measure", "n_participants", "n_splits", "seed",
               "r_mean", "sb", "sb_ci_low", "sb_ci_high"]
EXCL_COLUMNS = ["participant_id", "session", "task", "run", "reason"]
HEAD = ["participant_id", "session", "task", "run"]
TAIL = ["condition", "excluded", "exclusion_reason"]


def software() -> dict:
    import scipy
    import statsmodels

    from icb import __version__
    return {"icb": __version__, "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__}


def score_labels(ds: dataset.Dataset, settings: dict) -> dict[str, Scored]:
    """Each label with rows, scored by its paradigm's scorer (labels in sorted order)."""
    scorers = registry()
    results = {}
    for label in sorted(ds.trials):
        if not len(ds.trials[label]):
            continue
        paradigm = ds.paradigms[label]
        job = Job(label, paradigm, ds.trials[label], settings, ds.participants,
                  ds.files.get(label, {}))
        results[label] = scorers[paradigm].score(job)
    return results


def split_halves(results: dict[str, Scored], settings: dict, show_progress: bool
                 ) -> pd.DataFrame:
    """reliability.tsv: the split-half of every reliability input of every label."""
    rel_set = settings["reliability"]
    jobs = [(label, job) for label, res in results.items() for job in res.reliability]
    rows = []
    for label, job in progress(jobs, "split-half reliability", show_progress):
        res = reliability.split_half(
            job.frame, order="order", n_splits=rel_set["n_splits"], seed=rel_set["seed"],
            key=reliability.stream_key(job.session, label, job.condition, job.measure),
            chunk_splits=rel_set["chunk_splits"], threads=rel_set["threads"])
        rows.append({"session": job.session, "task": label, "condition": job.condition,
                     "measure": job.measure, **res})
    return pd.DataFrame(rows, columns=REL_COLUMNS)


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True)[columns] if parts else \
        pd.DataFrame(columns=columns)


def score(data_root: Path, out_dir: Path, *, settings: dict, include_simulated: bool = False,
          settings_source: str | None = None, show_progress: bool = True) -> dict:
    """Score ``data_root`` into ``out_dir`` (which must exist and be empty)."""
    ds = dataset.load(data_root, include_simulated=include_simulated,
                      show_progress=show_progress, settings=settings)
    pre, post = settings["input"]["pre_session"], settings["input"]["post_session"]
    results = score_labels(ds, settings)
    exclusions = list(ds.exclusions)
    warnings = list(ds.warnings)
    for label, res in results.items():
        for e in res.exclusions:
            exclusions.append({**e, "task": label,
                               "run": ds.scored_run(e["participant_id"], e["session"], label)})
        warnings += res.warnings
    rel = split_halves(results, settings, show_progress)
    scores = _concat([r.scores for r in results.values()], SCORE_COLUMNS)
    chosen = _concat([r.change for r in results.values()], SCORE_COLUMNS)
    # --- issue 15.3: heart rate to cues (physio.tsv, physio_timecourse.tsv; contract §8)
    from analysis import physio_tables
    physio_change, physio_excl, physio_warnings = physio_tables.score(ds, settings,
                                                                      Path(out_dir))
    chosen = _concat([chosen, physio_change], SCORE_COLUMNS)
    exclusions += [{**e, "run": ds.scored_run(e["participant_id"], e["session"], e["task"])}
                   for e in physio_excl]
    warnings += physio_warnings
    # --- end issue 15.3
    change_tab = change.change_table(chosen, participants=ds.participants, pre=pre, post=post)
    rci_tab = change.rci_table(chosen, reliability=rel, pre=pre, post=post,
                               criterion=settings["change"]["rci_criterion"])
    for row in rel[(rel["session"] == pre) & (rel["sb"] < 0.5)].itertuples():
        warnings.append(f"reliability of {row.task} {row.condition} {row.measure} at {pre} is "
                        f"{row.sb!r} (< 0.5): reliable change needs very large changes")

    out = Path(out_dir)
    io.write_tsv(trials_table(ds, results), out / "trials.tsv")
    io.write_tsv(scores, out / "scores.tsv", SCORE_COLUMNS)
    io.write_tsv(rel, out / "reliability.tsv", REL_COLUMNS)
    io.write_tsv(change_tab, out / "change.tsv", change.CHANGE_COLUMNS)
    io.write_tsv(rci_tab, out / "rci.tsv", change.RCI_COLUMNS)
    excl = pd.DataFrame(exclusions, columns=EXCL_COLUMNS)
    excl["run"] = excl["run"].astype("Int64")
    excl = excl.sort_values(EXCL_COLUMNS, key=lambda s: s.astype(str)).reset_index(drop=True)
    io.write_tsv(excl, out / "exclusions.tsv", EXCL_COLUMNS)
    io.write_tsv(ds.runs, out / "runs.tsv")
    for name, columns in sorted({n: c for s in registry().values()
                                 for n, c in s.tables.items()}.items()):
        parts = [r.tables[name] for r in results.values() if name in r.tables]
        if parts:
            io.write_tsv(_concat(parts, columns), out / name, columns)
    # --- issue 14: reliability_latent.tsv and retest.tsv (contract §7)
    from analysis import latent_files
    latent_prov, latent_warnings = latent_files.write(
        results, chosen, participants=ds.participants, settings=settings, out=out,
        show_progress=show_progress)
    warnings += latent_warnings
    # --- end issue 14
    groups = change.groups_present(ds.participants)
    provenance = {
        "GeneratedBy": "icb score", "Software": software(),
        "Created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "DataRoot": str(Path(data_root).resolve()), "IncludeSimulated": include_simulated,
        "ScoringConfig": settings_source or "defaults (configs/scoring.yaml)",
        "Settings": settings, "Groups": groups,
        "Tasks": {label: ds.paradigms[label] for label in sorted(ds.paradigms)},
        "Inputs": ds.inputs, "Warnings": warnings,
        "Counts": {"runs_scored": int(ds.runs["scored"].sum()), "exclusions": len(excl),
                   "crashed_runs_scored": int(((ds.runs["crashed"] == 1)
                                               & (ds.runs["scored"] == 1)).sum())},
    }
    provenance.update(latent_prov)  # issue 14
    io.write_json(provenance, out / "provenance.json")
    return provenance


def trials_table(ds: dataset.Dataset, results: dict[str, Scored]) -> pd.DataFrame:
    """trials.tsv: every trial of the scored runs, labels in order; the scorers' required
    columns first (registry order), then every other column (sorted), then condition,
    excluded, exclusion_reason."""
    scorers = registry()
    required: list[str] = []
    for paradigm in sorted(set(ds.paradigms.values()), key=list(scorers).index):
        required += [c.name for c in scorers[paradigm].columns[paradigm]
                     if c.name not in required]
    parts = [results[label].trials if label in results else ds.trials[label]
             for label in sorted(ds.trials)]
    extra = sorted({c for p in parts for c in p.columns} - set(required) - set(HEAD)
                   - set(TAIL))
    order = HEAD + required + extra + TAIL
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=order)
    table = pd.concat(parts, ignore_index=True)
    for c in order:
        if c not in table:
            table[c] = np.nan
    return table[order]
