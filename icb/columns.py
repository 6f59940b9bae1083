"""The events-file column type and the head every events file starts with (contract §3).

A paradigm declares its own columns (``tasks/paradigms/<name>/columns.py``); the
framework writes ``COMMON_HEAD`` first and stamps it (``onset`` and ``duration`` are
the first two columns, as BIDS asks).  ``DROPPED_FRAMES`` is stamped by the framework
too, where the paradigm places it (or last).

>>> [c.name for c in COMMON_HEAD]
['onset', 'duration', 'trial_index', 'phase', 'block']
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One events-file column.

    ``dtype`` is one of ``float``, ``int``, ``str``; ``levels`` (for categorical
    text or 0/1 columns) maps each allowed value to its meaning; ``units`` is a
    BIDS unit string.  ``nullable`` says whether ``n/a`` is allowed.  ``measured`` marks a
    value the engine measures (a flip or input time stamp, a dropped-frame count): it
    differs from run to run and between engines, while every other column follows from
    the plan and the responses alone (what the engine parity test compares).
    """

    name: str
    long_name: str
    description: str
    dtype: str = "str"
    units: str | None = None
    levels: dict[str, str] = field(default_factory=dict)
    nullable: bool = False
    measured: bool = False

    def sidecar_entry(self) -> dict:
        entry: dict = {"LongName": self.long_name, "Description": self.description}
        if self.levels:
            entry["Levels"] = dict(self.levels)
        if self.units:
            entry["Units"] = self.units
        return entry


SIDE_LEVELS = {"left": "left picture", "right": "right picture"}
PHASE_LEVELS = {"practice": "practice trial (not scored)", "test": "test trial"}

COMMON_HEAD = (
    Column("onset", "Onset", "Stimulus onset from the run's start (first flip of the run).",
           "float", units="s", measured=True),
    Column("duration", "Duration", "Stimulus onset to response or time-out.", "float", units="s",
           measured=True),
    Column("trial_index", "Trial index",
           "1, 2, 3 ... in order of presentation within the run (practice included).", "int"),
    Column("phase", "Phase", "Practice or test trial.", "str", levels=PHASE_LEVELS),
    Column("block", "Block", "Block number (0 for practice).", "int"),
)

DROPPED_FRAMES = Column("dropped_frames", "Dropped frames",
                        "Frames dropped (missed screen refreshes) during this trial or row.",
                        "int", measured=True)

RESPONSE_DEVICE = Column("response_device", "Response device",
                         "How the participant answered in this run (station.input): the "
                         "keyboard, or taps on a touch screen (on-screen targets; RT from "
                         "the tap's own time stamp). Stamped by the framework, last.",
                         "str", levels={"keyboard": "key presses",
                                        "touch": "taps on a touch screen"})
