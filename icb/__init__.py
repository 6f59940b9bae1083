"""The ``icb`` command and the contract shared by ``tasks`` (the station) and ``analysis``.

Nothing here imports PsychoPy or station code: errors and exit statuses, the one
``Param`` declaration type, the events-file column type and the common head, and the
value object that builds every BIDS file name.  ``analysis`` imports this package and
never ``tasks``.
"""

__version__ = "0.2.0"
