"""Sessions at the testing station: battery declarations, the session table, resume.

No PsychoPy here (``icb validate`` and the reference generator import it).

* ``BATTERY_PARAMS``: the keys of a battery config's ``battery:`` section, declared
  once like every other parameter (``BATTERY_REFERENCE`` documents them).
* ``sessions.tsv`` at the data root: one row per participant x session with the
  counterbalancing assignment, the task order and the session's status; rewritten
  atomically under a lock file, listed in ``.bidsignore``.
* ``task_state``: what the data root already holds for a participant, session and
  task -- the basis of resume (skip a completed task, rerun an interrupted one).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from icb import bids
from icb.files import atomic_write_text
from tasks.core import dataset_files
from tasks.core.display import display_answers
from icb.errors import BadInput
from icb.params import Param, reference_markdown

BATTERY_PARAMS: tuple[Param, ...] = (
    Param("tasks", "list[str]", None, "Task configs to run, in this order (before "
          "counterbalancing); file names relative to the battery config. Each task may appear "
          "once.", min_length=1, max_length=12),
    Param("order", "str", "fixed", "`fixed`: the order listed; `latin_square`: a balanced "
          "(Williams) Latin square over participants -- row `(index // 2) mod rows`, where the "
          "index is the participant label as a number (`07` -> 7) or a stable hash of a "
          "non-numeric label. A participant keeps the same order in every session.",
          choices=("fixed", "latin_square")),
    Param("session", "str", None, "The session this battery is for (e.g. `pre`); "
          "`--session` must then agree, and the dialog preselects it. null = any session.",
          nullable=True),
    Param("sessions", "list[str]", ["pre", "post", "followup"], "Session labels the "
          "experimenter dialog offers.", min_length=1, max_length=10),
    Param("pause_between_tasks", "bool", True, "A break screen between tasks (the "
          "participant goes on with SPACE)."),
    Param("pause_min_s", "float", 10.0, "Shortest break between tasks before SPACE is "
          "accepted.", 0, 600, unit="s"),
)

BATTERY_REFERENCE = """## Battery configs (`battery:`)

