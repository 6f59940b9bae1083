"""The dataset-level files of a data root (dataset_description.json, README,
participants.tsv/.json, .bidsignore) and the runs already on disk.  File names come
from :class:`icb.bids.BidsName`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from icb import __version__
from icb.bids import BIDS_VERSION, EVENTS_RE, beh_dir
from icb.files import atomic_write_text, locked

BIDSIGNORE_LINES = ("station_check*.json", "sessions.tsv", "logs/", "*_sessionlog.tsv")


def existing_runs(data_root: Path, participant: str, session: str, task: str) -> list[int]:
    """Run numbers already on disk for this participant, session and task (sorted)."""
    folder = beh_dir(data_root, participant, session)
    runs = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = EVENTS_RE.match(path.name)
            if m and m["task"] == task:
                runs.append(int(m["run"]))
        for path in folder.glob(f"sub-{participant}_ses-{session}_task-{task}_run-*_events.json"):
            runs.append(int(path.name.split("_run-")[1].split("_")[0]))
    return sorted(set(runs))


def ensure_dataset_files(data_root: Path, *, simulated: bool = False) -> None:
    """Create ``dataset_description.json``, ``README``, ``participants.json`` and
    ``.bidsignore`` when missing (existing ones, which the lab may have edited, are left
    as they are), under an exclusive lock on ``.dataset.lock``: two stations starting on
    one data root at the same instant neither write these twice nor replace each other's."""
    root = Path(data_root)
    with locked(root, "dataset"):
        _write_missing_dataset_files(root, simulated)


def _write_missing_dataset_files(root: Path, simulated: bool) -> None:
    desc = root / "dataset_description.json"
    if not desc.exists():
        atomic_write_text(desc, json.dumps({
            "Name": "Infant-cue salience battery data" + (" (simulated)" if simulated else ""),
            "BIDSVersion": BIDS_VERSION,
            "DatasetType": "raw",
            "Authors": ["Study team (edit this list)", "icb: infant-cue salience battery"],
            "GeneratedBy": [{"Name": "icb", "Version": __version__,
                             "Description": "Infant-cue salience battery (PsychoPy)"}],
        }, indent=2) + "\n")
    readme = root / "README"
    if not readme.exists():
        atomic_write_text(readme, (
            "Data written by the infant-cue salience battery (icb).\n\n"
            "Each run is sub-<P>/ses-<S>/beh/sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv with a\n"
            "JSON sidecar describing every column and the run's provenance (Provenance.Status:\n"
            "in_progress, completed or aborted). Free-viewing runs add BIDS eye tracking\n"
            "beside it: ..._recording-eye1_physio.tsv.gz (gaze samples) and\n"
            "..._recording-eye1_physioevents.tsv.gz (tracker events), each with a JSON sidecar.\n"
            "Score with: icb score <this folder> --out DIR\n"))
    pjson = root / "participants.json"
    if not pjson.exists():
        atomic_write_text(pjson, json.dumps({
            "participant_id": {"LongName": "Participant", "Description": "BIDS participant id"},
            "group": {"LongName": "Group", "Description": "Intervention group",
                      "Levels": {"MORE": "Mindfulness-Oriented Recovery Enhancement",
                                 "control": "comparison condition", "n/a": "not assigned"}},
        }, indent=2) + "\n")
    ignore = root / ".bidsignore"
    if not ignore.exists():
        atomic_write_text(ignore, "\n".join(BIDSIGNORE_LINES) + "\n")


def update_participants(data_root: Path, participant: str, group: str | None = None) -> None:
    """Add ``sub-<participant>`` to ``participants.tsv`` (or update its group), keeping
    every byte the battery did not write (:mod:`tasks.core.lab_tables`)."""
    from tasks.core.lab_tables import update_participants as update
    update(data_root, participant, group)
