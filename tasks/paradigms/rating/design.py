"""The rating task's trial list: pure data from an explicit ``numpy.random.Generator``.

Practice pictures first, then the test blocks: every chosen picture
``repetitions`` times, each category spread evenly over the blocks, random order
within a block (no picture twice in a row); each trial lists its scales.
"""

from __future__ import annotations

import numpy as np

from tasks.core.stimulus_pools import Stim, Trial, balanced_blocks, choose, practice_trials


def build_design(params: dict, pools: dict[str, list[Stim]], practice_pool: list[Stim],
                 rng: np.random.Generator) -> list[Trial]:
    """``pools``: stimuli per cell (categories and ``infant_neutral_bs<k>`` cells)."""
    faces = {c: pools[c] for c in params["categories"]}
    bs = {c: v for c, v in pools.items() if c.startswith("infant_neutral_bs")}
    chosen = choose(faces, params["n_per_category"], rng)
    chosen.update(choose(bs, params["n_per_baby_schema_level"], rng))
    scales = tuple(params["scales"])
    random_order = params["scale_order"] == "random"
    practice = practice_trials(practice_pool, params["practice_trials"], rng, scales)
    test = balanced_blocks(chosen, repetitions=params["repetitions"],
                           n_blocks=params["n_blocks"], rng=rng, scales=scales,
                           random_scale_order=random_order)
    return practice + test


def describe(trials: list[Trial]) -> list[dict]:
    """One row per picture x scale (``icb validate --plan``)."""
    rows = []
    for t in trials:
        for scale in t.scales:
            rows.append({"trial_index": len(rows) + 1, "phase": t.phase, "block": t.block,
                         "stim_id": t.stim.stim_id, "category": t.stim.category,
                         "valence": t.stim.valence,
                         "baby_schema": "n/a" if t.stim.baby_schema is None
                         else t.stim.baby_schema, "scale": scale})
    return rows
