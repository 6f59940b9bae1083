"""Limits before work: configs that are too deep, too big, alias bombs or include diamonds
are refused at once (exit 2, file and limit named), and a number that is not finite is
refused by name, because NaN passes every range check."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import problems_of, write_including
from icb.errors import ConfigError
from tasks.config import load_task_config

REPO = Path(__file__).resolve().parent.parent
DOTPROBE = REPO / "configs" / "demo" / "dotprobe.yaml"
ICB = [sys.executable, "-m", "icb.cli"]

BOMB = "\n".join(["params:", "  filler_ratio: 0.1", "x:"]
                 + [f"  - &a{i} [{', '.join(['*a' + str(i - 1)] * 9 if i else ['lol'] * 9)}]"
                    for i in range(10)])


def icb(*args):
    return subprocess.run([*ICB, *map(str, args)], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


@pytest.mark.parametrize("text, says", [
    ("params:\n  n_blocks: " + "[" * 5000 + "]" * 5000 + "\n",
     "nested more than 20 levels deep; allowed: at most 20"),
    (BOMB, "more than 100000 values once its aliases are expanded"),
    ("params:\n  n_blocks: &s 2\n  x: [" + ", ".join(["*s"] * 300) + "]\n",
     "more than 200 aliases (*name); allowed: at most 200"),
])
def test_deep_and_alias_bomb_configs_are_refused_at_once(tmp_path, text, says):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    started = time.perf_counter()
    out = icb("validate", cfg)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert f"{cfg}: {says}" in out.stderr or says in out.stderr, out.stderr
    assert time.perf_counter() - started < 30


def test_huge_config_is_refused_by_its_size(tmp_path):
    cfg = tmp_path / "big.yaml"
    cfg.write_text("params:\n" + "".join(f"  unknown_{i}: 1\n" for i in range(80_000)))
    out = icb("validate", cfg)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "bytes; allowed: a config of at most 1000000 bytes" in out.stderr


def test_include_diamond_is_bounded(tmp_path):
    # each level includes the next level twice: 2**20 reads without a bound
    for level in range(20):
        nxt = f"level{level + 1}.yaml" if level < 19 else None
        body = f"include: [{nxt}, {nxt}]\n" if nxt else "params:\n  n_blocks: 2\n"
        (tmp_path / f"level{level}.yaml").write_text(body)
    with pytest.raises(ConfigError) as err:
        load_task_config(tmp_path / "level0.yaml")
    assert any("include: more than 50 config files read for one config" in p
               for p in err.value.problems)


@pytest.mark.parametrize("key, value", [("params:\n  filler_ratio", ".nan"),
                                        ("station:\n  expected_refresh_hz", ".nan"),
                                        ("station:\n  refresh_tolerance_hz", ".inf"),
                                        ("params:\n  cue_durations_ms", "[200, .nan]")])
def test_not_finite_numbers_are_refused_by_name(tmp_path, key, value):
    cfg = write_including(tmp_path, DOTPROBE, f"{key}: {value}\n")
    name = key.split("\n")[-1].strip()
    problems = problems_of(cfg)
    assert any(name in p and "not a finite number" in p for p in problems), problems


def test_documented_default_background_and_a_square_screen_are_accepted(tmp_path):
    cfg = write_including(tmp_path, DOTPROBE, "station:\n  background: [0, 0, 0]\n"
                          "  screen_size_px: [1024, 1024]\n")
    config = load_task_config(cfg)
    assert config.station["background"] == [0.0, 0.0, 0.0]
    assert config.station["screen_size_px"] == [1024, 1024]


def test_scoring_config_nested_5000_deep_is_exit_2(tmp_path):
    scoring = tmp_path / "scoring.yaml"
    scoring.write_text("dotprobe:\n  rt_min_ms: " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "data").mkdir()
    out = icb("score", tmp_path / "data", "--out", tmp_path / "out", "--scoring", scoring)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "nested more than 20 levels deep" in out.stderr
