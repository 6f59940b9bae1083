"""The events writer: sidecar first, one row per trial appended and fsynced.

A run that dies keeps every finished trial and no partial row: each row is one
``write`` of a whole line, followed by ``flush`` and ``fsync``.  Nothing is ever
overwritten: both files are created with ``O_EXCL``; a second run of the same
participant, session and task is refused unless ``rerun`` asks for the next run
number.  The sidecar's ``Provenance.Status`` goes ``in_progress`` ->
``completed`` | ``aborted``; it is rewritten atomically (temp file + rename).

A write that fails (a full disk, an I/O error) raises :class:`DataWriteError`
naming the file: a row cut short by the failure is cut off again (the TSV is
truncated back to its last whole row), so the file keeps every finished trial
and no partial row.  ``icb`` prints the message without a traceback and exits
with status 1 (a system failure, not bad input).  ``run_one`` then tries to
record ``Status: aborted`` with ``AbortReason`` in the sidecar; when the disk
is too full for that as well, the sidecar stays ``in_progress`` (read as a
crashed run), and the message says which of the two happened.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

from icb import __version__
from icb import bids
from icb.files import atomic_write_text
from tasks.core import dataset_files
from icb.columns import Column
from icb.errors import DataExistsError

STATUSES = ("in_progress", "completed", "aborted")


class DataWriteError(OSError):
    """Writing a data file failed (disk full, I/O error): a system failure, exit 1.

    ``path`` is the file, ``n_rows`` the finished trials kept in it (``None`` when
    the failure came before the first trial), ``cause`` the ``OSError``.
    """

    def __init__(self, message: str, *, path: Path | None = None, n_rows: int | None = None,
                 cause: OSError | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.n_rows = n_rows
        self.cause = cause

    def __str__(self) -> str:
        return self.message


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="milliseconds")


def software_versions() -> dict[str, str]:
    """Versions of the software that matters for the data (no imports forced)."""
    versions = {"icb": __version__, "python": platform.python_version()}
    for name in ("psychopy", "numpy", "pandas", "psychtoolbox", "pyglet"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = str(getattr(module, "__version__", "unknown"))
    return versions


def plan_run(data_root: Path, participant: str, session: str, task: str, *,
             rerun: bool = False) -> int:
    """The run number a new run gets; refuses (exit 2) when one exists and not ``rerun``."""
    runs = dataset_files.existing_runs(data_root, participant, session, task)
    if runs and not rerun:
        last = bids.beh_dir(data_root, participant, session) / (
            bids.events_stem(participant, session, task, runs[-1]) + "_events.tsv")
        raise DataExistsError(
            f"{last}: a run of participant {participant}, session {session}, task {task} "
            f"already exists; nothing was overwritten. Pass --rerun to record run-{runs[-1] + 1}, "
            "or choose another participant or session")
    return (runs[-1] + 1) if runs else 1


class EventsWriter:
    """Writes one run's ``_events.tsv`` and ``_events.json``.

    Use :meth:`create`; then :meth:`append` once per finished trial and
    :meth:`finish` at the end.  ``columns`` are the paradigm's whole header
    (``Paradigm.events_columns()``).
    """

    def __init__(self, tsv_path: Path, json_path: Path, task: str, sidecar: dict,
                 columns: list[str]):
        self.tsv_path = tsv_path
        self.json_path = json_path
        self.task = task
        self.columns = list(columns)
        self._sidecar = sidecar
        self._fd: int | None = None
        self.n_rows = 0
        self.recordings: dict = {}  # name -> tasks.core.physio_writer.PhysioWriter

    # -- creation -----------------------------------------------------------
    @classmethod
    def create(cls, data_root: Path, *, participant: str, session: str, task: str,
               provenance: dict, columns: tuple[Column, ...] | None = None,
               stimulus_presentation: dict | None = None, rerun: bool = False, group: str | None = None,
               simulated: bool = False, run: int | None = None) -> "EventsWriter":
        """Create the run's files (sidecar first) and return the writer.

        ``run`` forces a run number (it must not exist yet); otherwise the next
        free one is taken when ``rerun`` is true, and run 1 when none exists.
        """
        data_root = Path(data_root)
        if columns is None:  # a label that names a paradigm: that paradigm's header
            from tasks.core.paradigm import load as load_paradigm
            columns = load_paradigm(task).events_columns()
        participant = bids.check_label("participant", participant, option="--participant")
        session = bids.check_label("session", session, option="--session")
        if run is None:
            run = plan_run(data_root, participant, session, task, rerun=rerun)
        folder = bids.beh_dir(data_root, participant, session)
        try:
            # participants.tsv first: a lab file it refuses leaves the root as it was
            dataset_files.update_participants(data_root, participant, group)
            dataset_files.ensure_dataset_files(data_root, simulated=simulated)
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = exc.filename or data_root
            raise DataWriteError(f"{where}: could not write ({exc.strerror or exc}); no trial "
                                 "was run", path=Path(where), cause=exc) from exc
        stem = bids.events_stem(participant, session, task, run)
        tsv_path = folder / f"{stem}_events.tsv"
        json_path = folder / f"{stem}_events.json"
        for path in (tsv_path, json_path):
            if path.exists():
                raise DataExistsError(f"{path}: exists already; nothing was overwritten")
        sidecar = {c.name: c.sidecar_entry() for c in columns}
        sidecar["StimulusPresentation"] = {
            "OperatingSystem": f"{platform.system()} {platform.release()}",
            "SoftwareName": "icb (data-only simulation)",
            "SoftwareVersion": __version__,
            **(stimulus_presentation or {})}
        prov = {
            "TaskName": task, "Status": "in_progress", "Simulated": False,
            "Participant": participant, "Session": session, "Run": run,
            "StartTime": now_iso(), "EndTime": None, "Software": software_versions(),
        }
        prov.update(provenance)
        prov["Status"] = "in_progress"
        prov["Run"] = run
        sidecar["Provenance"] = prov
        writer = cls(tsv_path, json_path, task, sidecar, [c.name for c in columns])
        # Sidecar first (O_EXCL), then the TSV with its header (O_EXCL).
        try:
            fd = os.open(json_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            # Another process created this run between the check and here: its files are
            # not ours to touch.
            raise DataExistsError(f"{json_path}: created by another process just now; "
                                  "nothing was overwritten (run again, or use --rerun)") from None
        except OSError as exc:
            raise DataWriteError(f"{json_path}: could not create the sidecar "
                                 f"({exc.strerror or exc}); no trial was run", path=json_path,
                                 cause=exc) from exc
        try:  # from here on the sidecar is ours: a half-written one is removed
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(sidecar, indent=2, default=str) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            _unlink_quietly(json_path)
            raise DataWriteError(f"{json_path}: could not write the sidecar "
                                 f"({exc.strerror or exc}); no trial was run", path=json_path,
                                 cause=exc) from exc
        try:
            # read-write: the rows can be read back if the file is deleted mid-run
            writer._fd = os.open(tsv_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND,
                                 0o644)
        except OSError as exc:
            _unlink_quietly(json_path)  # our sidecar; the events file is not ours
            if isinstance(exc, FileExistsError):
                raise DataExistsError(f"{tsv_path}: created by another process just now; "
                                      "nothing was overwritten (run again, or use --rerun)"
                                      ) from None
            raise DataWriteError(f"{tsv_path}: could not create the events file "
                                 f"({exc.strerror or exc}); no trial was run", path=tsv_path,
                                 cause=exc) from exc
        try:
            writer._write_line("\t".join(writer.columns))
        except DataWriteError as exc:
            writer.close()
            raise DataWriteError(f"{tsv_path}: could not write the header "
                                 f"({exc.cause.strerror or exc.cause}); no trial was run; the "
                                 "sidecar says in_progress", path=tsv_path, n_rows=0,
                                 cause=exc.cause) from exc
        _fsync_dir(folder)
        return writer

    @property
    def run(self) -> int:
        return int(self._sidecar["Provenance"]["Run"])

    @property
    def provenance(self) -> dict:
        return self._sidecar["Provenance"]

    # -- rows -----------------------------------------------------------------
    def _write_line(self, line: str) -> None:
        """Append one whole line or nothing: on a failed write (e.g. ENOSPC after a
        short write) the file is truncated back to its size before the line."""
        data = (line + "\n").encode("utf-8")
        start = os.fstat(self._fd).st_size
        written = 0
        try:
            while written < len(data):  # one write in practice; loop for short writes
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, start)
                os.fsync(self._fd)
            except OSError:
                pass
            what = "its header" if self.n_rows == 0 and start == 0 else \
                f"trial {self.n_rows + 1}"
            kept = "no trial had finished" if self.n_rows == 0 else \
                f"the {self.n_rows} finished trial(s) before it are kept"
            raise DataWriteError(
                f"{self.tsv_path}: could not write {what} ({exc.strerror or exc}); the run was "
                f"stopped; {kept} in this file, with no partial row",
                path=self.tsv_path, n_rows=self.n_rows, cause=exc) from exc
        except BaseException:
            # A signal's exception (SIGTERM, Ctrl+C) between two short writes: no partial
            # row is left behind, then the stop goes on.
            if os.fstat(self._fd).st_size != start + len(data):
                os.ftruncate(self._fd, start)
            raise

    def add_recording(self, name: str, *, sidecar: dict, events_sidecar: dict | None,
                      **layout):
        """Create the run's ``recording-<name>`` physio files (sidecars first, nothing
        overwritten); their samples are appended with each row (:meth:`append`) or by
        the recorder that owns them.  ``layout``: ``columns`` and ``lines`` of
        :meth:`PhysioWriter.create`."""
        from tasks.core.physio_writer import PhysioWriter
        stem = self.tsv_path.with_name(self.tsv_path.name[: -len("_events.tsv")]
                                       + f"_recording-{name}")
        try:
            self.recordings[name] = PhysioWriter.create(stem, sidecar=sidecar,
                                                        events_sidecar=events_sidecar,
                                                        **layout)
        except FileExistsError as exc:
            raise DataExistsError(f"{exc.filename}: exists already; nothing was "
                                  "overwritten") from None
        except OSError as exc:
            raise DataWriteError(f"{exc.filename or stem}: could not create the recording "
                                 f"({exc.strerror or exc}); no trial was run",
                                 path=stem, n_rows=0, cause=exc) from exc
        return self.recordings[name]

    def append(self, row: dict, recordings: dict | None = None) -> None:
        """Append one trial.  Keys are column names; a missing key is ``n/a``.
        ``recordings`` (name -> (samples, events)) are written first, each a whole gzip
        member, so that every events row has its samples.

        Raises ``KeyError`` for a key that is not a column of this task, or a recording
        that was not added (a bug, not bad input).
        """
        unknown = set(row) - set(self.columns)
        if unknown:
            raise KeyError(f"{self.task}: not a column of the events file: {sorted(unknown)}")
        for name, (samples, events) in (recordings or {}).items():
            try:
                self.recordings[name].append(samples, events)
            except OSError as exc:
                kept = f"the {self.n_rows} finished trial(s) before it are kept"
                raise DataWriteError(
                    f"{self.recordings[name].samples_path}: could not write trial "
                    f"{self.n_rows + 1} ({exc.strerror or exc}); the run was stopped; {kept} "
                    "in the events file and the recording, with no partial trial",
                    path=self.recordings[name].samples_path, n_rows=self.n_rows,
                    cause=exc) from exc
        self._write_line("\t".join(bids.tsv_cell(row.get(c)) for c in self.columns))
        self.n_rows += 1
        if not self._at_its_path():
            raise self._restore_after_removal()

    # -- a folder deleted or moved while the run goes on ------------------------
    def _at_its_path(self) -> bool:
        """Whether the open events file is still the file at its path: a deleted file
        takes writes without an error, so each row checks."""
        try:
            here = os.stat(self.tsv_path)
        except OSError:
            return False
        mine = os.fstat(self._fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    def _restore_after_removal(self) -> DataWriteError:
        """The events file was deleted (or its folder moved) mid-run: write the rows,
        read back from the still-open file, and the sidecar again at their paths (never
        over a file that is there now); return the error to raise, saying where the rows
        are."""
        data = os.pread(self._fd, os.fstat(self._fd).st_size, 0)
        self.close()
        sidecar = (json.dumps(self._sidecar, indent=2, default=str) + "\n").encode("utf-8")
        try:
            self.tsv_path.parent.mkdir(parents=True, exist_ok=True)
            for path, content in ((self.json_path, sidecar), (self.tsv_path, data)):
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    continue  # there again (the sidecar of this run): not replaced
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
                    fh.flush()
                    os.fsync(fh.fileno())
            _fsync_dir(self.tsv_path.parent)
            kept = (f"its {self.n_rows} finished trial(s) were read back from the open file "
                    f"and written again to {self.tsv_path}")
        except OSError as exc:
            kept = (f"its {self.n_rows} finished trial(s) could not be written again "
                    f"({exc.filename}: {exc.strerror}); they are lost unless the folder was "
                    "moved rather than deleted")
        return DataWriteError(
            f"{self.tsv_path}: the events file was deleted or moved while the run went on; "
            f"the run was stopped; {kept}", path=self.tsv_path, n_rows=self.n_rows)

    # -- sidecar updates ----------------------------------------------------
    def update_provenance(self, **fields) -> None:
        """Set more ``Provenance`` keys and rewrite the sidecar atomically."""
        self._sidecar["Provenance"].update(fields)
        atomic_write_text(self.json_path,
                                json.dumps(self._sidecar, indent=2, default=str) + "\n")

    def finish(self, status: str = "completed", **fields) -> None:
        """Close the TSV and record the final status (``completed`` or ``aborted``)."""
        if status not in STATUSES[1:]:
            raise ValueError(f"status must be completed or aborted, not {status!r}")
        if self._fd is not None and not self._at_its_path():
            raise self._restore_after_removal()
        self.close()
        for recording in self.recordings.values():
            recording.finish()
        self.update_provenance(Status=status, EndTime=now_iso(), NTrialsWritten=self.n_rows,
                               **fields)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        for recording in self.recordings.values():
            recording.close()

    def __enter__(self) -> "EventsWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        # Leaves Status in_progress when an exception escapes: the file then reads as a
        # crashed run, which is what it is; the caller records aborts explicitly.
        self.close()


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
