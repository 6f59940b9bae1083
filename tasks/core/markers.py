"""Event markers: one per flip-locked event, named and numbered here, sent elsewhere.

Both engines call :meth:`MarkerHooks._mark` at every flip-locked event (a screen's first
flip, a sound's scheduled flip, a rating scale's onset, a response at its key's or tap's
own time) and at the run's first flip.  :class:`Markers` turns that into the contract's
text ``<task label>|<trial_index>|<event>|<stim id or n/a>`` (contract section 8) and
hands it, with the event's time on the run clock, to a sender (the LSL outlet of
``tasks.lsl.markers``; a list in tests).  Nothing here imports pylsl or PsychoPy.

``trial_index`` is the events row the event belongs to.  The trial loop says where a
trial's rows start (:meth:`Markers.begin_trial`); a trial with several rows has one
row per rating scale (cry rating, picture rating), so each ``rating`` event after the
first moves to the next row, and the events before the first scale (the picture, the
sound) belong to the trial's first row.  Events between trials (instructions, breaks,
run start and end) carry ``n/a``.
"""

from __future__ import annotations

from typing import Callable

from tasks.core.screens import Image

RUN_START, RUN_END, RESPONSE, RATING, SOUND, DISPLAY = (
    "run_start", "run_end", "response", "rating", "sound", "display")


def stim_text(items) -> str:
    """The stimulus ids of what a screen shows, joined by ``+`` (``n/a`` when none).

    >>> stim_text((Image("inf_neu_A01", -5), Image("adu_neu_A01", 5)))
    'inf_neu_A01+adu_neu_A01'
    >>> stim_text(()), stim_text("cry_hi_A01")
    ('n/a', 'cry_hi_A01')
    """
    if isinstance(items, str):
        return items or "n/a"
    ids = [item.stim_id for item in items if isinstance(item, Image)]
    return "+".join(ids) if ids else "n/a"


class Markers:
    """Names and numbers the events of one run; ``send(text, t_run_s)`` delivers them
    (``None``: nothing is sent, the run clock's origin is still reported to
    ``on_run_start``)."""

    def __init__(self, label: str, send: Callable[[str, float], None] | None = None,
                 on_run_start: Callable[[float], None] | None = None):
        self.label, self.send, self.on_run_start = label, send, on_run_start
        self.first_row: int | None = None
        self.row_offset = 0
        self.rated = False

    def run_started(self, origin_s: float) -> None:
        """The run's first flip, at ``origin_s`` on the engine's own clock (t = 0 of the
        run clock)."""
        if self.on_run_start is not None:
            self.on_run_start(origin_s)
        self.event(RUN_START, 0.0)

    def begin_trial(self, first_row: int) -> None:
        self.first_row, self.row_offset, self.rated = first_row, 0, False

    def end_trial(self) -> None:
        self.first_row = None

    def text(self, event: str, stim: str = "n/a") -> str:
        """The marker's text for ``event`` now (moves to the next row on a second scale).

        >>> m = Markers("cryrating"); m.begin_trial(7)
        >>> [m.text(e, s) for e, s in (("sound", "cry_hi_A01"), ("rating", "n/a"),
        ...                            ("response", "n/a"), ("rating", "n/a"))]
        ['cryrating|7|sound|cry_hi_A01', 'cryrating|7|rating|n/a', \
'cryrating|7|response|n/a', 'cryrating|8|rating|n/a']
        """
        if event == RATING:
            if self.rated:
                self.row_offset += 1
            self.rated = True
        index = "n/a" if self.first_row is None else str(self.first_row + self.row_offset)
        return f"{self.label}|{index}|{event}|{stim}"

    def event(self, event: str, t_run_s: float, stim: str = "n/a") -> None:
        text = self.text(event, stim)
        if self.send is not None:
            self.send(text, float(t_run_s))


class MarkerHooks:
    """What both engines share: the run's :class:`Markers` (or none) and the call that
    marks one event."""

    markers: Markers | None = None

    def set_markers(self, markers: Markers | None) -> None:
        """Mark this run's flip-locked events with ``markers`` (``None``: no markers).  A
        run whose first flip came before (an eye tracker's validation) reports its
        origin at once."""
        self.markers = markers
        origin = self._run_origin()
        if markers is not None and origin is not None:
            markers.run_started(origin)

    def _run_origin(self) -> float | None:
        """The engine clock at the run's first flip (None before it)."""
        raise NotImplementedError

    def _mark(self, event: str, t_run_s: float | None, stim=()) -> None:
        if self.markers is not None and t_run_s is not None:
            self.markers.event(event, t_run_s, stim_text(stim))

    def _mark_run_start(self, origin_s: float) -> None:
        if self.markers is not None:
            self.markers.run_started(origin_s)
