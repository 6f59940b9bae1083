"""Text that can be read on the window's background: WCAG 2 contrast (no PsychoPy here).

Reference: W3C, Web Content Accessibility Guidelines 2.1, success criterion 1.4.3
(contrast minimum, level AA: 4.5:1 for normal text), with the relative luminance of
sRGB colours defined there.
"""

from __future__ import annotations

WCAG_AA = 4.5
WHITE = (1.0, 1.0, 1.0)
BLACK = (-1.0, -1.0, -1.0)


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of a PsychoPy ``rgb`` colour (each channel -1..1).

    >>> round(relative_luminance((0.0, 0.0, 0.0)), 3)  # the default mid-grey background
    0.214
    """
    def linear(c: float) -> float:
        s = (c + 1.0) / 2.0
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """(L_lighter + 0.05) / (L_darker + 0.05).

    >>> round(contrast_ratio(WHITE, (0.0, 0.0, 0.0)), 2), round(contrast_ratio(BLACK, (0.0, 0.0, 0.0)), 2)
    (3.98, 5.28)
    """
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def readable_text_colour(background) -> tuple[float, float, float]:
    """White or black, whichever contrasts more with ``background`` (always >= 4.58:1).

    >>> readable_text_colour((0.0, 0.0, 0.0))  # white on mid-grey is only 3.98:1
    (-1.0, -1.0, -1.0)
    >>> readable_text_colour((-1.0, -1.0, -1.0))
    (1.0, 1.0, 1.0)
    """
    bg = tuple(float(c) for c in background)
    return WHITE if contrast_ratio(WHITE, bg) >= contrast_ratio(BLACK, bg) else BLACK
