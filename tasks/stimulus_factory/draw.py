"""A tiny supersampled greyscale canvas for the schematic faces and objects.

Shapes are rasterised at ``ss`` times the final resolution (Pillow polygons and
lines, or analytic ellipses in numpy), composited in floating point (values in
0..1) and box-filtered down, which anti-aliases every edge.  Coordinates are
always given in final-image pixels.  Everything here is deterministic: no
random numbers, no fonts, no timestamps.
"""

from __future__ import annotations

import numpy as np


class Canvas:
    """A float canvas (0 = black, 1 = white) drawn at ``ss`` x the output size."""

    def __init__(self, width_px: int, height_px: int, background: float, ss: int = 3):
        self.width_px = width_px
        self.height_px = height_px
        self.ss = ss
        self.img = np.full((height_px * ss, width_px * ss), float(background))
        ys = (np.arange(height_px * ss) + 0.5) / ss
        xs = (np.arange(width_px * ss) + 0.5) / ss
        self.y = ys[:, None]
        self.x = xs[None, :]

    # -- masks -------------------------------------------------------------
    def ellipse(self, cx: float, cy: float, rx: float, ry: float, angle_deg: float = 0.0):
        """Analytic ellipse mask (0/1 at supersampled resolution), computed in its bounding box."""
        r = max(rx, ry) if angle_deg else None
        ex, ey = (r, r) if r is not None else (rx, ry)
        ss = self.ss
        r0 = int(np.clip(np.floor((cy - ey) * ss) - 1, 0, self.img.shape[0]))
        r1 = int(np.clip(np.ceil((cy + ey) * ss) + 1, 0, self.img.shape[0]))
        c0 = int(np.clip(np.floor((cx - ex) * ss) - 1, 0, self.img.shape[1]))
        c1 = int(np.clip(np.ceil((cx + ex) * ss) + 1, 0, self.img.shape[1]))
        out = np.zeros(self.img.shape)
        if r0 >= r1 or c0 >= c1:
            return out
        dx = self.x[:, c0:c1] - cx
        dy = self.y[r0:r1, :] - cy
        if angle_deg:
            a = np.deg2rad(angle_deg)
            u = (dx * np.cos(a) + dy * np.sin(a)) / rx
            v = (-dx * np.sin(a) + dy * np.cos(a)) / ry
        else:
            u = dx / rx
            v = dy / ry
        out[r0:r1, c0:c1] = u * u + v * v <= 1.0
        return out

    def polygon(self, points):
        """Filled polygon mask from a sequence of (x, y) in output pixels."""
        from PIL import Image, ImageDraw

        im = Image.new("L", (self.width_px * self.ss, self.height_px * self.ss), 0)
        pts = [(float(x) * self.ss, float(y) * self.ss) for x, y in points]
        ImageDraw.Draw(im).polygon(pts, fill=255)
        return np.asarray(im, dtype=float) / 255.0

    def line(self, points, width_px: float):
        """Polyline mask of the given width with round joints and caps."""
        from PIL import Image, ImageDraw

        im = Image.new("L", (self.width_px * self.ss, self.height_px * self.ss), 0)
        draw = ImageDraw.Draw(im)
        pts = [(float(x) * self.ss, float(y) * self.ss) for x, y in points]
        w = max(1, int(round(width_px * self.ss)))
        draw.line(pts, fill=255, width=w, joint="curve")
        r = w / 2.0
        for x, y in (pts[0], pts[-1]):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
        return np.asarray(im, dtype=float) / 255.0

    # -- painting ----------------------------------------------------------
    def _blur(self, mask, blur_px: float):
        """Gaussian-blur a mask, filtering only the box around its non-zero pixels."""
        from scipy.ndimage import gaussian_filter

        sigma = blur_px * self.ss
        box = _bbox(mask, pad=int(np.ceil(3 * sigma)) + 1)
        if box is None:
            return mask
        out = np.zeros_like(mask)
        out[box] = gaussian_filter(mask[box], sigma, mode="constant", truncate=3.0)
        return out

    def paint(self, mask, value, alpha: float = 1.0, blur_px: float = 0.0):
        """Blend ``value`` (a number or an array like the canvas) through ``mask``."""
        if blur_px > 0:
            mask = self._blur(mask, blur_px)
        box = _bbox(mask)
        if box is None:
            return
        a = np.clip(mask[box] * alpha, 0.0, 1.0)
        value = np.asarray(value)
        if value.ndim:
            value = np.broadcast_to(value, self.img.shape)[box]
        self.img[box] = self.img[box] * (1.0 - a) + value * a

    def shade(self, mask, amount: float, blur_px: float = 0.0):
        """Darken (amount < 0) or lighten (amount > 0) under a soft mask."""
        if blur_px > 0:
            mask = self._blur(mask, blur_px)
        box = _bbox(mask)
        if box is not None:
            self.img[box] += amount * mask[box]

    def result(self) -> np.ndarray:
        """Box-filter down to the output size; float array in 0..1."""
        h, w, s = self.height_px, self.width_px, self.ss
        out = self.img.reshape(h, s, w, s).mean(axis=(1, 3))
        return np.clip(out, 0.0, 1.0)


def _bbox(mask, pad: int = 0):
    """Slices of the box holding a mask's non-zero pixels (grown by ``pad``), or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    r0, r1 = max(0, rows[0] - pad), min(mask.shape[0], rows[-1] + pad + 1)
    c0, c1 = max(0, cols[0] - pad), min(mask.shape[1], cols[-1] + pad + 1)
    return slice(r0, r1), slice(c0, c1)


def arc(cx: float, cy: float, rx: float, ry: float, start_deg: float, end_deg: float, n: int = 24):
    """Points along an elliptical arc (angles in degrees, y down, 0 = right)."""
    t = np.deg2rad(np.linspace(start_deg, end_deg, n))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


def bezier(p0, p1, p2, n: int = 24):
    """Points along a quadratic Bezier curve."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    p0, p1, p2 = (np.asarray(p, dtype=float) for p in (p0, p1, p2))
    pts = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    return [tuple(p) for p in pts]
