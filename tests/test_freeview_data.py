"""Free viewing without a window: the trial list's balance (property-tested), the sampled
scanpath, the BIDS gaze files a run writes, SIGKILL at random moments (every gzip whole,
samples for every events row), and configs that cannot record gaze refused (exit 2)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icb.cli import main
from tasks.core.gaze import Fixation, GazeSpec, Scanpath, drift_check_time_ms, sample_scanpath
from tasks.paradigms.freeview.design import LAYOUT_PLACES, build_design

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "configs" / "demo" / "freeview.yaml"
PY = sys.executable


def pools(n: int) -> dict[str, list[str]]:
    return {cell: [f"{cell}{i}" for i in range(n)]
            for cell in ("infant_neutral", "adult_neutral", "infant_distress", "object_neutral")}


@settings(max_examples=60, deadline=None)
@given(layout=st.sampled_from(sorted(LAYOUT_PLACES)), pairs=st.integers(1, 15),
       n_blocks=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       n_types=st.integers(1, 2))
def test_every_place_holds_the_target_half_the_time(layout, pairs, n_blocks, seed, n_types):
    types = ["infant_neutral-adult_neutral", "infant_distress-infant_neutral"][:n_types]
    params = {"layout": layout, "image_offset_deg": 6.5, "grid_cell_deg": 5.0,
              "n_trials": 2 * pairs * n_types, "n_blocks": min(n_blocks, 2 * pairs * n_types),
              "practice_trials": 1,
              "practice_category": "object_neutral", "trial_types": types,
              "iti_min_ms": 500, "iti_max_ms": 1000}
    trials = build_design(params, pools(8), np.random.default_rng(seed))
    test = [t for t in trials if t.phase == "test"]
    assert len(test) == params["n_trials"]
    blocks = Counter(t.block for t in test)  # 1..n_blocks, sizes differing by at most one
    assert sorted(blocks) == list(range(1, params["n_blocks"] + 1))
    assert max(blocks.values()) - min(blocks.values()) <= 1
    n_places = len(LAYOUT_PLACES[layout])
    for trial_type in types:
        of_type = [t for t in test if t.trial_type == trial_type]
        target = trial_type.split("-")[0]
        counts = Counter(p.aoi for t in of_type for p in t.places if p.cell == target)
        assert set(counts.values()) == {len(of_type) // 2} and len(counts) == n_places
    for t in test:
        ids = [p.stim_id for p in t.places]
        assert len(ids) == len(set(ids)) == n_places  # no picture twice in one display
        assert sum(p.cell == t.target for p in t.places) == n_places // 2
    assert all(500 <= t.iti_ms <= 1000 for t in trials)


def test_pictures_are_dealt_evenly():
    params = {"layout": "pair", "image_offset_deg": 6.5, "grid_cell_deg": 5.0, "n_trials": 48,
              "n_blocks": 3, "practice_trials": 0, "practice_category": "object_neutral",
              "trial_types": ["infant_neutral-adult_neutral"], "iti_min_ms": 500,
              "iti_max_ms": 500}
    trials = build_design(params, pools(6), np.random.default_rng(3))
    shown = Counter(p.stim_id for t in trials for p in t.places)
    assert set(shown.values()) == {8}  # 48 displays x 1 per side / 6 pictures


def test_scanpath_sampling_and_drift_check():
    path = Scanpath((4.0, 0.0), 200.0, (Fixation(100, 600, -6.5, 0.0), Fixation(640, 1000, 6.5,
                                                                                 1.0)),
                    blinks=((700, 800),), saccade_ms=40.0)
    assert drift_check_time_ms(path, GazeSpec(1.5, 300, 3000)) == 500.0
    assert drift_check_time_ms(path, GazeSpec(1.5, 300, 400)) is None  # time-out first
    s = sample_scanpath(path, fixation_on_s=1.0, display_on_s=1.5, end_s=2.5, rate_hz=100,
                        px_per_deg=10.0)
    assert len(s) == 150 and np.allclose(np.diff(s[:, 0]), 0.01)
    assert s[0, 1] == 40.0 and s[30, 1] == 0.0  # on the cross after 200 ms
    at = {round(t, 2): (x, y) for t, x, y, _ in s}
    assert at[1.8] == (-65.0, 0.0) and at[2.2][0] != at[2.2][0]  # a blink: no gaze
    assert at[2.4] == (65.0, 10.0)
    assert at[2.12][0] == pytest.approx(-65.0 + 0.5 * 130.0)  # halfway through the saccade


def test_simulated_run_writes_bids_gaze_files(tmp_path):
    assert main(["simulate", str(DEMO), "--participants", "1", "--data-dir",
                 str(tmp_path)]) == 0
    beh = tmp_path / "sub-001" / "ses-pre" / "beh"
    stem = "sub-001_ses-pre_task-freeview_run-1"
    sidecar = json.loads((beh / f"{stem}_events.json").read_text())
    physio = json.loads((beh / f"{stem}_recording-eye1_physio.json").read_text())
    assert physio["Columns"] == ["timestamp", "x_coordinate", "y_coordinate", "pupil_size"]
    assert physio["PhysioType"] == "eyetrack" and physio["SamplingFrequency"] == 60.0
    assert {"ScreenDistance", "ScreenOrigin", "ScreenResolution", "ScreenSize"} <= set(
        sidecar["StimulusPresentation"])
    aois = sidecar["Provenance"]["AOIs"]
    assert [a["name"] for a in aois] == ["left", "right"] and aois[0]["x"] < 0 < aois[1]["x"]
    with open(beh / f"{stem}_events.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    with gzip.open(beh / f"{stem}_recording-eye1_physio.tsv.gz", "rt") as fh:
        times = np.array([float(line.split("\t")[0]) for line in fh])
    assert len(rows) == 9 and rows[0]["stim_r1c1"] == "n/a"
    for row in rows:
        onset, duration = float(row["onset"]), float(row["duration"])
        n = np.sum((times >= onset) & (times < onset + duration))
        assert abs(n - duration * 60) <= 1


def test_a_station_without_an_eye_tracker_is_refused_before_a_window(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"include: {DEMO}\nstation: {{eye_tracker: none}}\n")
    assert main(["validate", str(cfg)]) == 2
    assert "station.eye_tracker: none; the freeview paradigm records gaze; allowed: " \
           "mousegaze" in capsys.readouterr().err
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    out = subprocess.run([PY, "-m", "icb.cli", "run", str(cfg), "--participant", "01",
                          "--session", "pre", "--data-dir", str(tmp_path / "d")], env=env,
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 2 and "station.eye_tracker" in out.stderr, out.stderr
    assert not (tmp_path / "d").exists()
    cfg.write_text(f"include: {DEMO}\nstation: {{eye_tracker: eyelink}}\n")
    assert main(["validate", str(cfg)]) == 2
    assert "pip install '.[eyelink]'" in capsys.readouterr().err


def test_grid4x4_needs_more_pictures_than_one_default_set(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"include: {DEMO}\nparams: {{layout: grid4x4}}\n")
    assert main(["validate", str(cfg)]) == 2
    assert "grid4x4 shows 8 pictures of adult_neutral at once; stimulus set A has 6" in \
        capsys.readouterr().err
    cfg.write_text(f"include: {DEMO}\nparams: {{layout: grid4x4, stimulus_set: all}}\n")
    assert main(["validate", str(cfg)]) == 0


# -- SIGKILL at random moments -----------------------------------------------------------------

HARNESS = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from tasks.config import load_task_config
    from tasks.core.data_engine import DataEngine
    from tasks.core.paradigm import load
    from tasks.core.runner import RunRequest, run_one

    class SlowEngine(DataEngine):  # a few ms per trial: a kill can land anywhere
        def view(self, *args, **kwargs):
            time.sleep(float(sys.argv[3]))
            return super().view(*args, **kwargs)

    engine = SlowEngine(60.0)
    engine.open()
    config = load_task_config(Path(sys.argv[1]))
    print("started", flush=True)
    run_one(config, engine, RunRequest("k" + sys.argv[4], "pre", Path(sys.argv[2])),
            responder=load("freeview").responder("", config), log=lambda m: None)
""")


