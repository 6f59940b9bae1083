"""The opioid cues and their matched household objects: complete per set, equalised, matched
pair by pair, reproducible, usable by the dot-probe and by `icb stimuli import`."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from icb.cli import main
from tasks.stimulus_factory.cue_matching import (PAIR_AREA_TOLERANCE, PAIR_CONTRAST_TOLERANCE,
                                                 PAIR_EDGE_DENSITY_RATIO_MAX, PAIR_LUMINANCE_TOLERANCE,
                                                 figure_measures, pair_problems, render_pair)
from tasks.stimulus_factory.generate import DEFAULT_SEED, rng_for
from tasks.stimulus_factory.household_matches import render_household
from tasks.stimulus_factory.manifest import default_stimuli_dir, load_manifest, select, stimulus_path
from tasks.stimulus_factory.normalise import (BACKGROUND, CONTRAST_TOLERANCE, HEIGHT_PX, LUMINANCE_TOLERANCE,
                                              TARGET_MEAN_LUMINANCE, TARGET_RMS_CONTRAST, WIDTH_PX, image_stats,
                                              oval_mask)
from tasks.stimulus_factory.opioid_cues import render_cue

MIN_PER_SET = 8


@pytest.fixture(scope="module")
def manifest():
    return load_manifest()


@pytest.fixture(scope="module")
def parameters():
    return json.loads((default_stimuli_dir() / "parameters.json").read_text())["stimuli"]


def _pixels(manifest, sid):
    with Image.open(stimulus_path(manifest, sid)) as im:
        assert im.mode == "L" and im.size == (WIDTH_PX, HEIGHT_PX)
        return np.asarray(im)


def _pairs(manifest):
    """(cue id, household id) for every household match, by the identity column."""
    cues = manifest[manifest["category"] == "opioid"]
    houses = manifest[manifest["category"] == "household"]
    return [(row["identity"], row["id"]) for row in houses.to_dict("records")
            if row["identity"] in set(cues["id"])]


@pytest.fixture(scope="module")
def measured_pairs(manifest, parameters):
    """Figure measures of every committed pair, the figures re-drawn from the recorded layout."""
    out = {}
    for cue_id, house_id in _pairs(manifest):
        cue_cov = render_cue(parameters[cue_id]["layout"])[1]
        house = parameters[house_id]
        house_cov = render_household(parameters[cue_id]["layout"], house["look"], house["scale"])[1]
        out[cue_id] = (house_id, figure_measures(_pixels(manifest, cue_id), cue_cov),
                       figure_measures(_pixels(manifest, house_id), house_cov))
    return out


@pytest.mark.parametrize("stim_set", ["A", "B"])
def test_both_categories_in_each_set(manifest, stim_set):
    cues = select(manifest, modality="image", category="opioid", valence="cue", stim_set=stim_set)
    houses = select(manifest, modality="image", category="household", valence="neutral", stim_set=stim_set)
    assert len(cues) >= MIN_PER_SET and len(houses) >= MIN_PER_SET
    assert set(cues["set"]) == {stim_set} and set(houses["set"]) == {stim_set}
    assert all(row["source"].startswith("generated") and "MIT" in row["licence"]
               for row in cues.to_dict("records") + houses.to_dict("records"))


def test_sets_share_no_picture(manifest):
    new = manifest[manifest["category"].isin(["opioid", "household"])]
    a, b = new[new["set"] == "A"], new[new["set"] == "B"]
    assert not set(a["sha256"]) & set(b["sha256"])
    assert not set(a["identity"]) & set(b["identity"])
    assert new["sha256"].nunique() == len(new)  # no two of them are the same picture at all


def test_each_cue_has_exactly_one_matched_household_object(manifest, parameters):
    cues = manifest[manifest["category"] == "opioid"]
    houses = manifest[manifest["category"] == "household"]
    assert sorted(houses["identity"]) == sorted(cues["id"])  # one match per cue, none left over
    assert list(cues["identity"]) == list(cues["id"])
    for cue_id, house_id in _pairs(manifest):
        cue_set = cues[cues["id"] == cue_id]["set"].iloc[0]
        assert houses[houses["id"] == house_id]["set"].iloc[0] == cue_set
        assert parameters[cue_id]["matched_by"] == house_id
        assert parameters[house_id]["matched_to"] == cue_id
    kinds = {parameters[c]["kind"] for c in cues["id"]}
    assert kinds == {"pill_bottle", "loose_pills", "blister_pack", "syringe"}


def test_pictures_are_equalised_like_the_others(manifest):
    rows = manifest[manifest["category"].isin(["opioid", "household"])]
    assert len(rows) >= 4 * MIN_PER_SET
    mask = oval_mask()
    for row in rows.to_dict("records"):
        px = _pixels(manifest, row["id"])
        assert np.all(px[~mask] == BACKGROUND), row["id"]
        mean, contrast = image_stats(px)
        assert abs(mean - TARGET_MEAN_LUMINANCE) <= LUMINANCE_TOLERANCE, row["id"]
        assert abs(contrast - TARGET_RMS_CONTRAST) <= CONTRAST_TOLERANCE, row["id"]
        assert abs(mean - float(row["mean_luminance"])) <= 6e-4


def test_pairs_match_in_figure_area_luminance_contrast_and_complexity(measured_pairs, parameters):
    assert len(measured_pairs) >= 2 * MIN_PER_SET
    for cue_id, (house_id, cue, house) in measured_pairs.items():
        assert abs(house["figure_area_px"] / cue["figure_area_px"] - 1) <= PAIR_AREA_TOLERANCE, cue_id
        assert abs(house["figure_mean_luminance"] - cue["figure_mean_luminance"]) <= PAIR_LUMINANCE_TOLERANCE
        assert abs(house["figure_rms_contrast"] - cue["figure_rms_contrast"]) <= PAIR_CONTRAST_TOLERANCE
        low, high = sorted((cue["figure_edge_density"], house["figure_edge_density"]))
        assert high <= PAIR_EDGE_DENSITY_RATIO_MAX * low, cue_id
        assert pair_problems(cue, house) == []
        assert parameters[cue_id]["figure"] == cue and parameters[house_id]["figure"] == house  # as recorded
    # the stated tolerances are the ones in docs/stimuli.md
    assert (PAIR_AREA_TOLERANCE, PAIR_LUMINANCE_TOLERANCE, PAIR_CONTRAST_TOLERANCE) == (0.02, 0.004, 0.004)


def test_a_mismatched_pair_is_caught(manifest, measured_pairs):
    (cue_id, (house_id, cue, house)), (other_id, (_, other, _)) = list(measured_pairs.items())[:2]
    assert pair_problems(cue, other) != [] or pair_problems(other, cue) != []  # a different cue kind
    # the same household picture, its figure brightened by 10 grey levels, no longer matches
    params = json.loads((default_stimuli_dir() / "parameters.json").read_text())["stimuli"]
    house_cov = render_household(params[cue_id]["layout"], params[house_id]["look"], params[house_id]["scale"])[1]
    px = _pixels(manifest, house_id).astype(int)
    px[house_cov >= 0.5] += 10
    brighter = figure_measures(np.clip(px, 0, 255).astype(np.uint8), house_cov)
    assert any("figure_mean_luminance" in p for p in pair_problems(cue, brighter))


@pytest.mark.parametrize("cue_id", ["opi_A01", "opi_A02", "opi_A03", "opi_A04"])
def test_a_pair_renders_to_the_committed_bytes(manifest, cue_id):
    house_id = cue_id.replace("opi_", "hou_")
    kind = {"opi_A01": "pill_bottle", "opi_A02": "loose_pills", "opi_A03": "blister_pack",
            "opi_A04": "syringe"}[cue_id]
    pair = render_pair(kind, rng_for(DEFAULT_SEED, cue_id), rng_for(DEFAULT_SEED, house_id))
    for sid, pixels in ((cue_id, pair["cue_pixels"]), (house_id, pair["household_pixels"])):
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, format="PNG", compress_level=6)
        assert buf.getvalue() == stimulus_path(manifest, sid).read_bytes(), sid


@pytest.mark.parametrize("stim_set", ["A", "B"])
def test_dotprobe_shows_each_cue_beside_its_own_match(manifest, stim_set):
    from icb.params import check_mapping
    from tasks.paradigms.dotprobe.design import build_design
    from tasks.paradigms.dotprobe.paradigm import stimulus_pools
    from tasks.paradigms.dotprobe.params import PARAMS

    params, problems = check_mapping({"trial_types": ["opioid_cue-household_neutral"], "n_blocks": 4,
                                      "reps_per_block": 4}, PARAMS, where="params")
    assert problems == []
    pools, paths = stimulus_pools(params, manifest, stim_set)
    assert len(pools["opioid_cue"]) >= MIN_PER_SET and all(p.is_file() for p in paths.values())
    identity = dict(zip(manifest["id"], manifest["identity"]))
    trials = [t for t in build_design(params, pools, np.random.default_rng(7))
              if t.trial_type == "opioid_cue-household_neutral"]
    assert len(trials) == 128
    for t in trials:
        target = t.stim_left if t.target_side == "left" else t.stim_right
        other = t.stim_right if t.target_side == "left" else t.stim_left
        assert target.startswith("opi_") and identity[other] == target
    for cue in (200, 2000):
        for congruent in (True, False):
            assert sum(t.cue_ms == cue and t.congruent is congruent for t in trials) >= 10


def test_cell_names_are_accepted_and_bad_ones_refused():
    from tasks.core.stimulus_pools import cell_problems

    assert cell_problems(["opioid_cue", "household_neutral"], "image", where="params") == []
    assert cell_problems(["opioid_neutral"], "image", where="params") == []  # a lab's neutral opioid set
    assert cell_problems(["opioid_craving"], "image", where="params") != []
    assert cell_problems(["opioid_cue"], "audio", where="params") != []


def test_import_accepts_the_new_categories(tmp_path):
    src = tmp_path / "lab"
    src.mkdir()
    rng = np.random.default_rng(5)
    for name in ("bottle.png", "lotion.png"):
        Image.fromarray(rng.uniform(0, 255, (300, 220, 3)).astype(np.uint8)).save(src / name)
    table = tmp_path / "files.tsv"
    table.write_text("file\tcategory\tvalence\tid\tidentity\n"
                     "bottle.png\topioid\tcue\tlab_opi_01\tlab_opi_01\n"
                     "lotion.png\thousehold\tneutral\tlab_hou_01\tlab_opi_01\n")
    out = tmp_path / "out"
    assert main(["stimuli", "import", str(src), "--licence", "lab photos", "--set-name", "labcues",
                 "--out", str(out), "--table", str(table)]) == 0
    df = load_manifest(out / "manifest.tsv")
    assert list(select(df, category="opioid", valence="cue")["id"]) == ["lab_opi_01"]
    assert list(select(df, category="household", valence="neutral")["identity"]) == ["lab_opi_01"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("file\tcategory\tvalence\nbottle.png\topioids\tcue\n")
    assert main(["stimuli", "import", str(src), "--licence", "x", "--set-name", "bad",
                 "--out", str(tmp_path / "bad_out"), "--table", str(bad)]) == 2
    assert not (tmp_path / "bad_out").exists()
