"""Gaze: what a free-viewing trial asks an engine for, what the engine gives back, and the
simulated participant's scanpath (pure data; no PsychoPy).

Positions are in degrees of visual angle from the screen centre, y up (``_deg``), or in
screen pixels from the centre, y up (``_px``, as BIDS ``gaze-on-screen`` samples and
``Provenance.AOIs``).  Times ending in ``_ms`` inside a scanpath are milliseconds from the
onset of the screen they belong to; ``_s`` are seconds on the run clock.

A :class:`Scanpath` is what the simulated participant plans for one trial: where the eyes
rest during the fixation screen, then a list of fixations and blinks on the display.
``gaze_at`` turns it into the gaze at any time (linear saccades between fixations,
no gaze during a blink); the data engine samples it at the tracker's rate, and in a real
window the injector moves the X pointer along it so that ioHub's MouseGaze tracker
reports it through the real eye-tracker path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SAMPLE_COLUMNS = ("timestamp", "x_coordinate", "y_coordinate", "pupil_size")
EVENT_COLUMNS = ("onset", "duration", "trial_type", "message")
# what the recording's description (Engine.start_gaze) holds that is not a physio sidecar key
NOT_SIDECAR = ("StimulusPresentation", "PixelsPerDegree", "EyeTrackerName")

EYE_EVENTS_SIDECAR = {
    "Description": "Eye-tracker events: fixations, saccades and blinks the tracker (or the "
                   "simulated participant's plan) reported, and the task's trial messages.",
    "OnsetSource": "timestamp",
    "onset": {"Description": "Onset on the run clock (the origin of the events file's "
                             "onset).", "Units": "s"},
    "duration": {"Description": "Duration of the event.", "Units": "s"},
    "trial_type": {"Description": "Kind of event.", "Levels": {
        "fixation": "a fixation", "saccade": "a saccade", "blink": "a blink (no gaze)",
        "message": "a message of the task (e.g. a display's onset)"}},
    "message": {"Description": "Where the fixation was (pixels from the screen centre, y up), "
                               "or the task's message."},
}


def screen_presentation(width_px: int, height_px: int, width_cm: float,
                        distance_cm: float) -> dict:
    """The events sidecar's ``StimulusPresentation`` fields BIDS asks of gaze on screen
    (metres and pixels; square pixels give the height in cm).

    >>> screen_presentation(1920, 1080, 53.0, 60.0)["ScreenSize"]
    [0.53, 0.298125]
    """
    return {"ScreenDistance": distance_cm / 100.0, "ScreenOrigin": ["center", "center"],
            "ScreenResolution": [int(width_px), int(height_px)],
            "ScreenSize": [width_cm / 100.0, width_cm * height_px / width_px / 100.0]}


def eye_sidecar(recording: dict) -> dict:
    """The physio sidecar of the gaze samples (BIDS eye tracking) from the recording's
    description (``Engine.start_gaze``).

    >>> sorted(eye_sidecar({"SamplingFrequency": 60.0, "RecordedEye": "right",
    ...                     "PixelsPerDegree": 30.0}))[:4]
    ['PhysioType', 'RecordedEye', 'SampleCoordinateSystem', 'SamplingFrequency']
    """
    fields = {k: v for k, v in recording.items() if k not in NOT_SIDECAR}
    return {
        "PhysioType": "eyetrack", "SampleCoordinateSystem": "gaze-on-screen",
        "StartTime": 0.0, **fields,
        "timestamp": {"Description": "Sample time on the run clock (0 = the run's first "
                                     "flip, the origin of the events file's onset).",
                      "Units": "s"},
        "x_coordinate": {"Description": "Gaze x, pixels from the screen centre, right "
                                        "positive; n/a where the tracker had no gaze.",
                         "Units": "pixel"},
        "y_coordinate": {"Description": "Gaze y, pixels from the screen centre, up "
                                        "positive; n/a where the tracker had no gaze.",
                         "Units": "pixel"},
        "pupil_size": {"Description": "Pupil size (diameter or area, as the tracker reports "
                                      "it; n/a when it reports none).", "Units": "arbitrary"},
    }


@dataclass(frozen=True)
class GazeSpec:
    """The gaze-contingent start of a trial: the fixation screen ends once the gaze has
    stayed within ``radius_deg`` of the centre for ``hold_ms``, or at ``timeout_ms``
    (then ``drift_check`` is ``timeout``)."""

    radius_deg: float
    hold_ms: float
    timeout_ms: float


@dataclass(frozen=True)
class Fixation:
    """One planned fixation on the display (ms from display onset)."""

    start_ms: float
    end_ms: float
    x_deg: float
    y_deg: float


@dataclass(frozen=True)
class Scanpath:
    """A simulated participant's eyes in one trial.

    During the fixation screen the eyes rest at ``start_deg`` and reach the cross
    ``cross_latency_ms`` after its onset (``None``: they never do, the drift check times
    out).  On the display: ``fixations`` in time order, ``saccade_ms`` to move between
    them, and ``blinks`` as (start_ms, end_ms) from display onset.
    """

    start_deg: tuple[float, float]
    cross_latency_ms: float | None
    fixations: tuple[Fixation, ...]
    blinks: tuple[tuple[float, float], ...] = ()
    saccade_ms: float = 40.0

    def cross_at(self, t_ms: float) -> tuple[float, float]:
        """Gaze during the fixation screen, ``t_ms`` after its onset."""
        if self.cross_latency_ms is not None and t_ms >= self.cross_latency_ms:
            return (0.0, 0.0)
        return self.start_deg

    def display_at(self, t_ms: float, before: tuple[float, float]) -> tuple[float, float] | None:
        """Gaze ``t_ms`` after display onset (``None`` in a blink); ``before`` is where the
        eyes were when the display came on."""
        if any(a <= t_ms < b for a, b in self.blinks):
            return None
        x, y = before
        for fix in self.fixations:
            if t_ms < fix.start_ms:
                lead = fix.start_ms - t_ms
                if lead < self.saccade_ms:  # in flight towards this fixation
                    share = 1.0 - lead / self.saccade_ms
                    return (x + share * (fix.x_deg - x), y + share * (fix.y_deg - y))
                return (x, y)
            x, y = fix.x_deg, fix.y_deg
        return (x, y)


@dataclass
class ViewResult:
    """One free-viewing trial (``Engine.view``): flip onsets of its screens, the drift
    check's outcome, and the gaze recorded from the fixation screen's onset to the end of
    the trial: ``samples`` rows of SAMPLE_COLUMNS (run-clock seconds, pixels, NaN where
    the tracker had no gaze) and ``events`` rows of EVENT_COLUMNS (fixations, saccades,
    blinks and trial messages, onsets on the run clock)."""

    onsets_s: dict[str, float]
    end_s: float
    drift_check: str
    dropped_frames: int = 0
    samples: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))
    events: list[tuple] = field(default_factory=list)

    def actual_ms(self, first: str, second: str) -> float:
        return (self.onsets_s[second] - self.onsets_s[first]) * 1000.0


def drift_check_time_ms(path: Scanpath | None, spec: GazeSpec) -> float | None:
    """When the fixation screen ends for this scanpath (``None``: time-out).

    >>> drift_check_time_ms(Scanpath((5.0, 0.0), 250.0, ()), GazeSpec(1.5, 300, 3000))
    550.0
    >>> drift_check_time_ms(Scanpath((5.0, 0.0), None, ()), GazeSpec(1.5, 300, 3000)) is None
    True
    """
    if path is None:
        return None
    inside_from = 0.0 if math.hypot(*path.start_deg) <= spec.radius_deg else path.cross_latency_ms
    if inside_from is None or inside_from + spec.hold_ms > spec.timeout_ms:
        return None
    return float(inside_from + spec.hold_ms)


def sample_times_s(start_s: float, end_s: float, rate_hz: float, phase_s: float = 0.0
                   ) -> np.ndarray:
    """Sample time stamps in [start_s, end_s) on a fixed grid of 1 / rate_hz that passes
    through ``phase_s`` (a tracker samples on its own clock, not on the screen's).

    >>> sample_times_s(0.0, 0.05, 100.0).round(3).tolist()
    [0.0, 0.01, 0.02, 0.03, 0.04]
    """
    step = 1.0 / rate_hz
    first = phase_s + math.ceil((start_s - phase_s) / step - 1e-9) * step
    n = max(0, math.ceil((end_s - first) / step - 1e-9))
    return first + step * np.arange(n)


def sample_scanpath(path: Scanpath, *, fixation_on_s: float, display_on_s: float,
                    end_s: float, rate_hz: float, px_per_deg: float,
                    pupil_mm: float = 3.5) -> np.ndarray:
    """The samples an ideal tracker records of ``path`` (rows of SAMPLE_COLUMNS).

    >>> path = Scanpath((0.0, 0.0), 0.0, (Fixation(0, 1000, 2.0, 1.0),), blinks=((20, 40),),
    ...                 saccade_ms=0.0)
    >>> s = sample_scanpath(path, fixation_on_s=0.0, display_on_s=0.5, end_s=0.56,
    ...                     rate_hz=50, px_per_deg=10)
    >>> s[:, 0].round(2).tolist(), s[-3:, 1].tolist()
    ([0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42, 0.44, 0.46, 0.48, 0.5, 0.52, 0.54], [20.0, nan, 20.0])
    """
    times = sample_times_s(fixation_on_s, end_s, rate_hz)
    out = np.full((len(times), 4), np.nan)
    out[:, 0] = times
    before = path.cross_at((display_on_s - fixation_on_s) * 1000.0)
    on_cross = times < display_on_s
    cross_ms = (times[on_cross] - fixation_on_s) * 1000.0
    reached = path.cross_latency_ms is not None
    at_centre = (cross_ms >= path.cross_latency_ms) if reached else np.zeros(len(cross_ms), bool)
    xy = np.empty((len(times), 2))
    xy[on_cross] = np.where(at_centre[:, None], 0.0, np.array(path.start_deg, dtype=float))
    x, y, seen = _display_gaze(path, (times[~on_cross] - display_on_s) * 1000.0, before)
    xy[~on_cross, 0], xy[~on_cross, 1] = x, y
    valid = np.ones(len(times), bool)
    valid[~on_cross] = seen
    out[valid, 1:3] = xy[valid] * px_per_deg
    out[valid, 3] = pupil_mm
    return out


def _display_gaze(path: Scanpath, t_ms: np.ndarray, before: tuple[float, float]):
    """:meth:`Scanpath.display_at` for many times at once: (x, y, not in a blink).

    >>> p = Scanpath((0, 0), 0.0, (Fixation(100, 200, 2.0, 0.0),), blinks=((150, 160),),
    ...              saccade_ms=40.0)
    >>> x, y, seen = _display_gaze(p, np.array([0.0, 70.0, 100.0, 155.0, 300.0]), (0.0, 0.0))
    >>> x.tolist(), seen.tolist()
    ([0.0, 0.5, 2.0, 2.0, 2.0], [True, True, True, False, True])
    >>> [p.display_at(t, (0.0, 0.0)) for t in (0.0, 70.0, 100.0, 155.0, 300.0)]
    [(0.0, 0.0), (0.5, 0.0), (2.0, 0.0), None, (2.0, 0.0)]
    """
    starts = np.array([f.start_ms for f in path.fixations], dtype=float)
    fx = np.array([before[0]] + [f.x_deg for f in path.fixations], dtype=float)
    fy = np.array([before[1]] + [f.y_deg for f in path.fixations], dtype=float)
    k = np.searchsorted(starts, t_ms, side="right")  # fixations begun: fx[k] is where the eyes are
    x, y = fx[k].copy(), fy[k].copy()
    if path.saccade_ms > 0 and len(starts):
        nxt = np.minimum(k, len(starts) - 1)
        lead = starts[nxt] - t_ms
        flying = (k < len(starts)) & (lead < path.saccade_ms)
        share = 1.0 - lead[flying] / path.saccade_ms
        x[flying] += share * (fx[k[flying] + 1] - x[flying])
        y[flying] += share * (fy[k[flying] + 1] - y[flying])
    seen = np.ones(len(t_ms), bool)
    for a, b in path.blinks:
        seen &= ~((t_ms >= a) & (t_ms < b))
    return x, y, seen


def scanpath_events(path: Scanpath, display_on_s: float, px_per_deg: float) -> list[tuple]:
    """The device events of a planned scanpath on the run clock (EVENT_COLUMNS rows):
    each fixation (its place in pixels as the message) and each blink.

    >>> scanpath_events(Scanpath((0, 0), 0.0, (Fixation(100, 300, 1.0, 0.0),),
    ...                          blinks=((400, 500),)), 2.0, 10.0)
    [(2.1, 0.2, 'fixation', 'x=10.0 y=0.0'), (2.4, 0.1, 'blink', 'n/a')]
    """
    events = [(round(display_on_s + f.start_ms / 1000.0, 6),
               round((f.end_ms - f.start_ms) / 1000.0, 6), "fixation",
               f"x={f.x_deg * px_per_deg:.1f} y={f.y_deg * px_per_deg:.1f}")
              for f in path.fixations]
    events += [(round(display_on_s + a / 1000.0, 6), round((b - a) / 1000.0, 6), "blink", "n/a")
               for a, b in path.blinks]
    return sorted(events)
