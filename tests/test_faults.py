"""Fault injection without a window: SIGKILL at random moments of data-only runs, a full disk
(injected ENOSPC and a real tmpfs), corrupt configs, hostile participant labels, fuzzed score
inputs, and spreadsheet formulas in participants.tsv and the score files.

The real-window counterparts (SIGKILL of `icb run` in a window, ENOSPC in `icb run`, a
stimulus deleted between validate and run) are in tests/test_faults_window.py.

Why most SIGKILLs are data-only: a real-window demo run takes ~60 s, so 20 of them would
take the suite's whole budget.  The data-only harness below runs the same task loop
(the dot-probe paradigm) through the same `tasks.core.runner.run_one` and the same `EventsWriter`
as `icb run`, with the data-only engine slowed to a few ms per trial so that a kill lands
anywhere in the run: in the sidecar, in the header, between rows or inside a row's
write+fsync.  Four more kills hit real-window runs (test_faults_window.py).
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from analysis import dataset, io, score, settings
from analysis_data import dotprobe_rows, make_cohort, write_run
from icb.cli import main

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "configs" / "demo" / "dotprobe.yaml"
FULL = REPO / "configs" / "dotprobe.yaml"
PY = sys.executable

# -- SIGKILL at random moments (data-only harness) --------------------------------------------

HARNESS = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from tasks.config import load_task_config
    from tasks.core.data_engine import DataEngine
    from tasks.core.paradigm import load
    from tasks.core.runner import RunRequest, run_one

    class SlowEngine(DataEngine):
        # the data-only engine, a few ms per screen sequence: a kill can land anywhere
        def run_sequence(self, *args, **kwargs):
            time.sleep(float(sys.argv[3]))
            return super().run_sequence(*args, **kwargs)

    engine = SlowEngine(60.0)
    engine.open()
    config = load_task_config(Path(sys.argv[1]))
    print("started", flush=True)
    run_one(config, engine, RunRequest("k" + sys.argv[4], "pre", Path(sys.argv[2])),
            responder=load("dotprobe").responder("", config), log=lambda m: None)
""")


KILL_WINDOW_S = 1.2  # kill moments: uniform over this many seconds after the run starts


def events_files(root: Path, participant: str):
    beh = root / f"sub-{participant}" / "ses-pre" / "beh"
    stem = f"sub-{participant}_ses-pre_task-dotprobe_run-1_events"
    return beh / f"{stem}.tsv", beh / f"{stem}.json"


def check_killed_run(root: Path, participant: str) -> int:
    """Every file there is readable, whole rows only, Status in_progress; returns rows."""
    tsv, sidecar = events_files(root, participant)
    if not sidecar.exists():
        assert not tsv.exists()  # the sidecar is written first
        return -1
    prov = json.loads(sidecar.read_text())["Provenance"]  # never a half-written JSON
    assert prov["Status"] == "in_progress"
    if not tsv.exists():
        return -1
    text = tsv.read_text(encoding="utf-8")
    if text == "":
        return 0  # killed between creating the file and writing its header
    assert text.endswith("\n"), f"partial row at the end of {tsv}"
    lines = text.splitlines()
    width = len(lines[0].split("\t"))
    assert all(len(line.split("\t")) == width for line in lines)
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    assert [int(r["trial_index"]) for r in rows] == list(range(1, len(rows) + 1))
    for name in ("participants.tsv", "dataset_description.json"):
        if (root / name).exists():
            (json.loads if name.endswith(".json") else str)((root / name).read_text())
    return len(rows)


