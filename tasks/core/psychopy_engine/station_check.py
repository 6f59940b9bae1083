"""The testing-station self-check (``icb check``): measured, not assumed.

* Display: flips for ``seconds`` -> median flip interval, refresh rate, dropped frames
  (intervals above 1.5 frames), compared with ``station.expected_refresh_hz``. Without
  vertical sync (Xvfb) it says so, reports the unpaced rate, and measures dropped frames
  under the engine's software pacing instead.
* Geometry: the screen's resolution (pyglet) against ``station.screen_size_px``, and the
  window actually opened; a full-screen mismatch is a problem (``icb run`` refuses it).
* Heaviest screens: each paradigm's heaviest screen (two faces; a face with its rating
  scale; a face with the key reminder; a rating scale alone) drawn for ``seconds / 2``
  through the engine's own methods, with its frame rate and dropped frames.
* Keyboard: the backend that loaded (``ptb`` or the ``event`` fallback) and the devices.
* Audio: PsychPortAudio (psychtoolbox) devices, the one used and its latency; with the
  configured latency class, five near-silent tones scheduled 100 ms ahead
  (``start(when=T)``) and the reported ``StartTime - T``.
* Free disk space at the data folder, realtime-priority limits, software versions.
* Lab Streaming Layer (``tasks/lsl/station.py``): the streams this machine sees and the
  marker round trip on loopback.
"""

from __future__ import annotations

import platform
import resource
import shutil
import socket
import time
from pathlib import Path
from statistics import median

import numpy as np

FLIP_LIMIT = 1.5  # an interval above 1.5 frames counts as dropped frames


def _intervals(stamps: list[float]) -> list[float]:
    return [b - a for a, b in zip(stamps, stamps[1:])]


def _dropped(intervals: list[float], frame_s: float) -> int:
    return sum(int(round(d / frame_s)) - 1 for d in intervals if d > FLIP_LIMIT * frame_s)


def check_display(engine, seconds: float, station: dict) -> dict:
    """Flip timing; ``station`` is the configured one (its tolerance is recorded)."""
    from psychopy import visual
    win = engine.win
    expected = float(station["expected_refresh_hz"])
    bar = visual.Rect(win, width=2, height=12, fillColor="white", lineColor=None)
    label = visual.TextStim(win, "icb check: measuring the display", pos=(0, -8), height=0.8)

    def draw(k: int) -> None:
        bar.pos = (((k * 0.25) % 24) - 12, 0)
        bar.draw()
        label.draw()

    raw = []
    end = time.perf_counter() + (seconds if not engine.software_pacing else 1.0)
    k = 0
    while time.perf_counter() < end:  # plain win.flip(): what the display itself does
        draw(k)
        raw.append(win.flip())
        k += 1
    raw_iv = _intervals(raw)
    med = median(raw_iv)
    out = {"ExpectedRefreshHz": expected, "ToleranceHz": station["refresh_tolerance_hz"],
           "WindowSizePx": [int(v) for v in win.size], "Fullscreen": bool(win._isFullScr),
           "FlipsMeasured": len(raw), "MedianFlipIntervalMs": med * 1000.0,
           "MeasuredRefreshHz": 1.0 / med, "VerticalSync": not engine.software_pacing}
    try:
        from pyglet.gl import gl_info
        out["Renderer"] = gl_info.get_renderer()
    except (ImportError, AttributeError):
        out["Renderer"] = None
    if engine.software_pacing:
        stamps, end = [], time.perf_counter() + seconds
        while time.perf_counter() < end:  # the engine's own pacing, as in a task
            draw(len(stamps))
            stamps.append(engine._flip())
        frame_s = engine.frame_ms / 1000.0
        iv = _intervals(stamps)
        out.update({"Pacing": "software (no vertical sync)", "PacedFlips": len(stamps),
                    "PacedMeanIntervalMs": 1000.0 * sum(iv) / len(iv),
                    "PacedMaxIntervalMs": 1000.0 * max(iv),
                    "DroppedFrames": _dropped(iv, frame_s), "TestSeconds": seconds})
    else:
        out.update({"Pacing": "vertical sync", "DroppedFrames": _dropped(raw_iv, med),
                    "MaxFlipIntervalMs": 1000.0 * max(raw_iv), "TestSeconds": seconds})
    return out


