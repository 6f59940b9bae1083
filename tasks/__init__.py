"""Infant-cue salience battery: everything that runs at the testing station.

Importing this package (and ``tasks.config``, ``tasks.errors``, the designs and
the writer) never imports PsychoPy; only ``tasks.core.psychopy_engine`` does.
"""

__version__ = "0.1.0"
