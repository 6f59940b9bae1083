"""Key-press task in a real window (Xvfb in CI) with the simulated participant pressing
keys through XTEST: the recorded viewing time agrees, within one frame, with what the
recorded counted presses give under the press rule."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.config import load_task_config
from engine_parity import assert_engine_parity
from tasks.paradigms.keypress.design import apply_presses, parse_log, response_class, rule_for

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "configs" / "demo" / "keypress.yaml"

pytestmark = pytest.mark.display


def test_viewing_time_matches_presses_within_one_frame(tmp_path, display, record_property):
    spec = "p_repeat=0.2,offset_ms=-300,baby_schema_slope_ms=0"
    out = subprocess.run([sys.executable, "-m", "icb.cli", "run", str(DEMO), "--participant",
                          "01", "--session", "pre", "--windowed", "--simulate", spec,
                          "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr
    beh = tmp_path / "sub-01" / "ses-pre" / "beh"
    tsv = beh / "sub-01_ses-pre_task-keypress_run-1_events.tsv"
    prov = json.loads(tsv.with_suffix(".json").read_text())["Provenance"]
    assert prov["Status"] == "completed" and prov["Keyboard"]["Backend"] == "ptb"
    with open(tsv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    config = load_task_config(DEMO)
    assert len(rows) == 1 + 6
    frame_ms = 1000.0 / prov["Display"]["FrameRateUsedHz"]
    errors = []
    for r in rows:
        log = parse_log(None if r["press_log"] == "n/a" else r["press_log"])
        rule = rule_for(config.params)
        replay = apply_presses(rule, [(k, t) for k, t, _ in log])
        assert [s for *_, s in replay] == [s for *_, s in log]
        assert (rule.n_increase, rule.n_decrease) == (int(r["n_increase"]),
                                                      int(r["n_decrease"]))
        assert r["response_class"] == response_class(rule.n_increase, rule.n_decrease)
        errors.append(float(r["viewing_time_ms"]) - rule.offset_ms)
        # within a frame of the rule's offset, plus the frames this row says were dropped
        assert abs(errors[-1]) <= frame_ms * (1 + int(r["dropped_frames"])), r
    record_property("keypress_viewing_error_ms", errors)
    print(f"viewing time - rule offset (ms): {[round(e, 2) for e in errors]}; "
          f"frame {frame_ms:.2f} ms")
    # the same run through the data engine records the same rows (apart from time stamps)
    assert assert_engine_parity(DEMO, tsv, tsv.with_suffix(".json"), spec,
                                tmp_path / "twin") == len(rows)
    # the planted presses arrived: infants lengthened (increase), repeats did not count
    infant = [r for r in rows if r["category"] == "infant"]
    assert infant and all(int(r["n_increase"]) > 0 for r in infant)
    assert any(r["n_decrease"] != "0" or r["response_class"] == "default" for r in rows
               if r["category"] != "infant")
