"""Salience scores of rating-type data: ratings, key-press viewing times, cry ratings.

Per participant x session, test rows with a response, as long *values* (one row per
presentation x item; item = a rating scale, or a measure such as viewing_time_ms):

* cells (condition ``<category>-<valence>``): the mean value per item, measure
  ``<item><cell_suffix>`` (e.g. ``liking_mean``, or ``viewing_time_ms`` itself);
* salience contrasts (condition = contrast name, e.g. ``infant_minus_adult``):
  mean over the rows selected by side a - mean over the rows selected by side b,
  measure ``<item>_salience`` (``viewing_time_ms`` -> ``viewing_time_salience_ms``);
* a composite (e.g. cry ``aversiveness``): the mean of its scales' cell and contrast
  scores, when every scale has one (Gustafson & Green 1989: one perceived-aversiveness
  dimension), and Cronbach's alpha of those scales per session across participants.

A contrast that cannot be computed for a participant x session (a side with no rows, e.g.
no adult faces for ``infant_minus_adult``) is listed by :func:`contrast_gaps`.

Reference: contract §3-§4; Parsons, Kruijt & Fox (2019) for the split-half of contrasts.

>>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "phase": "test",
...     "category": ["infant", "infant", "adult", "adult"], "valence": "neutral",
...     "stim_id": list("abcd"), "trial_index": [1, 2, 3, 4], "scale": "liking",
...     "rating": [3., 4., 1., 0.]})
>>> cleaned, values = prepare(t, test_phase="test")
>>> c = {"infant_minus_adult": {"a": {"category": ["infant"]}, "b": {"category": ["adult"]}}}
>>> s = scores(values, task="rating", contrasts=c)
>>> s.loc[s["condition"] == "infant_minus_adult", ["measure", "value"]].values.tolist()
[['liking_salience', 3.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNIT = ["participant_id", "session"]
OUT = ["participant_id", "session", "task", "condition", "measure", "value"]
SELECTABLE = ("category", "valence", "baby_schema", "stim_id")
GAP_COLUMNS = ["participant_id", "session", "condition", "reason"]


def prepare(trials: pd.DataFrame, *, test_phase: str = "test",
            items: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trials with ``excluded``/``exclusion_reason``, long values).

    Without ``items`` each row is one rating: item = ``scale``, value = ``rating``.  With
    ``items`` (one column per measure, the index of ``trials``) each row gives one value
    per measure.  Rows of another phase are excluded with their phase as the reason, rows
    with a missing value as ``no_response``.  Values: participant_id, session, the
    selectable columns present (category, valence, baby_schema, stim_id), trial_index,
    item, value.

    >>> t = pd.DataFrame({"participant_id": "sub-1", "session": "pre",
    ...     "phase": ["practice", "test"], "category": "infant", "valence": "neutral",
    ...     "stim_id": "a", "trial_index": [1, 2], "viewing_time_ms": [4000., 4500.]})
    >>> out, values = prepare(t, items=t[["viewing_time_ms"]])
    >>> out["exclusion_reason"].tolist(), values[["item", "value"]].values.tolist()
    (['practice', None], [['viewing_time_ms', 4500.0]])
    """
    out = trials.copy()
    reason = np.full(len(out), None, dtype=object)
    not_test = (out["phase"] != test_phase).to_numpy()
    reason[not_test] = out["phase"].astype(object).to_numpy()[not_test]
    missing = (items.isna().any(axis=1) if items is not None else out["rating"].isna())
    reason[missing.to_numpy() & np.equal(reason, None)] = "no_response"
    out["excluded"] = (~np.equal(reason, None)).astype(int)
    out["exclusion_reason"] = pd.Series(reason, index=out.index, dtype=object)
    keep = out["excluded"].to_numpy() == 0
    base = out.loc[keep, [*UNIT, *[c for c in SELECTABLE if c in out], "trial_index"]]
    if items is not None:
        long = pd.concat([base.assign(item=m, value=items.loc[keep, m].astype(float).to_numpy())
                          for m in items.columns], ignore_index=True)
    else:
        long = base.assign(item=out.loc[keep, "scale"].astype(str).to_numpy(),
                           value=out.loc[keep, "rating"].astype(float).to_numpy())
    long = long.sort_values([*UNIT, "item", "trial_index", "stim_id"], kind="stable")
    return out, long.reset_index(drop=True)


def salience_name(item: str) -> str:
    """``liking`` -> ``liking_salience``; ``viewing_time_ms`` -> ``viewing_time_salience_ms``.

    >>> salience_name("viewing_time_ms"), salience_name("liking")
    ('viewing_time_salience_ms', 'liking_salience')
    """
    if item.endswith("_ms"):
        return item[:-3] + "_salience_ms"
    return f"{item}_salience"


