"""Every question names what is shown: no baby question after an adult face, an object or
a noise, no "face" under an object; infants-only scales are asked after infants only, and
a config in which some stimuli would get no question is refused before a window opens."""

import subprocess
import sys
from pathlib import Path

import pytest

from tasks.config import load_task_config
from tasks.core.paradigm import load as load_paradigm
from tasks.core.scales import CATALOGUE, build_scales, scales_of
from tasks.stimulus_factory.manifest import CATEGORIES

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("modality", ["image", "audio"])
def test_no_scale_asks_about_a_baby_or_a_face_that_is_not_shown(modality):
    sound = modality == "audio"
    for scale in build_scales(list(CATALOGUE), "likert"):
        if modality not in CATALOGUE[scale.name].modalities:
            continue  # refused by the task's check (test below)
        for category in CATEGORIES[modality]:
            prompt = scale.for_stimulus(category, sound=sound).prompt
            assert "{" not in prompt and prompt.endswith("?")
            if category != "infant" and not CATALOGUE[scale.name].infants_only:
                assert "baby" not in prompt, (scale.name, category, prompt)
            if category not in ("adult", "infant", "child") or sound:
                assert "face" not in prompt, (scale.name, category, prompt)


@pytest.mark.parametrize("paradigm, config", [("rating", "configs/rating.yaml"),
                                              ("cryrating", "configs/cryrating.yaml")])
def test_planned_questions_fit_each_stimulus(paradigm, config):
    cfg = load_task_config(REPO / config)
    the_plan = load_paradigm(paradigm).plan(cfg, "07", "pre", seed=3)
    scales = scales_of(cfg.params)
    asked = {}
    for trial in the_plan.trials:
        assert trial.scales, trial  # every stimulus gets at least one question
        for name in trial.scales:
            if CATALOGUE[name].infants_only:
                assert trial.stim.category == "infant", (name, trial.stim)
            prompt = scales[name].for_stimulus(trial.stim.category,
                                               sound=paradigm == "cryrating").prompt
            asked.setdefault(trial.stim.category, set()).add(prompt)
    non_infant = {p for c, ps in asked.items() if c != "infant" for p in ps}
    assert non_infant and not any("baby" in p for p in non_infant), asked
    assert any("baby" in p for p in asked["infant"])


def test_adult_face_is_asked_about_a_face_and_a_baby_about_a_baby():
    liking = build_scales(["liking"], "likert")[0]
    assert liking.for_stimulus("adult", sound=False).prompt == "How much do you like this face?"
    assert liking.for_stimulus("infant", sound=False).prompt == "How much do you like this baby?"
    assert liking.for_stimulus("object", sound=False).prompt == \
        "How much do you like this object?"


def validate_rating_with(tmp_path, scales: str) -> str:
    """``icb validate`` of the rating config with ``params.scales: scales``: its stderr,
    after checking exit 2 and no traceback."""
    cfg = tmp_path / "rating.yaml"
    cfg.write_text(f"include: {REPO / 'configs' / 'rating.yaml'}\nparams:\n"
                   f"  scales: {scales}\n")
    out = subprocess.run([sys.executable, "-m", "icb.cli", "validate", str(cfg)],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    return out.stderr


def test_only_infants_only_scales_for_adult_faces_is_refused(tmp_path):
    assert ("params.scales: caretaking is asked only about infants, so adult, object stimuli "
            "would get no question; allowed: add a scale asked of any stimulus (liking, "
            "cuteness)") in validate_rating_with(tmp_path, "[caretaking]")


def test_a_sound_question_under_a_picture_is_refused(tmp_path):
    assert ("params.scales: 'aversive' ('How unpleasant is this sound to listen to?') is not a "
            "question about pictures; allowed for this task: liking, cuteness, caretaking"
            ) in validate_rating_with(tmp_path, "[liking, aversive]")
