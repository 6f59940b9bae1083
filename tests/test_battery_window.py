"""The demo battery in a real window (Xvfb in CI) with the simulated participant: a whole
session of five tasks (the infant and the opioid-cue dot-probe among them) in one window;
the abort chord; the experimenter dialog filled through real X events (xdotool).  Crash,
resume, abort confirmation and counterbalancing logic: tests/test_battery_data.py (data
engine); SIGKILL of real-window runs: tests/test_faults_window.py."""

import csv
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from helpers import bids_validate, n_rows, wait_for

REPO = Path(__file__).resolve().parent.parent
PRE = REPO / "tests" / "configs" / "battery_fast.yaml"  # the demo battery at test speed
ICB = [sys.executable, "-m", "icb.cli"]
TASKS = {"dotprobe", "opioiddotprobe", "rating", "keypress", "cryrating"}

pytestmark = pytest.mark.display


def read_tsv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def beh(data, participant):
    return data / f"sub-{participant}" / "ses-pre" / "beh"


def sidecar(data, participant, task, run):
    name = f"sub-{participant}_ses-pre_task-{task}_run-{run}_events.json"
    return json.loads((beh(data, participant) / name).read_text())["Provenance"]


def battery_cmd(data, participant, *extra):
    return [*ICB, "run", str(PRE), "--participant", participant, "--session", "pre",
            "--windowed", "--simulate", "--data-dir", str(data), *extra]


def score(data, out):
    """What the analysis reads: `icb score --include-simulated` (runs.tsv, trials.tsv)."""
    done = subprocess.run([*ICB, "score", str(data), "--out", str(out), "--include-simulated"],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    return read_tsv(out / "runs.tsv"), read_tsv(out / "trials.tsv"), \
        read_tsv(out / "exclusions.tsv")


def session_row(data, participant):
    rows = [r for r in read_tsv(data / "sessions.tsv") if r["participant_id"] ==
            f"sub-{participant}"]
    assert len(rows) == 1
    return rows[0]


def test_whole_demo_battery_then_nothing_left(tmp_path):
    data = tmp_path / "data"
    subprocess.run([*ICB, "check", "--windowed", "--seconds", "1", "--data-dir", str(data)],
                   cwd=REPO, capture_output=True, timeout=300, check=True)
    out = subprocess.run(battery_cmd(data, "02"), capture_output=True, text=True, cwd=REPO,
                         timeout=900)
    assert out.returncode == 0, out.stderr
    row = session_row(data, "02")
    order = row["task_order"].split(",")
    assert set(order) == TASKS and row["status"] == "completed"
    assert row["stimulus_set"] == "A" and row["order_row"] == "2" and row["group"] == "n/a"
    for position, task in enumerate(order, start=1):
        prov = sidecar(data, "02", task, 1)
        assert prov["Status"] == "completed" and prov["Resumed"] is False
        assert prov["Battery"]["Position"] == position
        assert prov["Battery"]["task_order"] == row["task_order"]
        assert prov["StationCheck"]["File"].startswith("station_check-")
        rows = read_tsv(beh(data, "02") / f"sub-02_ses-pre_task-{task}_run-1_events.tsv")
        assert 0 <= float(rows[0]["onset"]) < 120  # onsets count from this task's start
        if prov.get("StimulusSet"):
            assert prov["StimulusSet"] == "A"
    runs, trials, _ = score(data, tmp_path / "scores")
    assert Counter(r["task"] for r in runs if r["scored"] == "1") == {t: 1 for t in TASKS}
    # sessions.tsv, the station check and the lock file keep the root valid BIDS
    report = bids_validate(data)
    assert report.errors == [], report.describe()
    again = subprocess.run(battery_cmd(data, "02"), capture_output=True, text=True, cwd=REPO,
                           timeout=300)
    assert again.returncode == 0 and "nothing to run" in again.stderr, again.stderr
    assert len(list(beh(data, "02").glob("*_events.tsv"))) == len(TASKS)


def test_abort_chord_not_bare_escape(tmp_path, xdotool):
    data = tmp_path / "data"
    proc = subprocess.Popen(battery_cmd(data, "04"), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        order = wait_for(lambda: (data / "sessions.tsv").exists() and
                         session_row(data, "04")["task_order"].split(","), 120)
        tsv = beh(data, "04") / f"sub-04_ses-pre_task-{order[0]}_run-1_events.tsv"
        wait_for(lambda: n_rows(tsv) >= 1, 120)
        xdotool("key", "Escape")  # a participant's accident: ignored
        before = n_rows(tsv)
        wait_for(lambda: n_rows(tsv) >= before + 1, 120)
        xdotool("keydown", "ctrl+shift")
        time.sleep(0.1)
        xdotool("key", "Escape")
        time.sleep(0.3)
        xdotool("keyup", "ctrl+shift")
        time.sleep(1.0)
        xdotool("key", "y")
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read()
    prov = sidecar(data, "04", order[0], 1)
    assert prov["Status"] == "aborted" and prov["NTrialsWritten"] >= 2
    assert session_row(data, "04")["status"] == "aborted"
    assert not list(beh(data, "04").glob(f"*task-{order[1]}_*"))


def test_dialog_filled_through_x_events(tmp_path, xdotool):
    """No labels: the dialog asks; a bad label is refused in the dialog, then 07/pre/MORE."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err_file:
        proc = subprocess.Popen([*ICB, "run", str(PRE), "--windowed", "--data-dir", str(data)],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=err_file, env=env)
    try:
        def dialog():
            found = xdotool("search", "--name", "icb: new session", check=False)
            return found.stdout.split()[0] if found.returncode == 0 and found.stdout else None
        window = wait_for(dialog, 120)
        time.sleep(0.5)
        xdotool("windowfocus", "--sync", window)
        time.sleep(0.2)
        xdotool("type", "--delay", "40", "P_7")
        xdotool("key", "Return")
        time.sleep(1.0)
        assert dialog() == window and proc.poll() is None  # refused, asked again
        xdotool("key", "ctrl+a")
        xdotool("type", "--delay", "40", "07")
        xdotool("key", "Tab")  # session: the battery's own session (pre) is preselected
        xdotool("key", "Tab")
        xdotool("type", "M")  # group: MORE
        xdotool("key", "Return")
        wait_for(lambda: dialog() is None, 30)
        wait_for(lambda: "confirmation screen" in log.read_text(), 120)
        time.sleep(1.0)
        xdotool("key", "Escape")  # cancel there: nothing is written
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = log.read_text()
    assert proc.returncode == 0, err
    assert "EXPERIMENTER: participant 07, session pre, group MORE" in err
    assert "cancelled at the confirmation screen" in err
    assert not (data / "sessions.tsv").exists() and not (data / "sub-07").exists()
