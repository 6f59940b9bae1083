"""The PsychoPy window: frames, flips and the screens of the engine protocol.

Task logic hands over :class:`~tasks.core.screens.Screen` sequences; here they
become whole frames at the measured refresh rate, onsets come from flip time
stamps, the keyboard clock is reset on the response screen's first flip
(``win.callOnFlip``) and responses carry the keyboard's own time stamps.

The keyboard and the abort chord are in ``keyboard``; a simulated participant
presses keys through the real path (``injector``: X key events through XTEST, read
back by PsychoPy's keyboard backend).

On a display without vertical sync (a virtual X server), flips return at once;
the engine then paces flips itself at the configured refresh rate and records
``FramePacing: software`` so that nobody mistakes those figures for a monitor's.
"""

from __future__ import annotations

import time
from pathlib import Path

from tasks.core.engine import CONTINUE_PROMPT
from tasks.core.psychopy_engine.injector import KeyInjector
from tasks.core.psychopy_engine.keyboard import KeyboardMixin
from tasks.core.psychopy_engine.touch import TouchMixin, taps_as_keys
from tasks.core.touch import TouchTarget
from tasks.core.contrast import readable_text_colour
from tasks.core.gaze import GazeSpec, Scanpath, ViewResult
from tasks.core.markers import RESPONSE, MarkerHooks
from tasks.core.geometry import fullscreen_refusal, screen_mismatch, size_text, window_mismatch
from tasks.core.results import (PressResult, RatingResult, SequenceResult, SoundResult,
                                count_dropped)
from tasks.core.screens import (PROBE_DOT_OFFSETS_DEG, Fixation, Image, PlannedResponse, Probe,
                                ResponseSpec, Screen, Text, whole_frames)
from icb.errors import Aborted, AbortRequested, BadInput


