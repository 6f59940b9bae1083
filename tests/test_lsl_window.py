"""LSL in a real window (contract section 8): markers from the cry-rating task's flips and
keys, received by an inlet on the loopback interface, line up with the events file's
onsets; the simulated ECG/EDA device (``icb lsl-device``, a separate process streaming
NeuroKit2 ECG with a heart-rate response planted after each cry it learns of from the
markers) is recorded as BIDS physio that the validator accepts and that scores back to
the planted response; a device that stops mid-run leaves the run going and says so; a
named stream that is not there refuses the run with nothing written."""

from __future__ import annotations

import csv
import os
import signal
import gzip
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from helpers import bids_validate, n_rows, wait_for, write_including

REPO = Path(__file__).resolve().parent.parent
CRY = REPO / "tests" / "configs" / "cryrating_fast.yaml"
FRAME_S = 1 / 60

pytestmark = [pytest.mark.display, pytest.mark.sound]

LSL_STATION = """
station:
  lsl_markers: true
  lsl_record: [ECG, EDA]
  lsl_resolve_s: 10
"""


LISTENER = """
import signal, sys
from tasks.lsl import import_pylsl
pylsl = import_pylsl()
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
out = open(sys.argv[1], "w", buffering=1)
inlet = None
while True:
    if inlet is None:
        found = pylsl.resolve_byprop("name", "icb-markers", timeout=0.05)
        if found:
            inlet = pylsl.StreamInlet(found[0])
            inlet.open_stream(timeout=2.0)
        continue
    data, stamps = inlet.pull_chunk(timeout=0.01)
    now = pylsl.local_clock()
    for d, t in zip(data, stamps):
        out.write(f"{d[0]}\\t{t!r}\\t{now!r}\\n")
"""


def lsl_session(tmp_path: Path) -> dict:
    """The environment of one test's LSL processes: a session of their own (liblsl's
    SessionID), so that no other device on this machine or network is seen."""
    cfg = tmp_path / "lsl_api.cfg"
    cfg.write_text(f"[log]\nlevel = -2\n[lab]\nSessionID = icb-test-{os.getpid()}-"
                   f"{tmp_path.name}\n")
    return {**os.environ, "LSLAPICFG": str(cfg)}


class MarkerListener:
    """An inlet on ``icb-markers`` (a process of its own, in the test's LSL session) opened
    as soon as the outlet appears; every sample with its time stamp and the LSL time it
    was received."""

    def __init__(self, env: dict, path: Path):
        self.path = path
        self.proc = subprocess.Popen([sys.executable, "-c", LISTENER, str(path)], cwd=REPO,
                                     env=env)

    def stop(self) -> list[tuple[str, float, float]]:
        time.sleep(0.3)
        stop(self.proc)
        lines = self.path.read_text().splitlines() if self.path.exists() else []
        return [(text, float(t), float(got)) for text, t, got in
                (line.split("\t") for line in lines)]


def start_device(env: dict, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "icb.cli", "lsl-device", "--types",
                             "ECG,EDA", "--seed", "7", "--duration-s", "600", *extra],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_icb(config: Path, data: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "icb.cli", "run", str(config), "--participant",
                           "01", "--session", "pre", "--windowed", "--simulate", "noise_sd=0",
                           "--data-dir", str(data)], capture_output=True, text=True,
                          cwd=REPO, timeout=400, env=env)


