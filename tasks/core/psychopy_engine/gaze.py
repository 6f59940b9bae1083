"""Gaze through PsychoPy's ioHub eye-tracker interface (the engine's ``start_gaze`` and
``view``).

``station.eye_tracker`` picks the ioHub device: ``mousegaze`` (ioHub's simulated tracker:
the X pointer is the gaze; CI and the demo), ``eyelink``, ``tobii``, ``gazepoint`` (their
ioHub plugins).  ioHub runs in its own process and reads the pointer through the X
server's RECORD extension, so a simulated participant who moves the pointer with XTEST
(:class:`GazeInjector`) is seen exactly as a mouse moved by hand would be: the gaze
travels ioHub's real path (docs/platform.md, "Eye trackers").

Sample times are ioHub's, on the same clock as PsychoPy's flips; they are written on the
run clock (seconds from the run's first flip).  Gaze comes back in the window's units
(degrees) and is written in screen pixels from the centre, y up.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from icb.errors import BadInput
from tasks.core.gaze import GazeSpec, Scanpath, ViewResult, screen_presentation
from tasks.core.results import count_dropped
from tasks.core.screens import Fixation as CrossItem

# station.eye_tracker -> the ioHub device class path (the plugins register these)
DEVICES = {"mousegaze": "eyetracker.hw.mouse.EyeTracker",
           "eyelink": "eyetracker.hw.sr_research.eyelink.EyeTracker",
           "tobii": "eyetracker.hw.tobii.EyeTracker",
           "gazepoint": "eyetracker.hw.gazepoint.gp3.EyeTracker"}
VALIDATION_TARGETS_DEG = ((0.0, 0.0), (-8.0, 5.0), (8.0, 5.0), (-8.0, -5.0), (8.0, -5.0))
VALIDATION_TARGET_MS = 1000.0  # each target; the last half of it is measured
STEP_S = 0.005  # the simulated eyes move the pointer every 5 ms


class GazeInjector:
    """The simulated participant's eyes: the X pointer moved with XTEST along a planned
    path; both buttons held during a blink (MouseGaze reports no gaze then)."""

    def __init__(self, window_origin_px: tuple[int, int], window_size_px: tuple[int, int],
                 px_per_deg: float):
        from Xlib import X, display
        from Xlib.ext import xtest
        self._X, self._xtest = X, xtest
        self._display = display.Display()
        self._origin, self._size, self._px_per_deg = window_origin_px, window_size_px, px_per_deg
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._blinking = False

    def _root(self, x_deg: float, y_deg: float) -> tuple[int, int]:
        from tasks.core.psychopy_engine.injector import deg_to_root_px
        return deg_to_root_px(self._origin, self._size, self._px_per_deg, x_deg, y_deg)

    def _set(self, where: tuple[float, float] | None) -> None:
        blink = where is None
        if blink != self._blinking:
            kind = self._X.ButtonPress if blink else self._X.ButtonRelease
            for button in (1, 3):
                self._xtest.fake_input(self._display, kind, button)
            self._blinking = blink
        if where is not None:
            x, y = self._root(*where)
            self._xtest.fake_input(self._display, self._X.MotionNotify, x=x, y=y)
        self._display.sync()

    def follow(self, start_s: float, clock, gaze_at, until_s: float) -> None:
        """From ``start_s`` (on ``clock()``) to ``until_s``, put the pointer where
        ``gaze_at(seconds since start_s)`` says, every 5 ms, in a thread of its own."""
        self.stop()
        self._stop.clear()

        def run():
            while not self._stop.is_set():
                now = clock()
                if now >= until_s:
                    break
                self._set(gaze_at(now - start_s))
                time.sleep(STEP_S)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None

    def close(self) -> None:
        self.stop()
        if self._blinking:
            self._set((0.0, 0.0))  # never leave a button held down in the X server
        self._display.close()


class GazeTracker:
    """The ioHub connection, its tracker, and the samples read so far."""

    def __init__(self, engine, station: dict, *, simulated: bool):
        from psychopy.iohub import launchHubServer
        from psychopy.tools.monitorunittools import deg2pix
        kind = station["eye_tracker"]
        if kind not in DEVICES:
            raise BadInput(f"station.eye_tracker: {kind}; a task that records gaze needs an "
                           f"eye tracker; allowed: {', '.join(DEVICES)}")
        self.engine, self.kind = engine, kind
        self.rate_hz = float(station["eye_tracker_sampling_hz"])
        self.px_per_deg = float(deg2pix(1.0, engine.win.monitor))
        device = {"name": "tracker", "runtime_settings": {"sampling_rate": self.rate_hz}}
        if kind == "mousegaze":
            device.update(controls={"move": [], "blink": ["LEFT_BUTTON", "RIGHT_BUTTON"],
                                    "saccade_threshold": 0.5},
                          device_timer={"interval": 0.001})
        config = {DEVICES[kind]: device, "Mouse": {"enable_multi_window": True}}
        self.io = launchHubServer(window=engine.win, **config)
        self.tracker = self.io.devices.tracker
        self.injector = None
        if simulated:
            origin = tuple(int(v) for v in engine.win.winHandle.get_location())
            self.injector = GazeInjector(origin, tuple(int(v) for v in engine.win.size),
                                         self.px_per_deg)
        self.pending: list = []

    # -- samples --------------------------------------------------------------------------
    def read(self) -> list:
        """Every sample and event ioHub holds now (kept in ``pending``)."""
        from psychopy.iohub.constants import EventConstants
        wanted = {EventConstants.MONOCULAR_EYE_SAMPLE, EventConstants.BINOCULAR_EYE_SAMPLE,
                  EventConstants.FIXATION_END, EventConstants.SACCADE_END,
                  EventConstants.BLINK_END}
        new = [e for e in self.tracker.getEvents() if e.type in wanted]
        self.pending += new
        return new

    def take(self, since_s: float, until_s: float, t0: float):
        """Samples (rows of SAMPLE_COLUMNS, run clock, pixels) and events from ``since_s``
        to ``until_s`` (run clock); older ones are dropped, later ones kept."""
        from psychopy.iohub.constants import EventConstants
        self.read()
        rows, events, keep = [], [], []
        for e in self.pending:
            t = e.time - t0
            if t >= until_s:
                keep.append(e)
                continue
            if t < since_s:
                continue
            if e.type == EventConstants.MONOCULAR_EYE_SAMPLE:
                rows.append(self._sample_row(t, e.gaze_x, e.gaze_y, e.status,
                                             getattr(e, "pupil_measure1", None)))
            elif e.type == EventConstants.BINOCULAR_EYE_SAMPLE:
                rows.append(self._sample_row(t, e.right_gaze_x, e.right_gaze_y, e.status,
                                             getattr(e, "right_pupil_measure1", None)))
            else:
                kind = {EventConstants.FIXATION_END: "fixation",
                        EventConstants.SACCADE_END: "saccade",
                        EventConstants.BLINK_END: "blink"}[e.type]
                start = t - float(getattr(e, "duration", 0.0) or 0.0)
                events.append((round(start, 6), round(t - start, 6), kind, "n/a"))
        self.pending = keep
        return (np.array(rows) if rows else np.empty((0, 4))), events

    def _sample_row(self, t, x, y, status, pupil) -> list:
        if status or x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
            return [t, math.nan, math.nan, math.nan]
        pupil = float(pupil) if pupil and pupil > 0 else math.nan
        return [t, x * self.px_per_deg, y * self.px_per_deg, pupil]

    def latest_deg(self) -> tuple[float, float] | None:
        """The newest valid gaze (degrees), from the samples read so far."""
        from psychopy.iohub.constants import EventConstants
        for e in reversed(self.pending):
            if e.type == EventConstants.MONOCULAR_EYE_SAMPLE and not e.status:
                return (e.gaze_x, e.gaze_y)
        return None

    def close(self) -> None:
        if self.injector is not None:
            self.injector.close()
            self.injector = None
        try:
            self.tracker.setRecordingState(False)
        finally:
            self.io.quit()


def start_gaze(engine, station: dict, simulated: bool) -> dict:
    """Open the tracker, calibrate (hardware trackers: their own procedure), validate on
    five targets in the task's window, start recording; the recording's description."""
    if engine._gaze is None:  # one ioHub per window: a battery's next task reuses it
        engine._gaze = GazeTracker(engine, station, simulated=simulated)
    gaze = engine._gaze
    calibration = {"CalibrationType": "none (MouseGaze: the pointer is the gaze)",
                   "CalibrationCount": 0}
    if gaze.kind != "mousegaze":
        result = gaze.tracker.runSetupProcedure()
        calibration = {"CalibrationType": f"{gaze.kind} setup procedure",
                       "CalibrationCount": 1, "CalibrationResult": str(result)}
    gaze.tracker.setRecordingState(True)
    accuracy, worst, precision = _validate(engine, gaze)
    width_px, height_px = engine.screen_size_px or station["screen_size_px"]
    figures = {"AverageCalibrationError": accuracy, "MaximalCalibrationError": worst,
               "ValidationAccuracyDeg": accuracy, "ValidationPrecisionDeg": precision}
    return {"SamplingFrequency": gaze.rate_hz, "PixelsPerDegree": gaze.px_per_deg,
            "Manufacturer": "PsychoPy ioHub" if gaze.kind == "mousegaze" else gaze.kind,
            "ManufacturersModelName": DEVICES[gaze.kind], "RecordedEye": "right",
            "EyeTrackerName": gaze.kind, **calibration,
            "ValidationPoints": [list(p) for p in VALIDATION_TARGETS_DEG],
            # a figure that could not be measured (no valid sample) is left out, not null
            **{k: v for k, v in figures.items() if v is not None},
            "StimulusPresentation": screen_presentation(
                width_px, height_px, station["screen_width_cm"], station["viewing_distance_cm"])}


def _validate(engine, gaze: GazeTracker) -> tuple[float | None, float | None, float | None]:
    """Each target for 1 s; accuracy = mean distance (deg) of the gaze from the target
    over the last half of each, its largest, and precision = RMS of sample-to-sample
    distances (deg)."""
    from psychopy import visual
    dot = visual.Circle(engine.win, radius=0.3, fillColor="white", lineColor="black")
    errors, steps = [], []
    rng = np.random.default_rng(0)
    previous = (0.0, 0.0)
    for x, y in VALIDATION_TARGETS_DEG:
        dot.pos = (x, y)
        dot.draw()
        onset = engine._flip()
        if gaze.injector is not None:  # the simulated eyes reach each target after 250 ms
            aim = (x + rng.normal(0, 0.2), y + rng.normal(0, 0.2))
            gaze.injector.follow(onset + engine._t0, engine._core.getTime,
                                 lambda t, aim=aim, was=previous: aim if t >= 0.25 else was,
                                 onset + engine._t0 + VALIDATION_TARGET_MS / 1000.0)
            previous = aim
        while engine._flip() - onset < VALIDATION_TARGET_MS / 1000.0:
            dot.draw()
            gaze.read()
        samples, _ = gaze.take(onset + VALIDATION_TARGET_MS / 2000.0,
                               onset + VALIDATION_TARGET_MS / 1000.0, engine._t0)
        good = samples[~np.isnan(samples[:, 1])] / [1, gaze.px_per_deg, gaze.px_per_deg, 1]
        if len(good):
            errors += list(np.hypot(good[:, 1] - x, good[:, 2] - y))
            steps += list(np.hypot(np.diff(good[:, 1]), np.diff(good[:, 2])))
    if gaze.injector is not None:
        gaze.injector.stop()
    accuracy = float(np.mean(errors)) if errors else None
    worst = float(np.max(errors)) if errors else None
    precision = float(np.sqrt(np.mean(np.square(steps)))) if steps else None
    return accuracy, worst, precision


def view(engine, screens, spec: GazeSpec, planned: Scanpath | None) -> ViewResult:
    """The cross until the gaze has rested on it (or the time-out), then the display and
    the blank interval; the samples recorded from the cross's onset to the end."""
    from icb.errors import AbortRequested
    gaze: GazeTracker = engine._gaze
    cross, rest = screens[0], screens[1:]
    stamps: list[float] = []
    gaze.read()
    gaze.pending = []  # samples before this trial belong to no trial
    engine._draw(cross.items or (CrossItem(),))
    onset = engine._flip()
    stamps.append(onset)
    engine._mark(cross.name, onset, cross.items)
    if gaze.injector is not None and planned is not None:
        gaze.injector.follow(onset + engine._t0, engine._core.getTime,
                             lambda t: planned.cross_at(t * 1000.0),
                             onset + engine._t0 + spec.timeout_ms / 1000.0)
    inside_since = None
    drift = "timeout"
    while True:
        gaze.read()
        where = gaze.latest_deg()
        now = stamps[-1]
        if where is not None and math.hypot(*where) <= spec.radius_deg:
            inside_since = now if inside_since is None else inside_since
            if (now - inside_since) * 1000.0 >= spec.hold_ms:
                drift = "ok"
                break
        else:
            inside_since = None
        if engine._timed_out(onset, now, spec.timeout_ms):
            break
        if engine._abort_pressed():
            raise AbortRequested()
        engine._draw(cross.items)
        stamps.append(engine._flip())
    onsets = {cross.name: onset}
    before = planned.cross_at((engine._clock_s() - onset) * 1000.0) if planned else (0.0, 0.0)
    for index, screen in enumerate(rest):
        shown: list[float] = []
        while not shown or not engine._screen_over(shown[0], shown, screen.duration_ms):
            engine._draw(screen.items)
            shown.append(engine._flip())
            if len(shown) == 1:
                engine._mark(screen.name, shown[0], screen.items)
            if index == 0 and len(shown) == 1 and gaze.injector is not None \
                    and planned is not None:
                display_abs = shown[0] + engine._t0
                gaze.injector.follow(display_abs, engine._core.getTime,
                                     lambda t: planned.display_at(t * 1000.0, before),
                                     display_abs + screen.duration_ms / 1000.0)
            gaze.read()
        onsets[screen.name] = shown[0]
        stamps += shown
        if engine._abort_pressed():
            raise AbortRequested()
    end_flip = engine._flip()  # the flip that ends the last screen
    stamps.append(end_flip)
    if gaze.injector is not None:
        gaze.injector.stop()
    samples, events = gaze.take(onset, end_flip, engine._t0)
    end_display = onsets[rest[1].name] if len(rest) > 1 else end_flip
    return ViewResult(onsets, end_display, drift, count_dropped(stamps, engine.frame_ms),
                      samples, events)
