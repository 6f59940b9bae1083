"""The Lab Streaming Layer part of ``icb check`` (issue 15 point 5).

* Streams: every LSL stream this machine sees within ``resolve_s`` (1 s): name, type,
  nominal rate, channels, format, source host and source_id.
* Marker round trip on this machine: a string outlet and an inlet on loopback in this
  process; ``n`` markers pushed, each stamped with ``local_clock()`` at the push; a thread
  blocked in ``pull_sample`` takes ``local_clock()`` when each arrives.  Received time minus
  pushed time: median, 95th percentile and maximum in ms; the time one ``push_sample``
  call takes (what the battery pays per marker); the inlet's clock offset
  (``time_correction``, ~0 on one machine).

pylsl that cannot be loaded is reported (``Available: false``), never a traceback.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid

import numpy as np

from icb.errors import BadInput

RESOLVE_S = 1.0
N_MARKERS = 200
MARKER_GAP_S = 0.002


def _ms(values: list[float]) -> dict:
    v = 1000.0 * np.asarray(values, dtype=float)
    return {"median": float(np.median(v)), "p95": float(np.percentile(v, 95)),
            "max": float(v.max())}


def describe_stream(info) -> dict:
    rate = float(info.nominal_srate())
    return {"Name": info.name(), "Type": info.type(), "NominalRateHz": rate or None,
            "Channels": int(info.channel_count()), "Format": _format_name(info),
            "Host": info.hostname(), "SourceId": info.source_id()}


def _format_name(info) -> str:
    names = {1: "float32", 2: "double64", 3: "string", 4: "int32", 5: "int16", 6: "int8",
             7: "int64"}
    return names.get(int(info.channel_format()), str(info.channel_format()))


def marker_round_trip(pylsl, n: int = N_MARKERS, gap_s: float = MARKER_GAP_S) -> dict:
    """Push ``n`` markers through a loopback outlet -> inlet in this process."""
    from pylsl import util as lsl_errors
    source_id = f"icb-check-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    info = pylsl.StreamInfo("icb-check-markers", "Markers", 1, pylsl.IRREGULAR_RATE,
                            pylsl.cf_string, source_id)
    outlet = pylsl.StreamOutlet(info)
    found = pylsl.resolve_byprop("source_id", source_id, timeout=5.0)
    if not found:
        return {"Problem": "the check's own marker outlet was not found on loopback in 5 s"}
    inlet = pylsl.StreamInlet(found[0], recover=False)
    try:
        inlet.open_stream(timeout=5.0)
        offset_s = inlet.time_correction(timeout=5.0)
    except (lsl_errors.TimeoutError, lsl_errors.LostError) as exc:
        return {"Problem": f"the check's own marker inlet did not open: {exc}"}
    if not outlet.wait_for_consumers(5.0):
        return {"Problem": "the check's own marker inlet did not connect in 5 s"}
    latencies: list[float] = []

    def receive() -> None:
        for _ in range(n):
            try:
                sample, stamp = inlet.pull_sample(timeout=2.0)
            except lsl_errors.LostError:
                return
            if sample is None:
                return
            latencies.append(pylsl.local_clock() - stamp)

    receiver = threading.Thread(target=receive, name="icb-check-lsl", daemon=True)
    receiver.start()
    push_s, pause = [], threading.Event()
    for i in range(n):
        t = pylsl.local_clock()
        outlet.push_sample([f"check|{i}|roundtrip|n/a"], t)
        push_s.append(pylsl.local_clock() - t)
        pause.wait(gap_s)
    receiver.join(timeout=10.0)
    del inlet, outlet
    out = {"Sent": n, "Received": len(latencies), "GapMs": gap_s * 1000.0,
           "ClockOffsetMs": 1000.0 * offset_s, "PushCallMs": _ms(push_s)}
    if latencies:
        out["RoundTripMs"] = _ms(latencies)
    return out


def check_lsl(station: dict | None = None, resolve_s: float = RESOLVE_S,
              n_markers: int = N_MARKERS) -> dict:
    """The streams seen and the marker round trip; ``Available: false`` without pylsl."""
    from tasks.lsl import import_pylsl
    try:
        pylsl = import_pylsl()
    except BadInput as exc:
        return {"Available": False, "Problem": str(exc)}
    streams = [describe_stream(i) for i in pylsl.resolve_streams(wait_time=resolve_s)]
    streams.sort(key=lambda s: (s["Type"], s["Name"], s["Host"], s["SourceId"]))
    version = int(pylsl.library_version())
    return {"Available": True, "Library": f"liblsl {version // 100}.{version % 100}, "
            f"pylsl {getattr(pylsl, '__version__', '?')}", "ResolveSeconds": resolve_s,
            "Streams": streams, "MarkerRoundTrip": marker_round_trip(pylsl, n_markers)}


def lsl_verdicts(lsl: dict, station: dict) -> tuple[list[str], list[str]]:
    """Problems and warnings: LSL wanted but missing, lost markers, a slow round trip, a
    stream type of ``station.lsl_record`` not seen now."""
    problems, warnings = [], []
    wanted = bool(station.get("lsl_markers")) or bool(station.get("lsl_record"))
    if not lsl.get("Available"):
        if wanted:
            problems.append(f"LSL: {lsl.get('Problem')}")
        return problems, warnings
    rt = lsl["MarkerRoundTrip"]
    if rt.get("Problem"):
        problems.append(f"LSL marker round trip: {rt['Problem']}")
    elif rt["Received"] < rt["Sent"]:
        problems.append(f"LSL marker round trip: {rt['Sent'] - rt['Received']} of "
                        f"{rt['Sent']} markers lost on loopback")
    else:
        frame_ms = 1000.0 / float(station.get("expected_refresh_hz") or 60.0)
        if rt["RoundTripMs"]["max"] > frame_ms:
            warnings.append(f"LSL marker round trip up to {rt['RoundTripMs']['max']:.2f} ms, "
                            f"more than one frame ({frame_ms:.2f} ms)")
    seen = {s["Type"] for s in lsl["Streams"]}
    for kind in station.get("lsl_record") or []:
        if kind not in seen:
            warnings.append(f"LSL: no stream of type {kind} seen now (station.lsl_record); "
                            "start the device before a run")
    return problems, warnings


def lsl_summary(lsl: dict) -> list[str]:
    if not lsl.get("Available"):
        return [f"  LSL: not available ({lsl.get('Problem')})"]
    streams = lsl["Streams"]
    lines = [f"  LSL: {lsl['Library']}; {len(streams)} stream(s) seen in "
             f"{lsl['ResolveSeconds']:g} s" + (":" if streams else "")]
    for s in streams:
        rate = f"{s['NominalRateHz']:g} Hz" if s["NominalRateHz"] else "irregular rate"
        lines.append(f"    {s['Name']} ({s['Type']}, {rate}, {s['Channels']} channel(s), "
                     f"{s['Format']}) from {s['Host']} [{s['SourceId']}]")
    rt = lsl["MarkerRoundTrip"]
    if rt.get("Problem") or not rt.get("RoundTripMs"):
        lines.append(f"  LSL marker round trip: {rt.get('Problem') or 'no marker received'}")
    else:
        ms, push = rt["RoundTripMs"], rt["PushCallMs"]
        lines.append(f"  LSL marker round trip on this machine: median {ms['median']:.3f} ms, "
                     f"95th percentile {ms['p95']:.3f} ms, max {ms['max']:.3f} ms over "
                     f"{rt['Received']}/{rt['Sent']} markers; push call median "
                     f"{1000 * push['median']:.1f} us; clock offset "
                     f"{rt['ClockOffsetMs']:.3f} ms")
    return lines