def _as_text(series: pd.Series) -> pd.Series:
    def fmt(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (int, float, np.integer, np.floating)) and float(v).is_integer():
            return str(int(v))
        text = str(v)
        try:
            number = float(text)
        except ValueError:
            return text
        return str(int(number)) if number.is_integer() else text
    return series.astype(object).map(fmt)


def select(values: pd.DataFrame, selector: dict) -> np.ndarray:
    """Rows matching every column -> allowed values of a contrast side (values compared as
    text, ``4`` = ``4.0``); a column the data do not have matches no row.

    >>> v = pd.DataFrame({"category": ["infant", "adult"], "baby_schema": ["4", None]})
    >>> select(v, {"baby_schema": [4, 5]}).tolist(), select(v, {"valence": ["x"]}).tolist()
    ([True, False], [False, False])
    """
    mask = np.ones(len(values), dtype=bool)
    for col, allowed in selector.items():
        if col not in values:
            return np.zeros(len(values), dtype=bool)
        mask &= _as_text(values[col]).isin(_as_text(pd.Series(list(allowed)))).to_numpy()
    return mask


def describe(selector: dict, values: pd.DataFrame) -> str:
    """A contrast side in words, for messages.

    >>> describe({"category": ["adult"], "baby_schema": [1, 2]}, pd.DataFrame({"category": []}))
    'category adult, baby_schema 1 or 2 (no column baby_schema in the data)'
    """
    text = ", ".join(f"{col} {' or '.join(map(str, vals))}" for col, vals in selector.items())
    absent = [c for c in selector if c not in values]
    if absent:
        text += f" (no column {', '.join(absent)} in the data)"
    return text


def scores(values: pd.DataFrame, *, task: str, contrasts: dict, cell_suffix: str = "_mean",
           composite: tuple[str, list[str]] | None = None) -> pd.DataFrame:
    """Long scores of one label (formulas in the module docstring): cells, contrasts and the
    composite ``(name, scales)`` = mean of its scales' scores when all are present.

    >>> v = pd.DataFrame({"participant_id": "sub-1", "session": "pre",
    ...     "category": ["infant", "adult"] * 2, "valence": "neutral",
    ...     "item": ["urgent", "urgent", "aversive", "aversive"], "value": [6., 2., 5., 3.]})
    >>> c = {"i_a": {"a": {"category": ["infant"]}, "b": {"category": ["adult"]}}}
    >>> s = scores(v, task="cry", contrasts=c, composite=("aversiveness", ["urgent", "aversive"]))
    >>> s.set_index("measure").loc[["urgent_salience", "aversiveness_salience"], "value"].tolist()
    [4.0, 3.0]
    """
    if values.empty:
        return pd.DataFrame(columns=OUT)
    cond = values["category"].astype(str) + "-" + values["valence"].astype(str)
    cells = (values.assign(condition=cond).groupby([*UNIT, "condition", "item"])["value"]
             .mean().reset_index())
    cells["measure"] = cells["item"] + cell_suffix
    parts = [cells]
    for name, spec in contrasts.items():
        a, b = select(values, spec["a"]), select(values, spec["b"])
        if not a.any() or not b.any():
            continue
        ma = values[a].groupby([*UNIT, "item"])["value"].mean()
        mb = values[b].groupby([*UNIT, "item"])["value"].mean()
        diff = (ma - mb).dropna().reset_index()
        diff["condition"] = name
        diff["measure"] = [salience_name(i) for i in diff["item"]]
        parts.append(diff)
    long = pd.concat(parts, ignore_index=True)
    if composite:
        label, scales = composite
        extra = []
        for suffix, name_of in ((cell_suffix, lambda s: s + cell_suffix),
                                ("_salience", salience_name)):
            wanted = {name_of(s) for s in scales}
            sub = long[long["measure"].isin(wanted)]
            if sub.empty:
                continue
            g = sub.groupby([*UNIT, "condition"])["value"]
            comp = g.mean().where(g.count() == len(wanted)).dropna().reset_index()
            comp["measure"] = label + suffix
            extra.append(comp)
        long = pd.concat([long, *extra], ignore_index=True)
    long["task"] = task
    return long[OUT].sort_values(OUT[:5]).reset_index(drop=True)


