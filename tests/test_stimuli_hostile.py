"""Stimuli that are not what the manifest describes are refused before a run: a cry cut to
20 ms (it still decodes), a symbolic link out of the stimulus folder, a picture whose
header claims a decompression bomb (refused from its header, never decoded)."""

from __future__ import annotations

import os
import shutil
import struct
import wave
import zlib
from pathlib import Path

from helpers import problems_of

REPO = Path(__file__).resolve().parent.parent
CRY = REPO / "configs" / "cryrating.yaml"
RATING = REPO / "configs" / "rating.yaml"


def stimuli_copy(tmp_path: Path, skip: str) -> Path:
    stim = tmp_path / "stimuli"
    shutil.copytree(REPO / "stimuli", stim, ignore=shutil.ignore_patterns(skip))
    return stim


def config_for(tmp_path: Path, base: Path, stim: Path) -> Path:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"include: {base}\nstation:\n  stimulus_manifest: {stim / 'manifest.tsv'}\n")
    return cfg


def test_a_cry_cut_to_20_ms_is_refused_though_it_decodes(tmp_path):
    stim = stimuli_copy(tmp_path, "faces")
    path = stim / "cries" / "cry_hi_A02.wav"
    with wave.open(str(path), "rb") as src:
        params, frames = src.getparams(), src.readframes(int(src.getframerate() * 0.02))
    with wave.open(str(path), "wb") as dst:
        dst.setparams(params)
        dst.writeframes(frames)
    problems = problems_of(config_for(tmp_path, CRY, stim))
    assert any("cry_hi_A02" in p and "is not the file the manifest describes" in p
               for p in problems), problems


def test_a_symbolic_link_out_of_the_stimulus_folder_is_refused(tmp_path):
    stim = stimuli_copy(tmp_path, "cries")
    outside = tmp_path / "elsewhere.png"
    face = stim / "faces" / "inf_hap_A01.png"
    shutil.move(face, outside)
    os.symlink(outside, face)  # the same bytes, but outside the folder
    problems = problems_of(config_for(tmp_path, RATING, stim))
    assert any("inf_hap_A01" in p and "outside the stimulus folder" in p for p in problems), \
        problems


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    stim = stimuli_copy(tmp_path, "cries")
    (stim / "faces" / "inf_neu_A02.png").write_bytes(_png_claiming(100_000, 100_000))
    (stim / "faces" / "inf_neu_B02.png").write_bytes(_png_claiming(8_000, 6_000))  # 48 MP
    problems = problems_of(config_for(tmp_path, RATING, stim))
    assert any("inf_neu_A02" in p and "allowed: at most 40000000 pixels (not decoded)" in p
               for p in problems), problems
    assert any("inf_neu_B02" in p and "is 8000x6000 pixels; allowed: at most 40000000 pixels"
               in p for p in problems), problems


def test_a_decompression_bomb_is_refused_by_import_and_check(tmp_path, capsys):
    """`icb stimuli import` and `icb stimuli check` read the header's pixel count first:
    exit 2 with the file named, never PIL's traceback."""
    from icb.cli import main
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "bomb.png").write_bytes(_png_claiming(60_000, 60_000))
    out = tmp_path / "out"
    assert main(["stimuli", "import", str(lab), "--licence", "x", "--set-name", "lab",
                 "--category", "infant", "--valence", "neutral", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bomb.png" in err and "allowed: at most 40000000 pixels (not decoded)" in err, err
    assert "Traceback" not in err and not out.exists()
    stim = stimuli_copy(tmp_path, "nothing-skipped")
    (stim / "faces" / "inf_neu_A02.png").write_bytes(_png_claiming(60_000, 60_000))
    assert main(["stimuli", "check", "--manifest", str(stim / "manifest.tsv")]) == 2
    err = capsys.readouterr().err
    assert "inf_neu_A02.png" in err and "too large" in err and "not decoded" in err
    assert "Traceback" not in err
