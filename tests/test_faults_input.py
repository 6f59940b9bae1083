"""Bad input and hand-edited data, without a window: corrupt configs, hostile participant
labels, spreadsheet formulas in participants.tsv, the events files and the score files, and
fuzzed score inputs (every file scored or listed with a reason; row order does not matter), a
full disk while the score files are written.

The runtime faults (SIGKILL, a full disk, a stimulus deleted mid-way) are in
tests/test_faults.py and tests/test_faults_window.py.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from analysis import score, settings
from analysis_data import dotprobe_rows, make_cohort, write_run
from icb.cli import main

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "configs" / "demo" / "dotprobe.yaml"


# -- corrupt configs ---------------------------------------------------------------------------

CORRUPT = {
    "binary": b"\x00\x01\xff\xfe garbage \x89PNG",
    "not_utf8": "task: dotprobe\nparams:\n  n_blocks: 2\n".encode("utf-16"),
    "truncated": b"include: station.yaml\ntask: dotprobe\nparams:\n  trial_types: [infant_dis",
    "bad_indent": b"task: dotprobe\nparams:\n  n_blocks: 2\n n_reps: 3\n",
    "tabs": b"task: dotprobe\nparams:\n\tn_blocks: 2\n",
    "list_top": b"- task\n- dotprobe\n",
    "empty": b"",
    "wrong_types": b"include: station.yaml\ntask: dotprobe\nparams:\n  n_blocks: many\n"
                   b"  cue_durations_ms: {a: 1}\n",
    "unknown_task": b"include: station.yaml\ntask: dotprob\n",
    "yaml_bomb": b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                 b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n",
}


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_corrupt_config_is_bad_input_naming_the_file(tmp_path, capsys, kind):
    (tmp_path / "station.yaml").write_bytes((REPO / "configs" / "station.yaml").read_bytes()
                                           .replace(b"../", str(REPO).encode() + b"/"))
    bad = tmp_path / f"{kind}.yaml"
    bad.write_bytes(CORRUPT[kind])
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{kind}.yaml" in err and "Traceback" not in err
    data = tmp_path / "data"
    # `icb run` refuses it before PsychoPy is imported or anything is written
    assert main(["run", str(bad), "--participant", "01", "--session", "pre",
                 "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"{kind}.yaml" in err
    assert not data.exists()


def test_config_that_is_a_directory_or_missing(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 2
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml" in err and "Traceback" not in err


# -- hostile labels ----------------------------------------------------------------------------

LABELS = ["../../etc", "../x", "a b", "", " ", "01 ", "sub-01", "01/02", "01\n", "ü1", "-01",
          "01;rm -rf", "=1+1", "." * 3, "/etc/passwd", "01\x00"]


@pytest.mark.parametrize("label", LABELS, ids=range(len(LABELS)))
@pytest.mark.parametrize("option", ["--participant", "--session"])
def test_bad_labels_refused_before_anything_is_written(tmp_path, capsys, label, option):
    data = tmp_path / "deep" / "data"
    labels = {"--participant": "01", "--session": "pre", option: label}
    code = main(["run", str(DEMO), "--data-dir", str(data), "--participant",
                 labels["--participant"], "--session", labels["--session"]])
    err = capsys.readouterr().err
    assert code == 2, (label, err)
    assert option in err and "letters and digits" in err and "Traceback" not in err
    assert not (tmp_path / "deep").exists()
    assert not (tmp_path / "etc").exists()


# -- participants.tsv and score files never carry a live formula ------------------------------

def _cells(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [c for row in csv.reader(fh, delimiter="\t") for c in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _formula_cells(path: Path) -> list[str]:
    return [c for c in _cells(path) if c[:1] in ("=", "+", "-", "@") and not _is_number(c)]


def test_participants_tsv_hand_edited_cells_are_the_labs_and_kept(tmp_path):
    # issue 12: the battery writes only its own cells (participant_id, group: a checked
    # label and a group from the allowed list, never a formula); the lab's cells are kept
    # byte for byte, formulas included (escaping them would rewrite the lab's file)
    from tasks.core import dataset_files
    root = tmp_path / "data"
    root.mkdir()
    lab = ("participant_id\tgroup\tnotes\tsite\n"
           "sub-01\tMORE\t=HYPERLINK(\"http://x\",\"click\")\t@SUM(A1)\n"
           "sub-02\tcontrol\t+cmd|' /C calc'!A0\t-2+3\n")
    (root / "participants.tsv").write_bytes(lab.encode())
    dataset_files.update_participants(root, "03", "control")
    dataset_files.update_participants(root, "01", "MORE")
    text = (root / "participants.tsv").read_bytes().decode()
    assert text == lab + "sub-03\tcontrol\tn/a\tn/a\n"

def test_events_cells_from_the_writer_are_escaped(tmp_path):
    from tasks.core.writer import EventsWriter
    w = EventsWriter.create(tmp_path, participant="01", session="pre", task="dotprobe",
                            provenance={})
    w.append({"stim_left": "=cmd()", "stim_right": "@x", "response": "+1", "trial_type": "-y"})
    w.finish()
    assert _formula_cells(w.tsv_path) == []


def test_score_files_escape_formulas_from_participants_tsv(tmp_path):
    root = tmp_path / "data"
    make_cohort(root, n_per_group=3, tasks=("dotprobe",), seed=5)
    ptsv = pd.read_csv(root / "participants.tsv", sep="\t", dtype=str, keep_default_na=False)
    ptsv.loc[0, "group"] = "=HYPERLINK(\"http://evil\")"
    ptsv.loc[1, "group"] = "@SUM(1+1)"
    ptsv["note"] = ["+cmd", "-x"] + ["ok"] * (len(ptsv) - 2)
    ptsv.to_csv(root / "participants.tsv", sep="\t", index=False)
    out = tmp_path / "scores"
    out.mkdir()
    s = settings.defaults()
    s["reliability"]["n_splits"] = 50
    score.score(root, out, settings=s, show_progress=False)
    written = sorted(out.glob("*.tsv"))
    assert written
    for path in written:
        assert _formula_cells(path) == [], path.name
    change = (out / "change.tsv").read_text()
    assert "'=HYPERLINK" in change or "'@SUM" in change


# -- score inputs: truncated, hand-edited, shuffled ----------------------------------------

def _fast():
    s = settings.defaults()
    s["reliability"]["n_splits"] = 20
    return s


def _base_root(tmp: Path, n: int = 3) -> Path:
    root = tmp / "data"
    rng = np.random.default_rng(0)
    for i in range(n):
        write_run(root, f"{i + 1}", "pre", "dotprobe",
                  dotprobe_rows(rng, bias_ms={}, n_per_cell=4, n_fillers=4))
    return root


HAND_EDITS = st.sampled_from([
    "truncate", "crlf", "bom", "quote_cells", "decimal_comma", "NA", "trailing_tab", "spaces",
    "extra_column", "drop_column", "excel_date", "lowercase_header", "blank_lines", "swap_cols",
    "duplicate_header", "nul"])


def _hand_edit(data: bytes, kind: str, k: int) -> bytes:
    lines = data.split(b"\n")
    body = [i for i in range(1, len(lines)) if lines[i]]
    pick = body[k % len(body)] if body else 0
    if kind == "truncate":
        return data[: k % (len(data) + 1)]
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "quote_cells" and body:
        lines[pick] = b"\t".join(b'"' + c + b'"' for c in lines[pick].split(b"\t"))
    elif kind == "decimal_comma" and body:
        lines[pick] = lines[pick].replace(b".", b",")
    elif kind == "NA" and body:
        cells = lines[pick].split(b"\t")
        cells[k % len(cells)] = b"NA"
        lines[pick] = b"\t".join(cells)
    elif kind == "trailing_tab":
        lines = [line + b"\t" if line else line for line in lines]
    elif kind == "spaces" and body:
        lines[pick] = b"\t".join(b" " + c + b" " for c in lines[pick].split(b"\t"))
    elif kind == "extra_column":
        lines = [line + (b"\tnote" if i == 0 else b"\tx") if line else line
                 for i, line in enumerate(lines)]
    elif kind == "drop_column":
        j = k % len(lines[0].split(b"\t"))
        lines = [b"\t".join(c for n, c in enumerate(line.split(b"\t")) if n != j) if line
                 else line for line in lines]
    elif kind == "excel_date" and body:
        cells = lines[pick].split(b"\t")
        cells[k % len(cells)] = b"03/04/2026"
        lines[pick] = b"\t".join(cells)
    elif kind == "lowercase_header":
        lines[0] = lines[0].upper()
    elif kind == "blank_lines" and body:
        lines.insert(pick, b"")
    elif kind == "swap_cols":
        header = lines[0].split(b"\t")
        i, j = k % len(header), (k // 7) % len(header)
        header[i], header[j] = header[j], header[i]
        lines[0] = b"\t".join(header)
    elif kind == "duplicate_header" and body:
        lines.insert(pick, lines[0])
    elif kind == "nul":
        return data[: k % (len(data) + 1)] + b"\x00" * 8 + data[k % (len(data) + 1):]
    return b"\n".join(lines)


@hsettings(max_examples=30, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture,
                                  HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, 2), HAND_EDITS, st.integers(0, 10 ** 6)),
                      min_size=1, max_size=4))
def test_hand_edited_files_scored_or_listed_with_a_reason(tmp_path_factory, edits):
    """`icb score` on several hand-edited / truncated files: exit 0, and every events file
    is either scored (runs.tsv) or listed in exclusions.tsv with a reason; never a crash."""
    root = _base_root(tmp_path_factory.mktemp("hand"))
    files = sorted(root.rglob("*_events.tsv"))
    for which, kind, k in edits:
        files[which].write_bytes(_hand_edit(files[which].read_bytes(), kind, k))
    out = tmp_path_factory.mktemp("handout") / "scores"
    fast = out.parent / "fast.yaml"
    fast.write_text("reliability:\n  n_splits: 20\n")
    import contextlib
    import io as stdio
    err = stdio.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["score", str(root), "--out", str(out), "--scoring", str(fast)])
    assert code in (0, 2), err.getvalue()
    if code == 2:  # nothing scoreable: a message, no traceback
        assert "Traceback" not in err.getvalue()
        return
    runs = pd.read_csv(out / "runs.tsv", sep="\t", dtype=str, keep_default_na=False)
    excl = pd.read_csv(out / "exclusions.tsv", sep="\t", dtype=str, keep_default_na=False)
    for path in files:
        pid = "sub-" + path.name.split("_")[0].split("-")[1]
        scored = runs[(runs["participant_id"] == pid) & (runs["scored"] == "1")]
        listed = excl[(excl["participant_id"] == pid) & (excl["reason"].str.len() > 0)]
        assert len(scored) == 1 or len(listed) >= 1, (path.name, edits)


@hsettings(max_examples=10, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seeds=st.lists(st.integers(0, 2 ** 32 - 1), min_size=6, max_size=6))
def test_shuffled_rows_give_the_same_scores(tmp_path_factory, seeds):
    base = tmp_path_factory.mktemp("shuf")
    root = base / "data"
    make_cohort(root, n_per_group=3, tasks=("dotprobe",), seed=11)
    out1 = base / "a"
    out1.mkdir()
    score.score(root, out1, settings=_fast(), show_progress=False)
    for path, seed in zip(sorted(root.rglob("*_events.tsv")), seeds * 4):
        lines = path.read_text().splitlines(keepends=True)
        body = lines[1:]
        random.Random(seed).shuffle(body)
        path.write_text(lines[0] + "".join(body))
    out2 = base / "b"
    out2.mkdir()
    score.score(root, out2, settings=_fast(), show_progress=False)
    for name in ("scores.tsv", "reliability.tsv", "change.tsv", "rci.tsv", "exclusions.tsv"):
        assert (out1 / name).read_text() == (out2 / name).read_text(), name


# -- a stimulus deleted between validate and run -------------------------------------------


def test_full_disk_while_writing_score_files(tmp_path, monkeypatch, capsys):
    """Any other write on a full disk (here a score file): exit 1, a message naming the
    file, no traceback."""
    import builtins
    import errno

    from analysis import io as aio
    root = _base_root(tmp_path)
    out = tmp_path / "scores"
    real_open = builtins.open

    def full_open(file, mode="r", *args, **kwargs):
        if "x" in mode or "w" in mode:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(aio, "open", full_open, raising=False)
    assert main(["score", str(root), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "icb score: error:" in err and str(out) in err and "No space left" in err


@pytest.mark.parametrize("spec, said", [("sigma_ms=-5", "sigma_ms: bad value -5; allowed: from 0"),
                                        ("p_error=1.5", "p_error: bad value 1.5; allowed: from 0 to 1"),
                                        ("mu_ms=0", "mu_ms: bad value 0; allowed: from 50")])
def test_simulated_participant_out_of_range_refused_before_the_window(tmp_path, spec, said):
    """A --simulate value out of its range is bad input, refused before anything opens:
    the same answer with no display at all, and nothing written."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    out = subprocess.run([sys.executable, "-m", "icb.cli", "run",
                          str(REPO / "configs" / "demo" / "dotprobe.yaml"), "--participant",
                          "01", "--session", "pre", "--simulate", spec, "--data-dir",
                          str(tmp_path / "d")], env=env, capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert out.returncode == 2 and said in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "d").exists()


