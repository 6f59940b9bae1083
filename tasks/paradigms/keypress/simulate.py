"""A simulated key-press participant with known ground truth.

Planted wanting (ms of viewing time wanted beyond the default) of a face:

    offset_ms (the person's level) + infant_minus_adult_ms (infant faces)
    + baby_schema_slope_ms * (level - 3) + infant_change_ms (infant faces; planted change)

Per trial the net number of presses = round((wanting + normal noise) / step); a
positive number is pressed on the increase pair, a negative one on the decrease
pair, alternating the two keys, one press every ``interval`` (uniform between
``min_interval_ms`` and ``max_interval_ms``) from ``first_press_ms``; with
probability ``p_repeat`` a press repeats the previous key (which does not count).
Presses that the rule says would come after the face's offset are not made.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .design import PressRule
from tasks.core.stimulus_pools import Stim


@dataclass
class KeypressResponder:
    LIMITS = {"first_press_ms": (0.0, 60000.0), "min_interval_ms": (1.0, 10000.0),
              "max_interval_ms": (1.0, 10000.0)}  # --simulate ranges

    infant_minus_adult_ms: float = 800.0
    baby_schema_slope_ms: float = 200.0
    offset_ms: float = 0.0
    infant_change_ms: float = 0.0
    noise_sd_ms: float = 150.0
    first_press_ms: float = 400.0
    min_interval_ms: float = 150.0
    max_interval_ms: float = 250.0
    p_repeat: float = 0.05

    def wanting_ms(self, stim: Stim) -> float:
        w = self.offset_ms
        if stim.category == "infant":
            w += self.infant_minus_adult_ms + self.infant_change_ms
        if stim.baby_schema is not None:
            w += self.baby_schema_slope_ms * (stim.baby_schema - 3)
        if stim.category not in ("infant", "adult"):
            w = self.offset_ms
        return w

    def plan(self, stim: Stim, rule: PressRule, rng: np.random.Generator
             ) -> list[tuple[str, float]]:
        """Planned presses (key, ms after face onset) for one face."""
        net = int(round((self.wanting_ms(stim) + rng.normal(0.0, self.noise_sd_ms))
                        / rule.step_ms))
        pair = rule.increase_keys if net > 0 else rule.decrease_keys
        check = PressRule(rule.default_ms, rule.step_ms, rule.min_ms, rule.max_ms,
                          rule.increase_keys, rule.decrease_keys)
        presses: list[tuple[str, float]] = []
        t = self.first_press_ms + float(rng.uniform(0, 100))
        counted, k = 0, 0
        while counted < abs(net):
            if presses and rng.random() < self.p_repeat:
                key = presses[-1][0]
            else:
                key = pair[k % 2]
                k += 1
            # no press within one step (+ 50 ms) of the offset: the face must still be there
            # and the press must not shorten it "into the past" (which ends it at the next
            # flip, up to a frame plus the swap time after the press)
            if t >= check.offset_ms - rule.step_ms - 50.0:
                break
            if check.press(key, t) != "0":
                counted += 1
            presses.append((key, round(t, 1)))
            t += float(rng.uniform(self.min_interval_ms, self.max_interval_ms))
        return presses

    def describe(self) -> dict:
        return {"model": "key-press responder (planted wanting per category and baby "
                "schema, alternating presses at a planned rate)", **asdict(self)}
