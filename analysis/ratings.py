"""Rating, key-press and cry-rating scores (research notes 3.6).

Per participant x session, test trials only, responses given:

* cells (condition ``<category>-<valence>``): rating tasks ``<scale>_mean``;
  key-press ``viewing_time_ms``, ``change_from_default_ms`` (viewing time -
  default) and ``net_presses`` (n_increase - n_decrease), each a mean per trial;
* salience contrasts (condition = contrast name, e.g. ``infant_minus_adult``):
  mean over the rows selected by side a - mean over the rows selected by side
  b; measures ``<scale>_salience`` (ratings), ``viewing_time_salience_ms``,
  ``change_from_default_salience_ms``, ``net_presses_salience`` (key-press);
* cry rating: ``aversiveness_mean`` per cell and ``aversiveness_salience`` per
  contrast = mean of the configured scales (Gustafson & Green 1989: one
  perceived-aversiveness dimension), and Cronbach's alpha of those scales per
  session across participants (each participant's mean per scale).

>>> import pandas as pd
>>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
...     "category": ["infant", "infant", "adult", "adult"], "valence": "neutral",
...     "baby_schema": pd.array([None] * 4, dtype="Int64"), "stim_id": list("abcd"),
...     "trial_index": [1, 2, 3, 4], "scale": "liking", "rating": [3., 4., 1., 0.]})
>>> cleaned, values = prepare(t, task="rating", test_phase="test")
>>> c = {"infant_minus_adult": {"a": {"category": ["infant"]}, "b": {"category": ["adult"]}}}
>>> s = scores(values, task="rating", contrasts=c)
>>> s.loc[s["condition"] == "infant_minus_adult", "value"].tolist()
[3.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNIT = ["participant_id", "session"]
KEYPRESS_MEASURES = ("viewing_time_ms", "change_from_default_ms", "net_presses")
OUT = ["participant_id", "session", "task", "condition", "measure", "value"]


def prepare(trials: pd.DataFrame, *, task: str, test_phase: str = "test"
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trials with ``excluded``/``exclusion_reason``, long values: unit, category, valence,
    baby_schema, stim_id, trial_index, item, value) for a rating-type task."""
    out = trials.copy()
    reason = np.full(len(out), None, dtype=object)
    not_test = (out["phase"] != test_phase).to_numpy()
    reason[not_test] = out["phase"].astype(object).to_numpy()[not_test]
    if task == "keypress":
        values = pd.DataFrame({
            "viewing_time_ms": out["viewing_time_ms"].astype(float),
            "change_from_default_ms": (out["viewing_time_ms"].astype(float)
                                       - out["default_ms"].astype(float)),
            "net_presses": (out["n_increase"].astype(float) - out["n_decrease"].astype(float)),
        })
        missing = values.isna().any(axis=1).to_numpy() & np.equal(reason, None)
        reason[missing] = "no_response"
    else:
        missing = out["rating"].isna().to_numpy() & np.equal(reason, None)
        reason[missing] = "no_response"
    out["excluded"] = (~np.equal(reason, None)).astype(int)
    out["exclusion_reason"] = pd.Series(reason, index=out.index, dtype=object)
    keep = out["excluded"].to_numpy() == 0
    base = out.loc[keep, [*UNIT, "category", "valence", "baby_schema", "stim_id", "trial_index"]]
    if task == "keypress":
        long = pd.concat([base.assign(item=m, value=values.loc[keep, m].to_numpy())
                          for m in KEYPRESS_MEASURES], ignore_index=True)
    else:
        long = base.assign(item=out.loc[keep, "scale"].astype(str).to_numpy(),
                           value=out.loc[keep, "rating"].astype(float).to_numpy())
    long = long.sort_values([*UNIT, "item", "trial_index", "stim_id"], kind="stable")
    return out, long.reset_index(drop=True)


def cell_name(task: str, item: str) -> str:
    return item if task == "keypress" else f"{item}_mean"


def salience_name(task: str, item: str) -> str:
    """``liking`` -> ``liking_salience``; ``viewing_time_ms`` -> ``viewing_time_salience_ms``."""
    if item.endswith("_ms"):
        return item[:-3] + "_salience_ms"
    return f"{item}_salience"


