"""Touch input in the PsychoPy window (``station.input: touch``, contract section 9).

A touch screen reaches the X server as a pointer: a tap is a button-1 press at the
finger's place.  PsychoPy reads the pointer through pyglet's window events, and both of
its mouse paths (``event.Mouse`` and ``psychopy.hardware.mouse.Mouse``) stamp a press with
the clock when pyglet dispatches the event, not when it happened: the stamp is as good
as the polling.  So the engine polls: while the software frame pacing waits for the next
flip it dispatches the window's events every ``POLL_S`` (1 ms), and a press is stamped
by :class:`TapReader` (a pyglet handler of its own) with ``core.getTime()`` when read.
With vertical sync the main thread is blocked in the flip for most of a frame and a tap
is stamped when the flip returns (up to one frame late): the resolution is reported in
``Provenance.Input`` and measured by ``icb check`` and benchmarks/input_latency.py.

RT = the tap's stamp minus the response screen's flip stamp (the same clock).  The
simulated participant taps through the X server (``KeyInjector.tap``, XTEST), at the
centre of the on-screen target of the key it planned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tasks.core import touch as touch_data
from tasks.core.screens import PROBE_DOT_OFFSETS_DEG
from tasks.core.touch import TouchTarget

POLL_S = 0.001  # how often the window's events are read while a flip is awaited
# the discrimination probe's buttons show the dots themselves (as a Probe of that form is
# drawn), not a small ":" or ". ." in text
PROBE_LABELS = {":": PROBE_DOT_OFFSETS_DEG["colon"], "..": PROBE_DOT_OFFSETS_DEG["dots"]}
BUTTON_FILL = (-0.55, -0.55, -0.45)  # dark slate; the label is white (contrast > 7:1)


@dataclass(frozen=True)
class Tap:
    t_s: float  # core.getTime() when the press was read
    x_deg: float
    y_deg: float


class TapReader:
    """Button-1 presses on the window, stamped when pyglet dispatches them."""

    def __init__(self, win, core, px_per_deg: float):
        self.win, self.core, self.px_per_deg = win, core, px_per_deg
        self._taps: list[Tap] = []
        win.winHandle.push_handlers(on_mouse_press=self._on_press)

    def _on_press(self, x, y, button, modifiers):
        if button & 1:  # pyglet.window.mouse.LEFT: a finger
            width, height = self.win.winHandle.get_size()
            self._taps.append(Tap(self.core.getTime(), (x - width / 2) / self.px_per_deg,
                                  (y - height / 2) / self.px_per_deg))

    def pump(self) -> None:
        self.win.winHandle.dispatch_events()

    def take(self) -> list[Tap]:
        self.pump()
        taps, self._taps = self._taps, []
        return taps

    def clear(self) -> None:
        self.take()


class TouchMixin:
    """Touch methods of :class:`~tasks.core.psychopy_engine.window.PsychoPyEngine` (uses
    its ``station``, ``win``, ``_core``, ``injector`` and ``_text``)."""

    _touch: TapReader | None = None

    def _open_touch(self) -> None:
        if self.station.get("input", "keyboard") != "touch":
            return
        from psychopy import visual
        from psychopy.tools.monitorunittools import deg2pix
        self._px_per_deg = float(deg2pix(1.0, self.win.monitor))
        self._touch = TapReader(self.win, self._core, self._px_per_deg)
        self.pointer_backend = ("pyglet mouse events (the X pointer; a touch screen's "
                                "taps are button-1 presses), stamped when read: every "
                                f"{POLL_S * 1000:g} ms between flips")
        self.touch_labels = touch_data.labels(self.station)
        self._button_box = visual.Rect(self.win, width=1, height=1, fillColor=BUTTON_FILL,
                                       lineColor="white", lineWidth=2, colorSpace="rgb",
                                       autoLog=False)

    @property
    def touch_on(self) -> bool:
        return self._touch is not None

    def _window_height_deg(self) -> float:
        return float(self.win.size[1]) / self._px_per_deg

    def _continue_target(self, key: str = "space") -> TouchTarget:
        return touch_data.continue_button(self.station, self._window_height_deg(), key,
                                          self.touch_labels["continue"])

    def _pace_wait(self, left_s: float) -> None:
        """Wait ``left_s`` for the next flip; with touch, reading taps every ``POLL_S``."""
        if self._touch is None:
            time.sleep(left_s - 0.002 if left_s > 0.003 else 0)
            return
        self._touch.pump()
        time.sleep(min(POLL_S, max(0.0, left_s - 0.0005)))

    def _draw_target(self, target: TouchTarget) -> None:
        if target.label is None:
            return  # an invisible area (the picture under the probe)
        self._button_box.pos = (target.x_deg, target.y_deg)
        self._button_box.size = (target.width_deg, target.height_deg)
        self._button_box.draw()
        form = PROBE_LABELS.get(target.label.replace(" ", ""))
        if form is not None:  # a discrimination button shows the probe it stands for
            for dx, dy in form:
                self._dot.pos = (target.x_deg + dx, target.y_deg + dy)
                self._dot.draw()
            return
        height = self.text_size.height_deg
        self._text.text = target.label
        self._text.pos = (target.x_deg, target.y_deg)
        self._text.height = height
        self._text.color = "white"
        self._text.draw()

    def _tapped(self, targets) -> list[tuple[str, float]]:
        """(key, time stamp) of every tap since the last call that hit a target."""
        if self._touch is None:
            return []
        out = []
        for tap in self._touch.take():
            key = touch_data.hit(targets, tap.x_deg, tap.y_deg)
            if key is not None:
                out.append((key, tap.t_s))
        return out

    def _tap_at_later(self, x_deg: float, y_deg: float, delay_s: float) -> None:
        """The simulated participant's finger: a tap at a point in degrees, later."""
        if self.injector is None:
            return
        from tasks.core.psychopy_engine.injector import deg_to_root_px
        origin = self.win.winHandle.get_location()
        x, y = deg_to_root_px(origin, self.win.winHandle.get_size(), self._px_per_deg,
                              x_deg, y_deg)
        self.injector.tap_later(x, y, delay_s)

    def _tap_key_later(self, targets, key: str, delay_s: float) -> None:
        """A planned key press becomes a tap at the centre of that key's target."""
        target = touch_data.target_of(targets, key)
        if target is not None:
            self._tap_at_later(target.x_deg, target.y_deg, delay_s)


