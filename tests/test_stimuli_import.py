"""`icb stimuli import` normalises a lab's own files and refuses bad input whole (exit 2, nothing written)."""
from __future__ import annotations

import wave

import numpy as np
import pytest
from PIL import Image

from icb.cli import main
from tasks.stimulus_factory.manifest import load_manifest, stimulus_path
from tasks.stimulus_factory.normalise import (HEIGHT_PX, LUMINANCE_TOLERANCE, CONTRAST_TOLERANCE, SAMPLE_RATE_HZ,
                                     TARGET_MEAN_LUMINANCE, TARGET_RMS_CONTRAST, TARGET_RMS_DBFS, WIDTH_PX,
                                     image_stats, read_wav)


def _stereo_wav(path, rate=44100, seconds=1.2):
    t = np.arange(int(rate * seconds)) / rate
    left = 0.6 * np.sin(2 * np.pi * 450 * t) * np.sin(np.pi * t / seconds)
    right = 0.3 * np.sin(2 * np.pi * 900 * t)  # starts abruptly: needs a ramp
    data = np.round(np.stack([left, right], axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


@pytest.fixture()
def lab(tmp_path):
    src = tmp_path / "lab"
    src.mkdir()
    rng = np.random.default_rng(3)
    rgb = (rng.uniform(0, 255, (200, 300, 3)) * np.linspace(0.2, 1, 300)[None, :, None]).astype(np.uint8)
    Image.fromarray(rgb).save(src / "baby one.jpg")
    grad = np.tile(np.linspace(30, 220, 123), (456, 1)).astype(np.uint8)
    rgba = np.dstack([grad, grad[:, ::-1], grad, np.full_like(grad, 255)])
    Image.fromarray(rgba).save(src / "baby2.png")
    _stereo_wav(src / "cry.wav")
    table = tmp_path / "files.tsv"
    table.write_text("file\tcategory\tvalence\tid\tset\n"
                     "baby one.jpg\tinfant\tdistress\tlab_dis_01\tA\n"
                     "baby2.png\tinfant\tneutral\tlab_neu_01\tB\n"
                     "cry.wav\tinfant\thigh_distress\tlab_cry_01\tA\n")
    return src, table


def test_import_normalises_images_and_sounds(lab, tmp_path):
    src, table = lab
    out = tmp_path / "out"
    assert main(["stimuli", "import", str(src), "--licence", "TIF, by agreement with UiT", "--set-name", "tif",
                 "--table", str(table), "--out", str(out)]) == 0
    df = load_manifest(out / "manifest.tsv")
    assert list(df["id"]) == ["lab_dis_01", "lab_neu_01", "lab_cry_01"]
    assert set(df["licence"]) == {"TIF, by agreement with UiT"}
    for sid in ("lab_dis_01", "lab_neu_01"):
        with Image.open(stimulus_path(df, sid)) as im:
            assert im.mode == "L" and im.size == (WIDTH_PX, HEIGHT_PX)
            m, c = image_stats(np.asarray(im))
        assert abs(m - TARGET_MEAN_LUMINANCE) <= LUMINANCE_TOLERANCE
        assert abs(c - TARGET_RMS_CONTRAST) <= CONTRAST_TOLERANCE
    x, rate, channels = read_wav(stimulus_path(df, "lab_cry_01"))
    assert rate == SAMPLE_RATE_HZ and channels == 1
    assert abs(x.size / rate - 1.2) < 0.001
    assert abs(20 * np.log10(np.sqrt(np.mean(x**2))) - TARGET_RMS_DBFS) < 0.05
    n = int(0.010 * rate)
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3
    assert np.max(np.abs(x[:n // 10])) < np.max(np.abs(x[n:2 * n]))  # onset ramp
    assert main(["stimuli", "check", "--manifest", str(out / "manifest.tsv")]) == 0


def test_import_without_table_uses_one_category(lab, tmp_path):
    src, _ = lab
    (src / "cry.wav").unlink()
    out = tmp_path / "out2"
    assert main(["stimuli", "import", str(src), "--licence", "CIF", "--set-name", "cif",
                 "--category", "infant", "--valence", "happy", "--out", str(out)]) == 0
    df = load_manifest(out / "manifest.tsv")
    assert sorted(df["id"]) == ["cif_baby2", "cif_baby_one"]


@pytest.mark.parametrize("case, expected", [
    ("corrupt", "broken.png"),
    ("wrong_format", "notes.txt"),
    ("missing_column", "missing column(s) valence"),
    ("duplicate_id", "duplicate id 'lab_dis_01'"),
    ("outside", "outside the folder"),
    ("bad_valence", "column valence: 'furious'"),
    ("link_out", "is a link that leads to"),
])
def test_bad_input_exits_2_and_writes_nothing(lab, tmp_path, capsys, case, expected):
    src, table = lab
    text = table.read_text()
    if case == "corrupt":
        (src / "broken.png").write_bytes(b"\x89PNG not really")
        text += "broken.png\tinfant\tneutral\tlab_x\tA\n"
    elif case == "wrong_format":
        (src / "notes.txt").write_text("hello")
        text += "notes.txt\tinfant\tneutral\tlab_x\tA\n"
    elif case == "missing_column":
        text = text.replace("\tvalence", "\tvalance", 1)
    elif case == "duplicate_id":
        text += "baby2.png\tinfant\tneutral\tlab_dis_01\tA\n"
    elif case == "outside":
        text += "../elsewhere.png\tinfant\tneutral\tlab_x\tA\n"
    elif case == "bad_valence":
        text = text.replace("infant\tneutral", "infant\tfurious")
    elif case == "link_out":  # a link inside the lab's folder to a file outside it
        (tmp_path / "elsewhere.png").write_bytes((src / "baby2.png").read_bytes())
        (src / "linked.png").symlink_to(tmp_path / "elsewhere.png")
        text += "linked.png\tinfant\tneutral\tlab_x\tA\n"
    table.write_text(text)
    out = tmp_path / "out"
    assert main(["stimuli", "import", str(src), "--licence", "x", "--set-name", "lab",
                 "--table", str(table), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    if case not in ("missing_column",):
        assert "line " in err or str(src) in err
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_import_refuses_existing_output(lab, tmp_path, capsys):
    src, table = lab
    out = tmp_path / "exists"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["stimuli", "import", str(src), "--licence", "x", "--set-name", "lab",
                 "--table", str(table), "--out", str(out)]) == 2
    assert (out / "keep.txt").read_text() == "mine"
    assert "already exists" in capsys.readouterr().err


def test_import_of_a_folder_refuses_links_out_of_it(lab, tmp_path, capsys):
    """Without a table every file under the folder is imported: a linked folder or file
    that leads out of it is refused, naming the link and where it leads."""
    src, _ = lab
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.png").write_bytes((src / "baby2.png").read_bytes())
    (src / "more").symlink_to(outside, target_is_directory=True)
    (src / "one.png").symlink_to(outside / "private.png")
    out = tmp_path / "out"
    assert main(["stimuli", "import", str(src), "--licence", "x", "--set-name", "lab",
                 "--category", "infant", "--valence", "neutral", "--modality", "image",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'one.png' is a link that leads to" in err and str(outside / "private.png") in err
    assert not out.exists()