def _as_text(series: pd.Series) -> pd.Series:
    def fmt(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v)
    return series.astype(object).map(fmt)


def select(values: pd.DataFrame, selector: dict) -> np.ndarray:
    """Rows matching every column -> allowed values of a contrast side."""
    mask = np.ones(len(values), dtype=bool)
    for col, allowed in selector.items():
        mask &= _as_text(values[col]).isin([str(a) for a in allowed]).to_numpy()
    return mask


def scores(values: pd.DataFrame, *, task: str, contrasts: dict,
           aversiveness_scales: list[str] | None = None) -> pd.DataFrame:
    """Long scores of one rating-type task (see the module docstring)."""
    if values.empty:
        return pd.DataFrame(columns=OUT)
    cond = values["category"].astype(str) + "-" + values["valence"].astype(str)
    cells = (values.assign(condition=cond).groupby([*UNIT, "condition", "item"])["value"]
             .mean().reset_index())
    cells["measure"] = [cell_name(task, i) for i in cells["item"]]
    parts = [cells]
    for name, spec in contrasts.items():
        a, b = select(values, spec["a"]), select(values, spec["b"])
        if not a.any() or not b.any():
            continue
        ma = values[a].groupby([*UNIT, "item"])["value"].mean()
        mb = values[b].groupby([*UNIT, "item"])["value"].mean()
        diff = (ma - mb).dropna().reset_index()
        diff["condition"] = name
        diff["measure"] = [salience_name(task, i) for i in diff["item"]]
        parts.append(diff)
    long = pd.concat(parts, ignore_index=True)
    if aversiveness_scales:
        extra = []
        for kind, suffix in (("cell", "_mean"), ("contrast", "_salience")):
            wanted = {s + suffix for s in aversiveness_scales}
            sub = long[long["measure"].isin(wanted)]
            if sub.empty:
                continue
            g = sub.groupby([*UNIT, "condition"])["value"]
            comp = g.mean().where(g.count() == len(wanted)).dropna().reset_index()
            comp["measure"] = "aversiveness" + suffix
            extra.append(comp)
        long = pd.concat([long, *extra], ignore_index=True)
    long["task"] = task
    return long[OUT].sort_values(OUT[:5]).reset_index(drop=True)


def salience_inputs(values: pd.DataFrame, *, task: str, contrasts: dict):
    """Yield (session, condition, measure, frame) for the split-half of each salience
    contrast: frame has unit, side (1 = side a, 0 = side b), value, order."""
    for name, spec in contrasts.items():
        a, b = select(values, spec["a"]), select(values, spec["b"])
        if not a.any() or not b.any():
            continue
        both = pd.concat([values[a].assign(side=1), values[b].assign(side=0)])
        both["order"] = both["trial_index"].astype(float) * 1e6 + both.groupby(
            [*UNIT, "item", "side"]).cumcount()
        for (session, item), d in both.groupby(["session", "item"], sort=True):
            frame = d.rename(columns={"participant_id": "unit"})[["unit", "side", "value",
                                                                  "order"]]
            yield session, name, salience_name(task, item), frame


def internal_consistency(values: pd.DataFrame, *, task: str, scales: list[str]) -> pd.DataFrame:
    """Cronbach's alpha of ``scales`` per session: participants x scale means."""
    from analysis.reliability import cronbach_alpha

    rows = []
    sub = values[values["item"].isin(scales)]
    for session, d in sub.groupby("session", sort=True):
        wide = d.groupby(["participant_id", "item"])["value"].mean().unstack("item")
        wide = wide.reindex(columns=scales)
        complete = wide.dropna()
        rows.append({"session": session, "task": task, "composite": "aversiveness",
                     "items": "+".join(scales), "n_participants": len(complete),
                     "cronbach_alpha": cronbach_alpha(wide.to_numpy(dtype=float))})
    return pd.DataFrame(rows, columns=["session", "task", "composite", "items",
                                       "n_participants", "cronbach_alpha"])
