"""Every config error message: file, key path, bad value, what is allowed; exit 2."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.config import load_task_config
from icb.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
ICB = [sys.executable, "-m", "icb.cli"]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path):
    with pytest.raises(ConfigError) as info:
        load_task_config(path)
    return info.value.problems


def icb(*args, cwd=REPO):
    return subprocess.run([*ICB, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_three_mistakes_all_named_exit_2(tmp_path):
    cfg = write(tmp_path, "bad.yaml", f"""
include: {REPO / 'configs' / 'station.yaml'}
task: dotprobe
params:
  cue_msec: [200]
  n_blocks: 0
  probe_mode: colour
""")
    out = icb("validate", cfg)
    assert out.returncode == 2, out.stderr
    err = out.stderr
    assert "Traceback" not in err
    assert "bad.yaml: params.cue_msec: unknown parameter 'cue_msec' (did you mean " \
           "'cue_durations_ms'?)" in err
    assert "bad.yaml: params.n_blocks: bad value 0; allowed: a whole number from 1 to 20" in err
    assert "bad.yaml: params.probe_mode: bad value 'colour'; allowed: one of location, " \
           "discrimination" in err
    assert "3 problem(s)" in err


def test_unknown_top_level_key_and_task(tmp_path):
    cfg = write(tmp_path, "c.yaml", "paradgm: dotprobe\nparms: {}\n")
    probs = problems_of(cfg)
    assert any("unknown top-level key 'paradgm' (did you mean 'paradigm'?)" in p for p in probs)
    assert any("unknown top-level key 'parms' (did you mean 'params'?)" in p for p in probs)
    assert any("paradigm: missing; allowed: one of cryrating, dotprobe" in p for p in probs)
    cfg2 = write(tmp_path, "d.yaml", "paradigm: dotprobes\n")
    assert any("unknown paradigm 'dotprobes' (did you mean 'dotprobe'?)" in p
               for p in problems_of(cfg2))
    # `task:` is the older name of `paradigm:`; both at once is a mistake; labels are BIDS
    assert any("unknown paradigm 'dotprobes'" in p
               for p in problems_of(write(tmp_path, "e.yaml", "task: dotprobes\n")))
    both = problems_of(write(tmp_path, "f.yaml", "task: dotprobe\nparadigm: dotprobe\n"))
    assert any("task: set together with paradigm" in p for p in both), both
    bad_label = problems_of(write(tmp_path, "g.yaml", "paradigm: dotprobe\nlabel: opioid_dp\n"))
    assert any("label: bad task label 'opioid_dp'" in p for p in bad_label), bad_label


def test_wrong_types_and_lists(tmp_path):
    cfg = write(tmp_path, "c.yaml", """
task: dotprobe
station: {fullscreen: "yes", screen_size_px: [800], keyboard_backend: iohub}
params:
  cue_durations_ms: [200, 200]
  fixation_ms: 12.5
  trial_types: "infant_distress-infant_neutral"
