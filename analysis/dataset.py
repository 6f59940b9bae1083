"""Everything under a data root, read and sorted into what gets scored.

Rules (contract sections 3 and 5):

* the paradigm of a run is ``Provenance.Paradigm`` of its sidecar; without a readable
  sidecar (or without that key) its label when the label names a paradigm that has a
  scorer; else the scoring setting ``input.paradigms`` (label -> paradigm); else the run
  is listed in exclusions (unknown paradigm, the scored ones named).  A paradigm without a
  scorer is listed too.  One label is one paradigm: runs of a label that say another
  paradigm than most of its runs are listed;
* a file that cannot be read is listed in exclusions with its reason;
* simulated runs (sidecar ``Provenance.Simulated`` truthy) are left out unless
  ``include_simulated``, and each is listed; a root with only simulated runs is
  bad input unless the flag is given;
* of several runs of one participant x session x label, the latest ``completed`` run is
  scored (or, when none completed, the latest run, flagged) and every other run is listed
  as ``superseded by run-N``; run numbers are numbers (``run-01`` is ``run-1``), and two
  files of one number are never both scored;
* a scored run still ``in_progress`` is a crashed run: flagged in runs.tsv and
  in the warnings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import events, io, memory
from analysis.progress import progress
from analysis.scorer import registry
from icb.errors import BadInput

RUN_COLUMNS = ["participant_id", "session", "task", "paradigm", "run", "status", "simulated",
               "crashed", "n_rows", "scored", "note", "path", "sha256"]


@dataclass
class Dataset:
    """What ``load`` found: trial tables per label, runs.tsv, exclusions, warnings, inputs."""

    trials: dict[str, pd.DataFrame]  # label -> rows of its scored runs
    paradigms: dict[str, str]  # label -> paradigm
    runs: pd.DataFrame
    exclusions: list[dict]
    warnings: list[str]
    inputs: list[dict]
    participants: pd.DataFrame
    files: dict[str, dict[tuple[str, str], Path]] = field(default_factory=dict)  # label ->
    # (participant_id, session) -> the events file scored

    def scored_run(self, participant_id: str | None, session: str | None, label: str):
        """The run number scored for a participant x session x label (None if none)."""
        r = self.runs[(self.runs["participant_id"] == participant_id)
                      & (self.runs["session"] == session) & (self.runs["task"] == label)
                      & (self.runs["scored"] == 1)]
        return int(r["run"].iloc[0]) if len(r) else None


def exclusion(run: events.Run | None, reason: str) -> dict:
    """An exclusions.tsv row for a run (or for no run: every key n/a)."""
    if run is None:
        return {"participant_id": None, "session": None, "task": None, "run": None,
                "reason": reason}
    return {"participant_id": run.participant_id, "session": run.session, "task": run.task,
            "run": run.run, "reason": reason}


def resolve_paradigm(label: str, from_sidecar: str | None, mapping: dict,
                     scored: list[str]) -> str | None:
    """The paradigm of a run: sidecar, else the label when it names a scored paradigm,
    else the ``input.paradigms`` setting, else None.

    >>> resolve_paradigm("opioidprobe", None, {"opioidprobe": "probe"}, ["probe"])
    'probe'
    >>> resolve_paradigm("probe", None, {}, ["probe"]), resolve_paradigm("x", None, {}, [])
    ('probe', None)
    >>> resolve_paradigm("probe", "other", {}, ["probe"])
    'other'
    """
    if from_sidecar:
        return from_sidecar
    if label in scored:
        return label
    return mapping.get(label)


def _paradigms_of(runs: list[events.Run], settings: dict, scored: dict) -> tuple[list, list]:
    """(runs with a scored paradigm, exclusions of the others)."""
    mapping = settings["input"]["paradigms"]
    names = sorted(scored)
    kept, excluded = [], []
    for run in runs:
        run.paradigm = resolve_paradigm(run.task, run.paradigm, mapping, names)
        if run.paradigm is None:
            excluded.append(exclusion(run, (
                f"unknown paradigm: task-{run.task} has no Provenance.Paradigm in a readable "
                f"sidecar and its label names no paradigm the analysis scores; allowed: "
                f"{', '.join(names)} (a scoring config can map the label: input.paradigms: "
                f"{{{run.task}: <paradigm>}})")))
        elif run.paradigm not in scored:
            excluded.append(exclusion(run, (
                f"paradigm {run.paradigm!r} has no scorer (task-{run.task}); scored "
                f"paradigms: {', '.join(names)} (see docs/analysis.md: a paradigm brings its "
                "scorer as a module in analysis/scorers/)")))
        else:
            kept.append(run)
    by_label: dict[str, Counter] = {}
    for run in kept:
        by_label.setdefault(run.task, Counter())[run.paradigm] += 1
    chosen = {label: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
              for label, c in by_label.items()}
    same = []
    for run in kept:
        if run.paradigm == chosen[run.task]:
            same.append(run)
        else:
            excluded.append(exclusion(run, (
                f"paradigm {run.paradigm!r}, but the other runs of task-{run.task} are "
                f"paradigm {chosen[run.task]!r} (one label is one paradigm)")))
    return same, excluded


def _find_runs(root: Path, show_progress: bool) -> tuple[list, list, list, list]:
    exclusions, warnings, inputs, runs = [], [], [], []
    found, not_scorable = events.find_event_entries(root)
    for path, reason in not_scorable:  # listed, never silently dropped
        exclusions.append(exclusion(None, f"{path.relative_to(root)}: {reason}"))
    for path in progress(found, "reading runs", show_progress):
        rel = str(path.relative_to(root))
        try:
            sha = io.file_sha256(path)
        except OSError as exc:
            exclusions.append(exclusion(None, f"{rel}: cannot be read ({exc.strerror})"))
            continue
        inputs.append({"path": rel, "sha256": sha})
        try:
            name = events.parse_name(path.name)
        except events.FileProblem as exc:
            exclusions.append(exclusion(None, f"{rel}: {exc}"))
            continue
        run = events.Run(path, name.participant, name.session, name.task, name.run,
                         sha256=sha)
        sidecar = events.read_sidecar(path)
        run.status, run.simulated, run.sidecar_problem = (sidecar.status, sidecar.simulated,
                                                          sidecar.problem)
        run.paradigm = sidecar.paradigm
        if run.sidecar_problem:
            warnings.append(f"{rel}: {run.sidecar_problem}; the run is still scored")
        runs.append(run)
    return runs, exclusions, warnings, inputs


def load(data_root: Path, *, include_simulated: bool = False, show_progress: bool = True,
         settings: dict | None = None) -> Dataset:
    """Read every run under ``data_root``; BadInput when there is no run at all."""
    root = Path(data_root)
    if not root.is_dir():
        raise BadInput(f"{root}: data root not found (DATA_ROOT must be a folder holding "
                       "sub-<P>/ses-<S>/beh/*_events.tsv)")
    if not events.find_event_files(root):
        raise BadInput(f"{root}: no runs found (no sub-<P>/ses-<S>/beh/*_events.tsv files)")
    scored = registry()
    runs, exclusions, warnings, inputs = _find_runs(root, show_progress)
    if settings is None:
        from analysis.settings import defaults
        settings = defaults()
    runs, unknown = _paradigms_of(runs, settings, scored)
    exclusions += unknown
    real = [r for r in runs if not r.simulated]
    simulated = [r for r in runs if r.simulated]
    if simulated and not include_simulated:
        if not real:
            raise BadInput(f"{root}: every run found ({len(simulated)}) is simulated "
                           "(Provenance.Simulated in the sidecars); pass --include-simulated "
                           "to score simulated data")
        exclusions += [exclusion(r, "simulated run (pass --include-simulated)")
                       for r in simulated]
        runs = real
    elif simulated and real:
        warnings.append(f"{len(simulated)} simulated and {len(real)} real runs scored together "
                        "(--include-simulated)")
    tables: dict[str, pd.DataFrame] = {}
    paradigms: dict[str, str] = {}
    for label in sorted({r.task for r in runs}):
        label_runs = [r for r in runs if r.task == label]
        paradigm = label_runs[0].paradigm
        paradigms[label] = paradigm
        tables[label] = events.read_tables(label_runs, scored[paradigm].columns[paradigm])
        for r in label_runs:
            if r.problem:
                exclusions.append(exclusion(r, f"unreadable: {r.problem}"))
            warnings += [f"{r.path.relative_to(root)}: {w}" for w in r.warnings]
    chosen = select_runs([r for r in runs if r.problem is None])
    rows = []
    for r in sorted(runs, key=lambda r: (r.participant_id, r.session, r.task, r.run,
                                         r.path.name)):
        key = (r.participant_id, r.session, r.task)
        used = r.problem is None and chosen.get(key) is r
        note = ""
        if r.problem is not None:
            note = "unreadable"
        elif not used:
            other = chosen[key]
            note = f"superseded by run-{other.run}"
            if other.run == r.run:
                note += (f" ({other.path.name}; {r.path.name} has the same run number, so "
                         "only one of them is scored)")
            exclusions.append(exclusion(r, note))
        elif r.status != "completed":
            note = {"in_progress": "crashed run (Status in_progress); no completed run",
                    "aborted": "aborted run; no completed run",
                    "unknown": "status unknown (sidecar missing or unreadable)"}[r.status]
            warnings.append(f"{r.path.relative_to(root)}: {note}; scored")
        rows.append({"participant_id": r.participant_id, "session": r.session, "task": r.task,
                     "paradigm": r.paradigm, "run": r.run, "status": r.status,
                     "simulated": int(r.simulated), "crashed": int(r.status == "in_progress"),
                     "n_rows": r.n_rows, "scored": int(used), "note": note or None,
                     "path": str(r.path.relative_to(root)), "sha256": r.sha256})
    runs_table = pd.DataFrame(rows, columns=RUN_COLUMNS)
    used_paths = {str(r.path) for r in chosen.values()}
    trials = {}
    for label, table in tables.items():
        used = table[events.SOURCE].isin(used_paths)
        keep = (table if used.all() else table[used]).drop(columns=events.SOURCE)
        trials[label] = keep.reset_index(drop=True)
    del tables
    memory.release()  # what reading left behind
    participants, pwarn = io.read_participants(root)
    warnings.extend(pwarn)
    files: dict[str, dict[tuple[str, str], Path]] = {}
    for (pid, session, label), r in chosen.items():
        files.setdefault(label, {})[(pid, session)] = r.path
    return Dataset(trials, paradigms, runs_table, exclusions, warnings, inputs, participants,
                   files)


def select_runs(runs: list[events.Run]) -> dict[tuple, events.Run]:
    """The run to score per (participant_id, session, label): latest completed, else latest.

    Runs are ordered by run number (a number: ``run-01`` is ``run-1``), then file name.

    >>> a = events.Run(Path("a"), "1", "pre", "faces", 1, status="completed")
    >>> b = events.Run(Path("b"), "1", "pre", "faces", 2, status="in_progress")
    >>> select_runs([a, b])[("sub-1", "pre", "faces")].run
    1
    """
    groups: dict[tuple, list[events.Run]] = {}
    for r in runs:
        groups.setdefault((r.participant_id, r.session, r.task), []).append(r)
    chosen = {}
    for key, items in groups.items():
        items = sorted(items, key=lambda r: (r.run, r.path.name))
        completed = [r for r in items if r.status == "completed"]
        chosen[key] = completed[-1] if completed else items[-1]
    return chosen
