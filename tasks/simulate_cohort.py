"""``icb simulate``: a whole simulated cohort, pre and post, in data-only mode.

The same runner as ``icb run`` (``tasks.core.runner.run_one``: plan, preload, writer,
the one trial loop); the data-only engine replaces the window.  A battery config is
simulated with its station keys, as ``icb run`` would run it.  Every file is
marked simulated in its sidecar (``Provenance.Simulated`` holds the planted
parameters), so the analysis never mixes it with real data unless asked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import math

import numpy as np

from icb import bids, options
from icb.errors import BadInput
from tasks.config import load_merged, load_task_config
from tasks.core.data_engine import DataEngine
from tasks.core.paradigm import Person
from tasks.core.paradigm import load as load_paradigm
from tasks.core.runner import RunRequest, run_one

MAX_PARTICIPANTS = 10_000  # a cohort larger than this is not a simulation anyone waits for
MAX_FIRST = 10**9  # participant labels stay short (BIDS labels of at most 10 digits)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate", help="simulate a cohort (pre and post) without a window",
        description="Data-only simulation of a cohort with planted effects.")
    parser.add_argument("config", type=Path, help="task or battery config (YAML)")
    parser.add_argument("--participants", type=options.count(1, MAX_PARTICIPANTS),
                        required=True, help=f"number of participants (1 to {MAX_PARTICIPANTS})")
    parser.add_argument("--data-dir", type=Path, required=True, help="data root to write")
    parser.add_argument("--groups", default="MORE,control",
                        help="comma-separated groups, assigned in turn (default MORE,control)")
    parser.add_argument("--sessions", default="pre,post", help="comma-separated sessions")
    parser.add_argument("--effect", action="append", default=[], metavar="NAME=VALUE",
                        help="planted effect, e.g. bias_ms=30 (repeatable; see docs)")
    parser.add_argument("--seed", type=options.seed, default=1, help="seed of the cohort (default 1)")
    parser.add_argument("--first", type=options.count(0, MAX_FIRST), default=1,
                        help="number of the first participant")
    parser.set_defaults(func=main)


def parse_effects(items: list[str], paradigms: list) -> dict:
    """``NAME=VALUE`` items against every effect the paradigms declare (finite numbers)."""
    declared = {e.name: e for p in paradigms for e in p.effects}
    effects = {name: e.default for name, e in declared.items()}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"--effect: item {item!r} has no '='; allowed: NAME=VALUE, e.g. "
                           f"{next(iter(declared), 'bias_ms')}=30")
        if name not in declared:
            allowed = ", ".join(f"{k} ({e.doc}; default {e.default})"
                                for k, e in declared.items())
            raise BadInput(f"--effect: unknown effect {name!r}; allowed: {allowed}")
        try:
            number = float(value)
        except ValueError:
            raise BadInput(f"--effect {name}: bad value {value!r}; allowed: a number") from None
        if not math.isfinite(number):
            raise BadInput(f"--effect {name}: bad value {value!r}; allowed: a finite number")
        effects[name] = number
    return effects


def cohort_configs(path: Path) -> list:
    """The checked task configs of a task or battery config (a battery's station keys on
    top, as ``icb run`` applies them)."""
    merged, problems = load_merged(path)
    if not problems and "battery" in merged.top:
        from tasks.battery import load_battery, load_task_configs
        return load_task_configs(load_battery(path))
    return [load_task_config(path)]


def _labels(text: str, option: str, check) -> list[str]:
    values = [check(v.strip()) for v in text.split(",") if v.strip()]
    if not values:
        raise BadInput(f"{option}: bad value {text!r}; allowed: a comma-separated list of at "
                       "least one label")
    return values


def main(args: argparse.Namespace) -> int:
    groups = _labels(args.groups, "--groups", bids.check_group)
    sessions = _labels(args.sessions, "--sessions",
                       lambda s: bids.check_label("session", s, option="--sessions"))
    configs = cohort_configs(args.config)
    paradigms = [load_paradigm(c.paradigm) for c in configs]
    effects = parse_effects(args.effect, paradigms)
    data_root = Path(args.data_dir)
    n_written = 0
    for i in range(args.participants):
        number = args.first + i
        participant = f"{number:03d}"
        group = groups[i % len(groups)]
        for config, paradigm in zip(configs, paradigms):
            person_rng = np.random.default_rng([args.seed, number, _task_code(config.label)])
            person_state = person_rng.bit_generator.state
            for session in sessions:
                person_rng.bit_generator.state = person_state  # same person in every session
                session_rng = np.random.default_rng(
                    [args.seed, number, _task_code(config.label), _task_code(session)])
                person = Person(group, session, person_rng, session_rng)
                responder = paradigm.cohort_responder(effects, person, config)
                simulate_run(config, data_root, participant=participant, session=session,
                             group=group, responder=responder,
                             extra={"CohortSeed": args.seed, "PlantedEffects": effects})
                n_written += 1
    print(f"simulated {args.participants} participants x {len(sessions)} sessions x "
          f"{len(configs)} task(s): {n_written} runs in {data_root}")
    return 0


def _task_code(text: str) -> int:
    return int.from_bytes(text.encode("utf-8")[:8].ljust(8, b"\0"), "big") % (2**31)


def simulate_run(config, data_root: Path, *, participant: str, session: str, group: str,
                 responder, extra: dict | None = None, seed: int | None = None,
                 engine: DataEngine | None = None) -> Path:
    """One data-only run of a simulated participant through the one runner; the events
    file written."""
    engine = engine or DataEngine(config.station["expected_refresh_hz"],
                                  input_device=config.station["input"])
    engine.open()
    request = RunRequest(participant, session, Path(data_root), group=group, seed=seed)
    try:
        outcome = run_one(config, engine, request, responder=responder,
                          simulated_info={**(extra or {}), "Group": group},
                          log=lambda msg: None)
    finally:
        engine.close()
    return outcome.tsv_path