""")
    probs = "\n".join(problems_of(cfg))
    assert "station.fullscreen: bad value 'yes'; allowed: true or false" in probs
    assert "station.screen_size_px: bad value [800]: needs at least 2 items" in probs
    assert "station.keyboard_backend: bad value 'iohub'; allowed: one of ptb, event" in probs
    assert "params.cue_durations_ms: bad value [200, 200]: items must not repeat" in probs
    assert "params.fixation_ms: bad value 12.5; allowed: a whole number from 0 to 5000 in ms" \
        in probs
    assert "params.trial_types: bad value 'infant_distress-infant_neutral'; allowed: a list" \
        in probs


def test_problem_names_the_included_file_that_set_the_key(tmp_path):
    base = write(tmp_path, "base.yaml", "station: {expected_refresh_hz: 5}\n")
    cfg = write(tmp_path, "task.yaml", "include: base.yaml\ntask: dotprobe\n")
    probs = problems_of(cfg)
    assert any(p.startswith(f"{base}: station.expected_refresh_hz: bad value 5; allowed: a "
                            "number from 20 to 500 in Hz") for p in probs), probs


def test_yaml_syntax_error_names_line(tmp_path):
    cfg = write(tmp_path, "c.yaml", "task: dotprobe\nparams:\n  n_blocks: [1,\n")
    probs = problems_of(cfg)
    assert len(probs) == 1 and "c.yaml: line" in probs[0] and "not valid YAML" in probs[0]


def test_include_cycle_and_missing_include(tmp_path):
    write(tmp_path, "a.yaml", "include: b.yaml\ntask: dotprobe\n")
    write(tmp_path, "b.yaml", "include: a.yaml\n")
    assert any("includes itself" in p for p in problems_of(tmp_path / "a.yaml"))
    cfg = write(tmp_path, "m.yaml", "include: nowhere.yaml\ntask: dotprobe\n")
    assert any("nowhere.yaml: config file not found" in p for p in problems_of(cfg))


def test_iti_order_checked(tmp_path):
    cfg = write(tmp_path, "c.yaml", f"include: {REPO / 'configs' / 'dotprobe.yaml'}\n"
                "params: {iti_min_ms: 900, iti_max_ms: 600}\n")
    assert any("params.iti_min_ms: 900 is larger than params.iti_max_ms (600)" in p
               for p in problems_of(cfg))


@pytest.mark.parametrize("hz, cues, same", [(60, "[17, 20, 24, 200]", "17, 20 and 24 ms would "
                                             "all last 1 frame(s)"),
                                             (100, "[200, 204]", "200 and 204 ms would all "
                                              "last 20 frame(s)")])
def test_cue_durations_of_one_frame_count_refused(tmp_path, hz, cues, same):
    cfg = write(tmp_path, "c.yaml", f"include: {REPO / 'configs' / 'dotprobe.yaml'}\n"
                f"station: {{expected_refresh_hz: {hz}}}\nparams: {{cue_durations_ms: {cues}}}\n")
    assert any(same in p and f"({hz} Hz)" in p for p in problems_of(cfg)), problems_of(cfg)
    ok = write(tmp_path, "ok.yaml", f"include: {REPO / 'configs' / 'dotprobe.yaml'}\n"
               "params: {cue_durations_ms: [17, 34, 200]}\n")
    assert load_task_config(ok).params["cue_durations_ms"] == [17, 34, 200]


def test_missing_config_file_exit_2(tmp_path):
    out = icb("validate", tmp_path / "nope.yaml")
    assert out.returncode == 2
    assert "nope.yaml: config file not found" in out.stderr


def test_shipped_configs_validate():
    configs = sorted((REPO / "configs").rglob("*.yaml"))
    configs = [c for c in configs if c.name not in ("station.yaml", "scoring.yaml")
               and not c.name.startswith("station_")]  # station configs: icb check's
    out = icb("validate", *configs)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("ok: ") >= len(configs)


def test_validate_plan_prints_trial_list():
    out = icb("validate", "--plan", REPO / "configs" / "demo" / "dotprobe.yaml",
              "--participant", "07", "--session", "pre")
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if "\t" in line]
    assert lines[0].startswith("trial_index\tphase\tblock\ttrial_type")
    assert len(lines) - 1 == 4 + 16 + 2  # practice + crossing + fillers
    again = icb("validate", "--plan", REPO / "configs" / "demo" / "dotprobe.yaml",
                "--participant", "07", "--session", "pre")
    assert again.stdout == out.stdout  # same participant and session: same seed, same list


def test_run_without_labels_and_no_one_to_ask_exits_2(tmp_path):
    env = {**os.environ, "CI": "true"}
    out = subprocess.run([*ICB, "run", str(REPO / "configs" / "demo" / "dotprobe.yaml"),
                          "--data-dir", str(tmp_path)], capture_output=True, text=True,
                         cwd=REPO, timeout=120, env=env)
    assert out.returncode == 2
    assert "--participant and --session missing, and there is no one to ask: CI is set" \
        in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_shipped_eye_tracker_station_configs_load():
    from tasks.check import station_of
    for tracker in ("eyelink", "tobii", "gazepoint"):
        station = station_of(REPO / "configs" / f"station_{tracker}.yaml")
        assert station["eye_tracker"] == tracker and station["eye_tracker_sampling_hz"] > 0
