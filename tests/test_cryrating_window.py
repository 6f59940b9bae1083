"""Cry rating in a real window with sound: PTB audio on the JACK dummy driver (headless),
each sound's onset scheduled on a flip and reported by the backend; every sound gets an
onset, and the scales are answered through real key events."""

import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from engine_parity import assert_engine_parity

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "tests" / "configs" / "cryrating_fast.yaml"  # the demo task at test speed

SPEC = "noise_sd=0"

pytestmark = [pytest.mark.display, pytest.mark.sound]


def test_every_sound_has_a_reported_onset(tmp_path, display, jack_server, record_property):
    out = subprocess.run([sys.executable, "-m", "icb.cli", "run", str(DEMO), "--participant",
                          "01", "--session", "pre", "--windowed", "--simulate", SPEC,
                          "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    tsv = tmp_path / "sub-01" / "ses-pre" / "beh" / "sub-01_ses-pre_task-cryrating_run-1_events.tsv"
    prov = json.loads(tsv.with_suffix(".json").read_text())["Provenance"]
    assert prov["Status"] == "completed"
    assert prov["Audio"]["Backend"] == "ptb"
    assert prov["Audio"]["Library"] == "psychopy.sound.backend_ptb"
    assert prov["Audio"]["HostAPI"] == "JACK Audio Connection Kit"
    with open(tsv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    sounds = {}
    for r in rows:
        sounds.setdefault((r["stim_id"], r["audio_onset_requested_s"]), r)
    # aversive after every sound, respond (infants only) after the cries only
    assert len(sounds) == 1 + 4
    assert len(rows) == sum(1 + (r["category"] == "infant") for r in sounds.values())
    assert {r["scale"] for r in rows if r["category"] != "infant"} == {"aversive"}
    assert all(r["audio_onset_reported_s"] != "n/a" for r in rows)
    errors = [float(r["audio_onset_error_ms"]) for r in sounds.values()]
    record_property("audio_onset_error_ms", errors)
    print(f"audio onset errors (ms): median {statistics.median(errors):.4f}, "
          f"max |e| {max(abs(e) for e in errors):.4f}")
    assert max(abs(e) for e in errors) < 2.0, errors
    # the sound starts after the listening screen's first flip and before the first scale
    for r in rows:
        assert float(r["audio_onset_requested_s"]) < float(r["onset"])
    assert all(r["rating"] != "n/a" for r in rows)
    # the same run through the data engine records the same rows (apart from time stamps)
    assert assert_engine_parity(DEMO, tsv, tsv.with_suffix(".json"), SPEC,
                                tmp_path / "twin") == len(rows)
