"""A simulated rater with known ground truth (rating and cry-rating tasks).

Planted mean of a stimulus on a scale, in scale points of a Likert scale
(multiplied by 100/6 on a 0..100 visual-analogue scale, i.e. one point of a
7-point scale):

    middle of the scale + offset (the person's level)
    + infant_minus_adult (infant faces)          + distress_minus_neutral (distress)
    + happy_minus_neutral (happy)                + baby_schema_slope * (level - 3)
    + infant_change (infant faces; the planted pre -> post change)

The rating = the nearest value the arrow keys can reach of (mean + normal noise
``noise_sd``), clipped to the scale; the time to confirm is ex-Gaussian.  The
simulator reads the typed stimulus, never a label shared by string.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tasks.core.simulated_spec import parse_spec as parse_fields
from tasks.core.scales import ConfirmTiming, PlannedRating, Scale, planned_rating
from tasks.core.stimulus_pools import Stim


@dataclass
class RatingResponder(ConfirmTiming):
    infant_minus_adult: float = 1.5
    distress_minus_neutral: float = -1.0
    happy_minus_neutral: float = 0.5
    baby_schema_slope: float = 0.3
    offset: float = 0.0
    infant_change: float = 0.0
    scale_offsets: dict[str, float] = field(default_factory=dict)

    def mean_for(self, stim: Stim, scale: Scale) -> float:
        """The planted (unrounded, unclipped) mean rating of ``stim`` on ``scale``."""
        shift = self.offset + self.scale_offsets.get(scale.name, 0.0)
        if stim.category == "infant":
            shift += self.infant_minus_adult + self.infant_change
        if stim.valence == "distress":
            shift += self.distress_minus_neutral
        elif stim.valence == "happy":
            shift += self.happy_minus_neutral
        if stim.baby_schema is not None:
            shift += self.baby_schema_slope * (stim.baby_schema - 3)
        unit = (scale.maximum - scale.minimum) / 6.0 if scale.continuous else 1.0
        return scale.middle + shift * unit

    def respond(self, stim: Stim, scale: Scale, rng: np.random.Generator) -> PlannedRating:
        return planned_rating(self, self.mean_for(stim, scale), scale, rng)

    def describe(self) -> dict:
        return {"model": "rating responder (planted means per category x valence x baby "
                "schema, normal noise, ex-Gaussian confirm time)", **self.fields_dict()}


def parse_spec(spec: str | None, cls=RatingResponder):
    """``'infant_minus_adult=2,noise_sd=0'`` or ``'scale.liking=1'`` -> a responder."""
    mappings = {"scale": "scale_offsets"} if "scale_offsets" in cls.__dataclass_fields__ else {}
    return parse_fields(spec, cls, mappings=mappings)
