"""Does the screen match the station's ``screen_size_px``?  Sizes in degrees of visual
angle are computed from the screen's pixels and its width in cm; a screen whose
resolution is not the configured one draws every size wrong by the ratio of the two
(a 10 degree face on a 1280-pixel screen configured as 1920 pixels comes out at 15).
Pure data: the PsychoPy engine asks pyglet for the sizes and calls this."""

from __future__ import annotations


def size_text(size) -> str:
    return f"{int(size[0])}x{int(size[1])}"


def screen_mismatch(configured, screen) -> str | None:
    """``None`` when the screen has the configured size, else what is wrong and how much.

    >>> screen_mismatch([1920, 1080], [1920, 1080]) is None
    True
    >>> screen_mismatch([1920, 1080], [1280, 1024])[:60]
    'station.screen_size_px: the screen is 1280x1024 pixels, the '
    """
    if [int(v) for v in configured] == [int(v) for v in screen]:
        return None
    ratio = float(configured[0]) / float(screen[0])
    how = (f"{ratio:.2f} times too large" if ratio > 1 else f"{1 / ratio:.2f} times too small")
    return (f"station.screen_size_px: the screen is {size_text(screen)} pixels, the config "
            f"says {size_text(configured)}; every size in degrees would be drawn {how}")


def fullscreen_refusal(configured, screen) -> str | None:
    """The one-line refusal of a full-screen run on a screen of another size (exit 2)."""
    problem = screen_mismatch(configured, screen)
    if problem is None:
        return None
    return (f"{problem}. Allowed: set screen_size_px: [{int(screen[0])}, {int(screen[1])}] in "
            "the station config (and check that screen_width_cm is this screen's visible "
            "width), or --windowed for a trial run; nothing was run or written")


def window_mismatch(requested, actual) -> str | None:
    """A window the window manager (or a small screen) made another size than asked."""
    if [int(v) for v in requested] == [int(v) for v in actual]:
        return None
    return (f"station.window_size_px: the window opened at {size_text(actual)} pixels, "
            f"not the configured {size_text(requested)}")


def px_per_deg(screen_px_width: float, screen_width_cm: float, distance_cm: float) -> float:
    """Screen pixels per degree of visual angle as PsychoPy's ``deg`` units draw them
    (``deg2cm``: degrees x distance x 0.017455, no flat-screen correction).

    >>> round(px_per_deg(1920, 53.0, 60.0), 3)
    37.94
    """
    return distance_cm * 0.017455 * screen_px_width / screen_width_cm
