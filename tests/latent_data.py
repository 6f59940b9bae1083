"""Cohorts of ReliabilityInput-style frames (unit, side, value, order) with a known
person-level SD of the score and a known trial SD, for the tests of ``analysis.latent``,
``analysis.retest`` and ``analysis.retest_model``.

A participant's score (mean of side 1 − mean of side 0; one side: the mean of side 1) has
true value mean_effect + person_sd · z; each trial adds N(0, trial_sd²) noise around the
participant's side mean.  With L trials per side the values the simulation implies are

    reliability = τ² / (τ² + k σ² / L),  snr = τ / σ,  k = 2 sides (1 for a mean).

``python tests/latent_data.py`` prints the recovery table of docs/analysis.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_frame(rng: np.random.Generator, *, n_participants: int, trials_per_side: int,
                   person_sd: float, trial_sd: float, sides: int = 2,
                   mean_effect: float = 30.0, intercept_sd: float = 50.0,
                   true_scores: np.ndarray | None = None) -> pd.DataFrame:
    """One session's frame; ``true_scores`` (per participant) replaces the drawn ones."""
    if true_scores is None:
        true_scores = mean_effect + person_sd * rng.standard_normal(n_participants)
    intercept = 500.0 + intercept_sd * rng.standard_normal(n_participants)
    wanted = [1, 0] if sides == 2 else [1]
    unit = np.repeat(np.arange(n_participants), len(wanted) * trials_per_side)
    side = np.tile(np.repeat(wanted, trials_per_side), n_participants)
    if sides == 2:  # side 1 mean = intercept + score / 2, side 0 = intercept - score / 2
        mean = intercept[unit] + np.where(side == 1, 0.5, -0.5) * true_scores[unit]
    else:
        mean = true_scores[unit]
    value = mean + trial_sd * rng.standard_normal(len(unit))
    return pd.DataFrame({"unit": [f"sub-{u:04d}" for u in unit], "side": side,
                         "value": value, "order": np.arange(len(unit), dtype=float)})


def implied(*, trials_per_side: int, person_sd: float, trial_sd: float, sides: int = 2
            ) -> dict:
    """The reliability and SNR the simulation implies (module docstring)."""
    error = sides * trial_sd ** 2 / trials_per_side
    return {"reliability": person_sd ** 2 / (person_sd ** 2 + error),
            "snr": person_sd / trial_sd}


def simulate_retest(rng: np.random.Generator, *, n_participants: int, trials_per_side: int,
                    person_sd: float, trial_sd: float, rho: float, sides: int = 2,
                    shift: float = -10.0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(pre frame, post frame, long scores) with true scores correlated ``rho`` between
    sessions (post mean shifted by ``shift``); scores = each frame's observed score."""
    cov = person_sd ** 2 * np.array([[1.0, rho], [rho, 1.0]])
    true = rng.multivariate_normal([30.0, 30.0 + shift], cov, n_participants)
    frames = [simulate_frame(rng, n_participants=n_participants,
                             trials_per_side=trials_per_side, person_sd=person_sd,
                             trial_sd=trial_sd, sides=sides, true_scores=true[:, t])
              for t in (0, 1)]
    rows = []
    for session, frame in zip(("pre", "post"), frames):
        means = frame.groupby(["unit", "side"])["value"].mean().unstack("side")
        score = means[1] - means[0] if sides == 2 else means[1]
        rows.append(pd.DataFrame({"participant_id": score.index, "session": session,
                                  "task": "sim", "condition": "c", "measure": "score",
                                  "value": score.to_numpy()}))
    return frames[0], frames[1], pd.concat(rows, ignore_index=True)


SETTINGS = [  # (participants, trials per side, person SD, trial SD, sides)
    (60, 24, 15.0, 70.0, 2), (200, 24, 15.0, 70.0, 2), (200, 48, 30.0, 100.0, 2),
    (500, 40, 10.0, 120.0, 2), (100, 30, 0.1, 0.15, 1), (300, 12, 0.05, 0.2, 1),
]


def recovery(seed: int = 2024) -> pd.DataFrame:
    """Implied vs recovered reliability and SNR for each of SETTINGS (n_boot 2000)."""
    from analysis.latent import latent_reliability

    rows = []
    for k, (n, trials, person, noise, sides) in enumerate(SETTINGS):
        rng = np.random.default_rng([seed, k])
        frame = simulate_frame(rng, n_participants=n, trials_per_side=trials,
                               person_sd=person, trial_sd=noise, sides=sides,
                               mean_effect=0.3 if sides == 1 else 30.0)
        got = latent_reliability(frame, n_boot=2000, seed=seed, key=k).iloc[0]
        want = implied(trials_per_side=trials, person_sd=person, trial_sd=noise, sides=sides)
        rows.append({"participants": n, "trials_per_side": trials, "person_sd": person,
                     "trial_sd": noise, "sides": sides,
                     "reliability_implied": want["reliability"],
                     "reliability": got["reliability"],
                     "reliability_ci_low": got["reliability_ci_low"],
                     "reliability_ci_high": got["reliability_ci_high"],
                     "snr_implied": want["snr"], "snr": got["snr"],
                     "snr_ci_low": got["snr_ci_low"], "snr_ci_high": got["snr_ci_high"],
                     "trials_for_0.7": got["trials_for_0.7"]})
    return pd.DataFrame(rows)


if __name__ == "__main__":  # pragma: no cover - prints the table of docs/analysis.md
    table = recovery()
    print("| participants | trials/side | person SD | trial SD | sides | reliability implied | "
          "recovered [95% CI] | SNR implied | recovered [95% CI] |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in table.itertuples():
        print(f"| {r.participants} | {r.trials_per_side} | {r.person_sd:g} | {r.trial_sd:g} | "
              f"{r.sides} | {r.reliability_implied:.3f} | {r.reliability:.3f} "
              f"[{r.reliability_ci_low:.3f}, {r.reliability_ci_high:.3f}] | "
              f"{r.snr_implied:.3f} | {r.snr:.3f} [{r.snr_ci_low:.3f}, {r.snr_ci_high:.3f}] |")
