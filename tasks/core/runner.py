"""The one runner: a task config, a participant and session, an engine -> one run on disk.

Used by ``icb run`` (a window of its own), the battery (one window for every task) and
``icb simulate`` (the data-only engine).  Order of work, so that nothing is written
before the slow and fallible parts: plan -> run number (refused if the run exists and
no ``--rerun``) -> every stimulus preloaded -> sidecar written -> the trial loop, one
fsynced row each -> ``Provenance.Status`` recorded (completed or aborted).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from icb.errors import Aborted
from tasks.core.engine import Engine
from tasks.core.gaze import EYE_EVENTS_SIDECAR, eye_sidecar
from tasks.core.paradigm import Paradigm, Plan
from tasks.core.paradigm import load as load_paradigm
from tasks.core.touch import input_provenance
from tasks.core.trial_loop import run_trials
from tasks.core.writer import DataWriteError, EventsWriter, plan_run


@dataclass(frozen=True)
class RunOutcome:
    """How the run ended and where its rows are."""

    status: str  # completed | aborted
    tsv_path: Path
    n_rows: int


@dataclass(frozen=True)
class RunRequest:
    """Who and what: the labels, where the data go, and the run's choices."""

    participant: str
    session: str
    data_root: Path
    group: str = "n/a"
    seed: int | None = None
    rerun: bool = False
    run_number: int | None = None
    extra_provenance: dict = field(default_factory=dict)


def open_window(station: dict, *, windowed: bool, simulate: bool, log) -> Engine:
    """The PsychoPy engine, opened: the engine of ``icb run`` and of a battery (PsychoPy is
    imported here, when a window is wanted, never by the data-only paths)."""
    from tasks.core.psychopy_engine import PsychoPyEngine
    engine = PsychoPyEngine(station, windowed=windowed, simulate=simulate, log=log)
    engine.open()
    return engine


def provenance_for(config, paradigm: Paradigm, the_plan: Plan, request: RunRequest, *,
                   simulated, engine: Engine, audio: dict | None) -> dict:
    from tasks.stimulus_factory.manifest import manifest_sha256
    display = engine.info()
    resolved = config.resolved()
    if display.get("FullScreen") is not None:  # --windowed overrides station.fullscreen
        resolved["station"] = dict(resolved["station"], fullscreen=display["FullScreen"])
    prov = {
        "TaskName": config.label, "Paradigm": paradigm.name, "Simulated": simulated,
        "Participant": request.participant, "Session": request.session,
        "Group": request.group, "Seed": the_plan.seed, "StimulusSet": the_plan.stimulus_set,
        "KeyMapping": the_plan.key_mapping,
        "Config": resolved, "ConfigSHA256": config.sha256,
        "ConfigFiles": [str(f) for f in config.files],
        "Display": display, "Keyboard": {"Backend": engine.keyboard_backend},
        "Input": input_provenance(config.station, engine.pointer_backend),
        "Audio": audio or {"Backend": "not used"},
        "StimulusManifest": str(config.manifest_path),
        "StimulusManifestSHA256": manifest_sha256(config.manifest_path),
    }
    prov.update(request.extra_provenance)
    return prov


def preload(the_plan: Plan, engine: Engine) -> dict | None:
    """Load every stimulus of the plan (before the sidecar); the audio info if sounds."""
    if the_plan.images:
        engine.preload_images(dict(the_plan.images), the_plan.image_size_deg)
    if the_plan.sounds:
        return engine.preload_sounds(dict(the_plan.sounds))
    return None


def run_one(config, engine: Engine, request: RunRequest, *, responder=None,
            simulated_info: dict | None = None, log=None) -> RunOutcome:
    """Run ``config`` in ``engine`` (opened by the caller); how it ended.

    ``responder`` is a simulated participant (``Paradigm.responder`` /
    ``cohort_responder``); ``simulated_info`` adds keys to ``Provenance.Simulated``.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    paradigm = load_paradigm(config.paradigm)
    the_plan = paradigm.plan(config, request.participant, request.session, request.seed)
    run = request.run_number if request.run_number is not None else plan_run(
        request.data_root, request.participant, request.session, config.label,
        rerun=request.rerun)
    lsl = open_lsl(config, engine, log)  # a missing stream refuses the run: nothing written
    try:
        return _run_opened(config, engine, request, paradigm, the_plan, run, lsl,
                           responder=responder, simulated_info=simulated_info, log=log)
    finally:
        engine.set_markers(None)
        if lsl is not None:
            lsl.close()


def open_lsl(config, engine: Engine, log):
    """The run's LSL markers and recordings (``tasks.lsl``), or None: only a real window
    has LSL (``icb simulate`` has no clock to line up and ignores the LSL keys)."""
    if engine.kind != "psychopy":
        return None
    from tasks.lsl.session import LslSession, wanted
    if not wanted(config.station):
        return None
    return LslSession.open(config.station, config.label, engine.clock_now_s, log)


def _end_lsl(lsl) -> dict:
    """The recordings' last samples and notes; ``Provenance.LSL``."""
    if lsl is None:
        return {}
    lsl.finish()
    return {"LSL": lsl.describe()}