def check_geometry(engine, station: dict) -> dict:
    """The screen and window actually used, against the station config."""
    from tasks.core.geometry import screen_mismatch
    full = bool(engine.win._isFullScr)
    return {"ScreenSizePx": engine.screen_size_px,
            "ConfiguredScreenSizePx": [int(v) for v in station["screen_size_px"]],
            "WindowSizePx": [int(v) for v in engine.win.size], "FullScreen": full,
            "ScreenIndex": int(station["screen_index"]),
            "Mismatch": screen_mismatch(station["screen_size_px"], engine.screen_size_px),
            "Notes": list(engine.geometry_notes)}


def _first_face(manifest: Path) -> Path | None:
    """The first picture of the station's stimulus manifest that exists, if any."""
    from icb.errors import StimulusError
    from tasks.stimulus_factory.manifest import load_manifest, stimulus_file
    try:
        df = load_manifest(manifest)
    except StimulusError:
        return None
    for stim_id in df.loc[df["modality"] == "image", "id"]:
        path = stimulus_file(df, stim_id)
        if path.is_file():
            return path
    return None


def check_screens(engine, station: dict, seconds: float) -> dict:
    """Each paradigm's heaviest screen, drawn through the engine for ``seconds``: the
    frames it kept, its frame rate and its dropped frames."""
    from tasks.core.scales import build_scales
    from tasks.core.screens import Fixation, Image, Screen, Text
    face = _first_face(Path(station["stimulus_manifest"]))
    if face is None:
        return {"Problem": f"no picture in {station['stimulus_manifest']} to draw"}
    engine.preload_images({"check_face": face}, (10.0, 10.0))
    left, right = Image("check_face", -7.0, 0.0), Image("check_face", 7.0, 0.0)
    centre = Image("check_face", 0.0, 2.0)
    scale = build_scales(["caretaking"], "likert")[0]
    duration_ms = seconds * 1000.0
    engine.new_run()

    def sequence(items: tuple) -> tuple[float, int]:
        res = engine.run_sequence([Screen("check", items, duration_ms),
                                   Screen("end", (), engine.frame_ms)])
        return res.actual_ms("check", "end"), res.dropped_frames

    def rating(items: tuple) -> tuple[float, int]:
        res = engine.rate(scale, items, planned=None, timeout_ms=duration_ms)
        return (res.end_s - res.onset_s) * 1000.0, res.dropped_frames

    out = {}
    for name, how, items in (
            ("dotprobe: two faces and the fixation cross", sequence,
             (left, right, Fixation())),
            ("rating: a face and its rating scale", rating, (centre,)),
            ("keypress: a face and the key reminder", sequence,
             (centre, Text("LEFT arrow: shorter    RIGHT arrow: longer", -8.0, "auto", 0.7))),
            ("cryrating: a rating scale alone", rating, ())):
        shown_ms, dropped = how(items)
        frames = max(0, int(round(shown_ms / engine.frame_ms)) - dropped)
        out[name] = {"ShownMs": shown_ms, "FramesShown": frames, "DroppedFrames": dropped,
                     "FrameRateHz": 1000.0 * frames / shown_ms if shown_ms > 0 else None}
    return out