@dataclass(frozen=True)
class TapKey:
    """A tap on a target, shaped like a key press: ``name`` (the target's key) and ``rt``
    (seconds from the response screen's flip)."""

    name: str
    rt: float


def taps_as_keys(engine, targets, onset_abs_s: float) -> list[TapKey]:
    """Taps on ``targets`` read since the last call, at or after ``onset_abs_s`` (on
    ``core.getTime()``), as key presses timed from that flip."""
    return [TapKey(key, t - onset_abs_s) for key, t in engine._tapped(targets)
            if t >= onset_abs_s]


def rate_by_touch(engine, scale, targets, marker, onset_abs_s: float, slider_width_deg: float):
    """Taps on a rating screen since the last call: (marker, confirmed RT in ms or None,
    number of taps on a target).  A tap on the line places the marker; a tap on the
    confirm button with the marker shown confirms it."""
    n = 0
    for tap in engine._touch.take():
        if tap.t_s < onset_abs_s:
            continue
        what = touch_data.hit(targets, tap.x_deg, tap.y_deg)
        if what == "scale":
            marker = touch_data.scale_value(scale, tap.x_deg, slider_width_deg)
            n += 1
        elif what == "confirm" and marker is not None:
            return marker, (tap.t_s - onset_abs_s) * 1000.0, n + 1
    return marker, None, n


def plan_rating_taps(engine, scale, targets, value: float, rt_ms: float, slider_y_deg: float,
                     slider_width_deg: float) -> None:
    """The simulated participant's taps for a planned rating, timed from the next flip."""
    confirm = touch_data.target_of(targets, "confirm")
    for what, t_ms in touch_data.rating_taps(scale, value, rt_ms):
        x, y = (touch_data.scale_x(scale, value, slider_width_deg), slider_y_deg) \
            if what == "scale" else (confirm.x_deg, confirm.y_deg)
        engine.win.callOnFlip(engine._tap_at_later, x, y, t_ms / 1000.0)
