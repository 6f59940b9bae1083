"""A damaged or hostile data root: every entry that looks like an events file is scored or
listed with its reason, one bad file never stops the rest, and `icb report` on a damaged
score folder is one line and exit 2."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from analysis import io, score, settings
from analysis_data import dotprobe_rows, write_run
from icb.cli import main


def dp_root(tmp: Path, n: int = 4) -> Path:
    root = tmp / "data"
    rng = np.random.default_rng(4)
    for i in range(n):
        write_run(root, f"{i + 1}", "pre", "dotprobe",
                  dotprobe_rows(rng, bias_ms={}, n_per_cell=24))
    return root


def scored(root: Path, tmp: Path) -> Path:
    s = settings.defaults()
    s["reliability"]["n_splits"] = 20
    out = tmp / "out"
    out.mkdir()
    score.score(root, out, settings=s, show_progress=False)
    return out


def reasons(out: Path) -> list[str]:
    return list(io.read_score_tsv(out / "exclusions.tsv", dtype={"reason": str})["reason"])


def test_links_fifos_and_folders_are_listed_never_dropped_silently(tmp_path):
    root = dp_root(tmp_path)
    outside = tmp_path / "elsewhere"
    shutil.move(str(root / "sub-4"), outside)
    os.symlink(outside, root / "sub-4")  # a symlinked participant folder
    beh = root / "sub-1" / "ses-pre" / "beh"
    os.symlink(beh / "nowhere_events.tsv", beh / "sub-1_ses-pre_task-dotprobe_run-7_events.tsv")
    os.symlink("loop_events.tsv", beh / "loop_events.tsv")  # a link to itself
    os.mkfifo(beh / "sub-1_ses-pre_task-dotprobe_run-8_events.tsv")
    (beh / "sub-1_ses-pre_task-dotprobe_run-9_events.tsv").mkdir()
    out = scored(root, tmp_path)
    listed = reasons(out)
    expect = {"sub-4": "a symbolic link to a folder: not followed",
              "run-7_events.tsv": "a symbolic link: not followed",
              "loop_events.tsv": "a symbolic link: not followed",
              "run-8_events.tsv": "not a regular file (a FIFO",
              "run-9_events.tsv": "a folder, not an events file"}
    for name, why in expect.items():
        assert any(name in r and why in r for r in listed), (name, listed)
    scores = io.read_score_tsv(out / "scores.tsv", dtype={"participant_id": str})
    assert set(scores["participant_id"]) == {"sub-1", "sub-2", "sub-3"}  # the rest scored


def test_a_lab_column_named_like_the_scorers_own_is_kept_renamed(tmp_path):
    root = dp_root(tmp_path, n=3)
    path = next(root.rglob("sub-1_*_events.tsv"))
    lines = path.read_text().splitlines()
    lines = [lines[0] + "\trun\tparticipant_id\t_file"] + [
        line + "\t99\tsomeone\tx" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")
    out = scored(root, tmp_path)
    trials = io.read_score_tsv(out / "trials.tsv", dtype={"participant_id": str})
    one = trials[trials["participant_id"] == "sub-1"]
    assert len(one) == len(lines) - 1 and set(one["run"]) == {1}  # not the lab's 99
    assert set(one["file_run"]) == {99} and set(one["file_participant_id"]) == {"someone"}
    prov = json.loads((out / "provenance.json").read_text())
    assert any("column 'run' is a name the scorer uses itself; kept as 'file_run'" in w
               for w in prov["Warnings"])


def test_a_sidecar_nested_100000_deep_is_a_warning_and_the_run_is_scored(tmp_path):
    root = dp_root(tmp_path, n=3)
    sidecar = next(root.rglob("sub-2_*_events.json"))
    sidecar.write_text("[" * 100_000)
    out = scored(root, tmp_path)
    prov = json.loads((out / "provenance.json").read_text())
    assert any("sidecar unreadable (nested too deep)" in w for w in prov["Warnings"])
    scores = io.read_score_tsv(out / "scores.tsv", dtype={"participant_id": str})
    assert "sub-2" in set(scores["participant_id"])


def test_report_on_a_truncated_or_empty_provenance_is_exit_2(tmp_path, capsys):
    root = dp_root(tmp_path, n=3)
    out = scored(root, tmp_path)
    text = (out / "provenance.json").read_text()
    for damaged in (text[: len(text) // 2], ""):
        (out / "provenance.json").write_text(damaged)
        assert main(["report", str(out), "--out", str(tmp_path / "r.html")]) == 2
        err = capsys.readouterr().err
        assert "provenance.json: not a provenance.json written by icb score" in err
        assert "Traceback" not in err and not (tmp_path / "r.html").exists()
