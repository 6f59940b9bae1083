"""The key-press paradigm's own events columns: one row per face."""

from __future__ import annotations

from icb.columns import DROPPED_FRAMES, Column
from tasks.core.stimulus_pools import STIM_COLUMNS

COLUMNS: tuple[Column, ...] = STIM_COLUMNS + (
    Column("default_ms", "Default viewing time", "Viewing time without any key press.",
           "float", units="ms"),
    Column("viewing_time_ms", "Viewing time",
           "Face onset flip to face offset flip, from flip time stamps.", "float", units="ms",
           measured=True),
    Column("n_increase", "Increase presses", "Counted (alternating) presses that lengthened "
           "the viewing time.", "int"),
    Column("n_decrease", "Decrease presses", "Counted (alternating) presses that shortened "
           "the viewing time.", "int"),
    Column("response_class", "Response class", "Breiter taxonomy of the trial's presses.",
           levels={"increase": "only increase presses", "decrease": "only decrease presses",
                   "mixed": "both", "default": "no counted press"}),
    Column("press_log", "Press log", "Every key press: key@ms from face onset, "
           "'+'/'-' when counted as increase/decrease, '0' when not counted; ';'-separated.",
           nullable=True, measured=True),
    DROPPED_FRAMES,
)
