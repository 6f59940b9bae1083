"""Cry-rating task: trial list at the real size, config checks (sounds decode), and a
data-only run through the writer (one row per sound x scale; onset reported = requested)."""

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.config import load_task_config
from tasks.core.paradigm import load as load_paradigm
from tasks.core.scales import PerScaleResponder, scales_of
from tasks.paradigms.cryrating import paradigm as cry
from tasks.paradigms.cryrating.simulate import CryResponder
from helpers import cohort_events, problems_of

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "configs" / "cryrating.yaml"


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=10, deadline=None)
def test_plan_at_real_size(seed):
    config = load_task_config(CONFIG)
    a = cry.plan(config, "07", "pre", seed=seed)
    assert a.trials == cry.plan(config, "07", "pre", seed=seed).trials
    test = [t for t in a.trials if t.phase == "test"]
    assert len(test) == 6 * 4
    assert Counter(t.stim.cell for t in test) == {c: 4 for c in config.params["categories"]}
    for cell in config.params["categories"]:
        assert Counter(t.block for t in test if t.stim.cell == cell) == {1: 2, 2: 2}
    assert all(t.stim.duration_s and t.stim.duration_s > 0.5 for t in a.trials)
    # the infants-only scales (distressed, respond) are asked after cries only
    assert all(t.scales == (("urgent", "aversive", "distressed", "respond")
                            if t.stim.category == "infant" else ("urgent", "aversive"))
               for t in test)


def test_pre_and_post_use_different_sets():
    config = load_task_config(CONFIG)
    pre, post = cry.plan(config, "07", "pre"), cry.plan(config, "07", "post")
    assert {pre.stimulus_set, post.stimulus_set} == {"A", "B"}


def test_bad_scale_category_and_broken_sound(tmp_path):
    cfg = tmp_path / "a.yaml"
    cfg.write_text(f"include: {CONFIG}\nparams:\n  scales: [urgnt]\n"
                   "  categories: [infant_cry]\n")
    probs = problems_of(cfg)
    assert any("unknown scale 'urgnt' (did you mean 'urgent'?)" in p for p in probs), probs
    assert any("bad category 'infant_cry'" in p for p in probs), probs
    stim = tmp_path / "stimuli"
    shutil.copytree(REPO / "stimuli", stim, ignore=shutil.ignore_patterns("faces", "objects"))
    (stim / "cries" / "cry_hi_A02.wav").write_bytes(b"RIFF....WAVEjunk")
    cfg = tmp_path / "b.yaml"
    cfg.write_text(f"include: {CONFIG}\nstation:\n  stimulus_manifest: {stim / 'manifest.tsv'}\n")
    probs = problems_of(cfg)
    assert any("cry_hi_A02" in p and "does not decode as a WAV file" in p for p in probs), probs


def test_data_only_run(tmp_path):
    from tasks.simulate_cohort import simulate_run
    config = load_task_config(CONFIG)
    responder = CryResponder(noise_sd=0.0)
    tsv = simulate_run(config, tmp_path, participant="01", session="pre", group="n/a",
                       responder=PerScaleResponder(responder, scales_of(config.params)))
    with open(tsv, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    the_plan = cry.plan(config, "01", "pre")
    assert list(rows[0]) == load_paradigm("cryrating").column_names()
    assert len(rows) == sum(len(t.scales) for t in the_plan.trials)
    assert all(r["audio_onset_requested_s"] == r["audio_onset_reported_s"] for r in rows)
    assert all(float(r["audio_onset_error_ms"]) == 0 for r in rows)
    test = [r for r in rows if r["phase"] == "test" and r["scale"] == "aversive"]
    hi = [float(r["rating"]) for r in test if r["category"] == "infant"
          and r["valence"] == "high_distress"]
    assert hi and set(hi) == {round(responder.aversive_mean)}


def test_cohort_aversiveness_and_change(tmp_path):
    import pandas as pd

    from icb.cli import main
    assert main(["simulate", str(CONFIG), "--participants", "12", "--data-dir", str(tmp_path),
                 "--effect", "cry_more_change=-1.0"]) == 0
    data = cohort_events(tmp_path)
    test = data[(data.phase == "test") & data.scale.isin(["urgent", "aversive", "distressed"])]
    pre = test[test.session == "pre"]
    hi = pre[(pre.category == "infant") & (pre.valence == "high_distress")].rating.mean()
    assert hi == pytest.approx(5.5, abs=0.4)
    # Cronbach's alpha of the three aversiveness items across participants (pre)
    wide = pre.groupby(["participant", "scale"]).rating.mean().unstack()
    k = wide.shape[1]
    alpha = k / (k - 1) * (1 - wide.var(ddof=1).sum() / wide.sum(axis=1).var(ddof=1))
    assert alpha > 0.7
    groups = pd.read_csv(tmp_path / "participants.tsv", sep="\t").set_index("participant_id")
    infant = test[test.category == "infant"].copy()
    infant["group"] = infant.participant.map(groups["group"])
    m = infant.groupby(["group", "session"]).rating.mean()
    assert m["MORE", "post"] - m["MORE", "pre"] == pytest.approx(-1.0, abs=0.35)
