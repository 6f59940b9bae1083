"""The free-viewing task's own events columns (contract §6); the framework writes the common
head (onset = display onset, duration = display onset to offset, trial_index, phase,
block) before them.  Every file has all 18 picture columns; those the run's layout does
not use hold ``n/a``."""

from __future__ import annotations

from icb.columns import DROPPED_FRAMES, Column

from .design import AOI_NAMES

COLUMNS: tuple[Column, ...] = (
    Column("trial_type", "Display type",
           "<target category>-<comparison category> (each <category>_<valence> of the "
           "stimulus manifest, e.g. infant_neutral-adult_neutral)."),
    Column("layout", "Layout", "Where the pictures stood.",
           levels={"pair": "left and right", "grid2x2": "2 x 2 grid", "grid4x4": "4 x 4 grid"}),
    Column("view_ms", "Intended viewing time", "Intended duration of the display.", "float",
           units="ms"),
    Column("view_actual_ms", "Achieved viewing time",
           "Display onset flip to the flip that ended it, from flip time stamps.", "float",
           units="ms", measured=True),
    DROPPED_FRAMES,
    Column("drift_check", "Drift check",
           "Whether the gaze rested on the central cross before the display.",
           levels={"ok": "the gaze rested within fixation_radius_deg for fixation_hold_ms",
                   "timeout": "fixation_timeout_ms passed first; the display started anyway"}),
    *(Column(f"stim_{name}", f"Picture at {name}",
             f"Stimulus id (manifest) of the picture in area of interest '{name}' "
             "(n/a where the layout has no such place).", nullable=True)
      for name in AOI_NAMES),
    *(Column(f"category_{name}", f"Category at {name}",
             f"<category>_<valence> of the picture in area of interest '{name}' (from the "
             "manifest; n/a where the layout has no such place).", nullable=True)
      for name in AOI_NAMES),
)
