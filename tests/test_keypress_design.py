"""Key-press task: the press rule (property-tested), the trial list at the real sizes,
config checks and a data-only run through the writer."""

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.config import load_task_config
from tasks.core.paradigm import load as load_paradigm
from tasks.paradigms.keypress.paradigm import PlannedPresses
from icb.params import check_mapping
from tasks.paradigms.keypress import paradigm as keypress
from tasks.paradigms.keypress.design import (PressRule, apply_presses, build_design, format_log,
                                   parse_log, response_class, rule_for)
from tasks.paradigms.keypress.params import PARAMS
from tasks.paradigms.keypress.simulate import KeypressResponder
from tasks.core.stimulus_pools import Stim
from helpers import cohort_events, problems_of, write_including

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "configs" / "keypress.yaml"
KEYS = ["x", "z", "n", "m", "q"]


def params(**over):
    p, problems = check_mapping(over, PARAMS, where="params")
    assert problems == []
    return p


def new_rule(default=4000.0, step=100.0, lo=0.0, hi=8000.0):
    return PressRule(default, step, lo, hi, ("x", "z"), ("n", "m"))


presses = st.lists(st.tuples(st.sampled_from(KEYS), st.floats(0, 12000)), max_size=80)


@given(presses=presses, step=st.sampled_from([50.0, 100.0, 250.0]),
       default=st.sampled_from([2000.0, 4000.0, 8000.0]))
@settings(max_examples=300, deadline=None)
def test_rule_properties(presses, step, default):
    rule = new_rule(default, step, 0.0, 2 * default)
    log = apply_presses(rule, presses)
    assert 0.0 <= rule.offset_ms <= 2 * default
    counted = [(k, t, s) for k, t, s in log if s != "0"]
    assert rule.n_increase == sum(s == "+" for _, _, s in log)
    assert rule.n_decrease == sum(s == "-" for _, _, s in log)
    # within each pair, counted presses alternate: the same key never counts twice in a row
    for pair in (("x", "z"), ("n", "m")):
        keys = [k for k, _, s in counted if k in pair]
        assert all(a != b for a, b in zip(keys, keys[1:]))
    # other keys never count; nothing counts once the face has gone
    assert all(s == "0" for k, _, s in log if k == "q")
    # replaying the log (as the analysis or a test would) gives the same offset
    again = new_rule(default, step, 0.0, 2 * default)
    apply_presses(again, [(k, t) for k, t, _ in log])
    assert again.offset_ms == rule.offset_ms
    # without a decrease press or a clamp, offset = default + step * n_increase
    if rule.n_decrease == 0 and rule.offset_ms < 2 * default:
        assert rule.offset_ms == pytest.approx(default + step * rule.n_increase)


def test_rule_examples():
    rule = new_rule()
    log = apply_presses(rule, [("x", 100), ("x", 200), ("z", 300), ("x", 400), ("n", 500),
                               ("n", 600), ("m", 700)])
    assert [s for _, _, s in log] == ["+", "0", "+", "+", "-", "0", "-"]
    assert rule.offset_ms == 4000 + 3 * 100 - 2 * 100
    assert response_class(rule.n_increase, rule.n_decrease) == "mixed"
    # shortening to below the press time ends the face at the press
    rule = PressRule(300.0, 100.0, 0.0, 600.0, ("x", "z"), ("n", "m"))
    apply_presses(rule, [("n", 250.0)])
    assert rule.offset_ms == 250.0
    assert rule.press("m", 260.0) == "0"  # too late: the face has gone
    rule = new_rule()
    apply_presses(rule, [("x", t) if i % 2 == 0 else ("z", t)
                         for i, t in enumerate(range(0, 8000, 50))])
    assert rule.offset_ms == 8000.0  # clamped at twice the default


@given(log=st.lists(st.tuples(st.sampled_from(KEYS), st.floats(0, 99999).map(
    lambda v: round(v, 1)), st.sampled_from("+-0")), max_size=20))
def test_press_log_round_trips(log):
    assert parse_log(format_log(log)) == log


