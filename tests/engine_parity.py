"""Engine parity: the same scripted run through both engines gives the same rows.

A real-window test runs a paradigm with a simulated participant (``icb run --simulate
SPEC``); :func:`assert_engine_parity` then runs the same config, labels, seed and
simulated participant through the data engine and compares the two events files row by
row and column by column, apart from the columns a paradigm declares ``measured`` (flip
and input time stamps, dropped frames), which differ from run to run.  A difference in
what was shown, in which order, or in what the participant's keys recorded fails.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tasks.config import load_task_config
from tasks.core.data_engine import DataEngine
from tasks.core.paradigm import load as load_paradigm
from tasks.core.runner import RunRequest, run_one


def read_rows(tsv: Path) -> list[dict]:
    with open(tsv, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def compared_columns(paradigm_name: str) -> list[str]:
    """Every events column that follows from the plan and the responses alone."""
    return [c.name for c in load_paradigm(paradigm_name).events_columns() if not c.measured]


def row_differences(real: list[dict], data: list[dict], columns: list[str]) -> list[str]:
    """What differs between two events files in ``columns`` (empty when they agree).

    >>> row_differences([{"a": "1"}], [{"a": "2"}], ["a"])
    ['row 1 a: 1 != 2']
    >>> row_differences([{"a": "1"}], [], ["a"])
    ['1 rows != 0 rows']
    """
    if len(real) != len(data):
        return [f"{len(real)} rows != {len(data)} rows"]
    return [f"row {i} {c}: {a[c]} != {b[c]}" for i, (a, b) in enumerate(zip(real, data), 1)
            for c in columns if a.get(c) != b.get(c)]


def data_engine_twin(config_path: Path, sidecar: Path, spec: str, out_root: Path,
                     engine: DataEngine | None = None) -> Path:
    """The run that ``sidecar`` describes, again through the data engine; its events file."""
    prov = json.loads(sidecar.read_text())["Provenance"]
    config = load_task_config(config_path)
    paradigm = load_paradigm(config.paradigm)
    request = RunRequest(prov["Participant"], prov["Session"], out_root, group=prov["Group"],
                         seed=prov["Seed"])
    engine = engine or DataEngine(prov["Display"]["FrameRateUsedHz"])
    engine.open()
    outcome = run_one(config, engine, request, responder=paradigm.responder(spec, config),
                      log=lambda msg: None)
    return outcome.tsv_path


def assert_engine_parity(config_path: Path, tsv: Path, sidecar: Path, spec: str,
                         out_root: Path) -> int:
    """Fail with every difference; the number of rows compared."""
    prov = json.loads(sidecar.read_text())["Provenance"]
    twin = data_engine_twin(config_path, sidecar, spec, out_root)
    real, data = read_rows(tsv), read_rows(twin)
    columns = compared_columns(prov["Paradigm"])
    differences = row_differences(real, data, columns)
    assert not differences, "PsychoPy engine and data engine disagree:\n" + "\n".join(
        differences[:20])
    return len(real)