def test_a_bug_mid_run_records_the_run_as_aborted(tmp_path, monkeypatch):
    """An error inside icb during the trials (a bug) ends the run as aborted with the error
    named in the sidecar, rows whole, before the traceback."""
    import json

    from tasks.config import load_task_config
    from tasks.core.data_engine import DataEngine
    from tasks.core.paradigm import load
    from tasks.core.runner import RunRequest, run_one

    calls = {"n": 0}
    real = DataEngine.run_sequence

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise ZeroDivisionError("planted")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DataEngine, "run_sequence", failing)
    config = load_task_config(REPO / "configs" / "demo" / "dotprobe.yaml")
    engine = DataEngine()
    engine.open()
    with pytest.raises(ZeroDivisionError):
        run_one(config, engine, RunRequest("b1", "pre", tmp_path),
                responder=load("dotprobe").responder("", config), log=lambda m: None)
    sidecar = next(tmp_path.rglob("*_events.json"))
    prov = json.loads(sidecar.read_text())["Provenance"]
    assert prov["Status"] == "aborted"
    assert prov["AbortReason"] == "error in icb: ZeroDivisionError: planted"
    lines = sidecar.with_suffix(".tsv").read_text().splitlines()
    assert len(lines) == 1 + prov["NTrialsWritten"]
