"""`icb stimuli check` passes on the committed set and names each broken file (on a copy)."""
from __future__ import annotations

import shutil

import pytest

from icb.cli import main
from tasks.stimulus_factory.manifest import default_stimuli_dir, load_manifest, manifest_sha256, select


@pytest.fixture()
def copy(tmp_path):
    dst = tmp_path / "set"
    shutil.copytree(default_stimuli_dir(), dst)
    return dst


def test_committed_set_passes(capsys):
    assert main(["stimuli", "check", "--acoustics"]) == 0
    assert "OK" in capsys.readouterr().out


def test_edited_image_is_named(copy, capsys):
    target = copy / "faces" / "inf_dis_A03.png"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert main(["stimuli", "check", "--manifest", str(copy / "manifest.tsv")]) == 2
    err = capsys.readouterr().err
    assert "inf_dis_A03" in err and "SHA-256" in err
    assert "inf_dis_A04" not in err


def test_replaced_image_fails_format_and_luminance(copy, capsys):
    from PIL import Image

    Image.new("RGB", (100, 100), (250, 250, 250)).save(copy / "objects" / "obj_B02.png")
    assert main(["stimuli", "check", "--manifest", str(copy / "manifest.tsv")]) == 2
    err = capsys.readouterr().err
    assert "obj_B02" in err and "mode L" in err


def test_louder_sound_is_named(copy, capsys):
    import numpy as np

    from tasks.stimulus_factory.normalise import read_wav, write_wav

    path = copy / "cries" / "cry_lo_A02.wav"
    x, _, _ = read_wav(path)
    write_wav(path, x * 1.5)
    assert main(["stimuli", "check", "--manifest", str(copy / "manifest.tsv")]) == 2
    err = capsys.readouterr().err
    assert "cry_lo_A02" in err and "RMS" in err
    assert np.isfinite(x).all()


def test_missing_file_is_named(copy, capsys):
    (copy / "cries" / "noi_hi_B03.wav").unlink()
    assert main(["stimuli", "check", "--manifest", str(copy / "manifest.tsv")]) == 2
    assert "noi_hi_B03" in capsys.readouterr().err


@pytest.mark.parametrize("edit, expected", [
    (lambda lines: lines + [lines[1]], "duplicate id 'inf_dis_A01'"),
    (lambda lines: [lines[0]] + [lines[1].replace("faces/inf_dis_A01.png", "../secret.png")] + lines[2:],
     "outside the stimulus folder"),
    (lambda lines: [lines[0].replace("\tlicence", "\tlicense")] + lines[1:], "missing column(s) licence"),
    (lambda lines: [lines[0]] + [lines[1].replace("\tdistress\t", "\tangry\t")] + lines[2:],
     "column valence: 'angry'"),
])
def test_bad_manifest_is_reported_with_line_and_column(copy, capsys, edit, expected):
    path = copy / "manifest.tsv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(edit(lines)) + "\n")
    assert main(["stimuli", "check", "--manifest", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    if "missing column" not in expected:
        assert "line " in err  # the row is named


def test_loading_api():
    df = load_manifest()
    assert len(manifest_sha256()) == 64
    sel = select(df, modality="image", category="infant", baby_schema=5, stim_set="B")
    assert len(sel) >= 6 and set(sel["baby_schema"]) == {5}
    assert sel.attrs["root"] == df.attrs["root"]
    assert str(df["width_px"].dtype) == "Int64" and str(df["rms_dbfs"].dtype) == "Float64"