def check_eye_tracker(engine, station: dict, seconds: float) -> dict:
    """The station's eye tracker through ioHub: the device, the configured sampling rate,
    and the rate and sample intervals measured over ``seconds`` of recording."""
    kind = station["eye_tracker"]
    if kind == "none":
        return {"Tracker": "none"}
    from tasks.core.psychopy_engine.gaze import DEVICES, GazeTracker
    try:
        gaze = GazeTracker(engine, station, simulated=False)
    except Exception as exc:  # a tracker that does not start is what the check reports
        return {"Tracker": kind, "Problem": f"{type(exc).__name__}: {exc}"}
    try:
        gaze.tracker.setRecordingState(True)
        start = engine._flip()
        while engine._flip() - start < seconds:
            gaze.read()
        samples, _ = gaze.take(-1e9, 1e9, engine._t0)
    finally:
        gaze.close()
    times = samples[:, 0]
    steps_ms = np.diff(times) * 1000.0 if len(times) > 1 else np.array([])
    return {"Tracker": kind, "Device": DEVICES[kind],
            "SamplingRateHz": float(station["eye_tracker_sampling_hz"]),
            "Samples": int(len(times)),
            "MeasuredRateHz": float((len(times) - 1) / (times[-1] - times[0]))
            if len(times) > 1 else None,
            "SampleIntervalMs": {"median": float(np.median(steps_ms)),
                                 "max": float(steps_ms.max())} if len(steps_ms) else None,
            "ValidSampleShare": float(np.mean(~np.isnan(samples[:, 1]))) if len(times) else None}


def check_keyboard(engine) -> dict:
    out = {"Backend": engine.keyboard_backend, "Note": engine.keyboard_note or None,
           "AbortChord": engine.abort_chord_text()}
    try:
        from psychtoolbox import hid
        _, names, _ = hid.get_keyboard_indices()
        out["Devices"] = [str(n) for n in names]
    except Exception as exc:  # noqa: BLE001 - a missing PsychHID is reported, not fatal
        out["Devices"] = f"not listed ({type(exc).__name__}: {exc})"
    return out


def check_pointer(engine, station: dict, n_taps: int = 20) -> dict:
    """The X pointer devices (a touch screen is one) and ``n_taps`` injected taps: the
    tap's time stamp against the injection, and the first flip after it."""
    from tasks.core.psychopy_engine.touch_check import measure_taps, pointer_devices
    return {"Input": station.get("input", "keyboard"), **pointer_devices(),
            **measure_taps(engine, n_taps)}


def check_audio(station: dict, n_tones: int = 5, lead_s: float = 0.1) -> dict:
    """PsychPortAudio devices, the device used, and scheduled-onset errors."""
    import numpy as np
    try:
        import psychtoolbox as ptb
        from psychtoolbox import audio
        devices = [d for d in audio.get_devices() if d.get("NrOutputChannels", 0) > 0]
    except Exception as exc:  # noqa: BLE001 - PortAudio raises plain Exception
        return {"Backend": "ptb (PsychPortAudio)", "Devices": [], "Problem":
                f"no audio output device ({str(exc).strip().splitlines()[-1]})"}
    wanted = station.get("audio_device")
    chosen = next((d for d in devices if wanted and d["DeviceName"] == wanted),
                  None if wanted else (devices[0] if devices else None))
    out = {"Backend": "ptb (PsychPortAudio)", "LatencyClass": station["audio_latency_mode"],
           "Devices": [f"{int(d['DeviceIndex'])}: {d['DeviceName']} ({d['HostAudioAPIName']}, "
                       f"{int(d['NrOutputChannels'])} out, {d['DefaultSampleRate']:g} Hz)"
                       for d in devices]}
    if chosen is None:
        out["Problem"] = (f"station.audio_device {wanted!r} not found" if wanted
                          else "no audio output device")
        return out
    rate = int(chosen["DefaultSampleRate"])
    out.update({"Device": chosen["DeviceName"], "HostAPI": chosen["HostAudioAPIName"],
                "SampleRateHz": rate, "LowOutputLatencyMs": 1000 * chosen["LowOutputLatency"]})
    t = np.arange(int(0.05 * rate)) / rate
    tone = (0.001 * np.sin(2 * np.pi * 440 * t)).astype("float32")  # -60 dBFS, 50 ms
    stream = audio.Stream(device_id=int(chosen["DeviceIndex"]), mode=1,
                          latency_class=int(station["audio_latency_mode"]), freq=rate,
                          channels=2)
    errors = []
    try:
        stream.fill_buffer(np.column_stack([tone, tone]))
        for _ in range(n_tones):
            when = ptb.GetSecs() + lead_s
            stream.start(repetitions=1, when=when, wait_for_start=0)
            time.sleep(lead_s + 0.1)
            status = stream.status
            if status.get("StartTime", 0) > 0:
                errors.append(1000.0 * (status["StartTime"] - when))
            stream.stop()
        out["PredictedLatencyMs"] = 1000.0 * stream.status.get("PredictedLatency", float("nan"))
    finally:
        stream.close()
    out.update({"ScheduledTones": n_tones, "ScheduleLeadMs": lead_s * 1000.0,
                "StartedTones": len(errors),
                "OnsetErrorMs": {"mean": sum(errors) / len(errors), "max": max(errors),
                                 "min": min(errors)} if errors else None})
    return out


