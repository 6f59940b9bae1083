"""A data root the battery wrote is a valid BIDS dataset (bids-validator 1.x, offline)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VALIDATOR = REPO / ".venv" / "bids-validator" / "node_modules" / ".bin" / "bids-validator"
ICB = [sys.executable, "-m", "icb.cli"]
TASK_CONFIGS = ["dotprobe", "opioid_dotprobe", "rating", "keypress", "cryrating"]


def _validator():
    if not VALIDATOR.exists():
        pytest.fail(f"{VALIDATOR} missing: run `make bootstrap` (installs bids-validator)",
                    pytrace=False)
    return VALIDATOR


def validate(root: Path) -> dict:
    out = subprocess.run([str(_validator()), str(root), "--json", "--ignoreNiftiHeaders"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NODE_NO_WARNINGS": "1"})
    start = out.stdout.find("{")
    assert start >= 0, out.stdout + out.stderr
    return json.loads(out.stdout[start:])


def test_battery_data_root_is_valid_bids(tmp_path):
    """Every shipped full-length config, simulated (the same runner and writer as `icb run`);
    a root written in a real window (sidecars with StimulusPresentation, sessions.tsv, the
    station check) is validated by tests/test_battery_window.py."""
    data = tmp_path / "data"
    configs = [REPO / "configs" / f"{name}.yaml" for name in TASK_CONFIGS]
    configs = [c for c in configs if c.exists()]
    for config in configs:
        out = subprocess.run([*ICB, "simulate", config, "--participants", "2",
                              "--data-dir", data], capture_output=True, text=True, cwd=REPO,
                             timeout=300)
        assert out.returncode == 0, out.stderr
    report = validate(data)
    errors = report["issues"]["errors"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]
    warnings = {w["key"] for w in report["issues"]["warnings"]}
    assert "CUSTOM_COLUMN_WITHOUT_DESCRIPTION" not in warnings
    summary = report["summary"]
    assert set(summary["subjects"]) == {"001", "002"}
    assert set(summary["sessions"]) == {"pre", "post"}
    assert "events" in summary["dataTypes"]


def test_validator_catches_a_broken_events_file(tmp_path):
    """The check above can fail: a file without onset/duration first is an error."""
    data = tmp_path / "data"
    out = subprocess.run([*ICB, "simulate", REPO / "configs" / "dotprobe.yaml",
                          "--participants", "1", "--data-dir", data], capture_output=True,
                         text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    tsv = next(data.rglob("*_events.tsv"))
    lines = tsv.read_text().splitlines()
    swapped = ["\t".join(reversed(line.split("\t"))) for line in lines]
    tsv.write_text("\n".join(swapped) + "\n")
    assert validate(data)["issues"]["errors"], "the validator should reject the swapped file"
