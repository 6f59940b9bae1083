"""Start-up times: ``icb validate`` and ``icb run`` to the first frame.

Run:

    scripts/headless.sh .venv/bin/python benchmarks/startup.py [--reps 5] [--config ...]
    .venv/bin/python benchmarks/startup.py                   # at a station with a real display

1. ``icb validate CONFIG``: wall time of the whole command (process start to exit),
   which loads the config, the manifest and decodes every stimulus the config names.
2. ``icb run CONFIG --participant ... --session pre --windowed`` (no simulated participant:
   what an experimenter starts): wall time from starting the process to the first frame
   the participant sees -- the engine flips the instructions and then logs
   ``[icb] message on screen`` on stderr; the time is taken when that line arrives.  The
   run is then ended with SIGKILL (its data go to a temporary directory, removed).  The
   figure includes importing PsychoPy, opening the window, measuring the refresh rate
   (40 flips), opening the keyboard, warming up the font, building the trial list and
   preloading every picture, and writing the sidecar.

Median (and min/max) over ``--reps`` repetitions; the first repetition of each is
reported too, as it may include cold file caches.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import machine  # noqa: E402

ICB = [sys.executable, "-m", "icb.cli"]


def time_validate(config: Path) -> float:
    t = time.perf_counter()
    out = subprocess.run([*ICB, "validate", str(config)], cwd=REPO, capture_output=True,
                         text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"icb validate exited {out.returncode}: {out.stderr}")
    return wall


def time_first_frame(config: Path, rep: int) -> float:
    with tempfile.TemporaryDirectory(prefix="icb-startup-") as tmp:
        t = time.perf_counter()
        proc = subprocess.Popen([*ICB, "run", str(config), "--participant", f"start{rep}",
                                 "--session", "pre", "--windowed", "--data-dir",
                                 str(Path(tmp) / "data")], cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        try:
            lines = []
            for line in proc.stderr:
                lines.append(line)
                if "[icb] message on screen" in line:
                    return time.perf_counter() - t
            raise SystemExit("icb run ended before its first screen:\n" + "".join(lines))
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def stats(values: list[float]) -> dict:
    return {"median_s": statistics.median(values), "min_s": min(values), "max_s": max(values),
            "first_s": values[0], "all_s": values}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=REPO / "configs" / "dotprobe.yaml")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    info = machine.describe({"x_display": machine.x_server()})
    validate = stats([time_validate(args.config) for _ in range(args.reps)])
    first = stats([time_first_frame(args.config, i) for i in range(args.reps)])
    machine.print_machine(info)
    print(f"config: {args.config}; {args.reps} repetitions each")
    print()
    print("| command | median s | min s | max s | first rep s |")
    print("|---|---|---|---|---|")
    for name, s in ((f"icb validate {args.config.name}", validate),
                    (f"icb run {args.config.name} --windowed: to the first frame", first)):
        print(f"| {name} | {s['median_s']:.2f} | {s['min_s']:.2f} | {s['max_s']:.2f} "
              f"| {s['first_s']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "validate": validate,
                                         "first_frame": first}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