def check_disk(data_dir: Path) -> dict:
    where = Path(data_dir)
    while not where.exists() and where != where.parent:
        where = where.parent
    usage = shutil.disk_usage(where)
    return {"DataDir": str(data_dir), "MeasuredAt": str(where),
            "FreeGB": usage.free / 1e9, "TotalGB": usage.total / 1e9}


def check_realtime() -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_RTPRIO)
    nice = resource.getrlimit(resource.RLIMIT_NICE)[1]
    import os
    root = os.geteuid() == 0  # root may raise its priority whatever the limits say
    return {"RtprioLimit": hard, "NiceLimit": nice, "Root": root,
            "Allowed": hard > 0 or soft > 0 or root}


def software() -> dict:
    import psychopy
    out = {"OperatingSystem": f"{platform.system()} {platform.release()}",
           "Python": platform.python_version(), "PsychoPy": psychopy.__version__,
           "Host": socket.gethostname()}
    try:
        import psychtoolbox
        out["Psychtoolbox"] = getattr(psychtoolbox, "__version__", "unknown")
    except ImportError:
        out["Psychtoolbox"] = None
    return out


def run_check(station: dict, *, data_dir: Path, seconds: float = 5.0, windowed: bool = False,
              log=print) -> dict:
    """Every measurement, with the problems (not ready) and warnings (look at it) found."""
    from tasks.core.psychopy_engine.window import PsychoPyEngine
    # the check reports, it never refuses; taps are read (and measured) whatever the input
    relaxed = dict(station, refresh_tolerance_hz=1e9, input="touch")
    engine = PsychoPyEngine(relaxed, windowed=windowed, log=log, refuse_geometry=False)
    engine.open()
    try:
        result = {"Display": check_display(engine, seconds, station),
                  "Geometry": check_geometry(engine, station),
                  "Screens": check_screens(engine, station, max(0.5, seconds / 2)),
                  "Keyboard": check_keyboard(engine),
                  "Pointer": check_pointer(engine, station),
                  "EyeTracker": check_eye_tracker(engine, station, max(0.5, seconds / 2))}
    finally:
        engine.close()
    result["Audio"] = check_audio(station)
    result["Disk"] = check_disk(data_dir)
    result["Realtime"] = check_realtime()
    result["Software"] = software()
    from tasks.lsl.station import check_lsl  # LSL streams seen, marker round trip
    result["LSL"] = check_lsl(station)
    problems, warnings = verdicts(result, station)
    result.update({"Problems": problems, "Warnings": warnings,
                   "Verdict": "problems" if problems else ("warnings" if warnings else "ok")})
    return result


