"""The dot-probe in a real PsychoPy window (Xvfb in CI): simulated participant (and the same
run through the data engine, row for row), keys sent from outside the process with xdotool,
no overwrite.  SIGKILL of real-window runs: tests/test_faults_window.py; the abort chord in a
window: tests/test_battery_window.py."""

import csv
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine_parity import assert_engine_parity
from helpers import n_rows, wait_for
from tasks.config import load_task_config
from tasks.core.data_engine import DataEngine
from tasks.core.paradigm import load as load_paradigm
from tasks.core.runner import RunRequest, run_one

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "configs" / "demo" / "dotprobe.yaml"
# the window tests run the demo dot-probe at test speed (same trial-list shape, 2 practice trials)
FAST = REPO / "tests" / "configs" / "dotprobe_fast.yaml"
ICB = [sys.executable, "-m", "icb.cli"]

pytestmark = pytest.mark.display


def events(data, participant="01", session="pre", run=1, task="dotprobe"):
    stem = f"sub-{participant}_ses-{session}_task-{task}_run-{run}"
    folder = data / f"sub-{participant}" / f"ses-{session}" / "beh"
    return folder / f"{stem}_events.tsv", folder / f"{stem}_events.json"


def read_rows(tsv):
    with open(tsv, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def icb_run(*args, **kw):
    return subprocess.run([*ICB, "run", *map(str, args)], capture_output=True, text=True,
                          timeout=kw.pop("timeout", 300), cwd=REPO, **kw)


def test_simulated_participant_in_real_window(tmp_path, display):
    spec = "bias_ms=0,p_error=0,p_miss=0"
    out = icb_run(FAST, "--participant", "01", "--session", "pre", "--windowed",
                  "--simulate", spec, "--data-dir", tmp_path)
    assert out.returncode == 0, out.stderr
    tsv, sidecar = events(tmp_path)
    rows = read_rows(tsv)
    assert len(rows) == 2 + 16 + 2
    meta = json.loads(sidecar.read_text())
    prov = meta["Provenance"]
    assert prov["Status"] == "completed"
    assert prov["Simulated"]["p_error"] == 0
    assert prov["Keyboard"]["Backend"] in ("ptb", "event")
    frame_ms = 1000.0 / prov["Display"]["FrameRateUsedHz"]
    # what the data record, not how fast this machine is: the achieved cue duration is the
    # planned one within a frame, plus the frames the row says were dropped
    for r in rows:
        error_ms = float(r["cue_duration_actual_ms"]) - float(r["cue_duration_ms"])
        assert -frame_ms <= error_ms <= frame_ms * (1 + int(r["dropped_frames"])), r
    # every response came through the keyboard and is the correct key (no errors planted)
    assert all(r["response"] in ("left", "right") for r in rows)
    assert all(r["correct"] == "1" for r in rows)
    assert all(150 <= float(r["rt_ms"]) <= 3000 for r in rows)
    assert list(rows[0])[:2] == ["onset", "duration"]
    # the same run through the data engine records the same rows (apart from time stamps)
    assert assert_engine_parity(FAST, tsv, sidecar, spec, tmp_path / "twin") == len(rows)


def test_keys_from_xdotool_are_recorded(tmp_path, display, xdotool):
    """Drive a whole run from outside the process with real X key events."""
    plan = subprocess.run([*ICB, "validate", "--plan", FAST, "--participant", "02", "--session",
                           "pre"], capture_output=True, text=True, cwd=REPO, timeout=120)
    lines = [line.split("\t") for line in plan.stdout.splitlines() if "\t" in line]
    trials = [dict(zip(lines[0], v)) for v in lines[1:]]
    fixation_ms = load_task_config(FAST).params["fixation_ms"]
    proc = subprocess.Popen([*ICB, "run", str(FAST), "--participant", "02", "--session", "pre",
                             "--windowed", "--data-dir", str(tmp_path)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tsv, sidecar = events(tmp_path, participant="02")
    messages = []  # the run says on stderr when a message screen is up
    stderr_lines = []

    def read_stderr():
        for line in proc.stderr:
            stderr_lines.append(line)
            if "message on screen" in line:
                messages.append(line)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    sent = []
    try:
        wait_for(lambda: len(messages) >= 1, 60)
        xdotool("key", "space")  # instructions
        n_practice = sum(t["phase"] == "practice" for t in trials)
        for i, trial in enumerate(trials):
            wait_for(lambda: n_rows(tsv) >= i, 30)
            if i == n_practice:
                wait_for(lambda: len(messages) >= 2, 30)
                xdotool("key", "space")  # "now the real task begins"
            # wrong key on every fifth trial, to see that what is sent is what is recorded
            key = trial["correct_key"]
            if i % 5 == 4:
                key = "Left" if key == "right" else "Right"
            else:
                key = key.capitalize()
            time.sleep((fixation_ms + float(trial["cue_duration_ms"]) + 250) / 1000.0)
            xdotool("key", key)
            sent.append(key.lower())
        wait_for(lambda: len(messages) >= 3, 30)
        xdotool("key", "space")  # the end screen
        proc.wait(timeout=60)
    except TimeoutError:
        proc.kill()
        reader.join(5)
        raise AssertionError(f"run stalled after {n_rows(tsv)} rows; sent {sent}; "
                             f"stderr: {''.join(stderr_lines)}") from None
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(5)
    assert proc.returncode == 0, "".join(stderr_lines)
    rows = read_rows(tsv)
    assert [r["response"] for r in rows] == sent
    assert [r["correct"] for r in rows] == ["0" if i % 5 == 4 else "1" for i in range(len(rows))]
    assert all(100 <= float(r["rt_ms"]) <= 1500 for r in rows)


def test_second_run_refused_then_rerun_takes_next_number(tmp_path, display):
    """Run 1 through the data engine (the same runner); `icb run` then refuses to write it
    again (exit 2, the file untouched) and `--rerun` records run 2 in the window."""
    args = (FAST, "--participant", "05", "--session", "pre", "--windowed", "--simulate",
            "--data-dir", tmp_path)
    config = load_task_config(FAST)
    engine = DataEngine()
    engine.open()
    run_one(config, engine, RunRequest("05", "pre", tmp_path), log=lambda msg: None,
            responder=load_paradigm("dotprobe").responder("", config))
    before = events(tmp_path, participant="05")[0].read_bytes()
    again = icb_run(*args)
    assert again.returncode == 2
    assert "already exists; nothing was overwritten" in again.stderr
    assert "Traceback" not in again.stderr
    # refused before the window: the same answer on a station with no display at all
    no_display = icb_run(*args, env={k: v for k, v in os.environ.items() if k != "DISPLAY"})
    assert no_display.returncode == 2 and "already exists" in no_display.stderr, \
        no_display.stderr
    assert events(tmp_path, participant="05")[0].read_bytes() == before
    rerun = icb_run(*args, "--rerun")
    assert rerun.returncode == 0, rerun.stderr
    assert events(tmp_path, participant="05", run=2)[0].exists()
    assert events(tmp_path, participant="05")[0].read_bytes() == before


@pytest.mark.parametrize("label", ["../x", "a b", "", "P_01", "../../etc"])
def test_bad_participant_label_refused_before_anything_opens(tmp_path, label):
    out = icb_run(DEMO, "--participant", label, "--session", "pre", "--data-dir", tmp_path,
                  timeout=60)
    assert out.returncode == 2
    assert "--participant" in out.stderr and "letters and digits only" in out.stderr
    assert list(tmp_path.iterdir()) == []
