"""``icb lsl-device``: a simulated physiology device on Lab Streaming Layer.

One LSL outlet per type (``icb-sim-ecg``: ECG in mV; ``icb-sim-eda``: EDA in microsiemens;
1 float32 channel at a nominal rate, its label, unit and the manufacturer in the stream's
``desc``), streamed in real time in small chunks, each sample stamped with its own time on
the LSL clock (``pylsl.local_clock()``; sample k at start + k / rate).  The samples come from
``tasks/lsl/heart.py`` (NeuroKit2 waveform; planted cue responses).

The device learns cue onsets from the battery's marker stream (``icb-markers``, contract §8):
it resolves it continuously (it may appear after the device starts; each run opens a new
outlet, and each one found is listened to), and for every ``sound`` marker (or the events
named by ``--events``) it plants the response of the stimulus's manifest category at the
marker's time stamp (clock-corrected).  A joined id (``a+b``: two pictures) is planted only
when both share a category.  Markers pushed before the device found the outlet are missed.

Samples are generated ``HOLD_BACK_S`` (40 ms) behind the clock, like a device's buffer, so a
marker that arrives within 40 ms of its time stamp acts exactly from its onset on: the
recording then equals ``heart.simulate_recording`` for the same seed, start and onsets.

``--stop-after-s S`` closes the outlets after S seconds (a device that stops mid-run); the
process then waits for ``--duration-s`` or a signal.  SIGTERM and SIGINT end it cleanly.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from icb.errors import BadInput
from icb.options import seconds, seed

TYPES = {"ECG": ("mV", "ecg_hz"), "EDA": ("microsiemens", "eda_hz")}
MARKER_STREAM = "icb-markers"
MANUFACTURER = "icb simulated device (NeuroKit2)"
HOLD_BACK_S = 0.04
CHUNK_S = 0.01
RESOLVE_EVERY_S = 0.25
LISTEN_EVERY_S = 0.003
PICTURE_EVENTS = ("display", "cue")
WEEK_S = 7 * 24 * 3600.0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lsl-device", help="a simulated ECG/EDA device on Lab Streaming Layer",
        description="Stream simulated ECG and EDA (NeuroKit2 waveforms) over LSL, with a "
        "heart-rate response planted after each cue that it learns from the icb-markers "
        "stream (by the stimulus's manifest category). Ends on SIGTERM/SIGINT or "
        "--duration-s.")
    parser.add_argument("--types", default="ECG,EDA",
                        help="stream types, comma-separated (ECG, EDA; default ECG,EDA)")
    parser.add_argument("--ecg-hz", type=float, default=500.0, help="ECG rate (default 500)")
    parser.add_argument("--eda-hz", type=float, default=32.0, help="EDA rate (default 32)")
    parser.add_argument("--duration-s", type=seconds(0.1, WEEK_S), default=None,
                        help="stop after this many seconds (default: until a signal)")
    parser.add_argument("--stop-after-s", type=seconds(0.1, WEEK_S), default=None,
                        help="close the outlets after this many seconds (a device that stops "
                        "mid-run); the process goes on until --duration-s or a signal")
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    parser.add_argument("--manifest", type=Path, default=None,
                        help="stimulus manifest for the cue categories (default: "
                        "stimuli/manifest.tsv)")
    parser.add_argument("--response", default=None,
                        help="planted heart-rate change in bpm at the deepest point, per "
                        "category (default infant=-6,rotated=-3,noise=0)")
    parser.add_argument("--events", default="sound",
                        help="marker events that plant a response (default sound; e.g. "
                        "sound,display to plant on picture onsets too)")
    parser.add_argument("--markers-source-id", default=None,
                        help="listen only to the icb-markers outlet with this source_id "
                        "(default: every icb-markers outlet on the network)")
    parser.add_argument("--rsa-bpm", type=float, default=1.5,
                        help="respiratory sinus arrhythmia amplitude in bpm (default 1.5)")
    parser.add_argument("--drift-bpm", type=float, default=0.5,
                        help="slow heart-rate drift, standard deviation in bpm (default 0.5)")
    parser.set_defaults(func=main)


@dataclass(frozen=True)
class Options:
    types: tuple[str, ...]
    rates_hz: dict
    duration_s: float | None
    stop_after_s: float | None
    seed: int
    manifest: Path | None
    responses_bpm: dict
    events: tuple[str, ...]
    rsa_bpm: float
    drift_bpm: float
    markers_source_id: str | None = None


def _range(name: str, value, lo: float, hi: float, problems: list[str]) -> None:
    if value is not None and not lo <= value <= hi:
        problems.append(f"{name}: bad value {value:g}; allowed: from {lo:g} to {hi:g}")


def parse_options(args: argparse.Namespace) -> Options:
    """The checked options; every problem at once (BadInput, exit 2)."""
    from tasks.lsl.heart import DEFAULT_RESPONSES_BPM
    problems: list[str] = []
    types = tuple(t.strip().upper() for t in str(args.types).split(",") if t.strip())
    bad = [t for t in types if t not in TYPES]
    if bad or not types:
        problems.append(f"--types: bad value {args.types!r}; allowed: a comma-separated "
                        f"list of {', '.join(TYPES)}")
    if len(set(types)) != len(types):
        problems.append(f"--types: {args.types!r} names a type twice")
    _range("--ecg-hz", args.ecg_hz, 10, 5000, problems)
    _range("--eda-hz", args.eda_hz, 1, 1000, problems)
    _range("--rsa-bpm", args.rsa_bpm, 0, 20, problems)
    _range("--drift-bpm", args.drift_bpm, 0, 20, problems)
    responses = dict(DEFAULT_RESPONSES_BPM)
    if args.response is not None:
        for item in str(args.response).split(","):
            key, sep, value = item.partition("=")
            try:
                depth = float(value)
            except ValueError:
                depth = None
            if not sep or not key.strip() or depth is None or not -40 <= depth <= 40:
                problems.append(f"--response: bad item {item!r}; allowed: CATEGORY=BPM items "
                                "separated by commas, BPM from -40 to 40 (e.g. "
                                "infant=-6,rotated=-3,noise=0)")
            else:
                responses[key.strip()] = depth
    events = tuple(e.strip() for e in str(args.events).split(",") if e.strip())
    if not events or any("|" in e for e in events):
        problems.append(f"--events: bad value {args.events!r}; allowed: marker event names "
                        "separated by commas (e.g. sound or sound,display)")
    sid = args.markers_source_id
    if sid is not None and (not sid or any(c in sid for c in "'\"\\")):
        problems.append(f"--markers-source-id: bad value {sid!r}; allowed: a non-empty "
                        "source_id without quotes or backslashes")
    if args.manifest is not None and not Path(args.manifest).is_file():
        problems.append(f"--manifest: {args.manifest}: no such file")
    if problems:
        raise BadInput(f"{len(problems)} problem(s) in the options", problems)
    return Options(types=types, rates_hz={"ECG": args.ecg_hz, "EDA": args.eda_hz},
                   duration_s=args.duration_s, stop_after_s=args.stop_after_s,
                   seed=args.seed, manifest=args.manifest, responses_bpm=responses,
                   events=events, rsa_bpm=args.rsa_bpm, drift_bpm=args.drift_bpm,
                   markers_source_id=sid)


def categories_of(manifest: Path | None) -> dict[str, str]:
    """Stimulus id -> manifest category."""
    from tasks.stimulus_factory.manifest import load_manifest
    df = load_manifest(manifest)
    return dict(zip(df["id"].astype(str), df["category"].astype(str)))


def cue_class(stim: str, categories: dict[str, str]) -> str | None:
    """The category of a marker's stimulus id (``a+b`` only when both share it)."""
    found = {categories.get(part) for part in stim.split("+")}
    return next(iter(found)) if len(found) == 1 and None not in found else None


