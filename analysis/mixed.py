"""Trial-level linear mixed model of dot-probe RTs (statsmodels MixedLM).

Per condition, on valid test trials of the pre and post sessions of
participants in a group of participants.tsv (n/a left out):
``rt_ms ~ congruent * post * group`` with a random intercept and a random
congruency slope per participant (re_formula ``~congruent``), REML.  ``post``
is 1 for the post session; the group reference level is ``control`` when
present.  The congruent x post x group term is the treatment effect on bias
(with a minus sign: congruent trials faster = bias toward the target).

To keep the fit bounded in time, a condition with more than ``max_trials``
trials is fitted on a random subset of participants (seeded; whole
participants, balanced over groups) that fits under the cap; the note column
says so.  A fit that fails is reported in the note and in the warnings; the
scoring never stops for it.
"""

from __future__ import annotations

import warnings as _warnings

import numpy as np
import pandas as pd

COLUMNS = ["condition", "term", "estimate", "se", "z", "p", "ci_low", "ci_high", "n_trials",
           "n_participants", "converged", "note"]


def fit_all(valid: pd.DataFrame, *, participants: pd.DataFrame, pre: str, post: str,
            settings: dict, seed: int) -> tuple[pd.DataFrame, list[str]]:
    """Fit per condition; returns (coefficient table, warnings).  Model (module docstring):
    rt_ms ~ congruent * post * group, random intercept and congruency slope per participant,
    REML (statsmodels MixedLM; Lindstrom & Bates 1988).

    >>> rng = np.random.default_rng(0)
    >>> rows = [(f"p{p}", ses, c, k, 500 + 20 * c + rng.normal(0, 30))
    ...         for p in range(8) for ses in ("pre", "post") for k, c in enumerate([0, 1] * 10)]
    >>> v = pd.DataFrame(rows, columns=["participant_id", "session", "congruent",
    ...                                 "trial_index", "rt_ms"]).assign(condition="a-b@200")
    >>> groups = pd.DataFrame({"participant_id": [f"p{p}" for p in range(8)],
    ...                        "group": ["MORE", "control"] * 4})
    >>> table, notes = fit_all(v, participants=groups, pre="pre", post="post",
    ...     settings={"max_trials": 60000, "max_iterations": 200}, seed=1)
    >>> "congruent:post:group[T.MORE]" in set(table["term"]), len(table)
    (True, 8)
    """
    groups = dict(zip(participants["participant_id"], participants["group"]))
    data = valid[valid["session"].isin([pre, post])].copy()
    data["group"] = data["participant_id"].map(groups)
    data = data[data["group"].notna() & (data["group"] != "n/a")]
    notes: list[str] = []
    if data["group"].nunique() < 2:
        return pd.DataFrame(columns=COLUMNS), ["mixed model not fitted: fewer than 2 groups"]
    rows = []
    for condition, d in data.groupby("condition", sort=True):
        table, note = fit_one(d, condition=condition, post=post, settings=settings, seed=seed)
        rows.append(table)
        if note:
            notes.append(f"mixed model {condition}: {note}")
    return pd.concat(rows, ignore_index=True)[COLUMNS], notes


def _term(term: str, names: list[str]) -> str:
    """A statsmodels term with the group codes turned back into the group names.

    >>> _term("congruent:C(group, Treatment('g0'))[T.g1]", ["control", "MORE"])
    'congruent:group[T.MORE]'
    """
    term = term.replace("C(group, Treatment('g0'))", "group")
    for i, name in enumerate(names):
        term = term.replace(f"[T.g{i}]", f"[T.{name}]")
    return term


def fit_one(d: pd.DataFrame, *, condition: str, post: str, settings: dict, seed: int
            ) -> tuple[pd.DataFrame, str]:
    import statsmodels.formula.api as smf

    d = d.sort_values(["participant_id", "session", "trial_index"])
    note = ""
    n_trials = len(d)
    if n_trials > settings["max_trials"]:
        per = d.groupby("participant_id").size()
        rng = np.random.default_rng(seed)
        order = rng.permutation(np.sort(per.index.to_numpy()))
        keep = order[: max(int(len(order) * settings["max_trials"] / n_trials), 4)]
        d = d[d["participant_id"].isin(keep)]
        note = (f"fitted on {d['participant_id'].nunique()} of {len(per)} participants "
                f"(random subset, seed {seed}) to stay under max_trials={settings['max_trials']}")
    frame = pd.DataFrame({
        "rt_ms": d["rt_ms"].astype(float).to_numpy(),
        "congruent": d["congruent"].astype(float).to_numpy(),
        "post": (d["session"] == post).astype(float).to_numpy(),
        "group": d["group"].astype(str).to_numpy(),
        "participant_id": d["participant_id"].astype(str).to_numpy(),
    })
    levels = sorted(frame["group"].unique())
    ref = "control" if "control" in levels else levels[0]
    # group names come from participants.tsv: they never enter the formula text, only codes
    names = [ref] + [g for g in levels if g != ref]
    frame["group"] = frame["group"].map({g: f"g{i}" for i, g in enumerate(names)})
    formula = "rt_ms ~ congruent * post * C(group, Treatment('g0'))"
    base = {"condition": condition, "n_trials": len(frame),
            "n_participants": frame["participant_id"].nunique()}
    try:
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always")
            model = smf.mixedlm(formula, frame, groups=frame["participant_id"],
                                re_formula="~congruent")
            result = model.fit(reml=True, method=["lbfgs"], maxiter=settings["max_iterations"])
        converged = bool(getattr(result, "converged", False))
        messages = sorted({str(w.message).splitlines()[0] for w in caught})
        if messages:
            note = "; ".join(filter(None, [note, *messages]))[:500]
        ci = result.conf_int()
        fe = result.fe_params.index
        table = pd.DataFrame({
            "term": [_term(t, names) for t in fe],
            "estimate": result.fe_params.to_numpy(), "se": result.bse_fe.to_numpy(),
            "z": result.tvalues[fe].to_numpy(), "p": result.pvalues[fe].to_numpy(),
            "ci_low": ci.loc[fe, 0].to_numpy(), "ci_high": ci.loc[fe, 1].to_numpy()})
        table = table.assign(**base, converged=int(converged), note=note or None)
        return table, (note if not converged or note else "")
    except (ValueError, np.linalg.LinAlgError, ArithmeticError) as exc:
        msg = f"fit failed: {type(exc).__name__}: {exc}"
        row = {"term": "n/a", "estimate": np.nan, "se": np.nan, "z": np.nan, "p": np.nan,
               "ci_low": np.nan, "ci_high": np.nan, **base, "converged": 0,
               "note": "; ".join(filter(None, [note, msg]))}
        return pd.DataFrame([row]), msg
