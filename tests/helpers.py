"""Helpers shared by several test modules (imported as ``from helpers import ...``, like
``analysis_data``: pytest puts this folder on ``sys.path``).  Nothing here imports PsychoPy,
and ``tasks`` only inside the helper that needs it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def write_including(tmp_path: Path, config: Path, text: str) -> Path:
    """``tmp_path/cfg.yaml``: ``include: <config>`` followed by ``text``."""
    path = tmp_path / "cfg.yaml"
    path.write_text(f"include: {config}\n" + text)
    return path


def problems_of(path) -> list[str]:
    """The problems of the ConfigError that loading the task config ``path`` raises."""
    from icb.errors import ConfigError
    from tasks.config import load_task_config

    with pytest.raises(ConfigError) as info:
        load_task_config(path)
    return info.value.problems


def cohort_events(data_dir: Path):
    """Every ``*_events.tsv`` under ``data_dir`` in one DataFrame (``n/a`` read as missing),
    with ``participant`` (``sub-..``) and ``session`` columns from the file names."""
    import pandas as pd

    frames = []
    for tsv in data_dir.glob("sub-*/ses-*/beh/*_events.tsv"):
        df = pd.read_csv(tsv, sep="\t", na_values="n/a")
        df["participant"] = tsv.name.split("_")[0]
        df["session"] = tsv.name.split("_")[1][4:]
        frames.append(df)
    return pd.concat(frames)


def run_python(code: str, *, timeout: float) -> subprocess.CompletedProcess:
    """``code`` run by a fresh interpreter in the repository (output captured as text)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          timeout=timeout)


def assert_imports_none_of(code: str, banned: tuple[str, ...], *, timeout: float) -> None:
    """Run ``code`` in a fresh interpreter; fail (with its output) if it fails or leaves a
    module of a ``banned`` top-level package imported."""
    check = ("import sys\n" + code +
             "bad = sorted(m for m in sys.modules\n"
             f"             if m.split('.')[0] in {tuple(banned)!r})\n"
             "print(bad)\n"
             "sys.exit(1 if bad else 0)\n")
    out = run_python(check, timeout=timeout)
    assert out.returncode == 0, out.stdout + out.stderr


def wait_for(predicate, timeout_s: float = 120.0, poll_s: float = 0.02):
    """``predicate()``'s first true value, polled every ``poll_s``; TimeoutError after
    ``timeout_s``."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    raise TimeoutError("condition not reached")


def n_rows(path: Path) -> int:
    """Data rows of a TSV so far (-1 while the file does not exist)."""
    return max(0, path.read_text().count("\n") - 1) if path.exists() else -1
