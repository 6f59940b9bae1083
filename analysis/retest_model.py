"""The latent pre-post correlation of a score from a trial-level mixed model (contract §7).

Per participant i, session t (pre, post) and side s (1 = plus, 0 = minus), trial values

    y = μ_t + β_t · c_s + u_it + v_it · c_s + e,   c_s = s − ½,   e ~ N(0, σ²),

with the participant's random intercept u_it and effect v_it in each session drawn from
N(0, Ψ) (4 × 4, unstructured): v_it is the participant's true score (mean of side 1 −
mean of side 0) in session t, free of trial noise.  ``r_latent`` = corr(v_i,pre, v_i,post)
= Ψ_vpre,vpost / √(Ψ_vpre,vpre Ψ_vpost,vpost).  A one-side score (a mean) has no c_s
terms: y = μ_t + u_it + e and r_latent = corr(u_i,pre, u_i,post).  Fitted by REML with
statsmodels' MixedLM (Lindstrom & Bates 1988), started at the REML optimum computed from
the cell statistics (:mod:`analysis.cell_reml`, vectorised), so that statsmodels confirms it
in a step or two instead of iterating over every participant in Python.
The interval: delta method on the correlation from statsmodels' covariance of the
packed Ψ estimates, on Fisher's z scale, z ± 1.96 SE, back-transformed.  Rouder & Haaf
(2019) use the same idea (a hierarchical model keeps trial noise out of the
correlation).  No fit, no convergence, an effect variance at zero (the correlation is
undefined there) or a correlation at ±1: ``n/a`` and a note saying which.

To bound the time (statsmodels loops over participants in Python), a fit with more than
``max_participants`` participants uses a seeded random subset of them (the note says so), and
statsmodels gets ``max_iterations`` iterations and function evaluations from the REML
optimum: a regular fit needs a handful.  When at the REML optimum an effect variance is 0
or the two effects correlate ±1 (a boundary fit), the correlation or its interval is not
identified and statsmodels, whose likelihood inverts Ψ, would wander for seconds to an
arbitrary answer: ``n/a``, and the note says so.  Any other singular Ψ (e.g. an intercept
variance of 0) leaves the correlation identified: statsmodels starts just inside (Ψ's
eigenvalues floored at 10⁻⁶ of the largest) and the note says the fit is on the boundary.
"""

from __future__ import annotations

import math
import warnings as _warnings

import numpy as np
import pandas as pd

from analysis import cell_reml

Z_975 = 1.959963984540054
FLOOR = 1e-6  # smallest eigenvalue of a start, relative to the largest


def _undefined(psi: np.ndarray, a: int, b: int) -> str:
    """Why corr(a, b) of Ψ is not identified ("" when it is): an effect variance of 0, or a
    correlation of ±1 -- statsmodels is not run then (its likelihood inverts Ψ and wanders
    for seconds near such a point to an arbitrary answer).

    >>> _undefined(np.diag([4., 1e-12, 1.]), 1, 2)[:23], _undefined(np.eye(3), 1, 2)
    ('an effect variance is 0', '')
    """
    top = max(float(np.abs(np.diag(psi)).max()), 1e-300)
    if min(psi[a, a], psi[b, b]) <= 1e-8 * top:
        return ("an effect variance is 0 at the REML optimum (a boundary fit): the latent "
                "correlation is undefined; statsmodels not run")
    r = psi[a, b] / math.sqrt(psi[a, a] * psi[b, b])
    if abs(r) >= 1 - 1e-6:
        return ("the effects correlate +-1 at the REML optimum (a boundary fit): no interval; "
                "statsmodels not run")
    return ""


def design(frame: pd.DataFrame, *, sides: int) -> np.ndarray:
    """Columns pre, post (and pre·c, post·c with c = side − ½) of the fixed and random parts.

    >>> design(pd.DataFrame({"post": [0, 1], "side": [1, 0]}), sides=2).tolist()
    [[1.0, 0.0, 0.5, 0.0], [0.0, 1.0, -0.0, -0.5]]
    """
    post = frame["post"].to_numpy(dtype=float)
    columns = [1.0 - post, post]
    if sides == 2:
        c = frame["side"].to_numpy(dtype=float) - 0.5
        columns += [(1.0 - post) * c, post * c]
    return np.column_stack(columns)


def _subset(frame: pd.DataFrame, max_participants: int, seed: int, key: int
            ) -> tuple[pd.DataFrame, str]:
    units = np.sort(frame["unit"].astype(str).unique())
    if len(units) <= max_participants:
        return frame, ""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key,))))
    keep = rng.permutation(units)[:max_participants]
    return (frame[frame["unit"].astype(str).isin(keep)],
            f"fitted on {max_participants} of {len(units)} participants (random subset, seed "
            f"{seed}) to stay under latent.retest_max_participants={max_participants}")


