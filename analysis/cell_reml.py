"""Start values for the retest mixed model (:mod:`analysis.retest_model`): its REML
estimates computed from each participant's cell statistics, vectorised over participants.

The model's random effects are constant within a cell (participant × session × side), so
the trial-level likelihood factors into the cell means ȳ_i (per participant i, C cells)
and the within-cell sums of squares SS_w (Searle, Casella & McCulloch 1992, ch. 6):
ȳ_i ~ N(A β, σ² U_i) with U_i = A Ψ* A' + diag(1 / n_i) (A: the cells' rows of the design,
Ψ* = Ψ / σ²), SS_w / σ² ~ χ²(N − M) (N trials, M cells).  With β and σ² profiled out
(β̂ by generalised least squares, σ̂² = (Σ r_i' U_i⁻¹ r_i + SS_w) / (N − p)), the REML
log-likelihood is, up to a constant,

    −½ [(N − p) log σ̂² + Σ_i log |U_i| + log |Σ_i A' U_i⁻¹ A|],

the same function of Ψ* that statsmodels' MixedLM maximises on the trial rows.  It is
maximised here over the Cholesky factor of Ψ* with L-BFGS-B and the analytic gradient
(:func:`_profile`) on a few (P × C × C) array operations per evaluation; statsmodels
then starts at the optimum, confirms it and gives
the covariance of the estimates (the test compares both fits).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cell_stats(frame: pd.DataFrame, *, sides: int) -> tuple:
    """(A, n, means, within SS) from the rows unit, post (0/1), side, value: A is C × C
    (cells (pre, side 0), (pre, 1), (post, 0), (post, 1), or pre, post for one side), n and
    means are participants × C; participants lacking a cell are left out.

    >>> f = pd.DataFrame({"unit": ["a"] * 4, "post": [0, 0, 1, 1], "side": 1,
    ...                   "value": [1., 3., 2., 6.]})
    >>> A, n, m, ss = cell_stats(f, sides=1)
    >>> A.tolist(), n.tolist(), m.tolist(), ss
    ([[1.0, 0.0], [0.0, 1.0]], [[2.0, 2.0]], [[2.0, 4.0]], 10.0)
    """
    keys = ["post", "side"] if sides == 2 else ["post"]
    g = frame.groupby(["unit", *keys])["value"].agg(["size", "mean", "var"]).unstack(keys)
    n = g["size"].to_numpy(dtype=float)
    keep = ~np.isnan(n).any(axis=1)
    n, means = n[keep], g["mean"].to_numpy(dtype=float)[keep]
    ss = float(np.nansum(g["var"].to_numpy(dtype=float)[keep] * (n - 1)))
    if sides == 2:
        cells = pd.DataFrame({"post": [0, 0, 1, 1], "side": [0, 1, 0, 1]})
    else:
        cells = pd.DataFrame({"post": [0, 1], "side": [1, 1]})
    from analysis.retest_model import design

    return design(cells, sides=sides), n, means, ss


def _profile(chol: np.ndarray, A: np.ndarray, n: np.ndarray, means: np.ndarray, ss: float,
             n_trials: float) -> tuple[float, np.ndarray, np.ndarray, float]:
    """(f = −2 × REML log-likelihood + const, ∂f/∂L, β̂, σ̂²) at Ψ* = L L'.

    With B_i = A' U_i⁻¹ A, H = Σ B_i, g_i = A' U_i⁻¹ r_i and dU_i = A dΨ A', the derivative
    is df = tr(G dΨ), G = A' (Σ U_i⁻¹) A − Σ B_i H⁻¹ B_i − Σ g_i g_i' / σ̂² (β̂ and σ̂² at
    their optimum, so their own change drops out), and ∂f/∂L = 2 G L.

    >>> A, n = np.eye(2), np.full((4, 2), 3.)
    >>> m = np.array([[1., 2.], [2., 2.], [4., 5.], [0., 1.]])
    >>> L = np.array([[1., 0.], [0.5, 1.]])
    >>> f, grad, _, _ = _profile(L, A, n, m, 5.0, 24.)
    >>> step = np.zeros((2, 2)); step[1, 0] = 1e-6
    >>> numeric = (_profile(L + step, A, n, m, 5.0, 24.)[0] - f) / 1e-6
    >>> bool(abs(numeric - grad[1, 0]) < 1e-4)
    True
    """
    q = A.shape[1]
    psi = chol @ chol.T
    u = (A @ psi @ A.T)[None] + (1.0 / n)[:, :, None] * np.eye(len(A))[None]
    u_inv = np.linalg.inv(u)
    logdet = np.linalg.slogdet(u)[1].sum()
    b = A.T @ u_inv @ A                                   # P x q x q
    h = b.sum(axis=0)
    h_inv = np.linalg.inv(h)
    beta = h_inv @ (A.T @ (u_inv @ means[:, :, None]).sum(axis=0))[:, 0]
    r = means - beta @ A.T
    ur = (u_inv @ r[:, :, None])[:, :, 0]                 # U_i⁻¹ r_i
    quad = float((r * ur).sum())
    sigma2 = (quad + ss) / (n_trials - q)
    value = (n_trials - q) * np.log(sigma2) + logdet + np.linalg.slogdet(h)[1]
    g = ur @ A                                            # rows g_i'
    grad = (A.T @ u_inv.sum(axis=0) @ A - (b @ h_inv @ b).sum(axis=0) - g.T @ g / sigma2)
    return float(value), 2 * grad @ chol, beta, sigma2


def moment_start(A: np.ndarray, n: np.ndarray, means: np.ndarray, ss: float) -> np.ndarray:
    """Ψ* from moments: the covariance across participants of A⁻¹ ȳ_i minus its mean
    sampling covariance σ² A⁻¹ diag(1 / n_i) A⁻ᵀ (σ² = SS_w / (N − M)), eigenvalues
    floored at 1% of the largest, divided by σ².

    >>> psi = moment_start(np.eye(2), np.full((3, 2), 2.), np.array([[1., 2.], [3., 3.],
    ...                    [5., 7.]]), 6.0)
    >>> psi.round(3).tolist()
    [[3.707, 4.846], [4.846, 6.615]]
    """
    sigma2 = ss / max(n.sum() - n.size, 1.0)
    a_inv = np.linalg.inv(A)
    vec = means @ a_inv.T
    sampling = np.einsum("ac,pc,bc->ab", a_inv, 1.0 / n, a_inv) / len(n) * sigma2
    psi = np.cov(vec.T) - sampling
    w, q = np.linalg.eigh(psi)
    w = np.maximum(w, 0.01 * max(np.abs(w).max(), sigma2 * 1e-6))
    return (q * w) @ q.T / sigma2


def reml(frame: pd.DataFrame, *, sides: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(β̂, Ψ̂* = Ψ̂ / σ̂², σ̂²): the REML estimates of the module docstring, from rows unit,
    post, side, value, starting from :func:`moment_start`.

    >>> rng = np.random.default_rng(0)
    >>> u = np.repeat(np.arange(50), 40); t = np.tile(np.repeat([0, 1], 20), 50)
    >>> shift = rng.normal(0, 3, (50, 2))                      # person SD 3 per session
    >>> f = pd.DataFrame({"unit": u, "post": t, "side": 1,
    ...                   "value": 10 + shift[u, t] + rng.normal(0, 2, len(u))})
    >>> beta, psi, s2 = reml(f, sides=1)
    >>> np.sqrt(np.diag(psi) * s2).round(0).tolist(), round(s2 ** 0.5, 1)
    ([3.0, 3.0], 2.0)
    """
    from scipy.optimize import minimize

    A, n, means, ss = cell_stats(frame, sides=sides)
    n_trials = float(n.sum())
    q = A.shape[1]
    rows, cols = np.tril_indices(q)
    start = moment_start(A, n, means, ss)

    def unpack(x):
        chol = np.zeros((q, q))
        chol[rows, cols] = x
        return chol

    def objective(x):
        try:
            value, grad, _, _ = _profile(unpack(x), A, n, means, ss, n_trials)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(x)
        return value, grad[rows, cols]

    x0 = np.linalg.cholesky(start)[rows, cols]
    best = minimize(objective, x0, jac=True, method="L-BFGS-B",
                    options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-9})
    chol = unpack(best.x)
    _, _, beta, sigma2 = _profile(chol, A, n, means, ss, n_trials)
    return beta, chol @ chol.T, sigma2
