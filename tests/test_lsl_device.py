"""The simulated physiology device (issue 15 point 4): the heart model's beats follow the
planted rate (R-peaks found by NeuroKit2 give the planted change within 1 bpm per cue class
and window), its output does not depend on the chunking, and ``icb lsl-device`` streams on
loopback at the asked rate, learns cues from ``icb-markers`` and plants them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tasks.lsl.heart import (Cue, EcgGenerator, EdaSpec, HeartSpec, ecg_template,
                             planted_change_bpm, simulate_recording)

REPO = Path(__file__).resolve().parent.parent
DEVICE = [sys.executable, "-m", "icb.cli", "lsl-device"]
WINDOWS_S = ((0.0, 2.0), (2.0, 4.0), (4.0, 6.0))
CLASSES = ("infant", "rotated", "noise")


@pytest.fixture(scope="module")
def template():
    return ecg_template()


def r_peaks_nk(signal_mv: np.ndarray, start_s: float, rate_hz: float) -> np.ndarray:
    import neurokit2 as nk
    _, info = nk.ecg_peaks(np.asarray(signal_mv, dtype=float), sampling_rate=int(rate_hz))
    return start_s + np.asarray(info["ECG_R_Peaks"], dtype=float) / rate_hz


def mean_rate_bpm(peaks: np.ndarray, a: float, b: float) -> float:
    """Time-weighted mean over [a, b] of the beat rate (60 / R-R held over each R-R)."""
    rate = 60.0 / np.diff(peaks)
    lo, hi = np.clip(peaks[:-1], a, b), np.clip(peaks[1:], a, b)
    return float(np.sum(rate * (hi - lo)) / (b - a))


def hr_changes(peaks, cues, cue_class, window):
    return [mean_rate_bpm(peaks, c.onset_s + window[0], c.onset_s + window[1])
            - mean_rate_bpm(peaks, c.onset_s - 1.0, c.onset_s)
            for c in cues if c.cue_class == cue_class]


def test_planted_change_is_the_curve_mean():
    spec = HeartSpec()
    for cls, depth in (("infant", -6.0), ("rotated", -3.0), ("noise", 0.0)):
        for a, b in WINDOWS_S + ((-1.0, 0.0), (1.0, 7.5)):
            x = np.linspace(a, b, 200001)
            numeric = float(np.mean(spec.response_bpm(x, cls)))
            assert abs(spec.planted_change_bpm(cls, (a, b)) - numeric) < 1e-3
    assert spec.response_bpm(3.0, "infant") == pytest.approx(-6.0)  # deepest at 3 s
    assert spec.response_bpm(6.0, "infant") == pytest.approx(0.0, abs=1e-12)
    assert planted_change_bpm("infant", (2, 4)) < planted_change_bpm("rotated", (2, 4)) < 0
    custom = HeartSpec(responses_bpm={"infant": -12.0})
    assert custom.planted_change_bpm("infant", (2, 4)) == pytest.approx(
        2 * spec.planted_change_bpm("infant", (2, 4)))
    with pytest.raises(ValueError):
        spec.planted_change_bpm("infant", (2, 2))


def test_beats_follow_the_planted_rate(template):
    rng = np.random.default_rng(11)
    order = rng.permutation(np.repeat(CLASSES, 15))
    start = 500.0
    onsets = start + 4.0 + np.arange(len(order)) * 9.0 + rng.uniform(0, 1, len(order))
    cues = [Cue(float(o), str(c)) for o, c in zip(onsets, order)]
    rec = simulate_recording(cues, duration_s=onsets[-1] - start + 8.0, start_s=start,
                             rng=np.random.default_rng(4), template=template)
    peaks = r_peaks_nk(rec.ecg_mv, start, 500.0)
    truth = rec.r_peaks_s[(rec.r_peaks_s > start + 0.5) & (rec.r_peaks_s < rec.ecg_times_s[-1])]
    assert len(peaks) >= len(truth) - 1
    nearest = np.abs(peaks[:, None] - truth[None, :]).min(axis=0)
    assert np.median(nearest) < 0.004  # NeuroKit2 finds the model's own beats
    spec = HeartSpec()
    for cls in CLASSES:
        for window in WINDOWS_S:
            got = np.mean(hr_changes(peaks, cues, cls, window))
            want = spec.planted_change_bpm(cls, window)
            assert abs(got - want) < 1.0, (cls, window, got, want)
    infant = np.mean(hr_changes(peaks, cues, "infant", (2, 4)))
    assert infant < -4.0  # the deceleration is there, not just "within 1 bpm of 0"


def test_output_does_not_depend_on_chunks(template):
    start, rate = 20.0, 500.0
    cues = [Cue(22.3, "infant"), Cue(27.01, "rotated"), Cue(29.5, "noise")]
    whole = simulate_recording(cues, duration_s=14.0, start_s=start,
                               rng=np.random.default_rng(9), template=template)
    ecg_rng, _ = np.random.default_rng(9).spawn(2)
    gen = EcgGenerator(HeartSpec(), start, rate, ecg_rng, template)
    chunks, pending, sizes = [], list(cues), np.random.default_rng(1)
    while gen.clock.next_index < len(whole.ecg_mv):
        n = min(int(sizes.integers(1, 30)), len(whole.ecg_mv) - gen.clock.next_index)
        frontier = start + (gen.clock.next_index + n) / rate
        while pending and pending[0].onset_s <= frontier + 0.02:  # learned ~20 ms early
            gen.add_cue(*pending.pop(0))
        chunks.append(gen.take(n)[1])
    assert np.array_equal(np.concatenate(chunks), whole.ecg_mv)
    never = simulate_recording([], duration_s=14.0, start_s=start,
                               rng=np.random.default_rng(9), template=template)
    before = whole.ecg_times_s < 22.3
    assert np.array_equal(never.ecg_mv[before], whole.ecg_mv[before])  # cues act from onset
    assert not np.array_equal(never.ecg_mv, whole.ecg_mv)


def test_eda_response_by_class():
    spec = EdaSpec()
    cues = [Cue(5.0, "infant"), Cue(25.0, "noise")]
    from tasks.lsl.heart import EdaGenerator
    quiet = EdaSpec(noise_us=0.0, drift_us=0.0)
    gen = EdaGenerator(quiet, 0.0, 32.0, np.random.default_rng(2))
    for cue in cues:
        gen.add_cue(*cue)
    t, eda = gen.take(32 * 40)
    rise = eda - quiet.tonic_us
    assert np.all(rise[t < 5.0 + quiet.latency_s] == 0)
    first = rise[(t > 5) & (t < 25)].max()
    second = rise[t > 25].max()
    assert first == pytest.approx(spec.planted_scr_us("infant"), rel=0.02)
    assert second == pytest.approx(spec.planted_scr_us("noise"), rel=0.02)


def _start_device(*extra):
    return subprocess.Popen([*DEVICE, *extra], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _inlet(pylsl, name, device):
    """The inlet of this test's own device (other devices may run on a shared machine)."""
    import socket
    found = pylsl.resolve_byprop("source_id", f"{name}-{socket.gethostname()}-{device.pid}",
                                 timeout=20)
    assert found, f"no stream {name}"
    inlet = pylsl.StreamInlet(found[0], recover=False)
    inlet.open_stream(timeout=10)
    return inlet, inlet.info(timeout=10)  # with its desc


