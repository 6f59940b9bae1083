"""A simulated dot-probe participant with known ground truth.

Response times are ex-Gaussian (``mu_ms``, ``sigma_ms``, ``tau_ms``); congruent
trials are ``bias/2`` faster and incongruent trials ``bias/2`` slower than the
base, so mean RT(incongruent) - mean RT(congruent) = the planted bias of the
trial's condition (``<trial_type>@<cue_ms>``).  Errors press the other key; misses
press nothing.  It reads the typed trial, never a label shared by string.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from tasks.core.screens import PlannedResponse
from .design import DotProbeTrial
from tasks.core.simulated_spec import parse_spec as parse_fields


@dataclass
class DotProbeResponder:
    """Planted parameters (all in ms or proportions)."""

    LIMITS = {"mu_ms": (50.0, 5000.0), "min_rt_ms": (0.0, 5000.0)}  # --simulate ranges

    mu_ms: float = 450.0
    sigma_ms: float = 40.0
    tau_ms: float = 80.0
    bias_ms: float = 25.0
    condition_bias_ms: dict[str, float] = field(default_factory=dict)
    p_error: float = 0.03
    p_miss: float = 0.01
    min_rt_ms: float = 150.0

    def bias_for(self, trial: DotProbeTrial) -> float:
        return self.condition_bias_ms.get(f"{trial.trial_type}@{trial.cue_ms}", self.bias_ms)

    def respond(self, trial: DotProbeTrial, rng: np.random.Generator) -> PlannedResponse:
        """Plan the response to ``trial`` (an error presses ``trial.error_key``)."""
        if rng.random() < self.p_miss:
            return PlannedResponse(None, None)
        rt = rng.normal(self.mu_ms, self.sigma_ms) + rng.exponential(self.tau_ms)
        if trial.congruent is not None:
            half = self.bias_for(trial) / 2.0
            rt += -half if trial.congruent else half
        rt = max(rt, self.min_rt_ms)
        key = trial.correct_key
        if rng.random() < self.p_error:
            key = trial.error_key
        return PlannedResponse(key, float(rt))

    def describe(self) -> dict:
        return {"model": "ex-Gaussian dot-probe responder", **asdict(self)}


def parse_spec(spec: str | None) -> DotProbeResponder:
    """``'bias_ms=30,mu_ms=420'`` or ``'bias.<condition>=40'`` -> a responder.

    >>> parse_spec("bias_ms=30,bias.a-b@200=50").condition_bias_ms
    {'a-b@200': 50.0}
    """
    return parse_fields(spec, DotProbeResponder, mappings={"bias": "condition_bias_ms"})
