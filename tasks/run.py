"""``icb run``: one task config (or a battery config) in a real PsychoPy window.

Order of work, so that bad input never opens a window or touches data: config loaded
and checked (every stimulus) -> labels checked (or asked for) -> the simulated
participant's spec checked -> an existing run refused (without
``--rerun``) -> window opened -> ``tasks.core.runner.run_one``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from icb import options
from tasks.config import load_merged, load_task_config
from tasks.core.paradigm import load as load_paradigm
from tasks.core.runner import RunRequest, open_window, run_one
from tasks.core.writer import plan_run
from tasks.session import newest_station_check, resolve_labels, settle_group


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a task or battery config in a PsychoPy window",
        description="Run a task config or a battery config in a real PsychoPy window.")
    parser.add_argument("config", type=Path, help="task or battery config (YAML)")
    parser.add_argument("--participant", help="participant label: letters and digits only")
    parser.add_argument("--session", help="session label, e.g. pre or post")
    parser.add_argument("--group", help="participant group (MORE, control); written to "
                        "participants.tsv; a known participant keeps the recorded group")
    parser.add_argument("--change-group", action="store_true", help="move a known participant "
                        "to the --group given (refused without it); recorded in every sidecar")
    parser.add_argument("--data-dir", type=Path, help="data root (overrides station.data_dir)")
    parser.add_argument("--simulate", nargs="?", const="", default=None, metavar="SPEC",
                        help="a simulated participant answers through the real keyboard path; "
                        "SPEC sets its parameters, e.g. bias_ms=30,mu_ms=450")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    parser.add_argument("--seed", type=options.seed, help="seed of the trial list (default: from the "
                        "config, else derived from participant and session)")
    parser.add_argument("--rerun", action="store_true", help="record a new run when one exists "
                        "(takes the next run number; nothing is overwritten)")
    parser.set_defaults(func=main)


def is_battery(path: Path) -> bool:
    merged, problems = load_merged(path)
    return not problems and "battery" in merged.top


def main(args: argparse.Namespace) -> int:
    if is_battery(args.config):
        from tasks.battery import run_battery
        return run_battery(args)
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    config = load_task_config(args.config)  # bad config: exit 2 before any dialog opens
    data_root = Path(args.data_dir) if args.data_dir else config.data_dir
    labels = resolve_labels(args, sessions=("pre", "post", "followup"),
                            header=f"Task config: {args.config}", data_root=data_root)
    if labels is None:
        log("[icb] cancelled in the dialog; nothing was run or written")
        return 0
    participant, session, asked_group = labels
    group, change = settle_group(data_root, participant, asked_group,
                                 change_group=args.change_group, log=log)
    paradigm = load_paradigm(config.paradigm)
    responder = paradigm.responder(args.simulate, config) if args.simulate is not None \
        else None
    extra = {"StationCheck": newest_station_check(data_root)}
    if change:
        extra["GroupChange"] = change
    request = RunRequest(participant, session, data_root, group=group, seed=args.seed,
                         rerun=args.rerun, extra_provenance=extra)
    # a run that exists (and no --rerun) is refused before the window opens
    plan_run(data_root, participant, session, config.label, rerun=args.rerun)
    engine = open_window(config.station, windowed=args.windowed,
                         simulate=responder is not None, log=log)
    try:
        outcome = run_one(config, engine, request, responder=responder, log=log)
    finally:
        engine.close()
    return 0 if outcome.status in ("completed", "aborted") else 1
