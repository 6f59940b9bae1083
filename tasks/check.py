"""``icb check``: the testing station's self-check, written to the data root.

Measures the display (refresh rate, dropped frames over ``--seconds``), the keyboard
backend, the audio device and its scheduling, free disk space, realtime limits and Lab
Streaming Layer (the streams seen, the marker round trip on this machine);
prints a summary and writes ``station_check-<time>.json`` at the data root (listed in
``.bidsignore``). Every later run's sidecar names the newest one
(``Provenance.StationCheck``). Exit status 0 when the station is ready (warnings
allowed), 1 when something is not (e.g. the refresh rate differs from the config).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from tasks.config import (REPO_ROOT, STATION_PARAMS, _display, _resolve_station_defaults,
                          load_merged, load_task_config)
from icb.params import check_mapping
from icb.errors import ConfigError

DEFAULT_CONFIG = REPO_ROOT / "configs" / "station.yaml"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="testing-station self-check (display, keyboard, audio, disk, LSL)",
        description="Measure the testing station: refresh rate and dropped frames, keyboard "
        "backend, audio device and scheduling, free disk space, the Lab Streaming Layer "
        "streams seen and the marker round trip. Writes "
        "station_check-<time>.json at the data root and prints a summary.")
    parser.add_argument("config", nargs="?", type=Path, default=DEFAULT_CONFIG,
                        help="station, task or battery config (default: configs/station.yaml)")
    parser.add_argument("--data-dir", type=Path, help="data root (overrides station.data_dir)")
    parser.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="length of the frame test (default 5)")
    parser.set_defaults(func=main)


def station_of(path: Path) -> dict:
    """The checked station settings of a station, task or battery config."""
    merged, problems = load_merged(path)
    if problems:
        raise ConfigError(f"{len(problems)} problem(s) in {_display(path)}", problems)
    if "battery" in merged.top:
        from tasks.battery import load_battery, load_task_configs
        return load_task_configs(load_battery(path))[0].station
    if "task" in merged.top or "paradigm" in merged.top:
        return load_task_config(path).station
    extra = sorted(set(merged.top) - {"station", "description"})
    station, bad = check_mapping(merged.top.get("station") or {}, STATION_PARAMS,
                                 where="station")
    bad += [f"{k}: not allowed in a station config; allowed: station, description, include"
            for k in extra]
    if bad:
        raise ConfigError(f"{len(bad)} problem(s) in {_display(path)}",
                          [f"{_display(path)}: {b}" for b in bad])
    return _resolve_station_defaults(station)


def main(args: argparse.Namespace) -> int:
    if not 0.5 <= args.seconds <= 120:
        raise ConfigError(f"--seconds: bad value {args.seconds:g}; allowed: from 0.5 to 120")
    station = station_of(args.config)
    data_root = Path(args.data_dir) if args.data_dir else Path(station["data_dir"])
    from tasks.core import dataset_files
    from tasks.core.psychopy_engine.station_check import run_check, summary
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    started = datetime.now().astimezone()
    result = run_check(station, data_dir=data_root, seconds=args.seconds,
                       windowed=args.windowed, log=log)
    result = {"Time": started.isoformat(timespec="seconds"), "Config": str(args.config),
              **result}
    dataset_files.ensure_dataset_files(data_root)
    path = data_root / f"station_check-{started.strftime('%Y%m%dT%H%M%S')}.json"
    n = 1
    while path.exists():  # never overwrite (two checks in one second)
        n += 1
        path = data_root / f"station_check-{started.strftime('%Y%m%dT%H%M%S')}-{n}.json"
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(json.dumps(result, indent=2, default=str) + "\n")
    print(summary(result))
    print(f"written: {path}")
    return 1 if result["Verdict"] == "problems" else 0
