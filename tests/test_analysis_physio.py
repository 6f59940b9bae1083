"""Heart rate to cues (contract section 8): ECG with R-peaks placed on a planted heart-rate
curve (tests/physio_data.py) scored by ``icb score``: the planted change per cue class and
window comes back, a signal gap excludes its cue, an unreadable recording is listed and
the rest scored, a multi-member and a cut gzip are read, no physio means no physio files,
and the HR changes reach change.tsv."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

import physio_data as pdx
from analysis import physio
from icb.cli import main


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    root = tmp_path_factory.mktemp("physio") / "data"
    root.mkdir()
    rng = np.random.default_rng(5)
    pdx.write_participant(root, "001", "pre", "MORE", rng, members=3)
    pdx.write_participant(root, "001", "post", "MORE", rng, cut_tail_s=3.0)
    pdx.write_participant(root, "002", "pre", "control", rng, gap_s=(41.0, 44.0))
    pdx.write_participant(root, "002", "post", "control", rng)
    bad = pdx.write_participant(root, "003", "pre", "control", rng)
    ecg = pdx.write_ecg(bad["events"], np.array([0.0, 0.004]), np.array([0.0, 0.1]))
    ecg.write_bytes(b"this is not gzip")
    out = root.parent / "out"
    code = main(["score", str(root), "--out", str(out)])
    return code, out, root


def test_planted_change_per_class_and_window_recovered(scored):
    code, out, _ = scored
    assert code == 0
    ph = pd.read_csv(out / "physio.tsv", sep="\t", dtype={"participant_id": str})
    changes = ph[ph["measure"].str.startswith("hr_change_bpm_")]
    assert set(changes["condition"]) == set(pdx.DEPTH_BPM)
    assert len(changes) == 4 * 3 * 3  # 4 participant-sessions x 3 classes x 3 windows
    for r in changes.itertuples():
        planted = pdx.planted_change(r.condition, r.window_start_s, r.window_end_s)
        assert abs(r.value - planted) < 1.0, (r.participant_id, r.session, r.measure, r.value)
    base = ph[ph["measure"] == "hr_baseline_bpm"]["value"]
    assert (abs(base - pdx.BASE_BPM) < 1.5).all()


def test_gap_over_a_cue_excludes_it_with_its_reason(scored):
    _, out, _ = scored
    excl = pd.read_csv(out / "exclusions.tsv", sep="\t", dtype=str)
    gap = excl[excl["reason"].str.contains("signal gap")]
    assert gap[["participant_id", "session"]].values.tolist() == [["sub-002", "pre"]]
    assert "cue at 40.00 s" in gap["reason"].iloc[0]
    ph = pd.read_csv(out / "physio.tsv", sep="\t", dtype=str)
    row = ph[(ph["participant_id"] == "sub-002") & (ph["session"] == "pre")]
    assert set(row["signal_gaps"].astype(float)) == {1.0}
    assert row["n_cues_excluded"].astype(int).sum() > 0


def test_unreadable_recording_listed_and_the_rest_scored(scored, capsys):
    code, out, _ = scored
    assert code == 0
    excl = pd.read_csv(out / "exclusions.tsv", sep="\t", dtype=str)
    bad = excl[(excl["participant_id"] == "sub-003")]
    assert bad["reason"].str.contains("not a gzip file").any()
    ph = pd.read_csv(out / "physio.tsv", sep="\t", dtype=str)
    assert "sub-003" not in set(ph["participant_id"])
    assert "Traceback" not in capsys.readouterr().err


def test_multi_member_and_cut_gzip_are_read(scored):
    _, out, root = scored
    path = next(root.glob("sub-001/ses-post/beh/*_recording-ecg_physio.tsv.gz"))
    with pytest.raises((EOFError, gzip.BadGzipFile)):
        gzip.decompress(path.read_bytes())  # the last member really is cut
    import json
    prov = json.loads((out / "provenance.json").read_text())
    assert any("cut short" in w for w in prov["Warnings"])
    ph = pd.read_csv(out / "physio.tsv", sep="\t", dtype={"participant_id": str})
    for session in ("pre", "post"):
        assert ph[(ph["participant_id"] == "sub-001") & (ph["session"] == session)][
            "value"].notna().all()


def test_change_rows_and_timecourse(scored):
    _, out, _ = scored
    ch = pd.read_csv(out / "change.tsv", sep="\t", dtype=str)
    row = ch[(ch["condition"] == "infant") & (ch["measure"] == "hr_change_bpm_2_4s")
             & (ch["group"] == "all")]
    assert len(row) == 1 and row["n"].iloc[0] == "2"
    tc = pd.read_csv(out / "physio_timecourse.tsv", sep="\t")
    infant = tc[(tc["condition"] == "infant")]
    assert sorted(set(infant["bin_start_s"])) == list(np.arange(-1.0, 6.0, 0.5))
    trough = infant[infant["bin_start_s"] == 2.5]["hr_change_bpm"]
    assert (trough < -6).all() and (infant[infant["bin_start_s"] == -1.0][
        "hr_change_bpm"].abs() < 1).all()


def test_no_physio_no_physio_files(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    onsets, classes = pdx.schedule(np.random.default_rng(1))
    pdx.write_run(root, "001", "pre", "cryrating", pdx.cry_rows(onsets, classes), group="MORE")
    out = tmp_path / "out"
    assert main(["score", str(root), "--out", str(out)]) == 0
    assert not (out / "physio.tsv").exists() and not (out / "physio_timecourse.tsv").exists()
    ch = pd.read_csv(out / "change.tsv", sep="\t", dtype=str)
    assert not ch["measure"].str.startswith("hr_").any()


def test_hf_hrv_of_a_planted_respiratory_modulation():
    k = np.arange(120)  # RR = 800 + 40 sin(2 pi 0.3 t) ms: HF power ~ 40^2 / 2 = 800 ms^2
    beats = np.cumsum(0.8 + 0.04 * np.sin(2 * np.pi * 0.3 * 0.8 * k))
    value = physio.hf_power(beats, rr_min_ms=300, rr_max_ms=2000)
    assert abs(value - np.log(800.0)) < 0.3
    flat = physio.hf_power(np.cumsum(np.full(120, 0.8)) + 1e-4 * np.sin(k),
                           rr_min_ms=300, rr_max_ms=2000)
    assert flat < value - 3


def test_report_has_the_heart_rate_section(scored, tmp_path):
    _, out, _ = scored
    html = tmp_path / "report.html"
    assert main(["report", str(out), "--out", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "Heart rate to cues" in text and "hr_change_bpm_2_4s" in text
