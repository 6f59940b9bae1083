"""BIDS labels and file names: one value object builds every name the battery writes.

File names follow BIDS entities: ``sub-<P>_ses-<S>_task-<T>_run-<N>_events.tsv`` inside
``sub-<P>/ses-<S>/beh/``.  Labels are checked before anything is opened.

>>> name = BidsName("07", "pre", "dotprobe", 2)
>>> name.stem
'sub-07_ses-pre_task-dotprobe_run-2'
>>> BidsName.parse("sub-07_ses-pre_task-dotprobe_run-02_events.tsv") == name
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from icb.errors import BadInput

LABEL_RE = re.compile(r"^[A-Za-z0-9]+\Z")  # \Z: "$" would accept a trailing newline
EVENTS_RE = re.compile(
    r"^sub-(?P<participant>[A-Za-z0-9]+)_ses-(?P<session>[A-Za-z0-9]+)"
    r"_task-(?P<task>[A-Za-z0-9]+)_run-(?P<run>[0-9]+)_events\.tsv\Z"
)
GROUPS = ("MORE", "control", "n/a")
# 1.11: BIDS eye tracking (physio/physioevents with PhysioType "eyetrack"), which free viewing
# writes; the schema the BIDS validator in setup.cfg checks against is 1.11.1
BIDS_VERSION = "1.11.1"


@dataclass(frozen=True)
class BidsName:
    """The entities of one run; ``task`` is the config's label (BIDS ``task-``)."""

    participant: str
    session: str
    task: str
    run: int

    @property
    def stem(self) -> str:
        return f"sub-{self.participant}_ses-{self.session}_task-{self.task}_run-{self.run}"

    def folder(self, data_root: Path) -> Path:
        return beh_dir(data_root, self.participant, self.session)

    def events_tsv(self, data_root: Path) -> Path:
        return self.folder(data_root) / f"{self.stem}_events.tsv"

    def events_json(self, data_root: Path) -> Path:
        return self.folder(data_root) / f"{self.stem}_events.json"

    def recording(self, data_root: Path, recording: str, suffix: str = "physio",
                  ext: str = ".tsv.gz") -> Path:
        """``..._recording-<recording>_<suffix><ext>`` (physio, physioevents, their JSON)."""
        return self.folder(data_root) / f"{self.stem}_recording-{recording}_{suffix}{ext}"

    @staticmethod
    def beside(events_path: Path, recording: str, suffix: str = "physio",
               ext: str = ".tsv.gz") -> Path:
        """The recording file of the run of ``events_path``, in its folder.

        >>> BidsName.beside(Path("d/sub-1_ses-pre_task-fv_run-1_events.tsv"), "ecg").name
        'sub-1_ses-pre_task-fv_run-1_recording-ecg_physio.tsv.gz'
        """
        stem = Path(events_path).name[: -len("_events.tsv")]
        return Path(events_path).with_name(f"{stem}_recording-{recording}_{suffix}{ext}")

    @classmethod
    def parse(cls, filename: str) -> "BidsName | None":
        """The entities of an events file name; None when it is not one (run as a number)."""
        m = EVENTS_RE.match(filename)
        if not m:
            return None
        return cls(m["participant"], m["session"], m["task"], int(m["run"]))


def beh_dir(data_root: Path, participant: str, session: str) -> Path:
    return Path(data_root) / f"sub-{participant}" / f"ses-{session}" / "beh"


def events_stem(participant: str, session: str, task: str, run: int) -> str:
    """``sub-07_ses-pre_task-dotprobe_run-1``."""
    return BidsName(participant, session, task, run).stem


MAX_LABEL_LENGTH = 64  # x3 labels + the rest of a BIDS events name stays under 255 bytes


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
    if len(text) > MAX_LABEL_LENGTH:
        raise BadInput(f"{where}: the {kind} label is {len(text)} characters long; allowed: at "
                       f"most {MAX_LABEL_LENGTH} (a BIDS file name holds the participant, session "
                       "and task labels and must fit the file system's 255 bytes)")
    if not LABEL_RE.match(text):
        raise BadInput(f"{where}: bad {kind} label {text!r}; allowed: letters and digits only "
                       "(no spaces, dashes, underscores, dots or slashes), e.g. 07 or P07")
    return text


CHANGE_SESSIONS = ("pre", "post")  # the labels the change analysis pairs


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions).

    >>> edit_distance("pre", "pree"), edit_distance("post", "pots"), edit_distance("pre", "post")
    (1, 2, 3)
    """
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def check_session(value: object, *, option: str = "--session") -> tuple[str, str | None]:
    """A session label and, for a custom one, a note; a near-miss of ``pre``/``post`` (by
    case, or one letter: ``Pre``, ``pos``, ``pree``) is refused with a did-you-mean, since
    the change analysis would silently leave it out.

    >>> check_session("pre")
    ('pre', None)
    >>> check_session("followup")[1]
    "session 'followup' is a custom label: the change analysis pairs 'pre' and 'post' only"
    >>> check_session("Pre")
    Traceback (most recent call last):
    ...
    icb.errors.BadInput: --session: bad session label 'Pre' (did you mean 'pre'?); ...
    """
    text = check_label("session", value, option=option)
    if text in CHANGE_SESSIONS:
        return text, None
    for known in CHANGE_SESSIONS:
        if text.lower() == known or edit_distance(text.lower(), known) <= 1:
            raise BadInput(f"{option}: bad session label {text!r} (did you mean {known!r}?); "
                           f"allowed: {', '.join(CHANGE_SESSIONS)} (the labels the change "
                           "analysis pairs), or a label of your own that is not one letter "
                           "or a case away from them, e.g. followup")
    return text, (f"session {text!r} is a custom label: the change analysis pairs "
                  f"{CHANGE_SESSIONS[0]!r} and {CHANGE_SESSIONS[1]!r} only")


def check_group(value: str | None) -> str:
    if value is None or value == "":
        return "n/a"
    if value not in GROUPS:
        raise BadInput(f"--group: bad group {value!r}; allowed: {', '.join(GROUPS)}")
    return value


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