def _wait_for_line(proc, text, timeout_s=20.0):
    lines, end = [], time.monotonic() + timeout_s
    while time.monotonic() < end:
        line = proc.stdout.readline()
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not printed: {lines}")


def test_device_streams_and_plants_cues_from_markers():
    pylsl = pytest.importorskip("pylsl")
    seed, rate = 5, 500.0
    device = _start_device("--types", "ECG,EDA", "--duration-s", "30", "--seed", str(seed),
                           "--rsa-bpm", "0", "--drift-bpm", "0",
                           "--response", "infant=-8,rotated=-3,noise=0",
                           "--markers-source-id", f"icb-markers-test-{os.getpid()}")
    markers = None
    try:
        ecg, info = _inlet(pylsl, "icb-sim-ecg", device)
        eda, eda_info = _inlet(pylsl, "icb-sim-eda", device)
        desc = info.desc()
        assert (info.type(), info.nominal_srate(), info.channel_count()) == ("ECG", rate, 1)
        assert desc.child("channels").child("channel").child_value("label") == "ECG"
        assert desc.child("channels").child("channel").child_value("unit") == "mV"
        assert desc.child_value("manufacturer") == "icb simulated device (NeuroKit2)"
        assert eda_info.desc().child("channels").child("channel").child_value("unit") \
            == "microsiemens"
        markers = pylsl.StreamOutlet(pylsl.StreamInfo(
            "icb-markers", "Markers", 1, pylsl.IRREGULAR_RATE, pylsl.cf_string,
            f"icb-markers-test-{os.getpid()}"))
        early = _wait_for_line(device, "listening to icb-markers")
        stamps, values, eda_stamps, clock_first = [], [], [], None
        plan = [(2.5, "cryrating|0|sound|cry_hi_A01"),      # infant
                (2.6, "cryrating|0|rating|n/a"),             # not a cue
                (6.0, "cryrating|1|sound|rot_hi_A01"),       # rotated (overlaps)
                (6.1, "dotprobe|2|display|inf_dis_A01")]     # a picture: off by default
        t0 = time.monotonic()
        while time.monotonic() - t0 < 14.0:
            chunk, ts = ecg.pull_chunk(timeout=0.05)
            clock_end = pylsl.local_clock()
            if ts and clock_first is None:
                clock_first = clock_end
            values += [v[0] for v in chunk]
            stamps += ts
            eda_stamps += eda.pull_chunk(timeout=0.0)[1]
            while plan and time.monotonic() - t0 >= plan[0][0]:
                markers.push_sample([plan.pop(0)[1]], pylsl.local_clock())
        device.send_signal(signal.SIGTERM)
        out, err = device.communicate(timeout=20)
        out = "".join(early) + out
    finally:
        if device.poll() is None:
            device.kill()
            device.wait()
    assert device.returncode == 0, err
    stamps, values = np.asarray(stamps), np.asarray(values, dtype=np.float32)
    # the asked rate: regular stamps with no gap (rate x seconds samples), in real time: the
    # samples cover the time the inlet was pulling, the newest at most a few chunks old
    device_start = float(out.split(" from ")[1].split()[0])
    pulled_s = clock_end - clock_first
    for got, hz in ((np.asarray(stamps), rate), (np.asarray(eda_stamps), 32.0)):
        assert np.allclose(np.diff(got), 1.0 / hz, atol=1e-6)
        assert got[-1] - got[0] > pulled_s - 0.1, (got[-1] - got[0], pulled_s)
        assert clock_end - got[-1] < 0.25
        assert len(got) == round((got[-1] - got[0]) * hz) + 1 > hz * 10
    learned = [line for line in out.splitlines() if line.startswith("cue ")]
    assert [line.split()[1] for line in learned] == ["infant", "rotated"], out
    onsets = [float(line.split()[3]) for line in learned]
    cues = [Cue(onsets[0], "infant"), Cue(onsets[1], "rotated")]
    # the device's samples are the model's for the same seed, start and onsets (the
    # outlet may have started before the inlet connected: align on the stamps)
    offset = int(round((stamps[0] - device_start) * rate))
    model = simulate_recording(
        cues, duration_s=(stamps[-1] - device_start) + 1.5 / rate, start_s=device_start,
        rng=np.random.default_rng(seed),
        heart=HeartSpec(rsa_bpm=0.0, noise_bpm=0.0,
                        responses_bpm={"infant": -8.0, "rotated": -3.0, "noise": 0.0}))
    assert np.allclose(model.ecg_times_s[offset:offset + len(stamps)], stamps, atol=1e-9)
    same = model.ecg_mv[offset:offset + len(stamps)].astype(np.float32) == values
    if all(line.endswith("in time)") for line in learned):
        assert same.all(), (np.flatnonzero(~same)[:5], learned)
    else:  # a loaded machine: a cue learned after the device had sent its onset
        assert same[:int(round((min(onsets) - stamps[0]) * rate))].all(), learned
    # ... and NeuroKit2's R-peaks on the received ECG show the planted deceleration (the
    # responses overlap and add: the planted change is computed for these onsets)
    peaks = r_peaks_nk(values, float(stamps[0]), rate)
    spec = HeartSpec(responses_bpm={"infant": -8.0, "rotated": -3.0})

    assert peaks[-1] > cues[-1].onset_s + WINDOWS_S[-1][1]  # the windows are recorded

    def planted(a, b):
        return float(np.mean(spec.planted_deviation_bpm(np.linspace(a, b, 2001), cues)))

    for cue in cues:
        for window in WINDOWS_S:
            got = hr_changes(peaks, [cue], cue.cue_class, window)[0]
            want = planted(cue.onset_s + window[0], cue.onset_s + window[1]) \
                - planted(cue.onset_s - 1.0, cue.onset_s)
            assert abs(got - want) < 1.0, (cue, window, got, want)
    assert hr_changes(peaks, cues[:1], "infant", (2.0, 4.0))[0] < -5.0


