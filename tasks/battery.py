"""Battery configs: several task configs in one window, one session per visit.

``icb run configs/battery_pre.yaml [--participant P --session S]``:

labels (the experimenter dialog when missing) -> battery and every task config checked
-> counterbalancing (task order, stimulus set) -> what the data root already holds
(resume) -> every plan built -> ONE window -> the experimenter's confirmation screen
-> tasks, a break screen between them -> ``sessions.tsv`` and the sidecars record it all.

Resume works per task: a task whose latest run is ``completed`` is skipped; one whose
latest run crashed (``in_progress``) or was ``aborted`` runs again from its start as the
next run number, with the same seed (the same trial list). The analysis reads the latest
completed run, so no trial is counted twice. Task-level rather than block-level restart:
every run file is then a whole task with its own practice, and the scoring rule (one run
per task) holds without stitching runs together; the price is that the participant sees
the interrupted task's earlier blocks again (see docs/experimenter-guide.md).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from icb.errors import Aborted, BadInput, ConfigError
from icb.params import check_mapping, did_you_mean
from tasks.config import STATION_PARAMS, TaskConfig, _display, load_merged, load_task_config
from tasks.core import counterbalance, dataset_files
from tasks.core.messages import catalogue_of
from tasks.core.paradigm import load as load_paradigm
from tasks.core.runner import RunRequest, open_window, run_one
from tasks.core.screens import PlannedResponse
from tasks.session import (BATTERY_PARAMS, TaskState, newest_station_check, resolve_labels,
                           resume_provenance, session_row, settle_group, task_state,
                           update_session)

BATTERY_TOP_KEYS = ("include", "battery", "station", "description")

# The participant's screens between tasks: messages ``battery.between_tasks`` and
# ``battery.all_done`` of the station's language (configs/lang/).


@dataclass(frozen=True)
class Battery:
    path: Path
    tasks: tuple[Path, ...]
    settings: dict
    station: dict = field(default_factory=dict)  # station keys set by the battery config


# -- the battery config -------------------------------------------------------------
def load_battery(path: Path) -> Battery:
    """Read and check a battery config; ConfigError lists every problem at once."""
    path = Path(path)
    shown = _display(path)
    merged, problems = load_merged(path)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in {shown}", problems)
    top = merged.top
    for key in top:
        if key not in BATTERY_TOP_KEYS:
            where = _display(merged.origin.get((key,), path))
            problems.append(f"{where}: {key}: not allowed in a battery config; allowed: "
                            f"{', '.join(BATTERY_TOP_KEYS)} (a task's 'task' and 'params' "
                            "belong in the task configs the battery lists)")
    where = _display(merged.origin.get(("battery",), path))
    section = top.get("battery")
    if isinstance(section, list):
        section = {"tasks": section}
    if not isinstance(section, dict):
        problems.append(f"{where}: battery: bad value {section!r}; allowed: a list of task "
                        "configs, or a mapping with the keys "
                        + ", ".join(p.name for p in BATTERY_PARAMS))
        raise ConfigError(f"{len(problems)} problem(s) in {shown}", problems)
    settings, bad = check_mapping(section, BATTERY_PARAMS, where="battery")
    problems += [f"{where}: {b}" for b in bad]
    if section.get("tasks") is None:
        problems.append(f"{where}: battery.tasks: missing; allowed: a list of task config "
                        "files, e.g. [dotprobe.yaml, rating.yaml]")
    station, bad = check_mapping(top.get("station") or {}, STATION_PARAMS, where="station")
    problems += [f"{_display(merged.origin.get(('station', b.split('.')[1].split(':')[0]), path))}"
                 f": {b}" for b in bad]
    # task files are relative to the file that lists them (an including battery may keep
    # an included file's list and change only its order or breaks)
    base = Path(merged.origin.get(("battery", "tasks"), merged.origin.get(("battery",), path))
                ).parent
    paths = []
    for i, name in enumerate(settings.get("tasks") or [], start=1):
        if not isinstance(name, str):
            continue
        task_path = (base / name).resolve()
        if not task_path.is_file():
            known = sorted(p.name for p in base.glob("*.yaml"))
            problems.append(f"{where}: battery.tasks: item {i}: task config not found: "
                            f"{_display(task_path)}{did_you_mean(name, known)}; allowed: a "
                            "task config file, relative to the battery config")
            continue
        sub, sub_problems = load_merged(task_path)
        if not sub_problems and "battery" in sub.top:
            problems.append(f"{where}: battery.tasks: item {i}: {name} is itself a battery; "
                            "allowed: task configs only")
            continue
        paths.append(task_path)
    given = {k for k in (top.get("station") or {})} if isinstance(top.get("station"), dict) \
        else set()
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in {shown}", problems)
    return Battery(path, tuple(paths), settings, {k: station[k] for k in given})


def battery_task_paths(path: Path) -> list[Path]:
    """The task configs a battery config lists (``icb validate``); ConfigError if bad."""
    return list(load_battery(path).tasks)


def load_task_configs(battery: Battery) -> list[TaskConfig]:
    """Every task config with the battery's station keys on top; all problems at once."""
    configs, problems = [], []
    for task_path in battery.tasks:
        try:
            configs.append(load_task_config(task_path, {"station": dict(battery.station)}
                                            if battery.station else None))
        except BadInput as exc:
            problems += exc.problems
    seen: dict[str, Path] = {}
    for config in configs:
        if config.label in seen:
            problems.append(f"{_display(battery.path)}: battery.tasks: label {config.label!r} "
                            f"twice ({_display(seen[config.label])} and {_display(config.path)})"
                            "; allowed: each label once per session (a second use of a "
                            "paradigm needs its own `label:`)")
        seen[config.label] = config.path
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in the tasks of "
                          f"{_display(battery.path)}", problems)
    return configs


