"""A simulated free-viewing participant with known ground truth.

Per display: the eyes reach the central cross ``cross_latency_ms`` after it appears
(ex-Gaussian; with probability ``p_no_cross`` they never do and the drift check times
out); after the display's onset a first saccade leaves after ``latency_ms``, then
fixations follow one another until the display ends, each lasting an ex-Gaussian time
(``mu_ms``, ``sigma_ms``, ``tau_ms``), with ``saccade_ms`` between them.  A fixation
lands, with probability ``p_elsewhere``, between the pictures; otherwise on a picture of
the target category with probability ``share`` and on a comparison picture otherwise
(uniformly among the pictures of that category, near its centre).  Since fixation
durations do not depend on the category, the expected dwell share of the target category
is ``share`` (the planted preference).  Blinks come as a Poisson process
(``blinks_per_s``) of ``blink_ms`` each.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from tasks.core.gaze import Fixation, Scanpath
from tasks.core.simulated_spec import parse_spec as parse_fields

from .design import FreeviewTrial

LIMITS = {"share": (0.0, 1.0), "p_elsewhere": (0.0, 0.9), "p_no_cross": (0.0, 1.0),
          "mu_ms": (60.0, 2000.0), "sigma_ms": (0.0, 500.0), "tau_ms": (0.0, 2000.0),
          "latency_ms": (0.0, 2000.0), "saccade_ms": (0.0, 200.0),
          "cross_latency_ms": (0.0, 5000.0), "blinks_per_s": (0.0, 3.0),
          "blink_ms": (20.0, 1000.0), "jitter_deg": (0.0, 5.0)}


@dataclass
class FreeviewResponder:
    """Planted parameters (proportions, ms, degrees)."""

    LIMITS = LIMITS  # --simulate ranges (tasks.core.simulated_spec)

    share: float = 0.6
    p_elsewhere: float = 0.05
    p_no_cross: float = 0.02
    mu_ms: float = 220.0
    sigma_ms: float = 50.0
    tau_ms: float = 100.0
    latency_ms: float = 200.0
    saccade_ms: float = 40.0
    cross_latency_ms: float = 250.0
    blinks_per_s: float = 0.25
    blink_ms: float = 120.0
    jitter_deg: float = 0.6
    view_ms: float = 6000.0

    def _ex_gauss(self, rng, mu, sigma, tau) -> float:
        return float(rng.normal(mu, sigma) + rng.exponential(tau)) if tau else \
            float(rng.normal(mu, sigma))

    def respond(self, trial: FreeviewTrial, rng: np.random.Generator) -> Scanpath:
        start = (float(rng.normal(0.0, 3.0)), float(rng.normal(0.0, 2.0)))
        cross = None if rng.random() < self.p_no_cross else max(
            80.0, self._ex_gauss(rng, self.cross_latency_ms, 40.0, 60.0))
        target = trial.target
        on_target = [p for p in trial.places if p.cell == target]
        on_other = [p for p in trial.places if p.cell != target] or on_target
        fixations = []
        t = max(60.0, self._ex_gauss(rng, self.latency_ms, 30.0, 40.0)) + self.saccade_ms
        while t < self.view_ms:
            dur = max(60.0, self._ex_gauss(rng, self.mu_ms, self.sigma_ms, self.tau_ms))
            if rng.random() < self.p_elsewhere:
                x, y = float(rng.normal(0.0, 0.5)), float(rng.normal(0.0, 0.5))
            else:
                group = on_target if rng.random() < self.share else on_other
                place = group[int(rng.integers(len(group)))]
                x = place.x_deg + float(rng.normal(0.0, self.jitter_deg))
                y = place.y_deg + float(rng.normal(0.0, self.jitter_deg))
            fixations.append(Fixation(round(t, 1), round(min(t + dur, self.view_ms), 1),
                                      round(x, 3), round(y, 3)))
            t += dur + self.saccade_ms
        n_blinks = int(rng.poisson(self.blinks_per_s * self.view_ms / 1000.0))
        blinks = tuple(sorted((round(s, 1), round(s + self.blink_ms, 1)) for s in
                              rng.uniform(0.0, self.view_ms, n_blinks)))
        return Scanpath(start, None if cross is None else round(cross, 1), tuple(fixations),
                        blinks, self.saccade_ms)

    def describe(self) -> dict:
        return {"model": "scanpath of ex-Gaussian fixations with a target preference",
                **asdict(self)}


def parse_spec(spec: str | None, view_ms: float) -> FreeviewResponder:
    """``'share=0.7,blinks_per_s=0'`` -> a responder; out-of-range values are refused.

    >>> parse_spec("share=0.7", 6000).share
    0.7
    >>> parse_spec("share=1.5", 6000)
    Traceback (most recent call last):
    icb.errors.BadInput: --simulate: share: bad value 1.5; allowed: from 0 to 1
    """
    responder = parse_fields(spec, FreeviewResponder)
    responder.view_ms = float(view_ms)  # the config's, whatever the spec said
    return responder
