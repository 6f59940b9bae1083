"""Is there an X display to open a window (or a dialog) on?  No PsychoPy here: the check
runs before anything imports it, so that a missing display is one line, not a traceback."""

from __future__ import annotations

import os

from icb.errors import BadInput


def display_answers() -> bool:
    """Does the X display in $DISPLAY accept a connection (a dialog can be shown)?"""
    if not os.environ.get("DISPLAY"):
        return False
    try:
        from Xlib import display as xdisplay
        from Xlib.error import DisplayError
    except ImportError:
        return True  # cannot tell; let the toolkit try
    try:
        xdisplay.Display().close()
    except (DisplayError, OSError):
        return False
    return True


def require_display() -> None:
    """Raise :class:`BadInput` (exit 2) with one line when no X display answers."""
    if display_answers():
        return
    shown = os.environ.get("DISPLAY")
    what = f"the X display DISPLAY={shown} does not answer" if shown else "DISPLAY is not set"
    raise BadInput(f"no display for the PsychoPy window: {what}; allowed: run at the "
                   "station's X11 session (not Wayland, not over ssh without X), or headless "
                   "with scripts/headless.sh icb ... (a virtual display, for tests only); "
                   "nothing was run or written")
