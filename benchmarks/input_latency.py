"""Input fidelity: key presses injected from outside the process vs the recorded rt_ms.

Run (needs a display and xdotool):

    scripts/headless.sh .venv/bin/python benchmarks/input_latency.py [--trials 60]
    .venv/bin/python benchmarks/input_latency.py          # at a station with a real X display

One child process per keyboard backend (PsychoPy's keyboard backend is a per-process
singleton): ``ptb`` (Psychtoolbox, the default) and ``event`` (the fallback,
``station.keyboard_backend: event``).  Each child opens the battery's own engine
(``PsychoPyEngine``) with the default dot-probe config and runs real dot-probe trials of
the plan (fixation, cue pair, probe until a key, ITI) through ``engine.run_sequence``, the
call the task makes.  The probe screen is the engine's response screen: on its first flip
the engine resets the keyboard clock (``win.callOnFlip(kb.clock.reset)``); right after it,
in the same ``callOnFlip`` queue, the engine hands the planned key to its injector.  Here
the injector is replaced by one that, after the planned delay (uniform 250-700 ms), starts
``xdotool key <Key>`` -- a separate process sending real X key events through XTEST, as
in tests/test_dotprobe_window.py -- and reads the keyboard clock just before starting it
(``t_spawn``) and just after it exits (``t_exit``).  The X event is sent between the two.

Reported per backend, over trials: ``rt_ms`` (what the task writes) minus the injection
time on the same clock, taken as ``t_spawn`` (so xdotool's own start-up is part of the
error: this is the upper bracket) and as ``t_exit`` (the lower bracket): median and 95th
percentile of the absolute error, and the cost of starting xdotool (``xdotool sleep 0``,
start to exit, measured in the same process).  On Xvfb flips are paced in software
(docs/platform.md); the ``event`` backend stamps a key when the frame loop polls it, so
its error includes up to one frame.

Touch (``station.input: touch``), in the same run: a third child opens the engine with
touch input and runs the same dot-probe trials; the engine's own injector taps the
probe's target through the X server's pointer (XTEST button-1 press, python-xlib, from a
timer thread, as the simulated participant does) and stamps each press on the engine's
clock right after ``display.sync()`` (``t_inject``).  Reported: ``rt_ms`` minus
``t_inject`` from the probe's flip (median, 95th percentile, max of the absolute error).
The tap is stamped when the engine reads the window's events, which it does every
millisecond while the software frame pacing waits (tasks/core/psychopy_engine/touch.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import machine  # noqa: E402

CONFIG = REPO / "configs" / "dotprobe.yaml"
BACKENDS = ("ptb", "event")
INPUTS = BACKENDS + ("touch",)


class XdotoolInjector:
    """Stands in for the engine's KeyInjector: the press comes from an xdotool process."""

    def __init__(self, clock):
        self.clock = clock
        self.exe = shutil.which("xdotool")
        self.threads: list[threading.Thread] = []
        self.records: list[dict] = []

    def _press(self, key: str, delay_s: float) -> None:
        time.sleep(delay_s)
        from tasks.core.psychopy_engine.injector import _KEYSYMS
        keysym = _KEYSYMS.get(key, key)
        t_spawn = self.clock.getTime()
        out = subprocess.run([self.exe, "key", keysym], capture_output=True)
        t_exit = self.clock.getTime()
        self.records.append({"key": key, "t_spawn_ms": t_spawn * 1000.0,
                             "t_exit_ms": t_exit * 1000.0, "planned_delay_ms": delay_s * 1000,
                             "xdotool_status": out.returncode})

    def press_later(self, key: str, delay_s: float) -> None:
        thread = threading.Thread(target=self._press, args=(key, delay_s), daemon=True)
        self.threads.append(thread)
        thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=5)
        self.threads.clear()

    def cancel(self) -> None:  # the engine calls this after each sequence; presses finish
        pass

    def close(self) -> None:
        self.join()


def launch_cost_ms(n: int = 20) -> list[float]:
    exe = shutil.which("xdotool")
    costs = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([exe, "sleep", "0"], capture_output=True)
        costs.append((time.perf_counter() - t) * 1000.0)
    return costs


