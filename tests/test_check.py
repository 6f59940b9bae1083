"""`icb check` under Xvfb: measures, prints its figures, writes station_check-*.json (listed
in .bidsignore), and later runs' sidecars name it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ICB = [sys.executable, "-m", "icb.cli"]


@pytest.mark.display
@pytest.mark.sound
def test_check_writes_file_and_prints_figures(tmp_path):
    data = tmp_path / "data"
    config = tmp_path / "station.yaml"  # the shipped station, with the simulated eye tracker
    config.write_text(f"include: {REPO / 'configs' / 'station.yaml'}\n"
                      "station: {eye_tracker: mousegaze, eye_tracker_sampling_hz: 100}\n")
    out = subprocess.run([*ICB, "check", str(config), "--windowed", "--seconds", "2",
                          "--data-dir", str(data)], capture_output=True, text=True, cwd=REPO,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    files = list(data.glob("station_check-*.json"))
    assert len(files) == 1
    result = json.loads(files[0].read_text())
    d = result["Display"]
    assert d["MeasuredRefreshHz"] > 0 and d["FlipsMeasured"] > 10
    assert d["ExpectedRefreshHz"] == 60.0
    if not d["VerticalSync"]:  # Xvfb: said plainly, and the paced test counts drops
        assert "NO vertical sync -> software pacing" in out.stdout
        assert 15.0 < d["PacedMeanIntervalMs"] < 18.5
    assert isinstance(d["DroppedFrames"], int)
    assert d["ToleranceHz"] == 3.0  # the configured tolerance, not the check's own
    g = result["Geometry"]
    assert g["FullScreen"] is False and g["ConfiguredScreenSizePx"] == [1920, 1080]
    assert g["WindowSizePx"] == [1024, 768] and len(g["ScreenSizePx"]) == 2
    assert f"geometry: screen {g['ScreenSizePx'][0]}x{g['ScreenSizePx'][1]}" in out.stdout
    if g["ScreenSizePx"] != [1920, 1080]:  # the test X server: a warning, not a refusal
        assert "(a full-screen run on this screen would be refused)" in out.stdout
    screens = result["Screens"]
    assert len(screens) == 4 and "Problem" not in screens
    for name, screen in screens.items():  # each paradigm's heaviest screen, drawn for 1 s
        assert 900 <= screen["ShownMs"] <= 1100, (name, screen)
        assert 0 < screen["FrameRateHz"] <= 62 and screen["FramesShown"] > 0
        assert f"heaviest screen, {name}: " in out.stdout
    assert result["Keyboard"]["Backend"] in ("ptb", "event")
    assert "keyboard: ptb (Psychtoolbox" in out.stdout or "FALLBACK" in out.stdout
    audio = result["Audio"]
    assert audio["Device"] and audio["LatencyClass"] == 3
    assert audio["StartedTones"] == audio["ScheduledTones"] == 5
    assert abs(audio["OnsetErrorMs"]["max"]) < 50
    assert "scheduled onset error mean" in out.stdout
    assert result["Disk"]["FreeGB"] > 0 and "GB free" in out.stdout
    eye = result["EyeTracker"]  # ioHub's MouseGaze, recorded for 1 s
    assert eye["Tracker"] == "mousegaze" and eye["SamplingRateHz"] == 100.0
    assert 90 <= eye["Samples"] <= 110 and abs(eye["MeasuredRateHz"] - 100.0) < 5
    assert abs(eye["SampleIntervalMs"]["median"] - 10.0) < 0.5
    assert "eye tracker: mousegaze (eyetracker.hw.mouse.EyeTracker), configured 100 Hz" \
        in out.stdout
    lsl = result["LSL"]  # the streams seen and the marker round trip (tests/test_lsl_station.py)
    assert lsl["Available"] is True and isinstance(lsl["Streams"], list)
    assert lsl["MarkerRoundTrip"]["Received"] == lsl["MarkerRoundTrip"]["Sent"] > 0
    assert "LSL marker round trip on this machine: median" in out.stdout
    assert result["Verdict"] in ("ok", "warnings")
    assert f"written: {files[0]}" in out.stdout
    assert "station_check*.json" in (data / ".bidsignore").read_text()


def test_check_bad_config_and_seconds(tmp_path):
    bad = tmp_path / "station.yaml"
    bad.write_text("station:\n  expected_refresh_hz: 1000\n  abort_kee: f12\n")
    out = subprocess.run([*ICB, "check", str(bad)], capture_output=True, text=True, cwd=REPO,
                         timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "station.abort_kee: unknown parameter" in out.stderr
    assert "(did you mean 'abort_key'?)" in out.stderr
    assert "station.expected_refresh_hz: bad value 1000" in out.stderr
    out = subprocess.run([*ICB, "check", "--seconds", "0"], capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert out.returncode == 2 and "--seconds: bad value 0" in out.stderr


def test_newest_station_check_is_found(tmp_path):
    from tasks.session import newest_station_check
    assert newest_station_check(tmp_path) is None
    for stamp, verdict in (("20260101T100000", "ok"), ("20260102T100000", "warnings")):
        (tmp_path / f"station_check-{stamp}.json").write_text(json.dumps({"Verdict": verdict}))
    found = newest_station_check(tmp_path)
    assert found["File"] == "station_check-20260102T100000.json"
    assert found["Verdict"] == "warnings"
