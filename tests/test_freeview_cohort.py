"""A 40-person simulated cohort with free viewing and a dot-probe (data-only, pre and post,
MORE and control): the planted target preference and the planted MORE change come back
within 3 standard errors, the split-half reliability of dwell_share (realistic
person-level variation) is high, and the report shows it beside the dot-probe's."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from icb.cli import main

REPO = Path(__file__).resolve().parent.parent

PLANTED = {"dwell_share": 0.6, "dwell_share_more_change": 0.08,
           "dwell_share_control_change": 0.0}


def read(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    base = tmp_path_factory.mktemp("fvcohort")
    root = base / "data"
    effects = [f"--effect={k}={v}" for k, v in PLANTED.items()]
    assert main(["simulate", str(REPO / "configs" / "freeview.yaml"), "--participants", "40",
                 "--data-dir", str(root), "--seed", "4", *effects]) == 0
    dotprobe = base / "dotprobe.yaml"  # enough trials per condition for a split-half
    dotprobe.write_text(f"include: {REPO / 'configs' / 'dotprobe.yaml'}\n"
                        "params: {n_blocks: 2, reps_per_block: 3, practice_trials: 2}\n")
    assert main(["simulate", str(dotprobe), "--participants", "40", "--data-dir", str(root),
                 "--seed", "4"]) == 0
    out = base / "scores"
    assert main(["score", str(root), "--out", str(out), "--include-simulated"]) == 0
    assert main(["report", str(out), "--out", str(base / "report.html")]) == 0
    return out, (base / "report.html").read_text(encoding="utf-8")


def test_planted_preference_and_change_come_back(scored):
    out, _ = scored
    scores = [r for r in read(out / "scores.tsv") if r["task"] == "freeview"
              and r["measure"] == "dwell_share" and r["value"] != "n/a"]
    conditions = sorted({r["condition"] for r in scores})
    assert conditions == ["infant_distress-infant_neutral@6000",
                          "infant_neutral-adult_neutral@6000"]
    for condition in conditions:
        pre = np.array([float(r["value"]) for r in scores
                        if r["condition"] == condition and r["session"] == "pre"])
        assert len(pre) == 40
        se = pre.std(ddof=1) / math.sqrt(len(pre))
        assert abs(pre.mean() - PLANTED["dwell_share"]) < 3 * se, (condition, pre.mean(), se)
    change = [r for r in read(out / "change.tsv") if r["measure"] == "dwell_share"]
    for row in change:
        if row["group"] == "all":
            continue
        planted = PLANTED[f"dwell_share_{'more' if row['group'] == 'MORE' else 'control'}_change"]
        se = float(row["sd_change"]) / math.sqrt(int(row["n"]))
        assert int(row["n"]) == 20
        assert abs(float(row["mean_change"]) - planted) < 3 * se, row
    assert {r["group"] for r in change} == {"all", "MORE", "control"}


def test_dwell_share_reliability_beside_the_dot_probe_in_the_report(scored):
    out, html = scored
    rel = read(out / "reliability.tsv")
    dwell = [r for r in rel if r["measure"] == "dwell_share"]
    bias = [r for r in rel if r["measure"] == "bias_ms" and r["sb"] != "n/a"]
    assert len(dwell) == 4 and bias  # 2 conditions x 2 sessions; the dot-probe's too
    assert all(float(r["sb"]) > 0.8 for r in dwell), dwell  # person SD 0.08, 60 displays
    assert max(float(r["sb"]) for r in bias) < min(float(r["sb"]) for r in dwell)
    assert "dwell_share" in html and "bias_ms" in html
    assert "Every reliability estimate" in html