def correlation_ci(cov_re: np.ndarray, cov_packed: np.ndarray, a: int, b: int) -> tuple:
    """(r, low, high): r = Ψ_ab / √(Ψ_aa Ψ_bb) and its 95% interval by the delta method
    (gradient of r in the packed lower triangle of Ψ, ``cov_packed`` their covariance) on
    Fisher's z scale.

    >>> r, lo, hi = correlation_ci(np.array([[4., 1.], [1., 1.]]), np.eye(3) * 0.01, 0, 1)
    >>> round(r, 3), bool(lo < r < hi)
    (0.5, True)
    """
    k = cov_re.shape[0]
    r = float(cov_re[a, b] / math.sqrt(cov_re[a, a] * cov_re[b, b]))
    grad = np.zeros((k, k))
    grad[max(a, b), min(a, b)] = 1.0 / math.sqrt(cov_re[a, a] * cov_re[b, b])
    grad[a, a] = -r / (2 * cov_re[a, a])
    grad[b, b] = -r / (2 * cov_re[b, b])
    g = grad[np.tril_indices(k)]
    var_r = float(g @ cov_packed @ g)
    if not (math.isfinite(var_r) and var_r >= 0 and abs(r) < 1):
        return r, float("nan"), float("nan")
    z, se_z = math.atanh(r), math.sqrt(var_r) / (1 - r * r)
    return r, math.tanh(z - Z_975 * se_z), math.tanh(z + Z_975 * se_z)


def latent_correlation(frame: pd.DataFrame, *, sides: int, max_participants: int = 60,
                       max_iterations: int = 50, seed: int = 0, key: int = 0) -> dict:
    """r_latent, r_latent_ci_low, r_latent_ci_high, n_fitted and note from the trial
    rows ``frame`` (unit, post 0/1, side, value) of participants with both sessions
    (model, formula and reference: module docstring).

    >>> rng = np.random.default_rng(3)
    >>> true = rng.multivariate_normal([0, 0], [[900, 720], [720, 900]], 60)   # r = 0.8
    >>> rows = [(u, t, s, 500 + 40 * rng.standard_normal() + (s - .5) * true[u, t]
    ...          + rng.normal(0, 60)) for u in range(60) for t in (0, 1) for s in (0, 1)
    ...         for _ in range(30)]
    >>> f = pd.DataFrame(rows, columns=["unit", "post", "side", "value"])
    >>> out = latent_correlation(f, sides=2)
    >>> bool(out["r_latent_ci_low"] < 0.8 < out["r_latent_ci_high"]), out["n_fitted"]
    (True, 60)
    """
    from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams

    nan = float("nan")
    out = {"r_latent": nan, "r_latent_ci_low": nan, "r_latent_ci_high": nan, "n_fitted": 0,
           "note": ""}
    frame, note = _subset(frame.dropna(subset=["value"]), max_participants, seed, key)
    cells = frame.groupby(["unit", "post"] + (["side"] if sides == 2 else [])).size()
    per_unit = cells.groupby(level="unit").agg(["size", "min"])
    ok = per_unit.index[(per_unit["size"] == 2 * sides) & (per_unit["min"] >= 2)]
    frame = frame[frame["unit"].isin(ok)].sort_values(["unit", "post", "side", "value"],
                                                      kind="stable")  # whatever the row order
    out["n_fitted"] = int(len(ok))
    if len(ok) < 2 * sides + 2:
        out["note"] = "; ".join(filter(None, [note, f"not fitted: {len(ok)} participants with "
                                               "2 or more trials in every session x side"]))
        return out
    exog = design(frame, sides=sides)
    a, b = (2, 3) if sides == 2 else (0, 1)
    try:
        fe, psi, _ = cell_reml.reml(frame, sides=sides)
        undefined = _undefined(psi, a, b)
        if undefined:
            out["note"] = "; ".join(filter(None, [note, undefined]))
            return out
        eig, vec = np.linalg.eigh(psi)
        if eig[0] <= FLOOR * eig[-1]:  # a boundary optimum: start statsmodels just inside
            note = "; ".join(filter(None, [note, "random-effects covariance singular at the "
                                                 "REML optimum (a boundary fit)"]))
            psi = (vec * np.maximum(eig, FLOOR * eig[-1])) @ vec.T
        start = MixedLMParams.from_components(fe_params=fe, cov_re=psi)
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always")
            model = MixedLM(frame["value"].to_numpy(dtype=float), exog,
                            groups=frame["unit"].astype(str).to_numpy(), exog_re=exog)
            fit = model.fit(reml=True, method=["lbfgs"], maxiter=max_iterations,
                            start_params=start)
        messages = sorted({str(w.message).splitlines()[0] for w in caught})
        cov_re = np.asarray(fit.cov_re_unscaled, dtype=float)
        if not getattr(fit, "converged", False):
            out["note"] = "; ".join(filter(None, [
                note, f"did not converge within {max_iterations} iterations (statsmodels: "
                      + "; ".join(m for m in messages if "failed" not in m) + ")"]))
            return out
        note = "; ".join(filter(None, [note, *messages]))
        if min(cov_re[a, a], cov_re[b, b]) <= 1e-8 * max(np.abs(np.diag(cov_re)).max(), 1e-300):
            out["note"] = "; ".join(filter(None, [note, "a session's effect variance is 0 "
                                                       "(correlation undefined)"]))
            return out
        k_fe = exog.shape[1]
        n_cov = len(np.tril_indices(cov_re.shape[0])[0])
        cov_packed = np.asarray(fit.cov_params(), dtype=float)[k_fe:k_fe + n_cov,
                                                                 k_fe:k_fe + n_cov]
        r, low, high = correlation_ci(cov_re, cov_packed, a, b)
    except (ValueError, np.linalg.LinAlgError, ArithmeticError) as exc:
        out["note"] = "; ".join(filter(None, [note, f"fit failed: {type(exc).__name__}: "
                                                    f"{str(exc)[:120]}"]))
        return out
    if not math.isfinite(r) or abs(r) >= 1:
        out["note"] = "; ".join(filter(None, [note, "correlation at +-1 (boundary)"]))
        return out
    out.update(r_latent=r, r_latent_ci_low=low, r_latent_ci_high=high, note=note)
    return out
