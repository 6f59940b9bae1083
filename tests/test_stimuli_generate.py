"""The committed default set is exactly what `icb stimuli generate` makes, and it is complete."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from icb.cli import main
from tasks.stimulus_factory.manifest import default_stimuli_dir, load_manifest, select, stimulus_path
from tasks.stimulus_factory.normalise import (BACKGROUND, CONTRAST_TOLERANCE, HEIGHT_PX, LUMINANCE_TOLERANCE,
                                     TARGET_MEAN_LUMINANCE, TARGET_RMS_CONTRAST, WIDTH_PX, image_stats,
                                     oval_mask)

COMMITTED = default_stimuli_dir()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def manifest():
    return load_manifest()


@pytest.mark.slow
def test_regeneration_is_byte_identical(tmp_path):
    out = tmp_path / "regen"
    assert main(["stimuli", "generate", "--out", str(out)]) == 0
    fresh, committed = _files(out), _files(COMMITTED)
    assert sorted(fresh) == sorted(committed)
    differing = [name for name in fresh if fresh[name] != committed[name]]
    assert differing == []


def test_generate_refuses_a_folder_that_is_not_a_stimulus_set(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["stimuli", "generate", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert "refusing to replace a folder this command did not generate" in capsys.readouterr().err


def test_generate_refuses_an_imported_set_or_a_set_holding_lab_files(tmp_path, capsys):
    import json
    import shutil

    from tasks.stimulus_factory.generate import not_generated_here
    assert not_generated_here(COMMITTED) is None  # the committed set may be regenerated
    lab = tmp_path / "set"
    shutil.copytree(COMMITTED, lab)
    (lab / "faces" / "licensed_face_017.png").write_bytes(b"the lab's licensed picture")
    before = _files(lab)
    assert main(["stimuli", "generate", "--out", str(lab)]) == 2
    err = capsys.readouterr().err
    assert "it holds files the generated set does not: faces/licensed_face_017.png" in err
    assert _files(lab) == before  # nothing deleted or rewritten
    (lab / "faces" / "licensed_face_017.png").unlink()
    doc = json.loads((lab / "parameters.json").read_text())
    (lab / "parameters.json").write_text(json.dumps({**doc, "generator": "icb stimuli import"}))
    assert main(["stimuli", "generate", "--out", str(lab)]) == 2
    assert "its parameters.json was not written by icb stimuli generate" in capsys.readouterr().err
    (lab / "parameters.json").unlink()
    assert main(["stimuli", "generate", "--out", str(lab)]) == 2
    assert "it has no parameters.json written by icb stimuli generate" in capsys.readouterr().err
    assert (lab / "manifest.tsv").is_file()


def test_set_is_complete(manifest):
    for stim_set in ("A", "B"):
        for cat in ("infant", "adult"):
            for val in ("distress", "neutral", "happy"):
                rows = select(manifest, modality="image", category=cat, valence=val, stim_set=stim_set)
                rows = rows[rows["baby_schema"].isna()]
                assert rows["identity"].nunique() >= 6, (stim_set, cat, val)
        cont = select(manifest, category="infant", stim_set=stim_set).dropna(subset=["baby_schema"])
        counts = cont.groupby("identity")["baby_schema"].apply(lambda s: sorted(s.astype(int)))
        assert len(counts) >= 6 and all(c == [1, 2, 3, 4, 5] for c in counts)
        assert len(select(manifest, category="object", stim_set=stim_set)) >= 6
        cues = select(manifest, modality="image", category="opioid", valence="cue", stim_set=stim_set)
        matches = select(manifest, modality="image", category="household", valence="neutral", stim_set=stim_set)
        assert len(cues) >= 8 and sorted(matches["identity"]) == sorted(cues["id"])  # one match per cue
        for preset in ("high_distress", "low_distress"):
            cries = select(manifest, modality="audio", category="infant", valence=preset, stim_set=stim_set)
            assert len(cries) >= 4
            for cat in ("rotated", "noise"):  # one matched control of each kind per cry
                ctrl = select(manifest, modality="audio", category=cat, valence=preset, stim_set=stim_set)
                assert sorted(ctrl["identity"]) == sorted(cries["id"])


def test_sets_a_and_b_share_no_identity(manifest):
    faces = manifest[manifest["category"].isin(["infant", "adult"]) & (manifest["modality"] == "image")]
    a = set(faces[faces["set"] == "A"]["identity"])
    b = set(faces[faces["set"] == "B"]["identity"])
    assert a and b and not a & b
    digests = faces["sha256"]
    assert digests.nunique() == len(digests)  # no two images are the same picture


def test_images_are_grey_oval_and_equalised(manifest):
    mask = oval_mask()
    means, contrasts = [], []
    for sid in manifest[manifest["modality"] == "image"]["id"]:
        with Image.open(stimulus_path(manifest, sid)) as im:
            assert im.mode == "L" and im.size == (WIDTH_PX, HEIGHT_PX)
            px = np.asarray(im)
        assert np.all(px[~mask] == BACKGROUND)
        m, c = image_stats(px)
        means.append(m)
        contrasts.append(c)
    assert np.max(np.abs(np.array(means) - TARGET_MEAN_LUMINANCE)) <= LUMINANCE_TOLERANCE
    assert np.max(np.abs(np.array(contrasts) - TARGET_RMS_CONTRAST)) <= CONTRAST_TOLERANCE
    recorded = manifest[manifest["modality"] == "image"]["mean_luminance"].astype(float)
    assert np.allclose(recorded, means, atol=6e-4)


def test_folder_stays_small():
    total = sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024


def test_ids_are_the_documented_ones(manifest):
    ids = set(manifest["id"])
    for sid in ("inf_dis_A03", "adu_neu_B01", "inf_bs3_A02", "obj_A05", "cry_hi_A01", "rot_hi_A01",
                "noi_hi_A01", "cry_lo_B04", "opi_A01", "hou_A01", "opi_B12", "hou_B12"):
        assert sid in ids
    assert stimulus_path(manifest, "inf_dis_A03").is_file()
