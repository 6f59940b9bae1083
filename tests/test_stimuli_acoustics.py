"""Every generated cry meets its preset's acoustic targets; controls keep the envelope, lose the pitch."""
from __future__ import annotations

import numpy as np
import pytest

from tasks.stimulus_factory.cries import TARGETS, envelope
from tasks.stimulus_factory.manifest import load_manifest, stimulus_path
from tasks.stimulus_factory.measure import main as measure_main
from tasks.stimulus_factory.measure import measure_samples
from tasks.stimulus_factory.normalise import MAX_PEAK_DBFS, SAMPLE_RATE_HZ, read_wav

MANIFEST = load_manifest()
AUDIO = MANIFEST[MANIFEST["modality"] == "audio"]
CRIES = AUDIO[AUDIO["category"] == "infant"]


def _load(sid):
    x, fs, channels = read_wav(stimulus_path(MANIFEST, sid))
    assert fs == SAMPLE_RATE_HZ and channels == 1
    return x


@pytest.mark.parametrize("sid", list(CRIES["id"]))
def test_cry_within_targets(sid):
    row = CRIES[CRIES["id"] == sid].iloc[0]
    t = TARGETS[row["valence"]]
    m = measure_samples(_load(sid))
    assert t["f0_mean_hz"][0] <= m["f0_mean_hz"] <= t["f0_mean_hz"][1]
    assert m["n_units"] >= 2
    assert t["unit_s"][0] - 0.05 <= m["unit_min_s"] and m["unit_max_s"] <= t["unit_s"][1]
    assert t["hnr_db"][0] <= m["hnr_db"] <= t["hnr_db"][1]
    assert m["peak_dbfs"] <= MAX_PEAK_DBFS
    assert m["ramps_ok"]
    assert 2.5 <= m["duration_s"] <= 5.0


def test_high_distress_is_higher_and_noisier_than_low():
    hi = [measure_samples(_load(s)) for s in CRIES[CRIES["valence"] == "high_distress"]["id"]]
    lo = [measure_samples(_load(s)) for s in CRIES[CRIES["valence"] == "low_distress"]["id"]]
    assert min(m["f0_mean_hz"] for m in hi) > max(m["f0_mean_hz"] for m in lo)
    assert max(m["hnr_db"] for m in hi) < min(m["hnr_db"] for m in lo)


def test_every_sound_has_equal_rms_and_ramps():
    rms = []
    for sid in AUDIO["id"]:
        x = _load(sid)
        rms.append(20 * np.log10(np.sqrt(np.mean(x**2))))
        n = int(0.010 * SAMPLE_RATE_HZ)
        assert np.max(np.abs(x[:n // 20])) <= 0.02 * np.max(np.abs(x))
        assert np.max(np.abs(x[-n // 20:])) <= 0.02 * np.max(np.abs(x))
        assert 20 * np.log10(np.max(np.abs(x))) <= MAX_PEAK_DBFS
    assert max(rms) - min(rms) < 0.05


@pytest.mark.parametrize("cry_id", list(CRIES["id"][:4]))
def test_controls_match_the_envelope_not_the_pitch(cry_id):
    cry = _load(cry_id)
    env = envelope(cry)
    cry_hnr = measure_samples(cry)["hnr_db"]
    for ctrl in AUDIO[(AUDIO["identity"] == cry_id) & (AUDIO["category"] != "infant")].itertuples():
        y = _load(ctrl.id)
        assert y.size == cry.size
        assert np.corrcoef(env, envelope(y))[0, 1] > 0.95
        if ctrl.category == "noise":
            assert measure_samples(y)["hnr_db"] < cry_hnr - 4
        else:  # rotated: the energy moves up the spectrum (f -> 10 kHz - f)
            def centroid(z):
                spec = np.abs(np.fft.rfft(z)) ** 2
                return np.sum(np.fft.rfftfreq(z.size, 1 / SAMPLE_RATE_HZ) * spec) / np.sum(spec)
            assert centroid(y) > centroid(cry) + 2000


def test_measure_command_prints_targets(capsys):
    assert measure_main([]) == 0
    out = capsys.readouterr().out
    assert "cry_hi_A01" in out and "[520-680]" in out and "noi_lo_B04" in out
