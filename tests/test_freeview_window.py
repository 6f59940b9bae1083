"""Free viewing in a real window: ioHub's MouseGaze tracker reads the X pointer, which the
simulated participant moves with XTEST along its planned scanpath (the gaze travels
ioHub's real path: X server -> RECORD hook in the ioHub process -> MouseGaze samples ->
the engine).  Every trial has its samples, the display onset and its first sample agree
within one sample interval, the planted preference shows in the recorded gaze, and the
rows equal those of the same run through the data engine."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine_parity import assert_engine_parity
from helpers import bids_validate

REPO = Path(__file__).resolve().parent.parent
FAST = REPO / "tests" / "configs" / "freeview_fast.yaml"

pytestmark = pytest.mark.display


def samples_of(path: Path) -> np.ndarray:
    with gzip.open(path, "rt") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh]
    return np.array([[np.nan if v == "n/a" else float(v) for v in row] for row in rows])


def test_gaze_through_iohub_mousegaze(tmp_path, display, record_property):
    spec = "share=0.9,p_no_cross=0,blinks_per_s=0.5,p_elsewhere=0"
    out = subprocess.run([sys.executable, "-m", "icb.cli", "run", str(FAST), "--participant",
                          "01", "--session", "pre", "--windowed", "--simulate", spec,
                          "--data-dir", str(tmp_path / "data")],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    beh = tmp_path / "data" / "sub-01" / "ses-pre" / "beh"
    stem = "sub-01_ses-pre_task-freeview_run-1"
    tsv = beh / f"{stem}_events.tsv"
    prov = json.loads((beh / f"{stem}_events.json").read_text())["Provenance"]
    physio = json.loads((beh / f"{stem}_recording-eye1_physio.json").read_text())
    assert prov["Status"] == "completed"
    assert physio["PhysioType"] == "eyetrack" and physio["ManufacturersModelName"] == \
        "eyetracker.hw.mouse.EyeTracker"
    assert physio["ValidationAccuracyDeg"] is not None and physio["ValidationAccuracyDeg"] < 1.0
    rate = physio["SamplingFrequency"]
    samples = samples_of(beh / f"{stem}_recording-eye1_physio.tsv.gz")
    with open(tsv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) == 5 and {r["drift_check"] for r in rows} == {"ok"}
    aois = {a["name"]: a for a in prov["AOIs"]}
    ratios, lags_ms, target_share = [], [], []
    for row in rows:
        onset, duration = float(row["onset"]), float(row["duration"])
        inside = samples[(samples[:, 0] >= onset) & (samples[:, 0] < onset + duration)]
        ratios.append(len(inside) / (duration * rate))
        lags_ms.append((inside[0, 0] - onset) * 1000.0)
        valid = inside[~np.isnan(inside[:, 1])]
        dwell = {name: int(np.sum((abs(valid[:, 1] - a["x"]) <= a["width"] / 2)
                                  & (abs(valid[:, 2] - a["y"]) <= a["height"] / 2)))
                 for name, a in aois.items()}
        if row["phase"] == "test":
            target = row["trial_type"].split("-")[0]
            on_target = sum(n for name, n in dwell.items() if row[f"category_{name}"] == target)
            target_share.append(on_target / max(1, sum(dwell.values())))
    record_property("samples_per_expected", [round(r, 4) for r in ratios])
    record_property("first_sample_after_onset_ms", [round(v, 2) for v in lags_ms])
    assert min(ratios) >= 0.99, ratios
    assert all(0 <= lag <= 1000.0 / rate for lag in lags_ms), lags_ms
    assert np.isnan(samples[:, 1]).any()  # blinks: both buttons held, MouseGaze has no gaze
    assert np.mean(target_share) > 0.7, target_share  # planted 0.9: the gaze followed the plan
    report = bids_validate(tmp_path / "data")  # BIDS 1.11 eye tracking, one gzip member
    assert report.errors == [], report.describe()
    assert assert_engine_parity(FAST, tsv, beh / f"{stem}_events.json", spec,
                                tmp_path / "twin") == 5
