"""Everything under a data root, read and sorted into what gets scored.

Rules (contract sections 3 and 5):

* a file that cannot be read is listed in exclusions with its reason;
* simulated runs (sidecar ``Provenance.Simulated`` truthy) are left out unless
  ``include_simulated``, and each is listed; a root with only simulated runs is
  bad input unless the flag is given;
* of several runs of one participant x session x task, the latest ``completed``
  run is scored (or, when none completed, the latest run, flagged) and every
  other run is listed as ``superseded by run-N``;
* a scored run still ``in_progress`` is a crashed run: flagged in runs.tsv and
  in the warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import io
from analysis.progress import Progress
from tasks.core.columns import TASK_COLUMNS
from icb.errors import BadInput


@dataclass
class Dataset:
    trials: dict[str, pd.DataFrame]
    runs: pd.DataFrame
    exclusions: list[dict]
    warnings: list[str]
    inputs: list[dict]
    participants: pd.DataFrame
    notes: dict = field(default_factory=dict)


def _exclusion(run: io.Run | None, reason: str, **keys) -> dict:
    if run is not None:
        keys = {"participant_id": run.participant_id, "session": run.session,
                "task": run.task, "run": run.run}
    return {"participant_id": keys.get("participant_id"), "session": keys.get("session"),
            "task": keys.get("task"), "run": keys.get("run"), "reason": reason}


def load(data_root: Path, *, include_simulated: bool = False, show_progress: bool = True
         ) -> Dataset:
    """Read every run under ``data_root``; BadInput when there is nothing to score."""
    root = Path(data_root)
    if not root.is_dir():
        raise BadInput(f"{root}: data root not found (DATA_ROOT must be a folder holding "
                       "sub-<P>/ses-<S>/beh/*_events.tsv)")
    paths = io.find_event_files(root)
    if not paths:
        raise BadInput(f"{root}: no runs found (no sub-<P>/ses-<S>/beh/*_events.tsv files)")
    exclusions: list[dict] = []
    warnings: list[str] = []
    inputs: list[dict] = []
    runs: list[io.Run] = []
    with Progress(len(paths), "reading runs", stream=None if show_progress else _Null()) as bar:
        for path in paths:
            rel = str(path.relative_to(root))
            sha = io.file_sha256(path)
            inputs.append({"path": rel, "sha256": sha})
            try:
                participant, session, task, run_no = io.parse_name(path.name)
            except io.FileProblem as exc:
                exclusions.append({"participant_id": None, "session": None, "task": None,
                                   "run": None, "reason": f"{rel}: {exc}"})
                bar.update()
                continue
            run = io.Run(path, participant, session, task, run_no, sha256=sha)
            if task not in TASK_COLUMNS:
                exclusions.append(_exclusion(run, f"unknown task {task!r}; known: "
                                                  f"{', '.join(TASK_COLUMNS)}"))
                bar.update()
                continue
            run.status, run.simulated, run.sidecar_problem = io.read_sidecar(path)
            if run.sidecar_problem:
                warnings.append(f"{rel}: {run.sidecar_problem}; the run is still scored")
            runs.append(run)
            bar.update()
    real = [r for r in runs if not r.simulated]
    simulated = [r for r in runs if r.simulated]
    if simulated and not include_simulated:
        if not real:
            raise BadInput(f"{root}: every run found ({len(simulated)}) is simulated "
                           "(Provenance.Simulated in the sidecars); pass --include-simulated "
                           "to score simulated data")
        for r in simulated:
            exclusions.append(_exclusion(r, "simulated run (pass --include-simulated)"))
        runs = real
    elif simulated and real:
        warnings.append(f"{len(simulated)} simulated and {len(real)} real runs scored together "
                        "(--include-simulated)")
    trials: dict[str, pd.DataFrame] = {}
    for task in TASK_COLUMNS:
        task_runs = [r for r in runs if r.task == task]
        if not task_runs:
            continue
        table = io.read_task_tables(task_runs, task)
        for r in task_runs:
            if r.problem:
                exclusions.append(_exclusion(r, f"unreadable: {r.problem}"))
            for w in r.warnings:
                warnings.append(f"{r.path.relative_to(root)}: {w}")
        trials[task] = table
    readable = [r for r in runs if r.problem is None]
    chosen = select_runs(readable)
    rows = []
    for r in sorted(runs, key=lambda r: (r.participant_id, r.session, r.task, r.run)):
        key = (r.participant_id, r.session, r.task)
        used = r.problem is None and chosen.get(key) is r
        note = ""
        if r.problem is not None:
            note = "unreadable"
        elif not used:
            note = f"superseded by run-{chosen[key].run}"
            exclusions.append(_exclusion(r, note))
        elif r.status != "completed":
            note = {"in_progress": "crashed run (Status in_progress); no completed run",
                    "aborted": "aborted run; no completed run",
                    "unknown": "status unknown (sidecar missing or unreadable)"}[r.status]
            warnings.append(f"{r.path.relative_to(root)}: {note}; scored")
        rows.append({"participant_id": r.participant_id, "session": r.session, "task": r.task,
                     "run": r.run, "status": r.status, "simulated": int(r.simulated),
                     "crashed": int(r.status == "in_progress"), "n_rows": r.n_rows,
                     "scored": int(used), "note": note or None,
                     "path": str(r.path.relative_to(root)), "sha256": r.sha256})
    runs_table = pd.DataFrame(rows, columns=["participant_id", "session", "task", "run", "status",
                                             "simulated", "crashed", "n_rows", "scored", "note",
                                             "path", "sha256"])
    used_keys = runs_table.loc[runs_table["scored"] == 1, ["participant_id", "session", "task",
                                                           "run"]]
    for task, table in list(trials.items()):
        keep = table.merge(used_keys[used_keys["task"] == task], how="inner",
                           on=["participant_id", "session", "task", "run"])
        trials[task] = keep.sort_values(["participant_id", "session", "run", "trial_index"],
                                        kind="stable").reset_index(drop=True)
    if not any(len(t) for t in trials.values()):
        reasons = "; ".join(sorted({e["reason"] for e in exclusions})[:5])
        raise BadInput(f"{root}: no readable trials to score ({reasons or 'no rows'})")
    participants, pwarn = io.read_participants(root)
    warnings.extend(pwarn)
    return Dataset(trials, runs_table, exclusions, warnings, inputs, participants)


def select_runs(runs: list[io.Run]) -> dict[tuple, io.Run]:
    """The run to score per (participant_id, session, task): latest completed, else latest.

    >>> from pathlib import Path
    >>> a = io.Run(Path("a"), "1", "pre", "dotprobe", 1, status="completed")
    >>> b = io.Run(Path("b"), "1", "pre", "dotprobe", 2, status="in_progress")
    >>> select_runs([a, b])[("sub-1", "pre", "dotprobe")].run
    1
    """
    groups: dict[tuple, list[io.Run]] = {}
    for r in runs:
        groups.setdefault((r.participant_id, r.session, r.task), []).append(r)
    chosen = {}
    for key, items in groups.items():
        items = sorted(items, key=lambda r: r.run)
        completed = [r for r in items if r.status == "completed"]
        chosen[key] = completed[-1] if completed else items[-1]
    return chosen


class _Null:
    def write(self, _text: str) -> None:  # pragma: no cover - trivial
        pass

    def flush(self) -> None:  # pragma: no cover - trivial
        pass

    def isatty(self) -> bool:
        return False