def pools(n=6):
    cells = ["infant_distress", "infant_neutral", "infant_happy", "adult_distress",
             "adult_neutral", "adult_happy"]
    out = {c: [Stim(f"{c}{i}", c.split("_")[0], c.split("_")[1], None, c) for i in range(n)]
           for c in cells}
    for k in (1, 2, 4, 5):
        out[f"infant_neutral_bs{k}"] = [Stim(f"bs{k}_{i}", "infant", "neutral", k, "x")
                                        for i in range(n)]
    return out


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_design_at_real_size(seed):
    p = params()
    practice = [Stim(f"o{i}", "object", "neutral", None, "object_neutral") for i in range(6)]
    a = build_design(p, pools(), practice, np.random.default_rng(seed))
    assert a == build_design(p, pools(), practice, np.random.default_rng(seed))
    test = [t for t in a if t.phase == "test"]
    assert len(test) == (6 * 4 + 4 * 2) * 2
    assert set(Counter(t.stim.stim_id for t in test).values()) == {2}
    assert sum(t.phase == "practice" for t in a) == 3
    per_block = Counter(t.block for t in test)
    assert per_block[1] == per_block[2]


def write(tmp_path, text):
    return write_including(tmp_path, CONFIG, text)


def test_configs_validate_and_breiter_preset():
    assert load_task_config(CONFIG).params["default_ms"] == 4000
    breiter = load_task_config(REPO / "configs" / "keypress_breiter.yaml")
    assert breiter.params["default_ms"] == 8000
    assert rule_for(breiter.params).max_ms == 16000
    assert load_task_config(REPO / "configs" / "demo" / "keypress.yaml").paradigm == "keypress"


def test_config_errors(tmp_path):
    probs = problems_of(write(tmp_path, "params:\n  increase_keys: [x, n]\n"))
    assert any("the four keys must all differ" in p for p in probs), probs
    probs = problems_of(write(tmp_path, "params:\n  min_ms: 5000\n"))
    assert any("min_ms <= default_ms <= max_ms" in p for p in probs), probs
    probs = problems_of(write(tmp_path, "params:\n  default_msec: 4000\n"))
    assert any("unknown parameter 'default_msec' (did you mean 'default_ms'?)" in p
               for p in probs), probs
    probs = problems_of(write(tmp_path, "params:\n  increase_keys: [x, escape]\n"))
    assert any("abort key 'escape'" in p for p in probs), probs


def test_data_only_run_matches_rule(tmp_path):
    from tasks.simulate_cohort import simulate_run
    config = load_task_config(CONFIG)
    tsv = simulate_run(config, tmp_path, participant="01", session="pre",
                       group="n/a", responder=PlannedPresses(KeypressResponder(p_repeat=0.2), dict(config.params)))
    with open(tsv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert list(rows[0]) == load_paradigm("keypress").column_names()
    assert len(rows) == len(keypress.plan(config, "01", "pre").trials)
    frame = 1000.0 / config.station["expected_refresh_hz"]
    classes = Counter(r["response_class"] for r in rows)
    assert classes["increase"] > 0
    for r in rows:
        rule = rule_for(config.params)
        log = parse_log(None if r["press_log"] == "n/a" else r["press_log"])
        replay = apply_presses(rule, [(k, t) for k, t, _ in log])
        assert [s for _, _, s in replay] == [s for _, _, s in log]
        assert rule.n_increase == int(r["n_increase"]) and rule.n_decrease == int(r["n_decrease"])
        assert abs(float(r["viewing_time_ms"]) - rule.offset_ms) <= frame
        assert r["response_class"] == response_class(rule.n_increase, rule.n_decrease)


def test_cohort_recovers_planted_wanting(tmp_path):
    import pandas as pd

    from icb.cli import main
    assert main(["simulate", str(CONFIG), "--participants", "10", "--data-dir", str(tmp_path),
                 "--effect", "keypress_infant_minus_adult_ms=800", "--effect",
                 "keypress_baby_schema_slope_ms=0", "--effect",
                 "keypress_more_change_ms=500"]) == 0
    data = cohort_events(tmp_path)
    test = data[data.phase == "test"]
    pre = test[test.session == "pre"]
    diff = (pre[pre.category == "infant"].viewing_time_ms.mean()
            - pre[pre.category == "adult"].viewing_time_ms.mean())
    assert diff == pytest.approx(800, abs=120)
    groups = pd.read_csv(tmp_path / "participants.tsv", sep="\t").set_index("participant_id")
    infant = test[test.category == "infant"].copy()
    infant["group"] = infant.participant.map(groups["group"])
    m = infant.groupby(["group", "session"]).viewing_time_ms.mean()
    assert m["MORE", "post"] - m["MORE", "pre"] == pytest.approx(500, abs=120)
    assert m["control", "post"] - m["control", "pre"] == pytest.approx(0, abs=120)
