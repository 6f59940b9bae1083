"""A data root the battery wrote is a valid BIDS dataset: the schema-based BIDS validator
(PyPI bids-validator-deno, BIDS 1.11; setup.cfg's test extra), offline, every TSV row."""

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import bids_validate

REPO = Path(__file__).resolve().parent.parent
ICB = [sys.executable, "-m", "icb.cli"]
TASK_CONFIGS = ["dotprobe", "opioid_dotprobe", "rating", "keypress", "cryrating"]


def test_battery_data_root_is_valid_bids(tmp_path):
    """Every shipped full-length config, simulated (the same runner and writer as `icb run`);
    a root written in a real window (sidecars with StimulusPresentation, sessions.tsv, the
    station check) is validated by tests/test_battery_window.py.  Warnings are allowed (the
    assertion message lists them), errors are not."""
    data = tmp_path / "data"
    configs = [REPO / "configs" / f"{name}.yaml" for name in TASK_CONFIGS]
    configs = [c for c in configs if c.exists()]
    assert configs
    for config in configs:
        out = subprocess.run([*ICB, "simulate", config, "--participants", "2",
                              "--data-dir", data], capture_output=True, text=True, cwd=REPO,
                             timeout=300)
        assert out.returncode == 0, out.stderr
    report = bids_validate(data)
    assert report.errors == [], report.describe()
    # every column of every events file is described in its sidecar
    assert "TSV_ADDITIONAL_COLUMNS_UNDEFINED" not in report.codes(), report.describe()
    summary = report.summary
    assert set(summary["subjects"]) == {"001", "002"}, report.describe()
    assert set(summary["sessions"]) == {"pre", "post"}, report.describe()
    assert summary["dataTypes"] == ["beh"], report.describe()


def test_freeview_data_root_is_valid_bids(tmp_path):
    """Free viewing adds BIDS eye tracking beside the events (physio + physioevents,
    recording-eye1); the validator checks their columns, sidecars and StimulusPresentation."""
    data = tmp_path / "data"
    out = subprocess.run([*ICB, "simulate", REPO / "configs" / "freeview.yaml",
                          "--participants", "1", "--data-dir", data], capture_output=True,
                         text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    assert list(data.rglob("*_recording-eye1_physio.tsv.gz"))
    report = bids_validate(data)
    assert report.errors == [], report.describe()
    assert "TSV_ADDITIONAL_COLUMNS_UNDEFINED" not in report.codes(), report.describe()


def test_validator_catches_a_broken_events_file(tmp_path):
    """The check above can fail: a file without onset/duration first is an error."""
    data = tmp_path / "data"
    out = subprocess.run([*ICB, "simulate", REPO / "configs" / "dotprobe.yaml",
                          "--participants", "1", "--data-dir", data], capture_output=True,
                         text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    assert bids_validate(data).errors == []
    tsv = next(data.rglob("*_events.tsv"))
    lines = tsv.read_text().splitlines()
    swapped = ["\t".join(reversed(line.split("\t"))) for line in lines]
    tsv.write_text("\n".join(swapped) + "\n")
    report = bids_validate(data)
    assert "TSV_COLUMN_ORDER_INCORRECT" in report.codes("error"), report.describe()
    assert {e["location"] for e in report.errors} == {"/" + str(tsv.relative_to(data))}
