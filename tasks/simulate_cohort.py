"""``icb simulate``: a whole simulated cohort, pre and post, in data-only mode.

The same trial lists (``plan``), the same trial loop (``run``) and the same
writer as ``icb run``; the data-only engine replaces the window.  Every file is
marked simulated in its sidecar (``Provenance.Simulated`` holds the planted
parameters), so the analysis never mixes it with real data unless asked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from tasks.config import load_task_config, task_module
from tasks.core.data_engine import DataEngine
from icb.errors import BadInput


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "simulate", help="simulate a cohort (pre and post) without a window",
        description="Data-only simulation of a cohort with planted effects.")
    parser.add_argument("config", type=Path, help="task or battery config (YAML)")
    parser.add_argument("--participants", type=int, required=True, help="number of participants")
    parser.add_argument("--data-dir", type=Path, required=True, help="data root to write")
    parser.add_argument("--groups", default="MORE,control",
                        help="comma-separated groups, assigned in turn (default MORE,control)")
    parser.add_argument("--sessions", default="pre,post", help="comma-separated sessions")
    parser.add_argument("--effect", action="append", default=[], metavar="NAME=VALUE",
                        help="planted effect, e.g. bias_ms=30 (repeatable; see docs)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the cohort (default 1)")
    parser.add_argument("--first", type=int, default=1, help="number of the first participant")
    parser.set_defaults(func=main)


def parse_effects(items: list[str], modules: list) -> dict:
    declared = {}
    for module in modules:
        declared.update(getattr(module, "EFFECTS", {}))
    effects = {name: default for name, (default, _) in declared.items()}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name not in declared:
            allowed = ", ".join(f"{k} ({doc}; default {d})" for k, (d, doc) in declared.items())
            raise BadInput(f"--effect: unknown effect {item!r}; allowed: {allowed}")
        try:
            effects[name] = float(value)
        except ValueError:
            raise BadInput(f"--effect {name}: bad value {value!r}; allowed: a number") from None
    return effects


def main(args: argparse.Namespace) -> int:
    from icb import bids
    from tasks.validate import task_configs_of
    if args.participants < 1:
        raise BadInput(f"--participants: bad value {args.participants}; allowed: at least 1")
    groups = [bids.check_group(g.strip()) for g in args.groups.split(",") if g.strip()]
    sessions = [bids.check_label("session", s.strip(), option="--sessions")
                for s in args.sessions.split(",") if s.strip()]
    configs = [load_task_config(p) for p in task_configs_of(args.config)]
    modules = [task_module(c.task) for c in configs]
    effects = parse_effects(args.effect, modules)
    data_root = Path(args.data_dir)
    n_written = 0
    for i in range(args.participants):
        number = args.first + i
        participant = f"{number:03d}"
        group = groups[i % len(groups)]
        for config, module in zip(configs, modules):
            person_rng = np.random.default_rng([args.seed, number, _task_code(config.task)])
            person_state = person_rng.bit_generator.state
            for session in sessions:
                person_rng.bit_generator.state = person_state  # same person in every session
                session_rng = np.random.default_rng(
                    [args.seed, number, _task_code(config.task), _task_code(session)])
                responder = module.cohort_responder(effects, group=group, session=session,
                                                    person_rng=person_rng,
                                                    session_rng=session_rng)
                simulate_run(config, module, data_root, participant=participant,
                             session=session, group=group, responder=responder,
                             sim_rng=session_rng,
                             extra={"CohortSeed": args.seed, "PlantedEffects": effects})
                n_written += 1
    print(f"simulated {args.participants} participants x {len(sessions)} sessions x "
          f"{len(configs)} task(s): {n_written} runs in {data_root}")
    return 0


def _task_code(text: str) -> int:
    return int.from_bytes(text.encode("utf-8")[:8].ljust(8, b"\0"), "big") % (2**31)


def simulate_run(config, module, data_root: Path, *, participant: str, session: str,
                 group: str, responder, sim_rng, extra: dict | None = None,
                 seed: int | None = None) -> Path:
    """One data-only run through the task's own loop and the project's writer."""
    from tasks.core.writer import EventsWriter
    from tasks.run import provenance_for
    the_plan = module.plan(config, participant, session, seed)
    engine = DataEngine(config.station["expected_refresh_hz"])
    engine.open()
    simulated = {**responder.describe(), **(extra or {}), "Group": group}
    prov = provenance_for(config, the_plan, participant=participant, session=session,
                          simulated=simulated, engine=engine)
    writer = EventsWriter.create(data_root, participant=participant, session=session,
                                 task=config.task, provenance=prov, group=group,
                                 simulated=True)
    try:
        module.run(config, the_plan, engine, writer, responder=responder, sim_rng=sim_rng,
                   log=lambda msg: print(msg, file=sys.stderr))
        writer.finish("completed")
    finally:
        writer.close()
    return writer.tsv_path
