"""Fault injection in real PsychoPy windows (Xvfb in CI): SIGKILL at random moments of
`icb run`, and a disk that fills in the middle of `icb run`.

The four kills run in parallel, each run in its own private Xvfb (scripts/headless.sh with
ICB_HEADLESS_FORCE_XVFB=1), so that one simulated participant's X key events never reach
another run's window.  With the 16 data-only kills of tests/test_faults.py that makes the
issue's 20 random moments; see that module for why most are data-only.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from analysis import dataset
from test_faults import ENOSPC_HARNESS, REPO, check_killed_run, events_files

pytestmark = pytest.mark.display

PY = sys.executable
HEADLESS = REPO / "scripts" / "headless.sh"
# the demo dot-probe at test speed (about 25 s a run instead of about 65 s)
FAST = REPO / "tests" / "configs" / "dotprobe_fast.yaml"


def test_sigkill_at_4_random_moments_of_real_window_runs(tmp_path, display):
    seed = 424242
    rng = random.Random(seed)
    env = dict(os.environ, ICB_HEADLESS_FORCE_XVFB="1", ICB_HEADLESS_NO_JACK="1")
    runs = []
    for k in range(4):
        root = tmp_path / f"w{k}"
        pidfile = tmp_path / f"w{k}.pid"
        cmd = [str(HEADLESS), "sh", "-c", 'echo $$ > "$0"; exec "$@"', str(pidfile),
               PY, "-m", "icb.cli", "run", str(FAST), "--participant", f"w{k}",
               "--session", "pre", "--windowed", "--simulate", "--data-dir", str(root)]
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        # a random moment between the first trial's start and the test-speed run's end
        runs.append((k, root, pidfile, proc, rng.uniform(2.0, 15.0)))
    try:
        for k, root, pidfile, proc, moment in runs:
            sidecar = events_files(root, f"w{k}")[1]
            end = time.monotonic() + 120
            while not sidecar.exists():  # the run has started (window open, sidecar written)
                assert proc.poll() is None and time.monotonic() < end, proc.stderr.read()
                time.sleep(0.05)
        started = time.monotonic()
        for k, root, pidfile, proc, moment in sorted(runs, key=lambda r: r[4]):
            time.sleep(max(0.0, started + moment - time.monotonic()))
            pid = int(pidfile.read_text())
            os.kill(pid, signal.SIGKILL)
            proc.wait(timeout=60)
    finally:
        for *_, proc, _m in runs:
            if proc.poll() is None:
                proc.kill()
    counts = [check_killed_run(root, f"w{k}") for k, root, *_ in runs]
    assert all(c >= 0 for c in counts) and max(counts) > 0, counts
    for k, root, *_ in runs:
        ds = dataset.load(root, include_simulated=True, show_progress=False)
        assert int(ds.runs["crashed"].iloc[0]) == 1


def test_disk_full_mid_run_in_a_real_window(tmp_path, display):
    """ENOSPC (after a short write) on trial 6 of `icb run`: exit 1, a message naming the
    file, no traceback, 5 whole rows, the sidecar says aborted and why."""
    root = tmp_path / "data"
    out = subprocess.run([PY, "-c", ENOSPC_HARNESS, "6", "one", "run", str(FAST),
                          "--participant", "f1", "--session", "pre", "--windowed",
                          "--simulate", "--data-dir", str(root)], cwd=REPO,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 1, out.stderr
    tsv, sidecar = events_files(root, "f1")
    err = out.stderr
    assert "Traceback" not in err
    assert f"icb run: error: {tsv}: could not write trial 6 (No space left on device)" in err
    assert "the 5 finished trial(s) before it are kept in this file, with no partial row" in err
    assert "the sidecar says Status aborted" in err
    text = tsv.read_text()
    assert text.endswith("\n") and len(text.splitlines()) == 6
    prov = json.loads(sidecar.read_text())["Provenance"]
    assert prov["Status"] == "aborted" and "No space left on device" in prov["AbortReason"]
    assert prov["NTrialsWritten"] == 5


def test_fallback_event_keyboard_backend_records_responses(tmp_path, display):
    """PTB keyboard unavailable -> `station.keyboard_backend: event`: the simulated
    participant's X key events are still recorded (in its own Xvfb, so the window has the
    keyboard focus)."""
    config = tmp_path / "event.yaml"
    config.write_text(f"include: {FAST}\nstation:\n  keyboard_backend: event\n")
    root = tmp_path / "data"
    env = dict(os.environ, ICB_HEADLESS_FORCE_XVFB="1", ICB_HEADLESS_NO_JACK="1")
    out = subprocess.run([str(HEADLESS), PY, "-m", "icb.cli", "run", str(config),
                          "--participant", "ev1", "--session", "pre", "--windowed",
                          "--simulate", "bias_ms=0,p_error=0,p_miss=0", "--data-dir",
                          str(root)], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=240)
    assert out.returncode == 0, out.stderr
    tsv, sidecar = events_files(root, "ev1")
    prov = json.loads(sidecar.read_text())["Provenance"]
    assert prov["Keyboard"]["Backend"] == "event"
    rows = tsv.read_text().splitlines()[1:]
    header = tsv.read_text().splitlines()[0].split("\t")
    responses = [dict(zip(header, r.split("\t")))["response"] for r in rows]
    assert len(rows) == 2 + 16 + 2 and all(r in ("left", "right") for r in responses), responses
