"""The rating paradigm's own events columns: one row per picture x scale."""

from __future__ import annotations

from icb.columns import DROPPED_FRAMES, Column
from tasks.core.scales import RATING_COLUMNS
from tasks.core.stimulus_pools import STIM_COLUMNS

COLUMNS: tuple[Column, ...] = STIM_COLUMNS + RATING_COLUMNS + (DROPPED_FRAMES,)
