"""A new user's path: `icb simulate` a cohort, `icb score` it, `icb report` it; the planted
dot-probe effects come back within their standard errors (computed here, per group)."""

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ICB = [sys.executable, "-m", "icb.cli"]


def icb(*args):
    out = subprocess.run([*ICB, *map(str, args)], capture_output=True, text=True, cwd=REPO,
                         timeout=900)
    assert out.returncode == 0, out.stderr
    return out


def rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    data, scores = root / "data", root / "scores"
    icb("simulate", REPO / "configs" / "dotprobe.yaml", "--participants", "40", "--data-dir",
        data, "--seed", "7", "--effect", "bias_ms=30", "--effect", "more_change_ms=20",
        "--effect", "control_change_ms=0")
    scoring = root / "scoring.yaml"
    # no relative outlier step: the trimming of slow (more often incongruent) trials would
    # shrink the bias itself; the planted values are then the expected values
    scoring.write_text("dotprobe: {outlier_method: none}\nreliability: {n_splits: 500}\n")
    icb("score", data, "--out", scores, "--include-simulated", "--scoring", scoring)
    return data, scores


def test_planted_change_recovered_per_group(scored):
    _, scores = scored
    change = [r for r in rows(scores / "change.tsv")
              if r["task"] == "dotprobe" and r["measure"] == "bias_ms"]
    planted = {"MORE": 20.0, "control": 0.0}
    assert {r["group"] for r in change} == {"MORE", "control", "all"}
    for r in change:
        if r["group"] == "all":
            continue
        n, mean, sd = int(r["n"]), float(r["mean_change"]), float(r["sd_change"])
        se = sd / math.sqrt(n)
        assert n == 20
        assert abs(mean - planted[r["group"]]) < 3 * se, (r["condition"], r["group"], mean, se)
    # pooled over the four conditions the estimate is four times as precise
    for group, value in planted.items():
        means = [float(r["mean_change"]) for r in change if r["group"] == group]
        ses = [float(r["sd_change"]) / math.sqrt(int(r["n"])) for r in change
               if r["group"] == group]
        pooled_se = math.sqrt(sum(s * s for s in ses)) / len(ses)
        assert abs(sum(means) / len(means) - value) < 3 * pooled_se


def test_planted_pre_bias_recovered(scored):
    _, scores = scored
    per_person = {}
    for r in rows(scores / "scores.tsv"):
        if r["task"] == "dotprobe" and r["session"] == "pre" and r["measure"] == "bias_ms" \
                and r["value"] != "n/a":
            per_person.setdefault(r["participant_id"], []).append(float(r["value"]))
    assert len(per_person) == 40 and all(len(v) == 4 for v in per_person.values())
    # a person's four conditions share the person's planted bias: average them first, so
    # that the standard error is taken over independent units (participants)
    means = [sum(v) / len(v) for v in per_person.values()]
    n = len(means)
    mean = sum(means) / n
    sd = math.sqrt(sum((m - mean) ** 2 for m in means) / (n - 1))
    assert abs(mean - 30.0) < 3 * sd / math.sqrt(n), (mean, sd)


def test_report_is_written_and_self_contained(scored, tmp_path):
    _, scores = scored
    report = tmp_path / "report.html"
    icb("report", scores, "--out", report)
    html = report.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "<script src=" not in html and "<link " not in html  # no external assets
    for heading in ("Attentional bias", "reliability", "Change", "Methods"):
        assert heading.lower() in html.lower()
