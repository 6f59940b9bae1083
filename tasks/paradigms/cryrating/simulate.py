"""A simulated listener with known ground truth (cry-rating task).

Planted mean rating (1..7 points; times 100/6 on a visual-analogue scale):

* aversiveness scales (``urgent``, ``aversive``, ``distressed``): ``aversive_mean``
  for high-distress infant cries, minus ``high_minus_low_distress`` for
  low-distress cries, minus ``infant_minus_control`` for the controls (rotated,
  noise); plus the person's ``offset`` (shared by the three items, which gives them
  their internal consistency) and, for infant cries, ``infant_change`` (the planted
  pre -> post change);
* ``respond``: the same for infant cries plus ``respond_offset``; controls get
  ``middle - control_respond_drop``.

Rating = that mean + normal noise, rounded to what the keys reach, clipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tasks.core.scales import ConfirmTiming, PlannedRating, Scale, planned_rating
from tasks.core.stimulus_pools import Stim

AVERSIVENESS = ("urgent", "aversive", "distressed")


@dataclass
class CryResponder(ConfirmTiming):
    aversive_mean: float = 5.5
    high_minus_low_distress: float = 1.0
    infant_minus_control: float = 2.0
    offset: float = 0.0
    infant_change: float = 0.0
    respond_offset: float = 0.0
    control_respond_drop: float = 2.0

    def mean_for(self, stim: Stim, scale: Scale) -> float:
        m = self.aversive_mean + self.offset
        if stim.valence == "low_distress":
            m -= self.high_minus_low_distress
        infant = stim.category == "infant"
        if infant:
            m += self.infant_change
        else:
            m -= self.infant_minus_control
        if scale.name == "respond":
            m = m + self.respond_offset if infant else 4.0 - self.control_respond_drop
        elif scale.name not in AVERSIVENESS:
            m = 4.0 + self.offset
        unit = (scale.maximum - scale.minimum) / 6.0 if scale.continuous else 1.0
        # planted on the 1..7 scale; other ranges are mapped linearly
        return scale.minimum + (m - 1.0) * unit

    def respond(self, stim: Stim, scale: Scale, rng: np.random.Generator) -> PlannedRating:
        return planned_rating(self, self.mean_for(stim, scale), scale, rng)

    def describe(self) -> dict:
        return {"model": "cry-rating responder (planted aversiveness per category and "
                "distress level, shared person offset, normal noise)", **self.fields_dict()}
