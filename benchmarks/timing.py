"""Timing fidelity of the dot-probe in a real PsychoPy window.

Run (needs a display; under Xvfb with the project's wrapper):

    scripts/headless.sh .venv/bin/python benchmarks/timing.py            # default config, ~15 min
    scripts/headless.sh .venv/bin/python benchmarks/timing.py --quick    # demo config, ~1 min
    .venv/bin/python benchmarks/timing.py                                # a station's real display

What it does, in one process:

1. ``icb run CONFIG --simulate --windowed`` (a child process, the real command) into a
   temporary data root: the simulated participant answers through the X server.
2. Reads the run's events TSV (``cue_duration_ms``, ``cue_duration_actual_ms``,
   ``dropped_frames``) and the frame rate from the sidecar
   (``Provenance.Display.FrameRateUsedHz``, ``FramePacing``).  Per intended cue duration:
   n, median error (ms and frames), largest |error| in frames, the share of trials within
   one frame (|error| <= 1 frame) and the share with the exact frame count
   (|error| < 0.5 frame), and dropped frames per 1000 trials (drops over the whole trial:
   fixation, cue, probe and ITI).
3. Per-frame overhead: this process opens the battery's engine (``PsychoPyEngine``) in a
   window, preloads the run's first cue pair, and times, interleaved and alternating which
   goes first, (a) the engine's frame loop ``run_sequence([Screen("cue", pair, ...)])`` and
   (b) a bare PsychoPy loop ``left.draw(); right.draw(); win.flip()`` on the same two
   ``ImageStim`` objects in the same window.  The engine's software pacing is switched off
   for the measurement, so on a display without vertical sync (Xvfb) neither loop sleeps
   and the time per frame is the work per frame: drawing, the flip/swap itself and, for the
   engine, its bookkeeping (item dispatch, positions, time stamps, the abort check, the
   dropped-frame count).  ``win.flip`` is wrapped to time the part spent inside it, so the
   work *outside* ``flip()`` (drawing + bookkeeping) is reported as well; on a display with
   vertical sync the total is bound to the refresh for both loops and only that second
   figure says anything.  Reported: median ms per frame over the repetitions and the
   ratios battery / bare.

On Xvfb there is no vertical sync: the engine paces flips in software on a 60 Hz grid
(docs/platform.md), so the durations measure the engine's pacing and the machine's
scheduling, not a monitor.  The output says which pacing was in force.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import machine  # noqa: E402

DEFAULT_CONFIG = REPO / "configs" / "dotprobe.yaml"
QUICK_CONFIG = REPO / "configs" / "demo" / "dotprobe.yaml"


# -- 1. the run ----------------------------------------------------------------------------
def run_icb(config: Path, data_dir: Path, participant: str = "bench") -> tuple[Path, float]:
    cmd = [sys.executable, "-m", "icb.cli", "run", str(config), "--participant", participant,
           "--session", "pre", "--simulate", "--windowed", "--data-dir", str(data_dir)]
    print("running: " + " ".join(cmd), flush=True)
    start = time.monotonic()
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.monotonic() - start
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"icb run exited {out.returncode}")
    tsv = next(Path(data_dir).rglob("*_task-dotprobe_run-1_events.tsv"))
    return tsv, wall


# -- 2. the figures from the data ----------------------------------------------------------
def read_run(tsv: Path) -> tuple[list[dict], dict]:
    with open(tsv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    sidecar = json.loads(Path(str(tsv)[: -len(".tsv")] + ".json").read_text())
    return rows, sidecar["Provenance"]


def duration_table(rows: list[dict], frame_ms: float) -> list[dict]:
    by_duration: dict[float, list[dict]] = {}
    for row in rows:
        by_duration.setdefault(float(row["cue_duration_ms"]), []).append(row)
    table = []
    for intended in sorted(by_duration) + ["all"]:
        group = rows if intended == "all" else by_duration[intended]
        errors = [float(r["cue_duration_actual_ms"]) - float(r["cue_duration_ms"])
                  for r in group]
        frames = [e / frame_ms for e in errors]
        drops = sum(int(r["dropped_frames"]) for r in group)
        table.append({
            "intended_ms": intended, "n": len(group),
            "median_actual_ms": None if intended == "all" else statistics.median(
                float(r["cue_duration_actual_ms"]) for r in group),
            "median_error_ms": statistics.median(errors),
            "median_error_frames": statistics.median(frames),
            "max_abs_error_frames": max(abs(f) for f in frames),
            "share_within_1_frame": sum(abs(f) <= 1.0 + 1e-9 for f in frames) / len(group),
            "share_exact_frames": sum(abs(f) < 0.5 for f in frames) / len(group),
            "trials_with_drops": sum(int(r["dropped_frames"]) > 0 for r in group),
            "dropped_frames_per_1000_trials": 1000.0 * drops / len(group),
        })
    return table


# -- 3. per-frame overhead -----------------------------------------------------------------
def frame_overhead(config_path: Path, rows: list[dict], *, frames: int, reps: int) -> dict:
    from tasks.config import load_task_config
    from tasks.core.psychopy_engine import PsychoPyEngine
    from tasks.core.screens import Image, Screen
    from tasks.paradigms.dotprobe import paradigm as dotprobe

    config = load_task_config(config_path)
    the_plan = dotprobe.plan(config, "bench", "pre")
    first = the_plan.trials[0]
    p = config.params
    engine = PsychoPyEngine(config.station, windowed=True, log=lambda m: None)
    engine.open()
    try:
        ids = {first.stim_left: the_plan.images[first.stim_left],
               first.stim_right: the_plan.images[first.stim_right]}
        engine.preload_images(ids, (p["image_width_deg"], p["image_height_deg"]))
        pacing = "software (no vertical sync)" if engine.software_pacing else "vertical sync"
        engine.software_pacing = False       # unpaced: time = work per frame (no vsync)
        off = p["image_offset_deg"]
        pair = (Image(first.stim_left, -off, 0.0), Image(first.stim_right, off, 0.0))
        screen = Screen("cue", pair, frames * engine.frame_ms)
        left, right = engine.images[first.stim_left], engine.images[first.stim_right]
        win = engine.win
        real_flip = win.flip
        in_flip = [0.0]

        def timed_flip(*a, **k):  # time spent inside flip(): the swap (and vsync wait)
            t = time.perf_counter()
            stamp = real_flip(*a, **k)
            in_flip[0] += time.perf_counter() - t
            return stamp

        win.flip = timed_flip

        def battery() -> tuple[float, float]:
            in_flip[0] = 0.0
            t = time.perf_counter()
            result = engine.run_sequence([screen])
            total = time.perf_counter() - t
            assert result.frames["cue"] == frames
            return total / frames, (total - in_flip[0]) / frames

        def bare() -> tuple[float, float]:
            left.pos, right.pos = (-off, 0.0), (off, 0.0)
            in_flip[0] = 0.0
            t = time.perf_counter()
            for _ in range(frames):
                left.draw()
                right.draw()
                win.flip()
            total = time.perf_counter() - t
            return total / frames, (total - in_flip[0]) / frames

        battery(), bare()  # warm-up
        per_battery, per_bare = [], []
        for i in range(reps):  # interleaved, alternating which goes first
            for fn, out in ((battery, per_battery), (bare, per_bare))[:: 1 if i % 2 else -1]:
                out.append(fn())
        med_battery = statistics.median(x[0] for x in per_battery) * 1000.0
        med_bare = statistics.median(x[0] for x in per_bare) * 1000.0
        work_battery = statistics.median(x[1] for x in per_battery) * 1000.0
        work_bare = statistics.median(x[1] for x in per_bare) * 1000.0
        from pyglet.gl import gl_info
        renderer = gl_info.get_renderer()
        return {"frames_per_rep": frames, "reps": reps, "pacing_of_the_display": pacing,
                "battery_ms_per_frame": med_battery, "bare_ms_per_frame": med_bare,
                "ratio": med_battery / med_bare,
                "battery_minus_bare_ms_per_frame": med_battery - med_bare,
                "battery_ms_per_frame_outside_flip": work_battery,
                "bare_ms_per_frame_outside_flip": work_bare,
                "ratio_outside_flip": work_battery / work_bare,
                "battery_ms_per_frame_all": [x[0] * 1000 for x in per_battery],
                "bare_ms_per_frame_all": [x[0] * 1000 for x in per_bare],
                "gl_renderer": renderer, "window_px": list(engine.win.size)}
    finally:
        engine.close()


# -- output --------------------------------------------------------------------------------
def fmt(value, digits=2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_report(table, prov, overhead, frame_ms, tsv, wall, info) -> None:
    display = prov.get("Display") or {}
    print()
    machine.print_machine(info)
    print(f"events: {tsv} ({sum(r['n'] for r in table[:-1])} trials; icb run wall time "
          f"{fmt(wall / 60.0, 1) if wall else 'n/a'} min)")
    print(f"frame rate used: {display.get('FrameRateUsedHz')} Hz (frame = {frame_ms:.3f} ms); "
          f"pacing: {display.get('FramePacing')}; keyboard: {prov.get('Keyboard')}")
    if "software" in str(display.get("FramePacing")):
        print("NOTE: no vertical sync on this display (e.g. Xvfb): flips are paced by the "
              "engine in software; these figures are not a monitor's.")
    print()
    print("| intended ms | n | median actual ms | median error ms | median error frames "
          "| max abs error frames | within 1 frame | exact frames | trials with drops "
          "| dropped frames /1000 trials |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in table:
        print(f"| {fmt(r['intended_ms'], 0)} | {r['n']} | {fmt(r['median_actual_ms'])} "
              f"| {fmt(r['median_error_ms'])} | {fmt(r['median_error_frames'], 3)} "
              f"| {fmt(r['max_abs_error_frames'], 3)} "
              f"| {100 * r['share_within_1_frame']:.2f}% | {100 * r['share_exact_frames']:.2f}% "
              f"| {r['trials_with_drops']} | {fmt(r['dropped_frames_per_1000_trials'], 1)} |")
    if overhead:
        print()
        print(f"per-frame work, unpaced, cue pair ({overhead['frames_per_rep']} frames x "
              f"{overhead['reps']} reps, interleaved; {overhead['gl_renderer']}, window "
              f"{overhead['window_px'][0]}x{overhead['window_px'][1]}; display pacing "
              f"{overhead['pacing_of_the_display']}):")
        print(f"  battery engine run_sequence: {overhead['battery_ms_per_frame']:.3f} ms/frame "
              "(median of reps)")
        print(f"  bare PsychoPy draw+draw+flip: {overhead['bare_ms_per_frame']:.3f} ms/frame")
        print(f"  ratio battery/bare: {overhead['ratio']:.3f} "
              f"(+{overhead['battery_minus_bare_ms_per_frame']:.3f} ms per frame)")
        print(f"  outside flip() (drawing + bookkeeping only): battery "
              f"{overhead['battery_ms_per_frame_outside_flip']:.3f} ms, bare "
              f"{overhead['bare_ms_per_frame_outside_flip']:.3f} ms, ratio "
              f"{overhead['ratio_outside_flip']:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=None,
                    help=f"dot-probe config (default {DEFAULT_CONFIG.relative_to(REPO)})")
    ap.add_argument("--quick", action="store_true",
                    help=f"short profile: {QUICK_CONFIG.relative_to(REPO)} (22 trials, ~1 min)")
    ap.add_argument("--events", type=Path,
                    help="analyse an existing run's _events.tsv instead of running one")
    ap.add_argument("--overhead-frames", type=int, default=120)
    ap.add_argument("--overhead-reps", type=int, default=20)
    ap.add_argument("--no-overhead", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--keep", type=Path, help="data root to keep (default: a temp dir)")
    args = ap.parse_args(argv)
    config = args.config or (QUICK_CONFIG if args.quick else DEFAULT_CONFIG)
    info = machine.describe({"x_display": machine.x_server()})
    wall = None
    if args.events:
        tsv = args.events
    else:
        data_dir = args.keep or Path(tempfile.mkdtemp(prefix="icb-timing-")) / "data"
        tsv, wall = run_icb(config, data_dir)
    rows, prov = read_run(tsv)
    frame_ms = 1000.0 / float(prov["Display"]["FrameRateUsedHz"])
    table = duration_table(rows, frame_ms)
    overhead = None if args.no_overhead else frame_overhead(
        config, rows, frames=args.overhead_frames, reps=args.overhead_reps)
    print_report(table, prov, overhead, frame_ms, tsv, wall, info)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "config": str(config),
                                         "events": str(tsv), "run_wall_s": wall,
                                         "display": prov.get("Display"),
                                         "durations": table, "overhead": overhead},
                                        indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
