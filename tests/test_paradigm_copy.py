"""A new paradigm is one folder: a copy of an existing paradigm's folder under a new name,
and a config naming it, validates, runs in a real window with the simulated participant and
simulates a cohort, with no other file touched."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def icb(*args, cwd):
    return subprocess.run([PY, "-m", "icb.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.mark.display
def test_copied_folder_is_a_new_paradigm(tmp_path):
    name = f"ratingcopy{os.getpid()}"
    folder = REPO / "tasks" / "paradigms" / name
    shutil.copytree(REPO / "tasks" / "paradigms" / "rating", folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    try:
        config = tmp_path / "copy.yaml"
        config.write_text(f"include: {REPO / 'tests' / 'configs' / 'rating_fast.yaml'}\n"
                          f"paradigm: {name}\n")
        # the demo config says `paradigm: rating` through its include; this file overrides it
        out = icb("validate", config, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert f"paradigm {name}" in out.stdout
        out = icb("simulate", config, "--participants", 2, "--data-dir", tmp_path / "d",
                  cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        files = sorted((tmp_path / "d").rglob(f"*_task-{name}_run-1_events.tsv"))
        assert len(files) == 4  # 2 participants x pre, post
        with open(files[0], newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        assert rows and {"rating", "scale", "dropped_frames"} <= set(rows[0])
        sidecar = files[0].with_suffix(".json").read_text()
        assert f'"Paradigm": "{name}"' in sidecar
        out = icb("run", config, "--participant", "01", "--session", "pre", "--windowed",
                  "--simulate", "--data-dir", tmp_path / "w", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        window_run = next((tmp_path / "w").rglob(f"*_task-{name}_run-1_events.json"))
        assert '"Status": "completed"' in window_run.read_text()
        assert '"Engine": "psychopy"' in window_run.read_text()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_label_gives_a_second_use_of_a_paradigm(tmp_path):
    config = tmp_path / "second.yaml"
    config.write_text(f"include: {REPO / 'configs' / 'demo' / 'dotprobe.yaml'}\n"
                      "label: seconddotprobe\n")
    out = icb("simulate", config, "--participants", 1, "--data-dir", tmp_path / "d",
              cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    files = sorted((tmp_path / "d").rglob("*_task-seconddotprobe_run-1_events.json"))
    assert len(files) == 2
    text = files[0].read_text()
    assert '"Paradigm": "dotprobe"' in text and '"TaskName": "seconddotprobe"' in text