def whole_members(path: Path) -> tuple[bytes, int]:
    """Every gzip member's data and how many members; raises on a damaged one."""
    data, n, raw = b"", 0, path.read_bytes()
    while raw:
        d = zlib.decompressobj(wbits=31)
        data += d.decompress(raw)
        if not d.eof:
            raise AssertionError(f"{path}: member {n + 1} is cut short")
        raw, n = d.unused_data, n + 1
    return data, n


def test_sigkill_leaves_whole_gzip_and_samples_for_every_row(tmp_path):
    cfg = tmp_path / "fv.yaml"  # 40 short trials: a kill lands mid-run
    cfg.write_text(f"include: {DEMO}\nparams: {{n_trials: 40, view_ms: 1000}}\n")
    rng = random.Random(20261206)
    rows_kept = []
    for k in range(6):
        root = tmp_path / f"r{k}"
        proc = subprocess.Popen([PY, "-c", HARNESS, str(cfg), str(root), "0.02", str(k)],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        assert proc.stdout.readline().strip() == "started", proc.stderr.read()
        time.sleep(rng.uniform(0.05, 0.7))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        beh = root / f"sub-k{k}" / "ses-pre" / "beh"
        tsv = next(beh.glob("*_events.tsv"), None) if beh.is_dir() else None
        if tsv is None:
            rows_kept.append(0)
            continue
        text = tsv.read_text()
        assert text == "" or text.endswith("\n")
        rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
        physio = beh / tsv.name.replace("_events.tsv", "_recording-eye1_physio.tsv.gz")
        if not physio.exists():  # killed between the events file and the recording
            assert rows == [], k
            rows_kept.append(0)
            continue
        samples, n_members = whole_members(physio)
        whole_members(beh / tsv.name.replace("_events.tsv",
                                             "_recording-eye1_physioevents.tsv.gz"))
        times = np.array([float(line.split("\t")[0]) for line in samples.decode().splitlines()])
        assert n_members >= len(rows)  # one member per finished trial, maybe one more
        for row in rows:
            onset, duration = float(row["onset"]), float(row["duration"])
            assert np.sum((times >= onset) & (times < onset + duration)) >= 0.99 * duration * 60
        rows_kept.append(len(rows))
    assert sum(1 for n in rows_kept if 0 < n < 41) >= 3, rows_kept  # kills landed mid-run