def child(backend: str, n_trials: int, seed: int, out_path: Path) -> int:
    import numpy as np

    from tasks.config import load_task_config
    from tasks.core.psychopy_engine import PsychoPyEngine
    from tasks.core.screens import PlannedResponse, ResponseSpec
    from tasks.paradigms.dotprobe import paradigm as dotprobe

    config = load_task_config(CONFIG, overrides={"station": {
        "keyboard_backend": backend, "require_ptb_keyboard": False}})
    p = config.params
    the_plan = dotprobe.plan(config, "latency", "pre")
    trials = [t for t in the_plan.trials if t.phase == "test"][:n_trials]
    engine = PsychoPyEngine(config.station, windowed=True, log=lambda m: None)
    engine.open()
    rng = np.random.default_rng(seed)
    rows = []
    try:
        engine.preload_images(dict(the_plan.images), the_plan.image_size_deg)
        # Keyboard focus on the window (a fresh Xvfb has no window manager): the event
        # backend only hears keys sent to its window; PTB hears every keyboard anyway.
        handle = engine.win.winHandle
        handle.activate()
        x, y = handle.get_location()
        width, height = handle.get_size()
        subprocess.run([shutil.which("xdotool"), "mousemove", str(x + width // 2),
                        str(y + height // 2)], capture_output=True)
        for _ in range(10):
            engine.win.flip()
        injector = XdotoolInjector(engine.kb.clock)
        engine.injector = injector
        keys = tuple(dict.fromkeys(the_plan.settings["keys"].values()))
        spec = ResponseSpec(keys, float(p["probe_timeout_ms"]))
        costs_before = launch_cost_ms()
        for trial in trials:
            planned = PlannedResponse(trial.correct_key, float(rng.uniform(250, 700)))
            before = len(injector.records)
            result = engine.run_sequence(dotprobe.trial_screens(trial, p), spec, planned)
            injector.join()
            rec = injector.records[before] if len(injector.records) > before else {}
            rows.append({**rec, "expected_key": trial.correct_key, "response": result.key,
                         "rt_ms": result.rt_ms})
        costs_after = launch_cost_ms()
        backend_used = engine.keyboard_backend
        pacing = "software (no vertical sync)" if engine.software_pacing else "vertical sync"
    finally:
        engine.close()
    out_path.write_text(json.dumps({"backend_asked": backend, "backend_used": backend_used,
                                    "pacing": pacing, "frame_ms": engine.frame_ms,
                                    "rows": rows,
                                    "xdotool_launch_ms": costs_before + costs_after}))
    return 0


def child_touch(n_trials: int, seed: int, out_path: Path) -> int:
    """Dot-probe trials answered by XTEST taps on the probe's target (station.input: touch)."""
    import numpy as np

    from tasks.config import load_task_config
    from tasks.core.paradigm import RunContext
    from tasks.core.psychopy_engine import PsychoPyEngine
    from tasks.core.screens import PlannedResponse, ResponseSpec
    from tasks.paradigms.dotprobe import paradigm as dotprobe

    config = load_task_config(CONFIG, overrides={"station": {"input": "touch"}})
    p = config.params
    the_plan = dotprobe.plan(config, "latency", "pre")
    trials = [t for t in the_plan.trials if t.phase == "test"][:n_trials]
    engine = PsychoPyEngine(config.station, windowed=True, simulate=True, log=lambda m: None)
    engine.open()
    rng = np.random.default_rng(seed)
    rows = []
    try:
        engine.preload_images(dict(the_plan.images), the_plan.image_size_deg)
        injector = engine.injector
        injector.clock = engine._core.getTime  # the clock of the flips and the tap stamps
        keys = tuple(dict.fromkeys(the_plan.settings["keys"].values()))
        spec = ResponseSpec(keys, float(p["probe_timeout_ms"]),
                            dotprobe.touch_targets(RunContext(config, the_plan)))
        for trial in trials:
            planned = PlannedResponse(trial.correct_key, float(rng.uniform(250, 700)))
            before = len(injector.taps)
            result = engine.run_sequence(dotprobe.trial_screens(trial, p), spec, planned)
            time.sleep(0.1)  # the tap's release
            row = {"expected_key": trial.correct_key, "response": result.key,
                   "rt_ms": result.rt_ms, "planned_delay_ms": planned.rt_ms}
            if len(injector.taps) > before:
                onset_abs = result.onsets_s["probe"] + engine._t0
                row["t_inject_ms"] = (injector.taps[before] - onset_abs) * 1000.0
            rows.append(row)
        pacing = "software (no vertical sync)" if engine.software_pacing else "vertical sync"
        pointer = engine.pointer_backend
    finally:
        engine.close()
    out_path.write_text(json.dumps({"backend_asked": "touch", "backend_used": "touch",
                                    "pointer": pointer, "pacing": pacing,
                                    "frame_ms": engine.frame_ms, "rows": rows}))
    return 0


def summarise_touch(data: dict) -> dict:
    rows = [r for r in data["rows"] if "t_inject_ms" in r]
    hits = [r for r in rows if r["rt_ms"] is not None and r["response"] == r["expected_key"]]
    err = [r["rt_ms"] - r["t_inject_ms"] for r in hits]
    abs_err = [abs(e) for e in err]
    return {"input": "touch", "pacing": data["pacing"], "frame_ms": data["frame_ms"],
            "pointer": data["pointer"], "taps": len(rows), "recorded_correct": len(hits),
            "median_abs_err_ms": statistics.median(abs_err), "p95_abs_err_ms": pct(abs_err, 95),
            "max_abs_err_ms": max(abs_err), "median_signed_err_ms": statistics.median(err)}


def pct(values: list[float], q: float) -> float:
    import numpy as np
    return float(np.percentile(values, q))


def summarise(data: dict) -> dict:
    rows = [r for r in data["rows"] if "t_spawn_ms" in r]
    hits = [r for r in rows if r["rt_ms"] is not None and r["response"] == r["expected_key"]]
    err_spawn = [r["rt_ms"] - r["t_spawn_ms"] for r in hits]
    err_exit = [r["rt_ms"] - r["t_exit_ms"] for r in hits]
    run_ms = [r["t_exit_ms"] - r["t_spawn_ms"] for r in hits]
    abs_spawn = [abs(e) for e in err_spawn]
    abs_exit = [abs(e) for e in err_exit]
    return {
        "backend": data["backend_used"], "asked": data["backend_asked"],
        "pacing": data["pacing"], "frame_ms": data["frame_ms"],
        "presses": len(rows), "recorded_correct": len(hits),
        "median_abs_err_vs_spawn_ms": statistics.median(abs_spawn),
        "p95_abs_err_vs_spawn_ms": pct(abs_spawn, 95),
        "max_abs_err_vs_spawn_ms": max(abs_spawn),
        "median_signed_err_vs_spawn_ms": statistics.median(err_spawn),
        "median_abs_err_vs_exit_ms": statistics.median(abs_exit),
        "p95_abs_err_vs_exit_ms": pct(abs_exit, 95),
        "median_signed_err_vs_exit_ms": statistics.median(err_exit),
        "median_xdotool_key_spawn_to_exit_ms": statistics.median(run_ms),
        "median_xdotool_launch_ms": statistics.median(data["xdotool_launch_ms"]),
        "p95_xdotool_launch_ms": pct(data["xdotool_launch_ms"], 95),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=60, help="presses per backend (default 60)")
    ap.add_argument("--backends", default=",".join(INPUTS),
                    help="keyboard backends and/or touch (default: ptb,event,touch)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--child", choices=INPUTS, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child == "touch":
        return child_touch(args.trials, args.seed, args.out)
    if args.child:
        return child(args.child, args.trials, args.seed, args.out)
    if shutil.which("xdotool") is None:
        raise SystemExit("xdotool not found (apt-get install xdotool; make bootstrap does it)")
    info = machine.describe({"x_display": machine.x_server()})
    summaries = []
    with tempfile.TemporaryDirectory(prefix="icb-latency-") as tmp:
        for backend in args.backends.split(","):
            out = Path(tmp) / f"{backend}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", backend,
                   "--trials", str(args.trials), "--seed", str(args.seed), "--out", str(out)]
            print(f"backend {backend}: {args.trials} presses ...", flush=True)
            done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
            if done.returncode != 0:
                sys.stderr.write(done.stderr[-3000:])
                raise SystemExit(f"child for backend {backend} exited {done.returncode}")
            data = json.loads(out.read_text())
            summaries.append(summarise_touch(data) if backend == "touch" else summarise(data))
    touch = [s for s in summaries if s.get("input") == "touch"]
    summaries = [s for s in summaries if s.get("input") != "touch"]
    print()
    machine.print_machine(info)
    first = (summaries or touch)[0]
    print(f"pacing: {first['pacing']}; frame {first['frame_ms']:.3f} ms")
    if "software" in first["pacing"]:
        print("NOTE: no vertical sync on this display (e.g. Xvfb): flips are paced by the "
              "engine in software.")
    print()
    print("| backend | presses | recorded (right key) | median abs err vs spawn ms "
          "| p95 vs spawn ms | max vs spawn ms | median abs err vs exit ms | p95 vs exit ms "
          "| xdotool key spawn->exit ms | xdotool launch (sleep 0) median / p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        print(f"| {s['backend']} | {s['presses']} | {s['recorded_correct']} "
              f"| {s['median_abs_err_vs_spawn_ms']:.2f} | {s['p95_abs_err_vs_spawn_ms']:.2f} "
              f"| {s['max_abs_err_vs_spawn_ms']:.2f} | {s['median_abs_err_vs_exit_ms']:.2f} "
              f"| {s['p95_abs_err_vs_exit_ms']:.2f} "
              f"| {s['median_xdotool_key_spawn_to_exit_ms']:.2f} "
              f"| {s['median_xdotool_launch_ms']:.2f} / {s['p95_xdotool_launch_ms']:.2f} |")
    print()
    print("| input | injected by | presses | recorded (right response) | median abs err ms "
          "| p95 abs err ms | max abs err ms |")
    print("|---|---|---|---|---|---|---|")
    for s in summaries:
        print(f"| keyboard ({s['backend']}) | xdotool key (XTEST), vs exit / vs spawn "
              f"| {s['presses']} | {s['recorded_correct']} "
              f"| {s['median_abs_err_vs_exit_ms']:.2f} / {s['median_abs_err_vs_spawn_ms']:.2f} "
              f"| {s['p95_abs_err_vs_exit_ms']:.2f} / {s['p95_abs_err_vs_spawn_ms']:.2f} "
              f"| - / {s['max_abs_err_vs_spawn_ms']:.2f} |")
    for s in touch:
        print(f"| touch | XTEST button-1 tap (python-xlib) | {s['taps']} "
              f"| {s['recorded_correct']} | {s['median_abs_err_ms']:.2f} "
              f"| {s['p95_abs_err_ms']:.2f} | {s['max_abs_err_ms']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "backends": summaries,
                                         "touch": touch}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