def test_device_stop_after_closes_the_stream():
    pylsl = pytest.importorskip("pylsl")
    from pylsl.util import LostError
    device = _start_device("--types", "ECG", "--ecg-hz", "250", "--stop-after-s", "4",
                           "--duration-s", "60")
    try:
        ecg, _ = _inlet(pylsl, "icb-sim-ecg", device)
        n, lost = 0, False
        t0 = time.monotonic()
        while time.monotonic() - t0 < 8:
            try:
                n += len(ecg.pull_chunk(timeout=0.1)[1])
            except LostError:
                lost = True
                break
        assert lost, "the stream did not stop"
        assert 0 < n <= 4.0 * 250 + 5
        assert device.poll() is None  # the process waits after closing the outlet
        device.send_signal(signal.SIGINT)
        out, err = device.communicate(timeout=20)
    finally:
        if device.poll() is None:
            device.kill()
            device.wait()
    assert device.returncode == 0, err
    assert "stopped streaming after" in out and "device stopped" in out


@pytest.mark.parametrize("args, message", [
    (["--types", "ECG,XYZ"], "--types: bad value 'ECG,XYZ'; allowed: a comma-separated list "
                             "of ECG, EDA"),
    (["--ecg-hz", "0"], "--ecg-hz: bad value 0; allowed: from 10 to 5000"),
    (["--response", "infant=slow"], "--response: bad item 'infant=slow'"),
    (["--markers-source-id", "a'b"], "--markers-source-id: bad value \"a'b\""),
    (["--manifest", "/nonexistent/manifest.tsv"], "--manifest: /nonexistent/manifest.tsv: "
                                                  "no such file"),
    (["--seed", "-1"], "argument --seed: bad value '-1'; allowed: a whole number"),
    (["--stop-after-s", "nan"], "argument --stop-after-s: bad value 'nan'"),
])
def test_device_bad_options(args, message):
    out = subprocess.run([*DEVICE, *args, "--duration-s", "1"], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert message in out.stderr
