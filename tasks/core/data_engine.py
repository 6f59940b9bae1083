"""The data-only engine: the engine protocol (``tasks.core.engine``) with no window.

Used by ``icb simulate`` (whole cohorts, no display) and by the tests of battery, resume
and abort logic: time advances by whole frames at a nominal refresh rate, and the
simulated participant's planned response is taken as it is.  The experimenter's abort
can be scripted (``aborts``): at the n-th presentation call the abort key is "pressed"
and the confirmation answered as scripted.  Every message shown is kept in ``shown``.
Nothing here imports PsychoPy.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from dataclasses import dataclass

from icb.errors import Aborted, AbortRequested
from tasks.core.engine import CONTINUE_PROMPT
from tasks.core.gaze import (GazeSpec, Scanpath, ViewResult, drift_check_time_ms,
                             sample_scanpath, scanpath_events, screen_presentation)
from tasks.core.geometry import px_per_deg
from tasks.core.markers import DISPLAY, RATING, RESPONSE, SOUND, MarkerHooks
from tasks.core.results import PressResult, RatingResult, SequenceResult, SoundResult
from tasks.core.screens import PlannedResponse, ResponseSpec, Screen, whole_frames


@dataclass(frozen=True)
class ScriptedAbort:
    """The experimenter presses the abort key during presentation call ``at_call``
    (1 = the first ``show_message``/``pause_screen``/``run_sequence``/``rate``/
    ``present_adjustable``/``play_sound`` call) and answers the confirmation ``confirm``."""

    at_call: int
    confirm: bool = True


class DataEngine(MarkerHooks):
    """Virtual clock at ``refresh_hz``; no drawing, no waiting."""

    kind = "data-only"

    def __init__(self, refresh_hz: float = 60.0, *, aborts: tuple[ScriptedAbort, ...] = (),
                 input_device: str = "keyboard"):
        self.refresh_hz = float(refresh_hz)
        self.frame_ms = 1000.0 / self.refresh_hz
        self.keyboard_backend = "none (data-only simulation)"
        self.input_device = input_device  # station.input: keyboard | touch
        self.pointer_backend = ("none (data-only simulation: planned taps taken as they are)"
                                if input_device == "touch" else "none")
        self.audio_backend = "none (data-only simulation)"
        self.now_s = 0.0
        self.calls = 0
        self.aborts = {a.at_call: a for a in aborts}
        self.shown: list[str] = []  # every message text, in order
        self._answer: bool | None = None
        self.gaze: dict | None = None  # the simulated recording (start_gaze)
        self._started = False  # the run's first (virtual) flip has happened

    def _flip_now(self) -> float:
        """The virtual clock now, as a flip: the run's first one marks its start."""
        if not self._started:
            self._started = True
            self._mark_run_start(self.now_s)
        return self.now_s

    def _run_origin(self) -> float | None:
        return 0.0 if self._started else None

    def clock_now_s(self) -> float:
        return self.now_s

    def last_flip_s(self) -> float | None:
        return self.now_s if self._started else None

    def _call(self) -> ScriptedAbort | None:
        """Count one presentation call; the abort scripted for it, if any."""
        self.calls += 1
        return self.aborts.get(self.calls)

    def _advance_ms(self, ms: float) -> None:
        self.now_s += self.frames_for(ms) * self.frame_ms / 1000.0

    def _trial_call(self) -> None:
        abort = self._call()
        if abort is not None:
            self._advance_ms(300.0)
            self._answer = abort.confirm
            raise AbortRequested()

    def new_run(self) -> None:
        self.now_s = 0.0
        self._started = False

    def abort_chord_text(self) -> str:
        return "(scripted abort)"

    def info(self) -> dict:
        return {"Engine": self.kind, "MeasuredRefreshHz": self.refresh_hz,
                "FrameRateUsedHz": self.refresh_hz, "FramePacing": "virtual"}

    def presentation_info(self) -> dict:
        return {}

    def open(self) -> None:
        self.now_s = 0.0
        self._started = False

    def close(self) -> None:
        pass

    def preload_images(self, paths: dict[str, Path], size_deg: tuple[float, float]) -> None:
        missing = [str(p) for p in paths.values() if not Path(p).is_file()]
        if missing:
            from icb.errors import StimulusError
            raise StimulusError(f"stimulus file not found: {missing[0]}", missing)

    def frames_for(self, duration_ms: float) -> int:
        return whole_frames(duration_ms, self.frame_ms)

    def show_message(self, text: str, *, keys: tuple[str, ...] = ("space",), min_s: float = 0.0,
                     planned: PlannedResponse | None = None, allow_abort: bool = True) -> str:
        abort = self._call()
        self._flip_now()
        self.shown.append(text)
        if abort is not None and allow_abort:
            self._answer = abort.confirm
            if self.confirm_abort():
                raise Aborted("aborted by the experimenter")
        wait_ms = max(min_s * 1000.0, (planned.rt_ms or 0.0) if planned else 500.0)
        self._advance_ms(wait_ms)
        key = planned.key if planned and planned.key in keys else keys[0]
        return key

    def pause_screen(self, text: str, *, min_s: float = 0.0, prompt: str = CONTINUE_PROMPT,
                     planned: PlannedResponse | None = None) -> str:
        self._flip_now()
        self._advance_ms(min_s * 1000.0)
        return self.show_message(f"{text}\n\n{prompt}", planned=planned)

    def run_sequence(self, screens: list[Screen], response: ResponseSpec | None = None,
                     planned: PlannedResponse | None = None) -> SequenceResult:
        self._trial_call()
        result = SequenceResult()
        for screen in screens:
            result.onsets_s[screen.name] = self._flip_now()
            self._mark(screen.name, self.now_s, screen.items)
            if screen.duration_ms is not None:
                n = self.frames_for(screen.duration_ms)
                result.frames[screen.name] = n
                self.now_s += n * self.frame_ms / 1000.0
                continue
            timeout_ms = response.timeout_ms if response else 0.0
            if planned and planned.key is not None and planned.rt_ms is not None \
                    and planned.rt_ms <= timeout_ms:
                result.key, result.rt_ms = planned.key, float(planned.rt_ms)
                elapsed_ms = planned.rt_ms
            else:
                elapsed_ms = timeout_ms
            # The screen ends at the first flip after the response.
            n = max(1, math.ceil(elapsed_ms / self.frame_ms))
            result.frames[screen.name] = n
            result.end_s = self.now_s + elapsed_ms / 1000.0
            if result.key is not None:
                self._mark(RESPONSE, result.end_s)
            self.now_s += n * self.frame_ms / 1000.0
        return result

    # -- rating scales, adjustable presentation, sounds (tasks rating, keypress, cryrating)
    def rate(self, scale, items: tuple = (), *, planned=None,
             timeout_ms: float | None = None) -> RatingResult:
        """One rating scale: the planned value and time are taken as they are (the
        arrow-key rule of ``tasks.core.scales`` is replayed to get the value)."""
        from tasks.core.scales import key_schedule, replay
        self._trial_call()
        onset = self._flip_now()
        self._mark(RATING, onset)
        rating = rt_ms = None
        keys: list[str] = []
        if planned is not None and planned.value is not None and planned.rt_ms is not None:
            schedule = key_schedule(scale, planned.value, planned.rt_ms)
            t_confirm = schedule[-1][1]
            if timeout_ms is None or t_confirm <= timeout_ms:
                keys = [k for k, _ in schedule]
                rating, rt_ms = replay(scale, keys[:-1]), float(t_confirm)
        elapsed_ms = rt_ms if rt_ms is not None else (timeout_ms or 0.0)
        if rt_ms is not None:
            self._mark(RESPONSE, onset + rt_ms / 1000.0)
        self.now_s += max(1, math.ceil(elapsed_ms / self.frame_ms)) * self.frame_ms / 1000.0
        return RatingResult(rating, rt_ms, onset, onset + elapsed_ms / 1000.0, keys)

    def present_adjustable(self, items: tuple, rule, planned=None,
                           feedback: dict | None = None) -> PressResult:
        """The key-press face: presses fed to ``rule`` in time order until the face's
        offset (whole frames, at least one)."""
        self._trial_call()
        onset = self._flip_now()
        self._mark(DISPLAY, onset, items)
        log = []
        planned = sorted(planned or [], key=lambda p: p[1])
        if self.input_device == "touch":  # a tap on "more" / "less" is never a repeat
            from tasks.core.touch import drop_repeats
            planned = drop_repeats(planned, (rule.increase_keys, rule.decrease_keys))
        for key, t_ms in planned:
            shown_until_ms = max(1, int(round(rule.offset_ms / self.frame_ms))) * self.frame_ms
            if t_ms >= shown_until_ms:
                break
            log.append((key, float(t_ms), rule.press(key, float(t_ms))))
            self._mark(RESPONSE, onset + t_ms / 1000.0)
        n = max(1, int(round(rule.offset_ms / self.frame_ms)))
        if log:
            n = max(n, math.ceil(log[-1][1] / self.frame_ms))
        self.now_s += n * self.frame_ms / 1000.0
        return PressResult(onset, self.now_s, log, 0)

    def preload_sounds(self, paths: dict[str, Path]) -> dict:
        missing = [str(p) for p in paths.values() if not Path(p).is_file()]
        if missing:
            from icb.errors import StimulusError
            raise StimulusError(f"stimulus file not found: {missing[0]}", missing)
        return {"Backend": self.audio_backend}

    def play_sound(self, stim_id: str, items: tuple, duration_ms: float,
                   lead_frames: int = 2) -> SoundResult:
        """Virtual sound: the reported onset is the requested one (a flip ahead)."""
        self._trial_call()
        onset = self._flip_now()
        requested = onset + lead_frames * self.frame_ms / 1000.0
        self._mark(SOUND, requested, stim_id)
        n = lead_frames + self.frames_for(duration_ms)
        self.now_s += (n + 1) * self.frame_ms / 1000.0
        return SoundResult(onset, requested, requested, self.now_s, 0)

    def confirm_abort(self, planned: PlannedResponse | None = None) -> bool:
        """The scripted answer to the abort just "pressed" (True when none was scripted)."""
        self.shown.append("Experimenter: end this run now?")
        answer, self._answer = self._answer, None
        return True if answer is None else answer

    # -- gaze: the simulated participant's scanpath, sampled at the tracker's rate ---------
    def start_gaze(self, station: dict, *, simulated: bool = False) -> dict:
        """No tracker: the recording is the planned scanpath sampled on a fixed grid."""
        width_px, height_px = station["screen_size_px"]
        self.gaze = {
            "SamplingFrequency": float(station["eye_tracker_sampling_hz"]),
            "PixelsPerDegree": px_per_deg(width_px, station["screen_width_cm"],
                                          station["viewing_distance_cm"]),
            "Manufacturer": "icb", "ManufacturersModelName":
                "data-only simulation (the planned scanpath, sampled; no tracker)",
            "RecordedEye": "right", "EyeTrackerName": "none (data-only simulation)",
            "StimulusPresentation": screen_presentation(
                width_px, height_px, station["screen_width_cm"], station["viewing_distance_cm"])}
        return dict(self.gaze)

    def view(self, screens: list[Screen], gaze: GazeSpec,
             planned: Scanpath | None = None) -> ViewResult:
        self._trial_call()
        first, rest = screens[0], screens[1:]
        onsets = {first.name: self._flip_now()}
        self._mark(first.name, self.now_s, first.items)
        held_ms = drift_check_time_ms(planned, gaze)
        self._advance_ms(held_ms if held_ms is not None else gaze.timeout_ms)
        for screen in rest:
            onsets[screen.name] = self.now_s
            self._mark(screen.name, self.now_s, screen.items)
            self._advance_ms(screen.duration_ms)
        display_s = onsets[rest[0].name]
        samples, events = (np.empty((0, 4)), [])
        if planned is not None and self.gaze is not None:
            samples = sample_scanpath(planned, fixation_on_s=onsets[first.name],
                                      display_on_s=display_s, end_s=self.now_s,
                                      rate_hz=self.gaze["SamplingFrequency"],
                                      px_per_deg=self.gaze["PixelsPerDegree"])
            events = scanpath_events(planned, display_s, self.gaze["PixelsPerDegree"])
        end_s = onsets[rest[1].name] if len(rest) > 1 else self.now_s
        return ViewResult(onsets, end_s, "ok" if held_ms is not None else "timeout", 0,
                          samples, events)
