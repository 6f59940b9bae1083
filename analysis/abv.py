"""Attention-bias variability (ABV; Iacoviello et al. 2014).

The condition's test trials, in position order (excluded trials keep their
position), are cut into consecutive bins of ``bin_size`` (default 10; the last
bin may be shorter).  In each bin, bias = mean valid incongruent RT - mean
valid congruent RT (a bin without both is skipped).  ABV = SD (ddof 1) of the
bin biases / mean RT of all valid trials of the condition; n/a with fewer than
two bin biases.

>>> import numpy as np
>>> rt = np.array([400., 500., 400., 450.])   # bins of 2: biases 100 and 50
>>> abv(group=np.zeros(4, int), position=np.arange(4), congruent=np.array([1, 0, 1, 0]),
...     rt_ms=rt, n_groups=1, bin_size=2).round(6).tolist()
[0.080812]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def abv(*, group: np.ndarray, position: np.ndarray, congruent: np.ndarray, rt_ms: np.ndarray,
        n_groups: int, bin_size: int = 10) -> np.ndarray:
    """ABV per group (array of length ``n_groups``); NaN rt = excluded trial.

    ABV = SD(bin biases, ddof 1) / mean valid RT (Iacoviello et al. 2014); bins of
    ``bin_size`` positions; here bin biases 0 and 200 over a mean RT of 475:

    >>> abv(group=np.zeros(4, int), position=np.arange(4), congruent=np.array([1, 0] * 2),
    ...     rt_ms=np.array([450., 450., 400., 600.]), n_groups=1, bin_size=2).round(6).tolist()
    [0.297729]
    """
    valid = ~np.isnan(rt_ms)
    frame = pd.DataFrame({"g": group[valid], "b": position[valid] // bin_size,
                          "c": congruent[valid], "rt": rt_ms[valid]})
    means = frame.groupby(["g", "b", "c"])["rt"].mean().unstack("c")
    out = np.full(n_groups, np.nan)
    if 0 not in means or 1 not in means:
        return out
    bias = (means[0] - means[1]).dropna()
    sd = bias.groupby(level="g").std(ddof=1)
    mean_rt = frame.groupby("g")["rt"].mean()
    ratio = (sd / mean_rt.reindex(sd.index)).dropna()
    out[ratio.index.to_numpy(dtype=int)] = ratio.to_numpy()
    return out
