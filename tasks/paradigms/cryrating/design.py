"""The cry-rating trial list (pure, explicit Generator) and the sound-onset record.

Practice sounds first, then blocks in which every chosen sound is played
``repetitions`` times, each category spread evenly over the blocks, random order
within a block; each trial lists its scales.
"""

from __future__ import annotations

import numpy as np

from tasks.core.stimulus_pools import (Stim, Trial, balanced_blocks, choose, practice_trials,
                                       scale_rows)


def build_design(params: dict, pools: dict[str, list[Stim]], practice_pool: list[Stim],
                 rng: np.random.Generator) -> list[Trial]:
    chosen = choose({c: pools[c] for c in params["categories"]}, params["n_per_category"], rng)
    scales = tuple(params["scales"])
    practice = practice_trials(practice_pool, params["practice_trials"], rng, scales)
    test = balanced_blocks(chosen, repetitions=params["repetitions"],
                           n_blocks=params["n_blocks"], rng=rng, scales=scales,
                           random_scale_order=params["scale_order"] == "random")
    return practice + test


def describe(trials: list[Trial]) -> list[dict]:
    return scale_rows(trials, lambda stim: {"duration_s": stim.duration_s})