def _run_opened(config, engine: Engine, request: RunRequest, paradigm, the_plan, run, lsl, *,
                responder, simulated_info, log) -> RunOutcome:
    audio = preload(the_plan, engine)
    gaze = engine.start_gaze(config.station, simulated=responder is not None) \
        if "eye1" in the_plan.recordings else None
    simulated = False
    if responder is not None:
        simulated = {**responder.describe(), **(simulated_info or {})}
    prov = provenance_for(config, paradigm, the_plan, request, simulated=simulated,
                          engine=engine, audio=audio)
    if lsl is not None:
        prov["LSL"] = lsl.describe()
    presentation = dict(engine.presentation_info() or {})
    if gaze is not None:
        prov["EyeTracker"] = {k: v for k, v in gaze.items() if k != "StimulusPresentation"}
        presentation.update(gaze.get("StimulusPresentation", {}))
        if paradigm.recording_provenance is not None:
            prov.update(paradigm.recording_provenance(config, the_plan, gaze))
    writer = EventsWriter.create(request.data_root, participant=request.participant,
                                 session=request.session, task=config.label,
                                 columns=paradigm.events_columns(), provenance=prov,
                                 group=request.group,
                                 stimulus_presentation=presentation or None,
                                 simulated=responder is not None, run=run)
    if gaze is not None:
        writer.add_recording("eye1", sidecar={"TaskName": config.label, **eye_sidecar(gaze)},
                             events_sidecar={"TaskName": config.label, **EYE_EVENTS_SIDECAR})
    if lsl is not None:
        lsl.add_files(writer, config.label)
        engine.set_markers(lsl.markers)
        lsl.start()
    log(f"[icb] writing {writer.tsv_path}")
    sim_rng = np.random.default_rng([the_plan.seed, 1]) if responder is not None else None
    try:
        try:
            with stopped_by_signals():
                run_trials(paradigm, config, the_plan, engine, writer, responder=responder,
                           sim_rng=sim_rng, markers=None if lsl is None else lsl.markers,
                           on_trial_end=None if lsl is None else lsl.flush)
        except (Aborted, KeyboardInterrupt) as exc:
            if isinstance(exc, KeyboardInterrupt):
                exc = Aborted("interrupted (SIGINT, Ctrl+C)")
            writer.finish("aborted", AbortReason=str(exc), **_end_lsl(lsl))
            log(f"[icb] run aborted ({exc}); {writer.n_rows} finished trials kept in "
                f"{writer.tsv_path}")
            return RunOutcome("aborted", writer.tsv_path, writer.n_rows)
        except DataWriteError as exc:
            raise _record_write_failure(writer, exc) from exc.cause
        except Exception as exc:  # a bug: the run is recorded as ended, then the traceback
            try:
                writer.finish("aborted", AbortReason=f"error in icb: {type(exc).__name__}: "
                                                     f"{exc}"[:500], **_end_lsl(lsl))
            except OSError:
                pass  # the sidecar then says in_progress: read as a crashed run
            raise
        try:
            writer.finish("completed", Display=engine.info(), **_end_lsl(lsl))
        except DataWriteError as exc:  # the folder was deleted after the last trial
            raise _record_write_failure(writer, exc) from exc
        except OSError as exc:
            raise DataWriteError(
                f"{writer.json_path}: could not record the end of the run "
                f"({exc.strerror or exc}); all {writer.n_rows} trials are kept in "
                f"{writer.tsv_path}; the sidecar still says Status in_progress",
                path=writer.json_path, n_rows=writer.n_rows, cause=exc) from exc
        log(f"[icb] run completed: {writer.n_rows} rows in {writer.tsv_path}")
        return RunOutcome("completed", writer.tsv_path, writer.n_rows)
    finally:
        writer.close()


@contextlib.contextmanager
def stopped_by_signals():
    """While the trials run, SIGTERM and SIGINT (Ctrl+C) end the run like an abort
    (``Aborted``, so that the sidecar says ``Status: aborted`` with the reason and every
    row stays whole)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):
        raise Aborted(f"stopped by {signal.Signals(signum).name}")

    def on_int(signum, frame):
        raise Aborted("interrupted (SIGINT, Ctrl+C)")

    # SIGINT too: a process started in the background inherits SIGINT ignored, and Ctrl+C
    # (or kill -INT) must still end the run as aborted
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, on_term),
                signal.SIGINT: signal.signal(signal.SIGINT, on_int)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _record_write_failure(writer, exc: DataWriteError) -> DataWriteError:
    """A data file could not be written mid-run: try to say so in the sidecar
    (``Status: aborted`` + ``AbortReason``); return the error to raise, its message
    saying what the sidecar holds."""
    reason = f"write error: {exc.cause.strerror if exc.cause else exc}"
    try:
        writer.finish("aborted", AbortReason=reason)
        where = f"the sidecar says Status aborted, AbortReason {reason!r}"
    except OSError:
        writer.close()
        where = ("the sidecar could not be updated either and still says Status in_progress "
                 "(read as a crashed run)") if writer.json_path.exists() else \
            f"the sidecar {writer.json_path} is gone too"
    advice = "Free disk space (or choose another --data-dir) and run again with --rerun" \
        if exc.cause is not None else "Run the task again with --rerun"
    return DataWriteError(f"{exc.message}; {where}. {advice}", path=exc.path,
                          n_rows=exc.n_rows, cause=exc.cause)