def contrast_gaps(values: pd.DataFrame, *, contrasts: dict) -> pd.DataFrame:
    """The salience scores not computed for missing input, with the reason.

    A contrast whose side selects no row in the whole label gives one row without a
    participant; otherwise each participant x session with an item (scale or measure)
    that has no row on a side gives a row naming the side and the measures.

    >>> v = pd.DataFrame({"participant_id": ["sub-1", "sub-1", "sub-2"], "session": "pre",
    ...     "category": ["infant", "adult", "infant"], "item": "liking", "value": 1.0})
    >>> c = {"infant_minus_adult": {"a": {"category": ["infant"]}, "b": {"category": ["adult"]}}}
    >>> contrast_gaps(v, contrasts=c)["reason"].tolist()
    ['infant_minus_adult: no rows on side b (category adult) for liking_salience: salience not scored']

    An item that no run has on a side (a scale asked only about infants) is one row for
    the whole label instead.
    """
    rows = []
    if values.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    cells = values[[*UNIT, "item"]].drop_duplicates().reset_index(drop=True)
    for name, spec in contrasts.items():
        masks = {side: select(values, spec[side]) for side in ("a", "b")}
        empty = [side for side, m in masks.items() if not m.any()]
        if empty:
            sides = " and ".join(f"side {s} ({describe(spec[s], values)})" for s in empty)
            rows.append({"participant_id": None, "session": None, "condition": name,
                         "reason": f"{name}: {sides} selects no rows in any run: salience "
                                   "not scored"})
            continue
        # an item no run has on a side (a scale asked of infants only): one row, not one
        # per participant
        label_wide = []
        for item in sorted(values["item"].unique()):
            is_item = values["item"] == item
            missing = [side for side, m in masks.items() if not (m & is_item).any()]
            if missing:
                label_wide.append(item)
                where = " and ".join(f"side {s} ({describe(spec[s], values)})" for s in missing)
                rows.append({"participant_id": None, "session": None, "condition": name,
                             "reason": f"{name}: no rows on {where} for {salience_name(item)} "
                                       "in any run (not asked there): salience not scored"})
        have = cells[~cells["item"].isin(label_wide)].copy()
        for side, m in masks.items():
            present = values[m].groupby([*UNIT, "item"]).size().rename(f"n_{side}")
            have = have.join(present, on=[*UNIT, "item"])
        have = have.fillna({"n_a": 0, "n_b": 0})
        short = have[(have["n_a"] == 0) | (have["n_b"] == 0)]
        for (pid, session), d in short.groupby(UNIT, sort=True):
            sides = [s for s in ("a", "b") if (d[f"n_{s}"] == 0).any()]
            where = " and ".join(f"side {s} ({describe(spec[s], values)})" for s in sides)
            measures = ", ".join(salience_name(i) for i in sorted(d["item"]))
            rows.append({"participant_id": pid, "session": session, "condition": name,
                         "reason": f"{name}: no rows on {where} for {measures}: salience "
                                   "not scored"})
    return pd.DataFrame(rows, columns=GAP_COLUMNS)


def salience_inputs(values: pd.DataFrame, *, contrasts: dict):
    """Yield (session, condition, measure, frame) for the split-half of each salience
    contrast (items of side a and side b split like incongruent and congruent trials):
    frame has unit, side (1 = side a, 0 = side b), value, order.

    >>> v = pd.DataFrame({"participant_id": "sub-1", "session": "pre", "trial_index": [1, 2],
    ...     "category": ["infant", "adult"], "item": "liking", "value": [3.0, 1.0]})
    >>> c = {"i_a": {"a": {"category": ["infant"]}, "b": {"category": ["adult"]}}}
    >>> [(s, c, m, len(f)) for s, c, m, f in salience_inputs(v, contrasts=c)]
    [('pre', 'i_a', 'liking_salience', 2)]
    """
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
            yield session, name, salience_name(item), frame


def internal_consistency(values: pd.DataFrame, *, task: str, composite: str,
                         scales: list[str]) -> pd.DataFrame:
    """Cronbach's alpha of ``scales`` per session: cases = participants (each one's mean per
    scale); alpha = k/(k-1) (1 - sum var(item) / var(total)), ddof 1 (Cronbach 1951).

    >>> v = pd.DataFrame({"participant_id": [f"p{i}" for i in range(4) for _ in range(2)],
    ...     "session": "pre", "item": ["x", "y"] * 4,
    ...     "value": [1., 2., 2., 2., 3., 4., 4., 5.]})
    >>> round(float(internal_consistency(v, task="cry", composite="c", scales=["x", "y"])
    ...             ["cronbach_alpha"].iloc[0]), 4)
    0.967
    """
    from analysis.reliability import cronbach_alpha

    rows = []
    sub = values[values["item"].isin(scales)]
    for session, d in sub.groupby("session", sort=True):
        wide = d.groupby(["participant_id", "item"])["value"].mean().unstack("item")
        wide = wide.reindex(columns=scales)
        complete = wide.dropna()
        rows.append({"session": session, "task": task, "composite": composite,
                     "items": "+".join(scales), "n_participants": len(complete),
                     "cronbach_alpha": cronbach_alpha(wide.to_numpy(dtype=float))})
    return pd.DataFrame(rows, columns=["session", "task", "composite", "items",
                                       "n_participants", "cronbach_alpha"])