def verdicts(r: dict, station: dict) -> tuple[list[str], list[str]]:
    problems, warnings = [], []
    d = r["Display"]
    if d["VerticalSync"]:
        off = abs(d["MeasuredRefreshHz"] - d["ExpectedRefreshHz"])
        if off > d["ToleranceHz"]:
            problems.append(f"display runs at {d['MeasuredRefreshHz']:.2f} Hz, the config "
                            f"expects {d['ExpectedRefreshHz']:g} Hz (station.expected_refresh_hz)")
    else:
        warnings.append(f"no vertical sync (flips return after {d['MedianFlipIntervalMs']:.2f} "
                        "ms): flips are paced in software; fine for a virtual display, not for "
                        "a testing station (see docs/platform.md section 4)")
    if d["DroppedFrames"]:
        warnings.append(f"{d['DroppedFrames']} dropped frame(s) in {d['TestSeconds']:g} s")
    g = r["Geometry"]
    if g["Mismatch"]:
        (problems if g["FullScreen"] else warnings).append(
            g["Mismatch"] + ("" if g["FullScreen"] else
                             " (a full-screen run on this screen would be refused)"))
    for name, screen in r["Screens"].items():
        if name == "Problem":
            warnings.append(f"heaviest screens not drawn: {screen}")
        elif screen["DroppedFrames"]:
            warnings.append(f"{name}: {screen['DroppedFrames']} dropped frame(s), "
                            f"{screen['FrameRateHz']:.1f} frames per second")
    if r["Keyboard"]["Backend"] != "ptb":
        (problems if station["require_ptb_keyboard"] else warnings).append(
            f"keyboard: PTB backend not loaded, FALLBACK to {r['Keyboard']['Backend']!r} "
            "(response times stamped once per frame)")
    e = r.get("EyeTracker", {"Tracker": "none"})
    if e.get("Problem") or (e["Tracker"] != "none" and not e.get("Samples")):
        problems.append(f"eye tracker {e['Tracker']}: {e.get('Problem') or 'no samples'}")
    elif e["Tracker"] != "none" and abs(e["MeasuredRateHz"] - e["SamplingRateHz"]) > \
            0.05 * e["SamplingRateHz"]:
        warnings.append(f"eye tracker {e['Tracker']}: {e['MeasuredRateHz']:.1f} samples per "
                        f"second, configured {e['SamplingRateHz']:g} Hz")
    a = r["Audio"]
    if a.get("Problem"):
        problems.append(f"audio: {a['Problem']}")
    elif not a.get("OnsetErrorMs"):
        problems.append("audio: no scheduled tone started")
    elif abs(a["OnsetErrorMs"]["max"]) > 1.0:
        warnings.append(f"audio: scheduled onsets late by up to {a['OnsetErrorMs']['max']:.2f} ms")
    if r["Disk"]["FreeGB"] < 1:
        problems.append(f"disk: only {r['Disk']['FreeGB']:.2f} GB free at the data folder")
    elif r["Disk"]["FreeGB"] < 5:
        warnings.append(f"disk: {r['Disk']['FreeGB']:.1f} GB free at the data folder")
    if not r["Realtime"]["Allowed"]:
        warnings.append("no realtime priority allowed for this user (docs/platform.md section 4)")
    if "LSL" in r:
        from tasks.lsl.station import lsl_verdicts
        lsl_problems, lsl_warnings = lsl_verdicts(r["LSL"], station)
        problems += lsl_problems
        warnings += lsl_warnings
    return problems, warnings


def pointer_line(p: dict | None) -> str:
    if not p:
        return "  pointer: not checked"
    names = ", ".join(f"{d['Name']}{' (touch)' if d['Touch'] else ''}" for d in p["Pointers"]) \
        if isinstance(p["Pointers"], list) else p["Pointers"]
    line = f"  pointer: station.input {p['Input']}; devices: {names or 'none'}"
    err, flip = p.get("StampErrorMs"), p.get("TapToFlipMs")
    if err and flip:
        line += (f"; injected tap -> time stamp median {err['median']:.2f} ms, p95 "
                 f"{err['p95']:.2f} ms; tap -> next flip median {flip['median']:.2f} ms, p95 "
                 f"{flip['p95']:.2f} ms (n {err['n']}, missed {p['Missed']})")
    return line


