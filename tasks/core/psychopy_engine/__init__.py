"""The PsychoPy boundary: the only package of the battery that imports PsychoPy.

``window`` holds the window, frame timing and the keyboard; further modules of
this package add sound, rating scales, dialogs and the station check.  Task
logic never imports PsychoPy; it talks to :class:`PsychoPyEngine` (or to the
data-only engine, ``tasks.core.data_engine``) through the same calls.
"""

from tasks.core.psychopy_engine.window import KeyInjector, PsychoPyEngine

__all__ = ["PsychoPyEngine", "KeyInjector"]
