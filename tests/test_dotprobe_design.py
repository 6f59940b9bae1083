"""Properties of the dot-probe trial list at the real block sizes."""

from collections import Counter
from itertools import groupby

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icb.params import check_mapping
from tasks.paradigms.dotprobe.design import build_design
from tasks.paradigms.dotprobe.params import PARAMS

CATS = ["infant_distress", "infant_neutral", "adult_neutral", "infant_happy", "object_neutral"]
POOLS = {c: [f"{c}_{i}" for i in range(6)] for c in CATS}


def default_params(**overrides):
    params, problems = check_mapping(overrides, PARAMS, where="params")
    assert problems == []
    return params


def runs(values):
    return [len(list(g)) for _, g in groupby(values)]


@pytest.mark.parametrize("mode", ["location", "discrimination"])
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=15, deadline=None)
def test_full_crossing_with_equal_cells_per_block(mode, seed):
    p = default_params(probe_mode=mode)
    trials = build_design(p, POOLS, np.random.default_rng(seed))
    forms = ["dot"] if mode == "location" else ["colon", "dots"]
    for block in range(1, p["n_blocks"] + 1):
        critical = [t for t in trials if t.block == block and t.trial_type != "filler"]
        cells = Counter((t.trial_type, t.cue_ms, t.target_side, t.probe_side, t.probe_identity)
                        for t in critical)
        expected = {(tt, d, ts, ps, f) for tt in p["trial_types"] for d in p["cue_durations_ms"]
                    for ts in ("left", "right") for ps in ("left", "right") for f in forms}
        assert set(cells) == expected
        assert set(cells.values()) == {p["reps_per_block"]}
        fillers = [t for t in trials if t.block == block and t.trial_type == "filler"]
        assert len(fillers) == round(len(critical) * p["filler_ratio"])
        assert Counter(t.probe_side for t in fillers)["left"] == len(fillers) // 2


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_runs_of_probe_side_and_congruency_at_most_three(seed):
    p = default_params()
    trials = build_design(p, POOLS, np.random.default_rng(seed))
    for block in range(1, p["n_blocks"] + 1):
        seq = [t for t in trials if t.block == block]
        assert max(runs([t.probe_side for t in seq])) <= 3
        # congruency runs: fillers (None) break a run
        cong = [t.congruent for t in seq]
        assert max(len(list(g)) for k, g in groupby(cong) if k is not None) <= 3


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=15, deadline=None)
def test_every_picture_equally_often_left_right_and_probed(seed):
    p = default_params()
    trials = [t for t in build_design(p, POOLS, np.random.default_rng(seed))
              if t.phase == "test" and t.trial_type != "filler"]
    for trial_type in p["trial_types"]:
        of_type = [t for t in trials if t.trial_type == trial_type]
        place = Counter()
        for t in of_type:
            probed = t.stim_left if t.probe_side == "left" else t.stim_right
            place[(t.stim_left, "left", t.stim_left == probed)] += 1
            place[(t.stim_right, "right", t.stim_right == probed)] += 1
        pictures = {k[0] for k in place}
        for side in ("left", "right"):
            for probed in (True, False):
                counts = [place[(pic, side, probed)] for pic in pictures
                          if any(k[0] == pic for k in place)]
                # each picture's count in each (side x probed) cell differs by at most one
                by_pool = {}
                for pic in pictures:
                    by_pool.setdefault(pic.rsplit("_", 1)[0], []).append(place[(pic, side, probed)])
                for values in by_pool.values():
                    assert max(values) - min(values) <= 1, (side, probed, values)
                assert counts


def test_same_seed_same_list_other_seed_other_list():
    p = default_params()
    a = build_design(p, POOLS, np.random.default_rng(7))
    b = build_design(p, POOLS, np.random.default_rng(7))
    c = build_design(p, POOLS, np.random.default_rng(8))
    assert a == b
    assert a != c


def test_congruency_and_keys_follow_sides():
    p = default_params()
    for t in build_design(p, POOLS, np.random.default_rng(3)):
        if t.trial_type == "filler":
            assert t.congruent is None and t.target_side is None
        else:
            assert t.congruent == (t.target_side == t.probe_side)
            target_cat = t.trial_type.split("-")[0]
            target = t.stim_left if t.target_side == "left" else t.stim_right
            assert target.startswith(target_cat)
        assert t.correct_key == t.probe_side  # location mode keys are left/right
        assert p["iti_min_ms"] <= t.iti_ms <= p["iti_max_ms"]


def test_practice_first_block_numbers_and_sizes():
    p = default_params()
    trials = build_design(p, POOLS, np.random.default_rng(11))
    phases = [t.phase for t in trials]
    assert phases[:12] == ["practice"] * 12 and set(phases[12:]) == {"test"}
    assert all(t.block == 0 for t in trials[:12])
    assert Counter(t.block for t in trials[12:]) == {b: 72 for b in range(1, 5)}


def test_discrimination_mapping_counterbalanced():
    p = default_params(probe_mode="discrimination")
    a = build_design(p, POOLS, np.random.default_rng(1), mapping="A")
    b = build_design(p, POOLS, np.random.default_rng(1), mapping="B")
    key_a = {t.probe_identity: t.correct_key for t in a}
    key_b = {t.probe_identity: t.correct_key for t in b}
    assert key_a == {"colon": "up", "dots": "down"}
    assert key_b == {"colon": "down", "dots": "up"}
