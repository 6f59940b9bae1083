"""Simple neutral household objects (practice trials and fillers; category ``object``).

Six kinds (mug, wall clock, vase, table lamp, book, bottle), each drawn with a
seeded variation per set, on the same canvas and backdrop as the faces.
"""

from __future__ import annotations

import numpy as np

from tasks.stimulus_factory.draw import Canvas, bezier
from tasks.stimulus_factory.normalise import WIDTH_PX
from tasks.stimulus_factory.posed_drawing import tabletop_canvas

KINDS = ("mug", "clock", "vase", "lamp", "book", "bottle")


def _cylinder_shading(cv: Canvas, x0: float, x1: float, base: float):
    u = np.clip((cv.x - x0) / max(x1 - x0, 1.0), 0.0, 1.0)
    return base * (0.78 + 0.3 * np.sin(np.pi * u) ** 0.7) - 0.08 * u


def render_object(kind: str, rng: np.random.Generator) -> np.ndarray:
    """Render one object; float array (HEIGHT_PX, WIDTH_PX) in 0..1."""
    cx = WIDTH_PX / 2.0
    cv = tabletop_canvas(shadow_cx_px=cx, shadow_rx_px=80)  # a backdrop and a table top to stand on
    j = lambda sd: float(rng.normal(0.0, sd))  # noqa: E731 - a tiny local helper
    tone = float(np.clip(0.72 + j(0.06), 0.55, 0.85))
    if kind == "mug":
        w, h = 58 + j(4), 86 + j(5)
        x0, x1, top = cx - w - 12, cx + w - 12, 262 - h * 2 + 40
        handle = cv.ellipse(x1 + 6, top + h * 0.7, 30, 38) - cv.ellipse(x1 + 6, top + h * 0.7, 17, 25)
        cv.paint(np.clip(handle, 0, 1), tone * 0.8)
        body = cv.polygon([(x0, top), (x1, top), (x1 - 4, 262), (x0 + 4, 262)])
        cv.paint(body, _cylinder_shading(cv, x0, x1, tone))
        cv.paint(cv.ellipse(cx - 12, top, w, 12), tone * 0.55)
        cv.paint(cv.ellipse(cx - 12, top + 2, w - 6, 8), 0.25)
    elif kind == "clock":
        r = 92 + j(5)
        cy = 150.0
        cv.paint(cv.ellipse(cx, cy, r, r), tone * 0.55)
        cv.paint(cv.ellipse(cx, cy, r - 10, r - 10), 0.93)
        for k in range(12):
            a = 2 * np.pi * k / 12
            ln = 14 if k % 3 == 0 else 7
            cv.paint(cv.line([(cx + (r - 16) * np.sin(a), cy - (r - 16) * np.cos(a)),
                              (cx + (r - 16 - ln) * np.sin(a), cy - (r - 16 - ln) * np.cos(a))], 3.0), 0.15)
        hour, minute = rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi)
        cv.paint(cv.line([(cx, cy), (cx + 40 * np.sin(hour), cy - 40 * np.cos(hour))], 6.0), 0.1)
        cv.paint(cv.line([(cx, cy), (cx + 62 * np.sin(minute), cy - 62 * np.cos(minute))], 3.5), 0.1)
        cv.paint(cv.ellipse(cx, cy, 6, 6), 0.1)
    elif kind == "vase":
        neck, belly = 22 + j(3), 62 + j(5)
        left = bezier((cx - neck, 70), (cx - belly * 1.9, 190), (cx - neck * 1.4, 262), 32)
        right = [(2 * cx - x, y) for x, y in reversed(left)]
        cv.paint(cv.polygon(left + right), _cylinder_shading(cv, cx - belly, cx + belly, tone))
        cv.paint(cv.ellipse(cx, 70, neck + 4, 6), tone * 0.6)
    elif kind == "lamp":
        cv.paint(cv.polygon([(cx - 40, 60), (cx + 40, 60), (cx + 75, 150), (cx - 75, 150)]),
                 _cylinder_shading(cv, cx - 75, cx + 75, min(0.92, tone + 0.12)))
        cv.paint(cv.polygon([(cx - 5, 150), (cx + 5, 150), (cx + 5, 250), (cx - 5, 250)]), 0.3)
        cv.paint(cv.ellipse(cx, 256, 50 + j(4), 10), 0.28)
    elif kind == "book":
        w, h = 70 + j(4), 100 + j(5)
        cv.paint(cv.polygon([(cx - w, 262 - 2 * h), (cx + w, 262 - 2 * h), (cx + w, 262), (cx - w, 262)]),
                 tone * 0.35)
        cv.paint(cv.polygon([(cx - w + 10, 262 - 2 * h), (cx - w + 22, 262 - 2 * h), (cx - w + 22, 262),
                             (cx - w + 10, 262)]), tone * 0.5)
        cv.paint(cv.polygon([(cx - 30, 262 - 1.6 * h), (cx + 45, 262 - 1.6 * h), (cx + 45, 262 - 1.35 * h),
                             (cx - 30, 262 - 1.35 * h)]), 0.9)
    elif kind == "bottle":
        w = 44 + j(3)
        body = cv.polygon([(cx - 13, 40), (cx + 13, 40), (cx + 13, 90)] + bezier((cx + 13, 90), (cx + w, 100),
                                                                                   (cx + w, 140))
                          + [(cx + w, 262), (cx - w, 262)] + bezier((cx - w, 140), (cx - w, 100), (cx - 13, 90)))
        cv.paint(body, _cylinder_shading(cv, cx - w, cx + w, tone * 0.8))
        cv.paint(cv.polygon([(cx - w, 160), (cx + w, 160), (cx + w, 220), (cx - w, 220)]), 0.9)
        cv.paint(cv.polygon([(cx - 15, 34), (cx + 15, 34), (cx + 15, 52), (cx - 15, 52)]), 0.2)
    else:
        raise ValueError(f"unknown object kind {kind!r}")
    return cv.result()