def summary(r: dict) -> str:
    d, k, a, disk = r["Display"], r["Keyboard"], r["Audio"], r["Disk"]
    lines = [f"icb check on {r['Software']['Host']} ({r['Software']['OperatingSystem']}, "
             f"PsychoPy {r['Software']['PsychoPy']})",
             f"  display: {d['WindowSizePx'][0]}x{d['WindowSizePx'][1]}, renderer "
             f"{d.get('Renderer')}; measured {d['MeasuredRefreshHz']:.2f} Hz (median flip "
             f"{d['MedianFlipIntervalMs']:.2f} ms), configured {d['ExpectedRefreshHz']:g} Hz"]
    if d["VerticalSync"]:
        lines.append(f"  frames: vertical sync; {d['DroppedFrames']} dropped in "
                     f"{d['TestSeconds']:g} s (longest interval {d['MaxFlipIntervalMs']:.2f} ms)")
    else:
        lines.append(f"  frames: NO vertical sync -> software pacing at "
                     f"{d['ExpectedRefreshHz']:g} Hz; {d['DroppedFrames']} dropped in "
                     f"{d['TestSeconds']:g} s (mean interval {d['PacedMeanIntervalMs']:.2f} ms, "
                     f"longest {d['PacedMaxIntervalMs']:.2f} ms)")
    g = r["Geometry"]
    lines.append(f"  geometry: screen {g['ScreenSizePx'][0]}x{g['ScreenSizePx'][1]} "
                 f"(configured {g['ConfiguredScreenSizePx'][0]}x{g['ConfiguredScreenSizePx'][1]}"
                 f"), window {g['WindowSizePx'][0]}x{g['WindowSizePx'][1]}, "
                 + ("full screen" if g["FullScreen"] else "windowed"))
    for name, screen in r["Screens"].items():
        if name != "Problem":
            lines.append(f"  heaviest screen, {name}: {screen['FrameRateHz']:.1f} frames per "
                         f"second, {screen['DroppedFrames']} dropped in "
                         f"{screen['ShownMs'] / 1000:.1f} s")
    lines.append(f"  display tolerance: {d['ToleranceHz']:g} Hz (station.refresh_tolerance_hz)")
    lines.append(f"  keyboard: {k['Backend']}" + (" (Psychtoolbox, time-stamped)"
                 if k["Backend"] == "ptb" else " (FALLBACK: pyglet events)")
                 + f"; abort chord {k['AbortChord']}")
    lines.append(pointer_line(r.get("Pointer")))
    e = r.get("EyeTracker", {"Tracker": "none"})
    if e["Tracker"] == "none" or e.get("Problem") or not e.get("Samples"):
        lines.append(f"  eye tracker: {e['Tracker']}" + (f" ({e['Problem']})"
                                                          if e.get("Problem") else ""))
    else:
        iv = e["SampleIntervalMs"]
        lines.append(f"  eye tracker: {e['Tracker']} ({e['Device']}), configured "
                     f"{e['SamplingRateHz']:g} Hz, measured {e['MeasuredRateHz']:.1f} samples "
                     f"per second; sample interval median {iv['median']:.2f} ms, max "
                     f"{iv['max']:.2f} ms")
    if a.get("Device"):
        err = a.get("OnsetErrorMs")
        lines.append(f"  audio: {a['Device']} via {a['HostAPI']}, {a['SampleRateHz']} Hz, "
                     f"latency class {a['LatencyClass']}, device latency "
                     f"{a['LowOutputLatencyMs']:.2f} ms; scheduled onset error "
                     + (f"mean {err['mean']:.3f} ms, max {err['max']:.3f} ms over "
                        f"{a['StartedTones']} tones {a['ScheduleLeadMs']:g} ms ahead"
                        if err else "n/a (no tone started)"))
    else:
        lines.append(f"  audio: {a.get('Problem')}")
    lines.append(f"  disk: {disk['FreeGB']:.1f} GB free of {disk['TotalGB']:.1f} GB at "
                 f"{disk['DataDir']}")
    rt = r["Realtime"]
    allowed = ("allowed (root)" if rt["Root"] else f"allowed (rtprio {rt['RtprioLimit']})") \
        if rt["Allowed"] else "not allowed"
    lines.append(f"  realtime priority: {allowed}")
    if "LSL" in r:
        from tasks.lsl.station import lsl_summary
        lines.extend(lsl_summary(r["LSL"]))
    for w in r["Warnings"]:
        lines.append(f"  WARNING: {w}")
    for p in r["Problems"]:
        lines.append(f"  PROBLEM: {p}")
    lines.append({"ok": "verdict: OK", "warnings": "verdict: OK with warnings",
                  "problems": "verdict: NOT READY"}[r["Verdict"]])
    return "\n".join(lines)

