"""One run's Lab Streaming Layer: the marker outlet, the recorded streams, their files.

The runner opens it (:meth:`LslSession.open`) after the run number is known and before
any stimulus is loaded or file written: a named stream that cannot be found refuses the
run with nothing written.  Order then: :meth:`add_files` (physio sidecars, after the
events sidecar), :meth:`start` (reading threads), :meth:`flush` at each trial's end
(before its events row), :meth:`finish` when the run ends (last samples, sidecar notes,
one gzip member per file) and :meth:`describe` (``Provenance.LSL``).
"""

from __future__ import annotations

import time

from tasks.lsl import import_pylsl
from tasks.core.markers import Markers
from tasks.core.physio_writer import channel_lines
from tasks.lsl.clock import RunClock
from tasks.lsl.markers import MarkerOutlet
from tasks.lsl.record import StreamRecording, resolve

TAIL_S = 0.25  # after the run's last flip, samples still on their way are waited for


def wanted(station: dict) -> bool:
    return bool(station.get("lsl_markers")) or bool(station.get("lsl_record"))


class LslSession:
    def __init__(self, clock: RunClock, outlet: MarkerOutlet | None,
                 streams: list[StreamRecording], markers: Markers, consumers: bool | None):
        self.clock, self.outlet, self.streams = clock, outlet, streams
        self.markers, self.consumers = markers, consumers

    @classmethod
    def open(cls, station: dict, label: str, engine_clock, log) -> "LslSession":
        pylsl = import_pylsl()
        clock = RunClock(engine_clock, pylsl.local_clock)
        outlet = MarkerOutlet(clock, pylsl) if station.get("lsl_markers") else None
        started = time.monotonic()
        streams: list[StreamRecording] = []
        try:
            infos = resolve(pylsl, list(station.get("lsl_record") or []),
                            float(station["lsl_resolve_s"]))
            streams = [StreamRecording(info, pylsl, clock) for info in infos]
        except BaseException:
            if outlet is not None:
                outlet.close()
            raise
        consumers = None
        if outlet is not None:
            left = max(0.5, float(station["lsl_resolve_s"]) - (time.monotonic() - started))
            consumers = outlet.wait_for_consumers(left)
            if not consumers:
                log(f"[icb] warning: nobody records the LSL marker stream {outlet.source_id} "
                    f"yet (waited {left:.1f} s); markers pushed before a recorder connects "
                    "are lost. Start LabRecorder's recording before the run.")
        for stream in streams:
            log(f"[icb] recording LSL stream {stream.name} (type {stream.kind}, "
                f"{stream.rate_hz:g} Hz, channels {', '.join(stream.labels)})")
        markers = Markers(label, send=outlet.send if outlet is not None else None,
                          on_run_start=clock.run_started)
        return cls(clock, outlet, streams, markers, consumers)

    def add_files(self, writer, task: str) -> None:
        for stream in self.streams:
            name = stream.kind.lower()
            stream.physio = writer.add_recording(
                name, sidecar=stream.sidecar(task), events_sidecar=None,
                columns=("timestamp", *stream.labels), lines=channel_lines)

    def start(self) -> None:
        for stream in self.streams:
            stream.start()

    def flush(self) -> None:
        """Write every sample received so far, one gzip member per stream."""
        for stream in self.streams:
            samples = stream.take()
            if stream.physio is not None and len(samples):
                stream.physio.append(samples, [])

    def finish(self) -> None:
        """The last samples (waiting ``TAIL_S`` for those on their way), then each
        sidecar's start time and notes.  Called before the events writer's finish, which
        joins the members."""
        if self.streams:
            time.sleep(TAIL_S)
        self.flush()
        for stream in self.streams:
            stream.stop()
            if stream.physio is not None:
                fields = {"StartTime": stream.first_s if stream.first_s is not None else 0.0,
                          "SamplesWritten": stream.n_samples}
                if stream.notes:
                    fields["RecordingNotes"] = list(stream.notes)
                fields["StreamStopped"] = stream.stopped
                stream.physio.annotate(**fields)

    def describe(self) -> dict:
        out: dict = {"Clock": self.clock.describe()}
        if self.outlet is not None:
            out["Markers"] = {**self.outlet.describe(), "ConsumersAtStart": self.consumers}
        if self.streams:
            out["Recorded"] = [s.describe() for s in self.streams]
        return out

    def close(self) -> None:
        for stream in self.streams:
            stream.close()
        if self.outlet is not None:
            self.outlet.close()