class PsychoPyEngine(KeyboardMixin, TouchMixin, MarkerHooks):
    """A PsychoPy window with frame-exact presentation and time-stamped keys."""

    kind = "psychopy"

    def __init__(self, station: dict, *, windowed: bool = False, simulate: bool = False,
                 log=print, refuse_geometry: bool = True):
        self.station = station
        self.windowed = windowed
        self.simulate = simulate
        self.log = log
        self.win = None
        self.kb = None
        self.injector: KeyInjector | None = None
        self.images: dict = {}
        self.refresh_hz = float(station["expected_refresh_hz"])
        self.measured_refresh_hz: float | None = None
        self.frame_ms = 1000.0 / self.refresh_hz
        self.software_pacing = False
        self.keyboard_backend = "unknown"
        self.pointer_backend = "none"  # set by _open_touch (station.input: touch)
        self.keyboard_note = ""
        self.audio_backend = "not used"
        self._t0: float | None = None
        self._last_flip: float | None = None
        self._next_due: float | None = None
        self._seen_keys: set = set()
        self._psychopy = None
        self._keystate = None  # pyglet key states (abort chord with the event backend)
        self._sliders = None  # rating scales, made on the first rate()
        self.text_size = None  # tasks.core.text_size.TextSize, set by open()
        self._speaker = None  # the PTB speaker, opened by preload_sounds()
        self._gaze = None  # the ioHub eye tracker, opened by start_gaze()
        self.screen_size_px: list[int] | None = None  # the screen as pyglet reports it
        self.geometry_notes: list[str] = []  # windowed: what differs from the config
        self.refuse_geometry = refuse_geometry  # False for icb check: it reports, not refuses

    # -- set-up ----------------------------------------------------------
    def open(self) -> None:
        from tasks.core.display import require_display
        require_display()  # one line and exit 2, not pyglet's traceback
        from psychopy import core, monitors, visual  # noqa: F401  (PsychoPy lives here only)
        from psychopy import logging as plog
        plog.console.setLevel(plog.ERROR)
        self._core = core
        st = self.station
        full = bool(st["fullscreen"]) and not self.windowed
        self.screen_size_px = self._check_geometry(full)
        size = st["window_size_px"] if self.windowed else st["screen_size_px"]
        mon = monitors.Monitor("icb", width=st["screen_width_cm"],
                               distance=st["viewing_distance_cm"])
        mon.setSizePix(list(self.screen_size_px))  # degrees from the real screen's pixels
        self.win = visual.Window(size=list(size), fullscr=full,
                                 screen=st["screen_index"], monitor=mon, units="deg",
                                 color=list(st["background"]), colorSpace="rgb",
                                 allowGUI=False, waitBlanking=True, checkTiming=False)
        self.win.mouseVisible = False
        if self.windowed:
            note = window_mismatch(size, self.win.size)
            if note:
                self.geometry_notes.append(note)
                self.log(f"[icb] warning: {note}")
        if self.station.get("abort_modifiers"):
            from pyglet.window import key as pyglet_key
            self._keystate = pyglet_key.KeyStateHandler()
            self.win.winHandle.push_handlers(self._keystate)
        self._measure_refresh()
        self._open_keyboard()
        self._open_touch()  # station.input: touch
        if self.simulate:
            self.injector = KeyInjector()
        self._fixation = visual.TextStim(self.win, "+", height=0.8, color="white")
        self.text_size = self._text_size()
        self._text = visual.TextStim(self.win, "", height=self.text_size.height_deg,
                                     color="white", wrapWidth=self.text_size.wrap_deg)
        self._dot = visual.Circle(self.win, radius=0.25, fillColor="white", lineColor=None)
        # Render the font once now: the first text draw builds the glyph atlas, which
        # takes seconds with software OpenGL and would freeze the first instructions
        # (the letters of every shipped language: Spanish accents, ñ, ü, ¿ and ¡).
        self._text.text = ("Warm-up ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz .:-+"
                           " áéíóúüñ ÁÉÍÓÚÜÑ ¿¡")
        self._text.draw()
        self._fixation.draw()
        self.win.clearBuffer()
        self.win.recordFrameIntervals = False

    def _check_geometry(self, full: bool) -> list[int]:
        """The size of the screen the window opens on, before the window opens: a
        full-screen run on a screen of another size than ``screen_size_px`` is refused
        (exit 2, both sizes named); a windowed one says so and draws its degrees from
        the real screen."""
        import pyglet
        screens = pyglet.canvas.get_display().get_screens()
        index = int(self.station["screen_index"])
        if index >= len(screens):
            raise BadInput(f"station.screen_index: bad value {index}; this display has "
                           f"{len(screens)} screen(s); allowed: 0 to {len(screens) - 1}; "
                           "nothing was run or written")
        screen = [int(screens[index].width), int(screens[index].height)]
        if full and self.refuse_geometry:
            refusal = fullscreen_refusal(self.station["screen_size_px"], screen)
            if refusal:
                raise BadInput(refusal)
        else:
            note = screen_mismatch(self.station["screen_size_px"], screen)
            if note:
                self.geometry_notes.append(note)
                self.log(f"[icb] warning: {note}; this windowed run takes its sizes in "
                         f"degrees from the real screen ({size_text(screen)}); a full-screen "
                         "run would be refused")
        return screen

    def _measure_refresh(self) -> None:
        expected_s = 1.0 / self.refresh_hz
        stamps = [self.win.flip() for _ in range(40)]
        intervals = sorted(b - a for a, b in zip(stamps[5:], stamps[6:]))
        median_s = intervals[len(intervals) // 2]
        if median_s < 0.5 * expected_s:
            # No vertical sync (virtual display): pace flips ourselves.
            self.software_pacing = True
            self.measured_refresh_hz = None
            self.log(f"[icb] display has no vertical sync (median flip interval "
                     f"{median_s * 1000:.2f} ms); flips are paced in software at "
                     f"{self.refresh_hz:g} Hz")
            return
        measured = 1.0 / median_s
        self.measured_refresh_hz = measured
        tol = self.station["refresh_tolerance_hz"]
        if abs(measured - self.refresh_hz) > tol:
            self.close()
            raise BadInput(f"station.expected_refresh_hz: the monitor runs at {measured:.2f} Hz, "
                           f"the config expects {self.refresh_hz:g} Hz (tolerance {tol:g} Hz); "
                           "set the monitor or the config so that they agree")
        self.refresh_hz = measured
        self.frame_ms = 1000.0 / measured

    def info(self) -> dict:
        size = [int(v) for v in self.win.size] if self.win is not None else None
        return {"Engine": self.kind, "WindowSizePx": size,
                "FullScreen": bool(self.win._isFullScr) if self.win is not None else None,
                "ScreenSizePx": self.screen_size_px,
                "ConfiguredScreenSizePx": [int(v) for v in self.station["screen_size_px"]],
                "GeometryNotes": list(self.geometry_notes),
                "MeasuredRefreshHz": self.measured_refresh_hz,
                "FrameRateUsedHz": self.refresh_hz,
                "FramePacing": "software (no vertical sync)" if self.software_pacing
                else "vertical sync",
                "KeyboardNote": self.keyboard_note or None,
                "ScreenWidthCm": self.station["screen_width_cm"],
                "ViewingDistanceCm": self.station["viewing_distance_cm"],
                **(self.text_size.provenance() if self.text_size is not None else {})}

    def presentation_info(self) -> dict:
        import platform

        import psychopy
        from tasks.core.gaze import screen_presentation
        size = self.screen_size_px or self.station["screen_size_px"]
        return {"OperatingSystem": f"{platform.system()} {platform.release()}",
                "SoftwareName": "PsychoPy", "SoftwareVersion": psychopy.__version__,
                "ScreenRefreshRate": self.refresh_hz,
                **screen_presentation(size[0], size[1], self.station["screen_width_cm"],
                                      self.station["viewing_distance_cm"])}

    def preload_images(self, paths: dict[str, Path], size_deg: tuple[float, float]) -> None:
        """Load every picture onto the graphics card before the block starts."""
        from psychopy import visual
        for stim_id, path in paths.items():
            if stim_id in self.images:
                continue
            if not Path(path).is_file():
                from icb.errors import StimulusError
                raise StimulusError(f"{path}: stimulus {stim_id} not found (deleted after "
                                    "validation?)")
            self.images[stim_id] = visual.ImageStim(self.win, image=str(path), size=size_deg)
            self.images[stim_id].draw()  # upload the texture now, not on the first trial
        self.win.clearBuffer()

    # -- drawing and flipping --------------------------------------------------
    def frames_for(self, duration_ms: float) -> int:
        return whole_frames(duration_ms, self.frame_ms)

    def _clock_s(self) -> float:
        """The run's clock now (the clock of the flip time stamps)."""
        return self._core.getTime() - (self._t0 or 0.0)

    def _screen_over(self, onset_s: float, stamps: list[float], duration_ms: float) -> bool:
        """A timed screen ends by the clock, whatever the frame rate: is the next flip
        within half a frame of ``duration_ms`` after ``onset_s``?  Then the flip of
        ``stamps[-1]`` was the screen's last.  The next flip is predicted from the
        shortest of the last three frame intervals (never below the nominal frame):
        a display that is steadily slower is followed, but one long frame (a busy
        machine) does not end the screen a frame early."""
        frame_s = self.frame_ms / 1000.0
        last = stamps[-4:]
        recent = [b - a for a, b in zip(last, last[1:])]
        interval = max(frame_s, min(recent)) if recent else frame_s
        return stamps[-1] + interval - onset_s >= duration_ms / 1000.0 - frame_s / 2

    def _timed_out(self, onset_s: float, stamp_s: float, timeout_ms: float) -> bool:
        """A time-out by the clock: has the flip at ``stamp_s`` reached ``timeout_ms``
        (within half a frame) after ``onset_s``?  That flip's stamp is the recorded end."""
        return stamp_s - onset_s >= timeout_ms / 1000.0 - self.frame_ms / 2000.0

    def _draw(self, items: tuple) -> None:
        for item in items:
            if isinstance(item, Image):
                stim = self.images[item.stim_id]
                stim.pos = (item.x_deg, item.y_deg)
                stim.draw()
            elif isinstance(item, Fixation):
                self._fixation.draw()
            elif isinstance(item, TouchTarget):
                self._draw_target(item)
            elif isinstance(item, Probe):
                for dx, dy in PROBE_DOT_OFFSETS_DEG[item.form]:
                    self._dot.pos = (item.x_deg + dx, item.y_deg + dy)
                    self._dot.draw()
            elif isinstance(item, Text):
                self._layout_text(item).draw()

    def _text_size(self):
        """The text height (``station.text_height_frac`` of the window's real height in
        degrees, else ``text_height_deg``) and wrap width (tasks.core.text_size)."""
        from psychopy.tools.monitorunittools import pix2deg
        from tasks.core.text_size import text_size
        width_px, height_px = (float(v) for v in self.win.size)
        return text_size(self.station, pix2deg(width_px, self.win.monitor),
                         pix2deg(height_px, self.win.monitor))

    def _layout_text(self, item: Text):
        """The engine's text stimulus set up for ``item`` (drawn by ``_draw``; measured by
        tests/test_text_fit.py)."""
        self._text.text = item.text
        self._text.pos = (0, item.y_deg)
        self._text.height = self.text_size.height_deg * item.height_scale
        # "auto": black or white, whichever passes WCAG AA on the background
        self._text.color = (list(readable_text_colour(self.station["background"]))
                            if item.colour == "auto" else item.colour)
        return self._text

    def _flip(self, before_flip=None) -> float:
        """Flip and return the flip time in seconds from the run's start.

        ``before_flip`` (optional) is called after the frame pacing's wait, just
        before ``win.flip()``: the last moment to change what this flip shows."""
        if self.software_pacing:
            # Emulate vertical sync: flips start on a fixed grid of frame times, so that
            # the time drawing takes does not add up; a missed slot is a dropped frame.
            frame_s = self.frame_ms / 1000.0
            now = self._core.getTime()
            if self._next_due is None:
                self._next_due = now
            elif now > self._next_due:
                missed = int((now - self._next_due) // frame_s) + 1
                self._next_due += missed * frame_s
            while True:
                left = self._next_due - self._core.getTime()
                if left <= 0:
                    break
                self._pace_wait(left)  # with touch: reads taps every millisecond
            self._next_due += frame_s
        if before_flip is not None:
            before_flip()
        stamp = self.win.flip()
        self._last_flip = stamp
        if self._t0 is None:
            self._t0 = stamp
            self._mark_run_start(stamp)
        return stamp - self._t0

    def _run_origin(self) -> float | None:
        return self._t0

    def clock_now_s(self) -> float:
        """PsychoPy's clock now (``core.getTime``: the clock of ``win.flip()``'s stamps)."""
        return self._core.getTime()

    def last_flip_s(self) -> float | None:
        """The last flip's time on the run clock (None before the run's first flip)."""
        if self._t0 is None or self._last_flip is None:
            return None
        return self._last_flip - self._t0

    def new_run(self) -> None:
        """Start a new run in this window (a battery's next task): onsets count from
        the run's first flip again, and keys pressed before are dropped."""
        self._t0 = None
        if self.kb is not None:
            self.kb.clearEvents()

    def pause_screen(self, text: str, *, min_s: float = 0.0,
                     prompt: str = CONTINUE_PROMPT,
                     planned: PlannedResponse | None = None) -> str:
        """A break (between tasks): ``text`` alone for ``min_s``, then with ``prompt``
        until SPACE.  The abort chord works throughout."""
        start = self._flip_items((Text(text),))
        while self._flip_items((Text(text),)) - start < min_s:
            if self._abort_pressed():
                if self.confirm_abort():
                    raise Aborted("aborted by the experimenter")
        return self.show_message(f"{text}\n\n{prompt}", planned=planned)

    def confirm_abort(self, planned: PlannedResponse | None = None) -> bool:
        """Ask the experimenter to confirm the abort: Y ends the run, N goes on."""
        key = self.show_message("Experimenter: end this run now?\n\nY = end the run "
                                "(finished trials are kept)\nN = go on",
                                keys=("y", "n"), planned=planned, allow_abort=False)
        return key == "y"

    def show_message(self, text: str, *, keys: tuple[str, ...] = ("space",), min_s: float = 0.0,
                     planned: PlannedResponse | None = None, allow_abort: bool = True) -> str:
        """Show text until one of ``keys`` (accepted after ``min_s``).  With touch input a
        continue screen (``keys == ("space",)``) has a button that counts as SPACE; the
        experimenter's screens (other keys) stay on the keyboard."""
        targets = (self._continue_target(keys[0]),) \
            if self.touch_on and allow_abort and tuple(keys) == ("space",) else ()
        items = (Text(text), *targets)
        start = self._flip_items(items)
        self.kb.clearEvents()
        self._tapped(())  # taps before this screen count for nothing
        self.log(f"[icb] message on screen; waiting for {'/'.join(keys)}")
        if planned is not None and planned.key is not None and self.injector:
            delay_s = max(min_s, 0.0) + (planned.rt_ms or 300) / 1000
            if targets:
                self._tap_key_later(targets, planned.key, delay_s)
            else:
                self.injector.press_later(planned.key, delay_s)
        abort_key = self.station["abort_key"]
        while True:
            watch = list(keys) + ([abort_key] if allow_abort else [])
            pressed = self._poll_keys(watch) + taps_as_keys(self, targets, 0.0)
            now = self._flip_items(items)
            for key in pressed:
                if key.name == abort_key and allow_abort:
                    if not self._is_abort(key):
                        continue  # a bare abort key without the chord's modifiers
                    if self.confirm_abort():
                        raise Aborted("aborted by the experimenter")
                    self._flip_items(items)
                    break
                if now - start >= min_s:
                    return key.name

    def _flip_items(self, items: tuple) -> float:
        self._draw(items)
        return self._flip()

    def run_sequence(self, screens: list[Screen], response: ResponseSpec | None = None,
                     planned: PlannedResponse | None = None) -> SequenceResult:
        """Show ``screens`` back to back; raise ``AbortRequested`` on the abort key."""
        result = SequenceResult()
        stamps: list[float] = []
        abort_key = self.station["abort_key"]
        for screen in screens:
            if screen.duration_ms is not None:
                shown: list[float] = []
                while not shown or not self._screen_over(shown[0], shown, screen.duration_ms):
                    self._draw(screen.items)
                    shown.append(self._flip())
                    if len(shown) == 1:  # the marker goes out now, not when the screen ends
                        self._mark(screen.name, shown[0], screen.items)
                    if self.station.get("abort_modifiers") and self._abort_pressed():
                        raise AbortRequested()  # a chord is checked while it is held
                result.onsets_s[screen.name] = shown[0]
                result.frames[screen.name] = len(shown)
                stamps += shown
                if self._abort_pressed():
                    raise AbortRequested()
                continue
            # The response screen: reset the keyboard clock on its first flip.
            keys = list(response.keys) + [abort_key]
            self.win.callOnFlip(self.kb.clearEvents)
            self.win.callOnFlip(self.kb.clock.reset)
            targets = response.targets if self.touch_on else ()  # station.input: touch
            self._tapped(())  # taps before this screen count for nothing
            if planned is not None and planned.key is not None and self.injector:
                if targets:  # the planned key becomes a tap on its target
                    self.win.callOnFlip(self._tap_key_later, targets, planned.key,
                                        planned.rt_ms / 1000.0)
                else:
                    self.win.callOnFlip(self.injector.press_later, planned.key,
                                        planned.rt_ms / 1000.0)
            n = 0
            onset = end = None
            while True:  # until a key, or the time-out by the clock
                self._draw(screen.items + targets)
                stamps.append(self._flip())
                if onset is None:
                    onset = stamps[-1]
                    self._mark(screen.name, onset, screen.items)
                n += 1
                pressed = self._poll_keys(keys)
                if any(self._is_abort(k) for k in pressed):
                    raise AbortRequested()
                pressed = [k for k in pressed if k.name != abort_key]
                if targets:  # touch: taps on the targets, timed from this screen's flip
                    pressed = taps_as_keys(self, targets, onset + self._t0)
                if pressed:
                    first = pressed[0]
                    result.key = first.name
                    result.rt_ms = float(first.rt) * 1000.0
                    end = onset + result.rt_ms / 1000.0
                    self._mark(RESPONSE, end)
                    break
                if self._timed_out(onset, stamps[-1], response.timeout_ms):
                    end = stamps[-1]  # measured: the flip that ended the response window
                    break
            result.onsets_s[screen.name] = onset
            result.frames[screen.name] = n
            result.end_s = end
        if self.injector:
            self.injector.cancel()
        result.dropped_frames = count_dropped(stamps, self.frame_ms)
        return result

    # -- rating scales, adjustable presentation, sounds (tasks rating, keypress, cryrating)
    def rate(self, scale, items: tuple = (), *, planned=None,
             timeout_ms: float | None = None) -> RatingResult:
        """One rating scale (``tasks.core.scales.Scale``) -> ``RatingResult``."""
        from tasks.core.psychopy_engine.rating import SliderScreens
        if self._sliders is None:
            self._sliders = SliderScreens(self)
        return self._sliders.rate(scale, items, planned, timeout_ms)

    def present_adjustable(self, items: tuple, rule, planned=None,
                           feedback: dict | None = None) -> PressResult:
        """A face whose offset the participant's presses move (key-press task)."""
        from tasks.core.psychopy_engine.keypress import present_adjustable
        return present_adjustable(self, items, rule, planned, feedback or {})

    def preload_sounds(self, paths: dict[str, Path]) -> dict:
        """Open the speaker (PTB backend) and create every sound; return audio info."""
        from tasks.core.psychopy_engine.audio import Speaker
        if self._speaker is None:
            self._speaker = Speaker(self.station, log=self.log)
        self._speaker.preload(paths)
        self.audio_backend = self._speaker.backend
        return dict(self._speaker.info)

    def play_sound(self, stim_id: str, items: tuple, duration_ms: float,
                   lead_frames: int = 2) -> SoundResult:
        """Start a preloaded sound on a flip ``lead_frames`` ahead -> ``SoundResult``."""
        from tasks.core.psychopy_engine.audio import play_on_flip
        return play_on_flip(self, self._speaker, stim_id, items, duration_ms, lead_frames)

    # -- gaze (free viewing): ioHub's eye-tracker interface -------------------------------
    def start_gaze(self, station: dict, *, simulated: bool = False) -> dict:
        """Open, calibrate and validate the station's eye tracker through ioHub."""
        from tasks.core.psychopy_engine.gaze import start_gaze
        return start_gaze(self, station, simulated)

    def view(self, screens: list[Screen], gaze: GazeSpec,
             planned: Scanpath | None = None) -> ViewResult:
        """A free-viewing trial with a gaze-contingent start (ioHub samples)."""
        from tasks.core.psychopy_engine.gaze import view
        return view(self, screens, gaze, planned)

    def close(self) -> None:
        if self._gaze is not None:
            self._gaze.close()
            self._gaze = None
        if self._speaker is not None:
            self._speaker.close()
            self._speaker = None
        if self.injector is not None:
            self.injector.close()
            self.injector = None
        if self.win is not None:
            self.win.close()
            self.win = None
