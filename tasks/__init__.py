"""Infant-cue salience battery: everything that runs at the testing station.

``tasks.core`` is the framework (configs, the trial loop, the runner, the writer, both
engines), ``tasks.paradigms`` holds one folder per paradigm, ``tasks.stimulus_factory``
generates, imports and checks stimulus sets.  Importing this package (configs, designs,
the writer) never imports PsychoPy; only ``tasks.core.psychopy_engine`` does.
"""

from icb import __version__  # noqa: F401  (one version for the whole battery)
