"""The marker outlet (contract section 8): ``icb-markers``, type ``Markers``, one string
channel, irregular rate; every sample carries the LSL time of its event (the flip's or the
key's own time mapped through :class:`~tasks.lsl.clock.RunClock`), never the time of the
push, so a response pushed after its key is still stamped with the key."""

from __future__ import annotations

import os
import socket

from tasks.lsl.clock import RunClock

STREAM_NAME, STREAM_TYPE = "icb-markers", "Markers"


class MarkerOutlet:
    """One LSL outlet for the markers of a run."""

    def __init__(self, clock: RunClock, pylsl):
        self.clock, self.pylsl = clock, pylsl
        self.source_id = f"{STREAM_NAME}-{socket.gethostname()}-{os.getpid()}"
        info = pylsl.StreamInfo(STREAM_NAME, STREAM_TYPE, 1, pylsl.IRREGULAR_RATE,
                                pylsl.cf_string, self.source_id)
        info.desc().append_child_value("manufacturer", "icb (infant-cue salience battery)")
        info.desc().append_child_value("format", "<task label>|<trial_index>|<event>|"
                                                 "<stim id or n/a>")
        self.outlet = pylsl.StreamOutlet(info)
        self.n_pushed = 0

    def wait_for_consumers(self, timeout_s: float) -> bool:
        """Whether a recorder (LabRecorder, the simulated device, a test) listens."""
        return bool(self.outlet.wait_for_consumers(timeout_s))

    def send(self, text: str, t_run_s: float) -> None:
        self.outlet.push_sample([text], self.clock.to_lsl(t_run_s))
        self.n_pushed += 1

    def describe(self) -> dict:
        return {"StreamName": STREAM_NAME, "StreamType": STREAM_TYPE,
                "SourceId": self.source_id, "MarkersPushed": self.n_pushed,
                "Format": "<task label>|<trial_index>|<event>|<stim id or n/a>"}

    def close(self) -> None:
        self.outlet = None
