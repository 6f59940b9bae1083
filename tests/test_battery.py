"""Battery configs without a window: every error names the file, the key, the bad value and
what is allowed (exit 2, no traceback); labels are refused before anything opens."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.battery import battery_task_paths, load_battery, split_spec
from icb.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
ICB = [sys.executable, "-m", "icb.cli"]
DEMO = REPO / "configs" / "demo"


def icb(*args, env=None):
    return subprocess.run([*ICB, *map(str, args)], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env=env)


def battery(tmp_path, text, name="b.yaml"):
    for task in ("dotprobe", "rating", "keypress", "cryrating"):
        (tmp_path / f"{task}.yaml").write_text(f"include: {DEMO / (task + '.yaml')}\n")
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path):
    with pytest.raises(ConfigError) as info:
        load_battery(path)
    return info.value.problems


def test_shipped_batteries_list_the_five_tasks():
    for name in ("battery_pre.yaml", "battery_post.yaml", "demo/battery_pre.yaml"):
        b = load_battery(REPO / "configs" / name)
        assert [p.stem for p in b.tasks] == ["dotprobe", "opioid_dotprobe", "rating", "keypress",
                                             "cryrating"]
        assert b.settings["order"] == "latin_square"
        assert b.station == {"abort_modifiers": ["ctrl", "shift"]}
    assert load_battery(REPO / "configs" / "battery_post.yaml").settings["session"] == "post"
    out = icb("validate", REPO / "configs" / "battery_pre.yaml", REPO / "configs" /
              "battery_post.yaml", DEMO / "battery_pre.yaml")
    assert out.returncode == 0, out.stderr


def test_eye_tracking_batteries_add_free_viewing_and_name_the_tracker():
    for name, session in (("battery_pre_eyetracking.yaml", "pre"),
                          ("battery_post_eyetracking.yaml", "post"),
                          ("demo/battery_pre_eyetracking.yaml", "pre")):
        b = load_battery(REPO / "configs" / name)
        assert [p.stem for p in b.tasks] == ["freeview", "dotprobe", "opioid_dotprobe",
                                             "rating", "keypress", "cryrating"]
        assert b.settings["session"] == session and b.settings["order"] == "latin_square"
        assert b.station == {"abort_modifiers": ["ctrl", "shift"], "eye_tracker": "mousegaze"}
    out = icb("validate", REPO / "configs" / "battery_pre_eyetracking.yaml")
    assert out.returncode == 0, out.stderr


def test_unknown_key_did_you_mean_and_missing_task_config(tmp_path):
    path = battery(tmp_path, "battery:\n  tasks: [dotprobe.yaml, ratingg.yaml]\n"
                   "  ordr: latin_square\n  pause_min_s: -3\n")
    probs = problems(path)
    assert any("b.yaml: battery.ordr: unknown parameter 'ordr' (did you mean 'order'?)" in p
               for p in probs), probs
    assert any("battery.tasks: item 2: task config not found" in p and "ratingg.yaml" in p
               and "(did you mean 'rating.yaml'?)" in p for p in probs), probs
    assert any("battery.pause_min_s: bad value -3" in p and "from 0 to 600" in p
               for p in probs), probs
    for command in (("validate", path), ("run", path, "--participant", "01", "--session",
                                         "pre", "--data-dir", tmp_path / "data")):
        out = icb(*command)
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert "did you mean 'order'?" in out.stderr and "ratingg.yaml" in out.stderr
    assert not (tmp_path / "data").exists()


def test_other_battery_mistakes(tmp_path):
    probs = problems(battery(tmp_path, "task: dotprobe\nbattery: [dotprobe.yaml]\n"))
    assert any("task: not allowed in a battery config" in p for p in probs), probs
    probs = problems(battery(tmp_path, "battery:\n  order: random\n"))
    assert any("battery.tasks: missing" in p for p in probs), probs
    assert any("battery.order: bad value 'random'; allowed: one of fixed, latin_square" in p
               for p in probs), probs
    probs = problems(battery(tmp_path, "battery: [dotprobe.yaml]\nstation: {abort_modifiers: "
                             "[cmd]}\n"))
    assert any("station.abort_modifiers" in p and "'cmd'" in p for p in probs), probs
    inner = battery(tmp_path, "battery: [dotprobe.yaml]\n", name="inner.yaml")
    probs = problems(battery(tmp_path, f"battery: [{inner.name}]\n"))
    assert any("is itself a battery" in p for p in probs), probs
    (tmp_path / "dp2.yaml").write_text(f"include: {DEMO / 'dotprobe.yaml'}\n")
    path = battery(tmp_path, "battery: [dotprobe.yaml, dp2.yaml]\n")
    assert len(battery_task_paths(path)) == 2
    out = icb("run", path, "--participant", "01", "--session", "pre")
    assert out.returncode == 2 and "label 'dotprobe' twice" in out.stderr, out.stderr


def test_bad_task_config_inside_battery_is_named(tmp_path):
    path = battery(tmp_path, "battery: [dotprobe.yaml, rating.yaml]\n")
    (tmp_path / "rating.yaml").write_text(f"include: {DEMO / 'rating.yaml'}\nparams:\n"
                                          "  n_blockz: 2\n")
    out = icb("validate", path)
    assert out.returncode == 2 and "rating.yaml: params.n_blockz: unknown parameter" in out.stderr


def test_labels_checked_and_session_must_match(tmp_path):
    pre = REPO / "configs" / "demo" / "battery_pre.yaml"
    out = icb("run", pre, "--participant", "0 7", "--session", "pre", "--data-dir", tmp_path)
    assert out.returncode == 2 and "letters and digits only" in out.stderr
    out = icb("run", pre, "--participant", "07", "--session", "post", "--data-dir", tmp_path)
    assert out.returncode == 2 and "battery for session 'pre', not 'post'" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_labels_and_nobody_to_ask_exit_2(tmp_path):
    pre = REPO / "configs" / "demo" / "battery_pre.yaml"
    env = dict(os.environ, CI="true")
    out = icb("run", pre, "--data-dir", tmp_path, env=env)
    assert out.returncode == 2 and "no one to ask: CI is set" in out.stderr, out.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "DISPLAY")}
    out = icb("run", pre, "--data-dir", tmp_path, env=env)
    assert out.returncode == 2 and "no X display answers" in out.stderr, out.stderr
    assert "--participant 07 --session pre" in out.stderr and "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_simulate_spec_split_per_task():
    assert split_spec("p_error=0,dotprobe:bias_ms=30,rating:noise=1", "dotprobe") == \
        "p_error=0,bias_ms=30"
    assert split_spec("dotprobe:bias_ms=30", "rating") == ""
    assert split_spec(None, "rating") is None
