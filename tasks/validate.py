"""``icb validate``: check configs and every stimulus they name, without a window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from icb import options
from icb.errors import BadInput, ConfigError
from tasks.config import load_merged, load_task_config
from tasks.core.paradigm import load as load_paradigm


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="check configs and their stimuli without opening a window",
        description="Check task and battery configs and every stimulus they name. Every "
        "problem is reported at once; exit status 2 when there is any.")
    parser.add_argument("configs", nargs="+", type=Path, metavar="CONFIG")
    parser.add_argument("--plan", action="store_true", help="print the resolved trial list")
    parser.add_argument("--participant", default="01", help="participant label for --plan")
    parser.add_argument("--session", default="pre", help="session label for --plan")
    parser.add_argument("--seed", type=options.seed, help="seed for --plan")
    parser.set_defaults(func=main)


def task_configs_of(path: Path) -> list[Path]:
    """The task configs a config stands for: itself, or a battery's list."""
    merged, problems = load_merged(path)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in {path}", problems)
    if "battery" in merged.top:
        from tasks.battery import battery_task_paths
        return battery_task_paths(path)
    return [path]


def main(args: argparse.Namespace) -> int:
    from tasks.core.messages import LANG_DIR, catalogue_problems
    problems: list[str] = []
    checked = []
    catalogues = []  # message catalogues named on the command line (configs/lang/*.yaml)
    for path in args.configs:
        if Path(path).resolve().parent == LANG_DIR.resolve():
            catalogues.append(path)
            continue
        try:
            paths = task_configs_of(path)
        except BadInput as exc:
            problems += exc.problems
            continue
        merged, _ = load_merged(path)
        if "battery" in merged.top:
            # the battery's station keys on top, labels unique: as icb run would run it
            from tasks.battery import load_battery, load_task_configs
            try:
                checked += load_task_configs(load_battery(path))
            except BadInput as exc:
                problems += exc.problems
            continue
        for task_path in paths:
            try:
                config = load_task_config(task_path)
            except BadInput as exc:
                problems += exc.problems
                continue
            checked.append(config)
    problems += catalogue_problems()  # every language file: the ids and placeholders of en
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) found", problems)
    for path in catalogues:
        print(f"ok: {path} (message catalogue, language {Path(path).stem})")
    for config in checked:
        what = config.paradigm if config.label == config.paradigm else \
            f"{config.paradigm}, label {config.label}"
        print(f"ok: {config.path} (paradigm {what})")
        if args.plan:
            print_plan(config, args.participant, args.session, args.seed)
    return 0


def print_plan(config, participant: str, session: str, seed: int | None) -> None:
    from icb import bids
    participant = bids.check_label("participant", participant, option="--participant")
    session = bids.check_label("session", session, option="--session")
    paradigm = load_paradigm(config.paradigm)
    the_plan = paradigm.plan(config, participant, session, seed)
    rows = paradigm.plan_rows(the_plan)
    print(f"# {config.label} (paradigm {config.paradigm}): participant {participant}, session "
          f"{session}, seed {the_plan.seed}, stimulus set {the_plan.stimulus_set}, "
          f"{len(rows)} trials")
    if rows:
        header = list(rows[0])
        out = sys.stdout
        out.write("\t".join(header) + "\n")
        for row in rows:
            out.write("\t".join(str(row[h]) for h in header) + "\n")
