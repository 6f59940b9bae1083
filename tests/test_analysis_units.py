"""Hand-computed checks of the analysis building blocks (no data root needed)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import abv, change, clean, settings, tlbs
from analysis.bias import condition_scores
from analysis.reliability import cronbach_alpha

ROOT = Path(__file__).resolve().parents[1]


def test_doctests_of_the_analysis_package_pass():
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "--doctest-modules",
                             "analysis", "-p", "no:cacheprovider"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def _trials(rts, congruent, *, correct=None, condition="a-b@200"):
    n = len(rts)
    return pd.DataFrame({
        "participant_id": "sub-1", "session": "pre", "phase": "test", "trial_type": "a-b",
        "cue_duration_ms": 200.0, "condition": condition, "trial_index": np.arange(1, n + 1),
        "congruent": congruent, "correct": correct if correct is not None else [1] * n,
        "response": ["left"] * n, "rt_ms": np.asarray(rts, dtype=float)})


def test_cleaning_reasons_in_order_and_mad_by_hand():
    s = settings.defaults()["dotprobe"]
    rts = [500, 510, 490, 505, 495, 1500, 150, 2500, 500, 500, 700]
    t = _trials(rts, [1, 0] * 5 + [1])
    t.loc[8, "correct"] = 0
    t.loc[9, "correct"] = 0
    t.loc[9, "response"] = None
    t.loc[9, "rt_ms"] = np.nan
    # accuracy = 9/11 >= 0.8
    out = clean.clean_trials(t, settings=s)
    reasons = out["exclusion_reason"].tolist()
    assert reasons[6] == "rt_below_200" and reasons[7] == "rt_above_2000"
    assert reasons[8] == "error" and reasons[9] == "no_response"
    # MAD by hand over the remaining trials 500 510 490 505 495 1500 700
    left = np.array([500, 510, 490, 505, 495, 1500, 700.0])
    med = np.median(left)
    mad = 1.4826 * np.median(np.abs(left - med))
    expect_out = np.abs(left - med) > 2.5 * mad
    got_out = out.loc[[0, 1, 2, 3, 4, 5, 10], "exclusion_reason"].eq("mad_outlier").to_numpy()
    assert got_out.tolist() == expect_out.tolist()
    assert expect_out[5] and expect_out[6]  # 1500 and 700 are outliers
    assert out["excluded"].tolist() == [int(r is not None) for r in reasons]


def test_mad_zero_drops_nothing_and_accuracy_rule():
    s = settings.defaults()["dotprobe"]
    t = _trials([500.0] * 10 + [900.0], [1, 0] * 5 + [1])
    out = clean.clean_trials(t, settings=s)
    assert out["excluded"].sum() == 0  # MAD of mostly-equal values is 0: nothing dropped
    bad = _trials([500.0] * 10, [1, 0] * 5, correct=[1] * 7 + [0] * 3)
    out = clean.clean_trials(bad, settings=s)
    assert set(out["exclusion_reason"]) == {"participant_accuracy_below_0.8"}


def test_practice_and_filler_keep_their_rows():
    s = settings.defaults()["dotprobe"]
    t = _trials([500.0] * 4, [1, 0, 1, 0])
    t.loc[0, "phase"] = "practice"
    t.loc[1, "trial_type"] = "filler"
    t.loc[1, "congruent"] = np.nan
    out = clean.clean_trials(t, settings=s)
    assert len(out) == 4
    assert out["exclusion_reason"].tolist()[:2] == ["practice", "filler"]


def test_bias_and_summary_measures_by_hand():
    s = settings.defaults()["dotprobe"]
    s["min_trials_per_cell"] = 3
    rts = [400, 460, 410, 480, 420, 470, 405, 455]
    cong = [1, 0, 1, 0, 1, 0, 1, 0]
    t = _trials(rts, cong)
    t["excluded"] = 0
    t["exclusion_reason"] = None
    got = condition_scores(t, settings=s, task="dotprobe").set_index("measure")["value"]
    inc = [460, 480, 470, 455]
    con = [400, 410, 420, 405]
    assert got["bias_ms"] == pytest.approx(np.mean(inc) - np.mean(con))
    assert got["rt_sd_ms"] == pytest.approx(np.std(rts, ddof=1))
    assert got["n_congruent"] == 4 and got["n_incongruent"] == 4
    # nearest pairs (tie -> earlier): 0-1, 1-0, 2-1, 3-2, 4-3, 5-4, 6-5, 7-6
    tl = [60, 60, 50, 70, 60, 50, 65, 50]
    assert got["tlbs_mean_toward_ms"] == pytest.approx(np.mean(tl))
    assert got["tlbs_peak_toward_ms"] == 70
    assert math.isnan(got["tlbs_mean_away_ms"]) and math.isnan(got["tlbs_peak_away_ms"])
    assert got["tlbs_variability_ms"] == pytest.approx(np.abs(np.diff(tl)).sum() / len(tl))
    # ABV with bins of 10: one bin only -> n/a
    assert math.isnan(got["abv"])


def test_too_few_trials_gives_na_but_keeps_counts():
    s = settings.defaults()["dotprobe"]
    t = _trials([400, 450] * 4, [1, 0] * 4)
    t["excluded"] = 0
    got = condition_scores(t, settings=s, task="dotprobe").set_index("measure")["value"]
    assert math.isnan(got["bias_ms"]) and got["n_congruent"] == 4


def test_tlbs_itit_ctct_and_window_and_excluded_positions():
    g = np.zeros(4, int)
    got = tlbs.nearest_tlbs(group=g, congruent=np.array([0, 0, 1, 1]),
                            rt_ms=np.array([500., 520., 400., 410.]))
    assert got.tolist() == [100.0, 120.0, 120.0, 110.0]
    # an excluded trial keeps its position: I x x x x x x C is 7 apart -> no pair within 5
    rt = np.array([500.] + [np.nan] * 6 + [400.])
    cong = np.array([0, 1, 1, 1, 1, 1, 1, 1])
    assert np.isnan(tlbs.nearest_tlbs(group=np.zeros(8, int), congruent=cong, rt_ms=rt)).all()
    # pairs never cross conditions (groups)
    got = tlbs.nearest_tlbs(group=np.array([0, 1]), congruent=np.array([0, 1]),
                            rt_ms=np.array([500., 400.]))
    assert np.isnan(got).all()


def test_tlbs_variability_itrak_without_a_gap_is_default_times_n_over_n_minus_1():
    series = np.array([10., 30., 0.])
    z = tlbs.summarise(group=np.zeros(3, int), tlbs=series, n_groups=1)
    i = tlbs.summarise(group=np.zeros(3, int), tlbs=series, n_groups=1, variability="itrak")
    assert z["tlbs_variability_ms"][0] == pytest.approx((20 + 30) / 3)
    assert i["tlbs_variability_ms"][0] == pytest.approx((20 + 30) / 2)
    assert i["tlbs_variability_ms"][0] == pytest.approx(z["tlbs_variability_ms"][0] * 3 / 2)


def test_tlbs_variability_itrak_on_a_hand_made_series_with_a_gap():
    # positions C I C (I excluded) C I, rt 400 460 410 - 420 470; nearest pairs (window 5,
    # ties to the earlier): TL-BS = 60, 60, 50, (none), 50, 50
    s = dict(settings.defaults()["dotprobe"], min_trials_per_cell=2)
    t = _trials([400, 460, 410, 455, 420, 470], [1, 0, 1, 0, 1, 0])
    t["excluded"] = [0, 0, 0, 1, 0, 0]
    got = {}
    for formula in ("zvielli", "itrak"):
        s["tlbs_variability"] = formula
        values = condition_scores(t, settings=s, task="dotprobe").set_index("measure")["value"]
        got[formula] = values["tlbs_variability_ms"]
    # contract default: gaps closed, 60 60 50 50 50 -> (0 + 10 + 0 + 0) / 5
    assert got["zvielli"] == pytest.approx(10 / 5)
    # itrak: only adjacent positions that both have a value: 0, 10 and 0 (not 50 -> 50
    # across the gap) -> 10 / 3; not the default x n / (n - 1) = 2.5
    assert got["itrak"] == pytest.approx(10 / 3)
    assert got["itrak"] != pytest.approx(got["zvielli"] * 5 / 4)


def test_abv_by_hand():
    rt = np.array([400, 480, 410, 470, 420, 440, 430, 450, 400, 500, 410, 430.0])
    cong = np.array([1, 0] * 6)
    got = abv.abv(group=np.zeros(12, int), position=np.arange(12), congruent=cong, rt_ms=rt,
                  n_groups=1, bin_size=4)
    bins = [(480 + 470) / 2 - (400 + 410) / 2, (440 + 450) / 2 - (420 + 430) / 2,
            (500 + 430) / 2 - (400 + 410) / 2]
    assert got[0] == pytest.approx(np.std(bins, ddof=1) / rt.mean())


def test_rci_worked_example_jacobson_truax():
    # r_xx = 0.45, SD_pre = 30 ms, change of 60 ms -> |RCI| ~ 1.91, not reliable
    value = change.rci_value(change=60, sd_pre=30, r_xx=0.45)
    assert value == pytest.approx(60 / (math.sqrt(2) * 30 * math.sqrt(0.55)))
    assert round(value, 2) == 1.91
    assert math.isnan(change.rci_value(change=60, sd_pre=30, r_xx=-0.1))


def _straight_change(pre, post):
    n = len(pre)
    d = [b - a for a, b in zip(pre, post)]
    m = sum(d) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1))
    sdp = math.sqrt(sum((x - sum(pre) / n) ** 2 for x in pre) / (n - 1))
    sdq = math.sqrt(sum((x - sum(post) / n) ** 2 for x in post) / (n - 1))
    t = m / (sd / math.sqrt(n))
    d_av = m / ((sdp + sdq) / 2)
    return {"t": t, "d_z": m / sd, "d_av": d_av, "g_av": d_av * (1 - 3 / (4 * (n - 1) - 1))}


def test_change_and_rci_tables_against_a_straightforward_implementation():
    from scipy import stats
    rng = np.random.default_rng(5)
    rows, groups = [], {}
    for i in range(12):
        pid = f"sub-{i:02d}"
        groups[pid] = "MORE" if i < 6 else "control"
        pre = rng.normal(30, 20)
        rows += [(pid, "pre", pre), (pid, "post", pre - (20 if i < 6 else 0) + rng.normal(0, 10))]
    rows.append(("sub-99", "pre", 50.0))  # no post: left out of change, in SD of pre
    scores = pd.DataFrame(rows, columns=["participant_id", "session", "value"]).assign(
        task="dotprobe", condition="c@200", measure="bias_ms")
    parts = pd.DataFrame({"participant_id": list(groups), "group": list(groups.values())})
    table = change.change_table(scores, participants=parts).set_index("group")
    assert table.loc["all", "n"] == 12 and table.loc["MORE", "n"] == 6
    for g, members in [("all", list(groups)), ("MORE", list(groups)[:6])]:
        d = scores[scores["participant_id"].isin(members)].pivot(
            index="participant_id", columns="session", values="value")
        ref = _straight_change(d["pre"].tolist(), d["post"].tolist())
        for k, v in ref.items():
            assert table.loc[g, k] == pytest.approx(v)
        assert table.loc[g, "p"] == pytest.approx(2 * stats.t.sf(abs(ref["t"]), len(d) - 1))
    rel = pd.DataFrame({"session": ["pre"], "task": ["dotprobe"], "condition": ["c@200"],
                        "measure": ["bias_ms"], "sb": [0.6]})
    rci = change.rci_table(scores, reliability=rel).set_index("participant_id")
    sd_pre = scores[scores["session"] == "pre"]["value"].std(ddof=1)
    s_diff = math.sqrt(2) * sd_pre * math.sqrt(0.4)
    p0 = scores[scores["participant_id"] == "sub-00"].set_index("session")["value"]
    assert rci.loc["sub-00", "rci"] == pytest.approx((p0["post"] - p0["pre"]) / s_diff)
    assert rci.loc["sub-00", "reliable"] == float(abs(rci.loc["sub-00", "rci"]) > 1.96)
    assert "sub-99" not in rci.index


def test_cronbach_alpha_by_hand():
    x = np.array([[2., 3., 3.], [4., 4., 5.], [3., 5., 4.], [5., 5., 6.], [1., 2., 2.]])
    k = 3
    expect = k / (k - 1) * (1 - sum(np.var(x[:, j], ddof=1) for j in range(k))
                            / np.var(x.sum(axis=1), ddof=1))
    assert cronbach_alpha(x) == pytest.approx(expect)


@pytest.mark.parametrize("overrides, needle", [
    ({"dotprobe": {"rt_mni_ms": 100}}, "did you mean 'rt_min_ms'"),
    ({"dotprobe": {"outlier_method": "mda"}}, "allowed: one of mad, sd, none (did you mean 'mad'?)"),
    ({"dotprobe": {"tlbs_variability": "itrac"}}, "allowed: one of zvielli, itrak"),
    ({"dotprobe": {"tlbs_variability_denominator": "n-1"}}, "did you mean 'tlbs_variability'"),
    ({"input": {"paradigms": {"opioiddotprobe": "dotprob"}}}, "did you mean 'dotprobe'"),
    ({"rating": {"contrasts": {"x": {"a": {"categry": ["infant"]}, "b": {"category": ["adult"]}}}}},
     "did you mean 'category'"),
    ({"change": {"dotprobe_measures": ["bias"]}}, "allowed: each one of bias_ms"),
    ({"dotprobe": {"rt_min_ms": "fast"}}, "allowed: a number"),
    ({"reliabilty": {}}, "did you mean 'reliability'"),
    ({"dotprobe": {"rt_min_ms": 3000}}, "must be below"),
])
def test_bad_scoring_config_names_key_value_and_allowed(overrides, needle):
    with pytest.raises(settings.ScoringConfigError) as exc:
        settings.merge(overrides, source="x.yaml")
    assert needle in " ".join(exc.value.problems)
    assert "x.yaml" in str(exc.value)


def test_shipped_scoring_yaml_equals_the_declared_defaults():
    assert settings.load(ROOT / "configs" / "scoring.yaml") == settings.defaults()


def test_tsv_neutralises_formula_names_and_text_but_keeps_numbers():
    import pandas as pd

    from analysis.io import tsv_text
    text = tsv_text(pd.DataFrame({"=1+1": ["=HYPERLINK(1)", "-12.5", "+2", "-x", "1e-3"],
                                  "n": [1, 2, 3, 4, 5]}))
    lines = text.splitlines()
    assert lines[0] == "'=1+1\tn"
    assert [line.split("\t")[0] for line in lines[1:]] == ["'=HYPERLINK(1)", "-12.5", "+2",
                                                          "'-x", "1e-3"]
