"""Transitional: every paradigm's header, from the paradigm registry (the analysis no
longer needs it once it declares its own required columns; delete then)."""

from tasks.core import paradigm as _paradigm

TASK_COLUMNS = {name: _paradigm.load(name).events_columns() for name in _paradigm.names()}
