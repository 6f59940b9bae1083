"""Transitional: the columns the analysis checks per paradigm, from the paradigm registry
(the contract's columns; ``dropped_frames`` is required of the dot-probe only).  Goes away
when the analysis declares its own required columns."""

from tasks.core import paradigm as _paradigm


def _checked(name: str):
    columns = _paradigm.load(name).events_columns()
    if name == "dotprobe":
        return columns
    return tuple(c for c in columns if c.name != "dropped_frames")


TASK_COLUMNS = {name: _checked(name) for name in _paradigm.names()}
