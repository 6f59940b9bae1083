"""``icb plan SCORES_DIR``: size a battery from a scored pilot (contract §7).

Per task × condition × measure, from the pilot's reliability_latent.tsv (the pre session,
else the first session scored) and retest.tsv:

- trials per side that reach the target reliability R at the pilot's signal-to-noise
  ratio: ceil(k · R / (snr² · (1 − R))) (Rouder & Mehrvarz 2024), k = 2 sides of a
  difference score, 1 for a mean (k is read back from the file's trials_for_0.7 and
  trials_for_0.8, which icb score computed with it); trials per condition = k × trials per
  side;
- participants per group for a group-by-time effect of size d (the difference between two
  groups in mean pre-to-post change, in SDs of the true change scores), tested by a
  two-sided two-sample t-test on the observed change scores at level α with the given
  power.  The change score's reliability is R_Δ = (1 − ρ) τ² / ((1 − ρ) τ² + e), τ² the
  true variance, e = k · trial_sd² / L the error variance of a session score at L trials per
  side and ρ the true pre-post correlation (the pilot's ``r_latent`` of group ``all``,
  clipped to [0, 0.95]; 0 when it is n/a -- optimistic: a positive ρ needs more people).
  The observed effect is attenuated to d_obs = d · √R_Δ, and n per group is the smallest n
  with power 1 − F(t_crit) + F(−t_crit) ≥ the target, F the noncentral t distribution
  with df = 2n − 2 and noncentrality d_obs · √(n / 2), t_crit its central 1 − α/2 quantile.
  ``n_per_group_pilot_trials`` is the same at the pilot's trials per side.

Bad input (a folder without reliability_latent.tsv, a number out of range, an existing
--out file) raises :class:`icb.errors.BadInput`: one line, exit status 2.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.latent import sides_of
from icb.errors import BadInput, DataExistsError

COLUMNS = ["task", "condition", "measure", "session", "n_participants", "trials_per_side_pilot",
           "reliability_pilot", "snr", "sides", "target_reliability", "trials_per_side",
           "trials_per_condition", "retest_r_used", "effect_d", "d_observed",
           "n_per_group", "n_per_group_pilot_trials", "note"]
NEEDED = ["session", "task", "condition", "measure", "n_participants", "trials_per_cell",
          "error_var", "true_var", "reliability", "trial_sd", "snr", "trials_for_0.7",
          "trials_for_0.8"]
SHOWN = {"task": "task", "condition": "condition", "measure": "measure",
         "reliability_pilot": "reliability now", "trials_per_side_pilot": "trials/side now",
         "trials_per_side": "trials/side", "trials_per_condition": "trials/condition",
         "n_per_group": "n/group", "n_per_group_pilot_trials": "n/group at trials now"}
MAX_N = 10_000_000


def n_per_group(d_observed: float, *, alpha: float, power: float) -> float:
    """Smallest n per group at which a two-sided two-sample t-test at level ``alpha``
    detects a standardised difference ``d_observed`` with ``power`` (noncentral t; the
    module docstring has the formula); NaN when d_observed is 0 or n would exceed 10⁷.

    >>> n_per_group(0.5, alpha=0.05, power=0.8), n_per_group(0.0, alpha=0.05, power=0.8)
    (64.0, nan)
    """
    from scipy import stats

    if not (math.isfinite(d_observed) and d_observed > 0):
        return float("nan")

    def achieved(n: int) -> float:
        df = 2 * n - 2
        crit = stats.t.ppf(1 - alpha / 2, df)
        ncp = d_observed * math.sqrt(n / 2)
        return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))

    low, high = 2, 4
    while achieved(high) < power:
        low, high = high, high * 2
        if high > MAX_N:
            return float("nan")
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if achieved(mid) >= power else (mid, high)
    return float(high if achieved(low) < power else low)


def change_reliability(true_var: float, error_var: float, rho: float) -> float:
    """R_Δ = (1 − ρ) τ² / ((1 − ρ) τ² + e) (module docstring).

    >>> change_reliability(1.0, 1.0, 0.0), change_reliability(1.0, 1.0, 0.5)
    (0.5, 0.3333333333333333)
    """
    signal = (1 - rho) * max(true_var, 0.0)
    return signal / (signal + error_var) if signal + error_var > 0 else float("nan")


def plan_rows(latent: pd.DataFrame, retest: pd.DataFrame, *, pre: str,
              target_reliability: float, effect_d: float, alpha: float, power: float
              ) -> pd.DataFrame:
    """plan.tsv: one row per task × condition × measure (module docstring: formulas).

    >>> lat = pd.DataFrame({"session": ["pre"], "task": ["dp"], "condition": ["c"],
    ...     "measure": ["bias_ms"], "n_participants": [40], "trials_per_cell": [24.0],
    ...     "error_var": [800.0], "true_var": [400.0], "reliability": [1 / 3],
    ...     "trial_sd": [100.0], "snr": [0.2], "trials_for_0.7": [117.0],
    ...     "trials_for_0.8": [200.0]})
    >>> row = plan_rows(lat, pd.DataFrame(), pre="pre", target_reliability=0.7,
    ...                 effect_d=0.5, alpha=0.05, power=0.8).iloc[0]
    >>> [float(row[c]) for c in ("sides", "trials_per_side", "trials_per_condition",
    ...                          "n_per_group")]
    [2.0, 117.0, 234.0, 91.0]
    """
    rho_of = {}
    if len(retest) and {"group", "r_latent"} <= set(retest.columns):
        for r in retest[retest["group"] == "all"].itertuples():
            rho_of[(r.task, r.condition, r.measure)] = float(r.r_latent)
    rows = []
    for key, d in latent.groupby(["task", "condition", "measure"], sort=True):
        d = d.sort_values("session")
        row = (d[d["session"] == pre] if (d["session"] == pre).any() else d).iloc[0]
        true, err, sd = float(row["true_var"]), float(row["error_var"]), float(row["trial_sd"])
        now, snr = float(row["trials_per_cell"]), float(row["snr"])
        sides = sides_of(snr, float(row["trials_for_0.7"]), float(row["trials_for_0.8"]))
        rho = rho_of.get(key, float("nan"))
        note = [] if math.isfinite(rho) else ["retest r unknown: 0 assumed (optimistic)"]
        rho = min(max(rho, 0.0), 0.95) if math.isfinite(rho) else 0.0
        out = {**dict(zip(["task", "condition", "measure"], key)), "session": row["session"],
               "n_participants": row["n_participants"], "trials_per_side_pilot": now,
               "reliability_pilot": float(row["reliability"]), "snr": snr, "sides": sides,
               "target_reliability": target_reliability, "retest_r_used": rho,
               "effect_d": effect_d}
        if not (math.isfinite(snr) and snr > 0 and sd > 0):
            note.insert(0, "no between-person signal in the pilot (true variance <= 0): no "
                           "trial count reaches the target")
            rows.append({**out, "note": "; ".join(note)})
            continue
        trials = math.ceil(round(sides * target_reliability
                                 / (snr * snr * (1 - target_reliability)), 9))
        planned = change_reliability(true, sides * sd * sd / trials, rho)
        pilot = change_reliability(true, err, rho)
        d_obs = effect_d * math.sqrt(planned)
        rows.append({**out, "trials_per_side": float(trials),
                     "trials_per_condition": float(sides * trials), "d_observed": d_obs,
                     "n_per_group": n_per_group(d_obs, alpha=alpha, power=power),
                     "n_per_group_pilot_trials": n_per_group(
                         effect_d * math.sqrt(pilot), alpha=alpha, power=power),
                     "note": "; ".join(note)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["note"] = table["note"].replace("", None)
    return table


def _number(text: str, name: str, low: float, high: float, *, closed: bool = False) -> float:
    """A finite number in (low, high) ([low, high] when ``closed``), or BadInput.

    >>> _number("0.7", "--target-reliability", 0, 1)
    0.7
    >>> _number("1", "--target-reliability", 0, 1)
    Traceback (most recent call last):
    ...
    icb.errors.BadInput: --target-reliability: bad value '1'; allowed: a number above 0 and below 1
    """
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = float("nan")
    inside = low <= value <= high if closed else low < value < high
    if not (math.isfinite(value) and inside):
        bounds = (f"from {low:g} to {high:g}" if closed else
                  f"above {low:g} and below {high:g}")
        raise BadInput(f"{name}: bad value {text!r}; allowed: a number {bounds}")
    return value


def read_pilot(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(reliability_latent.tsv, retest.tsv or empty, pre-session label) of a score folder."""
    import json

    from analysis import io

    folder = Path(folder)
    if not folder.is_dir():
        raise BadInput(f"{folder}: not a folder (give the folder icb score wrote)")
    path = folder / "reliability_latent.tsv"
    if not path.is_file():
        raise BadInput(f"{folder}: no reliability_latent.tsv (score the pilot with this "
                       "version's icb score first)")
    text = {c: str for c in ("session", "task", "condition", "measure", "group", "note")}
    try:
        latent = io.read_score_tsv(path, dtype=text)
        retest = io.read_score_tsv(folder / "retest.tsv", dtype=text) \
            if (folder / "retest.tsv").is_file() else pd.DataFrame()
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise BadInput(f"{path}: unreadable ({type(exc).__name__}); run icb score "
                       "again") from None
    missing = [c for c in NEEDED if c not in latent.columns]
    if missing:
        raise BadInput(f"{path}: columns missing: {', '.join(missing)} (not a "
                       "reliability_latent.tsv written by icb score)")
    for c in NEEDED[4:]:
        latent[c] = pd.to_numeric(latent[c], errors="coerce").replace([np.inf, -np.inf], np.nan)
    if "r_latent" in retest:
        retest["r_latent"] = pd.to_numeric(retest["r_latent"], errors="coerce")
    pre = "pre"
    try:
        settings = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
        pre = str(settings["Settings"]["input"]["pre_session"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        pass
    return latent, retest, pre


def run(args) -> int:
    """``icb plan``: check the numbers, read the pilot, print the table, write --out."""
    from analysis import io

    target = _number(args.target_reliability, "--target-reliability", 0.0, 1.0)
    effect = _number(args.effect_d, "--effect-d", 0.0, 20.0)
    alpha = _number(args.alpha, "--alpha", 0.0, 0.5)
    power = _number(args.power, "--power", alpha, 1.0)
    out = Path(args.out) if args.out else None
    if out is not None and (out.exists() or out.is_symlink()):
        raise DataExistsError(f"--out {out}: exists already; nothing was overwritten")
    if out is not None and out.suffix.lower() != ".tsv":
        raise BadInput(f"--out {out}: plan is a TSV file; allowed: a name ending in .tsv")
    latent, retest, pre = read_pilot(Path(args.scores_dir))
    table = plan_rows(latent, retest, pre=pre, target_reliability=target, effect_d=effect,
                      alpha=alpha, power=power)
    if table.empty:
        raise BadInput(f"{args.scores_dir}: reliability_latent.tsv has no rows (no "
                       "difference score had trial-level data)")
    shown = table[list(SHOWN)].rename(columns=SHOWN).round({"reliability now": 2})
    shown = shown.astype(object).where(shown.notna(), "n/a")
    print(f"plan for target reliability {target:g}, effect d = {effect:g}, alpha {alpha:g}, "
          f"power {power:g} (pilot: {args.scores_dir}; every column: --out FILE.tsv)")
    print(shown.to_string(index=False))
    for row in table.dropna(subset=["note"]).itertuples():
        print(f"note: {row.task} {row.condition} {row.measure}: {row.note}")
    if out is not None:
        io.write_tsv(table, out, COLUMNS)
        print(f"written to {out}")
    return 0
