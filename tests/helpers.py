"""Helpers shared by several test modules (imported as ``from helpers import ...``, like
``analysis_data``: pytest puts this folder on ``sys.path``).  Nothing here imports PsychoPy,
and ``tasks`` only inside the helper that needs it."""

from __future__ import annotations

import json
import os
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


# -- the BIDS validator --------------------------------------------------------------------------

class BidsReport:
    """What ``bids-validator-deno --format json`` said about a data root: ``errors`` and
    ``warnings`` (its issue dicts: code, subCode, severity, location, issueMessage, rule),
    ``summary`` (subjects, sessions, dataTypes, schemaVersion ...) and ``version`` (the
    validator's package version)."""

    def __init__(self, raw: dict, version: str):
        issues = raw["issues"]["issues"]
        self.errors = [i for i in issues if i.get("severity") == "error"]
        self.warnings = [i for i in issues if i.get("severity") == "warning"]
        self.summary = raw["summary"]
        self.version = version

    def codes(self, severity: str = "warning") -> set[str]:
        """The issue codes of one severity ("error" or "warning")."""
        return {i["code"] for i in (self.errors if severity == "error" else self.warnings)}

    def describe(self, limit: int = 40) -> str:
        """Every error (one line each, up to ``limit``), then the warnings counted by code."""
        lines = [f"bids-validator-deno {self.version} (schema "
                 f"{self.summary.get('schemaVersion', '?')}): {len(self.errors)} error(s), "
                 f"{len(self.warnings)} warning(s)"]
        for issue in self.errors[:limit]:
            message = (issue.get("issueMessage") or "").strip().splitlines()[:1]
            lines.append(f"  ERROR {issue['code']}[{issue.get('subCode', '')}] "
                         f"{issue.get('location', '')}: {' '.join(message)}")
        if len(self.errors) > limit:
            lines.append(f"  ... {len(self.errors) - limit} more errors")
        counted: dict[tuple[str, str], list[str]] = {}
        for issue in self.warnings:
            counted.setdefault((issue["code"], issue.get("subCode", "")), []).append(
                issue.get("location", ""))
        for (code, sub), where in sorted(counted.items()):
            lines.append(f"  warning {code}[{sub}] x{len(where)}, e.g. {where[0]}")
        return "\n".join(lines)


def bids_validator() -> Path:
    """``bids-validator-deno`` of the venv running the tests (setup.cfg's ``test`` extra);
    the test fails saying how to install it when it is missing."""
    for folder in (Path(sys.executable).parent, REPO / ".venv" / "bin"):
        exe = folder / "bids-validator-deno"
        if exe.exists():
            return exe
    pytest.fail("bids-validator-deno missing: run `make bootstrap` (setup.cfg's test extra "
                "installs it into .venv)", pytrace=False)


def bids_validate(root: Path, *, timeout: float = 300) -> BidsReport:
    """Validate the data root ``root`` with the BIDS validator (offline, every TSV row)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("bids-validator-deno")
    except PackageNotFoundError:
        release = "?"
    out = subprocess.run([str(bids_validator()), str(root), "--format", "json",
                          "--max-rows", "-1"], capture_output=True, text=True, timeout=timeout,
                         env={**os.environ, "NO_COLOR": "1"})
    # exit status 0: no error; 16: errors found (both print the JSON report)
    try:
        raw = json.loads(out.stdout)
    except ValueError:
        raise AssertionError(f"bids-validator-deno exited {out.returncode} without a JSON "
                             f"report:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}") from None
    return BidsReport(raw, release)
