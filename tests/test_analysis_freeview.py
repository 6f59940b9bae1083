"""Free-viewing scoring (contract §6) on synthetic data roots whose gaze is known sample by
sample: dwell, share, first fixation, exclusions and their reasons, damaged and missing
recordings, an unreadable manifest, the time course and heat map, split-half, change, and
``icb score`` / ``icb report`` end to end.

The generator writes what the task writes (contract §6): events.tsv with the 18 stim
columns, its sidecar (Provenance.AOIs, StimulusManifest), the stimulus manifest (in the data
root's stimuli/ folder, named relative to the root), and the gaze samples as one gzip member
per trial (fixation screen and ITI samples around each display).  50 Hz: one sample = 20 ms;
sample k of a display is at onset + 10 ms + 20 ms x k (k = 0 .. 49 for a 1 s display)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import gaze, io, reliability, score, settings
from analysis.scorer import Job, registry
from analysis.scorers import freeview
from icb.cli import main

FS_HZ = 50.0
AOI_NAMES = ["left", "right"] + [f"r{r}c{c}" for r in range(1, 5) for c in range(1, 5)]
PAIR = [{"name": "left", "x": -320.0, "y": 0.0, "width": 400.0, "height": 480.0},
        {"name": "right", "x": 320.0, "y": 0.0, "width": 400.0, "height": 480.0}]
GRID = [{"name": f"r{r}c{c}", "x": (c - 1.5) * 300.0, "y": (1.5 - r) * 300.0, "width": 250.0,
         "height": 250.0} for r in (1, 2) for c in (1, 2)]
WHERE = {"left": (-320.0, 0.0), "right": (320.0, 0.0), "centre": (0.0, 0.0),
         "nan": (np.nan, np.nan), **{a["name"]: (a["x"] + 50, a["y"] - 50) for a in GRID}}
STIM = {"infant_neutral": "inf_neu_1", "adult_neutral": "adu_neu_1",
        "infant_distress": "inf_dis_1", "infant_neutral#2": "inf_neu_2"}
MANIFEST = ("id\tfile\tcategory\tvalence\ninf_neu_1\ta.png\tinfant\tneutral\n"
            "inf_neu_2\tb.png\tinfant\tneutral\nadu_neu_1\tc.png\tadult\tneutral\n"
            "inf_dis_1\td.png\tinfant\tdistress\n")
NEU, DIS = "infant_neutral-adult_neutral", "infant_distress-infant_neutral"


def pattern(*segments: tuple[int, str]) -> list[str]:
    """Where each of the 50 display samples lies: (count, place) segments."""
    out = [place for n, place in segments for _ in range(n)]
    assert len(out) == 50
    return out


# the patterns of the hand-computed participant (target on the left unless said)
P1 = pattern((5, "centre"), (20, "left"), (10, "right"), (15, "nan"))   # 400 / 200 ms
P3 = pattern((30, "nan"), (20, "left"))                                 # 40% valid
P4 = pattern((5, "centre"), *[(4, s) for s in ["left", "right"] * 5], (5, "centre"))
P5 = pattern((50, "centre"))                                            # share n/a


@dataclass
class Trial:
    places: list[str]
    target: str = "left"                # the side (pair) showing the target category
    trial_type: str = NEU
    phase: str = "test"
    drift_check: str = "ok"
    grid: dict | None = None            # grid2x2: AOI -> category key of STIM


def _stims(t: Trial) -> dict[str, str]:
    if t.grid:
        return {f"stim_{a}": STIM[c] for a, c in t.grid.items()}
    target, comparison = t.trial_type.split("-")
    comparison = "infant_neutral#2" if t.trial_type == DIS else comparison
    other = "right" if t.target == "left" else "left"
    return {f"stim_{t.target}": STIM[target], f"stim_{other}": STIM[comparison]}


def write_run(root: Path, pid: str, session: str, trials: list[Trial], *, label="freeview",
              manifest="stimuli/manifest.tsv", physio=True, cut_last=False,
              category_columns=False, aois=PAIR, simulated=True, calibration=0.42) -> Path:
    beh = root / f"sub-{pid}" / f"ses-{session}" / "beh"
    beh.mkdir(parents=True, exist_ok=True)
    (root / "stimuli").mkdir(exist_ok=True)
    (root / "stimuli" / "manifest.tsv").write_text(MANIFEST)
    stem = beh / f"sub-{pid}_ses-{session}_task-{label}_run-1"
    cats = {v: k.split("#")[0] for k, v in STIM.items()}
    head = ["onset", "duration", "trial_index", "phase", "block", "trial_type", "layout",
            "view_ms", "view_actual_ms", "dropped_frames", "drift_check"] + \
        [f"stim_{a}" for a in AOI_NAMES] + \
        ([f"category_{a}" for a in AOI_NAMES] if category_columns else [])
    lines, members = ["\t".join(head)], []
    for i, t in enumerate(trials, start=1):
        onset = 3.0 * i
        stims = _stims(t)
        row = {"onset": f"{onset:.1f}", "duration": "1.0", "trial_index": str(i),
               "phase": t.phase, "block": "0" if t.phase == "practice" else "1",
               "trial_type": t.trial_type, "layout": "grid2x2" if t.grid else "pair",
               "view_ms": "1000", "view_actual_ms": "1000.0", "dropped_frames": "0",
               "drift_check": t.drift_check, **stims}
        row.update({f"category_{a}": cats[s] for a, s in
                    ((k[5:], v) for k, v in stims.items())} if category_columns else {})
        lines.append("\t".join(row.get(c, "n/a") for c in head))
        fixation = [(onset - 0.49 + 0.02 * k, "left") for k in range(24)]  # outside the window
        display = [(onset + 0.01 + 0.02 * k, p) for k, p in enumerate(t.places)]
        iti = [(onset + 1.01 + 0.02 * k, "right") for k in range(25)]
        text = "".join(f"{ts:.6f}\t" + ("n/a\tn/a\tn/a" if p == "nan" else
                                        f"{WHERE[p][0]:.2f}\t{WHERE[p][1]:.2f}\t3.50") + "\n"
                       for ts, p in fixation + display + iti)
        members.append(gzip.compress(text.encode()))
    (stem.parent / (stem.name + "_events.tsv")).write_text("\n".join(lines) + "\n")
    prov = {"Paradigm": "freeview", "TaskName": label, "Status": "completed",
            "Simulated": {"seed": 1} if simulated else False, "AOIs": aois,
            "StimulusManifest": manifest}
    (stem.parent / (stem.name + "_events.json")).write_text(json.dumps({"Provenance": prov}))
    if physio:
        if cut_last:
            members[-1] = members[-1][: len(members[-1]) // 2]
        (stem.parent / (stem.name + "_recording-eye1_physio.tsv.gz")).write_bytes(
            b"".join(members))
        (stem.parent / (stem.name + "_recording-eye1_physio.json")).write_text(json.dumps({
            "Columns": ["timestamp", "x_coordinate", "y_coordinate", "pupil_size"],
            "SamplingFrequency": FS_HZ, "PhysioType": "eyetrack", "RecordedEye": "right",
            "SampleCoordinateSystem": "gaze-on-screen", "StartTime": 0.0,
            "AverageCalibrationError": calibration}))
    return stem.parent / (stem.name + "_events.tsv")


def participants(root: Path, groups: dict[str, str]) -> None:
    (root / "participants.tsv").write_text("participant_id\tgroup\n" + "".join(
        f"sub-{p}\t{g}\n" for p, g in sorted(groups.items())))


def hand_trials() -> list[Trial]:
    """sub-1: 2 practice, 13 + 3 test trials; the values below are computed by hand."""
    return ([Trial(P1, phase="practice")] * 2 + [Trial(P1)] * 5
            + [Trial(P1, target="right")] * 3 + [Trial(P3)] * 2 + [Trial(P4)] * 2
            + [Trial(P5, drift_check="timeout")] + [Trial(P1, trial_type=DIS)] * 3)


def fast(n_splits: int = 50) -> dict:
    s = settings.defaults()
    s["reliability"]["n_splits"] = n_splits
    return s


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """One root: the hand-computed participant and every kind of damage, scored once."""
    root = tmp_path_factory.mktemp("fv") / "data"
    write_run(root, "1", "pre", hand_trials())
    write_run(root, "2", "pre", [Trial(P1)] * 4 + [Trial(P3)] * 6)
    write_run(root, "3", "pre", [Trial(P1)] * 12, physio=False)
    write_run(root, "4", "pre", [Trial(P1)] * 12, cut_last=True)
    write_run(root, "5", "pre", [Trial(P1)] * 12, manifest="stimuli/gone.tsv",
              category_columns=True)
    write_run(root, "6", "pre", [Trial(P1)] * 12, manifest="/nonexistent/manifest.tsv")
    participants(root, {str(k): "n/a" for k in range(1, 7)})
    out = root.parent / "out"
    assert main(["score", str(root), "--out", str(out), "--include-simulated"]) == 0
    return root, out


def read(out: Path, name: str) -> pd.DataFrame:
    return io.read_score_tsv(out / name, dtype={"participant_id": str, "reason": str,
                                                "exclusion_reason": str})


def values(out: Path, pid: str, condition: str) -> dict:
    s = read(out, "scores.tsv")
    s = s[(s["participant_id"] == pid) & (s["condition"] == condition)]
    return dict(zip(s["measure"], s["value"]))


def test_measures_of_the_hand_computed_participant(damaged):
    _, out = damaged
    got = values(out, "sub-1", f"{NEU}@1000")
    # valid trials: P1 x5 (400/200 ms, share 2/3, first on the target at 110 ms), P1 with
    # the target right x3 (200/400, 1/3, first on the comparison), P4 x2 (400/400, 0.5, no
    # run of 5 samples in one AOI), P5 (0/0: share n/a); P3 x2 have 40% valid samples.
    assert got["n_trials"] == 11
    assert got["dwell_share"] == pytest.approx((5 * 2 / 3 + 3 / 3 + 2 * 0.5) / 10, rel=1e-12)
    assert got["dwell_target_ms"] == pytest.approx((5 * 400 + 3 * 200 + 2 * 400) / 11)
    assert got["dwell_comparison_ms"] == pytest.approx((5 * 200 + 3 * 400 + 2 * 400) / 11)
    assert got["first_target_prop"] == pytest.approx(5 / 8)
    assert got["first_latency_ms"] == pytest.approx(110.0)
    assert got["valid_sample_prop"] == pytest.approx((8 * 35 + 2 * 20 + 2 * 50 + 50) / 650)
    few = values(out, "sub-1", f"{DIS}@1000")  # 3 valid trials: n/a but the two
    assert few["n_trials"] == 3 and few["valid_sample_prop"] == pytest.approx(35 / 50)
    assert np.isnan([few[m] for m in freeview.MEASURES[:5]]).all()
    overall = values(out, "sub-1", "all")
    assert overall["n_test_trials"] == 16 and overall["n_valid_trials"] == 14
    assert overall["drift_check_timeouts"] == 1 and overall["excluded"] == 0


def test_trial_values_and_reasons_in_trials_tsv(damaged):
    _, out = damaged
    t = read(out, "trials.tsv")
    one = t[t["participant_id"] == "sub-1"].set_index("trial_index")
    assert (one.loc[[1, 2], "exclusion_reason"] == "practice").all()
    assert one.loc[[1, 2], "dwell_share"].isna().all()
    assert one.loc[3, "dwell_target_ms"] == 400.0 and one.loc[3, "dwell_comparison_ms"] == 200.0
    assert one.loc[3, "first_fixation_aoi"] == "left" and one.loc[3, "first_target"] == 1
    assert one.loc[8, "first_target"] == 0 and one.loc[8, "dwell_share"] == pytest.approx(1 / 3)
    assert (one.loc[[11, 12], "exclusion_reason"] == "gaze: 40% valid samples").all()
    assert one.loc[[11, 12], "excluded"].tolist() == [1, 1] and one.loc[3, "excluded"] == 0
    assert one.loc[13, "first_latency_ms"] != one.loc[13, "first_latency_ms"]  # P4: n/a
    assert one.loc[15, "valid_sample_prop"] == 1.0 and np.isnan(one.loc[15, "dwell_share"])


def test_participant_session_below_half_valid_trials_is_excluded(damaged):
    _, out = damaged
    got = values(out, "sub-2", f"{NEU}@1000")
    assert got["n_trials"] == 4 and got["valid_sample_prop"] == pytest.approx(
        (4 * 35 + 6 * 20) / 500)
    assert np.isnan([got[m] for m in freeview.MEASURES[:5]]).all()
    ex = read(out, "exclusions.tsv")
    mine = ex[ex["participant_id"] == "sub-2"]["reason"].tolist()
    assert mine == ["4 of 10 test trials valid (fewer than 50%; a trial is valid with at "
                    "least 50% valid gaze samples): gaze scores n/a but n_trials and "
                    "valid_sample_prop"]
    t = read(out, "trials.tsv")
    two = t[t["participant_id"] == "sub-2"]
    assert two["excluded"].eq(1).all()
    assert two["exclusion_reason"].str.startswith("participant-session: 4 of 10").sum() == 4


def test_missing_recording_unreadable_manifest_and_cut_gzip(damaged):
    _, out = damaged
    ex = read(out, "exclusions.tsv")
    reasons = dict(zip(ex["participant_id"], ex["reason"]))
    assert reasons["sub-3"] == ("gaze not scored: gaze samples: sub-3_ses-pre_task-freeview_"
                                "run-1_recording-eye1_physio.tsv.gz missing")
    assert reasons["sub-6"].startswith("gaze not scored: stimulus categories unknown: "
                                       "stimulus manifest /nonexistent/manifest.tsv missing")
    assert ex.loc[ex["participant_id"] == "sub-3", "run"].tolist() == [1]
    s = read(out, "scores.tsv")
    assert s[s["participant_id"].isin(["sub-3", "sub-6"]) & (s["condition"] != "all")].empty
    assert values(out, "sub-3", "all")["excluded"] == 1
    # the cut last member: that trial has no samples, the other 11 are scored
    four = values(out, "sub-4", f"{NEU}@1000")
    assert four["n_trials"] == 11 and four["dwell_share"] == pytest.approx(2 / 3)
    t = read(out, "trials.tsv")
    assert t[(t["participant_id"] == "sub-4") & (t["trial_index"] == 12)][
        "exclusion_reason"].tolist() == ["gaze: no samples"]
    warnings = json.loads((out / "provenance.json").read_text())["Warnings"]
    assert any("sub-4_ses-pre" in w and "cut short" in w for w in warnings)
    # the manifest that cannot be read: categories from the category_<aoi> columns
    assert values(out, "sub-5", f"{NEU}@1000")["dwell_share"] == pytest.approx(2 / 3)
    assert any("stimuli/gone.tsv missing" in w and "category_<aoi>" in w for w in warnings)


def test_the_settings_change_the_cut_offs(damaged, tmp_path):
    root, _ = damaged
    s = fast()
    s["freeview"].update(min_valid_sample_prop=0.3, min_trials_per_cell=3,
                         min_fixation_ms=500.0)
    out = tmp_path / "o"
    out.mkdir()
    score.score(root, out, settings=s, include_simulated=True, show_progress=False)
    got = values(out, "sub-1", f"{NEU}@1000")
    assert got["n_trials"] == 13  # P3 (40% valid) counts now
    assert np.isnan(got["first_target_prop"])  # no run of 25 samples in one AOI
    assert values(out, "sub-1", f"{DIS}@1000")["dwell_share"] == pytest.approx(2 / 3)


NUMBER = "allowed: a number or n/a"


@pytest.mark.parametrize("body, reason", [
    (b"0.0\t1\t2\t3\n0.1\tabc\t2\t3\n", f"line 2: column x_coordinate: bad value 'abc'; {NUMBER}"),
    (b"0.0\t1\t2\n", "line 1: 3 fields, the sidecar's Columns has 4"),
    (b"0.0\t1\t\t3\n", f"line 1: column y_coordinate: bad value ''; {NUMBER}"),
])
def test_a_damaged_recording_is_refused_naming_line_and_column(tmp_path, body, reason):
    path = tmp_path / "x_recording-eye1_physio.tsv.gz"
    path.write_bytes(gzip.compress(body))
    path.with_name("x_recording-eye1_physio.json").write_text(json.dumps(
        {"Columns": ["timestamp", "x_coordinate", "y_coordinate", "pupil_size"]}))
    with pytest.raises(io.UnreadableFile) as caught:
        io.read_physio(path, wanted=("timestamp", "x_coordinate", "y_coordinate"))
    assert str(caught.value) == f"x_recording-eye1_physio.tsv.gz: {reason}"


def test_every_whole_gzip_member_is_read_and_a_cut_tail_left_out(tmp_path):
    path = tmp_path / "x_recording-eye1_physio.tsv.gz"
    whole = [gzip.compress(f"{k}.0\t{k}\t{k}\t1\n".encode()) for k in range(3)]
    path.write_bytes(b"".join(whole) + whole[0][:-5])
    path.with_name("x_recording-eye1_physio.json").write_text(json.dumps(
        {"Columns": ["timestamp", "x_coordinate", "y_coordinate", "pupil_size"]}))
    samples, _, warnings = io.read_physio(path, wanted=("timestamp", "x_coordinate"))
    assert samples["timestamp"].tolist() == [0.0, 1.0, 2.0]
    assert warnings == [f"{path.name}: the last gzip member is cut short (a crash while it "
                        f"was written): {len(whole[0]) - 5} bytes not read"]


def test_timecourse_heatmap_and_calibration_files(damaged):
    _, out = damaged
    tc = read(out, "gaze_timecourse.tsv")
    one = tc[tc["participant_id"] == "sub-1"].set_index("bin_start_ms")
    # bin 0-500 ms: P1 1.0 (x5), target right 0.0 (x3), P4 12/20 (x2); 500-1000: the rest
    assert one.loc[0.0, "dwell_share"] == pytest.approx((5 + 2 * 0.6) / 10)
    assert one.loc[500.0, "dwell_share"] == pytest.approx((3 + 2 * 0.4) / 10)
    assert one["n_trials"].tolist() == [10, 10] and sorted(one.index) == [0.0, 500.0]
    heat = read(out, "gaze_heatmap.tsv")
    by = heat.groupby("category")["n_samples"].sum()
    # sub-1's valid trials (the three infant_distress-infant_neutral trials show
    # inf_neu_2 on the right), + sub-4 (11 x P1) and sub-5 (12 x P1): 20, 10, 5 each
    assert by["infant_neutral"] == 100 + 30 + 40 + 30 + 23 * 20
    assert by["adult_neutral"] == 50 + 60 + 40 + 23 * 10
    assert by["infant_distress"] == 60
    assert by["outside AOIs"] == 25 + 15 + 20 + 50 + 15 + 23 * 5
    aois = read(out, "gaze_aois.tsv")
    assert aois[["layout", "aoi", "x_px", "width_px"]].values.tolist() == [
        ["pair", "left", -320.0, 400.0], ["pair", "right", 320.0, 400.0]]
    cal = read(out, "gaze_calibration.tsv")
    assert set(cal["field"]) == {"AverageCalibrationError"} and (cal["value"] == 0.42).all()


def test_grid_layout_and_the_scorer_on_a_job(tmp_path):
    grid = {"r1c1": "infant_neutral", "r2c2": "infant_neutral#2", "r1c2": "adult_neutral",
            "r2c1": "adult_neutral"}
    places = pattern((5, "centre"), (10, "r1c1"), (10, "r2c2"), (5, "r1c2"), (20, "nan"))
    path = write_run(tmp_path, "1", "pre", [Trial(places, grid=grid)] * 10, aois=GRID)
    rows = pd.read_csv(path, sep="\t", keep_default_na=False, na_values=["n/a"])
    rows.insert(0, "participant_id", "sub-1")
    rows.insert(1, "session", "pre")
    rows.insert(2, "task", "freeview")
    rows.insert(3, "run", 1)
    none = pd.DataFrame({"participant_id": [], "group": []})
    out = freeview.score(Job("freeview", "freeview", rows, settings.defaults(), none,
                             files={("sub-1", "pre"): path}))
    got = out.scores.set_index(["condition", "measure"])["value"]
    assert got[(f"{NEU}@1000", "dwell_target_ms")] == 400.0  # 10 + 10 samples, two AOIs
    assert got[(f"{NEU}@1000", "dwell_share")] == pytest.approx(0.8)
    assert got[(f"{NEU}@1000", "first_target_prop")] == 1.0
    assert out.tables["gaze_aois.tsv"]["aoi"].tolist() == ["r1c1", "r1c2", "r2c1", "r2c2"]
    assert out.change["measure"].unique().tolist() == ["dwell_share"]


def test_first_fixation_needs_a_run_after_the_cut_in_one_aoi():
    loc = pd.DataFrame({"trial": [0] * 9, "t_ms": np.arange(9) * 20.0 + 10,
                        "aoi": [0, 0, 0, 0, 0, 0, 1, 1, 1], "role": [1] * 6 + [2] * 3})

    def first(after_ms, min_fixation_ms):
        return gaze.first_fixation(loc, n_trials=1, sampling_frequency_hz=50.0,
                                   min_fixation_ms=min_fixation_ms, after_ms=after_ms
                                   ).values.tolist()[0]
    # samples at 10, 30, ... 170 ms; AOI 0 until 110 ms, then AOI 1
    assert first(50, 60) == [0.0, 1.0, 50.0]  # 3 samples needed: 50, 70, 90 ms
    assert first(60, 60) == [0.0, 1.0, 70.0]  # the cut moves the run's start
    assert np.isnan(first(60, 80)).all()      # 4 needed: AOI 0 keeps 3 after 60 ms, AOI 1 3


def test_split_half_of_a_mean_matches_a_direct_implementation():
    rng = np.random.default_rng(7)
    person = rng.normal(0.5, 0.08, 40)
    rows = [(f"p{p}", float(np.clip(person[p] + rng.normal(0, 0.15), 0, 1)), k)
            for p in range(40) for k in range(int(rng.integers(8, 16)))]
    d = pd.DataFrame(rows, columns=["participant_id", "share", "trial_index"])
    got = reliability.split_half(freeview.reliability_frame(d), order="order", n_splits=2000,
                                 seed=3)
    shares = [g["share"].to_numpy() for _, g in d.groupby("participant_id")]
    sb = []
    for _ in range(2000):  # the contract's words: shuffle, cut at floor(n/2), mean per half
        halves = [rng.permutation(x) for x in shares]
        h1 = [x[: len(x) // 2].mean() for x in halves]
        h2 = [x[len(x) // 2:].mean() for x in halves]
        r = np.corrcoef(h1, h2)[0, 1]
        sb.append(2 * r / (1 + abs(r)))
    assert got["n_participants"] == 40
    assert got["sb"] == pytest.approx(np.mean(sb), abs=0.02)


def e2e_left(k: int, session: str, i: int) -> int:
    """Samples on the (target) left picture in trial i of participant k; 10 on the right."""
    return 10 + k + (2 if session == "post" and k <= 4 else 0) + (i % 3) - 1


def e2e_share(k: int, session: str) -> float:
    return float(np.mean([e2e_left(k, session, i) / (e2e_left(k, session, i) + 10)
                          for i in range(12)]))


def test_icb_score_and_report_end_to_end(tmp_path):
    root = tmp_path / "data"
    groups = {str(k): "MORE" if k <= 4 else "control" for k in range(1, 9)}
    for k in range(1, 9):
        for session in ("pre", "post"):
            trials = []
            for i in range(12):
                left = e2e_left(k, session, i)
                places = pattern((5, "centre"), (left, "left"), (10, "right"),
                                 (35 - left, "nan"))
                trials.append(Trial(places, drift_check="timeout" if i == 0 else "ok"))
            write_run(root, str(k), session, trials)
    participants(root, groups)
    out, html = tmp_path / "out", tmp_path / "report.html"
    assert main(["score", str(root), "--out", str(out), "--include-simulated"]) == 0
    s = read(out, "scores.tsv")
    share = s[(s["task"] == "freeview") & (s["measure"] == "dwell_share")]
    assert share.set_index(["participant_id", "session"])["value"].to_dict() == pytest.approx(
        {(f"sub-{k}", ses): e2e_share(k, ses) for k in range(1, 9) for ses in ("pre", "post")})
    rel = read(out, "reliability.tsv")
    rel = rel[rel["task"] == "freeview"]
    assert rel[["session", "condition", "measure"]].values.tolist() == [
        ["post", f"{NEU}@1000", "dwell_share"], ["pre", f"{NEU}@1000", "dwell_share"]]
    assert (rel["n_participants"] == 8).all() and (rel["sb"] > 0.8).all()  # people differ
    c = read(out, "change.tsv")
    c = c[c["task"] == "freeview"].set_index("group")
    assert c.loc["MORE", "mean_change"] == pytest.approx(
        np.mean([e2e_share(k, "post") - e2e_share(k, "pre") for k in range(1, 5)]), rel=1e-12)
    assert c.loc["control", "mean_change"] == pytest.approx(0.0, abs=1e-15)
    assert c.loc["all", "measure"] == "dwell_share" and c.loc["all", "n"] == 8
    assert len(read(out, "rci.tsv")) == 8
    assert main(["report", str(out), "--out", str(html)]) == 0
    text = html.read_text()
    for title in ("Dwell share before and after (task-freeview)",
                  "Dwell share over the display (task-freeview)",
                  "Where the gaze fell (task-freeview)", "Gaze data quality (task-freeview)",
                  "AverageCalibrationError", "Free-viewing data (task-freeview)"):
        assert title in text
    assert text.count("data:image/png;base64,") >= 5


def test_registry_finds_the_scorer_and_its_settings():
    found = registry()["freeview"]
    assert found.name == "free viewing" and found.score.__module__ == "analysis.scorers.freeview"
    assert sorted(found.tables) == ["gaze_aois.tsv", "gaze_calibration.tsv", "gaze_heatmap.tsv",
                                    "gaze_timecourse.tsv"]
    assert settings.defaults()["freeview"] == {
        "test_phase": "test", "min_valid_sample_prop": 0.5, "min_valid_trial_prop": 0.5,
        "min_fixation_ms": 100.0, "first_fixation_after_ms": 100.0, "min_trials_per_cell": 10,
        "bin_ms": 500.0}
