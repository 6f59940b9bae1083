"""The run clock and the LSL clock, lined up.

Onsets in the events file are seconds from the run's first flip on the engine's clock
(PsychoPy's, which on Linux follows the wall clock through Psychtoolbox's GetSecs); LSL
time stamps are ``pylsl.local_clock()`` (a monotonic clock).  The two are read back to
back: ``run clock, LSL clock, run clock``; the read with the tightest bracket gives the
offset (LSL minus engine clock, at the bracket's middle) and half the bracket is its
uncertainty.  Wall and monotonic clocks may drift apart (NTP slews the wall clock), so
the offset is measured again at most every ``remeasure_s`` while the run goes, and the
sidecar records the first, last, smallest and largest offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

METHOD = ("bracketed reads: engine clock, pylsl.local_clock(), engine clock, {n} times; "
          "the tightest bracket's middle; remeasured every {every} s while the run goes")


@dataclass(frozen=True)
class Offset:
    offset_s: float  # LSL clock minus engine clock
    uncertainty_s: float  # half the tightest bracket


def measure_offset(engine_clock: Callable[[], float], lsl_clock: Callable[[], float],
                   n: int = 30) -> Offset:
    """The offset between two clocks from ``n`` bracketed reads.

    >>> ticks = iter(range(100))
    >>> measure_offset(lambda: float(next(ticks)), lambda: 1000.0, n=3).offset_s
    999.5
    """
    best: tuple[float, float] | None = None
    for _ in range(n):
        before = engine_clock()
        lsl = lsl_clock()
        after = engine_clock()
        width = after - before
        if best is None or width < best[0]:
            best = (width, lsl - (before + after) / 2.0)
    if best is None:
        raise ValueError("n must be at least 1")
    return Offset(best[1], best[0] / 2.0)


class RunClock:
    """Maps run-clock seconds to LSL time and back, for one run."""

    def __init__(self, engine_clock: Callable[[], float], lsl_clock: Callable[[], float], *,
                 n_reads: int = 30, remeasure_s: float = 1.0):
        self.engine_clock, self.lsl_clock = engine_clock, lsl_clock
        self.n_reads, self.remeasure_s = n_reads, remeasure_s
        self.origin_s: float | None = None  # engine clock at the run's first flip
        self.first = self.current = measure_offset(engine_clock, lsl_clock, n_reads)
        self.offsets = [self.first.offset_s]
        self.measured_at = lsl_clock()

    def run_started(self, origin_s: float) -> None:
        self.origin_s = origin_s

    def _offset(self) -> float:
        if self.lsl_clock() - self.measured_at >= self.remeasure_s:
            self.current = measure_offset(self.engine_clock, self.lsl_clock, self.n_reads)
            self.offsets.append(self.current.offset_s)
            self.measured_at = self.lsl_clock()
        return self.current.offset_s

    def to_lsl(self, t_run_s: float) -> float:
        """LSL time of ``t_run_s`` seconds after the run's first flip."""
        return (self.origin_s or 0.0) + t_run_s + self._offset()

    def to_run(self, t_lsl: float) -> float:
        """Run-clock seconds of an LSL time stamp."""
        return t_lsl - self._offset() - (self.origin_s or 0.0)

    def describe(self) -> dict:
        """What the sidecar records about the two clocks."""
        out = {"ClockOffsetS": self.first.offset_s,
               "ClockOffsetUncertaintyS": self.first.uncertainty_s,
               "ClockOffsetMethod": METHOD.format(n=self.n_reads, every=self.remeasure_s),
               "ClockOffsetDefinition": "LSL time = run-clock onset + RunStartEngineClockS + "
                                        "ClockOffsetS (pylsl.local_clock() minus the engine "
                                        "clock)"}
        if self.origin_s is not None:
            out["RunStartEngineClockS"] = self.origin_s
            out["RunStartLSLTimeS"] = self.origin_s + self.first.offset_s
        if len(self.offsets) > 1:
            out.update(ClockOffsetLastS=self.offsets[-1],
                       ClockOffsetDriftS=max(self.offsets) - min(self.offsets),
                       ClockOffsetMeasurements=len(self.offsets))
        return out
