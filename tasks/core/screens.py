"""What task logic asks an engine to show: pure data, no PsychoPy.

A trial is a sequence of :class:`Screen` objects.  Each screen lists what to draw
and either lasts ``duration_ms`` (turned into whole frames by the engine) or, when
it is the response screen, lasts until a key or ``timeout_ms``.  The engine
reports flip-stamped onsets, achieved durations, dropped frames and the response.
"""

from __future__ import annotations

from dataclasses import dataclass


def whole_frames(duration_ms: float, frame_ms: float) -> int:
    """The frames a screen of ``duration_ms`` lasts (at least one), as both engines count.

    >>> [whole_frames(ms, 1000 / 60) for ms in (17, 20, 24, 200)]
    [1, 1, 1, 12]
    """
    return max(1, int(round(duration_ms / frame_ms)))


@dataclass(frozen=True)
class Image:
    stim_id: str
    x_deg: float = 0.0
    y_deg: float = 0.0


@dataclass(frozen=True)
class Fixation:
    pass


# where a probe's dots are drawn, in degrees from its centre, by form
PROBE_DOT_OFFSETS_DEG = {"dot": ((0.0, 0.0),), "colon": ((0.0, 0.4), (0.0, -0.4)),
                         "dots": ((-0.4, 0.0), (0.4, 0.0))}


@dataclass(frozen=True)
class Probe:
    """A dot (``form='dot'``), or two dots stacked (``colon``) or side by side (``dots``)."""

    x_deg: float
    y_deg: float
    form: str = "dot"


@dataclass(frozen=True)
class Text:
    text: str
    y_deg: float = 0.0
    colour: str = "auto"  # "auto": black or white, whichever is readable (WCAG AA) on the
    # background; or a PsychoPy colour name
    height_scale: float = 1.0  # times the station's text height


@dataclass(frozen=True)
class Screen:
    name: str
    items: tuple = ()
    duration_ms: float | None = None  # None: the response screen (until key or time-out)


@dataclass(frozen=True)
class ResponseSpec:
    """Keys that count as a response on the response screen and its time-out."""

    keys: tuple[str, ...]
    timeout_ms: float
    # with station.input: touch, a tap inside one of these (tasks.core.touch.TouchTarget)
    # counts as a press of its key; labelled targets are drawn as buttons
    targets: tuple = ()


@dataclass(frozen=True)
class PlannedResponse:
    """What a simulated participant will do: press ``key`` ``rt_ms`` after the response
    screen's onset (``key=None``: no response)."""

    key: str | None
    rt_ms: float | None
