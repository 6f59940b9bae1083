"""BIDS names and the dataset-level files of a data root.

File names follow BIDS entities: ``sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv``
inside ``sub-<P>/ses-<S>/beh/``.  Labels are checked before anything is opened.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

from tasks import __version__
from tasks.errors import BadInput

LABEL_RE = re.compile(r"^[A-Za-z0-9]+\Z")  # \Z: "$" would accept a trailing newline
EVENTS_RE = re.compile(
    r"^sub-(?P<participant>[A-Za-z0-9]+)_ses-(?P<session>[A-Za-z0-9]+)"
    r"_task-(?P<task>[A-Za-z0-9]+)_run-(?P<run>[0-9]+)_events\.tsv$"
)
GROUPS = ("MORE", "control", "n/a")
BIDS_VERSION = "1.9.0"
BIDSIGNORE_LINES = ("station_check*.json", "sessions.tsv", "logs/", "*_sessionlog.tsv")


def check_label(kind: str, value: object, *, option: str | None = None) -> str:
    """Return ``value`` as a BIDS label, or raise ``BadInput`` naming what is wrong.

    >>> check_label("participant", "07")
    '07'
    """
    where = option or kind
    text = "" if value is None else str(value)
    if not text:
        raise BadInput(f"{where}: the {kind} label is empty; allowed: letters and digits only "
                       "(e.g. 07 or P07)")
    if not LABEL_RE.match(text):
        raise BadInput(f"{where}: bad {kind} label {text!r}; allowed: letters and digits only "
                       "(no spaces, dashes, underscores, dots or slashes), e.g. 07 or P07")
    return text


def check_group(value: str | None) -> str:
    if value is None or value == "":
        return "n/a"
    if value not in GROUPS:
        raise BadInput(f"--group: bad group {value!r}; allowed: {', '.join(GROUPS)}")
    return value


def events_stem(participant: str, session: str, task: str, run: int) -> str:
    """``sub-07_ses-pre_task-dotprobe_run-1``."""
    return f"sub-{participant}_ses-{session}_task-{task}_run-{run}"


def beh_dir(data_root: Path, participant: str, session: str) -> Path:
    return Path(data_root) / f"sub-{participant}" / f"ses-{session}" / "beh"


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


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula.

    A field that begins with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe.
    Numbers are never passed here.

    >>> spreadsheet_safe("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    """
    if text and text[0] in "=+-@":
        return "'" + text
    return text


def tsv_cell(value: object) -> str:
    """Format one TSV cell: ``n/a`` for missing, numbers unrounded, text made safe."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return "n/a"
        return repr(value)
    if hasattr(value, "item"):  # numpy scalar
        return tsv_cell(value.item())
    text = str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return "n/a" if text == "" else spreadsheet_safe(text)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        # A full disk: leave the old file as it was and no half-written temp file behind;
        # the error names the file meant, not the temp file.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def ensure_dataset_files(data_root: Path, *, simulated: bool = False) -> None:
    """Create ``dataset_description.json``, ``README``, ``participants.json`` and
    ``.bidsignore`` when missing (existing ones are left as they are)."""
    root = Path(data_root)
    root.mkdir(parents=True, exist_ok=True)
    desc = root / "dataset_description.json"
    if not desc.exists():
        _atomic_write_text(desc, json.dumps({
            "Name": "Infant-cue salience battery data" + (" (simulated)" if simulated else ""),
            "BIDSVersion": BIDS_VERSION,
            "DatasetType": "raw",
            "Authors": ["Study team (edit this list)", "icb: infant-cue salience battery"],
            "GeneratedBy": [{"Name": "icb", "Version": __version__,
                             "Description": "Infant-cue salience battery (PsychoPy)"}],
        }, indent=2) + "\n")
    readme = root / "README"
    if not readme.exists():
        _atomic_write_text(readme, (
            "Data written by the infant-cue salience battery (icb).\n\n"
            "Each run is sub-<P>/ses-<S>/beh/sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv with a\n"
            "JSON sidecar describing every column and the run's provenance (Provenance.Status:\n"
            "in_progress, completed or aborted). Score with: icb score <this folder> --out DIR\n"))
    pjson = root / "participants.json"
    if not pjson.exists():
        _atomic_write_text(pjson, json.dumps({
            "participant_id": {"LongName": "Participant", "Description": "BIDS participant id"},
            "group": {"LongName": "Group", "Description": "Intervention group",
                      "Levels": {"MORE": "Mindfulness-Oriented Recovery Enhancement",
                                 "control": "comparison condition", "n/a": "not assigned"}},
        }, indent=2) + "\n")
    ignore = root / ".bidsignore"
    if not ignore.exists():
        _atomic_write_text(ignore, "\n".join(BIDSIGNORE_LINES) + "\n")


def update_participants(data_root: Path, participant: str, group: str | None = None) -> None:
    """Add ``sub-<participant>`` to ``participants.tsv`` (or update its group).

    An existing group is kept when ``group`` is None or ``n/a``.
    """
    path = Path(data_root) / "participants.tsv"
    rows: list[dict[str, str]] = []
    header = ["participant_id", "group"]
    if path.exists():
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t")
            header = list(reader.fieldnames or header)
            rows = [dict(r) for r in reader]
    for col in ("participant_id", "group"):
        if col not in header:
            header.append(col)
    pid = f"sub-{participant}"
    new_group = check_group(group)
    for row in rows:
        if row.get("participant_id") == pid:
            if new_group != "n/a":
                row["group"] = new_group
            break
    else:
        rows.append({"participant_id": pid, "group": new_group})
    out = io.StringIO()
    out.write("\t".join(header) + "\n")
    for row in rows:
        out.write("\t".join(tsv_cell(row.get(col) or None) if row.get(col) != "n/a" else "n/a"
                            for col in header) + "\n")
    _atomic_write_text(path, out.getvalue())