# -- labels ---------------------------------------------------------------------------
def ask_labels(args, battery: Battery, data_root: Path) -> tuple[str, str, str] | None:
    """Participant, session and group: from the command line, else from the dialog."""
    settings = battery.settings
    labels = resolve_labels(args, sessions=settings["sessions"],
                            default_session=settings["session"],
                            header=f"Battery: {_display(battery.path)}", data_root=data_root)
    if labels is None:
        return None
    participant, session, group = labels
    if settings["session"] is not None and session != settings["session"]:
        raise BadInput(f"--session: {_display(battery.path)} is the battery for session "
                       f"{settings['session']!r}, not {session!r}; allowed: "
                       f"{settings['session']} (or use the battery config of that session)")
    return participant, session, group


def split_spec(spec: str | None, task: str) -> str | None:
    """``--simulate`` items for one task: ``key=v`` goes to every task, ``label:key=v`` to
    the task with that label only."""
    if spec is None:
        return None
    items = []
    for item in (s.strip() for s in spec.split(",") if s.strip()):
        prefix, sep, rest = item.partition(":")
        if not sep:
            items.append(item)
        elif prefix == task:
            items.append(rest)
    return ",".join(items)


# -- running --------------------------------------------------------------------------
def run_battery(args, open_engine=None) -> int:
    """``icb run BATTERY``: returns the exit status.  ``open_engine(station, windowed=,
    simulate=, log=)`` makes the opened engine (default: the PsychoPy window; the tests
    pass the data-only engine)."""
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    battery = load_battery(args.config)
    configs = load_task_configs(battery)
    roots = {Path(args.data_dir) if args.data_dir else c.data_dir for c in configs}
    if len(roots) > 1:
        raise ConfigError("the task configs write to different data folders: "
                          + ", ".join(map(str, sorted(roots))) + "; allowed: one station."
                          "data_dir for the whole battery (or give --data-dir)")
    data_root = roots.pop()
    labels = ask_labels(args, battery, data_root)
    if labels is None:
        log("[icb] cancelled in the dialog; nothing was run or written")
        return 0
    participant, session, asked_group = labels
    # participants.tsv is the one record of the group (a post session keeps the pre one)
    group, group_change = settle_group(data_root, participant, asked_group,
                                       change_group=args.change_group, log=log)
    settings = battery.settings
    ordered = counterbalance.task_order(participant, configs, order=settings["order"])
    stim_set = counterbalance.stimulus_set_for(participant, session)
    row = (counterbalance.order_row(participant, len(configs)) + 1
           if settings["order"] == "latin_square" else None)  # 1-based, as written
    states = {c.label: task_state(data_root, participant, session, c.label) for c in ordered}
    todo = [c for c in ordered if args.rerun or not states[c.label].done]
    seeds, responders = {}, {}
    for config in todo:  # every plan and responder before the window opens
        paradigm = load_paradigm(config.paradigm)
        state = states[config.label]
        seeds[config.label] = args.seed if args.seed is not None else (
            state.seed if state.interrupted else None)
        got = paradigm.plan(config, participant, session, seeds[config.label]).stimulus_set
        if args.simulate is not None:
            responders[config.label] = paradigm.responder(
                split_spec(args.simulate, config.label), config)
        if got not in (None, stim_set):
            log(f"[icb] note: {_display(config.path)} fixes stimulus set {got}; the battery's "
                f"assignment for this participant and session is {stim_set}")
    assignment = {"participant_index": counterbalance.participant_index(participant),
                  "stimulus_set": stim_set, "order": settings["order"], "order_row": row,
                  "task_order": ",".join(c.label for c in ordered),
                  "battery": _display(battery.path)}
    check = newest_station_check(data_root)
    summary = confirmation_text(participant, session, group, assignment, ordered, states,
                                todo, data_root, check, args.rerun)
    log(summary)
    if not todo:
        update_session(data_root, participant, session, group=group, status="completed",
                       tasks_completed=",".join(c.label for c in ordered), **assignment)
        log("[icb] every task of this session is complete already; nothing to run "
            "(--rerun runs them all again as new runs)")
        return 0
    open_engine = open_engine or open_window
    simulated = args.simulate is not None
    engine = open_engine(configs[0].station, windowed=args.windowed, simulate=simulated,
                         log=log)
    try:
        return _run_session(engine, args, battery, participant, session, group, ordered, todo,
                            states, seeds, responders, assignment, check, data_root, log,
                            group_change)
    finally:
        engine.close()


