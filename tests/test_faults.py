"""Fault injection without a window: SIGKILL at random moments of data-only runs, a full disk
(injected ENOSPC and a real tmpfs), a stimulus deleted between validate and run.  Bad input and hand-edited data: tests/test_faults_input.py.

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

import pytest

from analysis import dataset

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


@pytest.mark.parametrize("sig, reason", [(signal.SIGTERM, "stopped by SIGTERM"),
                                         (signal.SIGINT, "interrupted (SIGINT, Ctrl+C)")])
def test_sigterm_and_sigint_end_the_run_as_aborted_with_whole_rows(tmp_path, sig, reason):
    root = tmp_path / "r"
    proc = subprocess.Popen([PY, "-c", HARNESS, str(FULL), str(root), "0.004", "s"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started", proc.stderr.read()
    tsv, sidecar = events_files(root, "ks")
    end = time.monotonic() + 30
    while not (tsv.exists() and tsv.read_text().count("\n") >= 3):  # a few trials in
        assert proc.poll() is None and time.monotonic() < end, proc.stderr.read()
        time.sleep(0.01)
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    prov = json.loads(sidecar.read_text())["Provenance"]
    assert prov["Status"] == "aborted" and prov["AbortReason"] == reason, prov
    text = tsv.read_text(encoding="utf-8")
    assert text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) >= 3 and {len(line.split("\t")) for line in lines} == {
        len(lines[0].split("\t"))}


@pytest.mark.parametrize("what", ["file", "folder"])
def test_data_deleted_mid_run_is_written_again_and_said(tmp_path, what):
    """The events file (or the participant's whole folder) deleted while the run goes on:
    a deleted file takes writes without an error, so the writer notices at the next row,
    stops the run, writes the rows it still holds open back to their path with the
    sidecar (Status aborted), and says so; no message claims a file that is not there."""
    import shutil

    root = tmp_path / "r"
    proc = subprocess.Popen([PY, "-c", HARNESS, str(FULL), str(root), "0.004", "d"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started", proc.stderr.read()
    tsv, sidecar = events_files(root, "kd")
    end = time.monotonic() + 30
    while not (tsv.exists() and tsv.read_text().count("\n") >= 4):
        assert proc.poll() is None and time.monotonic() < end, proc.stderr.read()
        time.sleep(0.01)
    if what == "file":
        tsv.unlink()
    else:
        shutil.rmtree(root / "sub-kd")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    assert "deleted or moved while the run went on" in stderr
    assert "written again to" in stderr and str(tsv) in stderr
    prov = json.loads(sidecar.read_text())["Provenance"]
    assert prov["Status"] == "aborted", prov
    lines = tsv.read_text(encoding="utf-8").splitlines()
    assert prov["NTrialsWritten"] == len(lines) - 1 >= 3
    assert {len(line.split("\t")) for line in lines} == {len(lines[0].split("\t"))}
    assert not list(root.rglob(".*.tmp"))
