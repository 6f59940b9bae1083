"""Event markers (contract section 8) on the data engine: every events row of every paradigm
has a marker under its trial_index at its onset; run start and end are marked; a trial
shown again after an abort is marked again from its first row.  The LSL outlet and the
real window's timing are tests/test_lsl_window.py's."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from tasks.config import load_task_config
from tasks.core.data_engine import DataEngine, ScriptedAbort
from tasks.core.gaze import eye_sidecar
from tasks.core.markers import Markers
from tasks.core.paradigm import load as load_paradigm
from tasks.core.trial_loop import run_trials
from tasks.core.writer import EventsWriter

CONFIGS = Path(__file__).parent / "configs"
PARADIGMS = {"dotprobe": "dotprobe_fast.yaml", "rating": "rating_tiny.yaml",
             "keypress": "keypress_tiny.yaml", "cryrating": "cryrating_tiny.yaml",
             "freeview": "freeview_fast.yaml"}


def marked_run(tmp_path: Path, config_name: str, engine: DataEngine):
    config = load_task_config(CONFIGS / config_name)
    paradigm = load_paradigm(config.paradigm)
    plan = paradigm.plan(config, "01", "pre", 5)
    sent: list[tuple[str, float]] = []
    markers = Markers(config.label, send=lambda text, t: sent.append((text, t)))
    engine.open()
    engine.set_markers(markers)
    writer = EventsWriter.create(tmp_path, participant="01", session="pre", task=config.label,
                                 columns=paradigm.events_columns(), provenance={})
    if "eye1" in plan.recordings:
        gaze = engine.start_gaze(config.station, simulated=True)
        writer.add_recording("eye1", sidecar=eye_sidecar(gaze), events_sidecar={})
    responder = paradigm.responder(None, config)
    try:
        run_trials(paradigm, config, plan, engine, writer, responder=responder,
                   sim_rng=np.random.default_rng(1), markers=markers)
    finally:
        writer.close()
    with open(writer.tsv_path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    parsed = [(text.split("|"), t) for text, t in sent]
    return config, rows, parsed


@pytest.mark.parametrize("paradigm", sorted(PARADIGMS))
def test_every_events_row_has_a_marker_at_its_onset(tmp_path, paradigm):
    config, rows, markers = marked_run(tmp_path, PARADIGMS[paradigm], DataEngine(60.0))
    assert all(len(fields) == 4 and fields[0] == config.label for fields, _ in markers)
    assert markers[0][0][1:3] == ["n/a", "run_start"] and markers[0][1] == 0.0
    assert markers[-1][0][1:3] == ["n/a", "run_end"]
    assert markers[-1][1] >= max(float(r["onset"]) for r in rows)
    by_index: dict[str, list[float]] = {}
    for (_, index, _event, _stim), t in markers:
        by_index.setdefault(index, []).append(t)
    for row in rows:
        times = by_index.get(row["trial_index"])
        assert times, f"row {row['trial_index']} has no marker"
        assert min(abs(t - float(row["onset"])) for t in times) < 1e-4, row["trial_index"]
    # every marker of a trial belongs to a row that exists
    assert set(by_index) - {"n/a"} <= {r["trial_index"] for r in rows}


def test_markers_name_the_stimuli_and_the_events(tmp_path):
    _, rows, markers = marked_run(tmp_path, "cryrating_tiny.yaml", DataEngine(60.0))
    sounds = [(index, stim) for (_, index, event, stim), _ in markers if event == "sound"]
    first_rows = {}
    for row in rows:
        first_rows.setdefault(row["stim_id"], row["trial_index"])
    assert sounds and all(first_rows[stim] == index for index, stim in sounds)
    ratings = [index for (_, index, event, _), _ in markers if event == "rating"]
    assert sorted(ratings, key=int) == [r["trial_index"] for r in rows]
    _, rows, markers = marked_run(tmp_path / "dp", "dotprobe_fast.yaml", DataEngine(60.0))
    cues = {index: stim for (_, index, event, stim), _ in markers if event == "cue"}
    for row in rows:
        if row["trial_index"] in cues:
            assert cues[row["trial_index"]].count("+") == 1


def test_a_trial_shown_again_after_an_abort_keeps_its_row_numbers(tmp_path):
    engine = DataEngine(60.0, aborts=(ScriptedAbort(3, confirm=False),))
    _, rows, markers = marked_run(tmp_path, "dotprobe_fast.yaml", engine)
    cue_indices = [index for (_, index, event, _), _ in markers if event == "cue"]
    # the scripted abort comes before the trial's first screen: each row marked once,
    # the shown-again trial under the same row as its first attempt
    assert sorted(cue_indices, key=int) == [r["trial_index"] for r in rows]
    assert len(rows) == len(marked_run(tmp_path / "plain", "dotprobe_fast.yaml",
                                       DataEngine(60.0))[1])
