"""Recording LSL streams for a whole run (contract section 8, ``station.lsl_record``).

Each named stream type is resolved before anything is written (a missing one is bad
input: exit 2).  One inlet per stream, with LSL's clock synchronisation (and dejittering
for regular streams), is read by a thread into memory; at each trial's end the samples
received so far are written as one whole gzip member of the run's
``_recording-<type>_physio.tsv.gz`` (``timestamp`` on the run clock, then the stream's
channels), before the trial's events row.  A stream that sends nothing for
``stall_s`` is recorded as stopped (the sidecar says when); the run goes on, and a
stream that comes back is recorded as resumed.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from icb.errors import BadInput
from tasks.lsl.clock import RunClock

TIMESTAMP_DESCRIPTION = ("Time of the sample on the run clock: seconds from the run's first "
                         "flip, the clock of the events file's onset; from the LSL time stamp "
                         "with LSL's clock synchronisation (and dejittering for regular "
                         "streams), mapped through the run's clock offset")


def channel_labels(info) -> tuple[list[str], list[str]]:
    """The stream's channel labels and units from its description (``ch1``, ... when a
    device gives none)."""
    labels, units = [], []
    channel = info.desc().child("channels").child("channel")
    while not channel.empty() and len(labels) < info.channel_count():
        labels.append(channel.child_value("label") or f"ch{len(labels) + 1}")
        units.append(channel.child_value("unit") or "n/a")
        channel = channel.next_sibling()
    for i in range(len(labels), info.channel_count()):
        labels.append(f"{info.type()}{i + 1}" if info.channel_count() > 1 else info.type())
        units.append("n/a")
    seen: set[str] = set()
    for i, label in enumerate(labels):  # BIDS columns must be unique and not "timestamp"
        if label in seen or label == "timestamp":
            labels[i] = f"{label}_{i + 1}"
        seen.add(labels[i])
    return labels, units


def resolve(pylsl, types: list[str], timeout_s: float) -> list:
    """One stream info per type in ``types``; every type not found is named in one error."""
    found, missing, several = [], [], []
    for kind in types:
        infos = pylsl.resolve_byprop("type", kind, minimum=1, timeout=timeout_s)
        if infos:  # a moment more to see whether a second device of the type answers
            infos = pylsl.resolve_byprop("type", kind, minimum=2, timeout=0.3) or infos
            sources = {(i.source_id() or i.uid()): i for i in infos}
            if len(sources) > 1:
                several.append(f"{kind}: " + ", ".join(f"{i.name()} on {i.hostname()} "
                                                        f"(source {s})"
                                                        for s, i in sorted(sources.items())))
            found.append(infos[0])
        else:
            missing.append(kind)
    if several:
        raise BadInput(
            "station.lsl_record: more than one LSL stream of the same type answers, and the "
            "battery cannot tell which one is the participant's: " + "; ".join(several)
            + ". Allowed: one device per recorded type on this network (close the others). "
            "Nothing was written.")
    if missing:
        seen = sorted({f"{i.name()} (type {i.type()})" for i in pylsl.resolve_streams(0.5)})
        raise BadInput(
            f"station.lsl_record: no LSL stream of type {', '.join(map(repr, missing))} found "
            f"within lsl_resolve_s = {timeout_s:g} s; streams seen on this network: "
            f"{', '.join(seen) or 'none'}. Allowed: start the device's LSL app (or "
            "`icb lsl-device --types ECG` to simulate one), raise station.lsl_resolve_s, or "
            "remove the type from station.lsl_record. Nothing was written.")
    return found


class StreamRecording:
    """One stream's inlet, the thread that reads it, and its samples not yet written."""

    def __init__(self, info, pylsl, clock: RunClock, *, stall_s: float = 2.0):
        self.clock = clock
        self.kind, self.name = info.type(), info.name()
        self.rate_hz = float(info.nominal_srate())
        self.labels, self.units = channel_labels(info)
        self.manufacturer = info.desc().child_value("manufacturer") or self.name
        self.source_id, self.hostname = info.source_id(), info.hostname()
        flags = pylsl.proc_clocksync | (pylsl.proc_dejitter if self.rate_hz > 0 else 0)
        self.inlet = pylsl.StreamInlet(info, max_buflen=360, processing_flags=flags)
        self.inlet.open_stream(timeout=5.0)
        self.stall_s = max(stall_s, 20.0 / self.rate_hz if self.rate_hz > 0 else stall_s)
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name=f"lsl-{self.kind}",
                                        daemon=True)
        self.last_received = time.monotonic()
        self.last_sample_lsl: float | None = None
        self.stopped = False
        self.notes: list[str] = []
        self.n_samples = 0
        self.first_s: float | None = None
        self.physio = None  # the PhysioWriter, once the run's files exist

    def start(self) -> None:
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            data, stamps = self.inlet.pull_chunk(timeout=0.05, max_samples=4096)
            if stamps:
                with self._lock:
                    self._chunks.append((np.asarray(stamps, dtype=float),
                                         np.asarray(data, dtype=float)))
                    self.last_received = time.monotonic()
                    self.last_sample_lsl = float(stamps[-1])

    def take(self) -> np.ndarray:
        """The samples received since the last call: ``timestamp`` (run clock), channels."""
        with self._lock:
            chunks, self._chunks = self._chunks, []
            quiet_s = time.monotonic() - self.last_received
        if chunks and self.stopped:
            self.stopped = False
            self.notes.append(f"stream resumed at {self.clock.to_run(chunks[0][0][0]):.3f} s")
        elif not chunks and not self.stopped and quiet_s > self.stall_s:
            self.stopped = True
            last = "no sample ever" if self.last_sample_lsl is None else \
                f"last sample at {self.clock.to_run(self.last_sample_lsl):.3f} s"
            self.notes.append(f"stream stopped: nothing for {quiet_s:.1f} s ({last} on the "
                              "run clock); the run went on")
        if not chunks:
            return np.empty((0, 1 + len(self.labels)))
        stamps = np.concatenate([c[0] for c in chunks])
        values = np.concatenate([c[1].reshape(len(c[0]), -1) for c in chunks])
        times = stamps + self.clock.to_run(0.0)  # the clock offset once per take
        self.n_samples += len(times)
        if self.first_s is None:
            self.first_s = float(times[0])
        return np.column_stack([times, values])

    def sidecar(self, task: str) -> dict:
        columns = {"timestamp": {"Description": TIMESTAMP_DESCRIPTION, "Units": "s"}}
        for label, unit in zip(self.labels, self.units):
            columns[label] = {"Description": f"Channel {label} of the LSL stream {self.name} "
                                             f"(type {self.kind})", "Units": unit}
        return {"TaskName": task, "SamplingFrequency": self.rate_hz if self.rate_hz > 0
                else "n/a", "StartTime": 0.0, "Manufacturer": self.manufacturer,
                "RecordingType": self.kind, "LSLStreamName": self.name,
                "LSLSourceId": self.source_id, "LSLHostname": self.hostname,
                "StartTimeNote": "replaced by the first sample's time when the run ends; "
                                 "the timestamp column is authoritative", **columns}

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2.0)

    def describe(self) -> dict:
        return {"Type": self.kind, "Name": self.name, "SourceId": self.source_id,
                "SamplingFrequency": self.rate_hz, "Channels": self.labels,
                "SamplesWritten": self.n_samples, "Stopped": self.stopped,
                "Notes": list(self.notes)}

    def close(self) -> None:
        self.stop()
        self.inlet.close_stream()
