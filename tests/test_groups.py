"""participants.tsv is the one record of a participant's group: a differing --group (or
dialog choice) is refused naming both unless --change-group, which every sidecar records;
the dialog preselects no group for a new participant and shows a known one's."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from icb.cli import build_parser
from icb.errors import BadInput
from tasks.battery import run_battery
from tasks.core.data_engine import DataEngine

REPO = Path(__file__).resolve().parent.parent
KEYPRESS = REPO / "configs" / "demo" / "keypress.yaml"


def one_task_battery(tmp_path, session):
    path = tmp_path / f"battery_{session}.yaml"
    path.write_text(f"include: {REPO / 'configs' / 'demo' / 'battery_pre.yaml'}\n"
                    f"battery:\n  session: {session}\n  tasks: [{KEYPRESS}]\n")
    return path


def battery(tmp_path, data, session, *extra):
    args = build_parser().parse_args(["run", str(one_task_battery(tmp_path, session)),
                                      "--participant", "UX07", "--session", session,
                                      "--simulate", "--data-dir", str(data), *extra])

    def open_engine(station, *, windowed, simulate, log):
        engine = DataEngine()
        engine.open()
        return engine

    return run_battery(args, open_engine)


def groups(data):
    with open(data / "participants.tsv", newline="") as fh:
        return {r["participant_id"]: r["group"] for r in csv.DictReader(fh, delimiter="\t")}


def provenance(data, session, run=1):
    path = (data / "sub-UX07" / f"ses-{session}" / "beh"
            / f"sub-UX07_ses-{session}_task-keypress_run-{run}_events.json")
    return json.loads(path.read_text())["Provenance"]


def test_differing_group_refused_unless_changed_on_purpose(tmp_path):
    data = tmp_path / "data"
    assert battery(tmp_path, data, "pre", "--group", "control") == 0
    before = (data / "participants.tsv").read_bytes()
    with pytest.raises(BadInput) as refused:
        battery(tmp_path, data, "post", "--group", "MORE")
    message = str(refused.value)
    assert "'control'" in message and "'MORE'" in message and "--change-group" in message
    assert (data / "participants.tsv").read_bytes() == before
    assert not (data / "sub-UX07" / "ses-post").exists()
    # no --group: the recorded group, in the sidecar too
    assert battery(tmp_path, data, "post") == 0
    assert groups(data) == {"sub-UX07": "control"}
    assert provenance(data, "post")["Group"] == "control"
    assert "GroupChange" not in provenance(data, "post")
    # moved on purpose: participants.tsv, and the sidecar says from what and when
    assert battery(tmp_path, data, "post", "--group", "MORE", "--change-group",
                   "--rerun") == 0
    assert groups(data) == {"sub-UX07": "MORE"}
    prov = provenance(data, "post", run=2)
    assert prov["Group"] == "MORE"
    assert prov["GroupChange"]["From"] == "control" and prov["GroupChange"]["To"] == "MORE"
    assert prov["GroupChange"]["Time"].startswith("20")


def test_icb_run_refuses_a_differing_group_before_any_window(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "participants.tsv").write_text("participant_id\tgroup\nsub-UX07\tcontrol\n")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    out = subprocess.run([sys.executable, "-m", "icb.cli", "run", str(KEYPRESS),
                          "--participant", "UX07", "--session", "post", "--group", "MORE",
                          "--simulate", "--data-dir", str(data)], capture_output=True,
                         text=True, cwd=REPO, env=env, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert "recorded as 'control'" in out.stderr and "not 'MORE'" in out.stderr
    assert sorted(p.name for p in data.iterdir()) == ["participants.tsv"]


DIALOG_SCRIPT = r"""
import json, os, sys
from PyQt6 import QtCore, QtWidgets
from tasks.core.psychopy_engine.dialog import ask_session_labels
from tasks.session import group_problem, known_group
from icb import bids
from pathlib import Path
root = Path(sys.argv[1])
seen = {}
app = QtWidgets.QApplication(["icb-test"])  # before the timers below

def find(kind, name):
    dialog = next(w for w in QtWidgets.QApplication.topLevelWidgets()
                  if w.objectName() == "icb-session-dialog" and w.isVisible())
    return dialog.findChild(kind, name)

def step(actions):
    if not actions:
        return
    try:
        actions[0]()
    except Exception as exc:  # a failed step must end the script, not leave the dialog up
        print(f"step {len(seen)} failed: {exc!r}", file=sys.stderr)
        os._exit(3)
    QtCore.QTimer.singleShot(50, lambda: step(actions[1:]))

def ok():
    find(QtWidgets.QDialogButtonBox, "").button(
        QtWidgets.QDialogButtonBox.StandardButton.Ok).click()

def note(key):
    seen[key] = {"group": find(QtWidgets.QComboBox, "group").currentText(),
                 "problem": find(QtWidgets.QLabel, "problem").text()}

actions = [
    lambda: find(QtWidgets.QLineEdit, "participant").setText("N01"),
    lambda: note("new"), ok, lambda: note("new_ok"),
    lambda: find(QtWidgets.QLineEdit, "participant").setText("UX07"),
    lambda: note("known"),
    lambda: find(QtWidgets.QComboBox, "group").setCurrentText("MORE"), ok,
    lambda: note("differs"),
    lambda: find(QtWidgets.QComboBox, "group").setCurrentText("control"), ok,
]
QtCore.QTimer.singleShot(200, lambda: step(actions))
labels = ask_session_labels(sessions=["pre", "post"], groups=list(bids.GROUPS),
                            check_label=bids.check_label, default_session="post",
                            recorded_group=lambda p: known_group(root, p),
                            group_problem=lambda p, g: group_problem(root, p, g))
print(json.dumps({"seen": seen, "labels": labels}))
"""


def test_dialog_preselects_no_group_and_shows_the_recorded_one(tmp_path):
    (tmp_path / "participants.tsv").write_text("participant_id\tgroup\nsub-UX07\tcontrol\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", DIALOG_SCRIPT, str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    seen = result["seen"]
    assert seen["new"]["group"] == ""  # a new participant: nothing preselected
    assert "choose one of" in seen["new_ok"]["problem"]  # OK without a group: asked again
    assert seen["known"]["group"] == "control"  # the recorded group, filled in
    assert "recorded as 'control'" in seen["differs"]["problem"]
    assert result["labels"] == ["UX07", "post", "control"]