A battery config runs several task configs in one window, one session per visit:
`icb run configs/battery_pre.yaml` (without `--participant`/`--session` a dialog asks for
them). Its top-level keys are `battery` (below), `station` (station keys applied on top of
every task config's station, e.g. `abort_modifiers`), `include` and `description`; it has no
`task` or `params` (those belong in the task configs it lists). `battery:` may also be just a
list of task configs (the `tasks` key, everything else at its default).

Running a battery again for the same participant and session resumes it: a task whose latest
run is `completed` is skipped; a task whose latest run is `in_progress` (the process died) or
`aborted` is run again **from the start of the task** as the next run number, with the same
trial list (seed), and its sidecar records `Provenance.Resumed: true`, `ResumedFrom: run-N`
and `GapSeconds`. `icb score` reads the latest completed run, so no trial counts twice.
`--rerun` runs every task again, completed ones too. The counterbalancing assignment (task
order, stimulus set) is written to `sessions.tsv` at the data root and to each sidecar
(`Provenance.Battery`); it is a pure function of the participant and session labels
(`tasks/core/counterbalance.py`).

""" + reference_markdown("battery keys", BATTERY_PARAMS)

SESSION_COLUMNS = ("participant_id", "session", "group", "participant_index", "stimulus_set",
                   "order", "order_row", "task_order", "battery", "status", "started", "updated",
                   "resumes", "tasks_completed")


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


# -- what the data root holds ---------------------------------------------------------
@dataclass(frozen=True)
class TaskState:
    """The latest run of one task for a participant and session (``run=None``: none)."""

    task: str
    run: int | None = None
    status: str | None = None  # completed | aborted | in_progress | unknown
    n_rows: int = 0
    seed: int | None = None
    last_write: float | None = None  # POSIX time of the run's last trial (file mtime)

    @property
    def done(self) -> bool:
        return self.status == "completed"

    @property
    def interrupted(self) -> bool:
        return self.run is not None and not self.done

    def describe(self) -> str:
        if self.run is None:
            return "new"
        if self.done:
            return f"completed (run {self.run}): skipped"
        what = {"in_progress": "crashed", "aborted": "aborted"}.get(self.status, "unreadable")
        return (f"{what} in run {self.run} after {self.n_rows} trials: restarts as run "
                f"{self.run + 1}")


def task_state(data_root: Path, participant: str, session: str, task: str) -> TaskState:
    """Read the latest run of ``task`` (sidecar status, rows written, last write)."""
    runs = dataset_files.existing_runs(data_root, participant, session, task)
    if not runs:
        return TaskState(task)
    run = runs[-1]
    folder = bids.beh_dir(data_root, participant, session)
    stem = bids.events_stem(participant, session, task, run)
    tsv, sidecar = folder / f"{stem}_events.tsv", folder / f"{stem}_events.json"
    status, seed = "unknown", None
    try:
        prov = json.loads(sidecar.read_text(encoding="utf-8")).get("Provenance", {})
        status = str(prov.get("Status", "unknown"))
        seed = prov.get("Seed") if isinstance(prov.get("Seed"), int) else None
    except (OSError, ValueError, AttributeError):
        pass
    n_rows, last = 0, None
    if tsv.is_file():
        n_rows = max(0, tsv.read_bytes().count(b"\n") - 1)
        last = tsv.stat().st_mtime
    elif sidecar.is_file():
        last = sidecar.stat().st_mtime
    return TaskState(task, run, status, n_rows, seed, last)


def resume_provenance(state: TaskState, now: float) -> dict:
    """Sidecar ``Provenance`` keys of a run that restarts an interrupted task."""
    if not state.interrupted:
        return {"Resumed": False}
    gap = None if state.last_write is None else round(max(0.0, now - state.last_write), 3)
    stamp = None if state.last_write is None else datetime.fromtimestamp(
        state.last_write, timezone.utc).astimezone().isoformat(timespec="milliseconds")
    return {"Resumed": True, "ResumedFrom": f"run-{state.run}",
            "ResumedFromStatus": state.status, "ResumedFromTrials": state.n_rows,
            "InterruptedAt": stamp, "GapSeconds": gap, "ResumeGranularity": "task"}


def newest_station_check(data_root: Path) -> dict | None:
    """Path, time and verdict of the newest ``station_check-*.json`` in the data root."""
    root = Path(data_root)
    found = sorted(root.glob("station_check-*.json")) if root.is_dir() else []
    if not found:
        return None
    path = found[-1]
    out = {"Path": str(path), "File": path.name}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        out.update({"Time": data.get("Time"), "Verdict": data.get("Verdict")})
    except (OSError, ValueError, AttributeError):
        out["Verdict"] = "unreadable"
    return out


# -- sessions.tsv ----------------------------------------------------------------
def read_sessions(data_root: Path) -> list[dict[str, str]]:
    path = Path(data_root) / "sessions.tsv"
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh, delimiter="\t")]


def update_session(data_root: Path, participant: str, session: str, **fields) -> dict:
    """Create or update the row of ``sub-<participant>`` x ``session`` (atomic rewrite,
    under ``.sessions.lock`` so that two stations on one data root do not interleave)."""
    from tasks.core.lab_tables import locked
    root = Path(data_root)
    with locked(root, "sessions"):
        rows = read_sessions(root)
        pid = f"sub-{participant}"
        for row in rows:
            if row.get("participant_id") == pid and row.get("session") == session:
                break
        else:
            row = {"participant_id": pid, "session": session, "started": now_iso(),
                   "resumes": "0"}
            rows.append(row)
        row.update({k: ("n/a" if v is None else str(v)) for k, v in fields.items()})
        row["updated"] = now_iso()
        out = io.StringIO()
        out.write("\t".join(SESSION_COLUMNS) + "\n")
        for r in rows:
            out.write("\t".join(bids.tsv_cell(r.get(c) or None) for c in SESSION_COLUMNS)
                      + "\n")
        atomic_write_text(root / "sessions.tsv", out.getvalue())
    return dict(row)


def session_row(data_root: Path, participant: str, session: str) -> dict | None:
    for row in read_sessions(data_root):
        if row.get("participant_id") == f"sub-{participant}" and row.get("session") == session:
            return row
    return None


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def known_group(data_root: Path, participant: str) -> str:
    """The participant's group in ``participants.tsv`` (``n/a`` when none is recorded);
    a file that is not UTF-8, a ragged row or a duplicated id is refused (exit 2)."""
    from tasks.core.lab_tables import recorded_group
    return recorded_group(data_root, participant)


def settle_group(data_root: Path, participant: str, requested: str, *,
                 change_group: bool = False, now=None, log=None) -> tuple[str, dict | None]:
    r"""The group a run records, and the change record when ``--change-group`` moves a
    participant: ``participants.tsv`` is the one record of a participant's group.

    No group asked for (``n/a``): the recorded one. A group that differs from the recorded
    one: refused (:class:`BadInput`, exit 2) naming both, unless ``change_group``; then the
    change ``{"From", "To", "Time"}`` goes into every sidecar of the session.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "participants.tsv").write_text("participant_id\tgroup\nsub-07\tcontrol\n")
    >>> settle_group(root, "07", "n/a")
    ('control', None)
    >>> settle_group(root, "07", "MORE")
    Traceback (most recent call last):
    ...
    icb.errors.BadInput: --group: sub-07 is recorded as 'control' in ...
    """
    recorded = known_group(data_root, participant)
    if requested in (None, "", "n/a"):
        return recorded, None
    if recorded in ("n/a", requested):
        return requested, None
    where = Path(data_root) / "participants.tsv"
    if not change_group:
        raise BadInput(f"--group: sub-{participant} is recorded as {recorded!r} in {where}, "
                       f"not {requested!r}; nothing was run. Leave out --group (the recorded "
                       f"group is used), or move the participant with --group {requested} "
                       "--change-group (the change is recorded in every sidecar)")
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    if log is not None:
        log(f"[icb] sub-{participant} moves from group {recorded} to {requested} "
            "(--change-group); recorded in every sidecar of this session")
    return requested, {"From": recorded, "To": requested, "Time": when}


def group_problem(data_root: Path, participant: str, group: str) -> str | None:
    """What is wrong with choosing ``group`` for ``participant`` in the dialog (None: fine)."""
    recorded = known_group(data_root, participant)
    if group in ("", "n/a") or recorded in ("n/a", group):
        return None
    return (f"sub-{participant} is recorded as {recorded!r} in "
            f"{Path(data_root) / 'participants.tsv'}, not {group!r}. Choose the recorded "
            f"group, or move the participant on the command line with --group {group} "
            "--change-group (the change is recorded in every sidecar).")


def resolve_labels(args, *, sessions, default_session: str | None = None,
                   header: str = "", data_root: Path | None = None
                   ) -> tuple[str, str, str] | None:
    """Participant, session and group: from the command line, else from the experimenter
    dialog (None when it is cancelled). With no one to ask (CI, no display): exit 2."""
    if args.participant is not None and args.session is not None:
        participant = bids.check_label("participant", args.participant, option="--participant")
        session, note = bids.check_session(args.session, option="--session")
        if note:
            print(f"[icb] note: {note}", file=sys.stderr)
        return participant, session, bids.check_group(args.group)
    if env_flag("CI") or not display_answers():
        missing = [o for o, v in (("--participant", args.participant),
                                  ("--session", args.session)) if v is None]
        raise BadInput(f"{' and '.join(missing)} missing, and there is no one to ask: "
                       + ("CI is set" if env_flag("CI") else "no X display answers")
                       + "; give them on the command line, e.g. --participant 07 "
                       "--session pre")
    from tasks.core.psychopy_engine.dialog import ask_session_labels
    root = Path(data_root) if data_root is not None else None
    labels = ask_session_labels(
        sessions=list(sessions), groups=list(bids.GROUPS), check_label=bids.check_label,
        default_session=args.session or default_session, header=header,
        recorded_group=(lambda p: known_group(root, p)) if root else None,
        group_problem=(lambda p, g: group_problem(root, p, g)) if root else None)
    if labels is None:
        return None
    participant, session, group = labels
    return participant, bids.check_session(session, option="session")[0], group
