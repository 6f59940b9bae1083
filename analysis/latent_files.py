"""``reliability_latent.tsv`` and ``retest.tsv`` of ``icb score`` (contract §7), from what
the scorers gave: their reliability inputs (trial values per participant and side, the
split-half's input) and their change scores.

This module names no paradigm: every reliability input of every label gets a row of
reliability_latent.tsv (:func:`analysis.latent.latent_reliability`; a mean such as
``dwell_share`` is recognised by :func:`analysis.latent.one_sided`), and every change score
with a pre and a post session a row of retest.tsv per group
(:func:`analysis.retest.retest_table`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import io, latent, retest
from analysis.progress import progress
from analysis.reliability import stream_key

LATENT_FILE, RETEST_FILE = "reliability_latent.tsv", "retest.tsv"
LATENT_COLUMNS = ["session", "task", "condition", "measure", *latent.STAT_COLUMNS]
RETEST_COLUMNS = retest.COLUMNS


def latent_table(results: dict, *, n_boot: int, seed: int, show_progress: bool = False
                 ) -> pd.DataFrame:
    """reliability_latent.tsv: one row per reliability input of every label (``results``:
    label -> :class:`analysis.scorer.Scored`), in label order; the bootstrap of each row
    draws from ``SeedSequence(seed, spawn_key=(stream_key(session, task, condition,
    measure),))``.

    >>> import numpy as np
    >>> from analysis.scorer import ReliabilityInput, Scored
    >>> f = pd.DataFrame({"unit": np.repeat(["a", "b", "c"], 4), "side": [1, 1, 0, 0] * 3,
    ...                   "value": [12., 14., 1., 3., 22., 24., 1., 3., 32., 34., 1., 3.]})
    >>> none = pd.DataFrame()
    >>> res = {"dp": Scored(none, none, none, [ReliabilityInput("pre", "x@200", "bias_ms", f)])}
    >>> latent_table(res, n_boot=100, seed=1)[["task", "n_participants", "reliability"]
    ...                                       ].values.tolist()
    [['dp', 3, 0.98]]
    """
    jobs = [(label, job) for label, res in results.items() for job in res.reliability]
    rows = []
    for label, job in progress(jobs, "latent reliability", show_progress):
        stats = latent.latent_reliability(
            job.frame, n_boot=n_boot, seed=seed,
            key=stream_key(job.session, label, job.condition, job.measure))
        rows.append({"session": job.session, "task": label, "condition": job.condition,
                     "measure": job.measure, **stats.iloc[0].to_dict()})
    table = pd.DataFrame(rows, columns=LATENT_COLUMNS)
    return table.astype({"n_participants": "Int64"})


def trial_inputs(results: dict, *, pre: str, post: str) -> dict:
    """(task, condition, measure) -> (pre frame, post frame) of the reliability inputs that
    have both sessions.

    >>> from analysis.scorer import ReliabilityInput, Scored
    >>> f, none = pd.DataFrame({"unit": ["a"], "side": [1], "value": [1.]}), pd.DataFrame()
    >>> jobs = [ReliabilityInput(s, "c", "m", f) for s in ("pre", "post")]
    >>> list(trial_inputs({"t": Scored(none, none, none, jobs)}, pre="pre", post="post"))
    [('t', 'c', 'm')]
    """
    found: dict = {}
    for label, res in results.items():
        for job in res.reliability:
            if job.session in (pre, post):
                found.setdefault((label, job.condition, job.measure), {})[job.session] = job.frame
    return {key: (d[pre], d[post]) for key, d in found.items() if pre in d and post in d}


def write(results: dict, chosen: pd.DataFrame, *, participants: pd.DataFrame, settings: dict,
          out: Path, show_progress: bool = False) -> tuple[dict, list[str]]:
    """Write both files into ``out``; returns (provenance entries, warnings)."""
    lat, seed = settings["latent"], settings["reliability"]["seed"]
    pre, post = settings["input"]["pre_session"], settings["input"]["post_session"]
    table = latent_table(results, n_boot=lat["n_boot"], seed=seed, show_progress=show_progress)
    retest_tab = retest.retest_table(
        chosen, participants=participants, latent_table=table,
        trials=trial_inputs(results, pre=pre, post=post), pre=pre, post=post, model=lat,
        seed=seed)
    io.write_tsv(table, Path(out) / LATENT_FILE, LATENT_COLUMNS)
    io.write_tsv(retest_tab, Path(out) / RETEST_FILE, RETEST_COLUMNS)
    warnings = []
    missing = retest_tab[retest_tab["r_latent"].isna() & (retest_tab["n"] >= 3)]
    if len(missing):
        warnings.append(f"{RETEST_FILE}: r_latent n/a in {len(missing)} of {len(retest_tab)} "
                        "rows (the note column says why)")
    provenance = {
        "LatentReliability": {"File": LATENT_FILE, "BootstrapResamples": lat["n_boot"],
                              "Seed": seed, "Targets": list(latent.TARGETS)},
        "Retest": {"File": RETEST_FILE, "Model": bool(lat["retest_model"]),
                   "MaxParticipants": lat["retest_max_participants"], "Seed": seed},
    }
    return provenance, warnings
