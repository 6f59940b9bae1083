"""A data-only cohort with touch input and Spanish texts (``station.input: touch``,
``station.language: es``), every paradigm: ``icb simulate`` writes ``response_device:
touch`` on every row and the planted effects come back within 3 standard errors (over
participants), as with keyboard settings (tests/test_end_to_end.py,
tests/test_freeview_cohort.py, the paradigms' design tests).  ``icb score`` scores it."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from icb.cli import main

REPO = Path(__file__).resolve().parent.parent
N = 16  # participants per paradigm (8 MORE, 8 control)

EFFECTS = {
    "dotprobe": {"bias_ms": 30, "more_change_ms": 25, "control_change_ms": 0},
    "rating": {"rating_infant_minus_adult": 1.5, "rating_more_change": 1.0,
               "rating_distress_minus_neutral": 0},
    "keypress": {"keypress_infant_minus_adult_ms": 800, "keypress_baby_schema_slope_ms": 0,
                 "keypress_more_change_ms": 500},
    "cryrating": {"cry_more_change": -1.0},
    "freeview": {"dwell_share": 0.6, "dwell_share_more_change": 0.08,
                 "dwell_share_control_change": 0.0},
}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("touchcohort")
    root = base / "data"
    for name, effects in EFFECTS.items():
        config = base / f"{name}.yaml"
        config.write_text(f"include: {REPO / 'configs' / f'{name}.yaml'}\n"
                          "station: {language: es, input: touch}\n")
        args = [f"--effect={k}={v}" for k, v in effects.items()]
        assert main(["simulate", str(config), "--participants", str(N), "--data-dir",
                     str(root), "--seed", "11", *args]) == 0
    out = base / "scores"
    assert main(["score", str(root), "--out", str(out), "--include-simulated"]) == 0
    frames = []
    for tsv in sorted(root.rglob("*_events.tsv")):
        frame = pd.read_csv(tsv, sep="\t", na_values="n/a", keep_default_na=False)
        parts = dict(p.split("-", 1) for p in tsv.name.split("_")[:3])
        frames.append(frame.assign(participant=parts["sub"], session=parts["ses"],
                                   task=parts["task"]))
    groups = pd.read_csv(root / "participants.tsv", sep="\t").set_index("participant_id")
    events = pd.concat(frames, ignore_index=True)
    events["group"] = ("sub-" + events.participant).map(groups["group"])
    return events, out


def within_3_se(values, planted: float) -> None:
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - planted) < 3 * se, (values.mean(), planted, se)


def per_person(frame: pd.DataFrame, value: str, first, second=None) -> pd.Series:
    """Per participant and session: mean of ``value`` where ``first`` (minus the mean
    where ``second``)."""
    a = frame[first(frame)].groupby(["participant", "session"])[value].mean()
    return a if second is None else a - frame[second(frame)].groupby(
        ["participant", "session"])[value].mean()


def change(series: pd.Series, frame: pd.DataFrame, group: str) -> np.ndarray:
    wide = series.unstack("session")
    members = set(frame.loc[frame.group == group, "participant"])
    wide = wide[wide.index.isin(members)]
    return (wide["post"] - wide["pre"]).to_numpy()


def test_every_row_says_touch(cohort):
    events, _ = cohort
    assert set(events.task) == {"dotprobe", "rating", "keypress", "cryrating", "freeview"}
    assert (events.response_device == "touch").all()
    assert events.groupby("task").participant.nunique().eq(N).all()


def test_dotprobe_bias_and_change(cohort):
    events, _ = cohort
    dp = events[(events.task == "dotprobe") & (events.phase == "test")
                & (events.correct == 1) & events.congruent.notna()]
    bias = per_person(dp, "rt_ms", lambda f: f.congruent == 0, lambda f: f.congruent == 1)
    within_3_se(bias.xs("pre", level="session"), EFFECTS["dotprobe"]["bias_ms"])
    within_3_se(change(bias, dp, "MORE"), EFFECTS["dotprobe"]["more_change_ms"])
    within_3_se(change(bias, dp, "control"), 0.0)


def test_rating_salience_and_change(cohort):
    events, _ = cohort
    r = events[(events.task == "rating") & (events.phase == "test")
               & (events.scale == "liking")]
    diff = per_person(r, "rating", lambda f: f.category == "infant",
                      lambda f: f.category == "adult")
    within_3_se(diff.xs("pre", level="session"), EFFECTS["rating"]["rating_infant_minus_adult"])
    infant = per_person(r, "rating", lambda f: f.category == "infant")
    within_3_se(change(infant, r, "MORE"), EFFECTS["rating"]["rating_more_change"])
    within_3_se(change(infant, r, "control"), 0.0)


def test_keypress_wanting_and_change(cohort):
    events, _ = cohort
    k = events[(events.task == "keypress") & (events.phase == "test")]
    diff = per_person(k, "viewing_time_ms", lambda f: f.category == "infant",
                      lambda f: f.category == "adult")
    within_3_se(diff.xs("pre", level="session"),
                EFFECTS["keypress"]["keypress_infant_minus_adult_ms"])
    infant = per_person(k, "viewing_time_ms", lambda f: f.category == "infant")
    within_3_se(change(infant, k, "MORE"), EFFECTS["keypress"]["keypress_more_change_ms"])


def test_cry_rating_change(cohort):
    events, _ = cohort
    c = events[(events.task == "cryrating") & (events.phase == "test")
               & (events.category == "infant")]
    infant = per_person(c, "rating", lambda f: f.scale == "aversive")
    within_3_se(change(infant, c, "MORE"), EFFECTS["cryrating"]["cry_more_change"])
    within_3_se(change(infant, c, "control"), 0.0)


def test_freeview_preference_and_change_scored(cohort):
    _, out = cohort
    scores = pd.read_csv(out / "scores.tsv", sep="\t", na_values="n/a", keep_default_na=False)
    fv = scores[(scores.task == "freeview") & (scores.measure == "dwell_share")
                & (scores.session == "pre")].dropna(subset=["value"])
    per = fv.groupby("participant_id").value.mean()
    assert len(per) == N
    within_3_se(per, EFFECTS["freeview"]["dwell_share"])
    rows = pd.read_csv(out / "change.tsv", sep="\t")
    rows = rows[(rows.measure == "dwell_share") & (rows.group == "MORE")]
    assert len(rows)
    for _, row in rows.iterrows():
        se = row.sd_change / math.sqrt(row.n)
        assert abs(row.mean_change - EFFECTS["freeview"]["dwell_share_more_change"]) < 3 * se
