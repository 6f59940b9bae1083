"""The simulated participant's keyboard and finger: X key events and pointer taps injected
with the XTEST extension (as a person's keyboard or a touch screen would send them), read
back by PsychoPy's keyboard backend and the window's mouse events."""

from __future__ import annotations

import threading
import time

from icb.errors import BadInput

# PsychoPy key names -> X keysym names, for the simulated participant.
_KEYSYMS = {"left": "Left", "right": "Right", "up": "Up", "down": "Down", "space": "space",
            "escape": "Escape", "return": "Return", "f12": "F12", "end": "End",
            "pause": "Pause", "comma": "comma", "period": "period", "slash": "slash"}


def deg_to_root_px(origin_px, size_px, px_per_deg: float, x_deg: float, y_deg: float
                   ) -> tuple[int, int]:
    """A point in the window's degrees (centre 0, y up) -> X root-window pixels (y down).

    >>> deg_to_root_px((100, 50), (1024, 768), 40.0, 1.0, -2.0)
    (652, 514)
    """
    x = origin_px[0] + size_px[0] / 2 + x_deg * px_per_deg
    y = origin_px[1] + size_px[1] / 2 - y_deg * px_per_deg
    return int(round(x)), int(round(y))


class KeyInjector:
    """Presses keys through the X server (XTEST), from a timer thread."""

    def __init__(self):
        from Xlib import X, XK, display  # python-xlib
        from Xlib.ext import xtest
        self._X, self._XK, self._xtest = X, XK, xtest
        self._display = display.Display()
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []
        self._down: set[int] = set()  # keys pressed and not yet released
        self._button_down = False  # the pointer's button 1 (a finger on the screen)
        self.clock = time.perf_counter  # what ``taps`` are stamped with (a check sets it)
        self.taps: list[float] = []  # self.clock() right after each injected button press
        self._closed = False

    def press(self, key: str, hold_s: float = 0.05) -> None:
        keysym = self._XK.string_to_keysym(_KEYSYMS.get(key, key))
        code = self._display.keysym_to_keycode(keysym)
        if not code:
            raise BadInput(f"simulated participant: no X key code for key {key!r}")
        with self._lock:
            if self._closed:
                return
            self._down.add(code)
            self._xtest.fake_input(self._display, self._X.KeyPress, code)
            self._display.sync()
        time.sleep(hold_s)
        self._release(code)

    def _release(self, code: int) -> None:
        with self._lock:
            if code in self._down:
                self._xtest.fake_input(self._display, self._X.KeyRelease, code)
                self._display.sync()
                self._down.discard(code)

    def tap(self, x_px: int, y_px: int, hold_s: float = 0.06) -> None:
        """A finger's tap at root-window pixels: the pointer moves there, button 1 goes
        down, and up again ``hold_s`` later (a touch screen sends exactly this)."""
        with self._lock:
            if self._closed:
                return
            self._xtest.fake_input(self._display, self._X.MotionNotify, x=x_px, y=y_px)
            self._xtest.fake_input(self._display, self._X.ButtonPress, 1)
            self._display.sync()
            self.taps.append(self.clock())
            self._button_down = True
        time.sleep(hold_s)
        self._lift()

    def _lift(self) -> None:
        with self._lock:
            if self._button_down:
                self._xtest.fake_input(self._display, self._X.ButtonRelease, 1)
                self._display.sync()
                self._button_down = False

    def tap_later(self, x_px: int, y_px: int, delay_s: float) -> None:
        timer = threading.Timer(max(0.0, delay_s), self.tap, args=(x_px, y_px))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def press_later(self, key: str, delay_s: float) -> None:
        timer = threading.Timer(max(0.0, delay_s), self.press, args=(key,))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def close(self) -> None:
        """Cancel pending presses, finish those under way, and never leave a key held
        down in the X server (it would swallow the next press of that key)."""
        for timer in self._timers:
            timer.cancel()
        for timer in self._timers:
            if timer.is_alive():
                timer.join(timeout=1.0)
        self._timers.clear()
        for code in list(self._down):
            self._release(code)
        self._lift()
        with self._lock:
            self._closed = True
        self._display.close()