def test_sigkill_at_16_random_moments_data_only(tmp_path):
    seed = 20260701
    rng = random.Random(seed)
    delay_s = 0.004  # ~330 sequences x 4 ms: a run lasts ~1.5 s after start-up
    jobs = []
    for batch in range(4):  # 4 batches of 4 runs in parallel
        procs = []
        for j in range(4):
            k = batch * 4 + j
            root = tmp_path / f"r{k}"
            proc = subprocess.Popen([PY, "-c", HARNESS, str(FULL), str(root), str(delay_s),
                                     str(k)], cwd=REPO, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            procs.append((k, root, proc))
        deadlines = []
        for k, root, proc in procs:
            assert proc.stdout.readline().strip() == "started", proc.stderr.read()
            deadlines.append((time.monotonic() + rng.uniform(0.0, KILL_WINDOW_S), k, root, proc))
        for deadline, k, root, proc in sorted(deadlines, key=lambda d: d[0]):
            time.sleep(max(0.0, deadline - time.monotonic()))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            jobs.append((k, root, proc.returncode))
    counts = []
    for k, root, code in jobs:
        assert code == -signal.SIGKILL, f"run {k} ended by itself (seed {seed})"
        counts.append(check_killed_run(root, f"k{k}"))
    # the analysis reads them all: each is a crashed run, none unreadable
    merged = tmp_path / "all"
    for k, root, _ in jobs:
        for path in root.rglob("*"):
            if path.is_file():
                dest = merged / path.relative_to(root)
                dest.parent.mkdir(parents=True, exist_ok=True)
                if path.name != "participants.tsv":
                    dest.write_bytes(path.read_bytes())
    print("rows kept per killed run:", counts)
    with_rows = [c for c in counts if c > 0]
    assert len(with_rows) >= 8, counts  # most kills landed mid-run
    ds = dataset.load(merged, include_simulated=True, show_progress=False)
    read = ds.runs
    assert len(read) == sum(1 for c in counts if c >= 0)
    assert set(read["crashed"]) == {1}
    bad = [e for e in ds.exclusions if "simulated" not in e["reason"]
           and "accuracy" not in e["reason"] and "superseded" not in e["reason"]]
    assert all("no trials" in e["reason"] or "empty" in e["reason"] or "header" in e["reason"]
               for e in bad), bad


# -- a full disk -------------------------------------------------------------------------------

ENOSPC_HARNESS = textwrap.dedent("""
    import errno, os, sys
    from icb.cli import main

    FAIL_ROW = int(sys.argv[1])   # the row (header = 0) whose write fails
    ALL_AFTER = sys.argv[2] == "all"   # and every write after it (a really full disk)
    real_write = os.write
    state = {"rows": -1, "failing": False}

    def write(fd, data):
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        is_tsv = name.endswith("_events.tsv")
        if state["failing"] and (ALL_AFTER or is_tsv):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if is_tsv and data.endswith(b"\\n"):
            state["rows"] += 1
            if state["rows"] == FAIL_ROW:
                state["failing"] = True
                return real_write(fd, data[: len(data) // 2])  # a short write first
        return real_write(fd, data)

    os.write = write
    if ALL_AFTER:  # text-mode files (the sidecar) go through io, not os.write
        import builtins
        real_open = builtins.open
        def guarded_open(file, mode="r", *a, **k):
            if state["failing"] and any(c in mode for c in "wxa"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
            return real_open(file, mode, *a, **k)
        builtins.open = guarded_open
    sys.exit(main(sys.argv[3:]))
""")


def _simulate_args(root: Path, n: int = 1) -> list[str]:
    return ["simulate", str(DEMO), "--participants", str(n), "--data-dir", str(root),
            "--seed", "3"]


@pytest.mark.parametrize("after", ["one", "all"])
def test_enospc_mid_run_keeps_whole_rows_and_says_so(tmp_path, after):
    """ENOSPC in the middle of a row (after a short write) of a data-only run through
    `icb simulate` (same writer as `icb run`; the real window case is in
    test_faults_window.py)."""
    root = tmp_path / "data"
    out = subprocess.run([PY, "-c", ENOSPC_HARNESS, "7", after, *_simulate_args(root)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert "No space left on device" in out.stderr
    tsv = next(root.rglob("*_events.tsv"))
    assert str(tsv) in out.stderr
    assert "the 6 finished trial(s) before it are kept" in out.stderr
    text = tsv.read_text()
    assert text.endswith("\n") and len(text.splitlines()) == 1 + 6
    assert not list(root.rglob(".*.tmp"))  # no half-written temp file left behind
    prov = json.loads(tsv.with_suffix(".json").read_text())["Provenance"]
    # simulate runs through the same runner as icb run: the failure is recorded in the
    # sidecar when the disk still takes that write, else the run reads as crashed
    if after == "all":
        assert prov["Status"] == "in_progress"
    else:
        assert prov["Status"] == "aborted" and "No space left" in prov["AbortReason"]
    ds = dataset.load(root, include_simulated=True, show_progress=False)
    assert int(ds.runs["n_rows"].iloc[0]) == 6


def test_enospc_through_run_one_records_aborted_with_reason(tmp_path, monkeypatch):
    """In `icb run` the failure is recorded in the sidecar when it can be (Status aborted,
    AbortReason), and the error message says so."""
    import errno

    from tasks.config import load_task_config
    from tasks.core import writer as writer_mod
    from tasks.core.data_engine import DataEngine
    from tasks.core.writer import DataWriteError
    from tasks.core.paradigm import load
    from tasks.core.runner import RunRequest, run_one

    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd, data):
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        if name.endswith("_events.tsv"):
            calls["n"] += 1
            if calls["n"] == 5:  # header + 3 rows, then a short write, then ENOSPC
                return real_write(fd, data[:10])
            if calls["n"] > 5:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(writer_mod.os, "write", failing_write)
    engine = DataEngine(60.0)
    engine.open()
    with pytest.raises(DataWriteError) as info:
        config = load_task_config(DEMO)
        run_one(config, engine, RunRequest("d1", "pre", tmp_path),
                responder=load("dotprobe").responder("", config), log=lambda m: None)
    message = str(info.value)
    assert "could not write trial 4" in message and "the 3 finished trial(s)" in message
    assert "Status aborted" in message
    tsv, sidecar = events_files(tmp_path, "d1")
    assert len(tsv.read_text().splitlines()) == 4 and tsv.read_text().endswith("\n")
    prov = json.loads(sidecar.read_text())["Provenance"]
    assert prov["Status"] == "aborted" and "No space left" in prov["AbortReason"]
    assert prov["NTrialsWritten"] == 3


def _can_mount_tmpfs(where: Path) -> bool:
    if os.geteuid() != 0:
        return False
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
                       capture_output=True)
    if r.returncode != 0:
        return False
    subprocess.run(["umount", str(where)], capture_output=True)
    return True


@pytest.fixture
def small_tmpfs(tmp_path):
    """A 256 KiB tmpfs (root only; skipped where mounting is not allowed: the injected
    ENOSPC tests above cover the same code path everywhere)."""
    where = tmp_path / "small"
    if not _can_mount_tmpfs(where):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_real_full_disk_tmpfs(small_tmpfs):
    """`icb simulate` (full-length runs, ~50 KB each) into a 256 KiB tmpfs: the disk fills
    in the middle of a run."""
    root = small_tmpfs / "data"
    out = subprocess.run([PY, "-m", "icb.cli", "simulate", str(FULL), "--participants", "3",
                          "--data-dir", str(root), "--seed", "3"], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert "No space left on device" in out.stderr, out.stderr
    assert "icb simulate: error:" in out.stderr
    assert "finished trial(s) before it are kept in this file, with no partial row" in out.stderr
    for tsv in root.rglob("*_events.tsv"):
        text = tsv.read_text()
        assert text == "" or text.endswith("\n"), tsv
        lines = text.splitlines()
        assert all(len(line.split("\t")) == len(lines[0].split("\t")) for line in lines)
    for js in root.rglob("*.json"):
        json.loads(js.read_text())  # no half-written JSON anywhere
    assert not list(root.rglob(".*.tmp"))


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


def test_participants_tsv_hand_edited_formula_is_escaped_by_the_battery(tmp_path):
    from tasks.core import dataset_files
    root = tmp_path / "data"
    root.mkdir()
    (root / "participants.tsv").write_text(
        "participant_id\tgroup\tnotes\tsite\n"
        "sub-01\tMORE\t=HYPERLINK(\"http://x\",\"click\")\t@SUM(A1)\n"
        "sub-02\t=1+1\t+cmd|' /C calc'!A0\t-2+3\n")
    dataset_files.update_participants(root, "03", "control")
    dataset_files.update_participants(root, "01", "MORE")
    text = (root / "participants.tsv").read_text()
    assert _formula_cells(root / "participants.tsv") == [], text
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'=1+1" in text
    dataset_files.update_participants(root, "04")  # escaping is stable: no second apostrophe
    again = (root / "participants.tsv").read_text()
    assert "''" not in again and again.count("sub-") == 4


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

def test_stimulus_deleted_between_validate_and_run(tmp_path):
    """`icb validate` passes, a picture is deleted, `icb run` exits 2 naming the file before
    any window opens (DISPLAY is unset: a window could not open) or any data file exists."""
    import shutil
    stim = tmp_path / "stimuli"
    shutil.copytree(REPO / "stimuli", stim, ignore=shutil.ignore_patterns("cries"))
    config = tmp_path / "dotprobe.yaml"
    config.write_text(f"include: {DEMO}\nstation:\n  stimulus_manifest: stimuli/manifest.tsv\n")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    ok = subprocess.run([PY, "-m", "icb.cli", "validate", str(config)], cwd=REPO, env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    plan = subprocess.run([PY, "-m", "icb.cli", "validate", "--plan", str(config),
                           "--participant", "01", "--session", "pre"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    rows = [line.split("\t") for line in plan.stdout.splitlines() if "\t" in line]
    victim_id = dict(zip(rows[0], rows[1]))["stim_left"]
    victim = next(stim.rglob(f"{victim_id}.*"))
    victim.unlink()
    data = tmp_path / "data"
    out = subprocess.run([PY, "-m", "icb.cli", "run", str(config), "--participant", "01",
                          "--session", "pre", "--windowed", "--data-dir", str(data)],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    assert victim.name in out.stderr
    assert "does not exist" in out.stderr or "not found" in out.stderr
    assert "Traceback" not in out.stderr
    assert not data.exists()


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
