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
from tasks.paradigms.dotprobe.design import DotProbeTrial
from icb.errors import BadInput


@dataclass
class DotProbeResponder:
    """Planted parameters (all in ms or proportions)."""

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

    def respond(self, trial: DotProbeTrial, keys: tuple[str, str],
                rng: np.random.Generator) -> PlannedResponse:
        """Plan the response to ``trial``; ``keys`` are the two response keys."""
        if rng.random() < self.p_miss:
            return PlannedResponse(None, None)
        rt = rng.normal(self.mu_ms, self.sigma_ms) + rng.exponential(self.tau_ms)
        if trial.congruent is not None:
            half = self.bias_for(trial) / 2.0
            rt += -half if trial.congruent else half
        rt = max(rt, self.min_rt_ms)
        key = trial.correct_key
        if rng.random() < self.p_error:
            key = keys[1] if key == keys[0] else keys[0]
        return PlannedResponse(key, float(rt))

    def describe(self) -> dict:
        return {"model": "ex-Gaussian dot-probe responder", **asdict(self)}


FIELDS = {f for f in DotProbeResponder.__dataclass_fields__}


def parse_spec(spec: str | None) -> DotProbeResponder:
    """``'bias_ms=30,mu_ms=420'`` or ``'bias.<condition>=40'`` -> a responder.

    >>> parse_spec("bias_ms=30,bias.a-b@200=50").condition_bias_ms
    {'a-b@200': 50.0}
    """
    responder = DotProbeResponder()
    if not spec:
        return responder
    for part in spec.split(","):
        key, sep, value = part.strip().partition("=")
        try:
            number = float(value)
        except ValueError:
            raise BadInput(f"--simulate: bad value {value!r} for {key!r}; allowed: a number "
                           "(e.g. bias_ms=30)") from None
        if not sep:
            raise BadInput(f"--simulate: bad item {part!r}; allowed: key=value pairs")
        if key.startswith("bias."):
            responder.condition_bias_ms[key[5:]] = number
        elif key in FIELDS and key != "condition_bias_ms":
            setattr(responder, key, number)
        else:
            allowed = ", ".join(sorted(FIELDS - {"condition_bias_ms"}) + ["bias.<condition>"])
            raise BadInput(f"--simulate: unknown parameter {key!r}; allowed: {allowed}")
    return responder