def rows_of(tsv: Path) -> list[dict]:
    with open(tsv, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_markers_and_recording_in_a_real_window(tmp_path, display, jack_server,
                                                 record_property):
    config = write_including(tmp_path, CRY, LSL_STATION + """
params:
  categories: [infant_high_distress, noise_high_distress]
  n_per_category: 4
  scales: [aversive]
  practice_trials: 1
  iti_ms: 1500
""")
    env = lsl_session(tmp_path)
    device = start_device(env)
    listener = MarkerListener(env, tmp_path / "markers.tsv")
    try:
        time.sleep(1.0)
        out = run_icb(config, tmp_path / "data", env)
    finally:
        received = listener.stop()
        stop(device)
    assert out.returncode == 0, out.stderr
    beh = tmp_path / "data" / "sub-01" / "ses-pre" / "beh"
    stem = "sub-01_ses-pre_task-cryrating_run-1"
    tsv = beh / f"{stem}_events.tsv"
    prov = json.loads(tsv.with_suffix(".json").read_text())["Provenance"]
    assert prov["Status"] == "completed"
    clock = prov["LSL"]["Clock"]
    rows = rows_of(tsv)

    # -- markers: every row has its marker; marker time - onset through the offset ----------
    markers = [(text.split("|"), stamp, got) for text, stamp, got in received]
    assert markers and markers[0][0][2] == "run_start", markers[:3]
    assert markers[-1][0][2] == "run_end"
    assert prov["LSL"]["Markers"]["MarkersPushed"] == len(markers)
    start = clock["RunStartLSLTimeS"]
    by_index: dict[str, list[float]] = {}
    for (_, index, _, _), stamp, _ in markers:
        by_index.setdefault(index, []).append(stamp - start)
    errors_ms = []
    for row in rows:
        times = by_index.get(row["trial_index"])
        assert times, f"events row {row['trial_index']} has no marker"
        errors_ms.append(min(abs(t - float(row["onset"])) for t in times) * 1000)
    sounds = {(r["stim_id"], r["audio_onset_requested_s"]) for r in rows}
    marked_sounds = [(stim, t) for (_, _, event, stim), t, _ in markers if event == "sound"]
    assert len(marked_sounds) == len(sounds)
    for stim, t in marked_sounds:
        assert min(abs(t - start - float(req)) for s, req in sounds if s == stim) < 1e-3
    late_ms = [(got - stamp) * 1000 for (_, _, event, _), stamp, got in markers
               if event not in ("response", "run_end")]
    figures = {"marker_minus_onset_median_ms": statistics.median(errors_ms),
               "marker_minus_onset_max_ms": max(errors_ms),
               "marker_arrival_after_its_time_median_ms": statistics.median(late_ms),
               "clock_offset_uncertainty_ms": clock["ClockOffsetUncertaintyS"] * 1000,
               "n_rows": len(rows), "n_markers": len(markers)}
    record_property("lsl_markers", figures)
    print(figures)
    assert figures["marker_minus_onset_median_ms"] < 1.0
    assert figures["marker_minus_onset_max_ms"] < FRAME_S * 1000

    # -- recording: physio beside the events, whole, on the run clock ------------------------
    for kind, rate in (("ecg", 500.0), ("eda", 32.0)):
        sidecar = json.loads((beh / f"{stem}_recording-{kind}_physio.json").read_text())
        assert sidecar["SamplingFrequency"] == rate
        assert sidecar["Columns"] == ["timestamp", kind.upper()]
        assert sidecar["StreamStopped"] is False
        with gzip.open(beh / f"{stem}_recording-{kind}_physio.tsv.gz", "rt") as fh:
            times = [float(line.split("\t")[0]) for line in fh]
        assert times[0] < 0.5 and times[-1] > float(rows[-1]["onset"])
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert max(gaps) < 5 / rate and min(gaps) > 0
        assert abs(len(times) / (times[-1] - times[0]) - rate) < 0.02 * rate
    report = bids_validate(tmp_path / "data")
    assert not report.errors, report.describe()

    # -- the planted response scores back, per cue class -----------------------------------
    scored = subprocess.run([sys.executable, "-m", "icb.cli", "score", str(tmp_path / "data"),
                             "--out", str(tmp_path / "scores"), "--include-simulated"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert scored.returncode == 0, scored.stderr
    physio = rows_of(tmp_path / "scores" / "physio.tsv")
    recovered = {}
    for row in physio:
        if row["measure"].startswith("hr_change_bpm_") and row["session"] == "pre":
            recovered[(row["condition"], (float(row["window_start_s"]),
                                          float(row["window_end_s"])))] = float(row["value"])
    planted = planted_for(rows)
    record_property("hr_change_recovered_vs_planted", {f"{c} {w}": (v, planted[(c, w)])
                                                       for (c, w), v in recovered.items()})
    print({f"{c} {w}": (round(v, 2), round(planted[(c, w)], 2))
           for (c, w), v in recovered.items()})
    assert len(recovered) == 6
    for key, value in recovered.items():
        assert abs(value - planted[key]) < 1.0, (key, value, planted[key])


def planted_for(rows: list[dict]) -> dict:
    """The device's planted heart-rate change per cue class and window for the cues of
    this run, as scoring measures it (window mean minus the -1..0 s baseline, averaged
    over the class's test cues); responses of cues less than 6 s apart overlap and add."""
    from tasks.lsl.heart import Cue, HeartSpec
    spec = HeartSpec()
    onsets = {}
    for r in rows:
        onset = r["audio_onset_reported_s"]
        onset = float(onset if onset != "n/a" else r["audio_onset_requested_s"])
        onsets[onset] = (r["category"], r["phase"])
    every = [Cue(t, c) for t, (c, _) in onsets.items()]
    out: dict = {}
    for cue_class in {c for c, _ in onsets.values()}:
        for window in ((0.0, 2.0), (2.0, 4.0), (4.0, 6.0)):
            changes = [spec.planted_deviation_bpm(np.linspace(t + window[0], t + window[1],
                                                              400), every).mean()
                       - spec.planted_deviation_bpm(np.linspace(t - 1, t, 200), every).mean()
                       for t, (c, phase) in onsets.items()
                       if c == cue_class and phase == "test"]
            out[(cue_class, window)] = float(np.mean(changes))
    return out

def test_a_missing_stream_refuses_the_run_with_nothing_written(tmp_path, display, jack_server):
    config = write_including(tmp_path, CRY, """
station:
  lsl_record: [NoSuchType]
  lsl_resolve_s: 0.5
""")
    out = run_icb(config, tmp_path / "data", lsl_session(tmp_path))
    assert out.returncode == 2, out.stderr
    assert "station.lsl_record" in out.stderr and "NoSuchType" in out.stderr
    assert "Traceback" not in out.stderr
    assert not list((tmp_path / "data").rglob("sub-*"))


def test_a_device_that_stops_mid_run_is_said_and_the_run_goes_on(tmp_path, display,
                                                                 jack_server):
    config = write_including(tmp_path, CRY, LSL_STATION)
    env = lsl_session(tmp_path)
    device = start_device(env, "--stop-after-s", "12")
    try:
        time.sleep(1.0)
        out = run_icb(config, tmp_path / "data", env)
    finally:
        stop(device)
    assert out.returncode == 0, out.stderr
    beh = tmp_path / "data" / "sub-01" / "ses-pre" / "beh"
    stem = "sub-01_ses-pre_task-cryrating_run-1"
    prov = json.loads((beh / f"{stem}_events.json").read_text())["Provenance"]
    assert prov["Status"] == "completed"
    sidecar = json.loads((beh / f"{stem}_recording-ecg_physio.json").read_text())
    assert sidecar["StreamStopped"] is True
    assert any("stream stopped" in note for note in sidecar["RecordingNotes"])
    with gzip.open(beh / f"{stem}_recording-ecg_physio.tsv.gz", "rt") as fh:
        times = [float(line.split("\t")[0]) for line in fh]
    last_onset = float(rows_of(beh / f"{stem}_events.tsv")[-1]["onset"])
    assert 5.0 < times[-1] < last_onset  # kept up to the stop; the run went on after it


def test_sigkill_mid_run_leaves_physio_whole_up_to_the_last_finished_trial(tmp_path, display,
                                                                        jack_server):
    config = write_including(tmp_path, CRY, LSL_STATION)
    env = lsl_session(tmp_path)
    device = start_device(env)
    beh = tmp_path / "data" / "sub-01" / "ses-pre" / "beh"
    tsv = beh / "sub-01_ses-pre_task-cryrating_run-1_events.tsv"
    try:
        time.sleep(1.0)
        proc = subprocess.Popen([sys.executable, "-m", "icb.cli", "run", str(config),
                                 "--participant", "01", "--session", "pre", "--windowed",
                                 "--simulate", "noise_sd=0", "--data-dir",
                                 str(tmp_path / "data")], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        wait_for(lambda: tsv.exists() and n_rows(tsv) >= 3, timeout_s=240)
        time.sleep(0.7)  # somewhere inside the next trial
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        stop(device)
    rows = rows_of(tsv)
    prov = json.loads(tsv.with_suffix(".json").read_text())["Provenance"]
    assert prov["Status"] == "in_progress"  # a crashed run, read as such
    for kind in ("ecg", "eda"):
        raw = (beh / f"{tsv.name[:-len('_events.tsv')]}_recording-{kind}_physio.tsv.gz")
        with gzip.open(raw, "rt") as fh:  # every member whole: no EOFError, no CRC error
            lines = fh.read().splitlines()
        assert raw.read_bytes().count(b"\x1f\x8b\x08") >= len(rows)  # one member per trial
        assert all(len(line.split("\t")) == 2 for line in lines)
        last = float(lines[-1].split("\t")[0])
        # the samples reach the end of the last finished trial (the last row's response)
        assert last >= float(rows[-1]["onset"]) + float(rows[-1]["duration"]) - 0.1