def parse_marker(text: str) -> tuple[str, str] | None:
    """``<label>|<trial>|<event>|<stim>`` -> (event, stim); None if not of that form."""
    parts = str(text).split("|")
    return (parts[-2], parts[-1]) if len(parts) >= 4 else None


class MarkerListener(threading.Thread):
    """Every ``icb-markers`` outlet on the network (or only the one whose source_id is
    ``source_id``), found continuously, in a thread of its own: opening an inlet may block,
    the streaming loop must not.  ``take()`` returns the markers received since the last
    call as (clock-corrected LSL time stamp, text)."""

    def __init__(self, pylsl, log, source_id: str | None = None):
        super().__init__(name="icb-marker-listener", daemon=True)
        self.pylsl, self.log, self.source_id = pylsl, log, source_id
        self._found: queue.SimpleQueue = queue.SimpleQueue()
        self._halt = threading.Event()

    def _resolver(self):
        if self.source_id:
            return self.pylsl.ContinuousResolver(
                pred=f"name='{MARKER_STREAM}' and source_id='{self.source_id}'")
        return self.pylsl.ContinuousResolver(prop="name", value=MARKER_STREAM)

    def run(self) -> None:
        lsl = self.pylsl
        from pylsl import util as lsl_errors
        resolver, inlets, next_resolve = self._resolver(), {}, 0.0
        gone: set[str] = set()
        try:
            while not self._halt.is_set():
                if time.monotonic() >= next_resolve:
                    next_resolve = time.monotonic() + RESOLVE_EVERY_S
                    for info in resolver.results():
                        if info.uid() in inlets or info.uid() in gone:
                            continue
                        inlet = lsl.StreamInlet(info, max_buflen=60, recover=False,
                                                processing_flags=lsl.proc_clocksync)
                        try:
                            inlet.open_stream(timeout=2.0)
                        except (lsl_errors.TimeoutError, lsl_errors.LostError) as exc:
                            self.log(f"marker stream {info.source_id()} not opened: {exc}")
                            gone.add(info.uid())  # a closed outlet still resolves a while
                            continue
                        inlets[info.uid()] = inlet
                        self.log(f"listening to {MARKER_STREAM} ({info.source_id()} on "
                                 f"{info.hostname()})")
                for uid, inlet in list(inlets.items()):
                    try:
                        samples, stamps = inlet.pull_chunk(timeout=0.0)
                    except lsl_errors.LostError:
                        self.log(f"marker stream closed ({uid})")
                        del inlets[uid]
                        continue
                    for sample, stamp in zip(samples, stamps):
                        self._found.put((float(stamp), str(sample[0])))
                self._halt.wait(LISTEN_EVERY_S)
        finally:
            inlets.clear()

    def take(self) -> list[tuple[float, str]]:
        out = []
        while True:
            try:
                out.append(self._found.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self._halt.set()
        self.join(timeout=5.0)


def _outlet(pylsl, kind: str, rate_hz: float):
    unit, _ = TYPES[kind]
    name = f"icb-sim-{kind.lower()}"
    info = pylsl.StreamInfo(name, kind, 1, rate_hz, pylsl.cf_float32,
                            f"{name}-{socket.gethostname()}-{os.getpid()}")
    desc = info.desc()
    desc.append_child_value("manufacturer", MANUFACTURER)
    channel = desc.append_child("channels").append_child("channel")
    channel.append_child_value("label", kind)
    channel.append_child_value("unit", unit)
    channel.append_child_value("type", kind)
    return pylsl.StreamOutlet(info, chunk_size=0, max_buffered=60)


def generators(opts: Options, start_s: float, template=None) -> dict:
    """One generator per type, split from the seed as ``heart.simulate_recording`` does."""
    import numpy as np
    from tasks.lsl.heart import EcgGenerator, EdaGenerator, EdaSpec, HeartSpec
    ecg_rng, eda_rng = np.random.default_rng(opts.seed).spawn(2)
    out = {}
    if "ECG" in opts.types:
        heart = HeartSpec(rsa_bpm=opts.rsa_bpm, noise_bpm=opts.drift_bpm,
                          responses_bpm=opts.responses_bpm)
        out["ECG"] = EcgGenerator(heart, start_s, opts.rates_hz["ECG"], ecg_rng, template)
    if "EDA" in opts.types:
        out["EDA"] = EdaGenerator(EdaSpec(), start_s, opts.rates_hz["EDA"], eda_rng)
    return out


def _push_due(outlets: dict, gens: dict, until_s: float) -> None:
    """Every sample due up to ``until_s``, each stamped with its own time.  (No outlet is
    kept in a local name: clearing ``outlets`` must close them.)"""
    import numpy as np
    for kind in outlets:
        gen = gens[kind]
        due = int(np.floor((until_s - gen.clock.start_s) * gen.clock.rate_hz)) + 1
        n = due - gen.clock.next_index
        if n > 0:
            times, values = gen.take(n)
            outlets[kind].push_chunk(values.astype(np.float32).reshape(-1, 1), times.tolist())


def run_device(opts: Options, stop: threading.Event, log=print) -> int:
    from tasks.lsl import import_pylsl
    pylsl = import_pylsl()  # not available: a clear message, exit 2
    from tasks.lsl.heart import ecg_template
    categories = categories_of(opts.manifest)
    template = ecg_template() if "ECG" in opts.types else None  # before the clock starts
    outlets = {kind: _outlet(pylsl, kind, opts.rates_hz[kind]) for kind in opts.types}
    listener = MarkerListener(pylsl, log, opts.markers_source_id)
    listener.start()
    start_s = pylsl.local_clock()
    gens = generators(opts, start_s, template)
    log("streaming " + ", ".join(f"{k} {opts.rates_hz[k]:g} Hz as icb-sim-{k.lower()}"
                                 for k in opts.types)
        + f" from {start_s!r} s; planting on {'/'.join(opts.events)} markers: "
        + ", ".join(f"{c} {v:+g} bpm" for c, v in opts.responses_bpm.items()))
    try:
        while not stop.is_set():
            now = pylsl.local_clock()
            for stamp, text in listener.take():
                parsed = parse_marker(text)
                if parsed is None or parsed[0] not in opts.events:
                    continue
                klass = cue_class(parsed[1], categories)
                if klass is None:
                    continue
                in_time = {kind: gen.add_cue(stamp, klass) for kind, gen in gens.items()}
                ecg = gens.get("ECG")
                ahead_ms = 1000 * (now - stamp)
                when = (f"learned {ahead_ms:.1f} ms after its time" if ahead_ms >= 0 else
                        f"learned {-ahead_ms:.1f} ms before its time (a scheduled sound)")
                log(f"cue {klass} at {stamp!r} s ({text}; {when}; "
                    + ("in time)" if ecg is None or in_time["ECG"] else
                       f"late: the ECG acts from {ecg.next_time_s!r} s)"))
            elapsed = now - start_s
            if outlets and opts.stop_after_s is not None and elapsed >= opts.stop_after_s:
                outlets.clear()  # the outlets close: the stream stops mid-run
                log(f"stopped streaming after {elapsed:.2f} s (--stop-after-s)")
            if opts.duration_s is not None and elapsed >= opts.duration_s:
                break
            _push_due(outlets, gens, now - HOLD_BACK_S)
            stop.wait(CHUNK_S)
    finally:
        outlets.clear()
        listener.close()
    log("device stopped")
    return 0


def main(args: argparse.Namespace) -> int:
    opts = parse_options(args)
    stop = threading.Event()

    def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop)
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    return run_device(opts, stop, log)