def _run_session(engine, args, battery, participant, session, group, ordered, todo, states,
                 seeds, responders, assignment, check, data_root, log, group_change) -> int:
    settings = battery.settings
    simulated = args.simulate is not None
    chord = engine.abort_chord_text()
    log("[icb] confirmation screen: RETURN starts the session, ESCAPE cancels")
    key = engine.show_message(summary_screen(battery, participant, session, group, assignment,
                                             ordered, states, todo, data_root, check, args.rerun,
                                             chord),
                              keys=("return", "escape"), allow_abort=False,
                              planned=PlannedResponse("return", 500) if simulated else None)
    if key != "return":
        log("[icb] cancelled at the confirmation screen; nothing was written")
        return 0
    dataset_files.ensure_dataset_files(data_root, simulated=simulated)
    previous = session_row(data_root, participant, session) or {}
    resumes = str(previous.get("resumes", "0"))
    resumes = (int(resumes) if resumes.isdigit() else 0) + int(
        bool(previous) and any(s.run is not None for s in states.values()))
    update_session(data_root, participant, session, group=group, status="in_progress",
                   resumes=resumes, tasks_completed=",".join(
                       c.label for c in ordered if states[c.label].done), **assignment)
    done = [c.label for c in ordered if states[c.label].done and not args.rerun]
    ran_here = 0
    try:
        for position, config in enumerate(ordered, start=1):
            if config not in todo:
                continue
            if ran_here and settings["pause_between_tasks"]:
                messages = catalogue_of(config.station)
                engine.pause_screen(messages.text("battery.between_tasks"),
                                    min_s=settings["pause_min_s"],
                                    prompt=messages.text("trial.continue"),
                                    planned=PlannedResponse("space", 400) if simulated else None)
            state = states[config.label]
            extra = {"Battery": {**assignment, "Config": str(battery.path), "Position": position,
                                 "NTasks": len(ordered)},
                     "StationCheck": check, **resume_provenance(state, time.time())}
            if group_change:
                extra["GroupChange"] = group_change
            engine.new_run()
            request = RunRequest(participant, session, data_root, group=group,
                                 seed=seeds[config.label], run_number=(state.run or 0) + 1,
                                 extra_provenance=extra)
            status = run_one(config, engine, request, responder=responders.get(config.label),
                             log=log).status
            if status != "completed":
                update_session(data_root, participant, session, status=status,
                               tasks_completed=",".join(done))
                log(f"[icb] session stopped in task {config.label} ({status}); run the same "
                    "command again to resume (completed tasks are skipped)")
                return 0 if status == "aborted" else 1
            done.append(config.label)
            ran_here += 1
            update_session(data_root, participant, session, tasks_completed=",".join(done))
        update_session(data_root, participant, session, status="completed")
        engine.show_message(catalogue_of(ordered[-1].station).text("battery.all_done"),
                            planned=PlannedResponse("space", 400) if simulated
                            else None, allow_abort=False)
        log(f"[icb] session complete: participant {participant}, session {session}; data in "
            f"{data_root}")
        return 0
    except Aborted:  # the chord on a break screen
        update_session(data_root, participant, session, status="aborted")
        log("[icb] session aborted by the experimenter between tasks; run the same command "
            "again to resume")
        return 0


def summary_screen(battery, participant, session, group, assignment, ordered, states, todo,
                   data_root, check, rerun, chord) -> str:
    return (confirmation_text(participant, session, group, assignment, ordered, states, todo,
                              data_root, check, rerun)
            + f"\n\nAbort during the session: {chord}\n\nRETURN = start      ESCAPE = cancel")


def confirmation_text(participant, session, group, assignment, ordered, states: dict,
                      todo, data_root, check, rerun) -> str:
    """What will run and where the data go (the experimenter's screen and the terminal)."""
    row = assignment["order_row"]
    lines = [f"EXPERIMENTER: participant {participant}, session {session}, group {group}",
             f"stimulus set {assignment['stimulus_set']}; task order "
             + (f"Latin square row {row}" if row is not None else "fixed")]
    for i, config in enumerate(ordered, start=1):
        state: TaskState = states[config.label]
        what = "runs again (--rerun)" if rerun and state.done else state.describe()
        lines.append(f"  {i}. {config.label}: {what}")
    lines.append(f"data: {data_root}")
    lines.append("station check: " + (f"{check['File']} ({check.get('Verdict')})" if check
                                      else "none in the data folder (run: icb check)"))
    return "\n".join(lines)
