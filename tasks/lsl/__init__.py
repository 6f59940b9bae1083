"""Lab Streaming Layer: the marker outlet, the recording of physiological streams (contract
section 8), the simulated physiology device and the station check of LSL.  pylsl is
imported only here, through :func:`import_pylsl`."""

from __future__ import annotations

import os
from pathlib import Path

from icb.errors import BadInput

LSL_CONFIG = Path(__file__).with_name("lsl_api.cfg")


def import_pylsl():
    """pylsl, with the battery's liblsl settings (warnings only on the console) unless the
    lab points ``LSLAPICFG`` at its own; bad input (exit 2) when it cannot be loaded."""
    os.environ.setdefault("LSLAPICFG", str(LSL_CONFIG))
    try:
        import pylsl
    except (ImportError, OSError) as exc:  # OSError: liblsl could not be loaded
        raise BadInput(f"station.lsl_markers / lsl_record: Lab Streaming Layer is not "
                       f"available here ({exc}). Allowed: `pip install pylsl` (in the `run` "
                       "extra), or set lsl_markers: false and lsl_record: [].") from None
    return pylsl
