"""The key-press ("wanting") task: the press rule and the trial list (both pure).

The rule (:class:`PressRule`): the face is shown for ``default_ms``; a press of
an increase key lengthens, a press of a decrease key shortens the remaining time
by ``step_ms``.  A press counts only when it differs from the previous counted
press of the same pair (alternation: x z x z ...; x x counts once) and comes
while the face is still shown (before the scheduled offset).  The scheduled
offset stays within [``min_ms``, ``max_ms``] and never moves before the press that
moved it (a face shortened "into the past" goes at once).

The trial list: practice pictures, then blocks in which every chosen face is shown
``repetitions`` times, each category spread evenly over the blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from tasks.core.stimulus_pools import (Stim, Trial, balanced_blocks, choose_faces_and_bs,
                                       practice_trials)

COUNTED = {"+": "increase", "-": "decrease", "0": "not counted"}


@dataclass
class PressRule:
    default_ms: float
    step_ms: float
    min_ms: float
    max_ms: float
    increase_keys: tuple[str, str]
    decrease_keys: tuple[str, str]
    offset_ms: float = field(init=False)
    n_increase: int = field(init=False, default=0)
    n_decrease: int = field(init=False, default=0)
    _last: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.offset_ms = float(min(self.max_ms, max(self.min_ms, self.default_ms)))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.increase_keys) + tuple(self.decrease_keys)

    def press(self, key: str, t_ms: float) -> str:
        """Feed one press (``t_ms`` from face onset); return ``+``, ``-`` or ``0``."""
        if key in self.increase_keys:
            pair, sign = "inc", "+"
        elif key in self.decrease_keys:
            pair, sign = "dec", "-"
        else:
            return "0"
        if t_ms >= self.offset_ms or self._last.get(pair) == key:
            return "0"
        self._last[pair] = key
        if sign == "+":
            self.n_increase += 1
            self.offset_ms = min(self.max_ms, self.offset_ms + self.step_ms)
        else:
            self.n_decrease += 1
            self.offset_ms = max(self.min_ms, t_ms, self.offset_ms - self.step_ms)
        return sign


def rule_for(params: dict) -> PressRule:
    default = float(params["default_ms"])
    max_ms = float(params["max_ms"]) if params["max_ms"] is not None else 2.0 * default
    return PressRule(default, float(params["step_ms"]), float(params["min_ms"]), max_ms,
                     tuple(params["increase_keys"]), tuple(params["decrease_keys"]))


def apply_presses(rule: PressRule, presses: list[tuple[str, float]]) -> list[tuple[str, float, str]]:
    """Feed presses in time order; return (key, t_ms, sign) for each."""
    return [(k, t, rule.press(k, t)) for k, t in sorted(presses, key=lambda p: p[1])]


def response_class(n_increase: int, n_decrease: int) -> str:
    if n_increase and n_decrease:
        return "mixed"
    if n_increase:
        return "increase"
    if n_decrease:
        return "decrease"
    return "default"


def format_log(log: list[tuple[str, float, str]]) -> str | None:
    """``x@512.3+;z@700.0+;z@850.2 0`` style: key@ms (one decimal) then +, - or 0.

    >>> format_log([("x", 512.34, "+"), ("x", 600.0, "0")])
    'x@512.3+;x@600.00'
    """
    if not log:
        return None
    return ";".join(f"{k}@{t:.1f}{s}" for k, t, s in log)


_ENTRY = re.compile(r"^(?P<key>[^@;]+)@(?P<ms>-?\d+\.\d)(?P<sign>[+\-0])$")


def parse_log(text: str | None) -> list[tuple[str, float, str]]:
    if not text or text == "n/a":
        return []
    out = []
    for part in text.split(";"):
        m = _ENTRY.match(part)
        if m is None:
            raise ValueError(f"press log entry {part!r}: expected key@ms(+|-|0)")
        out.append((m["key"], float(m["ms"]), m["sign"]))
    return out


def build_design(params: dict, pools: dict[str, list[Stim]], practice_pool: list[Stim],
                 rng: np.random.Generator) -> list[Trial]:
    chosen = choose_faces_and_bs(params, pools, rng)
    practice = practice_trials(practice_pool, params["practice_trials"], rng)
    test = balanced_blocks(chosen, repetitions=params["repetitions"],
                           n_blocks=params["n_blocks"], rng=rng)
    return practice + test


def describe(trials: list[Trial], default_ms: float) -> list[dict]:
    return [{"trial_index": i + 1, "phase": t.phase, "block": t.block,
             "stim_id": t.stim.stim_id, "category": t.stim.category, "valence": t.stim.valence,
             "baby_schema": "n/a" if t.stim.baby_schema is None else t.stim.baby_schema,
             "default_ms": default_ms} for i, t in enumerate(trials)]


