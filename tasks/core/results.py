"""What an engine reports back: every result type of the engine protocol, in one place.

Times ending in ``_s`` are seconds from the run's first flip (flip time stamps); ``_ms``
are milliseconds.  ``dropped_frames`` counts missed screen refreshes while the result's
screens were shown.  Both engines (``tasks.core.psychopy_engine`` and
``tasks.core.data_engine``) return exactly these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def count_dropped(stamps_s: list[float], frame_ms: float) -> int:
    """Screen refreshes missed between consecutive flips: an interval longer than 1.5
    frames counts ``round(interval / frame) - 1`` dropped frames.

    >>> count_dropped([0.0, 0.0167, 0.0500, 0.0667], 1000 / 60)
    1
    >>> count_dropped([0.0, 0.0167, 0.0333], 1000 / 60)
    0
    """
    frame_s = frame_ms / 1000.0
    return sum(int(round((b - a) / frame_s)) - 1 for a, b in zip(stamps_s, stamps_s[1:])
               if b - a > 1.5 * frame_s)


@dataclass
class SequenceResult:
    """A run of screens (``Engine.run_sequence``)."""

    onsets_s: dict[str, float] = field(default_factory=dict)
    frames: dict[str, int] = field(default_factory=dict)
    dropped_frames: int = 0
    key: str | None = None
    rt_ms: float | None = None
    end_s: float | None = None  # response or time-out time

    def actual_ms(self, first: str, second: str) -> float:
        """Onset of ``second`` minus onset of ``first``, in ms."""
        return (self.onsets_s[second] - self.onsets_s[first]) * 1000.0


@dataclass
class RatingResult:
    """One rating scale (``Engine.rate``); ``rating`` None = no confirmed answer."""

    rating: float | None
    rt_ms: float | None
    onset_s: float
    end_s: float
    keys: list[str]
    dropped_frames: int = 0


@dataclass
class PressResult:
    """A face whose offset the presses moved (``Engine.present_adjustable``); the log holds
    (key, ms from face onset, counted sign)."""

    onset_s: float
    offset_s: float
    log: list[tuple[str, float, str]]
    dropped_frames: int = 0

    @property
    def viewing_time_ms(self) -> float:
        return (self.offset_s - self.onset_s) * 1000.0


@dataclass
class SoundResult:
    """One sound (``Engine.play_sound``): screen onset, requested and reported audio
    onset."""

    screen_onset_s: float
    requested_s: float
    reported_s: float | None
    end_s: float
    dropped_frames: int = 0

    @property
    def error_ms(self) -> float | None:
        if self.reported_s is None:
            return None
        return (self.reported_s - self.requested_s) * 1000.0
