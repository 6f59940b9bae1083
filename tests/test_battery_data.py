"""Battery, resume, abort-confirmation and counterbalancing logic on the data engine: the
same ``run_battery`` as ``icb run BATTERY``, with ``open_engine`` handing it the data-only
engine (no window), so every branch runs in seconds.  What only a window can show (the
whole battery in one window, the abort chord through X key events, the dialog) is in
tests/test_battery_window.py."""

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from icb.cli import build_parser
from tasks.core import counterbalance
from tasks.battery import load_battery, run_battery
from tasks.core.data_engine import DataEngine, ScriptedAbort

REPO = Path(__file__).resolve().parent.parent
DEMO_PRE = REPO / "configs" / "demo" / "battery_pre.yaml"
LABELS = ["dotprobe", "opioiddotprobe", "rating", "keypress", "cryrating"]
LABELS_IN_FILE = LABELS  # the demo battery's tasks, in the order it lists them


class PowerCut(BaseException):
    """The station dies mid-task (what a SIGKILL leaves: a sidecar still in_progress).  A
    BaseException, as a dying process runs no error handler: the runner records an
    ``Exception`` (a bug) as aborted, never a power cut."""


class CrashingEngine(DataEngine):
    """Dies at presentation call ``at_call``."""

    def __init__(self, at_call: int, **kw):
        super().__init__(**kw)
        self.crash_at = at_call

    def _trial_call(self) -> None:
        if self.calls + 1 == self.crash_at:
            raise PowerCut("power cut")
        super()._trial_call()


def args_for(battery, data, participant, *extra):
    return build_parser().parse_args(["run", str(battery), "--participant", participant,
                                      "--session", "pre", "--simulate", "--data-dir",
                                      str(data), *extra])


def run(battery, data, participant, *extra, engine=None):
    """``icb run BATTERY`` on the data engine; the exit status and the engine used."""
    engine = engine or DataEngine()

    def open_engine(station, *, windowed, simulate, log):
        engine.open()
        return engine

    return run_battery(args_for(battery, data, participant, *extra), open_engine), engine


def read_tsv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def session_row(data, participant):
    rows = [r for r in read_tsv(data / "sessions.tsv")
            if r["participant_id"] == f"sub-{participant}"]
    assert len(rows) == 1
    return rows[0]


def sidecar(data, participant, label, run_number):
    beh = data / f"sub-{participant}" / "ses-pre" / "beh"
    name = f"sub-{participant}_ses-pre_task-{label}_run-{run_number}_events.json"
    return json.loads((beh / name).read_text())["Provenance"]


def events_files(data, participant):
    return sorted(p.name for p in (data / f"sub-{participant}" / "ses-pre" / "beh")
                  .glob("*_events.tsv"))


def test_whole_battery_in_one_engine_then_nothing_left(tmp_path):
    status, engine = run(DEMO_PRE, tmp_path, "02")
    assert status == 0
    row = session_row(tmp_path, "02")
    order = row["task_order"].split(",")
    assert sorted(order) == sorted(LABELS) and row["status"] == "completed"
    for position, label in enumerate(order, start=1):
        prov = sidecar(tmp_path, "02", label, 1)
        assert prov["Status"] == "completed" and prov["Battery"]["Position"] == position
        assert prov["TaskName"] == label
    assert sidecar(tmp_path, "02", "opioiddotprobe", 1)["Paradigm"] == "dotprobe"
    # one break screen between each two tasks, the end screen once
    assert sum("break" in text.lower() for text in engine.shown) >= len(LABELS) - 1
    status, _ = run(DEMO_PRE, tmp_path, "02")
    assert status == 0 and len(events_files(tmp_path, "02")) == len(LABELS)


def test_crash_mid_task_then_resume_skips_completed_and_restarts_the_task(tmp_path):
    with pytest.raises(PowerCut):
        run(DEMO_PRE, tmp_path, "03", engine=CrashingEngine(40))
    order = session_row(tmp_path, "03")["task_order"].split(",")
    states = {label: sidecar(tmp_path, "03", label, 1)["Status"]
              for label in order if (tmp_path / "sub-03" / "ses-pre" / "beh" /
                                     f"sub-03_ses-pre_task-{label}_run-1_events.json").exists()}
    crashed = [label for label, status in states.items() if status == "in_progress"]
    assert len(crashed) == 1 and session_row(tmp_path, "03")["status"] == "in_progress"
    completed = [label for label, status in states.items() if status == "completed"]
    assert completed == order[:len(completed)] and completed
    status, _ = run(DEMO_PRE, tmp_path, "03")
    assert status == 0
    resumed = sidecar(tmp_path, "03", crashed[0], 2)
    assert resumed["Resumed"] is True and resumed["ResumedFrom"] == "run-1"
    assert resumed["Seed"] == sidecar(tmp_path, "03", crashed[0], 1)["Seed"]
    for label in completed:  # never run twice
        assert not (tmp_path / "sub-03" / "ses-pre" / "beh" /
                    f"sub-03_ses-pre_task-{label}_run-2_events.tsv").exists()
    row = session_row(tmp_path, "03")
    assert row["status"] == "completed" and row["resumes"] == "1"


def test_declined_abort_goes_on_and_confirmed_abort_stops_the_session(tmp_path):
    status, engine = run(DEMO_PRE, tmp_path / "a", "04",
                         engine=DataEngine(aborts=(ScriptedAbort(12, confirm=False),)))
    assert status == 0 and session_row(tmp_path / "a", "04")["status"] == "completed"
    assert "Experimenter: end this run now?" in engine.shown
    status, _ = run(DEMO_PRE, tmp_path / "b", "04",
                    engine=DataEngine(aborts=(ScriptedAbort(12, confirm=True),)))
    assert status == 0
    row = session_row(tmp_path / "b", "04")
    first = row["task_order"].split(",")[0]
    assert row["status"] == "aborted"
    assert sidecar(tmp_path / "b", "04", first, 1)["Status"] == "aborted"
    assert len(events_files(tmp_path / "b", "04")) == 1  # nothing after the abort


