"""The rating task's trial list: pure data from an explicit ``numpy.random.Generator``.

Practice pictures first, then the test blocks: every chosen picture
``repetitions`` times, each category spread evenly over the blocks, random order
within a block (no picture twice in a row); each trial lists its scales.
"""

from __future__ import annotations

import numpy as np

from tasks.core.stimulus_pools import (Stim, Trial, balanced_blocks, choose_faces_and_bs,
                                       practice_trials, scale_rows)


def build_design(params: dict, pools: dict[str, list[Stim]], practice_pool: list[Stim],
                 rng: np.random.Generator) -> list[Trial]:
    """``pools``: stimuli per cell (categories and ``infant_neutral_bs<k>`` cells)."""
    chosen = choose_faces_and_bs(params, pools, rng)
    scales = tuple(params["scales"])
    random_order = params["scale_order"] == "random"
    practice = practice_trials(practice_pool, params["practice_trials"], rng, scales)
    test = balanced_blocks(chosen, repetitions=params["repetitions"],
                           n_blocks=params["n_blocks"], rng=rng, scales=scales,
                           random_scale_order=random_order)
    return practice + test


def describe(trials: list[Trial]) -> list[dict]:
    """One row per picture x scale (``icb validate --plan``)."""
    return scale_rows(trials, lambda stim: {
        "baby_schema": "n/a" if stim.baby_schema is None else stim.baby_schema})
