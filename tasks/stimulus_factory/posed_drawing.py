"""Drawing helpers for the opioid cues and their household matches.

* :func:`tabletop_canvas` - the backdrop, table top and contact shadow of every
  object picture (the household objects of :mod:`objects` use it too), so all
  object pictures stand in the same scene.
* :class:`FigureCanvas` - a :class:`~tasks.stimulus_factory.draw.Canvas` that also
  records where the figure (the drawn object, not the scene) is, so the figure's
  area, luminance and contrast can be measured and matched.
* :class:`Pose` - draw in an object's own coordinates (``u`` along it, ``v`` across
  it, in pixels) and place it anywhere, turned by ``angle_deg`` and scaled.
* :func:`luma` - the grey level of a plausible colour (Rec. 601 weights): the
  pictures are greyscale, so an amber bottle is drawn at amber's luminance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tasks.stimulus_factory.draw import Canvas
from tasks.stimulus_factory.normalise import HEIGHT_PX, WIDTH_PX

BACKDROP_TONE = 0.45
TABLE_TONE = 0.58
TABLE_TOP_Y_PX = 262.0
SUPERSAMPLING = 2


def luma(rgb: tuple[float, float, float]) -> float:
    """Luminance (0..1) of an RGB colour (0..1 each), Rec. 601 weights."""
    r, g, b = rgb
    return float(0.299 * r + 0.587 * g + 0.114 * b)


class FigureCanvas(Canvas):
    """A canvas that records the union of everything painted while ``recording``."""

    def __init__(self, width_px: int, height_px: int, background: float, ss: int = SUPERSAMPLING):
        super().__init__(width_px, height_px, background, ss)
        self.recording = False
        self._coverage = np.zeros(self.img.shape)

    def paint(self, mask, value, alpha: float = 1.0, blur_px: float = 0.0):
        super().paint(mask, value, alpha, blur_px)
        if self.recording:
            if blur_px > 0:
                mask = self._blur(mask, blur_px)
            np.maximum(self._coverage, np.clip(mask, 0.0, 1.0), out=self._coverage)

    def figure_coverage(self) -> np.ndarray:
        """Fraction of each output pixel covered by the figure (0..1), like :meth:`result`."""
        h, w, s = self.height_px, self.width_px, self.ss
        return self._coverage.reshape(h, s, w, s).mean(axis=(1, 3))


def tabletop_canvas(shadow_cx_px: float, shadow_rx_px: float, canvas_class=Canvas):
    """The object scene: a backdrop, the table top below ``TABLE_TOP_Y_PX``, a soft shadow."""
    cv = canvas_class(WIDTH_PX, HEIGHT_PX, background=BACKDROP_TONE, ss=SUPERSAMPLING)
    cv.paint(cv.polygon([(0, TABLE_TOP_Y_PX), (WIDTH_PX, TABLE_TOP_Y_PX), (WIDTH_PX, HEIGHT_PX),
                         (0, HEIGHT_PX)]), TABLE_TONE)
    cv.shade(cv.ellipse(shadow_cx_px, TABLE_TOP_Y_PX, shadow_rx_px, 8), -0.12, blur_px=4)
    return cv


def figure_canvas(shadow_cx_px: float, shadow_rx_px: float) -> FigureCanvas:
    """A tabletop scene on a :class:`FigureCanvas`, already recording the figure."""
    cv = tabletop_canvas(shadow_cx_px, shadow_rx_px, canvas_class=FigureCanvas)
    cv.recording = True
    return cv


@dataclass(frozen=True)
class Pose:
    """Where an object's own coordinates (u, v) land in the picture (x, y)."""

    x_px: float
    y_px: float
    angle_deg: float = 0.0
    scale: float = 1.0

    def point(self, u: float, v: float) -> tuple[float, float]:
        a = np.deg2rad(self.angle_deg)
        su, sv = u * self.scale, v * self.scale
        return (float(self.x_px + su * np.cos(a) - sv * np.sin(a)),
                float(self.y_px + su * np.sin(a) + sv * np.cos(a)))

    def points(self, uv) -> list[tuple[float, float]]:
        return [self.point(u, v) for u, v in uv]

    def turned(self, u: float, v: float, angle_deg: float) -> "Pose":
        """A pose for a part at (u, v) of this object, turned by a further ``angle_deg``."""
        x, y = self.point(u, v)
        return Pose(x, y, self.angle_deg + angle_deg, self.scale)

    # -- masks in object coordinates --------------------------------------
    def rect(self, cv: Canvas, u0: float, v0: float, u1: float, v1: float):
        return cv.polygon(self.points([(u0, v0), (u1, v0), (u1, v1), (u0, v1)]))

    def rounded_rect(self, cv: Canvas, u0: float, v0: float, u1: float, v1: float, radius: float):
        r = min(radius, abs(u1 - u0) / 2, abs(v1 - v0) / 2)
        uv = []
        for cu, cv_, start in ((u1 - r, v0 + r, -90), (u1 - r, v1 - r, 0), (u0 + r, v1 - r, 90),
                               (u0 + r, v0 + r, 180)):
            t = np.deg2rad(np.linspace(start, start + 90, 7))
            uv += list(zip(cu + r * np.cos(t), cv_ + r * np.sin(t)))
        return cv.polygon(self.points(uv))

    def polygon(self, cv: Canvas, uv):
        return cv.polygon(self.points(uv))

    def ellipse(self, cv: Canvas, u: float, v: float, ru: float, rv: float, angle_deg: float = 0.0):
        x, y = self.point(u, v)
        return cv.ellipse(x, y, ru * self.scale, rv * self.scale, self.angle_deg + angle_deg)

    def line(self, cv: Canvas, uv, width_px: float):
        return cv.line(self.points(uv), width_px * self.scale)

    # -- shading ------------------------------------------------------------
    def across(self, cv: Canvas) -> tuple[np.ndarray, np.ndarray]:
        """Object coordinates (u, v) of every supersampled canvas point."""
        a = np.deg2rad(self.angle_deg)
        dx, dy = cv.x - self.x_px, cv.y - self.y_px
        return ((dx * np.cos(a) + dy * np.sin(a)) / self.scale,
                (-dx * np.sin(a) + dy * np.cos(a)) / self.scale)

    def cylinder(self, cv: Canvas, lo: float, hi: float, base: float, along_v: bool = False):
        """Round-body shading across u (or across v): bright middle, darker far edge."""
        u, v = self.across(cv)
        w = v if along_v else u
        t = np.clip((w - lo) / max(hi - lo, 1.0), 0.0, 1.0)
        return base * (0.78 + 0.3 * np.sin(np.pi * t) ** 0.7) - 0.08 * t
