"""Touch input (contract section 9): on-screen targets as pure data, no PsychoPy.

With ``station.input: touch`` every response a task takes from keys has a touch form:
a tap inside a :class:`TouchTarget` counts as a press of the target's ``key``, so task
logic, the simulated participant's plans and the data stay the same.  The PsychoPy engine
draws the labelled targets, reads taps (mouse presses) and stamps them; the data-only
engine only needs :func:`drop_repeats`.

Target size.  Every target is at least ``MIN_TARGET_CM`` (2.0 cm) on its shorter side,
converted to degrees at the station's viewing distance (1.9 deg at 60 cm).  WCAG 2.5.5
asks 44 CSS px (about 9 mm); for older or motor-impaired users and for a tablet on a
tray table, touch-target studies recommend 15-20 mm or more, and a participant may tap
with a thumb while holding a baby: 2 cm is the upper end of that guidance, and the
continue button is larger still (``BUTTON_HEIGHT_CM`` x ``BUTTON_WIDTH_CM``).

>>> t = TouchTarget("left", -6.5, 0.0, 8.0, 9.0)
>>> t.contains(-3.0, 4.0), t.contains(-2.0, 0.0)
(True, False)
>>> hit((t, TouchTarget("right", 6.5, 0.0, 8.0, 9.0)), 7.0, -1.0)
'right'
>>> round(cm_to_deg(2.0, 60.0), 2)
1.91
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

MIN_TARGET_CM = 2.0  # the shorter side of every touch target
BUTTON_HEIGHT_CM = 2.5  # continue / confirm / more / less buttons
BUTTON_WIDTH_CM = 7.0
BUTTON_MARGIN_DEG = 0.6  # from the bottom edge of the window
# labels when no message catalogue is installed (tasks/core/messages.py, configs/lang/)
DEFAULT_LABELS = {"continue": "Continue", "confirm": "Confirm", "more": "More",
                  "less": "Less", "colon": ":", "dots": ". ."}
# the texts around the buttons (instructions, prompts, the rating hint) have touch forms in
# the catalogues: ids <id>_touch (tasks/core/messages.py, docs/languages.md)


def cm_to_deg(size_cm: float, distance_cm: float) -> float:
    """Visual angle of ``size_cm`` centred on the line of sight at ``distance_cm``."""
    return math.degrees(2.0 * math.atan(size_cm / (2.0 * distance_cm)))


def deg_to_cm(size_deg: float, distance_cm: float) -> float:
    return 2.0 * distance_cm * math.tan(math.radians(size_deg) / 2.0)


@dataclass(frozen=True)
class TouchTarget:
    """A tap inside this rectangle (degrees, centre and size) counts as ``key``;
    ``label`` is drawn on a button (``None``: an invisible area, e.g. around a probe)."""

    key: str
    x_deg: float
    y_deg: float
    width_deg: float
    height_deg: float
    label: str | None = None

    def contains(self, x_deg: float, y_deg: float) -> bool:
        return (abs(x_deg - self.x_deg) <= self.width_deg / 2
                and abs(y_deg - self.y_deg) <= self.height_deg / 2)


def hit(targets, x_deg: float, y_deg: float) -> str | None:
    """The key of the first target containing the tap; ``None`` outside every target."""
    for target in targets:
        if target.contains(x_deg, y_deg):
            return target.key
    return None


def target_of(targets, key: str) -> TouchTarget | None:
    return next((t for t in targets if t.key == key), None)


def min_target_deg(station: dict) -> float:
    return cm_to_deg(MIN_TARGET_CM, float(station["viewing_distance_cm"]))


def button_size_deg(station: dict) -> tuple[float, float]:
    distance = float(station["viewing_distance_cm"])
    return cm_to_deg(BUTTON_WIDTH_CM, distance), cm_to_deg(BUTTON_HEIGHT_CM, distance)


def bottom_row_y(station: dict, window_height_deg: float) -> float:
    """The centre height of the button row at the bottom of the window."""
    _, height = button_size_deg(station)
    return -window_height_deg / 2 + BUTTON_MARGIN_DEG + height / 2


def continue_button(station: dict, window_height_deg: float, key: str, label: str
                    ) -> TouchTarget:
    width, height = button_size_deg(station)
    return TouchTarget(key, 0.0, bottom_row_y(station, window_height_deg), width, height,
                       label)


def button_pair(station: dict, y_deg: float, left: tuple[str, str], right: tuple[str, str],
                gap_deg: float = 6.0) -> tuple[TouchTarget, TouchTarget]:
    """Two labelled buttons side by side (``(key, label)`` each), ``gap_deg`` apart."""
    width, height = button_size_deg(station)
    dx = (width + gap_deg) / 2
    return (TouchTarget(left[0], -dx, y_deg, width, height, left[1]),
            TouchTarget(right[0], dx, y_deg, width, height, right[1]))


def area(station: dict, key: str, x_deg: float, y_deg: float, width_deg: float,
         height_deg: float) -> TouchTarget:
    """An invisible area (e.g. a picture's place, where the probe appears), never
    smaller than the minimum target."""
    least = min_target_deg(station)
    return TouchTarget(key, x_deg, y_deg, max(width_deg, least), max(height_deg, least))


def drop_repeats(presses, pairs) -> list:
    """A planned press that repeats the previous key of its pair does not count on a
    keyboard (the key-press task's take-turns rule); a finger lifts between taps of one
    button, so with touch such a press is not made at all.

    >>> drop_repeats([("x", 1), ("x", 2), ("z", 3), ("n", 4)], (("x", "z"), ("n", "m")))
    [('x', 1), ('z', 3), ('n', 4)]
    """
    last: dict = {}
    out = []
    for key, t_ms in presses:
        pair = next((i for i, p in enumerate(pairs) if key in p), None)
        if pair is not None and last.get(pair) == key:
            continue
        last[pair] = key
        out.append((key, t_ms))
    return out


def labels(station: dict) -> dict[str, str]:
    """The buttons' labels in the station's language (catalogue ids ``touch.*``)."""
    return dict(_labels(station.get("language", "en")))


@functools.lru_cache(maxsize=8)
def _labels(language: str) -> tuple:
    try:
        from tasks.core.messages import load_catalogue
    except ImportError:  # the message catalogues are not installed: English labels
        return tuple(DEFAULT_LABELS.items())
    catalogue = load_catalogue(language)
    return tuple((name, catalogue.text(f"touch.{name}")) for name in DEFAULT_LABELS)


def input_provenance(station: dict, pointer_backend: str) -> dict:
    """``Provenance.Input``: the device, the target size and how taps were read."""
    distance = float(station["viewing_distance_cm"])
    device = station.get("input", "keyboard")
    out = {"Device": device}
    if device == "touch":
        width, height = button_size_deg(station)
        out.update({"MinTargetSizeCm": MIN_TARGET_CM,
                    "MinTargetSizeDeg": round(cm_to_deg(MIN_TARGET_CM, distance), 3),
                    "ButtonSizeCm": [BUTTON_WIDTH_CM, BUTTON_HEIGHT_CM],
                    "ButtonSizeDeg": [round(width, 3), round(height, 3)],
                    "PointerBackend": pointer_backend,
                    "Note": "a tap is a mouse press inside a target; its time stamp is "
                            "taken when the window's event loop reads it (polled about "
                            "every millisecond between flips); RT from the response "
                            "screen's flip"})
    return out


# -- rating scales by touch: a tap on the line places the marker, a button confirms --------
def scale_value(scale, x_deg: float, width_deg: float) -> float:
    """The value at a tap ``x_deg`` on a scale ``width_deg`` wide (centred), clipped,
    in whole points (a 7-point scale's ticks; a 0-100 VAS to 1 point).

    >>> from tasks.core.scales import build_scales
    >>> s = build_scales(["cuteness"], "likert")[0]
    >>> scale_value(s, 0.0, 18.0), scale_value(s, 9.5, 18.0), scale_x(s, 7.0, 18.0)
    (4.0, 7.0, 9.0)
    """
    frac = min(1.0, max(0.0, (x_deg + width_deg / 2) / width_deg))
    return float(round(scale.minimum + frac * (scale.maximum - scale.minimum)))


def scale_x(scale, value: float, width_deg: float) -> float:
    return (value - scale.minimum) / (scale.maximum - scale.minimum) * width_deg - width_deg / 2


TAP_BEFORE_CONFIRM_MS = 450.0


def rating_taps(scale, value: float, rt_ms: float) -> list[tuple[str, float]]:
    """The simulated participant's taps for ``value`` confirmed at the time its arrow keys
    would confirm (``key_schedule``): ``("scale", ms)`` then ``("confirm", ms)``, so that
    a run's ratings and their times are the same with either input.

    >>> from tasks.core.scales import build_scales
    >>> rating_taps(build_scales(["cuteness"], "likert")[0], 5, 1000)
    [('scale', 550.0), ('confirm', 1000.0)]
    """
    from tasks.core.scales import key_schedule
    confirm_ms = key_schedule(scale, value, rt_ms)[-1][1]
    return [("scale", max(100.0, confirm_ms - TAP_BEFORE_CONFIRM_MS)), ("confirm", confirm_ms)]


def rating_targets(station: dict, slider_y_deg: float, slider_width_deg: float,
                   window_height_deg: float, label: str) -> tuple[TouchTarget, TouchTarget]:
    """The scale's line (a band at least the minimum target high, reaching a half
    target beyond either end) and the confirm button in the bottom row."""
    least = min_target_deg(station)
    line = TouchTarget("scale", 0.0, slider_y_deg, slider_width_deg + least, least)
    width, height = button_size_deg(station)
    confirm = TouchTarget("confirm", 0.0, bottom_row_y(station, window_height_deg), width,
                          height, label)
    return line, confirm
