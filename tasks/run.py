"""``icb run``: one task config (or a battery config) in a real PsychoPy window.

Order of work, so that bad input never opens a window or touches data:
labels checked -> config loaded and checked (every stimulus) -> trial list built
-> run number chosen (refused if the run exists and no ``--rerun``) -> window
opened -> sidecar written -> trials, one fsynced row each -> Status recorded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from tasks.config import load_merged, load_task_config, task_module
from icb import bids
from tasks.core.writer import DataWriteError, EventsWriter, plan_run
from icb.errors import Aborted, BadInput
from tasks.session import newest_station_check


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a task or battery config in a PsychoPy window",
        description="Run a task config or a battery config in a real PsychoPy window.")
    parser.add_argument("config", type=Path, help="task or battery config (YAML)")
    parser.add_argument("--participant", help="participant label: letters and digits only")
    parser.add_argument("--session", help="session label, e.g. pre or post")
    parser.add_argument("--group", help="participant group (MORE, control); written to "
                        "participants.tsv")
    parser.add_argument("--data-dir", type=Path, help="data root (overrides station.data_dir)")
    parser.add_argument("--simulate", nargs="?", const="", default=None, metavar="SPEC",
                        help="a simulated participant answers through the real keyboard path; "
                        "SPEC sets its parameters, e.g. bias_ms=30,mu_ms=450")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    parser.add_argument("--seed", type=int, help="seed of the trial list (default: from the "
                        "config, else derived from participant and session)")
    parser.add_argument("--rerun", action="store_true", help="record a new run when one exists "
                        "(takes the next run number; nothing is overwritten)")
    parser.set_defaults(func=main)


def is_battery(path: Path) -> bool:
    merged, problems = load_merged(path)
    return not problems and "battery" in merged.top


def main(args: argparse.Namespace) -> int:
    if is_battery(args.config):
        from tasks.battery import run_battery  # issue 5: battery runner
        return run_battery(args)
    config = load_task_config(args.config)  # bad config: exit 2 before any dialog opens
    labels = resolve_labels(args, sessions=("pre", "post", "followup"),
                            header=f"Task config: {args.config}")
    if labels is None:
        print("[icb] cancelled in the dialog; nothing was run or written", file=sys.stderr)
        return 0
    participant, session, group = labels
    status = run_one(config, participant=participant, session=session, group=group,
                     data_dir=args.data_dir, simulate=args.simulate, windowed=args.windowed,
                     seed=args.seed, rerun=args.rerun)
    return 0 if status in ("completed", "aborted") else 1


def resolve_labels(args, *, sessions, default_session: str | None = None,
                   header: str = "") -> tuple[str, str, str] | None:
    """Participant, session and group: from the command line, else from the experimenter
    dialog (None when it is cancelled). With no one to ask (CI, no display): exit 2."""
    if args.participant is not None and args.session is not None:
        return (bids.check_label("participant", args.participant, option="--participant"),
                bids.check_label("session", args.session, option="--session"),
                bids.check_group(args.group))
    from tasks.session import display_answers, env_flag
    if env_flag("CI") or not display_answers():
        missing = [o for o, v in (("--participant", args.participant),
                                  ("--session", args.session)) if v is None]
        raise BadInput(f"{' and '.join(missing)} missing, and there is no one to ask: "
                       + ("CI is set" if env_flag("CI") else "no X display answers")
                       + "; give them on the command line, e.g. --participant 07 "
                       "--session pre")
    from tasks.core.psychopy_engine.dialog import ask_session_labels
    labels = ask_session_labels(sessions=list(sessions), groups=list(bids.GROUPS),
                                check_label=bids.check_label,
                                default_session=args.session or default_session, header=header)
    if labels is None:
        return None
    participant, session, group = labels
    return participant, bids.check_label("session", session, option="session"), group


def make_responder(module, spec: str | None):
    return module.responder_from_spec(spec)


def provenance_for(config, the_plan: dict, *, participant: str, session: str,
                   simulated, engine, extra: dict | None = None) -> dict:
    from tasks.stimulus_factory.manifest import manifest_sha256
    prov = {
        "TaskName": config.task, "Simulated": simulated, "Participant": participant,
        "Session": session, "Seed": the_plan["seed"],
        "StimulusSet": the_plan.get("stimulus_set"), "KeyMapping": the_plan.get("key_mapping"),
        "Config": config.resolved(), "ConfigSHA256": config.sha256,
        "ConfigFiles": [str(f) for f in config.files],
        "Display": engine.info(), "Keyboard": {"Backend": engine.keyboard_backend},
        "Audio": {"Backend": getattr(engine, "audio_backend", "not used")},
        "StimulusManifest": str(config.manifest_path),
        "StimulusManifestSHA256": manifest_sha256(config.manifest_path),
    }
    prov.update(extra or {})
    return prov


def run_one(config, *, participant: str, session: str, group: str = "n/a",
            data_dir: Path | None = None, simulate: str | None = None, windowed: bool = False,
            seed: int | None = None, rerun: bool = False, engine=None, log=None,
            extra_provenance: dict | None = None, run_number: int | None = None) -> str:
    """Run one task config in a window (or in ``engine`` when given); return the status."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    module = task_module(config.task)
    data_root = Path(data_dir) if data_dir else config.data_dir
    the_plan = module.plan(config, participant, session, seed)
    responder = make_responder(module, simulate) if simulate is not None else None
    run = run_number if run_number is not None else plan_run(
        data_root, participant, session, config.task, rerun=rerun)
    own_engine = engine is None
    if own_engine:
        from tasks.core.psychopy_engine import PsychoPyEngine
        engine = PsychoPyEngine(config.station, windowed=windowed,
                                simulate=responder is not None, log=log)
        engine.open()
    writer = None
    try:
        # Slow work before the sidecar exists: load every stimulus the plan needs.
        if hasattr(module, "prepare"):
            module.prepare(config, the_plan, engine)
        prov = provenance_for(config, the_plan, participant=participant, session=session,
                              simulated=responder.describe() if responder else False,
                              engine=engine,
                              extra={"StationCheck": newest_station_check(data_root),
                                     **(extra_provenance or {})})
        writer = EventsWriter.create(data_root, participant=participant, session=session,
                                     task=config.task, provenance=prov, group=group,
                                     stimulus_presentation=engine.presentation_info() or None,
                                     simulated=responder is not None, run=run)
        log(f"[icb] writing {writer.tsv_path}")
        sim_rng = np.random.default_rng([the_plan["seed"], 1]) if responder else None
        try:
            module.run(config, the_plan, engine, writer, responder=responder, sim_rng=sim_rng,
                       log=log)
        except Aborted:
            writer.finish("aborted")
            log(f"[icb] run aborted by the experimenter; {writer.n_rows} finished trials kept "
                f"in {writer.tsv_path}")
            return "aborted"
        except DataWriteError as exc:
            raise _record_write_failure(writer, exc) from exc.cause
        try:
            writer.finish("completed", Display=engine.info())
        except OSError as exc:
            raise DataWriteError(
                f"{writer.json_path}: could not record the end of the run "
                f"({exc.strerror or exc}); all {writer.n_rows} trials are kept in "
                f"{writer.tsv_path}; the sidecar still says Status in_progress",
                path=writer.json_path, n_rows=writer.n_rows, cause=exc) from exc
        log(f"[icb] run completed: {writer.n_rows} trials in {writer.tsv_path}")
        return "completed"
    finally:
        if writer is not None:
            writer.close()
        if own_engine:
            engine.close()


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
                 "(read as a crashed run)")
    return DataWriteError(f"{exc.message}; {where}. Free disk space (or choose another "
                          "--data-dir) and run again with --rerun", path=exc.path,
                          n_rows=exc.n_rows, cause=exc.cause)