def test_a_confirmed_abort_on_the_break_between_tasks(tmp_path):
    """Find the call of the first break screen, then abort there."""
    engine_calls = []

    class Recording(DataEngine):
        def pause_screen(self, *a, **kw):
            engine_calls.append(self.calls + 1)
            return super().pause_screen(*a, **kw)

    run(DEMO_PRE, tmp_path / "count", "05", engine=Recording())
    at_break = engine_calls[0]
    status, _ = run(DEMO_PRE, tmp_path / "b", "05",
                         engine=DataEngine(aborts=(ScriptedAbort(at_break, confirm=True),)))
    assert status == 0
    row = session_row(tmp_path / "b", "05")
    assert row["status"] == "aborted"
    assert row["tasks_completed"] == row["task_order"].split(",")[0]
    assert len(events_files(tmp_path / "b", "05")) == 1


def test_counterbalancing_follows_the_latin_square_and_sets(tmp_path):
    """Labels 10, 12 ... 18: five consecutive rows of the 10-row Williams square of five
    tasks (rows go by index // 2), which put each task first once."""
    battery = load_battery(DEMO_PRE)
    people = ("10", "12", "14", "16", "18")
    for participant in people:
        assert run(DEMO_PRE, tmp_path, participant)[0] == 0
        row = session_row(tmp_path, participant)
        wanted_row = counterbalance.order_row(participant, len(battery.tasks)) + 1
        assert row["order_row"] == str(wanted_row)
        wanted_order = counterbalance.task_order(participant, LABELS_IN_FILE)
        assert row["task_order"].split(",") == wanted_order
        assert row["stimulus_set"] == counterbalance.stimulus_set_for(participant, "pre")
        for label in row["task_order"].split(","):
            prov = sidecar(tmp_path, participant, label, 1)
            assert prov["Battery"]["order_row"] == wanted_row
    orders = [session_row(tmp_path, p)["task_order"] for p in people]
    firsts = Counter(o.split(",")[0] for o in orders)
    assert len(set(orders)) == 5 and len(firsts) == 5  # each task first once in 5 rows


def test_two_labels_of_one_paradigm_scored_apart(tmp_path):
    """The infant and the opioid-cue dot-probe (full lengths) pre and post for a small
    cohort through the battery runner: `icb score` gives bias, TL-BS, split-half
    reliability and change for both labels."""
    for session in ("pre", "post"):
        path = tmp_path / f"pair_{session}.yaml"
        path.write_text(f"battery:\n  tasks: [{REPO / 'configs' / 'dotprobe.yaml'}, "
                        f"{REPO / 'configs' / 'opioid_dotprobe.yaml'}]\n  session: {session}\n"
                        "  pause_between_tasks: false\n")
    data = tmp_path / "data"
    for i in range(6):
        participant = f"{i + 21}"
        for session in ("pre", "post"):
            args = build_parser().parse_args([
                "run", str(tmp_path / f"pair_{session}.yaml"), "--participant", participant,
                "--session", session, "--group", "MORE" if i % 2 else "control",
                "--simulate", "dotprobe:bias_ms=30,opioiddotprobe:bias_ms=60",
                "--data-dir", str(data)])
            engine = DataEngine()
            assert run_battery(args, lambda station, **kw: engine) == 0
    out = subprocess.run([sys.executable, "-m", "icb.cli", "score", str(data), "--out",
                          str(tmp_path / "scores"), "--include-simulated"],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert out.returncode == 0, out.stderr
    scores = tmp_path / "scores"
    long = read_tsv(scores / "scores.tsv")
    for label in ("dotprobe", "opioiddotprobe"):
        measures = {r["measure"] for r in long if r["task"] == label and r["value"] != "n/a"}
        assert {"bias_ms", "tlbs_mean_toward_ms", "tlbs_variability_ms"} <= measures, measures
        for name in ("reliability.tsv", "change.tsv", "rci.tsv"):
            assert any(r["task"] == label for r in read_tsv(scores / name)), (name, label)
        change = [r for r in read_tsv(scores / "change.tsv") if r["task"] == label
                  and r["measure"] == "bias_ms" and r["group"] == "MORE"]
        assert change and all(r["n"] == "3" for r in change)
    bias = [r for r in long if r["measure"] == "bias_ms" and r["value"] != "n/a"]
    means = {}
    for label in ("dotprobe", "opioiddotprobe"):
        values = [float(r["value"]) for r in bias if r["task"] == label]
        means[label] = sum(values) / len(values)
    assert means["opioiddotprobe"] > means["dotprobe"] + 10  # 60 vs 30 ms planted


def test_an_including_battery_overrides_key_by_key(tmp_path):
    """`battery:` merges like `station:`: an including file that changes only the order
    keeps the included session, breaks and task list (paths relative to the file that
    lists them)."""
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "fixed.yaml"
    path.write_text(f"include: {DEMO_PRE}\nbattery:\n  order: fixed\n")
    battery = load_battery(path)
    included = load_battery(DEMO_PRE)
    assert battery.settings["order"] == "fixed" and included.settings["order"] == "latin_square"
    assert battery.tasks == included.tasks
    assert {k: v for k, v in battery.settings.items() if k != "order"} == \
        {k: v for k, v in included.settings.items() if k != "order"}
