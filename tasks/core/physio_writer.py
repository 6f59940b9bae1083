"""One recording of a run (BIDS physio): ``..._recording-<name>_physio.tsv.gz`` (headerless
samples) and, for the eye tracker, ``..._recording-<name>_physioevents.tsv.gz`` (events of
the device: fixations, saccades, blinks, trial messages), each with its JSON sidecar.  The
eye tracker's samples are :data:`~tasks.core.gaze.SAMPLE_COLUMNS`; an LSL stream's are
``timestamp`` and its channels (:func:`channel_lines`).

Sidecars first (O_EXCL: nothing is overwritten).  Then each trial's samples and events
are appended as one whole gzip member per file, flushed and fsynced, *before* the
trial's events row (:meth:`tasks.core.writer.EventsWriter.append` calls :meth:`append`
first): a run killed at any moment leaves files that decompress whole up to the last
finished trial, and every events row has its samples (a kill between the two leaves
samples of a trial with no events row, which scoring never reads).  A failed write
truncates the file back to its size before the member.  When the run ends (completed or
aborted) each file is rewritten as a single gzip member (:meth:`finish`: the BIDS
validator reads only one member), atomically; a crashed run keeps its members, which
every gzip reader, the battery's scoring included, reads whole.
"""

from __future__ import annotations

import gzip
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.core.gaze import EVENT_COLUMNS, SAMPLE_COLUMNS


COMPRESSION = 6  # zlib's default level: a third of level 9's time, a few % larger


def _cell(value, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value).replace("\t", " ").replace("\n", " ") or "n/a"


def sample_lines(samples: np.ndarray) -> str:
    """Rows of SAMPLE_COLUMNS as headerless TSV: time rounded to the microsecond, pixels
    and pupil to 0.01, ``n/a`` for no value (pandas' C writer: a trial's samples at once).

    >>> sample_lines(np.array([[0.5, 1.0, np.nan, 3.0], [0.516667, -2.345, 4.0, np.nan]]))
    '0.5\\t1.0\\tn/a\\t3.0\\n0.516667\\t-2.35\\t4.0\\tn/a\\n'
    """
    rounded = pd.DataFrame({"t": np.round(samples[:, 0], 6), "x": np.round(samples[:, 1], 2),
                            "y": np.round(samples[:, 2], 2), "p": np.round(samples[:, 3], 2)})
    return rounded.to_csv(sep="\t", header=False, index=False, na_rep="n/a",
                          lineterminator="\n")


def channel_lines(samples: np.ndarray) -> str:
    """Rows of ``timestamp`` + channels as headerless TSV: time to the microsecond,
    values with 7 significant digits (float32's precision), ``n/a`` for no value.

    >>> channel_lines(np.array([[0.5, 0.123456789], [0.502, np.nan]]))
    '0.500000\\t0.1234568\\n0.502000\\tn/a\\n'
    """
    if not len(samples):
        return ""
    frame = pd.DataFrame(samples[:, 1:])
    frame.insert(0, "t", np.char.mod("%.6f", samples[:, 0]))
    return frame.to_csv(sep="\t", header=False, index=False, na_rep="n/a", float_format="%.7g",
                        lineterminator="\n")


def event_lines(events: list[tuple]) -> str:
    """Rows of EVENT_COLUMNS (onset, duration, trial_type, message) as headerless TSV."""
    return "".join(f"{_cell(float(on), 6)}\t{_cell(None if dur is None else float(dur), 6)}\t"
                   f"{_cell(kind, 0)}\t{_cell(msg, 0)}\n" for on, dur, kind, msg in events)


class PhysioWriter:
    """Writes one recording; :meth:`create`, then :meth:`append` once per trial."""

    def __init__(self, samples_path: Path, events_path: Path | None, lines=sample_lines):
        self.samples_path, self.events_path = samples_path, events_path
        self.json_path = Path(str(samples_path)[: -len(".tsv.gz")] + ".json")
        self.lines = lines  # samples -> headerless TSV text
        self._fds: dict[Path, int] = {}

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.samples_path, self.events_path) if p is not None)

    @classmethod
    def create(cls, stem_path: Path, *, sidecar: dict, events_sidecar: dict | None,
               columns: tuple[str, ...] = SAMPLE_COLUMNS, lines=sample_lines
               ) -> "PhysioWriter":
        """``stem_path`` is ``<folder>/<run stem>_recording-<name>``; no events file
        when ``events_sidecar`` is None."""
        base = str(stem_path)
        writer = cls(Path(base + "_physio.tsv.gz"),
                     None if events_sidecar is None else Path(base + "_physioevents.tsv.gz"),
                     lines)
        made: list[Path] = []
        sidecars = [(writer.json_path, {"Columns": list(columns), **sidecar})]
        if events_sidecar is not None:
            sidecars.append((Path(base + "_physioevents.json"),
                             {"Columns": list(EVENT_COLUMNS), **events_sidecar}))
        try:
            for path, content in sidecars:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                made.append(path)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(content, indent=2, default=str) + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
            for path in writer.paths:
                writer._fds[path] = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL |
                                            os.O_APPEND, 0o644)
                made.append(path)
        except OSError:
            writer.close()
            for path in made:  # only what this call created
                try:
                    os.unlink(path)
                except OSError:
                    pass
            raise
        return writer

    def _member(self, path: Path, text: str) -> None:
        fd = self._fds[path]
        data = gzip.compress(text.encode("utf-8"), compresslevel=COMPRESSION, mtime=0)
        start = os.fstat(fd).st_size
        try:
            written = 0
            while written < len(data):
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except BaseException:
            if os.fstat(fd).st_size != start:
                os.ftruncate(fd, start)
            raise

    def append(self, samples: np.ndarray, events: list[tuple]) -> None:
        """One trial: its samples, then its events, each one whole gzip member."""
        if len(samples):
            self._member(self.samples_path, self.lines(samples))
        if events and self.events_path is not None:
            self._member(self.events_path, event_lines(events))

    def finish(self) -> None:
        """Close, then rewrite each file as one gzip member (same text; mtime 0), through
        a temporary file and an atomic replace: the members stay if this fails."""
        from icb.files import atomic_write_bytes
        self.close()
        for path in self.paths:
            with gzip.open(path, "rb") as fh:
                text = fh.read()
            atomic_write_bytes(path, gzip.compress(text, compresslevel=COMPRESSION, mtime=0))

    def annotate(self, **fields) -> None:
        """More keys in the samples' sidecar (rewritten atomically), e.g. a stream that
        stopped."""
        from icb.files import atomic_write_text
        content = json.loads(self.json_path.read_text(encoding="utf-8"))
        content.update(fields)
        atomic_write_text(self.json_path, json.dumps(content, indent=2, default=str) + "\n")

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}
