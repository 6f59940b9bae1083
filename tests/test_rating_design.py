"""Rating task: trial list at the real sizes, the slider key rule, config checks, and a
data-only run through the writer (one row per face x scale, contract columns)."""

import csv
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.config import load_task_config
from tasks.core.paradigm import load as load_paradigm
from tasks.core.scales import applicable_scales, PerScaleResponder, scales_of
from icb.params import check_mapping
from tasks.paradigms.rating import paradigm as rating
from tasks.paradigms.rating.design import build_design
from tasks.paradigms.rating.params import PARAMS
from tasks.core.scales import (CATALOGUE, build_scales, key_schedule, keys_to_reach, move,
                                 reachable, replay)
from tasks.paradigms.rating.simulate import RatingResponder
from tasks.core.stimulus_pools import Stim
from helpers import cohort_events, problems_of, write_including

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "configs" / "rating.yaml"
STATION = REPO / "configs" / "station.yaml"


def pools(n=6):
    cells = ["infant_distress", "infant_neutral", "infant_happy", "adult_distress",
             "adult_neutral", "adult_happy"]
    out = {c: [Stim(f"{c}{i}", c.split("_")[0], c.split("_")[1], None, c) for i in range(n)]
           for c in cells}
    for k in range(1, 6):
        out[f"infant_neutral_bs{k}"] = [Stim(f"bs{k}_{i}", "infant", "neutral", k,
                                             f"infant_neutral_bs{k}") for i in range(n)]
    return out


PRACTICE = [Stim(f"obj{i}", "object", "neutral", None, "object_neutral") for i in range(6)]


def params(**over):
    p, problems = check_mapping(over, PARAMS, where="params")
    assert problems == []
    return p


@given(seed=st.integers(0, 2**32 - 1), n_blocks=st.integers(1, 4))
@settings(max_examples=25, deadline=None)
def test_balanced_blocks_at_real_size(seed, n_blocks):
    p = params(n_blocks=n_blocks)
    trials = build_design(p, pools(), PRACTICE, np.random.default_rng(seed))
    test = [t for t in trials if t.phase == "test"]
    assert len(test) == 6 * 4 + 5 * 2
    assert [t.phase for t in trials[:2]] == ["practice", "practice"]
    # every chosen face once; categories spread evenly over the blocks
    assert len({t.stim.stim_id for t in test}) == len(test)
    for cell in {t.stim.cell for t in test}:
        per_block = Counter(t.block for t in test if t.stim.cell == cell)
        counts = [per_block.get(b, 0) for b in range(1, n_blocks + 1)]
        assert max(counts) - min(counts) <= 1
    # caretaking (infants only) after the baby faces only
    assert all(t.scales == (("liking", "cuteness", "caretaking") if t.stim.category == "infant"
                            else ("liking", "cuteness")) for t in trials)
    assert {t.stim.category for t in trials} >= {"infant", "adult"}


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=10, deadline=None)
def test_same_seed_same_list_and_random_scale_order(seed):
    p = params(scale_order="random", repetitions=2)
    a = build_design(p, pools(), PRACTICE, np.random.default_rng(seed))
    b = build_design(p, pools(), PRACTICE, np.random.default_rng(seed))
    assert a == b
    test = [t for t in a if t.phase == "test"]
    assert set(Counter(t.stim.stim_id for t in test).values()) == {2}
    assert all(sorted(t.scales) == sorted(applicable_scales(p["scales"], t.stim.category))
               for t in a)
    assert any(len(t.scales) == len(p["scales"]) for t in a)
    # no face twice in a row within a block
    assert all(x.stim.stim_id != y.stim.stim_id for x, y in zip(test, test[1:])
               if x.block == y.block)


@pytest.mark.parametrize("name", list(CATALOGUE))
@pytest.mark.parametrize("kind", ["likert", "vas"])
def test_arrow_keys_reach_every_value_and_start_hidden(name, kind):
    scale = build_scales([name], kind, 5.0)[0]
    values = scale.ticks if kind == "likert" else np.arange(0, 101, 5)
    for value in values:
        keys = keys_to_reach(scale, float(value))
        assert replay(scale, keys) == pytest.approx(float(value))
    assert replay(scale, []) is None  # nothing pressed: no marker, no rating
    assert move(scale, scale.maximum, "right") == scale.maximum
    assert move(scale, scale.minimum, "left") == scale.minimum


@given(value=st.floats(-10, 110), rt=st.floats(0, 20000))
def test_key_schedule_ends_with_confirm_after_the_arrows(value, rt):
    scale = build_scales(["cuteness"], "likert")[0]
    target = reachable(scale, value)
    sched = key_schedule(scale, target, rt)
    times = [t for _, t in sched]
    assert sched[-1][0] == "return" and times == sorted(times) and times[0] >= 200
    assert replay(scale, [k for k, _ in sched[:-1]]) == target


def write(tmp_path, text):
    return write_including(tmp_path, CONFIG, text)


def test_configs_validate():
    for path in (CONFIG, REPO / "configs" / "demo" / "rating.yaml"):
        assert load_task_config(path).paradigm == "rating"


