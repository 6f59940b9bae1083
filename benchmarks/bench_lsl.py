"""Lab Streaming Layer: what markers and recording cost on this machine (issue 15).

Run (the frame test needs a display; under Xvfb with the project's wrapper):

    ICB_HEADLESS_FORCE_XVFB=1 ICB_HEADLESS_NO_JACK=1 scripts/headless.sh \
        .venv/bin/python benchmarks/bench_lsl.py                  # ~8 min
    .venv/bin/python benchmarks/bench_lsl.py --no-frames          # (a) and (b) only, ~1 min

Everything runs in a private LSL session (a temporary ``lsl_api.cfg`` with its own
``SessionID``, passed to every child through ``LSLAPICFG``), so streams of other jobs on
the machine are neither seen nor disturbed.

(a) Marker push cost: the battery's own outlet (``tasks.lsl.markers.MarkerOutlet`` with a
    ``RunClock``, as ``icb run`` uses them), an inlet connected and read by a thread
    (a recorder listening).  Per call: ``send()`` back to back, median / p99 / max.
    Per frame: one ``send()`` per frame in a loop paced at 60 Hz (sleeping to each frame),
    as ``icb run`` pushes one marker per flip-locked event; with the reading thread, then
    with consumers only in other processes, and a control (one ``local_clock()`` read after
    the same sleep: what waking up costs on this machine, without any push).
(b) Recording CPU: ``icb lsl-device`` (500 Hz ECG + 32 Hz EDA, a child process) recorded
    by the battery's ``tasks.lsl.record.StreamRecording`` (one inlet and reading thread
    per stream, clock sync and dejitter) for ``--record-s`` seconds; every second (a trial's
    end) the samples are taken and formatted and compressed as the physio writer does
    (``channel_lines`` + gzip).  CPU = this process's user+system time (getrusage) over
    the window, against the same window idle; the device's own CPU (/proc) is shown too.
(c) Dropped frames: the timing benchmark's frame test (``benchmarks/timing.py``: a real
    ``icb run --simulate --windowed`` of the dot-probe config, dropped frames from the
    events file), alternately with markers + recording of the device's ECG and EDA
    (``station.lsl_markers: true``, ``lsl_record: [ECG, EDA]``) and without, ``--pairs``
    times, in one run.  The device streams during both, so the difference is the battery's
    markers and recording.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import socket
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

QUICK_CONFIG = REPO / "configs" / "demo" / "dotprobe.yaml"


def private_session(tmp: Path) -> Path:
    cfg = tmp / "lsl_api.cfg"
    cfg.write_text(f"[log]\nlevel = -2\n[lab]\nSessionID = icb-bench-{os.getpid()}\n")
    os.environ["LSLAPICFG"] = str(cfg)  # before pylsl loads; children inherit it
    return cfg


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100.0 * (len(ordered) - 1))))]


def stats_us(values_s: list[float]) -> dict:
    us = [v * 1e6 for v in values_s]
    return {"n": len(us), "median_us": statistics.median(us), "p99_us": pct(us, 99),
            "max_us": max(us)}


# -- (a) marker push cost --------------------------------------------------------------------
def push_cost(pylsl, n_calls: int, n_frames: int, frame_s: float = 1.0 / 60.0) -> dict:
    from tasks.lsl.clock import RunClock
    from tasks.lsl.markers import MarkerOutlet
    clock = RunClock(time.perf_counter, pylsl.local_clock)
    clock.run_started(time.perf_counter())
    outlet = MarkerOutlet(clock, pylsl)
    found = pylsl.resolve_byprop("source_id", outlet.source_id, timeout=5.0)
    inlet = pylsl.StreamInlet(found[0])
    inlet.open_stream(timeout=5.0)
    outlet.wait_for_consumers(5.0)
    received, stop = [0], threading.Event()

    def read() -> None:
        while not stop.is_set():
            received[0] += len(inlet.pull_chunk(timeout=0.05)[1])

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    per_call = []
    for i in range(n_calls):
        t = time.perf_counter()
        outlet.send(f"dotprobe|{i}|cue|inf_dis_A01+adu_neu_A01", t - clock.origin_s)
        per_call.append(time.perf_counter() - t)

    def paced(control: bool = False) -> list[float]:
        out, next_frame = [], time.perf_counter()
        for i in range(n_frames):
            next_frame += frame_s
            time.sleep(max(0.0, next_frame - time.perf_counter()))
            t = time.perf_counter()
            if control:  # the floor: one clock read after the same sleep (cold caches)
                pylsl.local_clock()
            else:
                outlet.send(f"dotprobe|{i}|probe|n/a", t - clock.origin_s)
            out.append(time.perf_counter() - t)
        return out

    per_frame = paced()  # with the reading thread in this process (as with lsl_record)
    time.sleep(0.3)
    stop.set()
    reader.join(2.0)
    per_frame_alone = paced()  # consumers only in other processes (the device)
    control = paced(control=True)
    outlet.close()
    return {"per_call": stats_us(per_call), "per_frame_60hz": stats_us(per_frame),
            "per_frame_60hz_no_thread": stats_us(per_frame_alone),
            "control_local_clock_60hz": stats_us(control),
            "sent": n_calls + n_frames, "received_by_inlet": received[0],
            "frame_budget_share_median": statistics.median(per_frame) / frame_s}


# -- (b) recording CPU ------------------------------------------------------------------------
def start_device(duration_s: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "icb.cli", "lsl-device", "--types",
                             "ECG,EDA", "--ecg-hz", "500", "--eda-hz", "32",
                             "--duration-s", str(duration_s), "--seed", "1"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def recording_cpu(pylsl, device: subprocess.Popen, seconds: float) -> dict:
    from tasks.core.physio_writer import channel_lines
    from tasks.lsl.clock import RunClock
    from tasks.lsl.record import StreamRecording
    host = socket.gethostname()
    infos = []
    for kind in ("ecg", "eda"):
        sid = f"icb-sim-{kind}-{host}-{device.pid}"
        found = pylsl.resolve_byprop("source_id", sid, timeout=30.0)
        if not found:
            raise SystemExit(f"the simulated device's {sid} was not found")
        infos.append(found[0])
    # idle: this process doing nothing for the same time (the baseline)
    cpu0, wall0 = self_cpu_s(), time.monotonic()
    time.sleep(seconds)
    idle_cpu, idle_wall = self_cpu_s() - cpu0, time.monotonic() - wall0
    clock = RunClock(time.perf_counter, pylsl.local_clock)
    clock.run_started(time.perf_counter())
    streams = [StreamRecording(info, pylsl, clock) for info in infos]
    for s in streams:
        s.start()
    dev0 = proc_cpu_s(device.pid)
    cpu0, wall0 = self_cpu_s(), time.monotonic()
    samples = {s.kind: 0 for s in streams}
    compressed = 0
    while time.monotonic() - wall0 < seconds:
        time.sleep(1.0)
        for s in streams:  # a trial's end: take, format, compress (the physio writer's work)
            block = s.take()
            samples[s.kind] += len(block)
            compressed += len(gzip.compress(channel_lines(block).encode(), compresslevel=6))
    rec_cpu, rec_wall = self_cpu_s() - cpu0, time.monotonic() - wall0
    dev_cpu = proc_cpu_s(device.pid) - dev0
    for s in streams:
        s.close()
    return {"seconds": rec_wall, "cpu_s": rec_cpu, "cpu_share_of_one_core": rec_cpu / rec_wall,
            "idle_cpu_share_of_one_core": idle_cpu / idle_wall,
            "samples": samples, "rates_hz": {k: v / rec_wall for k, v in samples.items()},
            "gzip_bytes": compressed, "device_cpu_share_of_one_core": dev_cpu / rec_wall}


# -- (c) dropped frames with recording on and off --------------------------------------------
def frame_runs(config: Path, pairs: int, tmp: Path) -> list[dict]:
    import timing
    lsl_config = tmp / "dotprobe_lsl.yaml"
    lsl_config.write_text(f"include: {config}\nstation: {{lsl_markers: true, "
                          "lsl_record: [ECG, EDA], lsl_resolve_s: 10}\n")
    out = []
    for i in range(2 * pairs):
        on = i % 2 == 1  # alternate, off first
        data = tmp / f"run{i}"
        load0 = os.getloadavg()[0]
        tsv, wall = timing.run_icb(lsl_config if on else config, data, participant=f"b{i}")
        rows, prov = timing.read_run(tsv)
        frame_ms = 1000.0 / float(prov["Display"]["FrameRateUsedHz"])
        table = timing.duration_table(rows, frame_ms)[-1]
        lsl = prov.get("LSL") or {}
        out.append({"lsl": on, "trials": table["n"], "wall_s": wall,
                    "dropped_frames": int(sum(int(r["dropped_frames"]) for r in rows)),
                    "trials_with_drops": table["trials_with_drops"],
                    "dropped_per_1000_trials": table["dropped_frames_per_1000_trials"],
                    "share_within_1_frame": table["share_within_1_frame"],
                    "pacing": prov["Display"].get("FramePacing"),
                    "markers_pushed": (lsl.get("Markers") or {}).get("MarkersPushed"),
                    "samples_recorded": {r["Type"]: r["SamplesWritten"]
                                         for r in lsl.get("Recorded", [])},
                    "load_1min_before": load0})
        print(f"  run {i + 1}/{2 * pairs}: LSL {'on ' if on else 'off'} "
              f"{out[-1]['dropped_frames']} dropped frames in {out[-1]['trials']} trials "
              f"({wall:.0f} s)", flush=True)
    return out


def print_report(info, push, rec, frames, load) -> None:
    print()
    machine.print_machine(info)
    print(f"load average (1, 5, 15 min) at the start: {load[0]:.2f}, {load[1]:.2f}, "
          f"{load[2]:.2f}; at the end: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    if push:
        print()
        print("| marker push (MarkerOutlet.send, inlet connected) | n | median us | p99 us "
              "| max us |")
        print("|---|---|---|---|---|")
        for label, key in (("per call, back to back (reading thread in the process)",
                            "per_call"),
                           ("per frame, one per 60 Hz frame (reading thread in the process)",
                            "per_frame_60hz"),
                           ("per frame, one per 60 Hz frame (consumer in another process)",
                            "per_frame_60hz_no_thread"),
                           ("control: one local_clock() per 60 Hz frame, no push",
                            "control_local_clock_60hz")):
            s = push[key]
            print(f"| {label} | {s['n']} | {s['median_us']:.1f} | {s['p99_us']:.1f} "
                  f"| {s['max_us']:.1f} |")
        print(f"markers received by the inlet: {push['received_by_inlet']} of {push['sent']}; "
              f"median push = {100 * push['frame_budget_share_median']:.3f}% of a 16.7 ms "
              "frame")
    if rec:
        print()
        print(f"recording 500 Hz ECG + 32 Hz EDA for {rec['seconds']:.1f} s: this process "
              f"{rec['cpu_s']:.2f} s CPU = {100 * rec['cpu_share_of_one_core']:.2f}% of one "
              f"core (idle: {100 * rec['idle_cpu_share_of_one_core']:.2f}%); samples "
              + ", ".join(f"{k} {v} ({rec['rates_hz'][k]:.1f}/s)"
                          for k, v in rec["samples"].items())
              + f"; {rec['gzip_bytes'] / 1024:.0f} KiB gzip; the simulated device itself "
              f"{100 * rec['device_cpu_share_of_one_core']:.1f}% of one core")
    if frames:
        print()
        print("| run | LSL markers + recording | trials | dropped frames | trials with drops "
              "| dropped /1000 trials | cue within 1 frame | markers pushed "
              "| samples recorded | load before |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for i, f in enumerate(frames, 1):
            print(f"| {i} | {'on' if f['lsl'] else 'off'} | {f['trials']} | "
                  f"{f['dropped_frames']} | {f['trials_with_drops']} | "
                  f"{f['dropped_per_1000_trials']:.1f} | {100 * f['share_within_1_frame']:.1f}% "
                  f"| {f['markers_pushed'] if f['lsl'] else '-'} | "
                  + (", ".join(f"{k} {v}" for k, v in f["samples_recorded"].items())
                     if f["lsl"] else "-")
                  + f" | {f['load_1min_before']:.2f} |")
        for on in (False, True):
            group = [f for f in frames if f["lsl"] == on]
            n = sum(f["trials"] for f in group)
            d = sum(f["dropped_frames"] for f in group)
            print(f"LSL {'on ' if on else 'off'}: {d} dropped frames in {n} trials "
                  f"({1000.0 * d / n:.1f} per 1000 trials)")
        print(f"pacing: {frames[0]['pacing']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=5000, help="back-to-back pushes (5000)")
    ap.add_argument("--frames", type=int, default=600, help="paced 60 Hz frames (600)")
    ap.add_argument("--record-s", type=float, default=30.0, help="recording window (30 s)")
    ap.add_argument("--pairs", type=int, default=2, help="off/on pairs of frame runs (2)")
    ap.add_argument("--config", type=Path, default=QUICK_CONFIG,
                    help="dot-probe config of the frame runs (default: the demo config)")
    ap.add_argument("--no-frames", action="store_true", help="skip (c), no display needed")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="icb-bench-lsl-"))
    private_session(tmp)
    from tasks.lsl import import_pylsl
    pylsl = import_pylsl()
    load = os.getloadavg()
    info = machine.describe({"x_display": machine.x_server(), "lsl": pylsl.library_info()})
    frames_s = 0 if args.no_frames else 2 * args.pairs * 150
    device = start_device(60.0 + 2 * args.record_s + frames_s)
    try:
        print("(a) marker push cost ...", flush=True)
        push = push_cost(pylsl, args.calls, args.frames)
        print("(b) recording CPU ...", flush=True)
        rec = recording_cpu(pylsl, device, args.record_s)
        frames = None
        if not args.no_frames:
            print("(c) frame runs, LSL off and on alternately ...", flush=True)
            frames = frame_runs(args.config, args.pairs, tmp)
    finally:
        device.terminate()
        device.wait(timeout=20)
    print_report(info, push, rec, frames, load)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "load_start": load,
                                         "load_end": os.getloadavg(), "push": push,
                                         "recording": rec, "frames": frames},
                                        indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
