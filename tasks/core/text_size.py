"""The one rule for the size of the participant's text (contract section 9).

``station.text_height_frac`` (a fraction of the window's height) replaces
``station.text_height_deg`` when it is set; either way the engine draws text at
:attr:`TextSize.height_deg` and wraps it at :attr:`TextSize.wrap_deg`, which leaves a
margin on both sides of the window and never exceeds ``MAX_WRAP_DEG`` (long lines are hard
to read on a wide screen).  Nothing here imports PsychoPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

MAX_WRAP_DEG = 28.0  # longest line on a wide screen
SIDE_MARGIN_FRAC = 0.05  # of the window's width, on each side
BOTTOM_MARGIN_FRAC = 0.02  # of the window's height, under the lowest text


@dataclass(frozen=True)
class TextSize:
    height_deg: float
    height_frac: float  # of the window's height
    wrap_deg: float
    window_w_deg: float = 0.0  # the window the sizes were computed for
    window_h_deg: float = 0.0

    def provenance(self) -> dict:
        """``Provenance.Display`` keys."""
        return {"TextHeightDeg": round(self.height_deg, 4),
                "TextHeightFrac": round(self.height_frac, 5),
                "TextWrapDeg": round(self.wrap_deg, 3)}


def text_size(station: Mapping, window_w_deg: float, window_h_deg: float) -> TextSize:
    """The text height and wrap width for a window ``window_w_deg`` x ``window_h_deg``.

    >>> text_size({"text_height_deg": 0.8}, 40.0, 30.0)
    TextSize(height_deg=0.8, height_frac=0.02666666666666667, wrap_deg=28.0, window_w_deg=40.0, window_h_deg=30.0)
    >>> text_size({"text_height_deg": 0.8, "text_height_frac": 0.05}, 20.0, 15.0).height_deg
    0.75
    """
    frac = station.get("text_height_frac")
    if frac is not None:
        height_deg = float(frac) * window_h_deg
    else:
        height_deg = float(station["text_height_deg"])
        frac = height_deg / window_h_deg
    wrap_deg = min(MAX_WRAP_DEG, window_w_deg * (1.0 - 2.0 * SIDE_MARGIN_FRAC))
    return TextSize(height_deg, float(frac), wrap_deg, float(window_w_deg), float(window_h_deg))


def lowest_centre_deg(size: TextSize, block_height_deg: float) -> float:
    """The lowest centre a text block ``block_height_deg`` tall may have and still end
    ``BOTTOM_MARGIN_FRAC`` of the window's height above its bottom edge.

    >>> round(lowest_centre_deg(TextSize(0.8, 0.04, 24.0, 26.0, 20.0), 1.0), 2)
    -9.1
    """
    return -size.window_h_deg / 2 + BOTTOM_MARGIN_FRAC * size.window_h_deg + block_height_deg / 2