def test_unknown_scale_bad_category_and_type_errors(tmp_path):
    probs = problems_of(write(tmp_path, "params:\n  scales: [liking, cutenes]\n"))
    assert any("params.scales: unknown scale 'cutenes' (did you mean 'cuteness'?)" in p
               for p in probs), probs
    probs = problems_of(write(tmp_path, "params:\n  categories: [infant_sad, baby_neutral]\n"))
    assert any("'baby_neutral'" in p and "allowed" in p for p in probs), probs
    probs = problems_of(write(tmp_path, "params:\n  categories: [infant_sad]\n"))
    assert any("'infant_sad' has 0 stimulus file(s) in stimulus set A" in p for p in probs), probs
    probs = problems_of(write(tmp_path, "params:\n  scale_type: slider\n  face_ms: 10\n"))
    assert any("params.scale_type: bad value 'slider'; allowed: one of likert, vas" in p
               for p in probs), probs
    assert any("params.face_ms: bad value 10" in p for p in probs), probs


def copy_stimuli(tmp_path):
    src = REPO / "stimuli"
    dst = tmp_path / "stimuli"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("cries"))
    return dst


def test_every_missing_and_undecodable_picture_is_named_in_one_pass(tmp_path):
    stim = copy_stimuli(tmp_path)
    missing = ["adu_neu_A01", "inf_neu_A02", "adu_neu_B03"]  # two in one set, one in the other
    for stim_id in missing:
        (stim / "faces" / f"{stim_id}.png").unlink()
    for stim_id in ("inf_hap_B02", "inf_neu_A03"):  # one corrupt in each set
        (stim / "faces" / f"{stim_id}.png").write_bytes(b"not a png")
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"include: {CONFIG}\nstation:\n  stimulus_manifest: {stim / 'manifest.tsv'}\n")
    probs = problems_of(cfg)
    for stim_id in missing:
        assert sum(stim_id in p and "file not found" in p for p in probs) == 1, probs
    for stim_id in ("inf_hap_B02", "inf_neu_A03"):
        assert sum(stim_id in p and "does not decode" in p for p in probs) == 1, probs


def test_category_typo_named_with_did_you_mean_and_the_allowed_list(tmp_path):
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"include: {CONFIG}\nparams:\n  categories: [infant_nuetral, adult_neutral]\n")
    probs = problems_of(cfg)
    assert len(probs) == 1, probs
    assert "params.categories: bad category 'infant_nuetral' (did you mean " \
        "'infant_neutral'?); allowed:" in probs[0]
    assert "infant, adult" in probs[0]


def read_rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_data_only_run_rows_and_planted_means(tmp_path):
    from tasks.simulate_cohort import simulate_run
    config = load_task_config(CONFIG)
    responder = RatingResponder(noise_sd=0.0, p_miss=0.1)
    tsv = simulate_run(config, tmp_path, participant="01", session="pre", group="n/a",
                       responder=PerScaleResponder(responder, scales_of(config.params)))
    rows = read_rows(tsv)
    the_plan = rating.plan(config, "01", "pre")
    assert list(rows[0]) == load_paradigm("rating").column_names()
    assert len(rows) == sum(len(t.scales) for t in the_plan.trials)
    assert [int(r["trial_index"]) for r in rows] == list(range(1, len(rows) + 1))
    scales = {s.name: s for s in build_scales(config.params["scales"], "likert")}
    by_id = {t.stim.stim_id: t.stim for t in the_plan.trials}
    missed = [r for r in rows if r["rating"] == "n/a"]
    assert missed and all(r["rating_rt_ms"] == "n/a" for r in missed)
    for r in rows:
        if r["rating"] != "n/a":
            scale = scales[r["scale"]]
            want = reachable(scale, responder.mean_for(by_id[r["stim_id"]], scale))
            assert float(r["rating"]) == want
            assert float(r["rating_rt_ms"]) > 0


def test_cohort_recovers_planted_contrasts(tmp_path):
    """icb simulate with planted effects: infant - adult and pre -> post (MORE) come back."""
    import pandas as pd

    from icb.cli import main
    rc = main(["simulate", str(CONFIG), "--participants", "12", "--data-dir", str(tmp_path),
               "--effect", "rating_infant_minus_adult=1.5", "--effect",
               "rating_more_change=1.0", "--effect", "rating_distress_minus_neutral=0"])
    assert rc == 0
    data = cohort_events(tmp_path)
    # liking (-4..+4): the scale with the most room; on cuteness (1..7) the ceiling at 7
    # shrinks the infant - adult difference of happy baby faces
    test = data[(data.phase == "test") & (data.scale == "liking")]
    groups = pd.read_csv(tmp_path / "participants.tsv", sep="\t").set_index("participant_id")
    pre = test[test.session == "pre"]
    diff = (pre[pre.category == "infant"].rating.mean() - pre[pre.category == "adult"]
            .rating.mean())
    assert diff == pytest.approx(1.5, abs=0.3)
    infant = test[test.category == "infant"].copy()
    infant["group"] = infant.participant.map(groups["group"])
    means = infant.groupby(["group", "session"]).rating.mean()
    assert means["MORE", "post"] - means["MORE", "pre"] == pytest.approx(1.0, abs=0.35)
    assert means["control", "post"] - means["control", "pre"] == pytest.approx(0.0, abs=0.35)
